"""Findings as a DataFrame: one row per finding, severity as an ordered category."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ubereport.findings import Finding, Severity

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("file", "sheet", "cell", "field", "code", "severity", "value", "message")


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """``findings`` (a card's, a batch's) with the columns of :data:`COLUMNS`."""
    import pandas as pd

    rows = [f.to_dict() for f in findings]
    columns = {}
    for name in COLUMNS:
        values = [r[name] for r in rows]
        if name == "severity":
            columns[name] = pd.Categorical(values, categories=[str(s) for s in Severity])
        else:
            columns[name] = pd.array(values, dtype="string")
    return pd.DataFrame(columns)
