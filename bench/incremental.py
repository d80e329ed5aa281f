"""bench part (e): one new card into a root whose master already holds N submissions.

During the submission season the job runs every 10 minutes and usually finds one card. This
measures that run against the size of the master: a base root is filled by a real ``ubereport
run`` of a generated batch, its master is then scaled to N submissions (the 提出 and 指摘 rows of the
base are repeated under new content hashes and IDs, older than the real ones, so the
current values still come from the real submissions), and ubereport itself rewrites it once with a
first new card (the steady state: the master, the reports and any cache as the previous run left
them). Each timed run starts from a copy of that root and drops one more new card into the inbox.
The sizes are timed in turn within each repeat, so load on the machine falls on all of them alike.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MASTER = Path("outbox") / "アクションプラン台帳.xlsx"


def scale_master(base: Path, target: Path, submissions: int) -> dict[str, int]:
    """Write ``target``: the master ``base`` with its 提出 rows (and their 指摘) repeated to
    ``submissions`` (fewer: the newest ones only). Returns the row counts.

    変更履歴 is left as the base run made it: as in one large batch, where only the newest card of
    each plan and year is merged and the rest are recorded as 不採用, the history grows with the
    plans and years, not with the number of files."""
    from ubereport.master.store import read_master, write_master

    data = read_master(base)
    subs = data.tables["submissions"]
    by_sub: dict[str, list[dict[str, Any]]] = {}
    for row in data.tables["findings"]:
        by_sub.setdefault(str(row["submission_id"]), []).append(row)
    extra = max(0, submissions - len(subs))
    new_subs: list[dict[str, Any]] = []
    new_findings: list[dict[str, Any]] = []
    for k in range(extra):
        row = subs[k % len(subs)]
        sha = hashlib.sha256(f"{row['sha256']}:{k}".encode()).hexdigest()
        sid = sha[:12]
        new_subs.append(
            {**row, "sha256": sha, "submission_id": sid, "received_at": "2021-04-01 09:00:00"}
        )
        new_findings += [{**f, "submission_id": sid} for f in by_sub.get(row["submission_id"], [])]
    if extra:
        data.tables["submissions"] = new_subs + subs
        data.tables["findings"] = new_findings + data.tables["findings"]
    else:
        keep = subs[-submissions:]
        kept = {r["submission_id"] for r in keep}
        data.tables["submissions"] = keep
        data.tables["findings"] = [r for r in data.tables["findings"] if r["submission_id"] in kept]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    write_master(target, data, backups=0)
    return {name: len(rows) for name, rows in data.tables.items()}


def bench_incremental(
    sizes: Sequence[int],
    base_files: Sequence[Path],
    new_cards: Sequence[Path],
    repeat: int,
    scratch: Path,
    *,
    make_root: Callable[[Path], None],
    run: Callable[[Path], Any],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Time ``repeat`` incremental runs per size; ``new_cards[0]`` settles each root and
    ``new_cards[1]`` is the card of every timed run."""
    base = scratch / "incremental-base"
    make_root(base)
    for f in base_files:
        shutil.copyfile(f, base / "inbox" / f.name)
    child = run(base)
    if child.exit_code not in (0, 1):
        raise RuntimeError(f"base run exited {child.exit_code}:\n{child.stderr}")
    settled: dict[int, Path] = {}
    rows: dict[int, dict[str, int]] = {}
    for n in sizes:
        log(f"(e) building a root whose master holds {n:,} submissions")
        root = scratch / f"incremental-{n}"
        make_root(root)
        (root / MASTER).unlink()
        rows[n] = scale_master(base / MASTER, root / MASTER, n)
        shutil.copyfile(new_cards[0], root / "inbox" / new_cards[0].name)
        child = run(root)  # ubereport writes the master once itself: the steady state
        if child.exit_code not in (0, 1):
            raise RuntimeError(f"settling run exited {child.exit_code}:\n{child.stderr}")
        settled[n] = root
    runs: dict[int, list[Any]] = {n: [] for n in sizes}
    for r in range(repeat):
        log(f"(e) incremental runs, round {r + 1}/{repeat}")
        for n in sizes:
            work = scratch / f"incremental-{n}-run"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(settled[n], work, symlinks=True)
            shutil.copyfile(new_cards[1], work / "inbox" / new_cards[1].name)
            child = run(work)
            if child.exit_code not in (0, 1):
                raise RuntimeError(f"incremental run exited {child.exit_code}:\n{child.stderr}")
            runs[n].append(child)
            if r == repeat - 1:
                runs[n].append(_summary(work, child))
                shutil.rmtree(work, ignore_errors=True)
    out: dict[str, Any] = {}
    for n in sizes:
        *children, info = runs[n]
        out[str(n)] = {
            "n": n,
            "seconds": [c.seconds for c in children],
            "maxrss_mb": [c.maxrss_mb for c in children],
            "exit_codes": [c.exit_code for c in children],
            "rows_before": rows[n],
            **info,
        }
    for n in sizes:
        shutil.rmtree(settled[n], ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)
    return out


def _summary(root: Path, child: Any) -> dict[str, Any]:
    from ubereport.master.store import read_master

    total = next((line for line in child.stdout.splitlines() if line.startswith("合計:")), "")
    data = read_master(root / MASTER)
    return {
        "summary": total,
        "rows_after": {name: len(rows) for name, rows in data.tables.items()},
        "master_mb": (root / MASTER).stat().st_size / 1024 / 1024,
    }


if __name__ == "__main__":  # pragma: no cover - run through bench/run.py
    sys.exit("run this through bench/run.py --parts e")
