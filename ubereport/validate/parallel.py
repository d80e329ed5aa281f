"""Read, validate and hash a batch of files: in worker processes when the batch is large.

Each file is independent until the batch decision (``decide``), so the work splits cleanly: the
workers return the same :class:`Submission` objects, in the same order, as the single-process
loop (a test runs a whole batch both ways and compares every output). Workers are started with
``spawn`` on every platform, so Linux CI runs the same code path as Windows.
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from ubereport.files.access import open_problem
from ubereport.files.content import content_hash
from ubereport.files.names import display_name
from ubereport.findings import make_finding
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Plans, Registry
from ubereport.validate.batch import Submission, internal_error
from ubereport.validate.context import Report, TargetKey
from ubereport.validate.run import validate_cards

# Below this many files, starting worker processes (~0.3 s each) costs more than it saves
# (bench part b: ~5 ms per card).
PARALLEL_MIN_FILES = 100
MAX_AUTO_WORKERS = 4


def worker_count(files: int, workers: int = 0) -> int:
    """Processes for ``files`` files: ``workers`` when set (1 = this process), else automatic."""
    if workers:
        return max(1, min(workers, files))
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def submit(
    path: Path,
    registry: Registry | Plans,
    registered_targets: Mapping[TargetKey, str],
    bands: Bands | Mapping[str, Bands] | None,
) -> list[Submission]:
    """One file as submissions, one per card: validation report, content hash, modification
    time (a workbook with several card sheets gives several, numbered by ``part``).

    Whatever goes wrong with one file stays with that file: an exception nobody foresaw becomes
    an ``internal-error`` finding (the traceback travels along for the run log). A file that is
    gone by the time it is hashed (filed by another run, deleted) gives no submission.
    """
    try:
        sha256, mtime = content_hash(path), path.stat().st_mtime
    except FileNotFoundError:
        return []
    except OSError as exc:
        name = display_name(path)
        report = Report(name, [make_finding("file-unreadable", name, detail=open_problem(exc))])
        return [Submission(path, report, "", 0.0)]
    try:
        reports = validate_cards(path, registry, registered_targets=registered_targets, bands=bands)
    except Exception as exc:
        name = display_name(path)
        trace = traceback.format_exc()
        return [
            Submission(
                path,
                Report(name, [internal_error(name, exc)], None, trace),
                sha256,
                mtime,
                trace=trace,
            )
        ]
    if len(reports) == 1:
        return [Submission(path, reports[0], sha256, mtime, trace=reports[0].trace)]
    return [
        Submission(
            path, r, sha256, mtime, trace=r.trace, sheet=r.card.sheet if r.card else "", part=n
        )
        for n, r in enumerate(reports, start=1)
    ]


def submit_all(
    paths: Sequence[Path],
    registry: Registry | Plans,
    *,
    registered_targets: Mapping[TargetKey, str],
    bands: Bands | Mapping[str, Bands] | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Submission]:
    """Every card of every file of ``paths`` as a submission, in the order given;
    ``progress(done, total)`` is called after each file."""
    one = partial(submit, registry=registry, registered_targets=registered_targets, bands=bands)
    count = worker_count(len(paths), workers)
    if count == 1:
        return _collect(map(one, paths), len(paths), progress)
    chunk = max(1, math.ceil(len(paths) / (count * 4)))
    try:
        with ProcessPoolExecutor(count, mp_context=get_context("spawn")) as pool:
            return _collect(pool.map(one, paths, chunksize=chunk), len(paths), progress)
    except (BrokenProcessPool, OSError):
        # Workers could not start or died (memory, a locked-down PC): same work, this process.
        return _collect(map(one, paths), len(paths), progress)


def _collect(
    results: Iterable[list[Submission]],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> list[Submission]:
    """The submissions in file order (a file gone before it was read has none); progress per file."""
    out: list[Submission] = []
    for done, subs in enumerate(results, start=1):
        out += subs
        if progress is not None:
            progress(done, total)
    return out
