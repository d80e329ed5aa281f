"""The open-data CSV: exact header, encoding, one row per plan × KPI × plan year, exact rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_report_helpers import REG, sample_master

from ubereport.report import render_reports
from ubereport.report.opendata import COLUMNS

HEADER = (
    "報告年度,基本方針,戦略,計画No,アクションプラン名,主管課,指標No,指標名,単位,"
    "対象年度,目標値,実績値,達成率,達成区分,評価根拠"
)
POLICY1, POLICY2 = "1 行政資源の適切なコントロール", "2 政策効果の向上"


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    outbox = tmp_path_factory.mktemp("csv") / "outbox"
    render_reports(sample_master(outbox), outbox, 2022, REG)
    return (outbox / "R4" / "取組達成状況_R4.csv").read_bytes()


@pytest.fixture(scope="module")
def rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_utf8_with_bom_crlf_and_the_exact_header(raw: bytes) -> None:
    assert raw.startswith(b"\xef\xbb\xbf")
    first_line = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert first_line == HEADER
    assert ",".join(COLUMNS) == HEADER
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_one_row_per_plan_kpi_and_plan_year(rows: list[list[str]]) -> None:
    body = rows[1:]
    assert len(body) == 23 * 5  # 23 KPIs in 13 plans (03 has none), 5 plan years each
    assert {len(r) for r in rows} == {15}
    keys = [(r[3], r[6], r[9]) for r in body]
    assert len(set(keys)) == len(keys)
    assert [k for k in keys[:6]] == [
        ("01", "1", "R4"),
        ("01", "1", "R5"),
        ("01", "1", "R6"),
        ("01", "1", "R7"),
        ("01", "1", "R8"),
        ("01", "2", "R4"),
    ]
    assert {r[0] for r in body} == {"R4"}
    assert "03" not in {r[3] for r in body}


def _row(rows: list[list[str]], plan: str, kpi: str, year: str) -> list[str]:
    return next(r for r in rows if (r[3], r[6], r[9]) == (plan, kpi, year))


def test_exact_rows(rows: list[list[str]]) -> None:
    plan02 = ["R4", POLICY1, "1 収納対策と財源の確保", "02", "ふるさと納税等自主財源の獲得推進"]
    plan02 += ["移住定住推進課"]
    assert _row(rows, "02", "1", "R4") == [
        *plan02,
        *["1", "ふるさと納税寄附件数", "件", "R4", "4,200件", "4,315件", "102.7", "達成", "計算"],
    ]
    assert _row(rows, "02", "1", "R5") == [
        *plan02,
        *["1", "ふるさと納税寄附件数", "件", "R5", "4,400件", "", "", "", ""],
    ]
    assert _row(rows, "02", "2", "R4") == [
        *plan02,
        "2",
        "クラウドファンディング・企業版ふるさと納税額",
        "千円",
        *["R4", "10,000千円", "6,480千円", "64.8", "未達成", "計算"],
    ]
    assert _row(rows, "05", "2", "R4")[9:] == ["R4", "規程策定", "策定済", "", "達成", "所管課評価"]
    assert _row(rows, "01", "2", "R4")[9:] == [
        "R4",
        "2,121,796千円",
        "集計中",
        "",
        "集計中",
        "計算",
    ]
    assert _row(rows, "01", "1", "R6")[9:] == [
        "R6",
        "次期債権管理計画で目標値を設定",
        "",
        "",
        "",
        "",
    ]
    assert _row(rows, "13", "2", "R4") == [
        *["R4", POLICY2, "7 広報・広聴活動の強化", "13", "積極的な広報活動の推進", "広報広聴課"],
        *["2", "宇部市の認知度", "位", "R4", "300位", "298位", "100.7", "達成", "計算"],
    ]


def test_rates_are_plain_percent_numbers(rows: list[list[str]]) -> None:
    rates = [r[12] for r in rows[1:] if r[12]]
    assert len(rates) == 20
    assert all(float(x) > 0 and "%" not in x for x in rates)
    statuses = {r[13] for r in rows[1:]}
    assert statuses == {"", "達成", "概ね達成", "未達成", "集計中", "目標未設定"}
    assert {r[14] for r in rows[1:]} == {"", "計算", "所管課評価"}


def test_the_csv_is_rendered_from_the_master_only(tmp_path: Path) -> None:
    """No inbox anywhere near: the report reads nothing but the master."""
    outbox = tmp_path / "elsewhere"
    render_reports(sample_master(tmp_path / "m"), outbox, 2022, REG)
    assert sorted(p.name for p in (outbox / "R4").iterdir()) == [
        "cards",
        "アクションプラン_R4.xlsx",
        "取組達成状況_R4.csv",
        "取組達成状況_R4.xlsx",
    ]
    assert not (tmp_path / "inbox").exists()
