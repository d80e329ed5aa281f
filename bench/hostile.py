"""Hostile files (issue 12): wall time and peak RSS of a whole ``ubereport run`` on each.

    python bench/hostile.py

Each case gets a fresh root from ``ubereport init`` with one file in its inbox: a 2 GiB deflate
bomb with honest headers, the same bomb with headers that claim 150 MiB, and a legal 8 MB card
with 4 million value-less styled cells (rejected, so its feedback is written too). The run is a
child process; its peak RSS is read by a parent that waits for it (``RUSAGE_CHILDREN``). Goals:
bombs ≤ 2 s and ≤ 200 MB; the styled card ≤ 15 s and ≤ 500 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from builders import deflate_bomb, filled_sample, styled_card  # noqa: E402

MIB = 1 << 20
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rc": proc.returncode, "wall": wall, "peak": peak}))
"""
GOALS = {"bomb_honest": (2.0, 200), "bomb_lying": (2.0, 200), "styled": (15.0, 500)}


def run_case(work: Path, case: str) -> dict[str, float]:
    root = work / case
    subprocess.run(
        [sys.executable, "-m", "ubereport", "init", "--root", str(root)],
        check=True,
        capture_output=True,
    )
    config = root / "ubereport.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0"),
        encoding="utf-8",
    )
    card = filled_sample(work, "02", achievements="")
    target = root / "inbox" / f"{case}.xlsx"
    if case == "bomb_honest":
        deflate_bomb(target, card, 2048 * MIB)
    elif case == "bomb_lying":
        deflate_bomb(target, card, 2048 * MIB, declared=150 * MIB)
    else:
        styled_card(target, card, rows=40_000, columns=100)
    size = target.stat().st_size / 1e6
    command = [sys.executable, "-m", "ubereport", "run", "--root", str(root)]
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    result["file_mb"] = size
    return result


def main() -> None:
    print(f"# Hostile files, {time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}\n")
    print("| case | file MB | exit | wall s | peak RSS MB | goal | |")
    print("|---|---:|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for case, (wall_goal, rss_goal) in GOALS.items():
            r = run_case(Path(tmp), case)
            met = r["wall"] <= wall_goal and r["peak"] <= rss_goal
            print(
                f"| {case} | {r['file_mb']:.1f} | {r['rc']:.0f} | {r['wall']:.2f} | {r['peak']:.0f} "
                f"| ≤ {wall_goal:g} s, ≤ {rss_goal} MB | {'**met**' if met else 'MISSED'} |"
            )


if __name__ == "__main__":
    main()
