"""Header checks: plan No., names, 基本方針/戦略/主管課 and 報告年度 against the registry."""

from __future__ import annotations

from collections.abc import Iterator

from ubereport.findings import Finding
from ubereport.japanese.fiscal import doubled_spellings, format_fy, format_fy_long
from ubereport.japanese.values import normalize_text
from ubereport.validate.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    yield from _plan(ctx)
    yield from _fiscal_year(ctx)
    yield from _year_headings(ctx)


def _same(a: str, b: str) -> bool:
    return "".join(normalize_text(a).split()) == "".join(normalize_text(b).split())


def _plan(ctx: Context) -> Iterator[Finding]:
    card, reg = ctx.card, ctx.registry
    if not card.plan_no_text.strip():
        yield ctx.finding("plan-no-missing", "plan_no")
        return
    entry = reg.plan(card.plan_no) if card.plan_no else None
    if entry is None:
        yield ctx.finding(
            "plan-no-unknown",
            "plan_no",
            card.plan_no_text,
            detail=card.plan_no_text,
            last=reg.plans[-1].plan_no,
        )
        return
    pairs = [
        ("plan-name-mismatch", "plan_name", card.plan_name, entry.plan_name),
        ("policy-mismatch", "policy", card.policy, entry.policy),
        ("strategy-mismatch", "strategy", card.strategy, entry.strategy),
    ]
    if entry.lead_division:
        pairs.append(
            ("lead-division-mismatch", "lead_division", card.lead_division, entry.lead_division)
        )
    for code, fname, found, expected in pairs:
        if not _same(found, expected):
            yield ctx.finding(code, fname, found, detail=found, expected=expected)


def _fiscal_year(ctx: Context) -> Iterator[Finding]:
    card, years = ctx.card, ctx.registry.plan_years
    text = card.fiscal_year_text.strip()
    if not text:
        yield ctx.finding("fiscal-year-missing", "fiscal_year")
    elif card.fiscal_year is None and (both := doubled_spellings(text)) is not None:
        first, second = (format_fy_long(y) for y in both)
        yield ctx.finding(
            "fiscal-year-conflict", "fiscal_year", text, detail=text, first=first, second=second
        )
    elif card.fiscal_year is None:
        yield ctx.finding("fiscal-year-invalid", "fiscal_year", text, detail=text)
    elif card.fiscal_year not in years:
        period = f"{format_fy(years[0])}～{format_fy(years[-1])}"
        yield ctx.finding(
            "fiscal-year-out-of-period", "fiscal_year", text, detail=text, period=period
        )


def _year_headings(ctx: Context) -> Iterator[Finding]:
    for y, (label, year) in enumerate(
        zip(ctx.card.year_labels, ctx.registry.plan_years, strict=False), start=1
    ):
        if ctx.card.plan_years[y - 1] != year:
            yield ctx.finding(
                "year-heading-changed", f"year_y{y}", label, detail=label, expected=format_fy(year)
            )
