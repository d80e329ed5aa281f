"""Run every check on a card or a file, collecting all findings in one pass."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ubereport.card.model import Card
from ubereport.card.reader import ReadResult, read_workbook
from ubereport.files.names import display_name
from ubereport.findings import Finding
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Plans, Registry, as_plans, default_registry
from ubereport.validate import header, kpi_values, limits, narrative, plausibility
from ubereport.validate.context import Context, Report, TargetKey, TargetsByPlan

CHECKS = (header.check, kpi_values.check, plausibility.check, narrative.check, limits.check)


def validate_card(
    card: Card,
    registry: Registry | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | None = None,
    bands: Bands | None = None,
) -> list[Finding]:
    """Every check's findings for a card already read (the reader's own are not repeated)."""
    ctx = Context(card, registry or default_registry(), registered_targets or {}, bands or Bands())
    unread = set(card.not_found)  # already a label-missing エラー: never called 空欄 as well
    return [f for check in CHECKS for f in check(ctx) if f.field not in unread]


def validate_workbook(
    path: Path,
    registry: Registry | Plans | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | TargetsByPlan | None = None,
    bands: Bands | Mapping[str, Bands] | None = None,
) -> list[ReadResult]:
    """Read and validate every card of one file: per card, the reader's findings, then every
    check's (what ``ubereport read`` shows). With several plans, each card is checked against
    its own plan (and its own plan's registered targets and bands, keyed by plan id)."""
    plans = as_plans(registry)
    results = read_workbook(path, plans)
    for result in results:
        card = result.card
        if card is None:
            continue
        own = plans.by_id(card.plan_id) or plans.items[0]
        targets = registered_targets or {}
        if isinstance(targets, TargetsByPlan):
            targets = targets.get(own.plan_id, {})
        card_bands = bands.get(own.plan_id) if isinstance(bands, Mapping) else bands
        result.findings += validate_card(card, own, registered_targets=targets, bands=card_bands)
    return results


def validate_cards(
    path: Path,
    registry: Registry | Plans | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | TargetsByPlan | None = None,
    bands: Bands | Mapping[str, Bands] | None = None,
) -> list[Report]:
    """One report per card of the file (a workbook of several cards is several submissions);
    a file that cannot be read is one report without a card."""
    results = validate_workbook(path, registry, registered_targets=registered_targets, bands=bands)
    return [Report(display_name(Path(path)), r.findings, r.card, r.trace) for r in results]


def validate_file(
    path: Path,
    registry: Registry | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | None = None,
    bands: Bands | None = None,
) -> Report:
    """Read and validate one file as one report: every card's findings, in sheet order, and
    the first card (the pipeline uses :func:`validate_cards`, one report per card)."""
    results = validate_workbook(path, registry, registered_targets=registered_targets, bands=bands)
    findings = list(dict.fromkeys(f for r in results for f in r.findings))
    return Report(display_name(Path(path)), findings, results[0].card, results[0].trace)
