"""The KPI values of every plan year, rated: one row per plan × KPI × plan year.

The rating is the reports' own (:func:`ubereport.report.rows.build_report`), so a frame and the
取組達成状況 workbook always agree: years up to the reported one are rated under the bands,
later years are not rated yet (``status`` missing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ubereport.japanese.values import parse_value
from ubereport.master.store import MasterData
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.report.rows import STATUS_KEYS, build_report

if TYPE_CHECKING:
    import pandas as pd

COLUMNS: dict[str, str] = {
    "plan_no": "string",
    "plan_name": "string",
    "policy": "string",
    "strategy": "string",
    "lead_division": "string",
    "kpi_no": "Int64",
    "kpi_name": "string",
    "kpi_unit": "string",
    "direction": "string",
    "fiscal_year": "Int64",
    "year_label": "string",
    "target_text": "string",
    "target_value": "Float64",
    "target_unit": "string",
    "target_comparator": "string",
    "actual_text": "string",
    "actual_value": "Float64",
    "actual_unit": "string",
    "actual_comparator": "string",
    "rate": "Float64",
    "rate_percent": "Float64",
    "status": "category",
    "basis": "string",
    "computed_status": "string",
    "reason": "string",
    "rated_target_text": "string",
    "assessment": "string",
    "assessment_reason": "string",
}


def kpi_value_frame(
    data: MasterData, registry: Registry, fiscal_year: int, bands: Bands | None = None
) -> pd.DataFrame:
    """Every registry plan's KPI values, rated for the reported ``fiscal_year``."""
    import pandas as pd

    report = build_report(data, registry, fiscal_year, bands)
    records: list[dict[str, Any]] = []
    for plan in report.plans:
        for kpi in plan.kpis:
            for year in kpi.years:
                target, actual = parse_value(year.target), parse_value(year.actual)
                rating = None if year.not_submitted else year.rating
                records.append(
                    {
                        "plan_no": plan.plan_no,
                        "plan_name": plan.text("plan_name"),
                        "policy": plan.text("policy"),
                        "strategy": plan.text("strategy"),
                        "lead_division": plan.lead_division,
                        "kpi_no": kpi.kpi_no,
                        "kpi_name": kpi.name,
                        "kpi_unit": kpi.unit,
                        "direction": kpi.direction,
                        "fiscal_year": year.fiscal_year,
                        "year_label": year.label,
                        "target_text": year.target,
                        "target_value": target.value,
                        "target_unit": target.unit,
                        "target_comparator": _str(target.comparator),
                        "actual_text": year.actual,
                        "actual_value": actual.value,
                        "actual_unit": actual.unit,
                        "actual_comparator": _str(actual.comparator),
                        "rate": rating.rate if rating else None,
                        "rate_percent": year.rate_percent,
                        "status": year.status or None,
                        "basis": year.basis,
                        "computed_status": _str(rating.computed) if rating else None,
                        "reason": rating.reason if rating else None,
                        "rated_target_text": rating.target_text if rating else None,
                        "assessment": _str(rating.own) if rating else None,
                        "assessment_reason": rating.own_reason if rating else None,
                    }
                )
    columns = {}
    for name, dtype in COLUMNS.items():
        values = [_blank(r[name]) for r in records]
        if name == "status":
            columns[name] = pd.Categorical(values, categories=list(STATUS_KEYS))
        elif dtype == "Float64":
            columns[name] = pd.array([None if v is None else float(v) for v in values], dtype=dtype)
        else:
            columns[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(columns)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _blank(value: Any) -> Any:
    return None if value == "" else value
