"""The unattended job on the shared drive: ``ubereport run``.

Order matters for crash safety: read and validate, merge, save the master, render the reports,
write feedback — and only then move the originals out of ``inbox/``. A run killed anywhere leaves
each file either still in the inbox (and the next run sees its content is already in the master
and just files it away) or moved after everything it fed was saved.

The idle path (nothing new) imports neither openpyxl nor pandas and writes no file.
"""

from __future__ import annotations

from collections.abc import Callable

from ubereport.errors import CannotRun
from ubereport.files.content import content_hash
from ubereport.job.config import Settings
from ubereport.job.inbox import scan_inbox
from ubereport.job.outcome import FileOutcome, RunSummary
from ubereport.job.state import known_hashes


def run_job(settings: Settings, progress: Callable[[int, int], None] | None = None) -> RunSummary:
    """One run over the inbox; ``progress(done, total)`` follows the reading of the files."""
    inbox = settings.path("inbox")
    if not inbox.is_dir():
        raise CannotRun(
            f"受付フォルダ「{inbox}」がありません。「ubereport init --root」で作成してください。"
        )
    scan = scan_inbox(inbox, settings.settle_seconds)
    summary = RunSummary(root=settings.root, inbox=inbox, master=settings.path("master"))
    summary.outcomes += [FileOutcome(p.name, "待機", why) for p, why in scan.waiting]
    hashes = {p: content_hash(p) for p in scan.ready}
    known = known_hashes(settings)
    if not scan.ready or (not settings.move_processed and set(hashes.values()) <= known):
        summary.idle = not scan.waiting
        return summary
    from ubereport.job.pipeline import process_batch

    process_batch(settings, scan.ready, summary, progress)
    summary.outcomes += [
        FileOutcome(p.name, "対象外", "Excelファイルではありません") for p in scan.others
    ]
    return summary
