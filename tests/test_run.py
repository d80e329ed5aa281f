"""``ubereport run`` on a shared-drive folder: what arrives, where it goes, what is printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from builders import ROOT, filled_sample

from ubereport.cli import main
from ubereport.master import read_master

CARDS = sorted((ROOT / "inbox").glob("*.xlsx"))
STAMP = re.compile(r"\d{8}-\d{6}")


def _root(tmp_path: Path, *, extra: str = "") -> Path:
    root = tmp_path / "共有" / "行革 推進課"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
        + extra,
        encoding="utf-8",
    )
    return root


def _old(path: Path) -> None:
    t = time.time() - 3600
    os.utime(path, (t, t))


def test_init_root_lays_out_folders_and_config(tmp_path: Path) -> None:
    root = _root(tmp_path)
    assert sorted(p.name for p in root.iterdir()) == [
        "archive",
        "inbox",
        "logs",
        "outbox",
        "plans",
        "rejected",
        "ubereport.toml",
    ]
    assert (root / "outbox" / "アクションプラン台帳.xlsx").exists()
    assert sorted(p.name for p in (root / "plans" / "ube-2022").iterdir()) == [
        "plan.toml",
        "registry.csv",
    ]


def test_run_accepts_rejects_ignores_and_files_originals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    inbox = root / "inbox"
    for card in CARDS[:3]:
        shutil.copy(card, inbox / card.name)
    bad = filled_sample(tmp_path, "13", achievements="")
    nfd = unicodedata.normalize("NFD", "13_広報広聴課 ブランド　版.xlsx")
    shutil.copy(bad, inbox / nfd)
    (inbox / "~$01_収納課_アクションプラン.xlsx").write_bytes(b"owner")
    (inbox / "Thumbs.db").write_bytes(b"x")
    (inbox / ".hidden.xlsx").write_bytes(b"x")
    (inbox / "メモ.txt").write_text("memo", encoding="utf-8")
    for p in inbox.iterdir():
        _old(p)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    bad_stem = nfd.removesuffix(".xlsx")
    assert STAMP.sub("<stamp>", out.replace(str(root), "<root>")).splitlines() == [
        "受理    01_収納課_アクションプラン.xlsx      エラー 0 件・警告 1 件"
        " → <root>/archive/R4/01_収納課_アクションプラン_<stamp>.xlsx",
        "    警告 I26 実績が集計中",
        "受理    02_移住定住推進課_AP_R4実績.xlsx     → <root>/archive/R4/02_移住定住推進課_AP_R4実績_<stamp>.xlsx",
        "受理    04_財政課_アクションプラン(R4).xlsx  → <root>/archive/R4/04_財政課_アクションプラン(R4)_<stamp>.xlsx",
        f"要修正  {nfd}      エラー 1 件・警告 0 件 → <root>/rejected/{bad_stem}_<stamp>.xlsx",
        "    エラー A34 取組実績が空欄",
        "対象外  メモ.txt                             Excelファイルではありません",
        "合計: 受理 3 件・要修正 1 件・対象外 1 件",
        "台帳: <root>/outbox/アクションプラン台帳.xlsx",
        "帳票: <root>/outbox/R4/ に 8 件（取組達成状況_R4.xlsx・取組達成状況_公表_R4.xlsx ほか）",
        "要修正のファイルがあります。確認結果ブックを主管課に返し、直したファイルを"
        "受付フォルダに入れ直してもらってください:",
        f"  <root>/rejected/{bad_stem}_<stamp>_確認結果.xlsx",
        "指摘の内容と直し方は「ubereport validate ファイル」で表示できます"
        '（例: ubereport validate "<root>/archive/R4/01_収納課_アクションプラン_<stamp>.xlsx"）。',
    ]
    left = sorted(p.name for p in inbox.iterdir())
    assert left == sorted(
        [".hidden.xlsx", "Thumbs.db", "~$01_収納課_アクションプラン.xlsx", "メモ.txt"]
    )
    archived = sorted(p.name.rsplit("_", 1)[0] for p in (root / "archive" / "R4").iterdir())
    assert archived == sorted(c.stem for c in CARDS[:3])
    rejected = sorted(p.name for p in (root / "rejected").iterdir())
    assert len(rejected) == 2 and rejected[1].endswith("_確認結果.xlsx")
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    assert [
        (s["plan_no"], s["decision"], s["archived_to"].split("/")[0])
        for s in data.rows("submissions")
    ] == [
        ("01", "受理", "archive"),
        ("02", "受理", "archive"),
        ("04", "受理", "archive"),
        ("13", "要修正", "rejected"),
    ]
    log = next((root / "logs").glob("ubereport-*.log")).read_text(encoding="utf-8")
    assert "合計: 受理 3 件・要修正 1 件・対象外 1 件" in log and "archive/R4/" in log

    before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    assert main(["run", "--root", str(root)]) == 0
    assert capsys.readouterr().out.strip() == "新しい提出はありません。"
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == before


def test_files_still_being_copied_wait_for_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    config = root / "ubereport.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("settle_seconds = 0", "settle_seconds = 600"),
        encoding="utf-8",
    )
    shutil.copy(CARDS[0], root / "inbox" / CARDS[0].name)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"待機  {CARDS[0].name}  コピー中の可能性があるため次回に処理します",
        "合計: 待機 1 件",
    ]
    assert (root / "inbox" / CARDS[0].name).exists()


def test_bad_config_stops_with_the_key_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path, extra="\nsettle_second = 5\n")
    assert main(["run", "--root", str(root)]) == 2
    assert "ubereport.toml の「settle_second」は知らない設定です。" in capsys.readouterr().err
    root2 = _root(tmp_path / "b", extra='\nlock_wait_seconds = "すぐ"\n')
    root2_cfg = root2 / "ubereport.toml"
    text = root2_cfg.read_text(encoding="utf-8").replace("lock_wait_seconds = 60\n", "", 1)
    root2_cfg.write_text(text, encoding="utf-8")
    assert main(["run", "--root", str(root2)]) == 2
    assert (
        "「lock_wait_seconds」（ロック待ち秒数）は0以上の数で書いてください（「すぐ」）。"
        in capsys.readouterr().err
    )


def test_repository_demo_runs_twice_and_changes_nothing_outside_outbox(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT,
        clone,
        ignore=shutil.ignore_patterns(
            "outbox", ".git", "*.egg-info", "__pycache__", ".hypothesis", "build"
        ),
    )
    before = {p.relative_to(clone): p.read_bytes() for p in clone.rglob("*") if p.is_file()}
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-m", "ubereport", "run"],
            cwd=clone,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        assert proc.returncode == 0, proc.stderr
    after = {
        p.relative_to(clone): p.read_bytes()
        for p in clone.rglob("*")
        if p.is_file() and p.relative_to(clone).parts[0] != "outbox"
    }
    assert after == before
    assert (clone / "outbox" / "アクションプラン台帳.xlsx").exists()


@pytest.mark.parametrize(
    ("winerror", "expected"),
    [
        # Windows: Excel holds the file (ERROR_SHARING_VIOLATION), raised as PermissionError
        (32, "ほかのプログラムが開いているため次回に処理します"),
        # the service account may not read it: a different problem, with a different fix
        (
            None,
            "読み取りの権限がありません。ubereport を実行するアカウントがこのファイルを読めるように"
            "権限を確認してください（次回も確認します）",
        ),
    ],
    ids=["held-open", "no-permission"],
)
def test_a_file_that_cannot_be_opened_waits_with_the_reason(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    winerror: int | None,
    expected: str,
) -> None:
    root = _root(tmp_path)
    held = root / "inbox" / CARDS[1].name
    shutil.copy(CARDS[1], held)
    _old(held)
    real_open = Path.open

    def locked(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == held.name and self.parent.name == "inbox":
            exc = PermissionError(13, "Permission denied")
            if winerror is not None:
                exc.winerror = winerror  # type: ignore[attr-defined]
            raise exc
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", locked)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"待機  {held.name}  {expected}"
    assert held.exists()


def test_temp_files_left_by_a_killed_run_are_swept(tmp_path: Path) -> None:
    root = _root(tmp_path)
    stale = root / "rejected" / ".~ubereport-abc123.xlsx"
    fresh = root / "outbox" / ".~ubereport-def456.xlsx"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    _old(stale)
    shutil.copy(CARDS[0], root / "inbox" / CARDS[0].name)
    _old(root / "inbox" / CARDS[0].name)
    assert main(["run", "--root", str(root)]) == 0
    assert (stale.exists(), fresh.exists()) == (False, True)


def test_bands_in_the_wrong_order_stop_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    cfg = root / "ubereport.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("mostly = 0.75", "mostly = 1.5"), encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err.strip() == (
        "実行できませんでした: ubereport.toml の「mostly」（概ね達成の基準）は0以上で、"
        "「achieved」（達成の基準）以下にしてください（mostly = 1.5、achieved = 1）。"
    )
