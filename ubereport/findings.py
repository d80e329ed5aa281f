"""Findings: every problem in a submission is data, never an exception.

A :class:`Finding` carries a stable kebab-case ``code``, a severity (エラー blocks the merge,
警告 does not), where it is (file, sheet, A1 cell, field), the value found and a Japanese message
that tells the division what to do. The messages live in :data:`CATALOG`, one entry per code, so
the README's table of codes is generated from the same source the program uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "エラー"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Rule:
    """A catalog entry: the severity and the Japanese message template of one code."""

    severity: Severity
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    field: str | None
    value: str | None
    message: str

    def to_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


E, W = Severity.ERROR, Severity.WARNING

CATALOG: dict[str, Rule] = {
    # --- file -----------------------------------------------------------------------------
    "file-empty": Rule(
        E,
        "空のファイル",
        "ファイルが空（0バイト）です。保存し直してから、もう一度提出してください。",
    ),
    "file-not-excel": Rule(
        E,
        "Excelファイルではない",
        "Excelのブック（.xlsx）ではありません（{detail}）。"
        "配布した様式をExcelで開き、「Excelブック（*.xlsx）」として保存して提出してください。",
    ),
    "file-legacy-xls": Rule(
        E,
        "古い形式（.xls）",
        "古いExcel形式（Excel 97-2003 ブック）です。Excelで開き、"
        "「名前を付けて保存」で「Excelブック（*.xlsx）」を選んで保存し直してください。",
    ),
    "file-encrypted": Rule(
        E,
        "パスワード付き",
        "ブックにパスワードが設定されているため読めません。"
        "「ファイル」→「情報」→「ブックの保護」でパスワードを解除してから提出してください。",
    ),
    "file-corrupt": Rule(
        E,
        "破損したファイル",
        "ファイルが壊れているため読めません（{detail}）。"
        "元のファイルをExcelで開いて保存し直すか、様式に入力し直して提出してください。",
    ),
    "file-too-large": Rule(
        E,
        "展開後のサイズが異常",
        "ファイルの中身が異常に大きいため、安全のため読み込みを中止しました（{detail}）。"
        "配布した様式に入力し直して提出してください。",
    ),
    "file-macro-enabled": Rule(
        W,
        "マクロ有効ブック",
        "マクロ有効ブック（.xlsm）です。値だけを読み取り、マクロは実行していません。"
        "次回からは「Excelブック（*.xlsx）」で保存してください。",
    ),
    "file-unreadable": Rule(
        E,
        "ファイルを開けない",
        "ファイルを開けませんでした（{detail}）。"
        "ほかの人が開いていないか確認し、閉じてからもう一度提出してください。",
    ),
    # --- sheet / template -------------------------------------------------------------------
    "sheet-missing": Rule(
        E,
        "様式のシートがない",
        "アクションプランの様式シートが見つかりません（シート: {detail}）。"
        "配布した様式（templates/actionplan_sheet.xlsx）に入力して提出してください。",
    ),
    "names-missing": Rule(
        W,
        "名前の定義がない",
        "様式のセル名（名前の定義）が見つからないため、見出しの位置から読み取りました。"
        "読み取り結果を確認し、次回は配布した様式ファイルをそのまま使ってください。",
    ),
    "label-missing": Rule(
        E,
        "見出しが見つからない",
        "見出し「{detail}」が見つからないため、この欄を読み取れませんでした。"
        "配布した様式ファイルに入力し直してください。",
    ),
    "name-broken": Rule(
        W,
        "名前の定義が壊れている",
        "セル名「{detail}」の参照先が壊れています（#REF! など）。"
        "行や列を削除していないか確認し、配布した様式に入力し直してください。",
    ),
    "template-version-unknown": Rule(
        W,
        "様式の版が不明",
        "様式の版「{detail}」は想定外のため、読み取れた範囲で処理しました。"
        "最新の様式（{expected}）で提出してください。",
    ),
    "cell-formula": Rule(
        W,
        "数式のセル",
        "このセルは数式です。数式は計算せず、Excelが保存していた値「{detail}」を読み取りました。"
        "値を直接入力してください。",
    ),
    "cell-error": Rule(
        E,
        "エラー値のセル",
        "セルがエラー値（{detail}）です。正しい値を入力してください。",
    ),
}


def describe(code: str) -> Rule:
    """The catalog entry for ``code``; an unknown code is a programming error."""
    return CATALOG[code]


def make_finding(
    code: str,
    file: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    field: str | None = None,
    value: object = None,
    **params: object,
) -> Finding:
    """Build a finding from the catalog, filling the message template with ``params``."""
    rule = CATALOG[code]
    message = rule.message.format_map(_Defaults(params))
    shown = None if value is None else str(value)
    return Finding(code, rule.severity, file, sheet, cell, field, shown, message)


class _Defaults(dict[str, object]):
    """format_map helper: a missing parameter prints as empty instead of raising."""

    def __init__(self, params: dict[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return ""


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
