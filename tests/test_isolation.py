"""One bad file never stops the run (issue 12): each failure stays with its file, the process
never ends in a traceback, nothing outside the root is read, file names of any shape are filed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from builders import ROOT, filled_sample, rewrite_parts

from ubereport import commands
from ubereport.cli import main
from ubereport.files.names import MAX_NAME
from ubereport.master import read_master
from ubereport.validate import run as validate_run
from ubereport.validate.context import Context

CARDS = {p.name[:2]: p for p in sorted((ROOT / "inbox").glob("*.xlsx"))}
WINDOWS_FORBIDDEN = set('\\/:*?"<>|')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10))}


def job_root(tmp_path: Path, *cards: str, extra: str = "") -> Path:
    """A shared-drive root from ``ubereport init`` with the sample ``cards`` in its inbox."""
    root = tmp_path / "share" / "行革"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
    config.write_text(text + extra, encoding="utf-8")
    for no in cards:
        shutil.copy(CARDS[no], root / "inbox" / CARDS[no].name)
    return root


def outcome_lines(out: str, root: Path) -> list[str]:
    """The run's per-file lines and total: columns joined by two spaces, paths relative to
    ``root``, time stamps of filed names shown as <stamp>."""
    lines = [line for line in out.splitlines() if not line.startswith(("台帳: ", "帳票: "))]
    lines = [re.sub(r" {2,}", "  ", line.replace(f"{root}/", "")) for line in lines]
    return [re.sub(r"_\d{8}-\d{6}", "_<stamp>", line) for line in lines]


def every_file(root: Path) -> Iterator[Path]:
    yield from (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def day_log(root: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (root / "logs").glob("*.log"))


def test_a_file_that_makes_a_check_raise_is_rejected_and_the_rest_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = job_root(tmp_path, "02", "04", "05")

    def explodes_on_plan_04(ctx: Context) -> Iterator[object]:
        if ctx.card.plan_no == "04":
            raise RuntimeError("a bug nobody foresaw")
        return iter(())

    monkeypatch.setattr(validate_run, "CHECKS", (*validate_run.CHECKS, explodes_on_plan_04))
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    lines = outcome_lines(out, root)
    assert lines[:5] == [
        f"受理  {CARDS['02'].name}  → archive/R4/{CARDS['02'].stem}_<stamp>.xlsx",
        f"要修正  {CARDS['04'].name}  エラー 1 件・警告 0 件 → rejected/{CARDS['04'].stem}_<stamp>.xlsx",
        "  エラー - 処理中の予期しない問題",
        f"受理  {CARDS['05'].name}  → archive/R4/{CARDS['05'].stem}_<stamp>.xlsx",
        "合計: 受理 2 件・要修正 1 件",
    ]
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    assert sorted(r["plan_no"] for r in data.rows("plans") if r.get("submission_id")) == [
        "02",
        "05",
    ]
    (finding,) = [r for r in data.rows("findings") if r["code"] == "internal-error"]
    assert finding["message"] == (
        "このファイルの処理中に予期しない問題が起きたため、取り込めませんでした"
        "（RuntimeError: a bug nobody foresaw）。ファイルは保管してあります。"
        "行革推進課に連絡してください（詳しい記録は実行ログ（logs フォルダ）にあります）。"
    )
    feedback = openpyxl.load_workbook(next((root / "rejected").glob("*_確認結果.xlsx")))
    assert feedback.sheetnames == ["確認結果"]  # a file nobody could handle is not copied
    log = day_log(root)
    assert (
        "Traceback (most recent call last)" in log and "RuntimeError: a bug nobody foresaw" in log
    )
    assert sorted(p.name for p in (root / "inbox").iterdir()) == []


def test_a_merge_that_raises_rejects_that_file_and_merges_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ubereport.master as master_package

    root = job_root(tmp_path, "02", "04", "05")
    real = master_package.merge_submission

    def merge(data, sub, now, archived_to="", plan=None, **kw):  # type: ignore[no-untyped-def]
        if sub.name.startswith("04") and sub.decision.value == "受理":
            data.rows("plans").append({"plan_no": "half-written"})  # a half-done change
            raise KeyError("kpi_no")
        return real(data, sub, now, archived_to, plan, **kw)

    monkeypatch.setattr(master_package, "merge_submission", merge)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 1
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    assert "half-written" not in {r.get("plan_no") for r in data.rows("plans")}
    decisions = {r["file_name"]: r["decision"] for r in data.rows("submissions")}
    assert decisions == {
        CARDS["02"].name: "受理",
        CARDS["04"].name: "要修正",
        CARDS["05"].name: "受理",
    }
    assert [r["code"] for r in data.rows("findings") if r["submission_id"]] == ["internal-error"]
    assert "KeyError: 'kpi_no'" in day_log(root)


def test_a_year_heading_typed_over_with_1925_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "05")
    card = filled_sample(tmp_path, "02", year_y2="1925", kpi1_actual_y2="5")
    shutil.copy(card, root / "inbox" / "02_1925.xlsx")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    lines = outcome_lines(capsys.readouterr().out, root)
    assert lines == [
        "受理  02_1925.xlsx  エラー 0 件・警告 2 件 → archive/R4/02_1925_<stamp>.xlsx",
        "  警告 J16 年度の見出しが違う",
        "  警告 J18 将来年度の実績",
        f"受理  {CARDS['05'].name}  → archive/R4/{CARDS['05'].stem}_<stamp>.xlsx",
        "合計: 受理 2 件",
        "指摘の内容と直し方は「ubereport validate ファイル」で表示できます"
        "（例: ubereport validate archive/R4/02_1925_<stamp>.xlsx）。",
    ]
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    codes = sorted(r["code"] for r in data.rows("findings"))
    assert codes == ["actual-future", "year-heading-changed"]


def with_text(src: Path, marker: str, text: str, dst: Path) -> Path:
    """``src`` with ``marker`` replaced by ``text`` in whichever part holds it."""
    with zipfile.ZipFile(src) as package:
        edits = {
            n: package.read(n).replace(marker.encode(), text.encode())
            for n in package.namelist()
            if marker.encode() in package.read(n)
        }
    assert edits
    return rewrite_parts(src, dst, edits)


def _windows_valid(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (
        len(name) <= MAX_NAME
        and len(name.encode()) <= 240
        and not (set(name) & WINDOWS_FORBIDDEN)
        and all(ch >= " " for ch in name)
        and not name.endswith((".", " "))
        and stem not in RESERVED
    )


def test_file_names_of_any_shape_are_processed_and_filed_under_safe_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path)
    inbox = root / "inbox"
    long_name = "02_" + "移住定住推進課の実績" * 8 + "xx.xlsx"  # 250 bytes in UTF-8
    assert len(long_name.encode()) == 250
    sjis = os.fsdecode("04_財政課.xlsx".encode("cp932"))  # an old Samba client's bytes
    names = {
        "02": long_name,
        "04": sjis,
        "05": '05_財産:管理*課?"<R4>|.xlsx',
        "06": "CON.xlsx",
        "07": "07_職員課_人材育成. .xlsx",
    }
    for no, name in names.items():
        shutil.copy(CARDS[no], inbox / name)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    filed = sorted(p.name for p in (root / "archive" / "R4").iterdir())
    assert len(filed) == 5 and all(_windows_valid(n) for n in filed), filed
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    recorded = {r["file_name"]: r["archived_to"] for r in data.rows("submissions")}
    shown = {**names, "04": "04_財政課.xlsx"}
    assert sorted(recorded) == sorted(shown.values())
    for path in recorded.values():
        assert (root / path).exists()
    assert not list(inbox.iterdir())


def test_texts_over_the_excel_cell_limit_are_the_divisions_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "05")
    # 16,384 𠮷 are 32,768 UTF-16 code units: one over Excel's limit, though len() is 16,384.
    # openpyxl (like Excel) cuts at 32,767, so the texts are put into the package afterwards.
    huge = filled_sample(tmp_path, "02", achievements="@@HUGE@@")
    with_text(huge, "@@HUGE@@", "𠮷" * 16_384, root / "inbox" / "02_huge.xlsx")
    bad = filled_sample(tmp_path, "04", kpi1_actual_y1="@@BAD@@", achievements="")
    with_text(bad, "@@BAD@@", "約" + "x" * 40_000, root / "inbox" / "04_bad.xlsx")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 1
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    decisions = {r["file_name"]: r["decision"] for r in data.rows("submissions")}
    assert decisions == {
        "02_huge.xlsx": "要修正",
        "04_bad.xlsx": "要修正",
        CARDS["05"].name: "受理",
    }
    over = [r for r in data.rows("findings") if r["code"] == "cell-text-over-limit"]
    assert [(r["cell"], r["field"]) for r in over] == [
        ("A34", "achievements"),
        ("I18", "kpi1_actual_y1"),
    ]
    advice = (
        "を超えるため取り込めません。要点だけを入力し、詳しい内容は別の資料にまとめてください。"
    )
    assert [r["message"] for r in over] == [
        f"取組実績が32,768文字あり、Excelの1セルの上限（32,767文字）{advice}",
        f"指標I 1年目の実績が40,001文字あり、Excelの1セルの上限（32,767文字）{advice}",
    ]
    values = [r["value"] or "" for r in data.rows("findings")]
    assert max(len(v) for v in values) == 200
    assert all(v.endswith("…") for v in values if len(v) == 200)


def test_two_runs_started_together_process_every_file_exactly_once(tmp_path: Path) -> None:
    root = job_root(tmp_path, "01", "02", "04", "05", "06", "07")
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("lock_wait_seconds = 60", "lock_wait_seconds = 600"), "utf-8")
    bad = filled_sample(tmp_path, "08", achievements="")
    shutil.copy(bad, root / "inbox" / "08_bad.xlsx")
    command = [sys.executable, "-m", "ubereport", "run", "--root", str(root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in "ab"]
    results = [(p.wait(), p.stdout.read(), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
    assert sorted(rc for rc, _, _ in results) in ([0, 1], [1, 1]), results
    assert all(err == b"" for _, _, err in results), results
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    hashes = [r["sha256"] for r in data.rows("submissions")]
    assert len(hashes) == len(set(hashes)) == 7
    filed = sorted(p.name.rsplit("_", 1)[0] for p in (root / "archive" / "R4").iterdir())
    assert filed == sorted(CARDS[n].stem for n in ("01", "02", "04", "05", "06", "07"))
    rejected = sorted(
        re.sub(r"\d{8}-\d{6}", "<stamp>", p.name) for p in (root / "rejected").iterdir()
    )
    assert rejected == ["08_bad_<stamp>.xlsx", "08_bad_<stamp>_確認結果.xlsx"]
    assert not list((root / "inbox").iterdir())


def test_a_symlink_to_a_workbook_outside_the_root_is_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "02")
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    marker = "人事評価の極秘メモ"
    secret = filled_sample(secret_dir, "04", achievements=marker, kpi1_actual_y1="??")
    inbox = root / "inbox"
    (inbox / "04_財政課.xlsx").symlink_to(secret)
    (inbox / "05_財産管理課.xlsx.lnk").write_bytes(b"L\x00\x00\x00" + str(secret).encode())
    (inbox / "フォルダへのリンク").symlink_to(secret_dir, target_is_directory=True)
    (inbox / "課内の下書き").mkdir()
    shutil.copy(CARDS["06"], inbox / "課内の下書き" / CARDS["06"].name)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    link = (
        "リンク（ショートカット・シンボリックリンク）は読みません。"
        "ファイルそのものを受付フォルダに置いてください"
    )
    assert outcome_lines(capsys.readouterr().out, root) == [
        f"受理  {CARDS['02'].name}  → archive/R4/{CARDS['02'].stem}_<stamp>.xlsx",
        f"対象外  04_財政課.xlsx  {link}",
        f"対象外  05_財産管理課.xlsx.lnk  {link}",
        f"対象外  フォルダへのリンク  {link}",
        "対象外  課内の下書き  フォルダの中は読みません。ファイルを受付フォルダに直接置いてください",
        "合計: 受理 1 件・対象外 4 件",
    ]
    for path in every_file(root):
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as package:
                blobs += [package.read(n) for n in package.namelist()]
        assert not any(marker.encode() in blob for blob in blobs), path
    assert sorted(p.name for p in inbox.iterdir()) == sorted(
        ["04_財政課.xlsx", "05_財産管理課.xlsx.lnk", "フォルダへのリンク", "課内の下書き"]
    )


def test_an_unwritable_outbox_is_exit_2_with_the_folder_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ubereport.master import lock

    root = job_root(tmp_path, "02")
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(lock.os, "open", read_only)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    captured = capsys.readouterr()
    outbox = root / "outbox"
    assert captured.err.splitlines() == [
        f"実行できませんでした: 台帳のフォルダ「{outbox}」のロックファイルを書き込めませんでした"
        f"（書き込みの権限がありません）。フォルダ「{outbox}」に書き込む権限があるか確認してください。"
    ]
    assert (root / "inbox" / CARDS["02"].name).exists()


def test_disk_full_while_writing_a_report_is_exit_2_and_leaves_no_temp_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from xlsxwriter.exceptions import FileCreateError
    from xlsxwriter.workbook import Workbook

    root = job_root(tmp_path, "02", "05")
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    real_store = Workbook._store_workbook

    def full(self: Workbook) -> None:
        if ".~ubereport-" in str(self.filename):  # a report (the master is laid out in memory)
            try:
                raise OSError(errno.ENOSPC, "No space left on device")
            except OSError as exc:
                raise FileCreateError(exc) from exc
        real_store(self)

    monkeypatch.setattr(Workbook, "_store_workbook", full)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("実行できませんでした: 「")
    assert "を書き込めませんでした（ディスクの空きがありません）。フォルダ「" in err[0]
    assert "のあるドライブの空き容量と書き込み権限を確認してください。" in err[0]
    assert [p for p in every_file(root) if p.name.startswith(".~ubereport-")] == []
    assert list(system_temp.iterdir()) == []
    # nothing is lost: the originals wait in the inbox and the next run completes the job
    assert sorted(p.name for p in (root / "inbox").iterdir()) == [
        CARDS["02"].name,
        CARDS["05"].name,
    ]
    monkeypatch.setattr(Workbook, "_store_workbook", real_store)
    assert main(["run", "--root", str(root)]) == 0
    assert not list((root / "inbox").iterdir())


def test_any_escaped_exception_is_one_japanese_line_and_the_traceback_in_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = job_root(tmp_path)

    def broken(args: object) -> int:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(commands, "cmd_status", broken)
    capsys.readouterr()
    assert main(["status", "--root", str(root)]) == 2
    captured = capsys.readouterr()
    (log,) = (root / "logs").glob("*.log")
    assert captured.err.splitlines() == [
        f"実行できませんでした: 予期しない問題が起きました。詳しい記録はログ「{log}」にあります。"
        "行革推進課（ubereport の担当）に連絡してください。"
    ]
    assert "ZeroDivisionError: deep inside" in log.read_text(encoding="utf-8")


def test_output_piped_into_a_reader_that_leaves_is_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = job_root(tmp_path)

    def reader_left(args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")  # `ubereport status | head -2`

    monkeypatch.setattr(commands, "cmd_status", reader_left)
    capsys.readouterr()
    assert main(["status", "--root", str(root)]) == 0
    assert capsys.readouterr().err == ""
    assert not list((root / "logs").glob("*.log"))


def test_validate_lists_a_link_in_a_folder_and_reads_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "提出"
    folder.mkdir()
    shutil.copy(CARDS["02"], folder / CARDS["02"].name)
    outside = tmp_path / "外" / "secret.xlsx"
    outside.parent.mkdir()
    shutil.copy(CARDS["04"], outside)
    (folder / "link.xlsx").symlink_to(outside)
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"■ {CARDS['02'].name}（受理）"
    assert (
        "■ link.xlsx（対象外: リンク（ショートカット・シンボリックリンク）は読みません。"
        "ファイルそのものを受付フォルダに置いてください）"
    ) in out
    assert not any("secret" in line for line in out)


def test_validate_feedback_that_cannot_be_written_for_one_file_still_writes_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ubereport.errors import MasterUnwritable
    from ubereport.validate import feedback

    first = filled_sample(tmp_path, "13", achievements="")
    second = filled_sample(tmp_path, "14", achievements="")
    real = feedback.write_feedback

    def write(path: Path, *args: object, **kwargs: object) -> Path:
        if path == first:
            raise MasterUnwritable("ディスクの空きがありません。")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feedback, "write_feedback", write)
    out_dir = tmp_path / "確認結果"
    capsys.readouterr()
    assert main(["validate", str(first), str(second), "--feedback", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert (
        f"「{first.name}」の確認結果ブックを作れませんでした: ディスクの空きがありません。" in err
    )
    assert sorted(p.name for p in out_dir.iterdir()) == [f"{second.stem}_確認結果.xlsx"]
