"""Crash test: kill the merging process at random points (50 trials, SIGKILL).

After every kill the master opens and equals either the state before or the state after the
merge; a re-run converges to the same master as an uninterrupted run — nothing lost, nothing
duplicated.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import ROOT, merge_command
from test_master import snapshot

from ubereport.master import init_master, merge_files
from ubereport.plan.registry import default_registry

REG = default_registry()
INBOX = sorted((ROOT / "inbox").glob("*.xlsx"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_merge_leaves_old_or_new_master_and_rerun_converges(tmp_path: Path) -> None:
    base = tmp_path / "base" / "台帳.xlsx"
    init_master(base, REG)
    merge_files(INBOX[:6], base, REG)
    batch = tmp_path / "batch"
    batch.mkdir()
    for card in INBOX[6:]:
        shutil.copy(card, batch / card.name)

    reference = tmp_path / "ref" / "台帳.xlsx"
    reference.parent.mkdir()
    shutil.copy(base, reference)
    warm_up = tmp_path / "warm" / "台帳.xlsx"  # byte code, disk cache
    warm_up.parent.mkdir()
    shutil.copy(base, warm_up)
    subprocess.run(merge_command(warm_up, batch, 0), check=True, capture_output=True)
    start = time.monotonic()
    subprocess.run(merge_command(reference, batch, 0), check=True, capture_output=True)
    duration = time.monotonic() - start
    before, after = snapshot(base), snapshot(reference)
    assert before != after

    rng = random.Random(4)
    seen = {"before": 0, "after": 0}
    for trial in range(50):
        master = tmp_path / f"t{trial}" / "台帳.xlsx"
        master.parent.mkdir()
        shutil.copy(base, master)
        proc = subprocess.Popen(
            merge_command(master, batch, 0), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(duration * 0.2, duration * 1.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = snapshot(master)
        assert state in (before, after), trial
        seen["before" if state == before else "after"] += 1
        merge_files(sorted(batch.iterdir()), master, REG, lock_wait=5)
        assert snapshot(master) == after, trial
    print(f"crash trials: {seen}")
    assert seen["before"] > 0 and seen["after"] > 0, seen
