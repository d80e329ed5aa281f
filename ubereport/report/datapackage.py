"""``datapackage.json`` beside the open-data CSV: a Frictionless Data Package with its Table Schema.

Every column of :data:`ubereport.report.opendata.FIELDS` with its name, type, unit (where it is
the same in every row; per-row units are in the ``_単位`` columns) and description, so that
``frictionless validate datapackage.json`` checks the CSV and a portal can read it without guessing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy_long
from ubereport.plan.municipality import Municipality
from ubereport.report.opendata import FIELDS
from ubereport.report.rows import Report

__all__ = ["DATAPACKAGE_NAME", "datapackage", "write_datapackage"]

DATAPACKAGE_NAME = "datapackage.json"


def _field(name: str, type_: str, description: str, unit: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "description": description}
    if unit:
        field["unit"] = unit
    if type_ == "number":
        # bare numbers only: no thousands separator, no unit, no 「△」
        field["bareNumber"] = True
    if name == "全国地方公共団体コード":
        field["constraints"] = {"required": True, "pattern": "[0-9]{6}"}
    elif name in ("報告年度", "計画No", "アクションプラン名", "報告年度_西暦", "対象年度_西暦"):
        field["constraints"] = {"required": True}
    return field


def datapackage(report: Report, municipality: Municipality, csv_name: str) -> dict[str, Any]:
    """The package describing ``csv_name`` (a file in the same folder)."""
    year = format_fy_long(report.fiscal_year)
    title = f"{municipality.name} {report.title} {year} 取組の達成状況"
    return {
        "name": f"ubereport-achievement-{municipality.code}-{report.fiscal_year}",
        "title": title,
        "description": (
            f"{title}。アクションプラン・目標指標・年度ごとに1行（目標値・実績値・達成率・達成区分）。"
            "報告のない計画も1行（備考に記載）。"
        ),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": [
            {
                "name": f"achievement-{report.fiscal_year}",
                "title": title,
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\r\n"},
                "schema": {
                    "fields": [_field(f.name, f.type, f.description, f.unit) for f in FIELDS],
                    "missingValues": [""],
                },
            }
        ],
    }


def write_datapackage(
    folder: Path, report: Report, municipality: Municipality, csv_name: str
) -> Path:
    path = folder / DATAPACKAGE_NAME
    text = json.dumps(datapackage(report, municipality, csv_name), ensure_ascii=False, indent=2)
    write_atomically(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return path
