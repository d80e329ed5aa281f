"""Progress on long batches: on a terminal only, after the first second, throttled, cleared."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from builders import ROOT

from ubereport.console.progress import Progress, terminal_progress
from ubereport.plan.registry import default_registry
from ubereport.validate.parallel import submit_all


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_shows_done_elapsed_remaining_and_clears_its_line() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, then="台帳と帳票を書き込んでいます…", clock=clock)
    for done, at in ((1, 100.5), (2, 101.0), (3, 101.1), (50, 110.0), (200, 140.0)):
        clock.now = at
        progress(done, 200)
    progress.close()
    frames = stream.getvalue().split("\r")
    assert frames == [
        "",
        "読み取り中 2/200 件（1%）  経過 0:01  残り 約 1:39",
        "読み取り中 50/200 件（25%）  経過 0:10  残り 約 0:30",
        "読み取り中 200/200 件（100%）  経過 0:40  台帳と帳票を書き込んでいます…",
        " " * 71,  # the line's display width (「…」 is one column), then back to its start
        "",
    ]


def test_a_short_batch_and_a_redirected_stream_show_nothing() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, clock=clock)
    clock.now = 100.9
    progress(14, 14)
    progress.close()
    assert stream.getvalue() == ""
    redirected = io.StringIO()
    with terminal_progress(redirected) as none:
        assert none is None
    assert redirected.getvalue() == ""


def test_every_file_is_reported_once_in_order_with_and_without_workers(tmp_path: Path) -> None:
    cards = sorted((ROOT / "inbox").glob("*.xlsx"))[:4]
    for workers in (1, 2):
        calls: list[tuple[int, int]] = []
        subs = submit_all(
            cards,
            default_registry(),
            registered_targets={},
            workers=workers,
            progress=lambda done, total, calls=calls: calls.append((done, total)),
        )
        assert [s.path for s in subs] == cards
        assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_redirected_run_writes_no_progress(tmp_path: Path) -> None:
    root = tmp_path / "share"
    shutil.copytree(ROOT / "inbox", root / "inbox")
    shutil.copy(ROOT / "ubereport.toml", root / "ubereport.toml")
    proc = subprocess.run(
        [sys.executable, "-m", "ubereport", "run", "--root", str(root)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "\r" not in proc.stdout and "読み取り中" not in proc.stdout
    log = next((root / "outbox" / "logs").glob("*.log")).read_text(encoding="utf-8")
    assert "\r" not in log and "読み取り中" not in log
