"""Render the card layout into an .xlsx: the blank template, filled sample cards, forms.

Everything comes from :mod:`ubereport.card.layout`; this module only knows how each kind of box looks.
Texts are always written as strings (a submission's 「=1+1」 stays text), input boxes are unlocked
and yellow, everything else is protected; rows grow so that no text is clipped in print.

:func:`write_report_cards` renders the report variant of the card (``layout.REPORT_LAYOUT``), one
sheet per plan: no yellow inputs, no defined names, no protection, status cells filled by
:class:`CardSheet`'s ``fills``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.card import layout
from ubereport.card.layout import Box, CardLayout, Kind, Layout, Style, layout_for
from ubereport.card.route import PLAN_ID_NAME
from ubereport.card.textfit import FONT_PT, WIDTH_FONT, column_points, needed_height
from ubereport.card.xlsx_source import column_letters, split_ref
from ubereport.files.atomic import xlsx_tmpdir
from ubereport.plan.registry import Registry

FONT = "BIZ UDPゴシック"
INPUT_FILL = "#FFF6CC"
LABEL_FILL = "#EDEDED"
SECTION_FILL = "#D6DCE4"
DIRECTIONS = ["高いほど良い", "低いほど良い", "目標どおり"]
ASSESSMENTS = ["達成", "概ね達成", "未達成"]
FIXED_TIME = datetime(2022, 4, 1)


@dataclass(frozen=True, slots=True)
class CardOptions:
    """What varies between the template, a sample card and a form."""

    notice: str = ""
    section4: str = "4 報告年度の実施内容"
    password: str | None = None
    protect: bool = True
    title: str | None = None
    section7: str | None = None


@dataclass(frozen=True, slots=True)
class CardSheet:
    """One report card: its sheet name, field values, cell fills (field -> colour) and notice."""

    name: str
    fields: Mapping[str, object]
    fills: Mapping[str, str] = dataclasses.field(default_factory=dict)
    notice: str = ""


class _Formats:
    def __init__(self, book: Workbook, *, report: bool = False) -> None:
        self._book = book
        self._report = report
        self._cache: dict[tuple[Any, ...], Format] = {}

    def get(
        self,
        kind: Kind,
        style: Style = Style.SHORT,
        *,
        number: bool = False,
        fill: str | None = None,
    ) -> Format:
        key = (kind, style, number, fill)
        if key not in self._cache:
            props = _format_props(kind, style, number)
            if self._report:
                props = _report_props(kind, props)
            if fill:
                props["bg_color"] = fill
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]


def _report_props(kind: Kind, props: dict[str, Any]) -> dict[str, Any]:
    """An output card is not a form: inputs print as plain white boxes, statuses in black."""
    if kind is Kind.INPUT:
        props.pop("bg_color", None)
        props["locked"] = True
    elif kind is Kind.FIXED:
        props["font_color"] = "#000000"
    return props


def _format_props(kind: Kind, style: Style, number: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "font_name": FONT,
        "font_size": FONT_PT,
        "valign": "vcenter",
        "text_wrap": True,
        "border": 1,
        "locked": True,
    }
    if kind is Kind.TITLE:
        props.update(font_size=14, bold=True, border=0, text_wrap=False)
    elif kind is Kind.SECTION:
        props.update(bold=True, bg_color=SECTION_FILL)
    elif kind is Kind.LABEL:
        props.update(bg_color=LABEL_FILL, align="center")
    elif kind is Kind.FIXED:
        props.update(align="center", font_color="#404040")
    elif kind in (Kind.NOTE, Kind.NOTICE):
        props.update(border=0, valign="top")  # 9 pt like the body: 8.1 pt on paper
        if kind is Kind.NOTICE:
            props.update(font_color="#C00000", bold=True, font_size=9)
    elif kind is Kind.INPUT:
        props.update(bg_color=INPUT_FILL, locked=False)
        if style is Style.TEXT:
            props.update(valign="top")
        elif style in (Style.CENTER, Style.VALUE):
            props.update(align="center")
    if number:
        props["num_format"] = "#,##0.###"
    return props


def new_book(path: Path, *, urls: bool = False) -> Workbook:
    """An xlsxwriter book for ``path`` as every ubereport output is made: text is never turned
    into a formula (nor into a link unless ``urls``), the default font measures like the print,
    and xlsxwriter's working files go beside the output, never into the system temp folder."""
    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "default_format_properties": dict(WIDTH_FONT),
        **xlsx_tmpdir(path),
    }
    if not urls:
        options["strings_to_urls"] = False
    return xlsxwriter.Workbook(str(path), options)


def write_card(
    path: Path,
    fields: Mapping[str, object],
    registry: Registry,
    options: CardOptions | None = None,
) -> None:
    """Write one card workbook to ``path``. ``fields`` maps defined names to cell values."""
    opts = options or CardOptions()
    lay = layout_for(registry)
    book = new_book(path, urls=True)
    book.set_properties({"title": lay.title, "created": FIXED_TIME, "author": "ubereport"})
    book.set_custom_property("ubereport_template", layout.TEMPLATE_VERSION)
    sheet = book.add_worksheet(layout.SHEET_NAME)
    fmt = _Formats(book)
    values = dict(fields)
    values.setdefault("template_version", layout.TEMPLATE_VERSION)
    if registry.baseline_label:
        for k in range(1, lay.kpi_count + 1):
            values.setdefault(f"kpi{k}_baseline_label", registry.baseline_label)
    _fill_sheet(sheet, fmt, _with_years(values, registry), opts, lay, lay.form)
    book.define_name(PLAN_ID_NAME, f'="{registry.plan_id}"')
    for name in lay.field_names():
        row, col = split_ref(lay.field_cell(name))
        book.define_name(name, f"='{layout.SHEET_NAME}'!${column_letters(col)}${row}")
    _add_lists(book, sheet, registry, lay)
    _page_setup(sheet, lay.form)
    if opts.protect:
        sheet.protect(opts.password or "", {"format_columns": False, "format_rows": False})
    sheet.activate()
    book.close()


def write_report_cards(
    path: Path,
    sheets: Sequence[CardSheet],
    registry: Registry,
    options: CardOptions | None = None,
) -> None:
    """Write report cards (``layout.REPORT_LAYOUT``), one sheet each, into one workbook."""
    opts = options or CardOptions()
    lay = layout_for(registry)
    book = new_book(path)
    book.set_properties({"title": opts.title or lay.title, "author": "ubereport"})
    fmt = _Formats(book, report=True)
    for card in sheets:
        sheet = book.add_worksheet(card.name)
        values = _with_years(dict(card.fields), registry)
        sheet_opts = replace(opts, notice=card.notice or opts.notice)
        _fill_sheet(sheet, fmt, values, sheet_opts, lay, lay.report, card.fills)
        _page_setup(sheet, lay.report)
    if not sheets:
        book.add_worksheet(layout.SHEET_NAME).write_string(0, 0, "該当する計画がありません。")
    book.close()


def _with_years(values: dict[str, object], registry: Registry) -> dict[str, object]:
    for y, label in enumerate(registry.year_labels, start=1):
        values.setdefault(f"year_y{y}", label)
    return values


def _fill_sheet(
    sheet: Worksheet,
    fmt: _Formats,
    values: Mapping[str, object],
    opts: CardOptions,
    lay: Layout,
    card: CardLayout,
    fills: Mapping[str, str] | None = None,
) -> None:
    for col, width in enumerate(card.column_widths):
        sheet.set_column(col, col, width)
    for box in card.boxes:
        cached = _formula_result(lay, box, values)
        fill = (fills or {}).get(box.field or "")
        _write_box(sheet, fmt, box, _box_value(box, values, opts), cached, fill)
    _size_rows(sheet, values, opts, card)


def _box_value(box: Box, values: Mapping[str, object], opts: CardOptions) -> object:
    if box.kind is Kind.NOTICE:
        return opts.notice
    if box.kind is Kind.TITLE and opts.title:
        return opts.title
    if box.kind is Kind.SECTION and box.anchor == "s4":
        return opts.section4
    if box.kind is Kind.SECTION and opts.section7 and box.text.startswith("7 "):
        return opts.section7
    if box.field:
        return values.get(box.field, "")
    return box.text


def _formula_result(lay: Layout, box: Box, values: Mapping[str, object]) -> str:
    """The cached result stored with a formula box (KPI II's year headings repeat KPI I's)."""
    if not box.text.startswith("="):
        return ""
    source = lay.cell_field(box.text[1:])
    text = str(values.get(source or "", ""))
    # A cached formula result is written to the XML unescaped: drop control characters.
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n")


def _write_box(
    sheet: Worksheet, fmt: _Formats, box: Box, value: object, cached: str, fill: str | None = None
) -> None:
    r1, c1, r2, c2 = box.span
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    cell_format = fmt.get(box.kind, box.style, number=is_number, fill=fill)
    if (r1, c1) != (r2, c2):
        sheet.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", cell_format)
    if is_number:
        sheet.write_number(r1 - 1, c1 - 1, float(value), cell_format)  # type: ignore[arg-type]
    elif box.kind is Kind.FIXED and str(value).startswith("="):
        formula = "".join(ch for ch in str(value) if ch >= " ")  # XML cannot carry the rest
        sheet.write_formula(r1 - 1, c1 - 1, formula, cell_format, cached)
    else:
        text = "" if value is None else str(value)
        if text:
            sheet.write_string(r1 - 1, c1 - 1, text, cell_format)
        else:
            sheet.write_blank(r1 - 1, c1 - 1, None, cell_format)


def _size_rows(
    sheet: Worksheet, values: Mapping[str, object], opts: CardOptions, card: CardLayout
) -> None:
    heights = {
        r: card.row_heights.get(r, layout.BASE_ROW_HEIGHT) for r in range(1, card.last_row + 1)
    }
    multi: list[tuple[Box, float]] = []
    for box in card.boxes:
        text = str(opts.notice if box.kind is Kind.NOTICE else values.get(box.field or "", ""))
        if box.kind is Kind.NOTE and not box.field:
            text = box.text
        r1, c1, r2, c2 = box.span
        width = sum(column_points(w) for w in card.column_widths[c1 - 1 : c2])
        need = needed_height(text, width, FONT_PT)
        if r1 == r2:
            heights[r1] = max(heights[r1], need)
        else:
            multi.append((box, need))
    for box, need in multi:
        r1, _, r2, _ = box.span
        rows = list(range(r1, r2 + 1))
        missing = need - sum(heights[r] for r in rows)
        if missing > 0:
            grow = [r for r in rows if r in card.flexible_rows] or rows
            for r in grow:
                heights[r] += missing / len(grow)
    for r, h in heights.items():
        sheet.set_row(r - 1, round(h, 1))


def _add_lists(book: Workbook, card: Worksheet, registry: Registry, lay: Layout) -> None:
    lists = book.add_worksheet(layout.LISTS_SHEET)
    levels = [
        (fname, name, registry.level_names(n))
        for n, (fname, name) in enumerate(
            zip(registry.level_fields, registry.levels, strict=True), 1
        )
    ]
    columns: list[tuple[str, str, list[str]]] = [
        ("plan_no", "計画No", [p.plan_no for p in registry.plans]),
        ("plan_name", registry.item_label, [p.plan_name for p in registry.plans]),
        *levels,
        ("direction", "方向", DIRECTIONS),
        ("assessment", "所管課評価", ASSESSMENTS),
        ("fiscal_year", "報告年度", registry.year_labels),
    ]
    sources: dict[str, str] = {}
    for col, (key, head, items) in enumerate(columns):
        lists.write_string(0, col, head)
        for row, item in enumerate(items, start=1):
            lists.write_string(row, col, item)
        letter = chr(ord("A") + col)
        sources[key] = f"='{layout.LISTS_SHEET}'!${letter}$2:${letter}${len(items) + 1}"
    lists.hide()
    lists.protect()
    targets = {key: key for key, _, _ in columns if key not in ("direction", "assessment")}
    kpis = range(1, lay.kpi_count + 1)
    targets |= {f"kpi{k}_direction": "direction" for k in kpis}
    targets |= {f"kpi{k}_assessment": "assessment" for k in kpis}
    for field, head in targets.items():
        cell = lay.field_cell(field)
        strict = field.endswith(("direction", "assessment"))
        card.data_validation(
            cell,
            {
                "validate": "list",
                "source": sources[head],
                "error_type": "stop" if strict else "information",
                "error_title": "一覧にない値です",
                "error_message": "一覧から選んでください。"
                if strict
                else "一覧にない値です。登録済みの値と違う場合は確認結果で指摘されます。",
            },
        )


def _page_setup(sheet: Worksheet, card: CardLayout) -> None:
    """A4 landscape at the card's one scale: sections 1–6 on page 1 (a right pane too tall for
    one page goes on at a block boundary), section 7 on a page of its own."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_print_scale(layout.PRINT_SCALE)
    sheet.print_area(f"A1:{card.last_column}{card.last_row}")
    sheet.set_h_pagebreaks([row - 1 for row in card.page_starts])
    sheet.set_margins(**layout.MARGINS_IN)
    sheet.center_horizontally()
    sheet.hide_gridlines(2)
    sheet.set_default_row(layout.BASE_ROW_HEIGHT)
