"""Read, validate and hash a batch of files, and write its feedback workbooks: in worker
processes when the batch is large.

Each file is independent until the batch decision (``decide``), so the work splits cleanly: the
workers return the same :class:`Submission` objects, in the same order, as the single-process
loop (a test runs a whole batch both ways and compares every output). Workers are started with
``spawn`` on every platform, so Linux CI runs the same code path as Windows.

What comes back is compact (issue 18): only a valid card can be merged, so a worker sends the
others without their parsed card (the :class:`CardHead` stays for the 提出 row), and a valid one
as its pickle, which this process keeps only while it is the newest of its plan and year
(:class:`_Newest`) and unpacks only to merge it. A batch of 20,000 cards thus holds one card
per plan and year, not 20,000.
"""

from __future__ import annotations

import contextlib
import math
import os
import traceback
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from ubereport.errors import UbereportError
from ubereport.files import faults
from ubereport.files.access import open_problem
from ubereport.files.content import content_hash
from ubereport.files.names import display_name
from ubereport.findings import Finding, make_finding
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Plans, Registry
from ubereport.validate.batch import Submission, internal_error
from ubereport.validate.context import Report, TargetKey
from ubereport.validate.run import validate_cards

# From this many files on, two worker processes make a whole `ubereport run` faster on a 2-core
# machine (bench part t, bench/RESULTS.md). Since the reader got faster (issue 18), one process
# keeps up longer: over three rounds at 01447ac two workers took 1.14 / 1.09 / 1.06 / 1.14x the
# time at 100 / 200 / 300 / 400 files and 0.87 / 0.78x at 600 / 1,000; another three rounds gave
# 0.91 / 0.99 / 0.78x at 400 / 500 / 600. 500 is where both agree that workers stop costing.
PARALLEL_MIN_FILES = 500
# Feedback workbooks are written in workers from this many (each ~15 ms in openpyxl; a worker
# imports openpyxl first, ~0.3 s; the workers write while this process renders the reports).
FEEDBACK_PARALLEL_MIN = 40
MAX_AUTO_WORKERS = 4
# Files per task sent to a reading worker: small enough that a task's results (~8 KB per valid
# card) never pile up, large enough that the messages cost nothing.
CHUNK_MAX = 32


def worker_count(files: int, workers: int = 0, threshold: int = PARALLEL_MIN_FILES) -> int:
    """Processes for ``files`` files: ``workers`` when set (1 = this process), else automatic
    from ``threshold`` files on."""
    if workers:
        return max(1, min(workers, files))
    if files < threshold:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS, files))


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


def submit_compact(
    path: Path,
    registry: Registry,
    registered_targets: Mapping[TargetKey, str],
    bands: Bands | None,
) -> list[Submission]:
    """:func:`submit` in a worker: what crosses back to the run is compact — a card that cannot
    be merged (it has an エラー, or no plan and year) without its parsed card, a valid one with
    its card as a pickle."""
    subs = submit(path, registry, registered_targets, bands)
    for sub in subs:
        sub.compact(keep=sub.report.valid and sub.key is not None, pack=True)
    return subs


def submit_all(
    paths: Sequence[Path],
    registry: Registry | Plans,
    *,
    registered_targets: Mapping[TargetKey, str],
    bands: Bands | Mapping[str, Bands] | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
    known: Container[str] = (),
) -> list[Submission]:
    """Every card of every file of ``paths`` as a submission, in the order given;
    ``progress(done, total)`` is called after each file.

    Only a submission that can still be merged keeps its card (:class:`_Newest`); ``known``
    holds the content hashes the master has already recorded (never merged again).
    """
    args = {"registry": registry, "registered_targets": registered_targets, "bands": bands}
    one = partial(submit, **args)
    count = worker_count(len(paths), workers)
    if count == 1:
        return _collect(map(one, paths), paths, progress, _Newest(known))
    chunk = max(1, min(CHUNK_MAX, math.ceil(len(paths) / (count * 4))))
    try:
        with ProcessPoolExecutor(count, mp_context=get_context("spawn")) as pool:
            compact = partial(submit_compact, **args)
            results = pool.map(compact, paths, chunksize=chunk)
            return _collect(results, paths, progress, _Newest(known))
    except (BrokenProcessPool, OSError):
        # Workers could not start or died (memory, a locked-down PC): same work, this process.
        return _collect(map(one, paths), paths, progress, _Newest(known))


class _Newest:
    """Keeps the card of the newest submission of each plan and year, and lets every other go.

    ``decide`` merges of each plan and year only the newest submission (by
    :attr:`Submission.order`) among those whose content the master does not know; a byte-identical
    copy has the same plan and year, so the newest copy is the one that stands. Any other card
    can never be merged: its head is all the 提出 row needs.
    """

    def __init__(self, known: Container[str]) -> None:
        self.known = known
        self.best: dict[tuple[str, int], Submission] = {}

    def add(self, sub: Submission) -> None:
        key = sub.key
        if key is None or sub.sha256 in self.known:
            sub.compact(keep=False)
            return
        best = self.best.get(key)
        if best is not None and best.order > sub.order:
            sub.compact(keep=False)
            return
        if best is not None:
            best.compact(keep=False)
        self.best[key] = sub
        if not sub.report.valid:
            sub.compact(keep=False)


def _collect(
    results: Iterable[list[Submission]],
    paths: Sequence[Path],
    progress: Callable[[int, int], None] | None,
    newest: _Newest,
) -> list[Submission]:
    """The submissions in file order (a file gone before it was read has none); progress per file.

    Each submission carries the caller's own path object, not the copy a worker sent back (a
    path costs ~0.5 KB, and a batch of 20,000 files would otherwise hold each one twice), and
    its head's texts shared with the batch's other cards.
    """
    out: list[Submission] = []
    total = len(paths)
    for done, (path, subs) in enumerate(zip(paths, results, strict=True), start=1):
        for sub in subs:
            sub.path = path
            if sub.head is not None:
                sub.head = sub.head.shared()
            newest.add(sub)
        out += subs
        if progress is not None:
            progress(done, total)
    return out


# ------------------------------------------------------------------------------------------
# feedback workbooks
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedbackJob:
    """One workbook's feedback: its findings, written into ``folder`` for the original ``name``."""

    original: Path
    findings: tuple[Finding, ...]
    folder: Path
    name: str


@dataclass(frozen=True, slots=True)
class FeedbackDone:
    """What became of a job: the workbook written, or why not (``problem``: a message for
    people — lack of room or permission; ``failure``: an exception nobody foresaw, its
    ``trace`` for the log)."""

    path: Path | None = None
    problem: str = ""
    failure: str = ""
    trace: str = ""


def write_one_feedback(job: FeedbackJob) -> FeedbackDone:
    """Write one feedback workbook; whatever goes wrong is returned, never raised."""
    from ubereport.validate.feedback import write_feedback  # openpyxl: ~0.3 s to import

    try:
        return FeedbackDone(
            write_feedback(job.original, list(job.findings), job.folder, name=job.name)
        )
    except UbereportError as exc:
        return FeedbackDone(problem=exc.message)
    except Exception as exc:
        return FeedbackDone(failure=type(exc).__name__, trace=traceback.format_exc())


class FeedbackWriter:
    """Feedback workbooks written while the caller goes on (in worker processes when there are
    many, else right away in this process); :meth:`results` waits for them, in job order.

    A worker that dies (killed, out of memory) loses nothing: every workbook is then written
    again in this process (a workbook is replaced atomically, so writing it twice is harmless).
    """

    def __init__(self, jobs: Sequence[FeedbackJob], workers: int = 0) -> None:
        self.jobs = list(jobs)
        self.pool: Executor | None = None
        self.pending: Iterator[FeedbackDone] | None = None
        self.done: list[FeedbackDone] = []
        count = worker_count(len(self.jobs), workers, FEEDBACK_PARALLEL_MIN)
        if count > 1:
            try:
                self.pool = ProcessPoolExecutor(
                    count, mp_context=get_context("spawn"), initializer=faults.in_worker
                )
                chunk = max(1, math.ceil(len(self.jobs) / (count * 4)))
                self.pending = self.pool.map(write_one_feedback, self.jobs, chunksize=chunk)
            except (BrokenProcessPool, OSError):
                self._close()
        if self.pool is None:
            self.done = [write_one_feedback(job) for job in self.jobs]

    def results(self) -> list[FeedbackDone]:
        if self.pool is not None and self.pending is not None:
            try:
                self.done = list(self.pending)
            except (BrokenProcessPool, OSError):
                self.done = [write_one_feedback(job) for job in self.jobs]
            finally:
                self._close()
        return self.done

    def _close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        self.pool, self.pending = None, None


def release_pool_helper() -> None:
    """Stop the helper process multiprocessing starts beside the first worker pool (its
    resource tracker, ~15 MB, otherwise alive until the run ends) once no pool is running:
    a later pool starts it again. Nothing to do where there is none (Windows, no pool yet)."""
    from multiprocessing import resource_tracker

    stop = getattr(getattr(resource_tracker, "_resource_tracker", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(OSError, ChildProcessError):
            stop()
