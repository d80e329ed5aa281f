"""Where each field of a card is on one sheet (a :class:`~ubereport.card.grid.Grid`), judged
from what a person sees there.

A field is found from its *key label* (its row heading, or the heading above it, see
:meth:`ubereport.card.layout.Layout.key_label`) inside its section, found by the section's printed
title. A defined name is trusted only where the cells around it carry those labels; a value that
equals a printed label is never a value; hidden rows and columns are stepped over and never
preferred over visible cells. Every field then owns a *region* — its box, grown downwards over
rows inserted below it — and whatever is typed in the region is the field's text, in reading
order. Every other non-empty cell inside the card is left for the reader to report.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import compress
from operator import ne

from ubereport.card import layout
from ubereport.card.grid import Grid, Pos, position
from ubereport.card.xlsx_source import NameRef, a1

SEARCH_ROWS = 12  # how far (rows) a label may have moved from where its section says it is
SEARCH_COLS = 4
SECTION_ROWS = 60  # … and a section title from where the one above it says (rows inserted)
HIDDEN_COST = 1_000
MAX_EXTRA_ROWS = 40


@dataclass(frozen=True, slots=True)
class Placed:
    """Where one field was found and the cells whose text it takes."""

    pos: Pos
    region: tuple[Pos, ...]
    by_name: bool
    moved_from: str | None = None  # the defined name's cell when the labels disagreed with it


@dataclass(slots=True)
class Located:
    """Every field of one card sheet: found, not found (the label missing), and how."""

    grid: Grid
    lay: layout.Layout
    origin: Pos
    bottom: int
    right: int
    sections: dict[str, Pos]
    fields: dict[str, Placed] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)  # printed label -> fields
    moved: list[str] = field(default_factory=list)
    names_used: int = 0
    kpi_columns: dict[int, dict[int, int] | None] = field(default_factory=dict)
    shifts: dict[int, int] = field(default_factory=dict)  # layout column -> sheet column - it
    found: dict[tuple[str, str], Pos | None] = field(default_factory=dict)  # label searches
    below: dict[str, int] = field(default_factory=dict)  # section -> next title's row under it
    stops: dict[tuple[int, int, int], bool] = field(default_factory=dict)

    def column(self, layout_col: int) -> int:
        """The sheet column where the layout's column ``layout_col`` ended up."""
        shifts = self.shifts
        if not shifts:
            return layout_col + self.origin[1]
        known = None
        for c in shifts:
            if c <= layout_col and (known is None or c > known):
                known = c
        return layout_col + shifts[min(shifts) if known is None else known]


def _origin(grid: Grid, lay: layout.Layout) -> Pos | None:
    votes: Counter[Pos] = Counter()
    for key, positions in grid.anchors.items():
        er, ec = position(lay.anchor_box[key])
        for r, c in positions:
            votes[(r - er, c - ec)] += 10 if grid.visible((r, c)) else 1
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))[0]


def _closest(
    grid: Grid, positions: list[Pos], expected: Pos, rows: int = SEARCH_ROWS
) -> Pos | None:
    er, ec = expected
    hidden_rows, hidden_cols = grid.hidden_rows, grid.hidden_cols
    best: tuple[int, Pos] | None = None
    for pos in positions:
        r, c = pos
        dr, dc = r - er, c - ec
        if abs(dr) > rows or abs(dc) > SEARCH_COLS:
            continue
        # rows inserted above push a label down: a label above where it belongs costs more
        hidden = r in hidden_rows or c in hidden_cols
        cost = (HIDDEN_COST if hidden else 0) + abs(dc) * 3 + (dr if dr >= 0 else -2 * dr)
        if best is None or (cost, pos) < best:
            best = (cost, pos)
    return best[1] if best is not None else None


def _sections(grid: Grid, origin: Pos, lay: layout.Layout) -> dict[str, Pos]:
    found: dict[str, Pos] = {}
    for key in lay.anchor_box:
        positions = grid.anchors.get(key, [])
        r, c = position(lay.anchor_box[key])
        # a section's position is judged from the one above it in the same pane when found
        shift = _shift_above(found, key, lay) or origin
        pos = _closest(grid, positions, (r + shift[0], c + shift[1]), SECTION_ROWS)
        if pos is not None:
            found[key] = pos
    return found


def _shift_above(found: dict[str, Pos], key: str, lay: layout.Layout) -> Pos | None:
    r, c = position(lay.anchor_box[key])
    above = [
        (k, p)
        for k, p in found.items()
        if position(lay.anchor_box[k])[1] == c and position(lay.anchor_box[k])[0] < r
    ]
    if not above:
        return None
    k, (pr, pc) = max(above, key=lambda kv: position(lay.anchor_box[kv[0]])[0])
    ar, ac = position(lay.anchor_box[k])
    return pr - ar, pc - ac


def locate(grid: Grid, names: dict[str, NameRef]) -> Located | None:
    """Find every field of the card on ``grid`` (laid out as ``grid.lay``); None when the
    sheet shows no card at all.

    Every card of a plan comes from one template, so the answer is usually the one of a card
    already read: it is remembered (:class:`_Memo`) keyed by everything :func:`_locate` reads.
    """
    return _MEMO.locate(grid, named_cells(grid, names))


def locate_named(grid: Grid, named: dict[str, Pos]) -> Located | None:
    """:func:`locate` with the fields' named cells already worked out (:func:`named_cells`)."""
    return _MEMO.locate(grid, named)


def named_cells(grid: Grid, names: dict[str, NameRef]) -> dict[str, Pos]:
    """The cells of the fields' defined names that point on ``grid``'s sheet."""
    return {
        f: position(ref.cell)
        for f in grid.lay.field_names()
        if (ref := names.get(f)) is not None and ref.sheet == grid.sheet and ref.cell
    }


def _locate(grid: Grid, named: dict[str, Pos]) -> Located | None:
    """:func:`locate` itself, on the grid as :class:`_Seen` records it (``named``: the fields'
    defined names that point on this sheet)."""
    lay = grid.lay
    origin = _origin(grid, lay)
    if origin is None:
        return None
    sections = _sections(grid, origin, lay)
    s7 = sections.get("s7")
    s7_row = s7[0] if s7 else origin[0] + position(lay.anchor_box["s7"])[0]
    bottom = s7_row + lay.form.last_row - position(lay.anchor_box["s7"])[0]
    loc = Located(grid, lay, origin, bottom, origin[1] + len(lay.column_widths), sections)
    loc.names_used = len(named)
    loc.shifts = _column_shifts(loc)
    trusted = {f: p for f, p in named.items() if _trusted(loc, f, p)}
    # Names that mostly disagree with the labels (a card pasted onto a fresh template one row
    # down) are not a few moved names but no names at all.
    use_names = len(trusted) * 2 >= len(named)
    for fname in lay.field_names():
        if use_names and fname in trusted:
            loc.fields[fname] = Placed(trusted[fname], (), True)
        elif (by_label := _by_label(loc, fname)) is not None:
            moved = named.get(fname) if use_names else None
            if moved is not None and moved != by_label:
                loc.moved.append(fname)
            loc.fields[fname] = Placed(by_label, (), False, a1(*moved) if moved else None)
        elif fname in trusted:  # its label is missing, but the name's cell carries one
            loc.fields[fname] = Placed(trusted[fname], (), True)
        elif not _unused_input_row(loc, fname):
            key = lay.key_label(fname)
            loc.missing.setdefault(_printed(lay, fname, key), []).append(fname)
    if not use_names:
        loc.names_used = 0
    loc.right += _extra_cols(loc)
    for fname, placed in loc.fields.items():
        loc.fields[fname] = replace(placed, region=_region(loc, fname, placed.pos))
    _further_inputs(loc)
    return loc


class _LabelsSeen:
    """A grid's label keys (every short text's) as :func:`_locate` reads them."""

    __slots__ = ("_labels", "reads", "whole")

    def __init__(self, labels: dict[str, list[Pos]]) -> None:
        self._labels = labels
        self.reads: dict[str, list[Pos] | None] = {}
        self.whole = False  # every text was looked at (a heading searched as edited)

    def get(self, key: str, default: list[Pos] | None = None) -> list[Pos] | None:
        found = self._labels.get(key)
        self.reads[key] = None if found is None else list(found)
        return default if found is None else found

    def items(self) -> object:
        self.whole = True
        return self._labels.items()


class _Seen:
    """The grid as :func:`_locate` sees it. Only what is here can be read: the hidden rows and
    columns, the section titles and which cells are labels (all part of the memo's key), the
    label keys, and three questions about a cell's text (each answer recorded, to be asked again
    of the next card). A cell's text itself is never read."""

    __slots__ = (
        "_grid",
        "anchors",
        "hidden_cols",
        "hidden_rows",
        "label_cells",
        "labels",
        "lay",
        "reads",
    )

    def __init__(self, grid: Grid) -> None:
        self._grid = grid
        self.lay = grid.lay
        self.hidden_rows = grid.hidden_rows
        self.hidden_cols = grid.hidden_cols
        self.anchors = grid.anchors
        self.label_cells = grid.label_cells
        self.labels = _LabelsSeen(grid.labels)
        # (Grid method, position, label or None, answer, the cell's text then)
        self.reads: list[tuple[object, ...]] = []

    def has_text(self, pos: Pos) -> bool:
        answer = self._grid.has_text(pos)
        self.reads.append((Grid.has_text, pos, None, answer, self._grid.texts.get(pos)))
        return answer

    def shows_label(self, pos: Pos, key: layout.KeyLabel) -> bool | None:
        answer = self._grid.shows_label(pos, key)
        self.reads.append((Grid.shows_label, pos, key, answer, self._grid.texts.get(pos)))
        return answer

    def matches_label(self, pos: Pos, key: layout.KeyLabel) -> bool:
        answer = self._grid.matches_label(pos, key)
        self.reads.append((Grid.matches_label, pos, key, answer, self._grid.texts.get(pos)))
        return answer

    def is_year_heading(self, pos: Pos) -> bool:
        answer = self._grid.is_year_heading(pos)
        self.reads.append((Grid.is_year_heading, pos, None, answer, self._grid.texts.get(pos)))
        return answer

    visible = Grid.visible
    is_label = Grid.is_label
    step = Grid.step


LOCATE_MEMO_MAX = 128  # distinct card skeletons remembered (a few per template)
LOCATE_VARIANTS = 8  # answers kept under one skeleton (an empty input row, …)


class _Memo:
    """:func:`_locate`'s answers, keyed by what it read.

    The key is the layout, the defined names' cells, the hidden rows and columns, the section
    titles' cells and the label cells; under it each answer is kept with the cell texts and label
    keys read to reach it, and is given again only when the grid has the same texts and keys
    there (the computation then reads exactly the same things, so it would answer the same). An
    answer that looked at every text (a heading searched as edited) is not kept. Bounded: the
    least recently used key goes first.
    """

    def __init__(self, size: int = LOCATE_MEMO_MAX) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[object, ...], list[_Answer]] = OrderedDict()
        self.hits = self.misses = 0

    def key(self, grid: Grid, named: dict[str, Pos]) -> tuple[object, ...]:
        return (
            id(grid.lay),
            grid.hidden_rows,
            grid.hidden_cols,
            tuple((k, tuple(v)) for k, v in grid.anchors.items()),
            frozenset(grid.label_cells),
            tuple(named.items()),
        )

    def locate(self, grid: Grid, named: dict[str, Pos]) -> Located | None:
        key = self.key(grid, named)
        answers = self.entries.get(key)
        if answers is not None:
            for answer in answers:
                if answer.fits(grid):
                    self.hits += 1
                    self.entries.move_to_end(key)
                    return answer.on(grid)
        self.misses += 1
        seen = _Seen(grid)
        loc = _locate(seen, named)  # type: ignore[arg-type]  # _Seen stands in for the Grid
        if loc is None:
            return None
        reads = tuple(seen.reads)
        answer = _Answer(
            grid.lay,
            reads,
            seen.labels.reads,
            loc,
            tuple(read[1] for read in reads),  # type: ignore[misc]  # reads hold positions there
            [read[4] for read in reads],
        )
        if not seen.labels.whole:
            if answers is None:
                answers = self.entries[key] = []
                if len(self.entries) > self.size:
                    self.entries.popitem(last=False)
            answers.insert(0, answer)
            del answers[LOCATE_VARIANTS:]
        return answer.on(grid)

    def clear(self) -> None:
        self.entries.clear()


@dataclass(frozen=True, slots=True)
class _Answer:
    lay: layout.Layout  # held, so the id in the key stays this layout's
    reads: tuple[tuple[object, ...], ...]  # (Grid method, position, label, answer, text)
    labels: dict[str, list[Pos] | None]
    loc: Located
    places: tuple[Pos, ...]  # the reads' positions …
    texts: list[str | None]  # … and the texts there, in the same order

    def fits(self, grid: Grid) -> bool:
        """Whether ``grid`` answers every question :func:`_locate` asked as this one did."""
        if grid.lay is not self.lay:
            return False
        # Each question depends on the cell's text only: where the text is the same, so is the
        # answer, and only the questions on other texts are asked again.
        texts = list(map(grid.texts.get, self.places))
        changed = () if texts == self.texts else compress(self.reads, map(ne, texts, self.texts))
        for ask, pos, key, answer, _ in changed:
            got = ask(grid, pos, key) if key is not None else ask(grid, pos)  # type: ignore[operator]
            if got != answer:
                return False
        found = grid.labels.get
        return all(found(key) == positions for key, positions in self.labels.items())

    def on(self, grid: Grid) -> Located:
        """The answer for ``grid``: a fresh :class:`Located` (its parts copied: the reader owns
        it) sharing only the immutable :class:`Placed`."""
        loc = self.loc
        return Located(
            grid,
            loc.lay,
            loc.origin,
            loc.bottom,
            loc.right,
            dict(loc.sections),
            dict(loc.fields),
            {k: list(v) for k, v in loc.missing.items()},
            list(loc.moved),
            loc.names_used,
            {k: None if v is None else dict(v) for k, v in loc.kpi_columns.items()},
            dict(loc.shifts),
            dict(loc.found),
            dict(loc.below),
            dict(loc.stops),
        )


_MEMO = _Memo()


_INPUT_ROW = re.compile(r"^(?:input|output|output_result)_(\d)$")


def _unused_input_row(loc: Located, fname: str) -> bool:
    """A division with three inputs may delete row ④ (and ③ …): rows after the last one found
    are not missing labels."""
    m = _INPUT_ROW.match(fname)
    n = int(m.group(1)) if m else 1
    while n > 1:
        n -= 1
        if f"input_{n}" in loc.fields:
            return True
    return False


def _further_inputs(loc: Located) -> None:
    """Rows typed below インプット④ (a fifth row inserted, ⑤ …) are further inputs."""
    lay = loc.lay
    last = lay.input_count
    kinds = ("input", "output", "output_result")
    if not all(f"{k}_{last}" in loc.fields for k in kinds):
        return
    grid = loc.grid
    columns = {k: loc.fields[f"{k}_{last}"] for k in kinds}
    widths = {k: lay.field_boxes()[f"{k}_{last}"].span for k in kinds}
    kpi1 = loc.sections.get("kpi1")
    end = kpi1[0] if kpi1 else loc.bottom
    row = max(p[0] for placed in columns.values() for p in placed.region) + 1
    n = last
    key_col = columns["input"].pos[1] - lay.key_label(f"input_{last}").dc
    while row < end:
        if any(p[0] == row for p in loc.sections.values()):
            break
        rows = [row]
        while rows[-1] + 1 < end and not _stop_row(loc, rows[-1] + 1, key_col, loc.right):
            rows.append(rows[-1] + 1)
        row = rows[-1] + 1
        blocks = {}
        for k in kinds:
            c2 = widths[k][3]
            cols = list(range(columns[k].pos[1], max(columns[k].pos[1], loc.column(c2)) + 1))
            blocks[k] = [(r, c) for r in rows for c in cols if grid.visible((r, c))]
        if not any(grid.has_text(p) for ps in blocks.values() for p in ps):
            continue
        n += 1
        for k in kinds:
            loc.fields[f"{k}_{n}"] = Placed(
                blocks[k][0] if blocks[k] else (rows[0], 0), tuple(blocks[k]), False
            )


def _extra_cols(loc: Located) -> int:
    lay = loc.lay
    extra = 0
    for fname, placed in loc.fields.items():
        _, lc = position(lay.field_cell(fname))
        extra = max(extra, placed.pos[1] - (lc + loc.origin[1]))
    return extra


def _printed(lay: layout.Layout, fname: str, key: layout.KeyLabel) -> str:
    if key.anchor is not None:
        return f"「{lay.section_title(key.anchor)}」"
    box = lay.field_boxes()[fname]
    return f"「{lay.section_title(box.anchor)}」の「{key.printed}」"


def _section_shift(loc: Located, anchor: str) -> Pos:
    lay = loc.lay
    pos = loc.sections.get(anchor)
    if pos is None:
        return _shift_above(loc.sections, anchor, loc.lay) or loc.origin
    r, c = position(lay.anchor_box[anchor])
    return pos[0] - r, pos[1] - c


def _find_label(loc: Located, key: layout.KeyLabel, anchor: str) -> Pos | None:
    """Where the printed label ``key`` of section ``anchor`` is on the sheet."""
    if key.anchor is not None:
        return loc.sections.get(key.anchor)
    memo = (key.ref, anchor)
    if memo not in loc.found:
        loc.found[memo] = _search_label(loc, key, anchor)
    return loc.found[memo]


def _search_label(loc: Located, key: layout.KeyLabel, anchor: str) -> Pos | None:
    sr, sc = _section_shift(loc, anchor)
    kr, kc = position(key.ref)
    grid = loc.grid
    # only a label under its own section's title (KPI II's 「目標」 is not KPI I's)
    exact = grid.labels.get(layout.label_key(key.text), [])
    candidates = [p for p in exact if _in_section(loc, anchor, p)]
    if not candidates:  # the heading edited a little: 「目標値」「※注記」
        candidates = [
            p
            for text, positions in grid.labels.items()
            if layout.label_matches(text, key.text)
            for p in positions
            if _in_section(loc, anchor, p)
        ]
    return _closest(grid, candidates, (kr + sr, kc + sc))


def _by_label(loc: Located, fname: str) -> Pos | None:
    lay = loc.lay
    grid = loc.grid
    key = lay.key_label(fname)
    found = _find_label(loc, key, lay.field_boxes()[fname].anchor)
    if found is None:
        return None
    pos = grid.step(found, key.dr, key.dc)
    column = _column(loc, fname)
    if column is not None:
        pos = (pos[0], column)
    if grid.is_label(pos):
        return None  # a printed label where the value belongs: the card is not laid out so
    return pos


def _column_shifts(loc: Located) -> dict[int, int]:
    """How far each layout column moved, judged from every printed label and KPI I's year
    headings found on the sheet (inserted columns move everything right of them)."""
    lay = loc.lay
    votes: dict[int, Counter[int]] = {}
    searched = loc.found
    for box in lay.boxes:
        if box.kind is not layout.Kind.LABEL or not box.text:
            continue
        first = box.first
        found = searched.get((first, box.anchor), _UNSEARCHED)
        if found is _UNSEARCHED:
            found = _find_label(loc, layout.KeyLabel(box.text, first, True, 0, 0), box.anchor)
        if found is not None:
            lc = box.span[1]
            votes.setdefault(lc, Counter())[found[1] - lc] += 1
    for key, (_, c) in loc.sections.items():
        lc = position(lay.anchor_box[key])[1]
        votes.setdefault(lc, Counter())[c - lc] += 1
    loc.kpi_columns[1] = _kpi_columns(loc, 1)
    for y, c in (loc.kpi_columns[1] or {}).items():
        fname = "kpi1_baseline_label" if y == 0 else f"year_y{y}"
        lc = position(lay.field_cell(fname))[1]
        votes.setdefault(lc, Counter())[c - lc] += 3
    return {lc: v.most_common(1)[0][0] for lc, v in votes.items()}


_UNSEARCHED = (-1, -1)


def _column(loc: Located, fname: str) -> int | None:
    """The field's column: a KPI's from its year headings, any other from the column shifts."""
    lay = loc.lay
    key = layout.column_key(fname)
    if key is None:
        if not loc.shifts:
            return None
        return loc.column(position(lay.field_cell(fname))[1])
    if key.kpi not in loc.kpi_columns:
        loc.kpi_columns[key.kpi] = _kpi_columns(loc, key.kpi)
    columns = loc.kpi_columns[key.kpi] or (
        loc.kpi_columns.get(1) if key.year and key.kpi != 1 else None
    )
    if columns and key.year is not None and key.year in columns:
        return columns[key.year]
    return loc.column(position(lay.field_cell(fname))[1]) if loc.shifts else None


def _kpi_columns(loc: Located, k: int) -> dict[int, int] | None:
    """KPI ``k``'s columns from its 数値 row: 0 for the 基準値 heading, 1… for the plan years.

    A heading in a hidden column counts only when no visible column carries the years.
    """
    lay = loc.lay
    fname = f"kpi{k}_baseline_label"
    key = lay.key_label(fname)
    found = _find_label(loc, key, f"kpi{k}")
    if found is None:
        return None
    grid = loc.grid
    row, start = found
    headed = [
        c
        for c in range(start + 1, start + 2 * len(lay.column_widths))
        if grid.is_year_heading((row, c))
    ]
    visible = [c for c in headed if c not in grid.hidden_cols]
    years = (visible if len(visible) >= lay.plan_years else headed)[-lay.plan_years :]
    expected = [start + lay.key_label(f"year_y{y}").dc for y in range(1, lay.plan_years + 1)]
    # inserted columns only push the headings right; anything else is not the year row
    if len(years) != lay.plan_years or any(c < e for c, e in zip(years, expected, strict=True)):
        return None if k == 1 else {0: grid.step(found, 0, key.dc)[1]}
    before = [c for c in range(start + 1, years[0]) if grid.has_text((row, c))]
    columns = {y: c for y, c in enumerate(years, start=1)}
    columns[0] = before[-1] if before else grid.step(found, 0, key.dc)[1]
    return columns


def _trusted(loc: Located, fname: str, pos: Pos) -> bool:
    """Whether a defined name's cell carries the labels the layout expects around it."""
    lay = loc.lay
    grid = loc.grid
    if not grid.visible(pos) or grid.is_label(pos):
        return False
    key = lay.key_label(fname)
    if not _key_matches(grid, key, pos):
        return False
    column = _column(loc, fname)
    if column is not None and column != pos[1]:
        return False
    return _in_section(loc, lay.field_boxes()[fname].anchor, pos)


def _key_matches(grid: Grid, key: layout.KeyLabel, pos: Pos) -> bool:
    lay = grid.lay
    r, c = pos
    if key.beside:
        labels = grid.label_cells
        for col in range(c - 1, max(0, c - 2 * len(lay.column_widths)), -1):
            if grid.matches_label((r, col), key):
                return True
            if (r, col) in labels:
                return False  # another row's heading comes first
        return False
    hidden = grid.hidden_rows
    for row in range(r - 1, max(0, r - 2 * lay.form.last_row), -1):
        if row in hidden:
            continue
        shown = grid.shows_label((row, c), key)
        if shown is not None:
            return shown
    return False


def _in_section(loc: Located, anchor: str, pos: Pos) -> bool:
    """``pos`` lies under its section's title, with no other section's title in between."""
    found = loc.sections.get(anchor)
    if found is None:
        return True  # the title was edited: the key label alone decides
    ar, ac = found
    r = pos[0]
    if ar > r or ac > pos[1]:
        return False
    below = loc.below.get(anchor)
    if below is None:  # the next title in the same column, once per section
        rows = [p[0] for k, p in loc.sections.items() if k != anchor and p[1] == ac and p[0] > ar]
        below = loc.below[anchor] = min(rows, default=1 << 30)
    return r < below


def _stop_row(loc: Located, row: int, left: int, right: int) -> bool:
    """A row that starts something else: a printed label or a section title across the
    field's columns ``left``..``right``."""
    memo = (row, left, right)
    stop = loc.stops.get(memo)
    if stop is None:
        stop = False
        for key, (r, c) in loc.sections.items():
            if r == row and c <= right and c + _section_width(loc.lay, key) - 1 >= left:
                stop = True
                break
        else:
            labels = loc.grid.label_cells
            for c in range(left, right + 1):
                if (row, c) in labels:
                    stop = True
                    break
        loc.stops[memo] = stop
    return stop


@cache
def _section_width(lay: layout.Layout, key: str) -> int:
    box = next(b for b in lay.boxes if b.first == lay.anchor_box[key])
    return box.span[3] - box.span[1] + 1


def _region(loc: Located, fname: str, pos: Pos) -> tuple[Pos, ...]:
    """The cells whose text is the field's: its box, and for a text box the rows added below."""
    grid, lay = loc.grid, loc.lay
    box = lay.field_boxes()[fname]
    style = box.style
    if (
        style is layout.Style.VALUE
        or style is layout.Style.CENTER
        or box.kind is not layout.Kind.INPUT
    ):
        return (pos,)
    r1, c1, r2, c2 = box.span
    last = max(pos[1], loc.column(c2) if loc.shifts else pos[1] + c2 - c1)
    cols = range(pos[1], last + 1)
    section = loc.sections.get(box.anchor)
    left = section[1] if section else cols[0]
    right = cols[-1]
    row, most, bottom = pos[0], r2 - r1 + 1 + MAX_EXTRA_ROWS, loc.bottom
    count = 1
    while row < bottom and count < most:
        if _stop_row(loc, row + 1, left, right):
            break
        row += 1
        count += 1
    if style is layout.Style.TEXT:
        # rows inserted below the box belong to it, the form's own gap rows do not
        inserted = max(0, count - _layout_gap(lay, box))
        count = min(count, r2 - r1 + 1 + inserted)
    else:
        count = min(count, r2 - r1 + 1)
    hidden_rows, hidden_cols = grid.hidden_rows, grid.hidden_cols
    shown = [c for c in cols if c not in hidden_cols]
    return tuple(
        (r, c) for r in range(pos[0], pos[0] + count) if r not in hidden_rows for c in shown
    )


@cache
def _layout_gap(lay: layout.Layout, box: layout.Box) -> int:
    """Rows from the box's first row to the next row that starts something else on the form."""
    r1, _, _, c2 = box.span
    left = position(lay.anchor_box[box.anchor])[1]
    starts = [
        b.span[0]
        for b in lay.boxes
        if b.kind is not layout.Kind.INPUT
        and b.kind is not layout.Kind.FIXED
        and b.span[0] > r1
        and b.span[1] <= c2
        and b.span[3] >= left
    ]
    return (min(starts) if starts else lay.form.last_row + 1) - r1
