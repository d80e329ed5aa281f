"""Read a submitted card into the typed model. Never raises on a bad file.

Fields are found by their workbook-level defined names (the template's contract). When the names
are gone — the card was pasted into another workbook — each field is found from the printed
section label it belongs to (「5-1 目標指標 I」, 「2 現状・課題」 …) at the layout's offset, and a
警告 says so. Every problem becomes a :class:`~ubereport.findings.Finding`.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ubereport.card import layout
from ubereport.card.model import Card, Initiative, Kpi, YearValue
from ubereport.card.xlsx_source import (
    CellValue,
    SourceError,
    XlsxSource,
    a1,
    classify_ole,
    sniff,
    split_ref,
)
from ubereport.files.access import open_problem
from ubereport.files.names import display_name
from ubereport.findings import Finding, make_finding
from ubereport.japanese.fiscal import parse_fiscal_year
from ubereport.japanese.values import ParsedValue, normalize_text, parse_value
from ubereport.plan.registry import Registry, default_registry, normalize_plan_no

VALUE_FIELDS = frozenset(
    f"kpi{k}_{kind}_y{y}" for k in (1, 2) for kind in ("target", "actual") for y in range(1, 6)
) | {"kpi1_baseline", "kpi2_baseline"}


@dataclass(slots=True)
class ReadResult:
    card: Card | None
    findings: list[Finding] = field(default_factory=list)
    trace: str = ""  # the traceback behind an internal-error finding, for the run log


@dataclass(slots=True)
class _Located:
    sheet: str
    cells: dict[str, str]
    values: dict[str, CellValue | None]


def read_card(path: Path | str, registry: Registry | None = None) -> ReadResult:
    """Read one card file: the typed card (None when unreadable) and every finding."""
    path = Path(path)
    name = display_name(path)
    findings: list[Finding] = []
    try:
        source = _open(path)
    except SourceError as exc:
        return ReadResult(None, [make_finding(exc.code, name, detail=exc.detail)])
    try:
        return _read(source, name, registry or default_registry(), findings)
    except SourceError as exc:
        findings.append(make_finding(exc.code, name, detail=exc.detail))
        return ReadResult(None, findings)
    except Exception as exc:  # a bug or a file nobody foresaw: say so, never "your file is broken"
        findings.append(make_finding("internal-error", name, detail=type(exc).__name__))
        return ReadResult(None, findings, traceback.format_exc())
    finally:
        source.close()


def _open(path: Path) -> XlsxSource:
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


def _read(source: XlsxSource, name: str, registry: Registry, findings: list[Finding]) -> ReadResult:
    if source.macro_enabled:
        findings.append(make_finding("file-macro-enabled", name))
    located = _by_names(source) or _by_labels(source, name, findings)
    if located is None:
        sheets = "、".join(source.sheet_names) or "なし"
        findings.append(make_finding("sheet-missing", name, detail=sheets))
        return ReadResult(None, findings)
    card = _build(located, name, registry, findings)
    version = card.template_version
    if version and version not in layout.KNOWN_VERSIONS:
        findings.append(
            make_finding(
                "template-version-unknown",
                name,
                sheet=located.sheet,
                cell=located.cells.get("template_version"),
                field="template_version",
                value=version,
                detail=version,
                expected=layout.TEMPLATE_VERSION,
            )
        )
    return ReadResult(card, findings)


def _by_names(source: XlsxSource) -> _Located | None:
    refs = source.defined_names
    anchor = refs.get("plan_no")
    if anchor is None or anchor.sheet not in source.sheet_names:
        return None
    sheet = anchor.sheet
    cells: dict[str, str] = {}
    values: dict[str, CellValue | None] = {}
    for fname in layout.field_names():
        ref = refs.get(fname)
        if ref is not None and ref.sheet == sheet and ref.cell:
            cells[fname] = ref.cell
        else:
            cells[fname] = layout.field_cell(fname)
        values[fname] = source.cell(sheet, cells[fname])
    return _Located(sheet, cells, values)


def _by_labels(source: XlsxSource, name: str, findings: list[Finding]) -> _Located | None:
    best: tuple[int, str, dict[str, tuple[int, int]]] | None = None
    for sheet in source.sheet_names:
        found = _find_anchors(source.cells(sheet))
        if found and (best is None or len(found) > best[0]):
            best = (len(found), sheet, found)
    if best is None:
        return None
    _, sheet, anchors = best
    findings.append(make_finding("names-missing", name, sheet=sheet))
    cells: dict[str, str] = {}
    values: dict[str, CellValue | None] = {}
    missing_anchors: set[str] = set()
    for fname in layout.field_names():
        key, dr, dc = layout.anchor_offset(fname)
        if key not in anchors:
            missing_anchors.add(key)
            continue
        r, c = anchors[key]
        ref = a1(r + dr, c + dc)
        cells[fname] = ref
        values[fname] = source.cell(sheet, ref)
    for key in sorted(missing_anchors):
        label = layout.ANCHORS[key].pattern.strip("^$").replace("\\s*", " ").replace(".*", "")
        findings.append(make_finding("label-missing", name, sheet=sheet, detail=label))
    return _Located(sheet, cells, values)


def _find_anchors(cells: dict[str, CellValue]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for ref, cell in cells.items():
        if not isinstance(cell.value, str):
            continue
        text = normalize_text(cell.value)
        for key, pattern in layout.ANCHORS.items():
            if key not in found and pattern.search(text):
                found[key] = split_ref(ref)
    return found


def _is_input(fname: str) -> bool:
    box = layout.field_boxes().get(fname)
    return box is not None and box.kind is layout.Kind.INPUT


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


def _build(loc: _Located, name: str, registry: Registry, findings: list[Finding]) -> Card:
    def note(code: str, fname: str, **params: object) -> None:
        findings.append(
            make_finding(
                code, name, sheet=loc.sheet, cell=loc.cells.get(fname), field=fname, **params
            )
        )

    for fname, cell in loc.values.items():
        if cell is not None and cell.error:
            note("cell-error", fname, value=cell.error, detail=cell.error)
        elif cell is not None and cell.formula and _is_input(fname):
            note("cell-formula", fname, value=cell.formula, detail=cell_text(cell))

    def text(fname: str) -> str:
        return cell_text(loc.values.get(fname))

    def value(fname: str) -> ParsedValue:
        cell = loc.values.get(fname)
        if cell is None:
            return parse_value(None)
        return parse_value(cell.value, number_format=cell.number_format)

    labels = tuple(text(f"year_y{y}") for y in range(1, layout.PLAN_YEARS + 1))
    years = tuple(
        parse_fiscal_year(lbl) if lbl else default
        for lbl, default in zip(labels, registry.plan_years, strict=False)
    )

    def kpi(k: int) -> Kpi:
        p = f"kpi{k}_"

        def series(kind: str) -> tuple[YearValue, ...]:
            return tuple(
                YearValue(years[y - 1], value(f"{p}{kind}_y{y}"), loc.cells.get(f"{p}{kind}_y{y}"))
                for y in range(1, layout.PLAN_YEARS + 1)
            )

        return Kpi(
            name=text(p + "name"),
            note=text(p + "note"),
            unit=text(p + "unit"),
            direction=text(p + "direction"),
            baseline_label=text(p + "baseline_label"),
            baseline=value(p + "baseline"),
            targets=series("target"),
            actuals=series("actual"),
            assessment=text(p + "assessment"),
            assessment_reason=text(p + "assessment_reason"),
        )

    fy_text = text("fiscal_year")
    return Card(
        file=name,
        sheet=loc.sheet,
        template_version=text("template_version"),
        fiscal_year=parse_fiscal_year(loc.values["fiscal_year"].value)
        if loc.values.get("fiscal_year") is not None
        else None,
        fiscal_year_text=fy_text,
        plan_no=normalize_plan_no(loc.values["plan_no"].value)
        if loc.values.get("plan_no") is not None
        else None,
        plan_no_text=text("plan_no"),
        plan_name=text("plan_name"),
        policy=text("policy"),
        strategy=text("strategy"),
        lead_division=text("lead_division"),
        related_divisions=text("related_divisions"),
        outcome=text("outcome"),
        situation=text("situation"),
        plan_actions=text("plan_actions"),
        inputs=tuple(
            Initiative(text(f"input_{n}"), text(f"output_{n}"), text(f"output_result_{n}"))
            for n in range(1, layout.INPUT_COUNT + 1)
        ),
        year_labels=labels,
        plan_years=years,
        kpis=(kpi(1), kpi(2)),
        related_plans=text("related_plans"),
        achievements=text("achievements"),
        shortfall_reason=text("shortfall_reason"),
        next_actions=text("next_actions"),
        cells=dict(loc.cells),
    )
