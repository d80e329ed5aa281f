"""The open-data CSV of the 取組達成状況: one datum per cell, one row per plan × KPI × plan year.

UTF-8 with BOM (Excel opens it as UTF-8), CRLF line ends, a single header row of
:data:`COLUMNS`. 報告年度 and 対象年度 are written 「R4」; 目標値/実績値 are the texts as written
on the card; 達成率 is a number of percent (102.7) or empty; 達成区分 the status word and
評価根拠 「計算」 or 「所管課評価」 (both empty for years after the reported one). A plan without
any KPI has no rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ubereport.files.atomic import write_atomically
from ubereport.report.rows import Report

__all__ = ["COLUMNS", "csv_rows", "csv_text", "write_csv"]

COLUMNS = (
    "報告年度",
    "基本方針",
    "戦略",
    "計画No",
    "アクションプラン名",
    "主管課",
    "指標No",
    "指標名",
    "単位",
    "対象年度",
    "目標値",
    "実績値",
    "達成率",
    "達成区分",
    "評価根拠",
)


def csv_rows(report: Report) -> list[list[str]]:
    rows: list[list[str]] = []
    for plan in report.plans:
        entry = plan.entry
        for kpi in plan.kpis:
            for year in kpi.years:
                rate = year.rate_percent
                rows.append(
                    [
                        report.label,
                        entry.policy,
                        entry.strategy,
                        entry.plan_no,
                        entry.plan_name,
                        plan.lead_division,
                        str(kpi.kpi_no),
                        kpi.name,
                        kpi.unit,
                        year.label,
                        year.target,
                        year.actual,
                        "" if rate is None else f"{rate:f}",
                        year.status,
                        year.basis,
                    ]
                )
    return rows


def csv_text(report: Report) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(csv_rows(report))
    return buffer.getvalue()


def write_csv(path: Path, report: Report) -> None:
    text = csv_text(report)
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline=""))
