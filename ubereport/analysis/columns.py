"""pandas columns from the master's schema: text as ``string``, numbers as ``Float64``, counts
as ``Int64`` (all nullable, so a blank stays missing instead of becoming 0 or 「None」), the
fiscal year as the Western start year (``Int64``, R4 = 2022) beside its label 「R4」, and the
time stamps as ``datetime64``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.master.schema import Kind, Table

if TYPE_CHECKING:
    import pandas as pd

DTYPES = {Kind.TEXT: "string", Kind.NUMBER: "Float64", Kind.INT: "Int64"}
TIMESTAMPS = ("received_at", "changed_at")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def frame(table: Table, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The rows of ``table`` as a typed DataFrame, columns in the sheet's order."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for column in table.columns:
        values = [r.get(column.key) for r in rows]
        if column.key == "fiscal_year":
            years = [parse_fiscal_year(v) for v in values]
            columns["fiscal_year"] = pd.array(years, dtype="Int64")
            columns["year_label"] = pd.array(
                [format_fy(y) if y else _text(v) for y, v in zip(years, values, strict=True)],
                dtype="string",
            )
        elif column.key in TIMESTAMPS:
            columns[column.key] = _timestamps(values)
        else:
            columns[column.key] = pd.array(
                [_text(v) for v in values] if column.kind is Kind.TEXT else values,
                dtype=DTYPES[column.kind],
            )
    return pd.DataFrame(columns)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _timestamps(values: list[Any]) -> Any:
    """``datetime64`` when every stamp reads as 「2026-05-15 10:00:00」, else the texts as they are
    (a hand-edited stamp is never turned into a missing value)."""
    import pandas as pd

    texts = pd.array([_text(v) for v in values], dtype="string")
    try:
        return pd.to_datetime(pd.Series(texts), format=TIME_FORMAT).array
    except (ValueError, TypeError):
        return texts
