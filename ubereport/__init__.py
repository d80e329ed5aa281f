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
    "Card": "ubereport.model",
    "Initiative": "ubereport.model",
    "Kpi": "ubereport.model",
    "YearValue": "ubereport.model",
    "Finding": "ubereport.findings",
    "Severity": "ubereport.findings",
    "ReadResult": "ubereport.reader",
    "read_card": "ubereport.reader",
    "Registry": "ubereport.registry",
    "default_registry": "ubereport.registry",
    "load_registry": "ubereport.registry",
}

if TYPE_CHECKING:
    from ubereport.findings import Finding, Severity
    from ubereport.model import Card, Initiative, Kpi, YearValue
    from ubereport.reader import ReadResult, read_card
    from ubereport.registry import Registry, default_registry, load_registry


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'ubereport' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
