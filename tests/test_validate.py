"""Validation: one test per check, each asserting the complete findings list of a card broken
in exactly that way (built from the real template by defined name)."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from builders import FIXTURES, ROOT, filled_sample, rewrite_parts

from ubereport.validate import validate_file
from ubereport.validate.batch import Decision, Submission, content_hash, decide

E, W = "エラー", "警告"

# (id, plan, overrides, expected [(code, severity, cell, field)])
CASES: list[tuple[str, str, dict[str, object], list[tuple[str, str, str | None, str | None]]]] = [
    ("valid-sample", "02", {}, []),
    ("plan-no-missing", "02", {"plan_no": ""}, [("plan-no-missing", E, "A3", "plan_no")]),
    ("plan-no-unknown", "02", {"plan_no": "15"}, [("plan-no-unknown", E, "A3", "plan_no")]),
    ("plan-no-as-number", "02", {"plan_no": 2}, []),
    ("plan-no-full-width", "02", {"plan_no": "０２"}, []),
    (
        "plan-name-mismatch",
        "02",
        {"plan_name": "ふるさと納税の推進"},
        [("plan-name-mismatch", W, "B3", "plan_name")],
    ),
    (
        "policy-mismatch",
        "02",
        {"policy": "2 政策効果の向上"},
        [("policy-mismatch", W, "H2", "policy")],
    ),
    (
        "strategy-mismatch",
        "02",
        {"strategy": "2 持続可能な行財政運営"},
        [("strategy-mismatch", W, "H3", "strategy")],
    ),
    (
        "lead-division-mismatch",
        "02",
        {"lead_division": "財政課"},
        [("lead-division-mismatch", W, "B4", "lead_division")],
    ),
    ("full-width-spacing-is-same", "02", {"policy": "１　行政資源の適切なコントロール"}, []),
    (
        "fiscal-year-missing",
        "02",
        {"fiscal_year": ""},
        [("fiscal-year-missing", E, "J1", "fiscal_year")],
    ),
    (
        "fiscal-year-invalid",
        "02",
        {"fiscal_year": "来年度"},
        [("fiscal-year-invalid", E, "J1", "fiscal_year")],
    ),
    (
        "fiscal-year-out-of-period",
        "02",
        {"fiscal_year": "R9"},
        [("fiscal-year-out-of-period", E, "J1", "fiscal_year")],
    ),
    ("fiscal-year-long-form", "02", {"fiscal_year": "令和４年度"}, []),
    (
        "year-heading-changed",
        "02",
        {"year_y5": "R9"},
        [("year-heading-changed", W, "M16", "year_y5")],
    ),
    (
        "value-invalid-question",
        "02",
        {"kpi1_actual_y1": "12?"},
        [("value-invalid", E, "I18", "kpi1_actual_y1")],
    ),
    (
        "value-invalid-kurai",
        "02",
        {"kpi1_actual_y1": "１２件くらい"},
        [("value-invalid", E, "I18", "kpi1_actual_y1")],
    ),
    (
        "value-unit-mismatch",
        "02",
        {"kpi1_actual_y1": "4,315人"},
        [("value-unit-mismatch", E, "I18", "kpi1_actual_y1")],
    ),
    (
        "target-unit-mismatch",
        "02",
        {"kpi1_target_y3": "4,600人"},
        [("value-unit-mismatch", E, "K17", "kpi1_target_y3")],
    ),
    ("same-unit-accepted", "02", {"kpi1_actual_y1": "４，３１５件"}, []),
    ("bare-number-accepted", "02", {"kpi1_actual_y1": 4315}, []),
    (
        "baseline-unit-mismatch",
        "02",
        {"kpi1_baseline": "3,900人"},
        [("baseline-unit-mismatch", W, "H17", "kpi1_baseline")],
    ),
    (
        "percent-out-of-range",
        "12",
        {"kpi1_actual_y1": "142.7%"},
        [("value-percent-range", W, "I18", "kpi1_actual_y1")],
    ),
    (
        "actual-missing",
        "02",
        {"kpi1_actual_y1": ""},
        [("actual-missing", E, "I18", "kpi1_actual_y1")],
    ),
    (
        "actual-dash",
        "02",
        {"kpi1_actual_y1": "－"},
        [("actual-missing", E, "I18", "kpi1_actual_y1")],
    ),
    (
        "actual-pending",
        "02",
        {"kpi1_actual_y1": "集計中"},
        [("actual-pending", W, "I18", "kpi1_actual_y1")],
    ),
    (
        "actual-future",
        "02",
        {"kpi1_actual_y2": "4,500件"},
        [("actual-future", W, "J18", "kpi1_actual_y2")],
    ),
    (
        "direction-invalid",
        "02",
        {"kpi1_direction": "上がれば良い"},
        [("direction-invalid", E, "J15", "kpi1_direction")],
    ),
    (
        "kpi-values-without-name",
        "02",
        {"kpi1_name": ""},
        [("kpi-values-without-name", W, "H13", "kpi1_name")],
    ),
    (
        "achievements-missing",
        "02",
        {"achievements": ""},
        [("achievements-missing", E, "A34", "achievements")],
    ),
    (
        "shortfall-reason-missing",
        "02",
        {"shortfall_reason": ""},
        [("shortfall-reason-missing", E, "A36", "shortfall_reason")],
    ),
    (
        "own-rating-without-reason",
        "02",
        {"kpi1_assessment": "未達成"},
        [("assessment-reason-missing", E, "J19", "kpi1_assessment_reason")],
    ),
    (
        "own-rating-with-reason",
        "02",
        {"kpi1_assessment": "概ね達成", "kpi1_assessment_reason": "件数は達成したが金額が前年割れ"},
        [],
    ),
    (
        "own-rating-lifts-shortfall",
        "02",
        {
            "kpi2_assessment": "概ね達成",
            "kpi2_assessment_reason": "大型事業がR5に延期",
            "shortfall_reason": "",
        },
        [],
    ),
    (
        "assessment-invalid",
        "02",
        {"kpi1_assessment": "まあまあ"},
        [("assessment-invalid", E, "H19", "kpi1_assessment")],
    ),
    ("text-too-long", "02", {"situation": "あ" * 1000}, [("text-too-long", W, "A11", "situation")]),
    (
        "formula-like-plus",
        "02",
        {"next_actions": "+R5も継続"},
        [("text-formula-like", W, "A38", "next_actions")],
    ),
    (
        "formula-like-at",
        "02",
        {"related_plans": "@宇部市総合計画"},
        [("text-formula-like", W, "G29", "related_plans")],
    ),
    (
        "formula-like-equals-kept-as-text",
        "02",
        {"outcome": '=HYPERLINK("http://evil","x")'},
        [("text-formula-like", W, "A7", "outcome")],
    ),
    ("dash-in-value-cell-is-not-formula", "02", {"kpi1_actual_y3": "-"}, []),
    (
        "output-result-invalid",
        "02",
        {"output_result_2": "5事業くらい"},
        [("output-result-invalid", E, "M9", "output_result_2")],
    ),
    ("output-free-text-accepted", "12", {"output_result_3": "R5.2月開始"}, []),
    (
        "template-version-unknown",
        "02",
        {"template_version": "城下町様式v0"},
        [("template-version-unknown", W, "L1", "template_version")],
    ),
    (
        "many-at-once",
        "02",
        {
            "plan_name": "ふるさと納税",
            "kpi1_actual_y1": "12?",
            "kpi2_actual_y1": "",
            "achievements": "",
        },
        [
            ("plan-name-mismatch", W, "B3", "plan_name"),
            ("value-invalid", E, "I18", "kpi1_actual_y1"),
            ("actual-missing", E, "I26", "kpi2_actual_y1"),
            ("achievements-missing", E, "A34", "achievements"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("plan", "overrides", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_check_reports_exactly_its_findings(
    tmp_path: Path, plan: str, overrides: dict[str, object], expected: list[tuple[str, ...]]
) -> None:
    report = validate_file(filled_sample(tmp_path, plan, **overrides))
    assert report.flatten(("code", "severity", "cell", "field")) == expected
    for f in report.findings:
        assert f.file == f"card_{plan}.xlsx"
        assert f.sheet == "アクションプラン"
        assert f.message.endswith("。")
    assert report.valid is (not any(e[1] == E for e in expected))


def test_messages_name_both_values(tmp_path: Path) -> None:
    report = validate_file(
        filled_sample(tmp_path, "02", lead_division="財政課", kpi1_actual_y1="4,315人")
    )
    assert [f.message for f in report.findings] == [
        "主管課が登録と違います（入力:「財政課」、登録:「移住定住推進課」）。組織改正などで変わった場合は行革推進課に連絡してください。",
        "「4,315人」の単位「人」が指標の単位「件」と違います。件に換算した数値を入力してください。",
    ]


def test_shortfall_message_shows_the_rate(tmp_path: Path) -> None:
    (finding,) = validate_file(filled_sample(tmp_path, "02", shortfall_reason="")).findings
    assert finding.message == (
        "クラウドファンディング・企業版ふるさと納税額はR4が未達成（64.8%）です。"
        "「未達成の理由・改善策」に理由と今後の改善策を記入してください。"
    )


def test_target_differs_from_the_registered_plan_target(tmp_path: Path) -> None:
    path = filled_sample(tmp_path, "02", kpi1_target_y2="4,500件")
    registered = {("02", 1, 2023): "4,400件", ("02", 1, 2024): "4,600件"}
    report = validate_file(path, registered_targets=registered)
    assert report.flatten(("code", "severity", "cell", "value")) == [
        ("target-changed", W, "J17", "4,500件")
    ]
    assert report.findings[0].message == (
        "R5の目標値が登録と違います（入力:「4,500件」、登録:「4,400件」）。"
        "目標値の変更は行革推進課と協議のうえで行ってください。"
    )


def test_macro_enabled_workbook_is_read_with_a_warning(tmp_path: Path) -> None:
    src = filled_sample(tmp_path, "02")
    with zipfile.ZipFile(src) as z:
        types = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    path = rewrite_parts(src, tmp_path / "マクロ.xlsm", {"[Content_Types].xml": types})
    report = validate_file(path)
    assert report.flatten(("code", "severity", "cell")) == [("file-macro-enabled", W, None)]
    assert report.card is not None and report.card.plan_no == "02"


def test_zip_bombs_are_refused_before_parsing(tmp_path: Path) -> None:
    ratio = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024))
    members = tmp_path / "members.xlsx"
    with zipfile.ZipFile(members, "w") as z:
        for i in range(2500):
            z.writestr(f"xl/media/image{i}.png", b"x")
    for path, detail in (
        (ratio, "xl/worksheets/sheet1.xml の圧縮率が異常です"),
        (members, "部品の数 2,500"),
    ):
        report = validate_file(path)
        assert report.flatten(("code", "severity")) == [("file-too-large", E)]
        assert detail in report.findings[0].message


def test_feedback_for_real_program_files() -> None:
    for name, code in (
        ("legacy_excel97_card04.xls", "file-legacy-xls"),
        ("encrypted_password_card04.xlsx", "file-encrypted"),
    ):
        assert validate_file(FIXTURES / name).flatten(("code",)) == [(code,)]


def _sub(path: Path, mtime: float) -> Submission:
    os.utime(path, (mtime, mtime))
    return Submission(path, validate_file(path), content_hash(path), mtime)


def test_two_files_for_the_same_plan_and_year_newest_is_taken(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = filled_sample(tmp_path / "a", "02")
    new = filled_sample(tmp_path / "b", "02", achievements="差し替え版")
    renamed = new.rename(tmp_path / "b" / "02_差替.xlsx")
    batch = decide([_sub(old, 1_700_000_000), _sub(renamed, 1_700_000_100)])
    assert [(s.path.name, s.decision) for s in batch] == [
        ("card_02.xlsx", Decision.SUPERSEDED),
        ("02_差替.xlsx", Decision.ACCEPTED),
    ]
    assert [[(f.code, f.severity.value, f.message) for f in s.notes] for s in batch] == [
        [
            (
                "duplicate-superseded",
                W,
                "同じNo.02・R4のファイルがほかにもあります（「02_差替.xlsx」）。新しい方を採用し、このファイルは取り込みませんでした。",
            )
        ],
        [
            (
                "duplicate-taken",
                W,
                "同じNo.02・R4のファイルがほかにもあります（「card_02.xlsx」）。このファイル（新しい方）を採用しました。",
            )
        ],
    ]


def test_same_mtime_is_decided_by_name(tmp_path: Path) -> None:
    a = filled_sample(tmp_path, "02").rename(tmp_path / "02_b.xlsx")
    b = filled_sample(tmp_path, "02", achievements="別版").rename(tmp_path / "02_a.xlsx")
    batch = decide([_sub(a, 1_700_000_000), _sub(b, 1_700_000_000)])
    assert [(s.path.name, s.decision) for s in batch] == [
        ("02_b.xlsx", Decision.ACCEPTED),
        ("02_a.xlsx", Decision.SUPERSEDED),
    ]


def test_content_already_merged_is_not_merged_twice(tmp_path: Path) -> None:
    path = filled_sample(tmp_path, "02")
    sub = _sub(path, 1_700_000_000)
    (decided,) = decide([sub], {sub.sha256: "2026-05-01 取込: card_02.xlsx"})
    assert decided.decision is Decision.ALREADY_PROCESSED
    assert [(f.code, f.message) for f in decided.notes] == [
        (
            "already-processed",
            "このファイルと同じ内容はすでに取り込み済みです（2026-05-01 取込: card_02.xlsx）。二重には取り込みません。",
        )
    ]


def test_the_same_file_twice_in_one_batch_is_one_submission(tmp_path: Path) -> None:
    """Two byte-identical copies: the newest stands for both and still wins its plan/year."""
    older = filled_sample(tmp_path, "02").rename(tmp_path / "02_旧.xlsx")
    copy = shutil.copy(older, tmp_path / "02_コピー.xlsx")  # same bytes, whatever the clock
    first = shutil.copy(older, tmp_path / "02_最初.xlsx")
    (tmp_path / "c").mkdir()
    bad = filled_sample(tmp_path / "c", "02", achievements="")
    bad_copy = shutil.copy(bad, tmp_path / "02_誤り_コピー.xlsx")
    batch = decide(
        [
            _sub(Path(first), 1_700_000_000),
            _sub(Path(copy), 1_700_000_200),
            _sub(older, 1_700_000_100),
            _sub(bad, 1_700_000_050),
            _sub(Path(bad_copy), 1_700_000_060),
        ]
    )
    assert [(s.path.name, s.decision, [f.code for f in s.notes]) for s in batch] == [
        ("02_最初.xlsx", Decision.ALREADY_PROCESSED, ["same-content"]),
        ("02_コピー.xlsx", Decision.ACCEPTED, ["duplicate-taken"]),
        ("02_旧.xlsx", Decision.ALREADY_PROCESSED, ["same-content"]),
        ("card_02.xlsx", Decision.REJECTED, ["same-content"]),
        ("02_誤り_コピー.xlsx", Decision.SUPERSEDED, ["duplicate-superseded"]),
    ]
    assert batch[0].notes[0].message == (
        "このファイルと中身がまったく同じ「02_コピー.xlsx」が同時に提出されています。"
        "「02_コピー.xlsx」の方で処理し、このファイルは二重には取り込みません。"
    )


def test_rejected_when_any_error(tmp_path: Path) -> None:
    sub = _sub(filled_sample(tmp_path, "02", achievements=""), 1_700_000_000)
    (decided,) = decide([sub])
    assert decided.decision is Decision.REJECTED


def test_zip_bytes_helper_is_stable() -> None:
    assert zipfile.is_zipfile(
        io.BytesIO((ROOT / "templates" / "actionplan_sheet.xlsx").read_bytes())
    )


def test_xml_with_a_dtd_is_refused(tmp_path: Path) -> None:
    src = filled_sample(tmp_path, "02")
    with zipfile.ZipFile(src) as z:
        book = z.read("xl/workbook.xml")
    dtd = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    book = dtd + book
    path = rewrite_parts(src, tmp_path / "dtd.xlsx", {"xl/workbook.xml": book})
    report = validate_file(path)
    assert report.flatten(("code", "severity")) == [("file-corrupt", E)]
    assert "危険なXML構造（DTD）" in report.findings[0].message


def test_utf16_xml_with_a_dtd_is_refused(tmp_path: Path) -> None:
    src = filled_sample(tmp_path, "02")
    with zipfile.ZipFile(src) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
    dtd = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
    data = (dtd + book).encode("utf-16")
    path = rewrite_parts(src, tmp_path / "dtd16.xlsx", {"xl/workbook.xml": data})
    report = validate_file(path)
    assert report.flatten(("code", "severity")) == [("file-corrupt", E)]
    assert "危険なXML構造（DTD）" in report.findings[0].message
