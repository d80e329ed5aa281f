"""The previous plan (宇部市行政サービス改革推進計画, H30–R3) as cards and expected ratings.

Built from the transcription in ``tests/data/previous_plan/`` (hierarchy.csv, indicators.csv,
narratives.csv; every judgment call is in its README.md). :func:`cards` gives, for every item and
every reported year from the item's first year (H30, R1, R2), the ``fields`` of one card: defined
name → the value as a person would type it from the published report. :func:`expected_statuses`
gives the published 達成区分 of every indicator-year the rule reproduces, :data:`EXCEPTIONS` the
one it does not.

What the cards carry, where the report does not print a card's field (README "Cards"):

- ``achievements``: the R2 card has the printed 令和２年度の取組実績. The report prints no
  取組実績 of H30 or R1, and a card without one is refused (``achievements-missing``), so those
  cards say that the report has none (:data:`NO_EARLIER_ACHIEVEMENTS`).
- ``shortfall_reason``: the report has no such column (judgment 11). A card of a year with a
  published 未達成 carries the R2 narrative's lines that speak of it (「未達成」「改善策」), or
  :data:`NO_SHORTFALL_REASON` when there are none or the year is H30 / R1.
- ``next_actions``: the R2 card has the printed （令和３年度の取組）; earlier cards none.
- ``plan_actions``: the printed 目標 of the items with a qualitative 目標, else empty (the report
  prints no 実施内容 of the whole plan period).
- KPI values are as printed, with two changes: 「⇒」 is typed as the next stated target (the
  README: "same as the next target"), and 1-1-04's baseline 「23（学校施設を除く）」 is typed
  「23」 with 「学校施設を除く」 in ``kpi1_note`` (the card reads a baseline as a number).
- ``kpiK_unit`` is the unit the values carry where they carry one (1-1-03 「件/１日」, the name says
  （件）; 2-1-07, 2-1-14, 3-2-11 「%」; 3-2-07 「万人」), else the name's unit: a person types the
  unit of the numbers in the unit cell, and the card refuses a value whose unit differs from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ubereport.japanese.values import parse_value

DATA = Path(__file__).parent / "data" / "previous_plan"
DEFINITION = DATA / "definition"
PLAN_ID = "ube-h30"
TITLE = "宇部市行政サービス改革推進計画"
PLAN_YEARS = ("H30", "R1", "R2", "R3")
REPORTED_YEARS = ("H30", "R1", "R2")
YEAR_LONG = {"H30": "平成30年度", "R1": "令和元年度", "R2": "令和２年度"}

NO_EARLIER_ACHIEVEMENTS = (
    "公表資料「令和２年度取組の達成状況」には{year}の取組実績の記載がありません"
    "（同資料は令和２年度の取組実績のみを掲載）。"
)
NO_SHORTFALL_REASON = (
    "公表資料「令和２年度取組の達成状況」には{year}の未達成の理由の記載がありません。"
)

Key = tuple[str, int, str]  # (item id, indicator no, year)


@dataclass(frozen=True, slots=True)
class Exception_:
    """An indicator-year whose published 達成区分 the rule does not give."""

    published: str
    rule: str
    reason: str


#: The rule's one documented exception (README "Self-check", judgment 2).
EXCEPTIONS: dict[Key, Exception_] = {
    ("3-2-01", 1, "R1"): Exception_(
        published="未達成",
        rule="概ね達成",
        reason=(
            "執務室保管文書量 R1: lower is better, 2,860 ÷ 3,530 = 81.0% gives 概ね達成 but the "
            "city published 未達成; no consistent method explains it (the reduction-progress "
            "reading gives 46% here but 48% for R2, published 概ね達成)"
        ),
    ),
}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@cache
def items() -> tuple[dict[str, str], ...]:
    return tuple(_read("hierarchy.csv"))


@cache
def indicators() -> dict[str, tuple[dict[str, str], ...]]:
    """item id → its indicator rows, in indicator_no order."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in _read("indicators.csv"):
        out.setdefault(row["item_id"], []).append(row)
    return {k: tuple(sorted(v, key=lambda r: int(r["indicator_no"]))) for k, v in out.items()}


@cache
def narratives() -> dict[str, dict[str, str]]:
    return {row["item_id"]: row for row in _read("narratives.csv")}


def status(printed: str) -> str:
    """「達　成」 → 「達成」: the published status without its spacing."""
    return "".join(printed.split())


def card_years(item: dict[str, str]) -> tuple[str, ...]:
    """The reported years of an item: from its first rated year to R2."""
    return REPORTED_YEARS[REPORTED_YEARS.index(item["start_year"]) :]


def resolved_targets(indicator: dict[str, str]) -> list[str]:
    """The four targets as typed: 「⇒」 becomes the next target that is not 「⇒」."""
    targets = [indicator[f"target_{y}"] for y in PLAN_YEARS]
    out = list(targets)
    for i in range(len(out) - 2, -1, -1):
        if out[i] == "⇒":
            out[i] = out[i + 1]
    return out


def _baseline(indicator: dict[str, str]) -> tuple[str, str]:
    """(baseline as typed, note): 「23（学校施設を除く）」 → 「23」, 「学校施設を除く」."""
    text = indicator["baseline"]
    number, bracket, rest = text.partition("（")
    if bracket and rest.endswith("）"):
        return number, rest.removesuffix("）")
    return text, ""


def _unit(indicator: dict[str, str]) -> str:
    return indicator["value_unit"] or indicator["unit"]


def kpi_fields(k: int, indicator: dict[str, str], year: str) -> dict[str, str]:
    """The kpiK_* fields of one indicator on the card of ``year``."""
    p = f"kpi{k}_"
    baseline, note = _baseline(indicator)
    fields = {
        p + "name": indicator["indicator_name"],
        p + "note": note,
        p + "unit": _unit(indicator),
        p + "direction": indicator["direction"],
        p + "baseline_label": indicator["baseline_year"],
        p + "baseline": baseline,
    }
    reported = PLAN_YEARS.index(year)
    for y, (label, target) in enumerate(
        zip(PLAN_YEARS, resolved_targets(indicator), strict=True), start=1
    ):
        fields[f"{p}target_y{y}"] = target
        actual = indicator.get(f"actual_{label}", "") if y <= reported + 1 else ""
        if y <= reported + 1 and not actual and _is_number(target):
            # the report prints a target but no actual for the year (3-2-04 地方債残高 and
            # 経常収支比率, 財政調整基金残高 after H30): a division enters 「集計中」 (not final yet);
            # a blank would be refused (actual-missing) with the card's other indicators
            actual = "集計中"
        fields[f"{p}actual_y{y}"] = actual
    return fields


def _published_not_achieved(item_id: str, year: str) -> bool:
    return any(status(ind[f"status_{year}"]) == "未達成" for ind in indicators().get(item_id, ()))


def _shortfall_reason(item_id: str, year: str) -> str:
    if not _published_not_achieved(item_id, year):
        return ""
    if year == "R2":
        lines = narratives()[item_id]["r2_achievements"].split("\n")
        said = [line for line in lines if "未達成" in line or "改善策" in line]
        if said:
            return "\n".join(said)
    return NO_SHORTFALL_REASON.format(year=YEAR_LONG[year])


def card_fields(item: dict[str, str], year: str) -> dict[str, str]:
    """The fields of the card of ``item`` for ``year`` (defined name → value as typed)."""
    item_id = item["item_id"]
    _, basic, _ = item_id.split("-")
    divisions = item["divisions"].split(";")
    story = narratives()[item_id]
    fields = {
        "fiscal_year": year,
        "plan_no": item_id,
        "plan_name": item["individual_item"],
        "policy": f"{item['policy_no']} {item['policy_name']}",
        "strategy": f"{int(basic)} {item['basic_item'].removeprefix('○')}",
        "level_3": f"{item['item_no']} {item['individual_item']}",
        "lead_division": divisions[0],
        "related_divisions": "、".join(divisions[1:]),
        "outcome": item["description"],
        "plan_actions": item["goal"],
        "achievements": story["r2_achievements"]
        if year == "R2"
        else NO_EARLIER_ACHIEVEMENTS.format(year=YEAR_LONG[year]),
        "shortfall_reason": _shortfall_reason(item_id, year),
        "next_actions": story["r3_plan"] if year == "R2" else "",
    }
    for k, indicator in enumerate(indicators().get(item_id, ()), start=1):
        fields |= kpi_fields(k, indicator, year)
    return fields


def cards() -> dict[tuple[str, str], dict[str, str]]:
    """(item id, year) → the card's fields, for every item and reported year."""
    return {
        (item["item_id"], year): card_fields(item, year)
        for item in items()
        for year in card_years(item)
    }


def card_file_name(item_id: str, year: str, fields: dict[str, str]) -> str:
    """「1-1-01_H30_市民課.xlsx」: how a division would name its card."""
    division = fields["lead_division"].split("　")[-1]
    return f"{item_id}_{year}_{division}.xlsx"


def _is_number(text: str) -> bool:
    return parse_value(text).is_number


def published_statuses() -> dict[Key, str]:
    """Every indicator-year with a published 達成区分 (spacing removed): 91."""
    return {
        (ind["item_id"], int(ind["indicator_no"]), year): status(ind[f"status_{year}"])
        for rows in indicators().values()
        for ind in rows
        for year in REPORTED_YEARS
        if ind[f"status_{year}"]
    }


def rateable() -> set[Key]:
    """Indicator-years with a numeric target (⇒ resolved) and a numeric actual: 82."""
    out = set()
    for rows in indicators().values():
        for ind in rows:
            targets = dict(zip(PLAN_YEARS, resolved_targets(ind), strict=True))
            for year in REPORTED_YEARS:
                if _is_number(targets[year]) and _is_number(ind[f"actual_{year}"]):
                    out.add((ind["item_id"], int(ind["indicator_no"]), year))
    return out


def expected_statuses() -> dict[Key, str]:
    """The published 達成区分 of every rateable indicator-year that follows the rule: 81."""
    published = published_statuses()
    return {k: published[k] for k in sorted(rateable()) if k not in EXCEPTIONS}
