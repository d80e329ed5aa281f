"""The master survives the shared drive (issue 13): a lost master, Excel holding files open,
backups that must be real, permissions, and ``ubereport restore``."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from builders import ROOT
from test_master import snapshot

from ubereport.cli import main
from ubereport.master import read_master

CARDS = {p.name[:2]: p for p in sorted((ROOT / "inbox").glob("*.xlsx"))}
MASTER = "アクションプラン台帳.xlsx"


def job_root(tmp_path: Path, *cards: str) -> Path:
    root = tmp_path / "share"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
    text = text.replace("lock_wait_seconds = 60", "lock_wait_seconds = 0")
    config.write_text(text, encoding="utf-8")
    drop(root, *cards)
    return root


def drop(root: Path, *cards: str) -> None:
    for no in cards:
        shutil.copy(CARDS[no], root / "inbox" / CARDS[no].name)


def listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def owner_file(path: Path, user: str) -> Path:
    """The owner file Excel writes beside a workbook it has open."""
    ansi = user.encode("cp932")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + bytes([len(user)])
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(data + user.encode("utf-16-le") + b"\x00" * 50)
    return owner


def test_a_lost_master_with_backups_stops_the_run_and_restore_brings_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "01", "02")
    assert main(["run", "--root", str(root)]) == 0
    drop(root, "04", "05")
    assert main(["run", "--root", str(root)]) == 0
    master = root / "outbox" / MASTER
    before = snapshot(master)
    master.unlink()  # deleted by mistake on the share
    drop(root, "06")
    outbox = listing(root / "outbox")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    newest = sorted((root / "outbox" / "backup").iterdir())[-1]
    assert re.fullmatch(
        f"実行できませんでした: 台帳「{re.escape(str(master))}」が見つかりません。"
        f"最新のバックアップ「{re.escape(newest.name)}（\\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d）」から"
        "戻すには `ubereport restore` を実行してください（台帳を新しく作り直すことはしません）。\n",
        err,
    )
    assert listing(root / "outbox") == outbox  # nothing written, no blank master
    assert main(["report", "--root", str(root)]) == 2
    assert "ubereport restore" in capsys.readouterr().err

    assert main(["restore", "--list", "--root", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"台帳「{master}」のバックアップ（古い順）:"
    assert [re.sub(r"^  \S+ \S+  [\d,]+ KB  ", "", line) for line in lines[1:]] == [
        f"提出 0 件  {sorted((root / 'outbox' / 'backup').iterdir())[0].name}",
        f"提出 2 件  {newest.name}",
    ]
    assert main(["restore", "--root", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"台帳を「{newest.name}」（") and out[0].endswith(
        "提出 2 件）から戻しました。"
    )
    assert out[1] == "このバックアップの後に取り込まれた 2 件は、戻した台帳にありません:"
    assert [re.sub(r"_\d{8}-\d{6}", "_<stamp>", line) for line in out[2:4]] == [
        f"  archive/R4/{CARDS[n].stem}_<stamp>.xlsx" for n in ("04", "05")
    ]
    assert (
        out[4]
        == "`ubereport restore --requeue` で受付フォルダに戻すと、次の実行で一度だけ取り込みます。"
    )
    assert main(["restore", "--requeue", "--root", str(root)]) == 0
    assert sorted(p.name for p in (root / "inbox").iterdir()) == sorted(
        [CARDS["04"].name, CARDS["05"].name, CARDS["06"].name]
    )
    assert main(["run", "--root", str(root)]) == 0
    after = read_master(master)
    hashes = [r["sha256"] for r in after.rows("submissions")]
    assert len(hashes) == len(set(hashes)) == 5
    assert {r["sha256"] for r in before["submissions"]} <= set(hashes)


def test_the_master_open_in_excel_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    master = root / "outbox" / MASTER
    before = master.read_bytes()
    owner = owner_file(master, "山田 花子")
    drop(root, "02")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err == (
        f"実行できませんでした: 「{master}」を山田 花子 さんが開いているため更新できませんでした。"
        "Excelで閉じてから再実行してください（取り込んだ内容は失われません。次回の実行で取り込みます）。\n"
    )
    assert master.read_bytes() == before
    assert (root / "inbox" / CARDS["02"].name).exists()
    owner.unlink()
    assert main(["run", "--root", str(root)]) == 0
    assert len(read_master(master).rows("submissions")) == 2


def test_a_sharing_violation_on_replace_is_exit_2_and_the_next_run_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ubereport.files import atomic

    root = job_root(tmp_path, "01")
    master = root / "outbox" / MASTER
    real_replace = os.replace

    def windows(src: object, dst: object) -> None:
        if Path(str(dst)) == master:
            exc = PermissionError(13, "The process cannot access the file")
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "replace", windows)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err.startswith(
        f"実行できませんでした: 「{master}」をほかの人が開いているため更新できませんでした。"
    )
    assert [p.name for p in master.parent.iterdir() if p.name.startswith(".~")] == []
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert main(["run", "--root", str(root)]) == 0
    assert len(read_master(master).rows("submissions")) == 1


def test_a_report_open_in_excel_is_left_and_written_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    (summary,) = (root / "outbox" / "R4").glob("取組達成状況_R4.xlsx")
    held = summary.read_bytes()
    owner = owner_file(summary, "tanaka")
    drop(root, "02")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    warning = f"※ 「{summary}」をtanaka さんが開いているため更新できませんでした。閉じると次回更新します。"
    assert out[0] == warning
    assert summary.read_bytes() == held
    log = "".join(p.read_text(encoding="utf-8") for p in (root / "logs").glob("*.log"))
    assert warning in log
    owner.unlink()
    assert main(["run", "--root", str(root)]) == 0  # nothing new, but the report is due
    out = capsys.readouterr().out
    assert out != "新しい提出はありません。\n"
    assert summary.read_bytes() != held
    assert main(["run", "--root", str(root)]) == 0
    assert capsys.readouterr().out == "新しい提出はありません。\n"


def test_a_backup_that_does_not_verify_stops_the_run_before_the_master(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ubereport.master import store

    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    master = root / "outbox" / MASTER
    before = master.read_bytes()
    backups = sorted((root / "outbox" / "backup").iterdir())

    def disk_full(src: object, dst: object, **_: object) -> None:
        Path(str(dst)).write_bytes(Path(str(src)).read_bytes()[:2000])  # cut short, no error

    monkeypatch.setattr(store.shutil, "copyfile", disk_full)
    drop(root, "02")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "実行できませんでした: 台帳のバックアップを作れなかったため、台帳は更新していません（"
    )
    assert err.endswith("の空き容量と書き込み権限を確認してから再実行してください。\n")
    assert master.read_bytes() == before
    assert sorted((root / "outbox" / "backup").iterdir()) == backups
    assert (root / "inbox" / CARDS["02"].name).exists()


def test_files_keep_their_mode_and_new_ones_follow_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o002)
    try:
        root = job_root(tmp_path, "01")
        master = root / "outbox" / MASTER
        os.chmod(master, 0o660)
        assert main(["run", "--root", str(root)]) == 0
        assert master.stat().st_mode & 0o777 == 0o660
        reports = [p for p in (root / "outbox" / "R4").rglob("*") if p.is_file()]
        assert reports and {p.stat().st_mode & 0o777 for p in reports} == {0o664}
        backups = list((root / "outbox" / "backup").iterdir())
        assert {p.stat().st_mode & 0o777 for p in backups} == {0o664}
    finally:
        os.umask(previous)


def test_a_master_that_no_longer_opens_is_restored_and_kept_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    drop(root, "02")
    assert main(["run", "--root", str(root)]) == 0
    master = root / "outbox" / MASTER
    master.write_bytes(b"PK\x03\x04 overwritten by a sync tool")
    drop(root, "04")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert "バックアップから戻してください" in capsys.readouterr().err
    assert main(["restore", "--root", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"戻す前の台帳はバックアップ「アクションプラン台帳_開けない台帳_\d{8}-\d{6}\.xlsx」として残しました。",
        out[1],
    )
    kept = next((root / "outbox" / "backup").glob("*_開けない台帳_*.xlsx"))
    assert kept.read_bytes() == b"PK\x03\x04 overwritten by a sync tool"
    assert len(read_master(master).rows("submissions")) == 1  # the backup before the second run


def test_no_master_no_backups_but_filed_originals_is_a_lost_master_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    shutil.rmtree(root / "outbox")  # the whole outbox, backups and all
    drop(root, "02")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err == (
        f"実行できませんでした: 台帳「{root / 'outbox' / MASTER}」が見つかりません（バックアップもありません）。"
        "保管フォルダには処理済みの原本が 1 件あるため、新しい台帳は自動では作りません。"
        f"台帳を元の場所に戻すか、作り直す場合は「ubereport init --root {root}」で台帳を作ってから、"
        "原本を受付フォルダに戻してください。\n"
    )
    assert not (root / "outbox" / MASTER).exists()
