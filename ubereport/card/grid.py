"""One sheet as a person sees it: its non-empty cells by position, its hidden rows and columns,
where the form's printed labels and section titles are, and the cards it shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from ubereport.card import layout
from ubereport.card.xlsx_source import CellValue, XlsxSource, split_ref
from ubereport.japanese.fiscal import parse_fiscal_year

Pos = tuple[int, int]


position = lru_cache(maxsize=16_384)(split_ref)  # A1 references, parsed once


def cell_text(cell: CellValue | None) -> str:
    """A cell as the text a person sees: strings unchanged, numbers without float noise."""
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    return value.isoformat()


@dataclass(slots=True)
class Grid:
    """One sheet's non-empty cells by (row, column), with its hidden rows and columns."""

    sheet: str
    cells: dict[Pos, CellValue]
    hidden_rows: frozenset[int]
    hidden_cols: frozenset[int]
    lay: layout.Layout = layout.DEFAULT  # the plan's card the sheet is read as
    labels: dict[str, list[Pos]] = field(default_factory=dict)
    anchors: dict[str, list[Pos]] = field(default_factory=dict)
    printed: set[Pos] = field(default_factory=set)  # cells holding one of the form's labels
    # what the lookups below answer, worked out once per cell (the cells never change)
    texts: dict[Pos, str] = field(default_factory=dict)  # non-empty cell texts
    label_cells: set[Pos] = field(default_factory=set)  # any string cell that is a label

    @classmethod
    def of(cls, source: XlsxSource, sheet: str, lay: layout.Layout) -> Grid:
        cells = source.grid(sheet)
        rows, cols = source.hidden(sheet)
        grid = cls(sheet, cells, rows, cols, lay)
        grid._index()
        return grid

    def relaid(self, lay: layout.Layout) -> Grid:
        """The same cells seen as a card of layout ``lay`` (another template version)."""
        grid = Grid(self.sheet, self.cells, self.hidden_rows, self.hidden_cols, lay)
        grid._index()
        return grid

    def _index(self) -> None:
        """Work out once per cell its text, whether it is a label, and which labels and section
        titles of the layout it shows."""
        lay, grid = self.lay, self
        anchors, labels, texts = self.anchors, self.labels, self.texts
        known = _facts_of(lay)
        for pos, cell in self.cells.items():
            value = cell.value
            if not isinstance(value, str):
                if value is not None and (text := cell_text(cell)):
                    texts[pos] = text
                continue
            if value:
                texts[pos] = value
            if len(value) > 80:
                if lay.is_printed_label(value):
                    grid.label_cells.add(pos)
                continue
            facts = known.get(value)
            if facts is None:
                facts = _label_facts(lay, value, known)
            anchor, key, printed = facts
            if anchor is not None:
                anchors.setdefault(anchor, []).append(pos)
            labels.setdefault(key, []).append(pos)
            if printed:
                grid.printed.add(pos)
                grid.label_cells.add(pos)

    def part(self, rows: range, cols: range) -> Grid:
        """The same sheet limited to ``rows`` × ``cols`` (one of several cards on it)."""

        def inside(p: Pos) -> bool:
            return p[0] in rows and p[1] in cols

        grid = Grid(
            self.sheet,
            {p: c for p, c in self.cells.items() if inside(p)},
            self.hidden_rows,
            self.hidden_cols,
            self.lay,
        )
        for source, target in ((self.labels, grid.labels), (self.anchors, grid.anchors)):
            for key, positions in source.items():
                if kept := [p for p in positions if inside(p)]:
                    target[key] = kept
        grid.printed = {p for p in self.printed if inside(p)}
        grid.texts = {p: t for p, t in self.texts.items() if inside(p)}
        grid.label_cells = {p for p in self.label_cells if inside(p)}
        return grid

    def text(self, pos: Pos) -> str:
        return self.texts.get(pos, "")

    def has_text(self, pos: Pos) -> bool:
        return pos in self.texts  # only non-empty texts are kept

    def shows_label(self, pos: Pos, key: layout.KeyLabel) -> bool | None:
        """Whether the cell at ``pos`` shows the label ``key`` (a section title by its section,
        any other label as people retype it); None when the cell is empty."""
        text = self.texts.get(pos)
        if not text:
            return None
        if key.anchor is not None:
            return self.lay.anchor_of(text) == key.anchor
        return layout.label_matches(text, key.text)

    def matches_label(self, pos: Pos, key: layout.KeyLabel) -> bool:
        """Whether the cell at ``pos`` shows the label ``key`` (False when it is empty)."""
        return bool(self.shows_label(pos, key))

    def is_year_heading(self, pos: Pos) -> bool:
        """Whether the cell at ``pos`` shows a fiscal year that is not the 基準値 heading."""
        text = self.texts.get(pos, "")
        return parse_fiscal_year(text) is not None and "基準" not in text

    def visible(self, pos: Pos) -> bool:
        return pos[0] not in self.hidden_rows and pos[1] not in self.hidden_cols

    def is_label(self, pos: Pos) -> bool:
        return pos in self.label_cells

    def step(self, pos: Pos, dr: int, dc: int) -> Pos:
        """``dr`` visible rows down and ``dc`` visible columns right of ``pos``."""
        r, c = pos
        for _ in range(dr):
            r += 1
            while r in self.hidden_rows:
                r += 1
        for _ in range(dc):
            c += 1
            while c in self.hidden_cols:
                c += 1
        return r, c


Facts = tuple[str | None, str, bool]
FACTS_MAX = 8192  # distinct short texts remembered per layout


@lru_cache(maxsize=64)
def _facts_of(lay: layout.Layout) -> dict[str, Facts]:
    """The label facts of the short texts already seen on ``lay``, by text."""
    return {}


def _label_facts(lay: layout.Layout, text: str, known: dict[str, Facts]) -> Facts:
    """(section, label key, whether it is a printed label) of a short cell text on ``lay``,
    remembered in ``known`` (emptied when full: the template's labels come straight back)."""
    facts = label_facts(lay, text)
    if len(known) >= FACTS_MAX:
        known.clear()
    known[text] = facts
    return facts


def label_facts(lay: layout.Layout, text: str) -> Facts:
    """What :meth:`Grid._index` records of a short cell text on ``lay``."""
    return lay.anchor_of(text), layout.label_key(text), lay.is_printed_label(text)


def split_cards(grid: Grid, likeness: int) -> list[Grid]:
    """A sheet showing the card more than once (last year's card above this year's, or two
    plans side by side) holds one card per copy of its section titles."""
    visible = {k: sorted(p for p in ps if grid.visible(p)) for k, ps in grid.anchors.items()}
    repeated = [k for k, ps in visible.items() if len(ps) >= 2]
    if len(repeated) < likeness:
        return [grid]
    key = min(repeated, key=lambda k: position(grid.lay.anchor_box[k]))  # the top-most title
    kr, kc = position(grid.lay.anchor_box[key])
    positions = visible[key]
    end = 1 << 20
    if len({r for r, _ in positions}) == len(positions):  # stacked
        starts = sorted(r - kr + 1 for r, _ in positions)
        bounds = [*starts[1:], end]
        parts = [grid.part(range(a, b), range(1, end)) for a, b in zip(starts, bounds, strict=True)]
    else:  # side by side
        starts = sorted(c - kc + 1 for _, c in positions)
        bounds = [*starts[1:], end]
        parts = [grid.part(range(1, end), range(a, b)) for a, b in zip(starts, bounds, strict=True)]
    # every part must show a card of its own; stray copies of a title split nothing
    return parts if all(len(p.anchors) >= likeness for p in parts) else [grid]
