"""Crash test for the whole run: kill ``ubereport run`` at random points (15 trials).

After every kill the master opens and equals the state before or after; every original is in
exactly one place (inbox, archive or rejected); a re-run converges to the uninterrupted result.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import ROOT, filled_sample
from test_master import snapshot

from ubereport.cli import main

CARDS = sorted((ROOT / "inbox").glob("*.xlsx"))[:5]


def _normalized(master: Path) -> dict[str, list[dict[str, object]]]:
    snap = snapshot(master)
    for row in snap["submissions"]:
        row["archived_to"] = re.sub(r"_\d{8}-\d{6}(-\d+)?", "", str(row["archived_to"] or ""))
    return snap


def _originals(root: Path) -> list[str]:
    files = [
        p
        for folder in ("inbox", "archive", "rejected")
        for p in (root / folder).rglob("*.xlsx")
        if not p.name.endswith("_確認結果.xlsx") and not p.name.startswith(".~ubereport-")
    ]
    return sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in files)


def _prepare(tmp_path: Path, name: str, batch: list[Path]) -> Path:
    root = tmp_path / name
    assert main(["init", "--root", str(root)]) == 0
    cfg = root / "ubereport.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0"),
        encoding="utf-8",
    )
    for card in batch:
        shutil.copy(card, root / "inbox" / card.name)
    return root


def _run(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ubereport", "run", "--root", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_run_converges(tmp_path: Path) -> None:
    bad = filled_sample(tmp_path, "13", achievements="")
    batch = [*CARDS, bad]
    reference = _prepare(tmp_path, "ref", batch)
    master_name = Path("outbox") / "アクションプラン台帳.xlsx"
    before = _normalized(reference / master_name)
    originals = _originals(reference)
    assert _run(_prepare(tmp_path, "warm-up", batch)).wait() == 1  # byte code, disk cache
    start = time.monotonic()
    assert _run(reference).wait() == 1
    duration = time.monotonic() - start
    after = _normalized(reference / master_name)
    assert not list((reference / "inbox").glob("*.xlsx"))

    rng = random.Random(6)
    seen = {"before": 0, "after": 0}
    for trial in range(15):
        root = _prepare(tmp_path, f"t{trial}", batch)
        proc = _run(root)
        time.sleep(rng.uniform(duration * 0.1, duration * 1.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _normalized(root / master_name)
        assert state in (before, after), trial
        seen["before" if state == before else "after"] += 1
        assert _originals(root) == originals, trial
        assert _run(root).wait() in (0, 1)
        assert _normalized(root / master_name) == after, trial
        assert _originals(root) == originals, trial
        assert not list((root / "inbox").glob("*.xlsx")), trial
        rejected = [  # a feedback workbook being written when killed stays a temp file
            p
            for p in (root / "rejected").glob("*.xlsx")
            if not p.name.endswith("_確認結果.xlsx") and not p.name.startswith(".~ubereport-")
        ]
        assert [p.read_bytes() for p in rejected] == [bad.read_bytes()], trial
    print(f"run crash trials: {seen}")
    assert seen["before"] > 0 and seen["after"] > 0, seen
