"""The legend of the 達成区分, worded as the published 取組の達成状況 words it, and its fills.

The band edges come from :class:`~ubereport.plan.rating.Bands`, so a changed band changes the legend.
Each status is a symbol and a word (readable in black-and-white print); the fill colour is only a
second channel.
"""

from __future__ import annotations

from ubereport.japanese.values import format_number
from ubereport.plan.rating import SYMBOLS, Bands, Status
from ubereport.report.rows import NOT_SUBMITTED, NOT_SUBMITTED_SYMBOL

__all__ = [
    "OWN_NOTE",
    "RATE_NOTE",
    "STATUS_FILLS",
    "band_lines",
    "compact_legend",
    "legend_lines",
    "symbol_of",
]

ACHIEVED_FILL = "#E2EFDA"
MOSTLY_FILL = "#FFF2CC"
NOT_ACHIEVED_FILL = "#F8CBAD"
NEUTRAL_FILL = "#EDEDED"
STATUS_FILLS: dict[str, str] = {
    str(Status.ACHIEVED): ACHIEVED_FILL,
    str(Status.MOSTLY): MOSTLY_FILL,
    str(Status.NOT_ACHIEVED): NOT_ACHIEVED_FILL,
    str(Status.PENDING): NEUTRAL_FILL,
    str(Status.MISSING): NEUTRAL_FILL,
    str(Status.NO_TARGET): NEUTRAL_FILL,
    str(Status.NOT_RATED): NEUTRAL_FILL,
    str(Status.CHECK): "#FCE4D6",
    NOT_SUBMITTED: "#D9D9D9",
}

OWN_NOTE = (
    "（所管課評価）: 所管課の評価が計算による区分と異なるため、所管課評価を採用したもの"
    "（計算による区分と評価理由を併記）"
)
RATE_NOTE = (
    "達成率: 高いほど良い指標は 実績÷目標、低いほど良い指標は 目標÷実績。"
    "「以上」「以下」などの付いた目標は、その条件を満たせば達成。"
)

_OTHERS: tuple[tuple[str, str], ...] = (
    (str(Status.PENDING), "実績が集計中のため、まだ評価していない"),
    (str(Status.MISSING), "実績が入力されていない"),
    (
        str(Status.NO_TARGET),
        "その年度の目標値が設定されていない（「-」「次期計画で目標値を設定」など）",
    ),
    (str(Status.NOT_RATED), "目標が数値でない（定性目標）ため、達成率を計算しない"),
    (str(Status.CHECK), "目標・実績・方向・単位をそのままでは評価できない（台帳の値を確認）"),
    (NOT_SUBMITTED, "報告年度のカードが受理されていない"),
)


def symbol_of(status: str) -> str:
    if status == NOT_SUBMITTED:
        return NOT_SUBMITTED_SYMBOL
    try:
        return SYMBOLS[Status(status)]
    except ValueError:
        return ""


def _percent(fraction: float) -> str:
    return f"{format_number(fraction * 100)}％"


def band_lines(bands: Bands) -> list[tuple[str, str, str]]:
    """(symbol, status, description) of the three rated bands, as the published report says."""
    a, m = _percent(bands.achieved), _percent(bands.mostly)
    return [
        (symbol_of("達成"), "達成", f"目標を達成している（達成率{a}以上）"),
        (symbol_of("概ね達成"), "概ね達成", f"目標を概ね達成している（達成率{m}以上{a}未満）"),
        (symbol_of("未達成"), "未達成", f"目標が達成されていない（達成率{m}未満）"),
    ]


def legend_lines(bands: Bands) -> list[tuple[str, str, str]]:
    """Every status a report shows: the three bands, then the statuses that are not rated."""
    return band_lines(bands) + [(symbol_of(s), s, text) for s, text in _OTHERS]


def compact_legend(bands: Bands) -> tuple[str, str]:
    """Two lines for a sheet's head: the bands, then the other statuses and notes."""
    bands_line = "達成区分　" + "　".join(
        f"{sym} {st}：{text}" for sym, st, text in band_lines(bands)
    )
    others = "　".join(f"{symbol_of(s)} {s}" for s, _ in _OTHERS)
    return bands_line, f"評価しないもの　{others}　　{OWN_NOTE}"
