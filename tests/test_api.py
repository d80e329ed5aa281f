"""The public Python API (``__all__`` itself: tests/test_registry.py): DataFrames with proper dtypes that
agree with the reports; docs/api.md's examples print what the doc says; an idle run loads no
pandas, openpyxl or xlsxwriter."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import ROOT, filled_sample

import ubereport
from ubereport.analysis.columns import frame
from ubereport.cli import main
from ubereport.master.schema import SUBMISSIONS
from ubereport.report.opendata import COLUMNS, csv_rows
from ubereport.report.rows import build_report

DOC = ROOT / "docs" / "api.md"
EXAMPLE = re.compile(r"<!-- example -->\n```python\n(.*?)```\n\n```text\n(.*?)```\n", re.S)


def test_an_idle_run_loads_no_pandas_openpyxl_or_xlsxwriter(tmp_path: Path) -> None:
    root = tmp_path / "share"
    assert main(["init", "--root", str(root)]) == 0
    script = (
        "import sys\nfrom ubereport.cli import main\n"
        f"assert main(['run', '--root', {str(root)!r}]) == 0\n"
        "print(sorted(m for m in ('pandas', 'openpyxl', 'xlsxwriter') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8"
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "新しい提出はありません。\n[]\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the README's first command has run on the bundled inbox."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "inbox", folder / "inbox")
    shutil.copy(ROOT / "ubereport.toml", folder / "ubereport.toml")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", "--root", str(folder)]) == 0
    return folder


def test_the_examples_in_docs_api_print_what_the_doc_shows(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert len(examples) == 6
    monkeypatch.chdir(demo)
    namespace: dict[str, object] = {}
    with pd.option_context("display.width", 80):
        for code, expected in examples:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            assert out.getvalue() == expected, code


def test_kpi_values_agree_with_the_open_data_on_every_row(demo: Path) -> None:
    master = ubereport.open_master(demo / "outbox" / "アクションプラン台帳.xlsx")
    values = master.kpi_values()
    report = build_report(master.data, master.registry, master.fiscal_year, master.bands)

    def shown(text: str) -> str:  # the open data escapes text a spreadsheet would run
        return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text

    rows = [
        dict(zip(COLUMNS, r, strict=True)) for r in csv_rows(report, master.registry.municipality)
    ]
    expected = [
        (
            r["計画No"],
            int(r["指標No"]),
            r["対象年度"],
            shown(r["目標値_原文"]),
            shown(r["実績値_原文"]),
            f"{float(r['達成率']):.1f}" if r["達成率"] else "",
            r["達成区分"],
            r["評価根拠"],
        )
        for r in rows
        if r["指標No"]
    ]
    got = [
        (
            row.plan_no,
            row.kpi_no,
            row.year_label,
            row.target_text if pd.notna(row.target_text) else "",
            row.actual_text if pd.notna(row.actual_text) else "",
            f"{row.rate_percent:.1f}" if pd.notna(row.rate_percent) else "",
            row.status if pd.notna(row.status) else "",
            row.basis if pd.notna(row.basis) else "",
        )
        for row in values.itertuples()
    ]
    assert len(got) == 115 and got == expected


def test_kpi_values_of_one_card_with_numbers_units_rates_and_dtypes(tmp_path: Path) -> None:
    master = tmp_path / "台帳.xlsx"
    assert main(["init", "--master", str(master)]) == 0
    card = filled_sample(tmp_path, "02", kpi1_target_y2="4,400件以上")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["merge", str(card), "--master", str(master)]) == 0
    values = ubereport.open_master(master).kpi_values()
    assert values.dtypes.astype(str).to_dict() == {
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
    mine = values[values["plan_no"] == "02"]
    columns = ["kpi_no", "fiscal_year", "year_label", "target_text", "target_value"]
    columns += ["target_unit", "target_comparator", "actual_value", "actual_unit", "rate"]
    columns += ["rate_percent", "status"]
    rows = [
        tuple(None if pd.isna(v) else v for v in row)
        for row in mine[columns].itertuples(index=False)
    ]
    assert rows == [
        (1, 2022, "R4", "4,200件", 4200.0, "件", None, 4315.0, "件", 4315 / 4200, 102.7, "達成"),
        (1, 2023, "R5", "4,400件以上", 4400.0, "件", "以上", None, None, None, None, None),
        (1, 2024, "R6", "4,600件", 4600.0, "件", None, None, None, None, None, None),
        (1, 2025, "R7", "4,800件", 4800.0, "件", None, None, None, None, None, None),
        (1, 2026, "R8", "5,000件", 5000.0, "件", None, None, None, None, None, None),
        (2, 2022, "R4", "10,000千円", 10000.0, "千円", None, 6480.0, "千円", 0.648, 64.8, "未達成"),
        (2, 2023, "R5", "10,000千円", 10000.0, "千円", None, None, None, None, None, None),
        (2, 2024, "R6", "10,000千円", 10000.0, "千円", None, None, None, None, None, None),
        (2, 2025, "R7", "10,000千円", 10000.0, "千円", None, None, None, None, None, None),
        (2, 2026, "R8", "10,000千円", 10000.0, "千円", None, None, None, None, None, None),
    ]
    # A plan without a card has no KPI in the master, so no rows (as in the open data).
    assert set(values["plan_no"]) == {"02"}
    strict = ubereport.open_master(master, bands=ubereport.Bands(1.05, 0.5)).kpi_values()
    assert list(strict.loc[strict["year_label"] == "R4", "status"].dropna()) == [
        "概ね達成",
        "概ね達成",
    ]


def test_a_card_validated_as_typed_data_and_a_findings_frame(tmp_path: Path) -> None:
    card = filled_sample(tmp_path, "04", achievements="", plan_name="財政の見える化")
    report = ubereport.validate_file(card)
    assert report.valid is False and report.card is not None
    table = ubereport.findings_frame(report.findings)
    assert table.dtypes.astype(str).to_dict() == {
        "file": "string",
        "sheet": "string",
        "cell": "string",
        "field": "string",
        "code": "string",
        "severity": "category",
        "value": "string",
        "message": "string",
    }
    assert [tuple(r) for r in table[["cell", "code", "severity"]].itertuples(index=False)] == [
        (f.cell, f.code, str(f.severity)) for f in report.findings
    ]
    assert sorted(table["code"]) == ["achievements-missing", "plan-name-mismatch"]
    data = report.to_dict()
    assert data["valid"] is False and data["file"] == card.name
    assert data["findings"] == [f.to_dict() for f in report.findings]
    assert data["card"]["plan_name"] == "財政の見える化" and "findings" not in data["card"]


def test_a_hand_edited_timestamp_stays_text_rather_than_going_missing() -> None:
    rows = [
        {"submission_id": "a", "received_at": "2026-05-15 10:00:00", "fiscal_year": "R4"},
        {"submission_id": "b", "received_at": "5月15日朝", "fiscal_year": "令和5年度"},
    ]
    table = frame(SUBMISSIONS, rows)
    assert list(table["received_at"]) == ["2026-05-15 10:00:00", "5月15日朝"]
    assert list(table["fiscal_year"]) == [2022, 2023] and list(table["year_label"]) == ["R4", "R5"]
    good = frame(SUBMISSIONS, rows[:1])
    assert str(good["received_at"].dtype).startswith("datetime64")


def test_open_master_without_a_master_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ubereport.MasterMissing) as stop:
        ubereport.open_master(tmp_path / "台帳.xlsx")
    assert stop.value.message == (
        f"台帳「{tmp_path / '台帳.xlsx'}」がありません。先に「ubereport init」で作成してください。"
    )


def test_open_master_and_render_follow_the_settings_file_like_the_commands(
    tmp_path: Path,
) -> None:
    root = tmp_path / "share"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("achieved = 1.0\n", "achieved = 1.05\n").replace(
        "mostly = 0.75", "mostly = 0.5"
    )
    config.write_text(text, encoding="utf-8")
    card = filled_sample(tmp_path, "02")
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            main(
                ["merge", str(card), "--master", str(root / "outbox" / "アクションプラン台帳.xlsx")]
            )
            == 0
        )
    master = ubereport.open_master(root=root)
    assert master.path == root / "outbox" / "アクションプラン台帳.xlsx"
    assert (master.fiscal_year, master.bands) == (2022, ubereport.Bands(1.05, 0.5))
    r4 = master.kpi_values().query("year_label == 'R4'")
    assert list(r4["status"]) == ["概ね達成", "概ね達成"]  # 102.7 % and 64.8 % under 105 / 50
    paths = ubereport.render_reports(root=root)
    assert [p.relative_to(root) for p in paths[:3]] == [
        Path("outbox/R4/取組達成状況_R4.xlsx"),
        Path("outbox/R4/取組達成状況_公表_R4.xlsx"),
        Path("outbox/R4/取組達成状況_R4.csv"),
    ]
    csv = paths[2].read_text(encoding="utf-8-sig")
    assert ",102.7,概ね達成," in csv and ",64.8,概ね達成," in csv
