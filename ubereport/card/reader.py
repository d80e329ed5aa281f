"""Read a submitted workbook into typed cards, as a person would read it. Never raises.

The sheet a person sees is the one read: hidden and very hidden sheets only when no visible sheet
shows a card, and every visible card sheet is a card of its own (:func:`read_workbook`). On each
sheet every field is placed by :mod:`ubereport.card.locate` — the defined name where the labels
around it agree, the printed labels otherwise — and whatever is typed inside the card is either
read or reported: text split over several cells of one box is gathered (a 警告 says so), further
インプット rows are further inputs, any other non-empty cell is a 警告 quoting it, and hidden rows
and columns are never preferred over what is visible. Every problem becomes a
:class:`~ubereport.findings.Finding`.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from ubereport.card import layout
from ubereport.card.grid import Grid, Pos, cell_text, split_cards
from ubereport.card.layout import Layout, layout_for, layout_of
from ubereport.card.locate import Located, Placed, locate_named, named_cells
from ubereport.card.model import (
    NARRATIVE_FIELDS,
    PLAN_TEXT_FIELDS,
    Card,
    Initiative,
    Kpi,
    YearValue,
)
from ubereport.card.route import Unrouted, plan_of_book, plan_of_sheet
from ubereport.card.xlsx_source import (
    CellValue,
    SourceError,
    XlsxSource,
    a1,
    classify_ole,
    sniff,
)
from ubereport.files.access import open_problem
from ubereport.files.names import display_name
from ubereport.findings import Finding, make_finding
from ubereport.japanese.fiscal import parse_fiscal_year
from ubereport.japanese.values import ParsedValue, parse_value
from ubereport.plan.registry import Plans, Registry, as_plans, normalize_plan_no

__all__ = ["ReadResult", "cell_text", "read_card", "read_workbook"]

CARD_1 = "ubereport-card-1"  # section 7 side by side on page 1 (read with that geometry)
CARD_LIKENESS = 3  # section titles a sheet must show to be a card
PARTIAL_LIKENESS = 2  # … and to be worth a word when it is not one
BLANK_TEXTS = (*PLAN_TEXT_FIELDS, *NARRATIVE_FIELDS)
SMALL_SHEET = 2_000  # cells: a card has ~200; a bigger sheet is looked at through its strings
VALUE_FIELDS = frozenset(
    f"kpi{k}_{kind}_y{y}" for k in (1, 2, 3) for kind in ("target", "actual") for y in range(1, 7)
) | {"kpi1_baseline", "kpi2_baseline", "kpi3_baseline"}


@dataclass(slots=True)
class ReadResult:
    card: Card | None
    findings: list[Finding] = field(default_factory=list)
    trace: str = ""  # the traceback behind an internal-error finding, for the run log


def read_card(path: Path | str, registry: Registry | Plans | None = None) -> ReadResult:
    """The first card of a file (see :func:`read_workbook` for a workbook with several)."""
    return read_workbook(path, registry)[0]


def read_workbook(path: Path | str, registry: Registry | Plans | None = None) -> list[ReadResult]:
    """Every card of one file, one result per visible card sheet (at least one result).

    ``registry`` is the plan (or the plans of a root) the cards may belong to; each card is read
    with the layout of its own plan (:mod:`ubereport.card.route`) and names it in ``plan_id``.
    """
    path = Path(path)
    name = display_name(path)
    try:
        source = _open(path)
    except SourceError as exc:
        return [ReadResult(None, [make_finding(exc.code, name, detail=exc.detail)])]
    try:
        return _read(source, name, as_plans(registry))
    except SourceError as exc:
        return [ReadResult(None, [make_finding(exc.code, name, detail=exc.detail)])]
    except Exception as exc:  # a bug or a file nobody foresaw: say so, never "your file is broken"
        finding = make_finding("internal-error", name, detail=type(exc).__name__)
        return [ReadResult(None, [finding], traceback.format_exc())]
    finally:
        source.close()


def _open(path: Path) -> XlsxSource:
    """The workbook package at ``path``, opened once when it is one (its first bytes read from
    the open package); anything else is looked at on its own, and raises what it is."""
    try:
        source: XlsxSource | None = XlsxSource(path)
    except Exception:  # the file is looked at on its own below, and says what it is
        source = None
    if source is not None:
        if source.starts_as_package():
            return source
        source.close()  # a package behind other bytes (a PDF, say): said to be what it starts as
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise SourceError("file-unreadable", open_problem(exc)) from exc
    kind = sniff(head, size)
    if kind is not None:
        code, detail = kind
        if code == "file-ole":
            code = classify_ole(path)
        raise SourceError(code, detail)
    try:
        return XlsxSource(path)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError("file-corrupt", type(exc).__name__) from exc


def _read(source: XlsxSource, name: str, plans: Plans) -> list[ReadResult]:
    book: list[Finding] = []
    if source.macro_enabled:
        book.append(make_finding("file-macro-enabled", name))
    book_plan = plan_of_book(source, plans)
    if isinstance(book_plan, Unrouted):
        finding = _unrouted(name, None, book_plan, plans)
        return [ReadResult(None, [*book, finding])]
    book += _broken_names(source, name, book_plan or plans.items[0])
    cards: list[tuple[str, Grid, Registry]] = []
    partial: list[str] = []
    unrouted: list[Finding] = []
    for sheet in source.sheet_names:
        routed = book_plan or plan_of_sheet(source, sheet, plans)
        registry = routed if isinstance(routed, Registry) else plans.items[0]
        lay = layout_for(registry)
        grid = None
        shown = source.sheet_states.get(sheet, "visible") == "visible"
        if shown and source.cell_count(sheet) <= SMALL_SHEET:
            grid = Grid.of(source, sheet, lay)
            likeness = len(grid.anchors)
        else:  # a big data sheet or a hidden one (the form's lists): judged from its strings
            likeness = _likeness(source.texts(sheet), lay)
        if likeness < CARD_LIKENESS:
            if likeness >= PARTIAL_LIKENESS and source.sheet_states.get(sheet) == "visible":
                partial.append(sheet)
            continue
        if not isinstance(routed, Registry):  # a card, but of no plan this root can tell
            claim = routed or Unrouted("plan-ambiguous", plans.describe())
            unrouted.append(_unrouted(name, sheet, claim, plans))
            continue
        grid = grid or Grid.of(source, sheet, lay)
        cards += [(sheet, part, registry) for part in split_cards(grid, CARD_LIKENESS)]
    if unrouted and not cards:
        return [ReadResult(None, [*book, f]) for f in unrouted]
    book += unrouted
    if not cards:
        sheets = "、".join(source.sheet_names) or "なし"
        return [ReadResult(None, [*book, make_finding("sheet-missing", name, detail=sheets)])]
    visible = [c for c in cards if source.sheet_states.get(c[0], "visible") == "visible"]
    hidden = [c[0] for c in cards if source.sheet_states.get(c[0], "visible") != "visible"]
    if visible:
        shown = "」「".join(c[0] for c in visible)
        book += [
            make_finding("sheet-hidden-ignored", name, sheet=s, detail=s, other=shown)
            for s in hidden
        ]
        chosen = visible
    else:
        chosen = cards[:1]
        book.append(make_finding("sheet-hidden-read", name, sheet=cards[0][0], detail=cards[0][0]))
    book += [make_finding("sheet-partial", name, sheet=s, detail=s) for s in partial]
    results = [_read_sheet(source, sheet, grid, name, reg, []) for sheet, grid, reg in chosen]
    blank = [r for r in results if r.card is not None and _is_blank(r.card)]
    if blank and len(blank) < len(results):  # an unused form beside the filled card
        results = [r for r in results if r not in blank]
        book += [
            make_finding("sheet-blank-ignored", name, sheet=r.card.sheet, detail=r.card.sheet)
            for r in blank
            if r.card is not None
        ]
    if len(results) > 1:
        counts = Counter(r.card.sheet if r.card else "" for r in results)
        sheets = "」「".join(s if n == 1 else f"{s}（{n}枚）" for s, n in counts.items())
        book.append(make_finding("sheet-several", name, detail=sheets, count=len(results)))
    for result in results:
        result.findings[:0] = book
    return results


def _is_blank(card: Card) -> bool:
    """A form nobody filled in: no header, no text, no input, no KPI value."""
    texts = [card.plan_no_text, card.fiscal_year_text, *(getattr(card, f) for f in BLANK_TEXTS)]
    return (
        not any(t.strip() for t in texts)
        and all(i.is_empty() for i in card.inputs)
        and all(k.is_empty() for k in card.kpis)
    )


def _unrouted(name: str, sheet: str | None, claim: Unrouted, plans: Plans) -> Finding:
    return make_finding(
        claim.code,
        name,
        sheet=sheet,
        value=claim.claimed,
        detail=claim.claimed,
        known=plans.describe(),
    )


def _likeness(texts: list[str], lay: Layout) -> int:
    if len(texts) <= LIKENESS_MEMO_TEXTS:
        return _short_likeness(tuple(texts), lay)
    return _short_likeness.__wrapped__(texts, lay)


LIKENESS_MEMO_TEXTS = 500  # the template's hidden list sheet (~60 texts), the same in every card


@lru_cache(maxsize=64)
def _short_likeness(texts: tuple[str, ...] | list[str], lay: Layout) -> int:
    return len({key for t in texts if len(t) <= 80 and (key := lay.anchor_of(t))})


def _broken_names(source: XlsxSource, name: str, registry: Registry) -> list[Finding]:
    order = _field_order(layout_for(registry))
    sheets = set(source.sheet_names)
    scopes = [source.defined_names, *source.local_names.values()]
    out: list[Finding] = []
    for names in scopes:
        broken = [
            (fname, ref)
            for fname, ref in names.items()
            if fname in order and (ref.sheet is None or ref.sheet not in sheets)
        ]  # in the layout's order (a stable sort of the few broken ones, as of all names)
        for fname, ref in sorted(broken, key=lambda kv: order[kv[0]]):
            out.append(make_finding("name-broken", name, field=fname, value=ref.raw, detail=fname))
    return out


@cache
def _field_order(lay: Layout) -> dict[str, int]:
    return {f: i for i, f in enumerate(lay.field_names())}


def _read_sheet(
    source: XlsxSource,
    sheet: str,
    grid: Grid,
    name: str,
    registry: Registry,
    findings: list[Finding],
) -> ReadResult:
    loc = locate_named(grid, _named(source, sheet, grid))
    if loc is None:  # pragma: no cover - a card sheet always has a section title
        findings.append(make_finding("sheet-missing", name, detail=sheet))
        return ReadResult(None, findings)
    if loc.names_used == 0:
        code = "names-mismatch" if _has_names(source, sheet, grid.lay) else "names-missing"
        findings.append(make_finding(code, name, sheet=sheet))
    for printed, fields in loc.missing.items():
        labels = "、".join(dict.fromkeys(loc.lay.field_label(f) for f in fields))
        findings.append(
            make_finding("label-missing", name, sheet=sheet, detail=printed, fields=labels)
        )
    reading = _Reading(loc, name, findings)
    card = reading.card(registry)
    version = card.template_version
    if version == CARD_1 and not grid.lay.side:  # the earlier template: its own geometry
        earlier = layout_of(replace(grid.lay.shape, follow_up="side"))
        return _read_sheet(source, sheet, grid.relaid(earlier), name, registry, [])
    if version and version not in layout.KNOWN_VERSIONS:
        reading.note(
            "template-version-unknown",
            "template_version",
            version,
            detail=version,
            expected=layout.TEMPLATE_VERSION,
        )
    reading.unread()
    return ReadResult(card, findings)


NAMED_MAX = 64
# (workbook part, layout, sheet, grid sheet) by identity -> them and the named cells
_NAMED: dict[tuple[int, int, str, str], tuple[object, Layout, dict[str, Pos]]] = {}


def _named(source: XlsxSource, sheet: str, grid: Grid) -> dict[str, Pos]:
    """:func:`named_cells` of the names on ``sheet``: worked out once per shared workbook part
    (they derive from it and the sheet only), that part and the layout held beside the answer
    so their identities stay theirs; bounded, the oldest goes. Each caller gets its own copy."""
    book = source.shared_book
    if book is None:
        return named_cells(grid, source.names_for(sheet))
    key = (id(book), id(grid.lay), sheet, grid.sheet)
    entry = _NAMED.get(key)
    if entry is None or entry[0] is not book or entry[1] is not grid.lay:
        entry = (book, grid.lay, named_cells(grid, source.names_for(sheet)))
        _NAMED[key] = entry
        if len(_NAMED) > NAMED_MAX:
            del _NAMED[next(iter(_NAMED))]
    return dict(entry[2])


def _has_names(source: XlsxSource, sheet: str, lay: Layout) -> bool:
    names = source.names_for(sheet)
    return any((ref := names.get(f)) and ref.sheet == sheet for f in lay.field_names())


class _Reading:
    """One card sheet being read: texts and values by field, and the findings on them."""

    def __init__(self, loc: Located, name: str, findings: list[Finding]) -> None:
        self.loc = loc
        self.grid = loc.grid
        self.name = name
        self.findings = findings
        self.taken: set[tuple[int, int]] = set()
        self.texts: dict[str, str] = {}
        self.refs: dict[str, str] = {}  # field -> its cell, once :meth:`card` has named them
        for fname in self.loc.moved:
            placed = self.loc.fields[fname]
            self.note(
                "name-moved",
                fname,
                placed.moved_from,
                detail=fname,
                other=placed.moved_from,
                label=self.loc.lay.field_label(fname),
            )
        grid = self.grid
        stored, labels, shown = grid.cells, grid.label_cells, grid.texts
        hidden_rows, hidden_cols = grid.hidden_rows, grid.hidden_cols
        typed_cells, taken, texts = stored.keys(), self.taken, self.texts
        get = stored.get
        for fname, placed in self.loc.fields.items():
            # What _take gives, done inline for the usual field: shown, and at most one typed
            # cell in its box, holding neither a formula nor an error (nothing to report).
            pos = placed.pos
            cells = placed.region or (pos,)
            if pos[0] in hidden_rows or pos[1] in hidden_cols:
                texts[fname] = self._take(fname, placed)
                continue
            if len(cells) == 1:  # one cell: looked up, not intersected
                hit: Pos | None = cells[0]
            else:
                hits = typed_cells & cells
                if len(hits) > 1:
                    texts[fname] = self._take(fname, placed)
                    continue
                hit = hits.pop() if hits else None
            cell = get(hit) if hit is not None else None
            text = ""
            if cell is not None:
                if cell.error or cell.formula:
                    texts[fname] = self._take(fname, placed)
                    continue
                if hit not in labels:
                    text = shown.get(hit, "")
            taken.update(cells)
            taken.add(pos)
            texts[fname] = text

    def note(self, code: str, fname: str | None, value: object = None, **params: object) -> None:
        placed = self.loc.fields.get(fname or "")
        self.findings.append(
            make_finding(
                code,
                self.name,
                sheet=self.grid.sheet,
                cell=a1(*placed.pos) if placed else None,
                field=fname,
                value=value,
                **params,
            )
        )

    def _take(self, fname: str, placed: Placed) -> str:
        pos = placed.pos
        cells = placed.region or (pos,)
        self.taken.update(cells)
        self.taken.add(pos)
        grid = self.grid
        stored, labels, shown = grid.cells, grid.label_cells, grid.texts
        texts: list[str] = []
        shows: list[Pos] = []  # the cells whose texts these are
        typed: Iterable[Pos] = cells
        if len(cells) > 1:  # a box of many cells, mostly empty: find the typed ones at C speed
            hits = stored.keys() & cells
            typed = hits if len(hits) < 2 else [p for p in cells if p in hits]  # reading order
        for p in typed:  # the region's typed cells that are not printed labels, in order
            cell = stored.get(p)
            if cell is None or p in labels:
                continue
            if cell.error or cell.formula:  # the only cells with findings of their own
                self._cell_findings(fname, p)
            if text := shown.get(p):
                texts.append(text)
                shows.append(p)
        if pos[0] in grid.hidden_rows or pos[1] in grid.hidden_cols:
            self.note(
                "field-hidden",
                fname,
                self.grid.text(pos),
                label=self.loc.lay.field_label(fname),
            )
        if len(texts) > 1:
            where = "、".join(a1(*p) for p in shows)
            self.note(
                "text-gathered",
                fname,
                f"{len(texts)}セル",
                label=self.loc.lay.field_label(fname),
                detail=where,
            )
        return texts[0] if len(texts) == 1 else "\n".join(texts)

    def _cell_findings(self, fname: str, pos: tuple[int, int]) -> None:
        cell = self.grid.cells.get(pos)
        if cell is None:
            return
        ref = a1(*pos)
        shown = fname if fname in self.loc.lay.field_boxes() else None
        if cell.error:
            self.findings.append(
                make_finding(
                    "cell-error",
                    self.name,
                    sheet=self.grid.sheet,
                    cell=ref,
                    field=shown or fname,
                    value=cell.error,
                    detail=cell.error,
                )
            )
        elif cell.formula and _is_input(self.loc.lay, fname):
            self.findings.append(
                make_finding(
                    "cell-formula",
                    self.name,
                    sheet=self.grid.sheet,
                    cell=ref,
                    field=shown or fname,
                    value=cell.formula,
                    detail=cell_text(cell),
                )
            )

    def cell(self, fname: str) -> CellValue | None:
        placed = self.loc.fields.get(fname)
        return self.grid.cells.get(placed.pos) if placed else None

    def text(self, fname: str) -> str:
        return self.texts.get(fname, "")

    def value(self, fname: str) -> ParsedValue:
        cell = self.cell(fname)
        if cell is None:
            return parse_value(None)
        return parse_value(cell.value, number_format=cell.number_format)

    def card(self, registry: Registry) -> Card:
        labels = tuple(self.text(f"year_y{y}") for y in range(1, self.loc.lay.plan_years + 1))
        years = tuple(
            parse_fiscal_year(lbl) if lbl else default
            for lbl, default in zip(labels, registry.plan_years, strict=False)
        )
        fy_cell, no_cell = self.cell("fiscal_year"), self.cell("plan_no")
        cells = self.refs = {f: a1(*p.pos) for f, p in self.loc.fields.items()}
        return Card(
            file=self.name,
            sheet=self.grid.sheet,
            template_version=self.text("template_version"),
            fiscal_year=parse_fiscal_year(fy_cell.value) if fy_cell is not None else None,
            fiscal_year_text=self.text("fiscal_year"),
            plan_no=normalize_plan_no(no_cell.value) if no_cell is not None else None,
            plan_no_text=self.text("plan_no"),
            plan_name=self.text("plan_name"),
            policy=self.text("policy"),
            strategy=self.text("strategy"),
            level_3=self.text("level_3"),
            plan_id=registry.plan_id,
            lead_division=self.text("lead_division"),
            related_divisions=self.text("related_divisions"),
            outcome=self.text("outcome"),
            situation=self.text("situation"),
            plan_actions=self.text("plan_actions"),
            inputs=self._inputs(),
            year_labels=labels,
            plan_years=years,
            kpis=tuple(self._kpi(k, years) for k in range(1, self.loc.lay.kpi_count + 1)),
            related_plans=self.text("related_plans"),
            achievements=self.text("achievements"),
            shortfall_reason=self.text("shortfall_reason"),
            next_actions=self.text("next_actions"),
            cells=cells,
            not_found=tuple(f for fs in self.loc.missing.values() for f in fs),
        )

    def _inputs(self) -> tuple[Initiative, ...]:
        items = [
            Initiative(
                self.text(f"input_{n}"), self.text(f"output_{n}"), self.text(f"output_result_{n}")
            )
            for n in range(1, self.loc.lay.input_count + 1)
        ]
        n = self.loc.lay.input_count + 1
        while f"input_{n}" in self.loc.fields:
            items.append(
                Initiative(
                    self.text(f"input_{n}"),
                    self.text(f"output_{n}"),
                    self.text(f"output_result_{n}"),
                )
            )
            n += 1
        return tuple(items)

    def _kpi(self, k: int, years: tuple[int | None, ...]) -> Kpi:
        p = f"kpi{k}_"

        refs, fields, stored = self.refs, self.loc.fields, self.grid.cells

        def series(kind: str) -> tuple[YearValue, ...]:
            out = []
            for i, name in enumerate(_series_names(p, kind, self.loc.lay.plan_years)):
                placed = fields.get(name)  # what value() gives, inline
                cell = stored.get(placed.pos) if placed else None
                parsed = (
                    parse_value(None)
                    if cell is None
                    else parse_value(cell.value, number_format=cell.number_format)
                )
                out.append(YearValue(years[i], parsed, refs.get(name)))
            return tuple(out)

        return Kpi(
            name=self.text(p + "name"),
            note=self.text(p + "note"),
            unit=self.text(p + "unit"),
            direction=self.text(p + "direction"),
            baseline_label=self.text(p + "baseline_label"),
            baseline=self.value(p + "baseline"),
            targets=series("target"),
            actuals=series("actual"),
            assessment=self.text(p + "assessment"),
            assessment_reason=self.text(p + "assessment_reason"),
        )

    def unread(self) -> None:
        """Report every non-empty cell inside the card that no field took."""
        self._second_year_headings()
        loc, grid = self.loc, self.grid
        self.taken.add((loc.origin[0] + 1, loc.origin[1] + 1))  # the title box, however edited
        headings = {p for p in loc.found.values() if p is not None}
        top, left = loc.origin[0] + 1, loc.origin[1] + 1
        notes_from = loc.bottom - (
            loc.lay.form.last_row - loc.lay.field_boxes()["achievements"].span[2]
        )
        # taken cells, printed labels (a retyped or hidden copy too) and headings are not
        # content: only the rest is looked at
        rest = grid.cells.keys() - self.taken - grid.label_cells - headings
        for pos in sorted(rest):
            r, c = pos
            if not (top <= r <= loc.bottom and left <= c <= loc.right):
                continue
            text = grid.text(pos)
            if not text.strip() and not grid.cells[pos].error:
                continue
            if r > notes_from and text.startswith("※"):
                continue  # the form's own notes under section 7
            code = "cell-unread" if grid.visible(pos) else "cell-hidden"
            shown = text if len(text) <= 60 else text[:60] + "…"
            self.findings.append(
                make_finding(
                    code,
                    self.name,
                    sheet=grid.sheet,
                    cell=a1(*pos),
                    value=text,
                    detail=shown,
                    where=a1(*pos),
                )
            )

    def _second_year_headings(self) -> None:
        """Later KPIs' year headings repeat KPI I's (「=I16」 on the form): taken when they agree."""
        for k in range(2, self.loc.lay.kpi_count + 1):
            self._repeated_year_headings(k)

    def _repeated_year_headings(self, k: int) -> None:
        placed = self.loc.fields.get(f"kpi{k}_baseline_label")
        if placed is None:
            return
        columns = self.loc.kpi_columns.get(k) or self.loc.kpi_columns.get(1) or {}
        for y in range(1, self.loc.lay.plan_years + 1):
            pos = (placed.pos[0], columns[y]) if y in columns else self.grid.step(placed.pos, 0, y)
            cell = self.grid.cells.get(pos)
            if cell is not None and cell.formula:
                self.taken.add(pos)  # the form's own 「=I16」: KPI I's heading repeated
                continue
            heading = self.grid.text(pos)
            first = self.text(f"year_y{y}")
            year = parse_fiscal_year(heading) if heading else None
            if heading and year is None and heading != first:
                continue  # not a heading: reported as a cell nobody read
            self.taken.add(pos)
            if year is not None and heading != first and year != parse_fiscal_year(first):
                self.findings.append(
                    make_finding(
                        "year-heading-changed",
                        self.name,
                        sheet=self.grid.sheet,
                        cell=a1(*pos),
                        value=heading,
                        detail=heading,
                        expected=first,
                    )
                )


@lru_cache(maxsize=64)
def _series_names(prefix: str, kind: str, years: int) -> tuple[str, ...]:
    """The defined names of one KPI's targets or actuals (「kpi1_target_y1」 …)."""
    return tuple(f"{prefix}{kind}_y{y}" for y in range(1, years + 1))


def _is_input(lay: Layout, fname: str) -> bool:
    box = lay.field_box(fname)
    return box is not None and box.kind is layout.Kind.INPUT
