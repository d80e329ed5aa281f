"""Narrative checks: 取組実績, 未達成の理由, own ratings and their reasons, printable texts."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from ubereport.card.layout import Layout, layout_for
from ubereport.card.textfit import capacity, fits
from ubereport.findings import Finding
from ubereport.japanese.values import ParsedValue
from ubereport.plan.rating import Status, parse_own_rating
from ubereport.validate.assess import rate_kpi_year
from ubereport.validate.context import Context, field_label
from ubereport.validate.kpi_values import NO_VALUE

FORMULA_STARTS = ("=", "+", "-", "@")
VALUE_FIELD_SUFFIXES = (
    "_baseline",
    *(f"_{kind}_y{y}" for kind in ("target", "actual") for y in range(1, 6)),
)


def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.card.achievements.strip():
        yield ctx.finding("achievements-missing", "achievements")
    yield from _ratings(ctx)
    yield from _texts(ctx)


def _ratings(ctx: Context) -> Iterator[Finding]:
    card, year = ctx.card, ctx.report_year
    index = card.plan_years.index(year) if year in card.plan_years else None
    for k, kpi in enumerate(card.kpis, start=1):
        if kpi.is_empty():
            continue
        p = f"kpi{k}_"
        own_text = kpi.assessment.strip()
        own = parse_own_rating(own_text) if own_text else None
        if own_text and own is None:
            yield ctx.finding("assessment-invalid", p + "assessment", own_text, detail=own_text)
        if index is None:
            continue
        # The computed rating matters only where a finding may follow from it: an own rating
        # without a reason to compare, or a missing 未達成の理由 (most cards need neither).
        reasonless = own is not None and not kpi.assessment_reason.strip()
        unexplained = not card.shortfall_reason.strip()
        if not reasonless and not (unexplained and own in (None, Status.NOT_ACHIEVED)):
            continue
        computed = rate_kpi_year(kpi, index, ctx.bands, own=False)
        name = kpi.name or f"指標{'I' * k}"
        if reasonless and own != computed.status:
            yield ctx.finding(
                "assessment-reason-missing",
                p + "assessment_reason",
                own_text,
                kpi=name,
                detail=own_text,
                expected=computed.status,
            )
        final = own or computed.status
        if final is Status.NOT_ACHIEVED and unexplained:
            shown = computed.rate_text or computed.actual_text
            yield ctx.finding(
                "shortfall-reason-missing",
                "shortfall_reason",
                kpi=name,
                year=ctx.year_label(year),
                detail=shown,
            )


def _texts(ctx: Context) -> Iterator[Finding]:
    values = card_texts(ctx)
    lay = layout_for(ctx.registry)
    limits = _limits(lay)
    for fname, text in values.items():
        limit = limits.get(fname, _UNKNOWN)
        if limit is _UNKNOWN:  # a further インプット row (input_9 …): its row's box
            limit = _limit(lay, fname)
        if (
            limit is not None
            and (len(text) > limit.sure or "\n" in text)
            and not _fits(text, limit)
        ):
            yield ctx.finding(
                "text-too-long",
                fname,
                f"{len(text)}文字",
                label=field_label(fname),
                length=len(text),
                capacity=limit.capacity,
            )
        if text.startswith(FORMULA_STARTS) and not _is_number_text(fname, ctx):
            yield ctx.finding(
                "text-formula-like", fname, text, label=field_label(fname), first=text[0]
            )


class _Limit(NamedTuple):
    capacity: int  # what the finding tells
    width: float
    height: float
    sure: int  # any one-paragraph text this long or shorter fits (full width at most 2 units)


_UNKNOWN = _Limit(0, 0.0, 0.0, 0)


def _limit(lay: Layout, fname: str) -> _Limit | None:
    """The box of ``fname`` when it has a capacity, else None."""
    box = lay.field_box(fname)
    if box is None or not box.capacity:
        return None
    width, height = lay.box_size(box)
    return _Limit(box.capacity, width, height, sure_fit(width, height))


def sure_fit(width: float, height: float) -> int:
    """The longest run of full-width characters that :func:`fits` the box: no character is
    wider, and a line count only grows with the width, so every one-paragraph text of at most
    this many characters fits too."""
    n = max(capacity(width, height), 0)
    while fits(_WIDEST * (n + 1), width, height):
        n += 1
    while n > 0 and not fits(_WIDEST * n, width, height):
        n -= 1
    return n


_WIDEST = "あ"  # a full-width character: 2 half-width units, the most any character counts


@lru_cache(maxsize=64)
def _limits(lay: Layout) -> dict[str, _Limit | None]:
    """:func:`_limit` of every named field of ``lay``, worked out once per layout."""
    return {fname: _limit(lay, fname) for fname in lay.field_boxes()}


SHORT_TEXT = 200  # names, units, divisions: the same texts on every card of a plan


def _fits(text: str, limit: _Limit) -> bool:
    """Whether ``text`` fits the box (:func:`fits`); the caller has seen that it may not."""
    if len(text) <= SHORT_TEXT:
        return _fits_short(text, limit.width, limit.height)
    return fits(text, limit.width, limit.height)


_fits_short = lru_cache(maxsize=4096)(fits)


def _is_number_text(fname: str, ctx: Context) -> bool:
    """「-」 or 「-5」 in a value cell is a value, not a formula."""
    parsed = _parsed(ctx, fname)
    return parsed is not None and (parsed.is_number or parsed.kind in NO_VALUE)


def _parsed(ctx: Context, fname: str) -> ParsedValue | None:
    if not fname.startswith("kpi") or not fname.endswith(VALUE_FIELD_SUFFIXES):
        return None
    kpi = ctx.card.kpis[int(fname[3]) - 1]
    rest = fname[5:]
    if rest == "baseline":
        return kpi.baseline
    kind, _, y = rest.partition("_y")
    series = kpi.targets if kind == "target" else kpi.actuals
    return series[int(y) - 1].parsed


def card_texts(ctx: Context) -> dict[str, str]:
    """Every input field's text as read, keyed by defined name (worked out once per
    validation: the checks that use it share it, and never change it)."""
    texts = ctx.derived.get("card_texts")
    if texts is None:
        texts = ctx.derived["card_texts"] = _card_texts(ctx)
    return texts  # type: ignore[no-any-return]


def _card_texts(ctx: Context) -> dict[str, str]:
    card = ctx.card
    texts = {
        "plan_name": card.plan_name,
        "policy": card.policy,
        "strategy": card.strategy,
        "lead_division": card.lead_division,
        "related_divisions": card.related_divisions,
        "outcome": card.outcome,
        "situation": card.situation,
        "plan_actions": card.plan_actions,
        "related_plans": card.related_plans,
        "achievements": card.achievements,
        "shortfall_reason": card.shortfall_reason,
        "next_actions": card.next_actions,
    }
    for n, item in enumerate(card.inputs, start=1):
        texts[f"input_{n}"] = item.text
        texts[f"output_{n}"] = item.output
        texts[f"output_result_{n}"] = item.output_result
    for k, kpi in enumerate(card.kpis, start=1):
        p = f"kpi{k}_"
        texts[p + "name"] = kpi.name
        texts[p + "note"] = kpi.note
        texts[p + "unit"] = kpi.unit
        texts[p + "assessment_reason"] = kpi.assessment_reason
        texts[p + "baseline"] = kpi.baseline.text
        for y, (t, a) in enumerate(zip(kpi.targets, kpi.actuals, strict=True), start=1):
            texts[f"{p}target_y{y}"] = t.parsed.text
            texts[f"{p}actual_y{y}"] = a.parsed.text
    return {k: v for k, v in texts.items() if v}
