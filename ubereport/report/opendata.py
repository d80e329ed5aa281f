"""The open-data CSV of the 取組達成状況, by the national rules for machine-readable tables.

総務省 「統計表における機械判読可能なデータの表記方法の統一ルール」 and the 自治体標準オープン
データセット conventions: one datum per cell, one header row, numbers as bare numbers (no
separators, no units, no 「△」), the unit and the comparator (以上・以下・未満・超) in columns of
their own, the text as written kept beside for people, 年度 in 西暦 beside 和暦, and
全国地方公共団体コード / 都道府県名 / 市区町村名 in every row.

One row per plan × KPI × plan year, in 体系図 order; a registry plan without any KPI in the master
(it has never reported) is one row saying so, so every plan of the plan is in the file.

The first 15 columns keep the names of the earlier CSV (:data:`LEGACY_COLUMNS`), so an import by
column name keeps working; 目標値 and 実績値 now hold the bare number (the text as written is in
目標値_原文 / 実績値_原文). UTF-8 with BOM (Excel opens it as UTF-8), CRLF line ends.

Text cells that a spreadsheet would run as a formula (OWASP's CSV-injection rule: beginning with
``=``, ``+``, ``-``, ``@``, a tab or a CR) get a leading 「'」; numeric columns are never touched.
:mod:`ubereport.report.datapackage` describes every column for the Frictionless tools.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy_long
from ubereport.japanese.values import ParsedValue, parse_value
from ubereport.plan.municipality import Municipality
from ubereport.report.rows import NOT_SUBMITTED, KpiRow, PlanReport, Report, YearResult

__all__ = [
    "COLUMNS",
    "FIELDS",
    "LEGACY_COLUMNS",
    "NOT_REPORTED_NOTE",
    "Field",
    "csv_rows",
    "csv_text",
    "escape_text",
    "write_csv",
]

NOT_REPORTED_NOTE = "報告なし（この計画の指標・実績は台帳にありません）"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Field:
    """One CSV column: its header, Table Schema type, unit and description."""

    name: str
    type: str  # "string", "number" or "integer"
    description: str
    unit: str = ""


_VALUE_OF = "「{0}」の数値。単位は「{0}_単位」列、以上・以下などは「{0}_比較」列、書かれたとおりの文字は「{0}_原文」列"

FIELDS: tuple[Field, ...] = (
    Field("報告年度", "string", "報告の対象となった年度（和暦の略記 R4 など）"),
    Field(
        "基本方針",
        "string",
        "計画の体系の第1階層（番号と名称。宇部市の R4～R8 の計画では基本方針）",
    ),
    Field("戦略", "string", "第1階層の下の第2階層（番号と名称。宇部市の R4～R8 の計画では戦略）"),
    Field("計画No", "string", "アクションプランの番号（2桁）"),
    Field("アクションプラン名", "string", "アクションプランの名称"),
    Field("主管課", "string", "アクションプランの主管課"),
    Field("指標No", "integer", "目標指標の番号（1, 2）。報告のない計画では空欄"),
    Field("指標名", "string", "目標指標の項目"),
    Field("単位", "string", "目標指標の単位（カードの記載どおり）"),
    Field("対象年度", "string", "目標・実績の年度（和暦の略記 R4 など）"),
    Field("目標値", "number", _VALUE_OF.format("目標値")),
    Field("実績値", "number", _VALUE_OF.format("実績値")),
    Field("達成率", "number", "達成率（百分率の数値。評価していない年度・区分では空欄）", "%"),
    Field(
        "達成区分", "string", "達成・概ね達成・未達成・集計中・目標未設定・評価対象外・未提出など"
    ),
    Field("評価根拠", "string", "達成区分の根拠（計算 または 所管課評価）"),
    Field(
        "全国地方公共団体コード", "string", "総務省の全国地方公共団体コード（検査数字を含む6桁）"
    ),
    Field("都道府県名", "string", "都道府県名"),
    Field("市区町村名", "string", "市区町村名"),
    Field("報告年度_西暦", "integer", "報告年度の西暦年（年度の始まる年）", "年"),
    Field("報告年度_和暦", "string", "報告年度の和暦（令和4年度 など）"),
    Field("対象年度_西暦", "integer", "対象年度の西暦年（年度の始まる年）", "年"),
    Field("対象年度_和暦", "string", "対象年度の和暦（令和4年度 など）"),
    Field("方針番号", "integer", "第1階層（基本方針）の番号"),
    Field("戦略番号", "integer", "第2階層（戦略）の番号"),
    Field("方向", "string", "指標の方向（高いほど良い・低いほど良い・目標どおり）"),
    Field("目標値_単位", "string", "目標値の単位"),
    Field("目標値_比較", "string", "目標値に付いた条件（以上・超・以下・未満）"),
    Field("目標値_原文", "string", "目標値の書かれたとおりの文字"),
    Field("実績値_単位", "string", "実績値の単位"),
    Field("実績値_比較", "string", "実績値に付いた条件（以上・超・以下・未満）"),
    Field("実績値_原文", "string", "実績値の書かれたとおりの文字"),
    Field("基準値_年度", "string", "基準値の見出し（基準値(R3) など）"),
    Field("基準値", "number", _VALUE_OF.format("基準値")),
    Field("基準値_単位", "string", "基準値の単位"),
    Field("基準値_比較", "string", "基準値に付いた条件（以上・超・以下・未満）"),
    Field("基準値_原文", "string", "基準値の書かれたとおりの文字"),
    Field("備考", "string", "報告のない計画などの注記"),
    Field("計画ID", "string", "計画の識別子（計画の定義 plan.toml の plan_id）"),
    Field("計画名", "string", "計画の名称"),
    Field(
        "階層名", "string", "計画の体系の階層の名前（上から順に「／」区切り。例: 基本方針／戦略）"
    ),
    Field("第3階層", "string", "3階層の計画の第3階層（番号と名称）。2階層以下の計画では空欄"),
    Field("第3階層番号", "integer", "第3階層の番号。2階層以下の計画では空欄"),
)
COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
LEGACY_COLUMNS: tuple[str, ...] = COLUMNS[:15]
_TEXT = frozenset(f.name for f in FIELDS if f.type == "string")


def escape_text(text: str) -> str:
    """OWASP's CSV-injection rule: a text that a spreadsheet would run gets a leading 「'」."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number_text(value: float | Decimal | None) -> str:
    """A bare number: 2121796, -369000, 99.05 (no separator, exponent or trailing zero)."""
    if value is None:
        return ""
    dec = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    text = format(dec.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _value_columns(parsed: ParsedValue) -> tuple[str, str, str, str]:
    """(number, unit, comparator, original text) of one target, actual or baseline."""
    if not parsed.is_number:
        return "", "", "", parsed.text
    comparator = str(parsed.comparator) if parsed.comparator else ""
    return number_text(parsed.value), parsed.unit or "", comparator, parsed.text


def _common(report: Report, plan: PlanReport, municipality: Municipality) -> dict[str, str]:
    entry = plan.entry
    return {
        "報告年度": report.label,
        "基本方針": entry.policy,
        "戦略": entry.strategy,
        "計画No": entry.plan_no,
        "アクションプラン名": entry.plan_name,
        "主管課": plan.lead_division,
        "全国地方公共団体コード": municipality.code,
        "都道府県名": municipality.prefecture,
        "市区町村名": municipality.name,
        "報告年度_西暦": str(report.fiscal_year),
        "報告年度_和暦": format_fy_long(report.fiscal_year),
        "方針番号": str(entry.policy_no),
        "戦略番号": str(entry.strategy_no) if len(entry.levels) > 1 else "",
        **_plan_columns(report, plan),
    }


def _plan_columns(report: Report, plan: PlanReport) -> dict[str, str]:
    """Which plan, and the names and third level of its 体系 (a plan of any shape)."""
    reg, entry = report.registry, plan.entry
    third = entry.levels[2] if len(entry.levels) > 2 else None
    return {
        "計画ID": reg.plan_id if reg else "",
        "計画名": reg.title if reg else report.title,
        "階層名": "／".join(reg.levels) if reg else "",
        "第3階層": third.printed if third else "",
        "第3階層番号": str(third.no) if third else "",
    }


def _year_row(kpi: KpiRow, year: YearResult) -> dict[str, str]:
    target = _value_columns(parse_value(year.target))
    actual = _value_columns(parse_value(year.actual))
    baseline = _value_columns(parse_value(kpi.baseline))
    return {
        "指標No": str(kpi.kpi_no),
        "指標名": kpi.name,
        "単位": kpi.unit,
        "対象年度": year.label,
        "目標値": target[0],
        "実績値": actual[0],
        "達成率": number_text(year.rate_percent),
        "達成区分": year.status,
        "評価根拠": year.basis,
        "対象年度_西暦": str(year.fiscal_year),
        "対象年度_和暦": format_fy_long(year.fiscal_year),
        "方向": kpi.direction,
        "目標値_単位": target[1],
        "目標値_比較": target[2],
        "目標値_原文": target[3],
        "実績値_単位": actual[1],
        "実績値_比較": actual[2],
        "実績値_原文": actual[3],
        "基準値_年度": kpi.baseline_label,
        "基準値": baseline[0],
        "基準値_単位": baseline[1],
        "基準値_比較": baseline[2],
        "基準値_原文": baseline[3],
    }


def _not_reported(report: Report) -> dict[str, str]:
    return {
        "対象年度": report.label,
        "達成区分": NOT_SUBMITTED,
        "対象年度_西暦": str(report.fiscal_year),
        "対象年度_和暦": format_fy_long(report.fiscal_year),
        "備考": NOT_REPORTED_NOTE,
    }


def csv_rows(report: Report, municipality: Municipality) -> list[list[str]]:
    """Every data row, each with a value (or 「」) for every column of :data:`COLUMNS`."""
    rows: list[list[str]] = []
    for plan in report.plans:
        common = _common(report, plan, municipality)
        parts = [_year_row(k, y) for k in plan.kpis for y in k.years] or [_not_reported(report)]
        for part in parts:
            cells = common | part
            rows.append(
                [
                    escape_text(cells.get(name, "")) if name in _TEXT else cells.get(name, "")
                    for name in COLUMNS
                ]
            )
    return rows


def csv_text(report: Report, municipality: Municipality) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(csv_rows(report, municipality))
    return buffer.getvalue()


def write_csv(path: Path, report: Report, municipality: Municipality) -> None:
    text = csv_text(report, municipality)
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline=""))
