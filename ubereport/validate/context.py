"""What every check needs: the card, the registry, the master's registered targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ubereport.card.layout import field_label
from ubereport.card.model import Card
from ubereport.findings import Finding, Severity, make_finding
from ubereport.japanese.fiscal import format_fy
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry

__all__ = ["Context", "Report", "TargetKey", "TargetsByPlan", "ValidationReport", "field_label"]

# (plan No., KPI number 1/2, fiscal year) -> the registered target text
TargetKey = tuple[str, int, int]


class TargetsByPlan(dict[str, Mapping[TargetKey, str]]):
    """The registered targets of several plans, by plan id (a root with more than one plan)."""


@dataclass(frozen=True, slots=True)
class Context:
    card: Card
    registry: Registry
    registered_targets: Mapping[TargetKey, str] = field(default_factory=dict)
    bands: Bands = field(default_factory=Bands)
    # what several checks derive from the card, worked out once per validation (the card is not
    # changed while it is checked): see :func:`ubereport.validate.narrative.card_texts`
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def finding(
        self, code: str, fname: str | None = None, value: object = None, **params: object
    ) -> Finding:
        """A finding located at the cell ``fname`` was read from."""
        cell = self.card.cell_of(fname) if fname else None
        return make_finding(
            code,
            self.card.file,
            sheet=self.card.sheet,
            cell=cell,
            field=fname,
            value=value,
            **params,
        )

    @property
    def report_year(self) -> int | None:
        return self.card.fiscal_year

    def year_label(self, year: int | None) -> str:
        return format_fy(year) if year else "報告年度"


@dataclass(slots=True)
class ValidationReport:
    """All findings for one file (frictionless-style: data, never an exception), and the card
    when it could be read."""

    file: str
    findings: list[Finding]
    card: Card | None = None
    trace: str = ""  # the traceback behind an internal-error finding, for the run log

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def flatten(self, keys: tuple[str, ...] = ("code", "cell")) -> list[tuple[object, ...]]:
        return [tuple(getattr(f, k) for k in keys) for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the file, whether it is valid, the card and every finding."""
        return {
            "file": self.file,
            "valid": self.valid,
            "card": _card_dict(self.card),
            "findings": [f.to_dict() for f in self.findings],
        }


#: The short name the stages use.
Report = ValidationReport


def _card_dict(card: Card | None) -> dict[str, Any] | None:
    if card is None:
        return None
    data = card.to_json()
    del data["findings"]  # they are the report's, beside the card
    return data
