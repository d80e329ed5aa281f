"""The master workbook (台帳), the store of record: schema, store (with fill and package, which
write and splice the workbook's package), the disposable cache of its parsed tables and the
digest of 提出 kept in it, lock, merge, the GC pause around bulk work, and create / merge-files.
May use validate, card, plan, files, japanese and the foundation (errors, findings)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ubereport.errors import MasterExists, MasterLost, MasterMissing
from ubereport.master.lock import master_lock
from ubereport.master.merge import MergeResult, merge_submission, merging, registered_targets
from ubereport.master.store import (
    MasterData,
    list_backups,
    new_master,
    read_master,
    write_master,
)
from ubereport.plan.registry import Registry
from ubereport.validate.batch import Decision, Submission, decide, internal_error
from ubereport.validate.parallel import submit_all

__all__ = ["MasterData", "MergeOutcome", "init_master", "merge_files", "read_master"]


def init_master(path: Path, registry: Registry) -> None:
    """Create the master from the registry; never overwrites one, never replaces a lost one.

    With no master but backups beside it the master was lost (deleted or moved by mistake):
    starting a blank one would hide five years of results, so this stops and says how to restore.
    """
    if path.exists():
        raise MasterExists(
            f"台帳「{path}」はすでにあります。上書きはしません（作り直す場合は手で移動してください）。"
        )
    refuse_lost(path)
    write_master(path, new_master(registry), backups=0)


def follow_definition(data: MasterData, registry: Registry) -> bool:
    """A master nothing was ever merged into takes its 計画 rows from the plan's definition as
    it is now (the clerk replaced the demo plan, or edited the 体系図, after ``init``)."""
    if data.count("submissions"):
        return False
    fresh = new_master(registry).rows("plans")
    if data.rows("plans") == fresh:
        return False
    data.replace("plans", fresh)
    return True


def refuse_lost(path: Path) -> None:
    """Raise :class:`MasterLost` when ``path`` is gone but backups of it exist."""
    backups = list_backups(path)
    if backups and not path.exists():
        newest = backups[-1]
        when = datetime.fromtimestamp(newest.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        raise MasterLost(
            f"台帳「{path}」が見つかりません。最新のバックアップ「{newest.name}（{when}）」から"
            "戻すには `ubereport restore` を実行してください（台帳を新しく作り直すことはしません）。"
        )


@dataclass(slots=True)
class MergeOutcome:
    results: list[MergeResult]
    submissions: list[Submission]
    warnings: list[str] = field(default_factory=list)
    written: bool = False


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def require_master(path: Path) -> None:
    """Stop (exit 2) when the master is missing, pointing at restore when backups exist."""
    if path.exists():
        return
    refuse_lost(path)
    raise MasterMissing(f"台帳「{path}」がありません。先に「ubereport init」で作成してください。")


def merge_files(
    paths: Sequence[Path],
    master: Path,
    registry: Registry,
    *,
    dry_run: bool = False,
    backups: int = 10,
    lock_wait: float = 60.0,
    archived: dict[Path, str] | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> MergeOutcome:
    """Validate ``paths`` as one batch and merge the accepted ones into ``master``."""
    require_master(master)
    with master_lock(master, wait=lock_wait) as warnings:
        data = read_master(master)
        targets = registered_targets(data)
        known = data.merged_hashes()
        subs = submit_all(
            paths,
            registry,
            registered_targets=targets,
            workers=workers,
            progress=progress,
            known=known,
        )
        decide(subs, known)
        data, results = merge_isolated(master, data, subs, now_text(), archived, registry)
        fresh = any(r.decision is not Decision.ALREADY_PROCESSED for r in results)
        if fresh and not dry_run:
            write_master(master, data, backups=backups)
        return MergeOutcome(results, subs, warnings, fresh and not dry_run)


def merge_isolated(
    master: Path,
    data: MasterData,
    subs: list[Submission],
    now: str,
    archived: Mapping[Path, str] | None = None,
    plan: Registry | None = None,
    *,
    changes: bool = True,
) -> tuple[MasterData, list[MergeResult]]:
    """Merge every submission; one that raises is rejected and the others merged without it.
    Without ``changes`` the results do not list the fields each card changed (only 変更履歴
    records them: the unattended run reports decisions, and a batch of 20,000 cards changes
    some 65,000 fields).

    A merge that raised may have changed ``data`` half-way, so the batch starts again from the
    master on disk (unchanged until the write). A submission whose recording fails as well is
    left out of the master altogether (its file is still filed and fed back, and the log says so).
    """
    archived = archived or {}
    failed: set[int] = set()
    unrecordable: set[int] = set()
    while True:
        results: list[MergeResult] = []
        broke = False
        with merging(data):
            for i, sub in enumerate(subs):
                if i in unrecordable:
                    results.append(MergeResult("", sub.name, Decision.REJECTED, None))
                    continue
                try:
                    results.append(
                        merge_submission(
                            data, sub, now, archived.get(sub.path, ""), plan, changes=changes
                        )
                    )
                except Exception as exc:
                    (unrecordable if i in failed else failed).add(i)
                    if not any(f.code == "internal-error" for f in sub.notes):
                        sub.notes.append(internal_error(sub.name, exc))
                    sub.decision = Decision.REJECTED
                    sub.trace += traceback.format_exc()
                    broke = True
                    break
        if not broke:
            return data, results
        data = read_master(master)


def load(path: Path) -> MasterData:
    require_master(path)
    return read_master(path)
