"""Crash tests at every durable step, deterministically (issue 13), the way SQLite tests commits.

``ubereport run`` names a fault point at each durable step (each temporary file written and
flushed, each replace, the backup copy, each original moved, the state file, the log). A traced
run lists them all; then, for every point N, a fresh root is run with ``UBEREPORT_FAULT_AT=N`` —
the process kills itself there (``os._exit``: no ``finally``, no clean-up) — and re-run; a second
trial kills the recovery run too. After every kill and every recovery:

* the master opens and equals the state before or after the killed run;
* the converged master equals the uninterrupted run's;
* every original is in exactly one of inbox / archive / rejected, and the 提出 row of its content
  names where it actually is; no content hash has two 提出 rows;
* every report and feedback file opens.

The batch has good cards, a rejected card, an already-processed card and a resubmission. No
timing is involved: the same points are hit on every machine, however loaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from builders import ROOT, filled_sample
from test_master import snapshot

from ubereport.cli import main
from ubereport.files import faults

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked child")

CARDS = {p.name[:2]: p for p in sorted((ROOT / "inbox").glob("*.xlsx"))}
MASTER = Path("outbox") / "アクションプラン台帳.xlsx"
FOLDERS = ("inbox", "archive", "rejected")


def forked_run(root: Path, fault: str | None) -> int:
    """``ubereport run --root`` in a forked child; its exit status (KILLED when it was killed)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            if fault is None:
                os.environ.pop(faults.ENV, None)
            else:
                os.environ[faults.ENV] = fault
            faults.reset()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = main(["run", "--root", str(root)])
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The base root (after a first run), the batch, the traced points and the reference."""
    tmp = tmp_path_factory.mktemp("crash")
    base = tmp / "base"
    assert main(["init", "--root", str(base)]) == 0
    config = base / "ubereport.toml"
    text = config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
    config.write_text(text.replace("lock_wait_seconds = 60", "lock_wait_seconds = 0"), "utf-8")
    for no in ("01", "02"):
        shutil.copy(CARDS[no], base / "inbox" / CARDS[no].name)
    assert forked_run(base, None) == 0
    batch = tmp / "batch"
    batch.mkdir()
    for no in ("04", "05"):
        shutil.copy(CARDS[no], batch / CARDS[no].name)  # good, new
    shutil.copy(filled_sample(tmp, "06", achievements=""), batch / "06_要修正.xlsx")  # rejected
    shutil.copy(CARDS["01"], batch / "01_もう一度.xlsx")  # already processed
    resubmitted = filled_sample(tmp, "02", achievements="再提出で書き直した取組実績")
    shutil.copy(resubmitted, batch / "02_再提出.xlsx")  # a resubmission of plan 02
    for i, path in enumerate(sorted(batch.iterdir())):
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    trace = tmp / "points.txt"
    reference = prepare(tmp, "reference", base, batch)
    assert forked_run(reference, f"trace:{trace}") == 1
    points = [line.split("\t")[1] for line in trace.read_text(encoding="utf-8").splitlines()]
    return {
        "tmp": tmp,
        "base": base,
        "batch": batch,
        "points": points,
        "before": normalized(base),
        "after": normalized(reference),
        "hashes": sorted(content(p) for p in batch.iterdir()),
    }


def prepare(tmp: Path, name: str, base: Path, batch: Path) -> Path:
    root = tmp / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(base, root, symlinks=True)
    for card in batch.iterdir():
        shutil.copy2(card, root / "inbox" / card.name)
    return root


def content(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def normalized(root: Path) -> dict[str, list[dict[str, Any]]]:
    """The master without what differs between two runs of the same batch (time stamps)."""
    snap = snapshot(root / MASTER)
    for row in snap["submissions"]:
        row["archived_to"] = re.sub(r"_\d{8}-\d{6}(-\d+)?", "", str(row["archived_to"] or ""))
    return snap


def originals(root: Path) -> list[Path]:
    return [
        p
        for folder in FOLDERS
        for p in (root / folder).rglob("*.xlsx")
        if not p.name.endswith("_確認結果.xlsx") and not p.name.startswith(".~ubereport-")
    ]


def check_consistent(root: Path) -> None:
    """Each 提出 row names a file that is there and holds its content; one row per content;
    every report and feedback file opens."""
    rows = snapshot(root / MASTER)["submissions"]
    recorded = [r["sha256"] for r in rows]
    assert len(recorded) == len(set(recorded)), "two 提出 rows for one content"
    for row in rows:
        filed = root / str(row["archived_to"])
        assert filed.is_file() and content(filed) == row["sha256"], row
    for folder in ("outbox", "rejected"):
        for path in (root / folder).rglob("*.xlsx"):
            if path.name.startswith((".~ubereport-", "~$")) or (
                folder == "rejected" and not path.name.endswith("_確認結果.xlsx")
            ):
                continue
            with zipfile.ZipFile(path) as package:
                assert package.testzip() is None, path
    check_feedback_beside_originals(root)


def check_feedback_beside_originals(root: Path, *, killed: bool = False) -> None:
    """A feedback workbook a person sees always has its original beside it — or, right after
    a kill, still in the inbox, to be filed beside it (a killed run's staged feedback stays in
    its hidden staging folder until it is swept)."""
    for path in (root / "rejected").rglob("*_確認結果.xlsx"):
        if any(part.startswith(".~ubereport-") for part in path.relative_to(root).parts):
            continue
        stem = path.name.removesuffix("_確認結果.xlsx")
        if path.with_name(f"{stem}.xlsx").is_file():
            continue
        unstamped = re.sub(r"_\d{8}-\d{6}(-\d+)?$", "", stem)
        assert killed and (root / "inbox" / f"{unstamped}.xlsx").is_file(), path


def check_every_original_once(root: Path, scenario: dict[str, Any]) -> None:
    held = sorted(content(p) for p in originals(root))
    base = sorted(content(p) for p in originals(scenario["base"]))
    assert held == sorted(base + scenario["hashes"])


def test_the_traced_run_names_every_kind_of_durable_step(scenario: dict[str, Any]) -> None:
    kinds = {name.split(":")[0] for name in scenario["points"]}
    assert kinds == {"write", "fsync", "replace", "placed", "move", "moved", "log", "logged"}
    names = scenario["points"]
    assert "replace:アクションプラン台帳.xlsx" in names
    assert any(n.startswith("replace:アクションプラン台帳_") for n in names)  # the backup
    assert any(n.endswith("_確認結果.xlsx") for n in names)  # the feedback
    assert any(n.startswith("placed:") for n in names)  # moved from its staging folder
    assert sum(n.startswith("moved:") for n in names) == 5


def test_a_kill_at_every_point_leaves_a_master_that_opens_and_a_run_that_converges(
    scenario: dict[str, Any],
) -> None:
    tmp, base, batch = scenario["tmp"], scenario["base"], scenario["batch"]
    points = scenario["points"]
    sys.stderr.write(f"crash test: {len(points)} fault points, {2 * len(points)} kills\n")
    for n in range(1, len(points) + 1):
        root = prepare(tmp, "trial", base, batch)
        assert forked_run(root, str(n)) == faults.KILLED, (n, points[n - 1])
        assert normalized(root) in (scenario["before"], scenario["after"]), (n, points[n - 1])
        check_every_original_once(root, scenario)
        check_feedback_beside_originals(root, killed=True)
        killed = prepare(tmp, "killed-copy", base, batch)
        shutil.rmtree(killed)
        shutil.copytree(root, killed, symlinks=True)
        # recovery, uninterrupted
        assert forked_run(root, None) in (0, 1), (n, points[n - 1])
        assert normalized(root) == scenario["after"], (n, points[n - 1])
        check_every_original_once(root, scenario)
        check_consistent(root)
        # recovery killed as well (at the same point number), then recovered
        forked_run(killed, str(n))
        assert normalized(killed) in (scenario["before"], scenario["after"]), (n, "second")
        assert forked_run(killed, None) in (0, 1), (n, "second")
        assert normalized(killed) == scenario["after"], (n, "second", points[n - 1])
        check_every_original_once(killed, scenario)
        check_consistent(killed)
        shutil.rmtree(killed)
