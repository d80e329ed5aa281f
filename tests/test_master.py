"""The master workbook: schema, upsert, resubmission history, hand edits, text safety, lock."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from builders import ROOT, filled_sample, merge_command

from ubereport.cli import main
from ubereport.errors import LockHeld, MasterExists
from ubereport.master import init_master, merge_files, read_master
from ubereport.master.lock import lock_path, master_lock
from ubereport.master.schema import TABLES
from ubereport.master.store import write_master
from ubereport.plan.registry import default_registry

REG = default_registry()
TIME_COLUMNS = {"received_at", "changed_at"}


def snapshot(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The master's content without the columns that change on every run (times)."""
    data = read_master(path)
    return {
        name: [{k: v for k, v in r.items() if k not in TIME_COLUMNS} for r in rows]
        for name, rows in data.tables.items()
    }


@pytest.fixture
def master(tmp_path: Path) -> Path:
    path = tmp_path / "outbox" / "台帳.xlsx"
    init_master(path, REG)
    return path


def test_init_creates_people_readable_sheets_and_refuses_to_overwrite(master: Path) -> None:
    book = openpyxl.load_workbook(master)
    assert book.sheetnames == [
        "説明",
        "計画",
        "指標",
        "指標値",
        "取組",
        "報告",
        "提出",
        "指摘",
        "変更履歴",
        "_提出値",
    ]
    assert book["_提出値"].sheet_state == "hidden"
    values = book["指標値"]
    assert [c.value for c in values[1]] == [
        "計画No",
        "指標No",
        "対象年度",
        "目標(原文)",
        "目標(数値)",
        "目標(単位)",
        "目標(比較)",
        "実績(原文)",
        "実績(数値)",
        "実績(単位)",
        "実績(比較)",
        "所管課評価",
        "評価理由",
        "最終提出ID",
    ]
    assert values.freeze_panes == "D2" and values.auto_filter.ref == "A1:N2"
    plans = [[c.value for c in row] for row in book["計画"].iter_rows(min_row=2, max_col=5)]
    assert plans[2] == [
        "03",
        "未来投資のための事務事業の見直し",
        "1 行政資源の適切なコントロール",
        "2 持続可能な行財政運営",
        None,
    ]
    assert len(plans) == 14
    with pytest.raises(MasterExists):
        init_master(master, REG)
    assert main(["init", "--master", str(master)]) == 2


def test_merge_upserts_typed_values_with_original_text(master: Path) -> None:
    outcome = merge_files([ROOT / "inbox" / "02_移住定住推進課_AP_R4実績.xlsx"], master, REG)
    assert [(r.decision.value, r.plan_no, r.state.value) for r in outcome.results] == [
        ("受理", "02", "新規")
    ]
    data = read_master(master)
    row = next(
        r
        for r in data.rows("kpi_values")
        if (r["plan_no"], r["kpi_no"], r["fiscal_year"]) == ("02", 1, "R4")
    )
    assert {k: row[k] for k in row if k != "submission_id"} == {
        "plan_no": "02",
        "kpi_no": 1,
        "fiscal_year": "R4",
        "target_text": "4,200件",
        "target_value": 4200.0,
        "target_unit": "件",
        "target_comparator": None,
        "actual_text": "4,315件",
        "actual_value": 4315.0,
        "actual_unit": "件",
        "actual_comparator": None,
        "assessment": None,
        "assessment_reason": None,
    }
    assert row["submission_id"] == outcome.results[0].submission_id
    (sub,) = data.rows("submissions")
    assert (
        sub["file_name"],
        sub["plan_no"],
        sub["fiscal_year"],
        sub["decision"],
        sub["errors"],
        sub["warnings"],
    ) == ("02_移住定住推進課_AP_R4実績.xlsx", "02", "R4", "受理", 0, 0)
    assert [r["fiscal_year"] for r in data.rows("kpi_values") if r["plan_no"] == "02"] == [
        "R4",
        "R5",
        "R6",
        "R7",
        "R8",
    ] * 2
    assert [(r["item_no"], r["output_result"]) for r in data.rows("initiatives")] == [
        (1, "新規返礼品 12品 (延べ数:252品)"),
        (2, "4事業"),
        (3, "3企業"),
    ]


def test_same_content_twice_is_a_no_op(master: Path) -> None:
    card = ROOT / "inbox" / "04_財政課_アクションプラン(R4).xlsx"
    merge_files([card], master, REG)
    before = master.read_bytes()
    again = merge_files([card], master, REG)
    assert [r.decision.value for r in again.results] == ["処理済み"]
    assert again.written is False and master.read_bytes() == before


def test_resubmission_replaces_values_and_records_history(master: Path, tmp_path: Path) -> None:
    first = filled_sample(tmp_path, "02")
    merge_files([first], master, REG)
    (tmp_path / "v2").mkdir()
    second = filled_sample(
        tmp_path / "v2",
        "02",
        kpi1_actual_y1="4,320件",
        achievements="差し替え：件数を再集計しました。",
    )
    outcome = merge_files([second], master, REG)
    (result,) = outcome.results
    assert (
        result.state.value,
        [(c.sheet, c.key, c.field, c.old, c.new) for c in result.changes],
    ) == (
        "更新",
        [
            ("指標値", "02/1/R4", "実績(原文)", "4,315件", "4,320件"),
            (
                "報告",
                "02/R4",
                "取組実績",
                sample_text("02", "achievements"),
                "差し替え：件数を再集計しました。",
            ),
        ],
    )
    data = read_master(master)
    tail = [
        (h["sheet"], h["key"], h["field"], h["old"], h["new"], h["submission_id"])
        for h in data.rows("history")
    ][-2:]
    assert tail == [
        ("指標値", "02/1/R4", "実績(原文)", "4,315件", "4,320件", result.submission_id),
        (
            "報告",
            "02/R4",
            "取組実績",
            sample_text("02", "achievements"),
            "差し替え：件数を再集計しました。",
            result.submission_id,
        ),
    ]
    assert len(data.rows("submissions")) == 2


def sample_text(plan: str, field: str) -> str:
    from builders import sample_card_fields

    return sample_card_fields(plan)[field]


def _hand_edit(master: Path, sheet: str, match: dict[str, Any], column: str, value: str) -> None:
    data = read_master(master)
    name = next(t.name for t in TABLES if t.sheet == sheet)
    row = next(r for r in data.rows(name) if all(r[k] == v for k, v in match.items()))
    row[column] = value
    write_master(master, data)


def test_hand_edit_stays_until_a_submission_changes_that_field(
    master: Path, tmp_path: Path
) -> None:
    merge_files([filled_sample(tmp_path, "02")], master, REG)
    key = {"plan_no": "02", "kpi_no": 1, "fiscal_year": "R4"}
    _hand_edit(master, "指標値", key, "actual_text", "4,316件")
    (tmp_path / "v2").mkdir()
    merge_files([filled_sample(tmp_path / "v2", "02", achievements="別の文章")], master, REG)
    row = next(
        r
        for r in read_master(master).rows("kpi_values")
        if (r["plan_no"], r["kpi_no"], r["fiscal_year"]) == ("02", 1, "R4")
    )
    assert (row["actual_text"], row["actual_value"]) == ("4,316件", 4316.0)
    (tmp_path / "v3").mkdir()
    outcome = merge_files(
        [filled_sample(tmp_path / "v3", "02", kpi1_actual_y1="4,330件", achievements="別の文章")],
        master,
        REG,
    )
    assert [(c.field, c.old, c.new, c.note) for c in outcome.results[0].changes] == [
        ("実績(原文)", "4,316件", "4,330件", "手修正された値を上書き")
    ]
    last = read_master(master).rows("history")[-1]
    assert (last["old"], last["new"], last["note"]) == (
        "4,316件",
        "4,330件",
        "手修正された値を上書き",
    )


def test_formula_looking_text_stays_a_string(master: Path, tmp_path: Path) -> None:
    path = filled_sample(
        tmp_path,
        "09",
        achievements='=HYPERLINK("http://evil.example","押して")',
        next_actions="=1+1",
        related_plans="@SUM(A1)",
    )
    merge_files([path], master, REG)
    book = openpyxl.load_workbook(master)
    row = next(r for r in book["報告"].iter_rows(min_row=2) if r[0].value == "09")
    assert [(c.value, c.data_type) for c in row[2:5:2]] == [
        ('=HYPERLINK("http://evil.example","押して")', "s"),
        ("=1+1", "s"),
    ]
    narrative = next(r for r in read_master(master).rows("narratives") if r["plan_no"] == "09")
    assert narrative["next_actions"] == "=1+1"


def test_full_precision_numbers_and_rejected_submissions_recorded(
    master: Path, tmp_path: Path
) -> None:
    good = filled_sample(tmp_path, "12", kpi1_actual_y1=0.678123456789)
    (tmp_path / "bad").mkdir()
    bad = filled_sample(tmp_path / "bad", "13", achievements="")
    outcome = merge_files([good, bad], master, REG)
    assert [r.decision.value for r in outcome.results] == ["受理", "要修正"]
    data = read_master(master)
    row = next(
        r
        for r in data.rows("kpi_values")
        if (r["plan_no"], r["kpi_no"], r["fiscal_year"]) == ("12", 1, "R4")
    )
    assert (row["actual_text"], row["actual_value"]) == ("0.678123456789", 0.678123456789)
    assert [(s["plan_no"], s["decision"], s["errors"]) for s in data.rows("submissions")] == [
        ("12", "受理", 0),
        ("13", "要修正", 1),
    ]
    assert [
        (f["code"], f["cell"])
        for f in data.rows("findings")
        if f["submission_id"] == outcome.results[1].submission_id
    ] == [("achievements-missing", "A34")]
    assert not [r for r in data.rows("narratives") if r["plan_no"] == "13"]


def test_backups_keep_the_last_n_versions(master: Path, tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"v{i}").mkdir()
        merge_files(
            [filled_sample(tmp_path / f"v{i}", "02", achievements=f"版{i}")], master, REG, backups=2
        )
    assert len(list((master.parent / "backup").glob("台帳_*.xlsx"))) == 2


def test_dry_run_writes_nothing(master: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = master.read_bytes()
    assert main(["merge", str(ROOT / "inbox"), "--master", str(master), "--dry-run"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if not line.startswith("    ")]  # not the changes
    assert lines == [  # aligned by display width
        "受理  01_収納課_アクションプラン.xlsx                No.01 新規（43項目）",
        "受理  02_移住定住推進課_AP_R4実績.xlsx               No.02 新規（37項目）",
        "受理  04_財政課_アクションプラン(R4).xlsx            No.04 新規（35項目）",
        "受理  05_財産管理課_アクションプラン_令和4年度.xlsx  No.05 新規（41項目）",
        "受理  06_職員課_定員適正化_R4.xlsx                   No.06 新規（42項目）",
        "受理  07_職員課_人材育成_R4.xlsx                     No.07 新規（28項目）",
        "受理  08_職員課_健康安全管理_R4.xlsx                 No.08 新規（40項目）",
        "受理  09_行革推進課_EBPM_R4実績.xlsx                 No.09 新規（26項目）",
        "受理  10_連携共創推進課_R4取組報告.xlsx              No.10 新規（23項目）",
        "受理  11_デジタル推進課_アクションプラン_R4.xlsx     No.11 新規（43項目）",
        "受理  12_市民課_窓口サービス効率化_R4.xlsx           No.12 新規（40項目）",
        "受理  13_広報広聴課_広報_アクションプラン.xlsx       No.13 新規（37項目）",
        "受理  14_広報広聴課_広聴_アクションプラン.xlsx       No.14 新規（36項目）",
        "（試行のため台帳は書き換えていません）",
    ]
    assert master.read_bytes() == before


HOLD = """
import sys, time
from pathlib import Path
from ubereport.master.lock import master_lock
with master_lock(Path(sys.argv[1]), wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_second_process_waits_then_exits_2_with_a_japanese_message(master: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(master), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = master.read_bytes()
        proc = subprocess.run(
            merge_command(master, ROOT / "inbox", 1),
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        assert proc.returncode == 2
        assert "台帳を更新中のため、1 秒待ちましたが終了しました" in proc.stderr
        assert master.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def test_second_process_proceeds_when_the_first_finishes(master: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(master), "1.0"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    proc = subprocess.run(
        merge_command(master, ROOT / "inbox", 20),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    holder.wait()
    assert proc.returncode == 0, proc.stderr
    assert len(read_master(master).rows("submissions")) == 13


def test_stale_lock_of_a_dead_process_is_taken_over(master: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(master).write_text(
        json.dumps(
            {"pid": dead.pid, "host": socket.gethostname(), "started": "2026-04-01 09:00:00"}
        ),
        encoding="utf-8",
    )
    with master_lock(master, wait=0) as warnings:
        assert warnings == [
            f"前回の処理のロック（{socket.gethostname()} のプロセス {dead.pid}、"
            "2026-04-01 09:00:00 開始）が残っていたため、引き継ぎました。"
        ]
    assert not lock_path(master).exists()


def test_live_lock_is_respected(master: Path) -> None:
    lock_path(master).write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": "now"}),
        encoding="utf-8",
    )
    start = time.monotonic()
    with pytest.raises(LockHeld), master_lock(master, wait=0.3):
        pass
    assert time.monotonic() - start >= 0.3
    assert lock_path(master).exists()


def test_master_survives_a_copy_shutil(master: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.xlsx"
    shutil.copy(master, copy)
    assert snapshot(copy) == snapshot(master)
