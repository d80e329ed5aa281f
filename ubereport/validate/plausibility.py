"""Plausibility: values that read, but not as the KPI's other values suggest they were meant.

Pasting 「値のみ」 drops a cell's percent format (98.9 % arrives as 0.989), and a sum in 円 lands
in a 千円 KPI. A bare number (no unit typed) about 1/100 (or 100×) of the same KPI's other targets
and actuals with a % unit, or about 1,000× off in a 円/千円 KPI, gets a 警告 saying what was
probably meant — never a changed value. A text without digits (「x」「済」) where the KPI's values are numbers is a finding
too: an エラー where that year's target is a number of a KPI with a unit, a 警告 where it is unclear.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from statistics import median

from ubereport.card.model import Kpi
from ubereport.findings import Finding
from ubereport.japanese.values import ParsedValue, ValueKind, format_number, normalize_text
from ubereport.validate.context import Context

TOLERANCE = 3.0  # how far from exactly 100× / 1,000× a ratio may be and still look like a slip


def check(ctx: Context) -> Iterator[Finding]:
    for k, kpi in enumerate(ctx.card.kpis, start=1):
        if kpi.is_empty():
            continue
        yield from _scale(ctx, k, kpi)
        yield from _qualitative(ctx, k, kpi)


def _cells(k: int, kpi: Kpi) -> list[tuple[str, ParsedValue]]:
    values = [kpi.baseline, *(v.parsed for v in kpi.targets), *(v.parsed for v in kpi.actuals)]
    return list(zip(_names(k, len(kpi.targets), len(kpi.actuals)), values, strict=True))


@lru_cache(maxsize=64)
def _names(k: int, targets: int, actuals: int) -> tuple[str, ...]:
    """The defined names of KPI ``k``'s baseline, targets and actuals, in :func:`_cells` order."""
    p = f"kpi{k}_"
    return (
        p + "baseline",
        *(f"{p}target_y{y}" for y in range(1, targets + 1)),
        *(f"{p}actual_y{y}" for y in range(1, actuals + 1)),
    )


def _unit(kpi: Kpi) -> str:
    return normalize_text(kpi.unit).replace(" ", "")


def _same_unit(a: str, b: str) -> bool:
    return normalize_text(a).replace(" ", "") == b


def _near(ratio: float, factor: float) -> bool:
    return factor / TOLERANCE <= ratio <= factor * TOLERANCE


def _scale(ctx: Context, k: int, kpi: Kpi) -> Iterator[Finding]:
    unit = _unit(kpi)
    numbers = [
        (f, v)
        for f, v in _cells(k, kpi)
        if v.is_number and v.value and (v.unit is None or not unit or _same_unit(v.unit, unit))
    ]
    for fname, value in numbers:
        if value.value is None or value.unit is not None:
            continue  # a value typed with its unit (「0.5%」) was meant as typed
        others = [v for f, v in numbers if f != fname]
        if len(others) < 2:
            continue
        typical = median(abs(v.value or 0.0) for v in others)
        ratio = abs(value.value) / typical
        shown = "、".join(dict.fromkeys(v.text for v in others))
        meant = _meant(unit, value, ratio)
        if meant is not None:
            yield ctx.finding(
                "value-scale-suspect",
                fname,
                value.text,
                detail=value.text,
                meant=meant,
                others=shown,
            )


def _meant(unit: str, value: ParsedValue, ratio: float) -> str | None:
    v = value.value or 0.0
    if unit == "%" or value.unit == "%":
        if _near(ratio, 1 / 100):
            return format_number(v * 100, "%")
        if _near(ratio, 100):
            return format_number(v / 100, "%")
    if unit == "千円" and _near(ratio, 1000):
        return format_number(v / 1000, "千円") + "（円で入力していませんか）"
    if unit == "円" and _near(ratio, 1 / 1000):
        return format_number(v * 1000, "円") + "（千円で入力していませんか）"
    return None


def _qualitative(ctx: Context, k: int, kpi: Kpi) -> Iterator[Finding]:
    p = f"kpi{k}_"
    series = [v.parsed for v in kpi.targets] + [v.parsed for v in kpi.actuals]
    if not any(v.is_number for v in series):
        return  # a qualitative KPI (「規程策定」): texts are its values
    targets = [v.parsed for v in kpi.targets]
    for y, actual in enumerate(kpi.actuals, start=1):
        if actual.parsed.kind is not ValueKind.QUALITATIVE:
            continue
        target = targets[y - 1]
        if target.kind is ValueKind.QUALITATIVE:
            continue  # 「策定済」 against the year's 「規程策定」
        code = "value-not-number" if target.is_number and kpi.unit.strip() else "value-qualitative"
        text = actual.parsed.text
        yield ctx.finding(
            code, f"{p}actual_y{y}", text, detail=text, year=ctx.year_label(actual.fiscal_year)
        )
    for y in range(2, len(targets)):
        target = targets[y - 1]
        if (
            target.kind is ValueKind.QUALITATIVE
            and targets[y - 2].is_number
            and targets[y].is_number
        ):
            yield ctx.finding(
                "value-qualitative",
                f"{p}target_y{y}",
                target.text,
                detail=target.text,
                year=ctx.year_label(kpi.targets[y - 1].fiscal_year),
            )
