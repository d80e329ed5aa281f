"""Bring the master back from a backup, and say which filed originals it no longer holds.

The backups in ``<master folder>/backup`` are complete masters (written atomically, verified).
Restoring one replaces the master atomically, after the current master — if there is one — has
become a backup itself, so a restore never loses anything either. Submissions merged after that
backup are not in it; their originals are in ``archive/`` and ``rejected/``, and
:func:`requeue` moves them back into the inbox so the next run merges each exactly once.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ubereport.errors import CannotRun
from ubereport.files.atomic import write_atomically
from ubereport.files.content import content_hash
from ubereport.master.store import backup_master, list_backups, read_master, submission_count

_STAMP = re.compile(r"_\d{8}-\d{6}(-\d+)?$")


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken: datetime
    size: int
    submissions: int | None  # None: the backup does not open


def backups_of(master: Path) -> list[Backup]:
    """Every backup of ``master``, oldest first, with its time, size and 提出 count."""
    out: list[Backup] = []
    for path in list_backups(master):
        try:
            count: int | None = submission_count(path)
        except Exception:
            count = None
        stat = path.stat()
        out.append(Backup(path, datetime.fromtimestamp(stat.st_mtime), stat.st_size, count))
    return out


def choose(master: Path, name: str | None) -> Backup:
    """The newest backup that opens, or the one named (file name or path)."""
    backups = backups_of(master)
    if name:
        for backup in backups:
            if name in (backup.path.name, str(backup.path)):
                if backup.submissions is None:
                    raise CannotRun(f"バックアップ「{backup.path.name}」は壊れていて開けません。")
                return backup
        raise CannotRun(
            f"バックアップ「{name}」が見つかりません。`ubereport restore --list` で一覧を確認してください。"
        )
    usable = [b for b in backups if b.submissions is not None]
    if not usable:
        raise CannotRun(
            f"台帳「{master}」のバックアップがありません（{master.parent / 'backup'}）。"
        )
    return usable[-1]


def restore(master: Path, backup: Backup, *, keep: int = 10) -> Path | None:
    """Replace ``master`` with ``backup``; the current master first becomes a backup (returned).

    A current master that does not open (the reason to restore, often) cannot be a verified
    backup; it is kept beside them as 「…_開けない台帳_<日時>」 instead, never thrown away.
    """
    previous = None
    if master.exists() and _opens(master):
        previous = backup_master(master, keep=max(keep, 1))
    elif master.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        previous = master.parent / "backup" / f"{master.stem}_開けない台帳_{stamp}{master.suffix}"
        write_atomically(previous, lambda tmp: shutil.copyfile(master, tmp))
    write_atomically(master, lambda tmp: shutil.copyfile(backup.path, tmp))
    return previous


def _opens(master: Path) -> bool:
    try:
        submission_count(master)
    except Exception:
        return False
    return True


def missing_originals(
    master: Path, folders: list[Path], others: list[Path] | None = None
) -> list[Path]:
    """Filed originals (in ``folders``) whose content neither the master nor the masters of the
    root's other plans (``others``) hold."""
    known = set(read_master(master).merged_hashes())
    for other in others or []:
        if other.exists():
            known |= set(read_master(other).merged_hashes())
    out: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            name = path.name
            if not path.is_file() or name.startswith((".~ubereport-", "~$")):
                continue
            if name.endswith("_確認結果.xlsx") or path.suffix.lower() not in (".xlsx", ".xlsm"):
                continue
            if content_hash(path) not in known:
                out.append(path)
    return out


def requeue(paths: list[Path], inbox: Path) -> list[Path]:
    """Move ``paths`` back into ``inbox`` (modification times kept: the newest still wins)."""
    inbox.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    for path in paths:
        stem = _STAMP.sub("", path.stem)  # the time stamp filing added; the next run adds a new one
        dest = inbox / f"{stem}{path.suffix}"
        n = 2
        while dest.exists():
            dest = inbox / f"{stem}({n}){path.suffix}"
            n += 1
        shutil.move(str(path), str(dest))
        moved.append(dest)
    return moved
