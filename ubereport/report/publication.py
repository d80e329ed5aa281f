"""The report the city publishes: 「取組の達成状況」 in the shape of its published document.

``取組達成状況_公表_R4.xlsx``, one sheet, A4 portrait at 100 % (body 10 pt, never shrunk): per
registry plan a block with its place in the plan (基本方針 / 戦略 / No.), 主管課 and 関係課, the aim
(1 アウトカム), each indicator with its 基準値 and the year of it, 目標 / 実績 / 達成率 / 達成区分 for
every plan year (later years show their target only), the reported year's 取組実績 (and
未達成の理由・改善策 when there is one) and the next year's 取組 — as the city's
「令和２年度取組の達成状況」 carries them.

Rows are as tall as their text (:mod:`ubereport.card.textfit`) and a manual page break goes before
every block that would not fit on the rest of the page, so a block never splits across pages
(unless a single block is taller than a page). The title and the legend of the bands repeat at the
top of every page. Every status is a symbol and a word, fills are light, so it reads in black and
white.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.card.textfit import (
    column_points,
    needed_height,
    width_chars,
)
from ubereport.card.writer import new_book
from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy, format_fy_long
from ubereport.report.legend import OWN_NOTE, RATE_NOTE, STATUS_FILLS, band_lines, legend_lines
from ubereport.report.rows import KpiRow, PlanReport, Report, YearResult
from ubereport.report.shown import shown_value
from ubereport.report.styles import FONT, HEAD_FILL, SUB_FILL

__all__ = [
    "BODY_PT",
    "COLUMN_CHARS",
    "COLUMN_PT",
    "PAGE_HEIGHT_PT",
    "PAGE_WIDTH_PT",
    "PUBLICATION_SHEET",
    "Block",
    "Row",
    "plan_blocks",
    "publication_name",
    "write_publication",
]

PUBLICATION_SHEET = "取組の達成状況"
BODY_PT = 10.0
SMALL_PT = 9.0
TITLE_PT = 14.0
MARGIN_IN = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6}
#: What a page holds across (A4 portrait: 595 pt less the margins).
PAGE_WIDTH_PT = 595.0 - (MARGIN_IN["left"] + MARGIN_IN["right"]) * 72
#: Column widths (characters): label, 基準値, five plan years; they print within the page in
#: Excel and in LibreOffice (:func:`ubereport.card.textfit.printed_points`).
COLUMN_CHARS = tuple(width_chars(p) for p in (68.0, 64.0, 72.5, 72.5, 72.5, 72.5, 72.5))
COLUMN_PT = tuple(column_points(c) for c in COLUMN_CHARS)
HEADER_MARGIN_IN = 0.3
A4_HEIGHT_PT = 842.0
#: What a page holds below the top margin and above the bottom one (less 6 pt of safety).
PAGE_HEIGHT_PT = A4_HEIGHT_PT - (MARGIN_IN["top"] + MARGIN_IN["bottom"]) * 72 - 6
MIN_ROW_PT = 17.0
GAP_PT = 12.0
LAST_COL = len(COLUMN_PT) - 1
NO_REPORT = "報告年度のカードが受理されていないため、指標・取組の報告はありません。"


def publication_name(report: Report) -> str:
    """「取組達成状況_公表_R4.xlsx」."""
    return f"取組達成状況_公表_{report.label}.xlsx"


def _span_pt(c1: int, c2: int) -> float:
    return sum(COLUMN_PT[c1 : c2 + 1])


@dataclass(frozen=True, slots=True)
class Cell:
    """One (possibly merged) cell of a block row: columns c1..c2, its text and its look."""

    c1: int
    c2: int
    text: str
    look: str = "text"  # text, label, head, plan, value, status:<status>, gap
    size: float = BODY_PT

    def height(self) -> float:
        return needed_height(self.text, _span_pt(self.c1, self.c2), self.size) if self.text else 0


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    minimum: float = MIN_ROW_PT

    @property
    def height(self) -> float:
        return round(max([self.minimum, *(c.height() for c in self.cells)]), 1)


@dataclass(frozen=True, slots=True)
class Block:
    """The rows of one plan; printed whole on one page."""

    plan_no: str
    rows: tuple[Row, ...]

    @property
    def height(self) -> float:
        return sum(r.height for r in self.rows)


def _label_row(label: str, text: str, *, minimum: float = MIN_ROW_PT) -> Row:
    return Row((Cell(0, 0, label, "label"), Cell(1, LAST_COL, text)), minimum)


def _head_rows(report: Report, plan: PlanReport) -> list[Row]:
    entry = plan.entry
    names = report.registry.levels if report.registry is not None else ("基本方針", "戦略")
    place = "　＞　".join(
        f"{name} {lv.printed}" for name, lv in zip(names, entry.levels, strict=False)
    )
    return [
        Row(
            (
                Cell(0, 0, f"No.{plan.plan_no}", "plan", 11.0),
                Cell(1, LAST_COL, plan.text("plan_name") or entry.plan_name, "plan", 11.0),
            ),
            20.0,
        ),
        _label_row("計画上の位置", place),
        Row(
            (
                Cell(0, 0, "主管課", "label"),
                Cell(1, 2, plan.lead_division or "－"),
                Cell(3, 3, "関係課", "label"),
                Cell(4, LAST_COL, plan.text("related_divisions") or "－"),
            )
        ),
        _label_row("目的", plan.text("outcome") or "－"),
    ]


def _year_heading(report: Report, year: YearResult) -> str:
    label = format_fy(year.fiscal_year)
    if year.fiscal_year == report.fiscal_year:
        return f"{label}（報告年度）"
    return label if year.fiscal_year < report.fiscal_year else f"{label}（計画）"


def _status_text(year: YearResult) -> str:
    if not year.status:
        return ""
    text = f"{year.symbol} {year.status}"
    return text + ("\n（所管課評価）" if year.is_own else "")


def _kpi_rows(report: Report, kpi: KpiRow) -> list[Row]:
    name = kpi.name + (f"（{kpi.unit}）" if kpi.unit else "")
    head = f"指標{kpi.roman}"
    rows = [_label_row(head, name)]
    details = "　".join(
        t for t in (kpi.note, f"方向: {kpi.direction}" if kpi.direction else "") if t
    )
    if details:
        rows.append(Row((Cell(0, 0, "", "label"), Cell(1, LAST_COL, details, size=SMALL_PT))))
    years = kpi.years[: len(COLUMN_PT) - 2]
    baseline_head = kpi.baseline_label or "基準値"
    rows.append(
        Row(
            (
                Cell(0, 0, "", "head"),
                Cell(1, 1, baseline_head, "head"),
                *(
                    Cell(2 + i, 2 + i, _year_heading(report, y), "head")
                    for i, y in enumerate(years)
                ),
            )
        )
    )
    reported = [y.fiscal_year <= report.fiscal_year for y in years]
    lines = (
        ("目標", [shown_value(y.target, kpi.unit) for y in years], "", "value"),
        (
            "実績",
            [
                shown_value(y.actual, kpi.unit) if r else ""
                for y, r in zip(years, reported, strict=True)
            ],
            shown_value(kpi.baseline, kpi.unit),
            "value",
        ),
        ("達成率", [y.rate_text for y in years], "", "value"),
        ("達成区分", [_status_text(y) for y in years], "", "status"),
    )
    for label, values, first, look in lines:
        cells = [Cell(0, 0, label, "label"), Cell(1, 1, first, "value")]
        for i, (value, year) in enumerate(zip(values, years, strict=True)):
            cell_look = f"status:{year.status}" if look == "status" else look
            cells.append(Cell(2 + i, 2 + i, value, cell_look))
        rows.append(Row(tuple(cells)))
    return rows


def _narrative_rows(report: Report, plan: PlanReport) -> list[Row]:
    fy = format_fy_long(report.fiscal_year)
    rows = [_label_row(f"{fy}の取組実績", plan.text("achievements") or "－", minimum=34.0)]
    if plan.text("shortfall_reason"):
        rows.append(_label_row("未達成の理由・改善策", plan.text("shortfall_reason"), minimum=34.0))
    nxt = format_fy_long(report.fiscal_year + 1)
    rows.append(_label_row(f"（{nxt}の取組）", plan.text("next_actions") or "－", minimum=34.0))
    return rows


def plan_blocks(report: Report) -> list[Block]:
    """A block per registry plan, in 体系図 order; a plan without a report says so."""
    blocks = []
    for plan in report.plans:
        rows = _head_rows(report, plan)
        if plan.kpis or plan.text("achievements"):
            for kpi in plan.kpis:
                rows += _kpi_rows(report, kpi)
            rows += _narrative_rows(report, plan)
        else:
            rows.append(_label_row("報告", NO_REPORT))
        rows.append(Row((Cell(0, LAST_COL, "", "gap"),), GAP_PT))
        blocks.append(Block(plan.plan_no, tuple(rows)))
    return blocks


def _legend_rows(report: Report) -> list[Row]:
    bands = "　".join(f"{sym} {st}：{text}" for sym, st, text in band_lines(report.bands))
    others = "　".join(f"{sym} {st}" for sym, st, _ in legend_lines(report.bands)[3:])
    return [
        Row((Cell(0, LAST_COL, f"達成区分　{bands}", "legend", SMALL_PT),)),
        Row((Cell(0, LAST_COL, f"評価しないもの　{others}　{OWN_NOTE}", "legend", SMALL_PT),)),
        Row((Cell(0, LAST_COL, RATE_NOTE, "legend", SMALL_PT),)),
    ]


def _title_row(report: Report) -> Row:
    title = f"{report.title}　{format_fy_long(report.fiscal_year)}取組の達成状況"
    return Row((Cell(0, LAST_COL, title, "title", TITLE_PT),), 26.0)


def page_breaks(blocks: list[Block], first_row: int, top_height: float) -> list[int]:
    """0-based rows before which a page break goes, so that no block splits across pages.

    ``top_height`` is what the repeated title and legend take on every page.
    """
    room = PAGE_HEIGHT_PT - top_height
    breaks, used, row = [], 0.0, first_row
    for block in blocks:
        if used and used + block.height > room:
            breaks.append(row)
            used = 0.0
        used += block.height
        row += len(block.rows)
    return breaks


class _Looks:
    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str, float], Format] = {}

    def get(self, look: str, size: float) -> Format:
        key = (look, size)
        if key not in self._cache:
            self._cache[key] = self._book.add_format(_look_props(look, size))
        return self._cache[key]


def _look_props(look: str, size: float) -> dict[str, object]:
    props: dict[str, object] = {
        "font_name": FONT,
        "font_size": size,
        "valign": "top",
        "text_wrap": True,
        "border": 1,
    }
    if look == "title":
        props.update(bold=True, border=0, valign="vcenter", text_wrap=False)
    elif look == "legend":
        props.update(border=0, valign="vcenter")
    elif look == "gap":
        props.update(border=0)
    elif look == "plan":
        props.update(bold=True, bg_color=HEAD_FILL, valign="vcenter", top=2)
    elif look == "label":
        props.update(bg_color=SUB_FILL, valign="vcenter")
    elif look == "head":
        props.update(bg_color=SUB_FILL, align="center", valign="vcenter")
    elif look == "value":
        props.update(align="center", valign="vcenter")
    elif look.startswith("status:"):
        props.update(align="center", valign="vcenter")
        fill = STATUS_FILLS.get(look.removeprefix("status:"))
        if fill:
            props["bg_color"] = fill
    return props


def _write_rows(sheet: Worksheet, looks: _Looks, rows: list[Row], top: int) -> Iterator[int]:
    for r, row in enumerate(rows, start=top):
        for cell in row.cells:
            fmt = looks.get(cell.look, cell.size)
            if cell.c1 != cell.c2:
                sheet.merge_range(r, cell.c1, r, cell.c2, "", fmt)
            if cell.text:
                sheet.write_string(r, cell.c1, cell.text, fmt)
            else:
                sheet.write_blank(r, cell.c1, None, fmt)
        sheet.set_row(r, row.height)
        yield r


def write_publication(path: Path, report: Report) -> None:
    """Write ``取組達成状況_公表_<year>.xlsx`` atomically."""

    def produce(tmp: Path) -> None:
        book = new_book(tmp)
        title = f"{report.title} {format_fy_long(report.fiscal_year)} 取組の達成状況"
        book.set_properties({"title": title, "author": "ubereport"})
        _fill(book.add_worksheet(PUBLICATION_SHEET), _Looks(book), report)
        book.close()

    write_atomically(path, produce)


def _fill(sheet: Worksheet, looks: _Looks, report: Report) -> None:
    for c, chars in enumerate(COLUMN_CHARS):
        sheet.set_column(c, c, chars)
    top = [_title_row(report), *_legend_rows(report), Row((Cell(0, LAST_COL, "", "gap"),), 6.0)]
    list(_write_rows(sheet, looks, top, 0))
    blocks = plan_blocks(report)
    row = len(top)
    for block in blocks:
        row = 1 + max(_write_rows(sheet, looks, list(block.rows), row))
    sheet.set_h_pagebreaks(page_breaks(blocks, len(top), sum(r.height for r in top)))
    sheet.repeat_rows(0, len(top) - 1)
    sheet.print_area(0, 0, row - 1, LAST_COL)
    sheet.set_portrait()
    sheet.set_paper(9)
    sheet.set_print_scale(100)
    sheet.set_margins(**MARGIN_IN)
    sheet.center_horizontally()
    sheet.hide_gridlines(2)
    sheet.set_footer(f'&C&"{FONT},Regular"&9&P / &N ページ', {"margin": HEADER_MARGIN_IN})
