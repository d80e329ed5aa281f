"""The open-data CSV and its datapackage.json: exact header, rows, escaping, Frictionless validation."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_helpers import REG, sample_master

from ubereport.master import load
from ubereport.plan.municipality import Municipality
from ubereport.report import render_reports
from ubereport.report.datapackage import datapackage
from ubereport.report.opendata import COLUMNS, FIELDS, LEGACY_COLUMNS, csv_text, escape_text
from ubereport.report.rows import Report, build_report

LEGACY_HEADER = (
    "報告年度,基本方針,戦略,計画No,アクションプラン名,主管課,指標No,指標名,単位,"
    "対象年度,目標値,実績値,達成率,達成区分,評価根拠"
)
NEW_HEADER = (
    "全国地方公共団体コード,都道府県名,市区町村名,報告年度_西暦,報告年度_和暦,対象年度_西暦,"
    "対象年度_和暦,方針番号,戦略番号,方向,目標値_単位,目標値_比較,目標値_原文,実績値_単位,"
    "実績値_比較,実績値_原文,基準値_年度,基準値,基準値_単位,基準値_比較,基準値_原文,備考,"
    "計画ID,計画名,階層名,第3階層,第3階層番号"
)
POLICY1, POLICY2 = "1 行政資源の適切なコントロール", "2 政策効果の向上"
UBE = ["352021", "山口県", "宇部市", "2022", "令和4年度"]


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outbox = tmp_path_factory.mktemp("csv") / "outbox"
    render_reports(sample_master(outbox), outbox, 2022, REG)
    return outbox


@pytest.fixture(scope="module")
def raw(outbox: Path) -> bytes:
    return (outbox / "R4" / "取組達成状況_R4.csv").read_bytes()


@pytest.fixture(scope="module")
def rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _d(row: list[str]) -> dict[str, str]:
    return dict(zip(COLUMNS, row, strict=True))


def test_utf8_with_bom_crlf_and_the_old_header_as_prefix(raw: bytes) -> None:
    assert raw.startswith(b"\xef\xbb\xbf")
    first_line = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert first_line == LEGACY_HEADER + "," + NEW_HEADER
    assert ",".join(LEGACY_COLUMNS) == LEGACY_HEADER
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_one_row_per_plan_kpi_and_year_and_one_for_the_plan_that_never_reported(
    rows: list[list[str]],
) -> None:
    body = rows[1:]
    assert len(body) == 23 * 5 + 1  # 23 KPIs in 13 plans, 5 plan years each; plan 03: one row
    assert {len(r) for r in rows} == {len(COLUMNS)} == {42}
    keys = [(r[3], r[6], r[9]) for r in body]
    assert len(set(keys)) == len(keys)
    assert keys[:6] == [
        ("01", "1", "R4"),
        ("01", "1", "R5"),
        ("01", "1", "R6"),
        ("01", "1", "R7"),
        ("01", "1", "R8"),
        ("01", "2", "R4"),
    ]
    assert sorted({r[3] for r in body}) == [p.plan_no for p in REG.plans]
    assert {tuple(r[15:20]) for r in body} == {tuple(UBE)}


def _row(rows: list[list[str]], plan: str, kpi: str, year: str) -> dict[str, str]:
    return _d(next(r for r in rows if (r[3], r[6], r[9]) == (plan, kpi, year)))


PLAN_COLUMNS = "|ube-2022|宇部市行財政改革推進計画|基本方針／戦略||"  # 計画ID … 第3階層番号


def _expected(values: str) -> dict[str, str]:
    return dict(zip(COLUMNS, (values + PLAN_COLUMNS).split("|"), strict=True))


def test_exact_rows(rows: list[list[str]]) -> None:
    head02 = (
        f"R4|{POLICY1}|1 収納対策と財源の確保|02|ふるさと納税等自主財源の獲得推進|移住定住推進課"
    )
    ube = "|".join(UBE)
    assert _row(rows, "02", "1", "R4") == _expected(
        f"{head02}|1|ふるさと納税寄附件数|件|R4|4200|4315|102.7|達成|計算|{ube}|2022|令和4年度|1|1|"
        "高いほど良い|件||4,200件|件||4,315件|基準値(R3)|3900|件||3,900件|"
    )
    assert _row(rows, "02", "1", "R5") == _expected(
        f"{head02}|1|ふるさと納税寄附件数|件|R5|4400|||||{ube}|2023|令和5年度|1|1|"
        "高いほど良い|件||4,400件||||基準値(R3)|3900|件||3,900件|"
    )
    assert _row(rows, "01", "2", "R4") == _expected(
        f"R4|{POLICY1}|1 収納対策と財源の確保|01|未収債権の発生防止・適正な対応|収納課|2|"
        f"未収債権額(債権管理計画・主要な債権)|千円|R4|2121796|||集計中|計算|{ube}|2022|令和4年度|"
        "1|1|低いほど良い|千円||2,121,796千円|||集計中|基準値(R3)||||集計中|"
    )
    assert _row(rows, "01", "1", "R6") == _expected(
        f"R4|{POLICY1}|1 収納対策と財源の確保|01|未収債権の発生防止・適正な対応|収納課|1|"
        f"現年度分収納率(債権管理計画・主要な債権)|%|R6||||||{ube}|2024|令和6年度|1|1|"
        "高いほど良い|||次期債権管理計画で目標値を設定||||基準値(R3)|96.79|%||96.79%|"
    )
    # a qualitative target rated by the division; the baseline 「-」 is escaped as text
    assert _row(rows, "05", "2", "R4") == _expected(
        f"R4|{POLICY1}|3 資産の有効活用|05|公共施設マネジメントの推進|財産管理課|2|"
        f"優先的検討規程に基づく 公共施設建設等におけるPPP/PFI手法導入検討割合|%|R4||||達成|"
        f"所管課評価|{ube}|2022|令和4年度|1|3|高いほど良い|||規程策定|||策定済|基準値||||'-|"
    )
    assert _row(rows, "13", "2", "R4") == _expected(
        f"R4|{POLICY2}|7 広報・広聴活動の強化|13|積極的な広報活動の推進|広報広聴課|2|宇部市の認知度|"
        f"位|R4|300|298|100.7|達成|計算|{ube}|2022|令和4年度|2|7|低いほど良い|位||300位|位||298位|"
        "基準値(R3)|366|位||366位|"
    )
    assert _row(rows, "03", "", "R4") == _expected(
        f"R4|{POLICY1}|2 持続可能な行財政運営|03|未来投資のための事務事業の見直し||||"
        f"|R4||||未提出||{ube}|2022|令和4年度|1|2|||||||||||||"
        "報告なし（この計画の指標・実績は台帳にありません）"
    )


def test_numeric_columns_hold_bare_numbers(rows: list[list[str]]) -> None:
    numeric = [i for i, f in enumerate(FIELDS) if f.type != "string"]
    for r in rows[1:]:
        for i in numeric:
            if r[i]:
                float(r[i])  # raises on 「4,200件」「99.05%」「△」
                assert "," not in r[i] and "e" not in r[i].lower()
    rates = [r[12] for r in rows[1:] if r[12]]
    assert len(rates) == 20
    assert {r[13] for r in rows[1:]} == {
        "",
        "達成",
        "概ね達成",
        "未達成",
        "集計中",
        "目標未設定",
        "未提出",
    }
    assert {r[14] for r in rows[1:]} == {"", "計算", "所管課評価"}


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+81", "'+81"),
        ("-5件", "'-5件"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tタブ", "'\tタブ"),
        ("\r改行", "'\r改行"),
        ("4,200件", "4,200件"),
        ("収納率 = 収納額÷調定額", "収納率 = 収納額÷調定額"),
        ("", ""),
    ],
)
def test_escape_text_follows_the_owasp_rule(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


def _with_formula_like_texts(report: Report) -> Report:
    plan = next(p for p in report.plans if p.plan_no == "02")
    kpi = plan.kpis[0]
    years = (dataclasses.replace(kpi.years[0], target="-5件", actual="=1+1"), *kpi.years[1:])
    kpi = dataclasses.replace(kpi, name="@指標", years=years)
    entry = dataclasses.replace(plan.entry, plan_name='=HYPERLINK("http://x","x")')
    fields = {**plan.fields, "lead_division": "+移住定住推進課"}
    changed = dataclasses.replace(plan, entry=entry, fields=fields, kpis=(kpi, *plan.kpis[1:]))
    plans = tuple(changed if p is plan else p for p in report.plans)
    return dataclasses.replace(report, plans=plans)


def test_formula_like_texts_are_escaped_and_numbers_are_not(tmp_path: Path) -> None:
    report = _with_formula_like_texts(build_report(load(sample_master(tmp_path)), REG, 2022))
    text = csv_text(report, REG.municipality)
    row = _row(list(csv.reader(io.StringIO(text, newline=""))), "02", "1", "R4")
    assert row["アクションプラン名"] == '\'=HYPERLINK("http://x","x")'
    assert row["主管課"] == "'+移住定住推進課"
    assert row["指標名"] == "'@指標"
    assert (row["目標値"], row["目標値_単位"], row["目標値_原文"]) == ("-5", "件", "'-5件")
    assert (row["実績値"], row["実績値_原文"]) == ("", "'=1+1")


def test_another_municipality_from_the_plan_settings(tmp_path: Path) -> None:
    report = build_report(load(sample_master(tmp_path)), REG, 2022)
    sapporo = Municipality("011002", "北海道", "札幌市")
    body = list(csv.reader(io.StringIO(csv_text(report, sapporo), newline="")))[1:]
    assert {tuple(r[15:18]) for r in body} == {("011002", "北海道", "札幌市")}


def test_datapackage_describes_every_column(outbox: Path) -> None:
    package = json.loads((outbox / "R4" / "datapackage.json").read_text(encoding="utf-8"))
    report = build_report(load(outbox / "アクションプラン台帳.xlsx"), REG, 2022)
    assert package == datapackage(report, REG.municipality, "取組達成状況_R4.csv")
    (resource,) = package["resources"]
    assert resource["path"] == "取組達成状況_R4.csv"
    assert resource["encoding"] == "utf-8-sig"
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == list(COLUMNS)
    assert all(f["description"] for f in fields)
    types = {f["name"]: f["type"] for f in fields}
    assert [n for n, t in types.items() if t == "number"] == [
        "目標値",
        "実績値",
        "達成率",
        "基準値",
    ]
    assert [n for n, t in types.items() if t == "integer"] == [
        "指標No",
        "報告年度_西暦",
        "対象年度_西暦",
        "方針番号",
        "戦略番号",
        "第3階層番号",
    ]
    units = {f["name"]: f.get("unit") for f in fields if f.get("unit")}
    assert units == {"達成率": "%", "報告年度_西暦": "年", "対象年度_西暦": "年"}


def _frictionless(folder: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json", "--json"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    result: dict[str, object] = json.loads(done.stdout)
    assert (done.returncode == 0) is result["valid"]
    return result


def _errors(result: dict[str, object]) -> list[tuple[str, str, int]]:
    tasks = result["tasks"]
    assert isinstance(tasks, list)
    return [
        (e["type"], e.get("fieldName", ""), e.get("rowNumber", 0))
        for t in tasks
        for e in t["errors"]
    ]


def test_frictionless_validates_the_csv_against_its_datapackage(outbox: Path) -> None:
    result = _frictionless(outbox / "R4")
    assert (result["valid"], _errors(result)) == (True, [])


def test_frictionless_rejects_display_text_in_a_numeric_column(
    outbox: Path, tmp_path: Path
) -> None:
    """The schema is not a rubber stamp: the old CSV's 「4,315件」 in 実績値 fails it."""
    (tmp_path / "datapackage.json").write_bytes((outbox / "R4" / "datapackage.json").read_bytes())
    text = (outbox / "R4" / "取組達成状況_R4.csv").read_bytes().decode("utf-8-sig")
    old_row = ",R4,4200,4315,102.7,"
    assert text.count(old_row) == 1
    broken = text.replace(old_row, ',R4,4200,"4,315件",102.7,')
    (tmp_path / "取組達成状況_R4.csv").write_text(broken, encoding="utf-8-sig", newline="")
    result = _frictionless(tmp_path)
    line = next(n for n, t in enumerate(broken.split("\r\n"), start=1) if '"4,315件"' in t)
    assert (result["valid"], _errors(result)) == (False, [("type-error", "実績値", line)])


def test_the_csv_is_rendered_from_the_master_only(tmp_path: Path) -> None:
    """No inbox anywhere near: the report reads nothing but the master."""
    outbox = tmp_path / "elsewhere"
    render_reports(sample_master(tmp_path / "m"), outbox, 2022, REG)
    assert sorted(p.name for p in (outbox / "R4").iterdir()) == [
        "cards",
        "datapackage.json",
        "アクションプラン_R4.xlsx",
        "取組達成状況_R4.csv",
        "取組達成状況_R4.xlsx",
        "取組達成状況_公表_R4.xlsx",
    ]
    assert not (tmp_path / "inbox").exists()
