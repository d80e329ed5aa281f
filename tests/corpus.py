"""Messy cards the way divisions and Excel make them, built in code from the real template.

A :class:`Book` is a plain model of a workbook (cells with their number formats, merged boxes,
hidden rows and columns, sheet states, workbook- and sheet-level defined names). It starts as the
filled template (:func:`template_book`) and is then edited the way people edit cards — rows
inserted with or without the names following, the card pasted into a new book or one row down,
a draft kept on a hidden sheet, boxes unmerged and typed one line per row, values pasted without
their number formats — and written by xlsxwriter, as a separate program would save it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter
from builders import fill_template, rewrite_parts, sample_card_fields

from ubereport.card import layout
from ubereport.card.xlsx_source import a1, split_ref

Pos = tuple[int, int]


@dataclass
class Cell:
    value: object
    number_format: str = "General"
    formula: str | None = None  # with ``value`` as Excel's cached result


@dataclass
class Sheet:
    title: str
    cells: dict[Pos, Cell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    state: str = "visible"  # visible / hidden / veryHidden
    names: dict[str, Pos] = field(default_factory=dict)  # sheet-level defined names

    def set(self, ref: str, value: object, number_format: str = "General") -> None:
        self.cells[split_ref(ref)] = Cell(value, number_format)

    def get(self, ref: str) -> object:
        cell = self.cells.get(split_ref(ref))
        return cell.value if cell else None

    def clear(self, ref: str) -> None:
        self.cells.pop(split_ref(ref), None)

    def unmerge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        span = (*split_ref(first), *split_ref(last))
        self.merged = [m for m in self.merged if m != span]

    def insert_rows(self, at: int, count: int = 1) -> None:
        """Excel's 「行の挿入」 above row ``at``: everything below moves down (names too)."""
        self._shift(lambda r, c: (r + count if r >= at else r, c))  # a box it cuts grows
        self.hidden_rows = {r + count if r >= at else r for r in self.hidden_rows}

    def insert_cols(self, at: int, count: int = 1) -> None:
        self._shift(lambda r, c: (r, c + count if c >= at else c))
        self.hidden_cols = {c + count if c >= at else c for c in self.hidden_cols}

    def offset(self, dr: int, dc: int) -> None:
        """The whole sheet pasted ``dr`` rows down and ``dc`` columns right."""
        self._shift(lambda r, c: (r + dr, c + dc))
        self.hidden_rows = {r + dr for r in self.hidden_rows}
        self.hidden_cols = {c + dc for c in self.hidden_cols}

    def _shift(self, move: Callable[[int, int], Pos]) -> None:
        self.cells = {move(*p): c for p, c in self.cells.items()}
        self.merged = [(*move(m[0], m[1]), *move(m[2], m[3])) for m in self.merged]
        self.names = {n: move(*p) for n, p in self.names.items()}


@dataclass
class Book:
    sheets: list[Sheet]
    names: dict[str, tuple[str, Pos] | str] = field(default_factory=dict)  # str: broken (#REF!)

    def sheet(self, title: str) -> Sheet:
        return next(s for s in self.sheets if s.title == title)

    @property
    def card(self) -> Sheet:
        return self.sheet(layout.SHEET_NAME)

    def insert_rows(self, title: str, at: int, count: int = 1, *, move_names: bool = True) -> None:
        sheet = self.sheet(title)
        sheet.insert_rows(at, count)
        if move_names:
            self._move_names(title, lambda r, c: (r + count if r >= at else r, c))

    def insert_cols(self, title: str, at: int, count: int = 1, *, move_names: bool = True) -> None:
        sheet = self.sheet(title)
        sheet.insert_cols(at, count)
        if move_names:
            self._move_names(title, lambda r, c: (r, c + count if c >= at else c))

    def _move_names(self, title: str, move: Callable[[int, int], Pos]) -> None:
        for name, target in list(self.names.items()):
            if isinstance(target, tuple) and target[0] == title:
                self.names[name] = (title, move(*target[1]))

    def copy_sheet(self, title: str, new_title: str) -> Sheet:
        """Excel's 「移動またはコピー」 inside one book: the copy gets sheet-level names."""
        source = self.sheet(title)
        dup = copy.deepcopy(source)
        dup.title = new_title
        dup.state = "visible"
        dup.names = {
            n: t[1] for n, t in self.names.items() if isinstance(t, tuple) and t[0] == title
        }
        self.sheets.insert(self.sheets.index(source) + 1, dup)
        return dup

    def pasted_into_new_book(self, title: str = "Sheet1", dr: int = 0, dc: int = 0) -> Book:
        """Select all, copy, paste into a new workbook at (1 + dr, 1 + dc): no names come."""
        sheet = copy.deepcopy(self.card)
        sheet.title = title
        sheet.names = {}
        for cell in sheet.cells.values():
            cell.formula = None  # cross-sheet formulas come over as values
        sheet.offset(dr, dc)
        return Book([sheet])

    def save(self, path: Path) -> Path:
        write_book(self, path)
        return path


def template_book(tmp_path: Path, sample: str = "02", /, **overrides: object) -> Book:
    """The filled template (as a division saves it from Excel), as a :class:`Book`."""
    fields: dict[str, object] = dict(sample_card_fields(sample))
    fields.update(overrides)
    tmp = tmp_path / f"base_{sample}.xlsx"
    fill_template(tmp, fields)
    wb = openpyxl.load_workbook(tmp)
    sheets: list[Sheet] = []
    for ws in wb.worksheets:
        sheet = Sheet(ws.title, state=ws.sheet_state)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f":
                    ref = c.value[1:]
                    cached = ws[ref].value if re.fullmatch(r"[A-Z]+\d+", ref) else None
                    sheet.cells[(c.row, c.column)] = Cell(cached, c.number_format, c.value)
                else:
                    sheet.cells[(c.row, c.column)] = Cell(c.value, c.number_format)
        sheet.merged = [
            (m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges
        ]
        sheets.append(sheet)
    names: dict[str, tuple[str, Pos] | str] = {}
    for name, defined in wb.defined_names.items():
        if not list(defined.destinations):  # a constant such as plan_id
            names[name] = f"={defined.value}"
            continue
        ((title, ref),) = list(defined.destinations)
        names[name] = (title, split_ref(ref.replace("$", "").split(":")[0]))
    return Book(sheets, names)


def write_book(book: Book, path: Path) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    formats: dict[str, object] = {}

    def fmt(code: str) -> object:
        if code not in formats:
            formats[code] = wb.add_format({"num_format": code}) if code != "General" else None
        return formats[code]

    first_visible = True
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.title)
        tops = {(m[0], m[1]): m for m in sheet.merged}
        covered = {
            (r, c)
            for m in sheet.merged
            for r in range(m[0], m[2] + 1)
            for c in range(m[1], m[3] + 1)
            if (r, c) != (m[0], m[1])
        }
        for (r, c), cell in sorted(sheet.cells.items()):
            if (r, c) in covered:
                continue
            if (r, c) in tops:
                m = tops[(r, c)]
                ws.merge_range(m[0] - 1, m[1] - 1, m[2] - 1, m[3] - 1, "", fmt(cell.number_format))
            _write(ws, r - 1, c - 1, cell, fmt(cell.number_format))
        for m in sheet.merged:
            if (m[0], m[1]) not in sheet.cells:
                ws.merge_range(m[0] - 1, m[1] - 1, m[2] - 1, m[3] - 1, "")
        for r in sorted(sheet.hidden_rows):
            ws.set_row(r - 1, None, None, {"hidden": True})
        for c in sorted(sheet.hidden_cols):
            ws.set_column(c - 1, c - 1, None, None, {"hidden": True})
        if sheet.state == "hidden":
            ws.hide()
        elif sheet.state == "veryHidden":
            ws.very_hidden()
        elif first_visible:
            ws.activate()
            first_visible = False
        for name, (r, c) in sheet.names.items():
            wb.define_name(f"'{sheet.title}'!{name}", f"='{sheet.title}'!${_col(c)}${r}")
    for name, target in book.names.items():
        if isinstance(target, str):
            wb.define_name(name, target)
        else:
            title, (r, c) = target
            wb.define_name(name, f"='{title}'!${_col(c)}${r}")
    wb.close()


def _col(c: int) -> str:
    return a1(1, c)[:-1]


def _write(ws: object, row: int, col: int, cell: Cell, f: object) -> None:
    value = cell.value
    if cell.formula:
        ws.write_formula(row, col, cell.formula, f, "" if value is None else value)  # type: ignore[attr-defined]
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, f)  # type: ignore[attr-defined]
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, f)  # type: ignore[attr-defined]
    elif value is None:
        ws.write_blank(row, col, None, f)  # type: ignore[attr-defined]
    else:
        ws.write_string(row, col, str(value), f)  # type: ignore[attr-defined]


STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": (
        b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    ),
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
}


def to_strict(src: Path, dst: Path) -> Path:
    """The same workbook saved as 「Strict Open XML スプレッドシート」: the namespaces differ."""
    import zipfile

    edits: dict[str, bytes] = {}
    with zipfile.ZipFile(src) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                data = z.read(name)
                for old, new in STRICT.items():
                    data = data.replace(old, new)
                if name == "xl/workbook.xml":
                    data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
                edits[name] = data
    return rewrite_parts(src, dst, edits)
