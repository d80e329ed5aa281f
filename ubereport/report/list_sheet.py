"""The 「一覧」 sheet: every plan × KPI in 体系図 order, with every plan year rated.

Per plan year four columns: 目標 and 実績 (without the unit when it is the one in 単位, so a number
never wraps inside itself), 達成率 (a number shown as 「102.7%」, equal to the rounded figure
:func:`~ubereport.plan.rating.format_rate` shows) and 達成区分 (symbol and word). Earlier years'
目標/実績/達成率 and later years' 実績/達成率/達成区分 are grouped and folded away (their 達成区分
and 目標 stay), so every reported year prints on A3 landscape at 100 % (9 pt); Excel's 「+」 above
the columns opens them.

The plan's 未達成の理由・改善策 for the reported year stands once per plan, on the first of its rows
that is not 達成 (its first row when every KPI is 達成 but the plan still wrote one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.japanese.fiscal import format_fy, format_fy_long
from ubereport.plan.rating import Status
from ubereport.report.legend import compact_legend
from ubereport.report.rows import (
    NOT_SUBMITTED,
    NOT_SUBMITTED_SYMBOL,
    KpiRow,
    PlanReport,
    Report,
    YearResult,
)
from ubereport.report.shown import shown_value
from ubereport.report.styles import A3, SUB_FILL, Styles, landscape, row_height

__all__ = ["LIST_SHEET", "own_note", "shortfall_rows", "write_list_sheet"]

LIST_SHEET = "一覧"
NO_KPI = "（報告なし）"


@dataclass(frozen=True, slots=True)
class _Col:
    header: str
    width: float


FRONT = (
    _Col("基本方針", 8),
    _Col("戦略", 9),
    _Col("No.", 4),
    _Col("アクションプラン名", 12),
    _Col("主管課", 8),
    _Col("指標", 16),
    _Col("単位", 5),
    _Col("基準値", 9.5),
)
YEAR = (_Col("目標", 9.5), _Col("実績", 9.5), _Col("達成率", 7), _Col("達成区分", 9.5))
REASONS = (28, 20)
HEAD_ROWS = (3, 4)  # the two heading rows (0-based); data starts below them
FREEZE_COLS = 4


def write_list_sheet(book: Workbook, styles: Styles, report: Report, source: str) -> Worksheet:
    sheet = book.add_worksheet(LIST_SHEET)
    reasons = (
        _Col(f"未達成の理由・改善策（{report.label}）", REASONS[0]),
        _Col(f"所管課評価とその理由（{report.label}）", REASONS[1]),
    )
    widths = [c.width for c in FRONT] + [c.width for _ in report.plan_years for c in YEAR]
    widths += [c.width for c in reasons]
    last = len(widths) - 1
    title = f"{format_fy_long(report.fiscal_year)} 取組の達成状況（一覧）"
    _head(sheet, styles, report, title, source, last, reasons)
    rows = report.rows()
    shortfall = shortfall_rows(report)
    for i, (plan, kpi) in enumerate(rows):
        cells = _row(report, plan, kpi, i in shortfall)
        r = HEAD_ROWS[1] + 1 + i
        _write_row(sheet, styles, r, cells)
        sheet.set_row(r, row_height([(_shown(v), w) for v, w in zip(cells, widths, strict=True)]))
    _columns(sheet, report, widths)
    sheet.freeze_panes(HEAD_ROWS[1] + 1, FREEZE_COLS)
    sheet.autofilter(HEAD_ROWS[1], 0, HEAD_ROWS[1] + max(len(rows), 1), last)
    landscape(sheet, f"{report.title}　{title}", paper=A3, repeat=HEAD_ROWS)
    return sheet


def _head(
    sheet: Worksheet,
    styles: Styles,
    report: Report,
    title: str,
    source: str,
    last: int,
    reasons: tuple[_Col, _Col],
) -> None:
    sheet.merge_range(0, 0, 0, 7, title, styles.title)
    sheet.merge_range(0, 8, 0, last, source, styles.info)
    sheet.set_row(0, 24)
    for r, line in enumerate(compact_legend(report.bands), start=1):
        sheet.merge_range(r, 0, r, last, line, styles.note)
        sheet.set_row(r, 14)
    top, sub = HEAD_ROWS
    head = styles.head()
    for c, col in enumerate(_front(report)):
        sheet.merge_range(top, c, sub, c, col.header, head)
    c = len(FRONT)
    for fy in report.plan_years:
        label = format_fy(fy) + ("（報告年度）" if fy == report.fiscal_year else "")
        sheet.merge_range(top, c, top, c + len(YEAR) - 1, label, head)
        for j, col in enumerate(YEAR):
            sheet.write_string(sub, c + j, col.header, styles.head(SUB_FILL))
        c += len(YEAR)
    for j, col in enumerate(reasons):
        sheet.merge_range(top, c + j, sub, c + j, col.header, head)
    sheet.set_row(top, 16)
    sheet.set_row(sub, 16)


def shortfall_rows(report: Report) -> set[int]:
    """Indexes (in :meth:`Report.rows`) of the rows that show the plan's 未達成の理由・改善策.

    One per plan that wrote one: its first row not 達成, else its first row.
    """
    out: set[int] = set()
    rows = report.rows()
    for plan in report.plans:
        if not plan.text("shortfall_reason"):
            continue
        mine = [i for i, (p, _) in enumerate(rows) if p is plan]
        short = [i for i in mine if report.status_of(rows[i][1]) != str(Status.ACHIEVED)]
        out.add((short or mine)[0])
    return out


def own_note(kpi: KpiRow, year: YearResult | None) -> str:
    """「所管課評価により達成（計算では 定性目標）。理由…」, or the reason, or the check note."""
    if year is None or year.rating is None:
        return kpi.own_reason
    rating = year.rating
    if year.is_own:
        computed = f"{rating.computed.symbol} {rating.computed}"
        if rating.rate_text:
            computed += f" {rating.rate_text}"
        head = f"所管課評価により{rating.status}（計算では {computed}）。"
        return head + kpi.own_reason
    if rating.status is Status.CHECK:
        return f"要確認: {rating.reason}" + (f"\n{kpi.own_reason}" if kpi.own_reason else "")
    return kpi.own_reason


@dataclass(frozen=True, slots=True)
class _Cell:
    value: object
    kind: str = "text"  # text, center, value, rate, status
    status: str = ""


def _front(report: Report) -> tuple[_Col, ...]:
    """The heading columns, the first two named after the plan's levels (a third level shares
    the second column: 「基本項目／個別項目」)."""
    reg = report.registry
    levels = reg.levels if reg is not None else ("基本方針", "戦略")
    first, second = levels[0], "／".join(levels[1:])
    item = replace(FRONT[3], header=reg.item_label) if reg is not None else FRONT[3]
    heads = (replace(FRONT[0], header=first), replace(FRONT[1], header=second))
    return (*heads, FRONT[2], item, *FRONT[4:])


def _row(report: Report, plan: PlanReport, kpi: KpiRow | None, shortfall: bool) -> list[_Cell]:
    entry = plan.entry
    lower = "／".join(entry.level(n) for n in (2, 3) if entry.level(n))
    front = [
        _Cell(entry.policy),
        _Cell(lower),
        _Cell(entry.plan_no, "center"),
        _Cell(entry.plan_name),
        _Cell(plan.lead_division),
    ]
    if kpi is None:
        cells = [*front, _Cell(NO_KPI), _Cell("", "center"), _Cell("")]
        for fy in report.plan_years:
            mark = f"{NOT_SUBMITTED_SYMBOL} {NOT_SUBMITTED}" if fy == report.fiscal_year else ""
            status = NOT_SUBMITTED if mark else ""
            cells += [_Cell(""), _Cell(""), _Cell(None, "rate"), _Cell(mark, "status", status)]
        return [*cells, _Cell(""), _Cell("")]
    cells = [
        *front,
        _Cell(f"{kpi.roman} {kpi.name}"),
        _Cell(kpi.unit, "center"),
        _Cell(shown_value(kpi.baseline, kpi.unit), "value"),
    ]
    for y in kpi.years:
        cells += [
            _Cell(shown_value(y.target, kpi.unit), "value"),
            _Cell(shown_value(y.actual, kpi.unit), "value"),
            _Cell(y.rate_percent, "rate"),
            _Cell(y.mark, "status", y.status),
        ]
    reason = plan.text("shortfall_reason") if shortfall else ""
    return [*cells, _Cell(reason), _Cell(own_note(kpi, kpi.year(report.fiscal_year)))]


def _write_row(sheet: Worksheet, styles: Styles, r: int, cells: list[_Cell]) -> None:
    for c, cell in enumerate(cells):
        if cell.kind == "rate":
            if cell.value is None:
                sheet.write_blank(r, c, None, styles.percent)
            else:
                sheet.write_number(r, c, float(cell.value) / 100, styles.percent)  # type: ignore[arg-type]
        elif cell.kind == "status":
            fmt = styles.status(cell.status) if cell.status else styles.center
            _text(sheet, r, c, str(cell.value), fmt)
        else:
            fmt = {"center": styles.center, "value": styles.value}.get(cell.kind, styles.text)
            _text(sheet, r, c, str(cell.value), fmt)


def _shown(cell: _Cell) -> str:
    if cell.kind == "rate":
        return "" if cell.value is None else f"{cell.value}%"
    return str(cell.value)


def _text(sheet: Worksheet, r: int, c: int, text: str, fmt: Format) -> None:
    if text:
        sheet.write_string(r, c, text, fmt)
    else:
        sheet.write_blank(r, c, None, fmt)


def folded_columns(report: Report) -> list[int]:
    """The columns grouped and folded away: earlier years' 目標/実績/達成率, later years' 実績…."""
    folded: list[int] = []
    c = len(FRONT)
    for fy in report.plan_years:
        if fy < report.fiscal_year:
            folded += [c, c + 1, c + 2]
        elif fy > report.fiscal_year:
            folded += [c + 1, c + 2, c + 3]
        c += len(YEAR)
    return folded


def _columns(sheet: Worksheet, report: Report, widths: list[float]) -> None:
    folded = set(folded_columns(report))
    for c, width in enumerate(widths):
        if c in folded:
            sheet.set_column(c, c, width, None, {"level": 1, "hidden": True})
        elif c - 1 in folded:
            sheet.set_column(c, c, width, None, {"collapsed": True})
        else:
            sheet.set_column(c, c, width)
