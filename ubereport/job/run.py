"""The unattended job on the shared drive: ``ubereport run``.

Order matters for crash safety: read and validate, merge, save the master, render the reports,
write feedback — and only then move the originals out of ``inbox/``. A run killed anywhere leaves
each file either still in the inbox (and the next run sees its content is already in the master
and just files it away) or moved after everything it fed was saved.

The idle path (nothing new) imports neither openpyxl nor pandas and writes no file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ubereport.errors import CannotRun
from ubereport.files.content import content_hash
from ubereport.files.names import display_name
from ubereport.job.config import Settings
from ubereport.job.inbox import scan_inbox
from ubereport.job.outcome import FileOutcome, RunSummary
from ubereport.job.plans import plan_sites
from ubereport.job.state import known_hashes, pending_reports


def run_job(settings: Settings, progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """One run over the inbox; ``progress(done, total)`` follows the reading of the files."""
    inbox = settings.path("inbox")
    if not inbox.is_dir():
        raise CannotRun(
            f"受付フォルダ「{inbox}」がありません。「ubereport init --root」で作成してください。"
        )
    sites = plan_sites(settings)  # a malformed plan definition stops every run, idle or not
    scan = scan_inbox(inbox, settings.settle_seconds, mode=settings.settle_check)
    summary = RunSummary(root=settings.root, inbox=inbox, master=sites[-1].master)
    plans = [s.settings for s in sites]
    if not scan.ready or (not settings.move_processed and _all_known(scan.ready, plans)):
        summary.outcomes += [FileOutcome(display_name(p), "待機", w) for p, w in scan.waiting]
        if any(pending_reports(p) and p.path("master").exists() for p in plans):
            from ubereport.job.pipeline import render_pending

            render_pending(settings, summary, sites)
            return summary
        summary.idle = not scan.waiting
        return summary
    from ubereport.job.pipeline import process_batch

    process_batch(settings, summary, progress, settled=scan.seen, sites=sites)
    return summary


def _all_known(paths: list[Path], plans: list[Settings]) -> bool:
    """Whether the masters already hold every one of ``paths`` (a file gone counts as held)."""
    known = set().union(*(known_hashes(p) for p in plans))
    for path in paths:
        try:
            if content_hash(path) not in known:
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True
