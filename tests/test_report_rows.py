"""The typed report rows built from the sample master: every R4 rating, submissions, 未提出."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import filled_sample
from test_report_helpers import REG, sample_master

from ubereport.master import merge_files, read_master
from ubereport.master.store import MasterData
from ubereport.plan.rating import Bands, Status
from ubereport.report.rows import (
    NOT_SUBMITTED,
    STATUS_KEYS,
    Report,
    build_report,
    latest_reported_year,
)

R4, R5 = 2022, 2023

#: Every KPI's R4 result in the sample: (plan, KPI) -> (target, actual, rate, mark, basis).
EXPECTED_R4 = {
    ("01", 1): ("99.05%", "98.87%", "99.8%", "○ 概ね達成", "計算"),
    ("01", 2): ("2,121,796千円", "集計中", "", "… 集計中", "計算"),
    ("02", 1): ("4,200件", "4,315件", "102.7%", "◎ 達成", "計算"),
    ("02", 2): ("10,000千円", "6,480千円", "64.8%", "△ 未達成", "計算"),
    ("04", 1): ("50億円", "52億円", "104.0%", "◎ 達成", "計算"),
    ("04", 2): ("675億円", "672億円", "100.4%", "◎ 達成", "計算"),
    ("05", 1): ("40%", "38%", "95.0%", "○ 概ね達成", "計算"),
    ("05", 2): ("規程策定", "策定済", "", "◎ 達成（所管課評価）", "所管課評価"),
    ("06", 1): ("1,073", "1,073", "100.0%", "◎ 達成", "計算"),
    ("06", 2): ("1,123", "1,123", "100.0%", "◎ 達成", "計算"),
    ("07", 1): ("33.7%以下", "31.9%", "105.6%", "◎ 達成", "計算"),
    ("08", 1): ("10時間/月以下", "9.8時間/月", "102.0%", "◎ 達成", "計算"),
    ("08", 2): ("1.5%以下", "1.9%", "78.9%", "○ 概ね達成", "計算"),
    ("09", 1): ("100%", "100%", "100.0%", "◎ 達成", "計算"),
    ("10", 1): ("-", "", "", "－ 目標未設定", "計算"),
    ("11", 1): ("20業務", "22業務", "110.0%", "◎ 達成", "計算"),
    ("11", 2): ("50%", "63%", "79.4%", "○ 概ね達成", "計算"),
    ("12", 1): ("100%", "67.8%", "67.8%", "△ 未達成", "計算"),
    ("12", 2): ("13%", "13.6%", "104.6%", "◎ 達成", "計算"),
    ("13", 1): ("70%", "71.2%", "101.7%", "◎ 達成", "計算"),
    ("13", 2): ("300位", "298位", "100.7%", "◎ 達成", "計算"),
    ("14", 1): ("65件", "68件", "104.6%", "◎ 達成", "計算"),
    ("14", 2): ("2,700件", "1,905件", "70.6%", "△ 未達成", "計算"),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> MasterData:
    return read_master(sample_master(tmp_path_factory.mktemp("rows")))


@pytest.fixture(scope="module")
def report(data: MasterData) -> Report:
    return build_report(data, REG, R4)


def test_every_r4_rating_of_the_sample(report: Report) -> None:
    got = {}
    for plan in report.plans:
        for kpi in plan.kpis:
            y = kpi.year(R4)
            assert y is not None
            got[(plan.plan_no, kpi.kpi_no)] = (y.target, y.actual, y.rate_text, y.mark, y.basis)
    assert got == EXPECTED_R4


def test_plans_follow_the_registry_and_03_has_no_submission(report: Report) -> None:
    assert [p.plan_no for p in report.plans] == [p.plan_no for p in REG.plans]
    plan03 = report.plans[2]
    assert (plan03.plan_no, plan03.has_data, plan03.kpis) == ("03", False, ())
    assert plan03.submission.state == NOT_SUBMITTED
    assert report.status_of(None) == NOT_SUBMITTED
    assert [(p.plan_no, k.kpi_no if k else None) for p, k in report.rows()][:6] == [
        ("01", 1),
        ("01", 2),
        ("02", 1),
        ("02", 2),
        ("03", None),
        ("04", 1),
    ]


def test_later_years_carry_targets_but_no_rating(report: Report) -> None:
    kpi = report.plans[1].kpis[0]
    assert [(y.label, y.target, y.actual, y.status) for y in kpi.years] == [
        ("R4", "4,200件", "4,315件", "達成"),
        ("R5", "4,400件", "", ""),
        ("R6", "4,600件", "", ""),
        ("R7", "4,800件", "", ""),
        ("R8", "5,000件", "", ""),
    ]
    assert kpi.years[1].rate_percent is None
    assert str(kpi.years[0].rate_percent) == "102.7"


def test_own_rating_keeps_the_computed_status_and_reason(report: Report) -> None:
    kpi = report.plans[4].kpis[1]
    rating = kpi.years[0].rating
    assert rating is not None
    assert (rating.status, rating.computed, rating.basis) == (
        Status.ACHIEVED,
        Status.QUALITATIVE,
        "所管課評価",
    )
    assert (kpi.own, kpi.own_reason.startswith("R5年3月に「PPP/PFI優先的検討規程」")) == (
        "達成",
        True,
    )


def test_submission_states_from_the_master(report: Report) -> None:
    got = {p.plan_no: (p.submission.state, p.submission.count) for p in report.plans}
    assert got == {p.plan_no: ("受理", 1) for p in REG.plans if p.plan_no != "03"} | {
        "03": ("未提出", 0)
    }
    plan01 = report.plans[0].submission
    assert (plan01.file_name, plan01.errors, plan01.warnings) == (
        "01_収納課_アクションプラン.xlsx",
        0,
        1,
    )


def test_two_spellings_of_one_year_keep_the_sheet_order(tmp_path: Path) -> None:
    """A hand-edited 提出 sheet may write one year two ways; the latest row is still the state."""
    data = read_master(sample_master(tmp_path))
    rows = data.rows("submissions")
    plan = rows[0]["plan_no"]
    base = {k: None for k in rows[0]} | {"plan_no": plan, "errors": 0, "warnings": 0}
    rows += [
        base | {"submission_id": "A", "fiscal_year": "令和5年度", "decision": "受理"},
        base | {"submission_id": "B", "fiscal_year": "R5", "decision": "要修正"},
        base | {"submission_id": "C", "fiscal_year": "令和5年度", "decision": "要修正"},
        base | {"submission_id": "D", "fiscal_year": "R5", "decision": "不採用（新しい提出あり）"},
    ]
    state = build_report(data, REG, R5).plans[0].submission
    assert (state.state, state.count) == ("要修正", 4)
    rows[-2]["decision"] = "受理"
    assert build_report(data, REG, R5).plans[0].submission.state == "受理"
    rows[-4]["decision"], rows[-2]["decision"] = "要修正", "不採用（新しい提出あり）"
    assert build_report(data, REG, R5).plans[0].submission.state == "要修正"  # B, the later
    assert latest_reported_year(data, REG) == R4


def test_a_year_without_cards_is_not_submitted(data: MasterData) -> None:
    r5 = build_report(data, REG, R5)
    statuses = {(p.plan_no, k.kpi_no): k.year(R5).status for p in r5.plans for k in p.kpis}  # type: ignore[union-attr]
    not_set = {("11", 1), ("11", 2)}  # R5 target 「次期計画で目標値を設定」
    assert statuses == {k: "目標未設定" if k in not_set else NOT_SUBMITTED for k in EXPECTED_R4}
    assert {p.submission.state for p in r5.plans} == {NOT_SUBMITTED}
    # the earlier year is still rated in the later report
    assert r5.plans[1].kpis[0].year(R4).mark == "◎ 達成"  # type: ignore[union-attr]


def test_latest_reported_year(data: MasterData) -> None:
    assert latest_reported_year(data, REG) == R4
    assert latest_reported_year(MasterData(), REG) == REG.first_year


def test_bands_are_passed_to_the_rule(data: MasterData) -> None:
    strict = build_report(data, REG, R4, Bands(1.05, 0.9))
    marks = {(p.plan_no, k.kpi_no): k.year(R4).mark for p in strict.plans for k in p.kpis}  # type: ignore[union-attr]
    assert (marks[("02", 1)], marks[("04", 1)], marks[("01", 1)]) == (
        "○ 概ね達成",
        "○ 概ね達成",
        "○ 概ね達成",
    )
    assert marks[("08", 2)] == "△ 未達成"


def test_a_rejected_resubmission_shows_but_keeps_the_accepted_data(tmp_path: Path) -> None:
    master = sample_master(tmp_path / "m")
    broken = filled_sample(tmp_path, "02", kpi1_actual_y1="")
    outcome = merge_files([broken], master, REG)
    assert [str(s.decision) for s in outcome.submissions] == ["要修正"]
    report = build_report(read_master(master), REG, R4)
    sub = report.plans[1].submission
    assert (sub.state, sub.count, sub.file_name, sub.errors) == ("要修正", 2, "card_02.xlsx", 1)
    assert report.plans[1].kpis[0].year(R4).mark == "◎ 達成"  # type: ignore[union-attr]


def test_status_keys_cover_every_final_status() -> None:
    assert set(STATUS_KEYS) == {str(s) for s in Status} - {"定性目標"} | {NOT_SUBMITTED}
    assert STATUS_KEYS[:3] == ("達成", "概ね達成", "未達成")
