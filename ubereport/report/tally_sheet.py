"""The 「集計」 sheet: the legend, counts and shares of each 達成区分, and a native chart of them."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.japanese.fiscal import format_fy_long
from ubereport.plan.rating import Status
from ubereport.report.legend import RATE_NOTE, STATUS_FILLS, legend_lines, symbol_of
from ubereport.report.rows import NOT_SUBMITTED, STATUS_KEYS, Report
from ubereport.report.styles import FONT, SUB_FILL, Styles, landscape, row_height
from ubereport.report.tally import TallyRow, tally

__all__ = ["TALLY_SHEET", "write_tally_sheet"]


def _hatch(pattern: str, color: str) -> dict[str, object]:
    return {"pattern": {"pattern": pattern, "fg_color": color, "bg_color": "#FFFFFF"}}


TALLY_SHEET = "集計"
WIDTHS = [9, 30, 7, 7] + [8.5] * len(STATUS_KEYS)
LEGEND_TOP = 2

#: Series look in the chart: every status a different pattern or tone, so that no two are alike in
#: black-and-white print (solid dark, solid light, cross-hatch, dots, stripes, checks, white).
SERIES_LOOKS: dict[str, dict[str, object]] = {
    str(Status.ACHIEVED): {"fill": {"color": "#375623"}},
    str(Status.MOSTLY): {"fill": {"color": "#FFC000"}},
    str(Status.NOT_ACHIEVED): _hatch("large_grid", "#C00000"),
    str(Status.PENDING): _hatch("percent_50", "#7F7F7F"),
    str(Status.MISSING): _hatch("dark_vertical", "#595959"),
    str(Status.NO_TARGET): _hatch("dark_horizontal", "#7F7F7F"),
    str(Status.NOT_RATED): {"fill": {"color": "#FFFFFF"}},
    str(Status.CHECK): _hatch("large_check", "#ED7D31"),
    NOT_SUBMITTED: _hatch("wide_downward_diagonal", "#000000"),
}


def write_tally_sheet(book: Workbook, styles: Styles, report: Report, source: str) -> Worksheet:
    sheet = book.add_worksheet(TALLY_SHEET)
    for c, width in enumerate(WIDTHS):
        sheet.set_column(c, c, width)
    last = len(WIDTHS) - 1
    title = f"{format_fy_long(report.fiscal_year)} 取組の達成状況（集計）"
    sheet.merge_range(0, 0, 0, 5, title, styles.title)
    sheet.merge_range(0, 6, 0, last, source, styles.info)
    sheet.set_row(0, 24)
    row = _legend(sheet, styles, report, LEGEND_TOP, last) + 1
    rows = tally(report)
    counts_top = row
    row = _table(sheet, styles, rows, row, "達成区分別の件数", shares=False) + 1
    sheet.set_h_pagebreaks([row])  # page 1: legend and counts; page 2: shares and the chart
    row = _table(sheet, styles, rows, row, "達成区分別の割合（件数に占める割合）", shares=True)
    note = "件数は一覧の行数（指標ごとに1件、指標の報告がない未提出の計画は1件）です。"
    sheet.merge_range(row, 0, row, last, note, styles.note)
    _chart(book, sheet, rows, counts_top, row + 2)
    landscape(sheet, f"{report.title}　{title}")
    return sheet


def _legend(sheet: Worksheet, styles: Styles, report: Report, top: int, last: int) -> int:
    head = styles.head()
    sheet.merge_range(top, 0, top, 1, "達成区分", head)
    sheet.merge_range(top, 2, top, last, "達成状況（達成率）", head)
    row = top + 1
    for symbol, status, text in legend_lines(report.bands):
        sheet.merge_range(row, 0, row, 1, f"{symbol} {status}", styles.status(status, align="left"))
        sheet.merge_range(row, 2, row, last, text, styles.text)
        row += 1
    sheet.merge_range(row, 0, row, last, RATE_NOTE, styles.note)
    return row + 1


def _table(
    sheet: Worksheet, styles: Styles, rows: list[TallyRow], top: int, caption: str, *, shares: bool
) -> int:
    sheet.merge_range(top, 0, top, 5, caption, styles.get(bold=True, valign="vcenter"))
    head = top + 1
    for c, text in enumerate(["区分", "名称", "計画数", "件数"]):
        sheet.write_string(head, c, text, styles.head())
    for j, status in enumerate(STATUS_KEYS):
        fill = STATUS_FILLS.get(status, SUB_FILL)
        sheet.write_string(head, 4 + j, f"{symbol_of(status)}\n{status}", styles.head(fill))
    sheet.set_row(head, 28)
    r = head + 1
    previous = ""
    for row in rows:
        level = row.level if row.level != previous else ""
        previous = row.level
        sheet.write(r, 0, level or None, styles.text)
        sheet.write_string(r, 1, row.name, styles.text)
        sheet.write_number(r, 2, row.plans, styles.integer)
        sheet.write_number(r, 3, row.total, styles.integer)
        for j, status in enumerate(STATUS_KEYS):
            if shares:
                sheet.write_number(r, 4 + j, row.share(status), styles.percent)
            else:
                sheet.write_number(r, 4 + j, row.counts[status], styles.integer)
        sheet.set_row(r, row_height([(row.name, WIDTHS[1])]))
        r += 1
    return r


def _chart(book: Workbook, sheet: Worksheet, rows: list[TallyRow], table_top: int, at: int) -> None:
    """A 100% stacked bar per group (基本方針, 戦略, 全体); labels give the counts."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    first, last = table_top + 2, table_top + 1 + len(rows)
    name = sheet.get_name()
    used = [s for s in STATUS_KEYS if any(r.counts[s] for r in rows)]
    for status in STATUS_KEYS:
        if status not in used and status not in STATUS_KEYS[:3]:
            continue
        col = 4 + STATUS_KEYS.index(status)
        look = SERIES_LOOKS[status]
        chart.add_series(
            {
                "name": f"{symbol_of(status)} {status}",
                "categories": [name, first, 0, last, 1],
                "values": [name, first, col, last, col],
                "border": {"color": "#404040", "width": 0.5},
                "data_labels": {"value": True, "num_format": "0;;;", "font": _label_font(status)},
                "gap": 60,
                **look,
            }
        )
    chart.set_title({"name": "達成区分の構成（基本方針別・戦略別・全体）", "name_font": _font(11)})
    chart.set_y_axis({"reverse": True, "num_font": _font(8)})
    chart.set_x_axis(
        {"num_format": "0%", "num_font": _font(8), "major_gridlines": {"visible": True}}
    )
    chart.set_legend({"position": "bottom", "font": _font(8)})
    # as wide as the table (Excel's pixels: 7 per character and 5 of padding per column)
    width = round(sum(w * 7 + 5 for w in WIDTHS)) - 8
    chart.set_size({"width": width, "height": 56 + 26 * len(rows)})
    sheet.insert_chart(at, 0, chart, {"x_offset": 4, "y_offset": 4})


def _label_font(status: str) -> dict[str, object]:
    """Counts in white on the dark 達成 bars, black elsewhere."""
    dark = status == str(Status.ACHIEVED)
    return {"name": FONT, "color": "#FFFFFF" if dark else "#000000", "bold": dark}


def _font(size: float) -> dict[str, object]:
    return {"name": FONT, "size": size, "bold": False}
