"""One writer at a time: a lock file beside the master, created atomically (O_EXCL).

A second run waits up to ``wait`` seconds, then gives up with :class:`LockHeld` (exit 2). A lock
whose process is gone (same host, pid not running) or that is older than ``stale_after`` seconds
is taken over, with a 警告 for the log.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ubereport.errors import LockHeld, MasterUnwritable
from ubereport.files.atomic import unwritable_message

STALE_AFTER = 6 * 3600


def lock_path(master: Path) -> Path:
    return master.with_name(master.name + ".lock")


@contextmanager
def master_lock(
    master: Path, *, wait: float = 60.0, poll: float = 0.2, stale_after: float = STALE_AFTER
) -> Iterator[list[str]]:
    """Hold the master's lock; yields the warnings (Japanese) raised while taking it."""
    path = lock_path(master)
    warnings: list[str] = []
    deadline = time.monotonic() + wait
    while not _try_create(path):
        holder = _holder(path)
        if _is_stale(path, holder, stale_after):
            warnings.append(
                f"前回の処理のロック（{holder.get('host', '?')} のプロセス {holder.get('pid', '?')}、"
                f"{holder.get('started', '?')} 開始）が残っていたため、引き継ぎました。"
            )
            path.unlink(missing_ok=True)
            continue
        if time.monotonic() >= deadline:
            raise LockHeld(
                f"ほかの処理（{holder.get('host', '?')} のプロセス {holder.get('pid', '?')}、"
                f"{holder.get('started', '?')} 開始）が台帳を更新中のため、{wait:g} 秒待ちましたが"
                "終了しました。しばらくしてから再実行してください。"
            )
        time.sleep(poll)
    try:
        yield warnings
    finally:
        path.unlink(missing_ok=True)


def _try_create(path: Path) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as exc:  # a read-only or missing outbox: exit 2 naming the folder
        subject = f"台帳のフォルダ「{path.parent}」のロックファイル"
        raise MasterUnwritable(unwritable_message(path, exc, subject)) from exc
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False)
    return True


def _holder(path: Path) -> dict[str, object]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _is_stale(path: Path, holder: dict[str, object], stale_after: float) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False
    if age > stale_after:
        return True
    pid = holder.get("pid")
    if holder.get("host") == socket.gethostname() and isinstance(pid, int):
        return not _alive(pid)
    return not holder and age > 60


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
