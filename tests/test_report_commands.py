"""The report and forms commands: arguments, defaults, settings, exit status, atomic rewrites."""

from __future__ import annotations

import argparse
from pathlib import Path

import openpyxl
import pytest
from test_report_helpers import MASTER_NAME, REG, sample_master

from ubereport.errors import CannotRun, ConfigError, MasterMissing
from ubereport.report import render_reports
from ubereport.report_commands import add_parsers, plan_year


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ubereport")
    add_parsers(parser.add_subparsers())
    return parser.parse_args(list(argv))


def _run(*argv: str) -> int:
    args = _parse(*argv)
    return int(args.handler(args))


def test_report_defaults_to_the_master_in_the_outbox_and_the_latest_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = tmp_path / "outbox"
    sample_master(outbox)
    assert _run("report", "--outbox", str(outbox), "--root", str(tmp_path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"令和4年度の取組達成状況を書き出しました（台帳: {outbox / MASTER_NAME}）"
    assert (
        out[-1]
        == "R4: 達成 14件・概ね達成 4件・未達成 3件・集計中 1件・目標未設定 1件・未提出 1件（全 24 件）"
    )
    assert (outbox / "R4" / "取組達成状況_R4.xlsx").exists()
    assert len(list((outbox / "R4" / "cards").glob("*.xlsx"))) == 13


def test_report_takes_settings_from_ubereport_toml(tmp_path: Path) -> None:
    sample_master(tmp_path / "data")
    (tmp_path / "ubereport.toml").write_text(
        'outbox = "out"\nmaster = "data/アクションプラン台帳.xlsx"\nfiscal_year = "R4"\n'
        'deadline = "2023-05-15"\nachieved = 1.05\nmostly = 0.9\n',
        encoding="utf-8",
    )
    assert _run("report", "--root", str(tmp_path)) == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "R4" / "取組達成状況_R4.xlsx")
    assert "提出期限 2023年5月15日（月）" in book["提出状況"]["A2"].value
    assert "目標を達成している（達成率105％以上）" in book["一覧"]["A2"].value
    assert book["一覧"]["L8"].value == "○ 概ね達成"  # plan 02 KPI I, 102.7% < 105%


def test_bad_bands_in_settings_name_the_keys(tmp_path: Path) -> None:
    sample_master(tmp_path / "outbox")
    (tmp_path / "ubereport.toml").write_text("achieved = 0.7\nmostly = 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="「mostly」（概ね達成の基準）"):
        _run("report", "--root", str(tmp_path), "--outbox", str(tmp_path / "outbox"))


def test_report_with_a_deadline_option(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    sample_master(outbox)
    argv = ["report", "--outbox", str(outbox), "--root", str(tmp_path), "--fy", "令和4年度"]
    assert _run(*argv, "--deadline", "2023-04-03 から 5 開庁日") == 0
    sheet = openpyxl.load_workbook(outbox / "R4" / "取組達成状況_R4.xlsx")["提出状況"]
    assert "提出期限 2023年4月10日（月）" in sheet["A2"].value
    with pytest.raises(CannotRun, match="提出期限として読めません"):
        _run(*argv, "--deadline", "来週まで")


def test_forms_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    master = sample_master(tmp_path / "m")
    outbox = tmp_path / "outbox"
    argv = ["forms", "--fy", "R5", "--master", str(master), "--outbox", str(outbox)]
    assert _run(*argv, "--root", str(tmp_path)) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"令和5年度の報告様式を 14 件書き出しました（台帳: {master}）"
    )
    assert len(list((outbox / "R5" / "forms").glob("*.xlsx"))) == 14


def test_forms_needs_a_year() -> None:
    with pytest.raises(SystemExit):
        _parse("forms")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("R9", "年度「R9」は計画期間（R4～R8）の外です。"),
        ("2021", "年度「2021」は計画期間（R4～R8）の外です。"),
        ("来年", "年度「来年」を読めません。「R4」「令和4年度」「2022」のように指定してください。"),
    ],
)
def test_plan_year_refuses_years_outside_the_plan(text: str, message: str) -> None:
    with pytest.raises(CannotRun) as info:
        plan_year(text, REG)
    assert info.value.message == message
    assert info.value.exit_code == 2


def test_plan_year_reads_japanese_spellings() -> None:
    assert [plan_year(t, REG) for t in ("R4", "令和５年度", "2026", "Ｒ８")] == [
        2022,
        2023,
        2026,
        2026,
    ]


def test_a_missing_master_stops_with_exit_status_2(tmp_path: Path) -> None:
    with pytest.raises(MasterMissing) as info:
        _run("report", "--outbox", str(tmp_path / "outbox"), "--root", str(tmp_path))
    assert info.value.exit_code == 2
    assert "ubereport init" in info.value.message


def test_render_again_replaces_every_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    master = sample_master(outbox)
    first = render_reports(master, outbox, 2022, REG)
    second = render_reports(master, outbox, 2022, REG)
    assert first == second
    assert len(first) == 5 + 13
    assert all(p.exists() for p in second)
    leftovers = [p for p in outbox.rglob("*") if p.name.startswith(".~ubereport-")]
    assert leftovers == []


def test_a_master_without_submissions_still_renders(tmp_path: Path) -> None:
    from ubereport.master import init_master

    master = tmp_path / MASTER_NAME
    init_master(master, REG)
    written = render_reports(master, tmp_path, 2022, REG)
    assert [p.name for p in written] == [
        "取組達成状況_R4.xlsx",
        "取組達成状況_公表_R4.xlsx",
        "取組達成状況_R4.csv",
        "datapackage.json",
        "アクションプラン_R4.xlsx",
    ]
    book = openpyxl.load_workbook(written[0])
    statuses = [r[11] for r in book["一覧"].iter_rows(min_row=6, values_only=True)]
    assert statuses == ["× 未提出"] * 14
    lines = written[2].read_bytes().decode("utf-8-sig").split("\r\n")
    assert len(lines) == 1 + 14 + 1  # the header, a 「報告なし」 row per registry plan, the end
    assert all(
        ",未提出,," in line
        and line.endswith(
            "報告なし（この計画の指標・実績は台帳にありません）,"
            "ube-2022,宇部市行財政改革推進計画,基本方針／戦略,,"
        )
        for line in lines[1:-1]
    )
    assert openpyxl.load_workbook(written[4]).sheetnames == ["アクションプラン"]
