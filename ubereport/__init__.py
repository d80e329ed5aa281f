"""ubereport: read, validate, merge and report 宇部市's アクションプラン cards.

Public names are loaded on first use (PEP 562) so that ``python -m ubereport run`` with nothing
to do starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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

_HOME = {
    "Card": "ubereport.card.model",
    "Initiative": "ubereport.card.model",
    "Kpi": "ubereport.card.model",
    "YearValue": "ubereport.card.model",
    "Finding": "ubereport.findings",
    "Severity": "ubereport.findings",
    "ReadResult": "ubereport.card.reader",
    "read_card": "ubereport.card.reader",
    "Registry": "ubereport.plan.registry",
    "default_registry": "ubereport.plan.registry",
    "load_registry": "ubereport.plan.registry",
}

if TYPE_CHECKING:
    from ubereport.card.model import Card, Initiative, Kpi, YearValue
    from ubereport.card.reader import ReadResult, read_card
    from ubereport.findings import Finding, Severity
    from ubereport.plan.registry import Registry, default_registry, load_registry


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'ubereport' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
