"""Run every check on a card or a file, collecting all findings in one pass."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ubereport.card.model import Card
from ubereport.card.reader import read_card
from ubereport.files.names import display_name
from ubereport.findings import Finding
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry, default_registry
from ubereport.validate import header, kpi_values, limits, narrative
from ubereport.validate.context import Context, Report, TargetKey

CHECKS = (header.check, kpi_values.check, narrative.check, limits.check)


def validate_card(
    card: Card,
    registry: Registry | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | None = None,
    bands: Bands | None = None,
) -> list[Finding]:
    """Every check's findings for a card already read (the reader's own are not repeated)."""
    ctx = Context(card, registry or default_registry(), registered_targets or {}, bands or Bands())
    return [finding for check in CHECKS for finding in check(ctx)]


def validate_file(
    path: Path,
    registry: Registry | None = None,
    *,
    registered_targets: Mapping[TargetKey, str] | None = None,
    bands: Bands | None = None,
) -> Report:
    """Read and validate one file: the reader's findings, then every check's."""
    registry = registry or default_registry()
    result = read_card(path, registry)
    findings = list(result.findings)
    if result.card is not None:
        findings += validate_card(
            result.card, registry, registered_targets=registered_targets, bands=bands
        )
    return Report(display_name(Path(path)), findings, result.card, result.trace)
