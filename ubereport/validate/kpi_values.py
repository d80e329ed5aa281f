"""Value checks: every baseline, target, actual and output result reads as a value of the KPI."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from ubereport.card.model import Kpi
from ubereport.findings import Finding
from ubereport.japanese.values import (
    Direction,
    ParsedValue,
    ValueKind,
    format_number,
    normalize_text,
    parse_value,
)
from ubereport.validate.context import Context

NO_VALUE = frozenset({ValueKind.BLANK, ValueKind.DASH})
HAS_TARGET = frozenset({ValueKind.NUMBER, ValueKind.QUALITATIVE, ValueKind.SAME_AS_NEXT})


def check(ctx: Context) -> Iterator[Finding]:
    for k, kpi in enumerate(ctx.card.kpis, start=1):
        if kpi.is_empty():
            continue
        yield from _definition(ctx, k, kpi)
        yield from _values(ctx, k, kpi)
        yield from _reported_year(ctx, k, kpi)
    yield from _outputs(ctx)


def _definition(ctx: Context, k: int, kpi: Kpi) -> Iterator[Finding]:
    p = f"kpi{k}_"
    if not kpi.name.strip():
        yield ctx.finding("kpi-values-without-name", p + "name", kpi=_roman(k))
    if kpi.direction.strip() and Direction.parse(kpi.direction) is None:
        yield ctx.finding("direction-invalid", p + "direction", kpi.direction, detail=kpi.direction)


def _roman(k: int) -> str:
    return "I" * k


@lru_cache(maxsize=1024)  # the same few units on every card
def _unit_key(unit: str | None) -> str:
    """A unit as compared: the unit cell spelled as the value parser spells units
    (「件/１日」 is 「件/日」, 「ヶ所」 is 「箇所」), NFKC and without spaces otherwise."""
    text = normalize_text(unit or "").replace(" ", "")
    as_value = parse_value(f"1{text}") if text else None
    if as_value is not None and as_value.is_number and as_value.unit:
        return as_value.unit.replace(" ", "")
    return text


def _value_finding(
    ctx: Context, fname: str, value: ParsedValue, kpi: Kpi, unit_code: str, expected: str
) -> Finding | None:
    """The finding on one value, if any (``expected``: the KPI's unit as compared)."""
    kind = value.kind
    if kind is ValueKind.INVALID:
        return ctx.finding("value-invalid", fname, value.text, detail=value.text)
    if kind is not ValueKind.NUMBER:
        return None
    if value.unit and expected and _unit_key(value.unit) != expected:
        return ctx.finding(
            unit_code, fname, value.text, detail=value.text, unit=value.unit, expected=kpi.unit
        )
    if (
        (value.unit == "%" or expected == "%")
        and value.value is not None
        and not (0 <= value.value <= 100)
    ):
        return ctx.finding("value-percent-range", fname, value.text, detail=value.text)
    return None


def _values(ctx: Context, k: int, kpi: Kpi) -> Iterator[Finding]:
    p = f"kpi{k}_"
    expected = _unit_key(kpi.unit)
    found = _value_finding(
        ctx, p + "baseline", kpi.baseline, kpi, "baseline-unit-mismatch", expected
    )
    if found is not None:
        yield found
    registered = bool(ctx.registered_targets) and ctx.card.plan_no is not None
    for y, (target, actual) in enumerate(zip(kpi.targets, kpi.actuals, strict=True), start=1):
        for fname, value in (
            (f"{p}target_y{y}", target.parsed),
            (f"{p}actual_y{y}", actual.parsed),
        ):
            found = _value_finding(ctx, fname, value, kpi, "value-unit-mismatch", expected)
            if found is not None:
                yield found
        if registered:  # no registered target (the usual first run), nothing to compare
            yield from _registered(ctx, k, y, target.fiscal_year, target.parsed)


def _registered(
    ctx: Context, k: int, y: int, year: int | None, target: ParsedValue
) -> Iterator[Finding]:
    plan = ctx.card.plan_no
    if plan is None or year is None:
        return
    registered = ctx.registered_targets.get((plan, k, year))
    if registered is None or normalize_text(registered) == normalize_text(target.text):
        return
    yield ctx.finding(
        "target-changed",
        f"kpi{k}_target_y{y}",
        target.text,
        detail=target.text,
        expected=registered,
        year=ctx.year_label(year),
    )


def _reported_year(ctx: Context, k: int, kpi: Kpi) -> Iterator[Finding]:
    year = ctx.report_year
    if year is None or year not in ctx.card.plan_years:
        return
    index = ctx.card.plan_years.index(year)
    p = f"kpi{k}_"
    actual = kpi.actuals[index].parsed
    if kpi.targets[index].parsed.kind in HAS_TARGET and actual.kind in NO_VALUE:
        yield ctx.finding(
            "actual-missing", f"{p}actual_y{index + 1}", actual.text, year=ctx.year_label(year)
        )
    elif actual.kind is ValueKind.PENDING:
        yield ctx.finding(
            "actual-pending", f"{p}actual_y{index + 1}", actual.text, year=ctx.year_label(year)
        )
    for y in range(index + 1, len(kpi.actuals)):
        later = kpi.actuals[y].parsed
        if later.kind not in NO_VALUE:
            yield ctx.finding(
                "actual-future",
                f"{p}actual_y{y + 1}",
                later.text,
                detail=later.text,
                year=ctx.year_label(kpi.actuals[y].fiscal_year),
            )


def _outputs(ctx: Context) -> Iterator[Finding]:
    for n, item in enumerate(ctx.card.inputs, start=1):
        planned = parse_value(item.output)
        result = parse_value(item.output_result)
        if planned.is_number and result.kind is ValueKind.INVALID:
            example = format_number(planned.value or 0, planned.unit)
            yield ctx.finding(
                "output-result-invalid",
                f"output_result_{n}",
                result.text,
                detail=result.text,
                expected=item.output,
                example=example,
            )
