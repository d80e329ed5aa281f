"""ubereport: read, validate, merge and report 宇部市's アクションプラン cards."""

from ubereport.findings import Finding, Severity
from ubereport.model import Card, Initiative, Kpi, YearValue
from ubereport.reader import ReadResult, read_card
from ubereport.registry import Registry, default_registry, load_registry

__all__ = [
    "Card",
    "Finding",
    "Initiative",
    "Kpi",
    "ReadResult",
    "Registry",
    "Severity",
    "YearValue",
    "default_registry",
    "load_registry",
    "read_card",
]
