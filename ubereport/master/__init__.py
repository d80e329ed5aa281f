"""The master workbook (台帳), the store of record: schema, store, lock, merge, the GC pause around
bulk work, and create / merge-files. May use validate, card, plan, files, japanese and the
foundation (errors, findings)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ubereport.errors import MasterExists, MasterMissing
from ubereport.master.lock import master_lock
from ubereport.master.merge import MergeResult, merge_submission, registered_targets
from ubereport.master.store import MasterData, new_master, read_master, write_master
from ubereport.plan.registry import Registry
from ubereport.validate.batch import Decision, Submission, decide
from ubereport.validate.parallel import submit_all

__all__ = ["MasterData", "MergeOutcome", "init_master", "merge_files", "read_master"]


def init_master(path: Path, registry: Registry) -> None:
    """Create the master from the registry; never overwrites an existing one."""
    if path.exists():
        raise MasterExists(
            f"台帳「{path}」はすでにあります。上書きはしません（作り直す場合は手で移動してください）。"
        )
    write_master(path, new_master(registry), backups=0)


@dataclass(slots=True)
class MergeOutcome:
    results: list[MergeResult]
    submissions: list[Submission]
    warnings: list[str] = field(default_factory=list)
    written: bool = False


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


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
    if not master.exists():
        raise MasterMissing(
            f"台帳「{master}」がありません。先に「ubereport init」で作成してください。"
        )
    with master_lock(master, wait=lock_wait) as warnings:
        data = read_master(master)
        targets = registered_targets(data)
        subs = submit_all(
            paths, registry, registered_targets=targets, workers=workers, progress=progress
        )
        decide(subs, data.merged_hashes())
        now = now_text()
        results = [merge_submission(data, s, now, (archived or {}).get(s.path, "")) for s in subs]
        fresh = any(r.decision is not Decision.ALREADY_PROCESSED for r in results)
        if fresh and not dry_run:
            write_master(master, data, backups=backups)
        return MergeOutcome(results, subs, warnings, fresh and not dry_run)


def load(path: Path) -> MasterData:
    if not path.exists():
        raise MasterMissing(
            f"台帳「{path}」がありません。先に「ubereport init」で作成してください。"
        )
    return read_master(path)
