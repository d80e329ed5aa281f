"""ubereport: read, validate, merge and report 宇部市's アクションプラン cards.

The library, for an analyst or a notebook (``docs/api.md`` has worked examples)::

    import ubereport

    master = ubereport.open_master("outbox/アクションプラン台帳.xlsx")
    values = master.kpi_values()        # pandas: target/actual as text, number, unit, comparator,
                                        # the 達成率 and 達成区分 under the configured bands
    report = ubereport.validate_file("inbox/02_移住定住推進課_AP_R4実績.xlsx")
    report.card, report.findings, report.to_dict(), ubereport.findings_frame(report.findings)
    ubereport.render_reports("outbox/アクションプラン台帳.xlsx", "outbox")

Public names are loaded on first use (PEP 562), and pandas only when a frame is asked for, so
that ``python -m ubereport run`` with nothing to do starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Bands",
    "CannotRun",
    "Card",
    "Finding",
    "Initiative",
    "Kpi",
    "MasterMissing",
    "MasterTables",
    "ParsedValue",
    "ReadResult",
    "Registry",
    "Severity",
    "Status",
    "UbereportError",
    "ValidationReport",
    "YearValue",
    "default_registry",
    "findings_frame",
    "format_fy",
    "load_registry",
    "open_master",
    "parse_fiscal_year",
    "parse_value",
    "read_card",
    "render_reports",
    "validate_card",
    "validate_file",
]

_HOME = {
    "Bands": "ubereport.plan.rating",
    "Status": "ubereport.plan.rating",
    "CannotRun": "ubereport.errors",
    "MasterMissing": "ubereport.errors",
    "UbereportError": "ubereport.errors",
    "Card": "ubereport.card.model",
    "Initiative": "ubereport.card.model",
    "Kpi": "ubereport.card.model",
    "YearValue": "ubereport.card.model",
    "Finding": "ubereport.findings",
    "Severity": "ubereport.findings",
    "MasterTables": "ubereport.analysis.tables",
    "open_master": "ubereport.analysis.tables",
    "findings_frame": "ubereport.analysis.findings_frame",
    "render_reports": "ubereport.analysis.render",
    "ParsedValue": "ubereport.japanese.values",
    "parse_value": "ubereport.japanese.values",
    "format_fy": "ubereport.japanese.fiscal",
    "parse_fiscal_year": "ubereport.japanese.fiscal",
    "ReadResult": "ubereport.card.reader",
    "read_card": "ubereport.card.reader",
    "Registry": "ubereport.plan.registry",
    "default_registry": "ubereport.plan.registry",
    "load_registry": "ubereport.plan.registry",
    "ValidationReport": "ubereport.validate.context",
    "validate_card": "ubereport.validate.run",
    "validate_file": "ubereport.validate.run",
}

if TYPE_CHECKING:
    from ubereport.analysis.findings_frame import findings_frame
    from ubereport.analysis.render import render_reports
    from ubereport.analysis.tables import MasterTables, open_master
    from ubereport.card.model import Card, Initiative, Kpi, YearValue
    from ubereport.card.reader import ReadResult, read_card
    from ubereport.errors import CannotRun, MasterMissing, UbereportError
    from ubereport.findings import Finding, Severity
    from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
    from ubereport.japanese.values import ParsedValue, parse_value
    from ubereport.plan.rating import Bands, Status
    from ubereport.plan.registry import Registry, default_registry, load_registry
    from ubereport.validate.context import ValidationReport
    from ubereport.validate.run import validate_card, validate_file


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    if name == "__version__":
        from importlib.metadata import version

        return version("ubereport")
    raise AttributeError(f"module 'ubereport' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
