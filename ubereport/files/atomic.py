"""Write a file so that readers see either the old or the new content, never half of it.

The new content is produced into a temporary file beside the target (so the replace is a rename
on the same volume and no temporary file lands anywhere else), flushed to disk, given the mode
the file had before (or the mode a new file gets under the current umask — ``mkstemp`` alone
would leave 0600, which other staff on a Samba share cannot open), and then renamed over the
target. Whatever fails — the folder missing or read-only, the disk full, a library's own error
class wrapping an ``OSError`` (xlsxwriter's ``FileCreateError``) — the temporary file is removed
and :class:`~ubereport.errors.MasterUnwritable` says in Japanese which file and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ubereport.errors import FileHeldOpen, MasterUnwritable
from ubereport.files import faults
from ubereport.files.access import is_held_open, open_problem
from ubereport.files.office import holder

TEMP_PREFIX = ".~ubereport-"


_skipped: ContextVar[list[Path] | None] = ContextVar("held_open_skipped", default=None)


def write_atomically(
    target: Path,
    produce: Callable[[Path], None],
    *,
    held_wait: float = 0.0,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Call ``produce(tmp)`` for a temporary file beside ``target``, fsync it, then replace.

    A target someone has open in Excel (its owner file ``~$…`` is there, or Windows refuses the
    replace with a sharing violation) is never replaced: inside :func:`skipping_held_files` it is
    left as it is and noted; otherwise the write waits up to ``held_wait`` seconds for the file to
    be closed and then raises :class:`~ubereport.errors.FileHeldOpen`.
    """
    tmp: Path | None = None
    label = target.name
    try:
        ensure_closed(target, held_wait, pause)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        produce(tmp)
        os.chmod(tmp, mode_for(target))
        faults.point(f"write:{label}")
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        faults.point(f"fsync:{label}")
        _replace(tmp, target, held_wait, pause)
        tmp = None
        faults.point(f"replace:{label}")
        _fsync_dir(target.parent)
    except _Skip:
        if tmp is not None:
            _remove(tmp)
    except BaseException as exc:
        if tmp is not None:
            _remove(tmp)
        if isinstance(exc, FileHeldOpen):
            raise
        cause = os_error_in(exc)
        if cause is None:
            raise
        raise MasterUnwritable(unwritable_message(target, cause)) from exc


@contextmanager
def skipping_held_files() -> Iterator[list[Path]]:
    """Writes inside leave a file someone holds open untouched; yields the files left so."""
    skipped: list[Path] = []
    token = _skipped.set(skipped)
    try:
        yield skipped
    finally:
        _skipped.reset(token)


class _Skip(Exception):
    pass


def held_message(target: Path, who: str | None) -> str:
    person = f"{who} さん" if who else "ほかの人"
    return f"「{target}」を{person}が開いているため更新できませんでした"


def ensure_closed(target: Path, wait: float, pause: Callable[[float], None] = time.sleep) -> None:
    """Wait up to ``wait`` seconds while someone has ``target`` open in Excel, then raise."""
    who = holder(target)
    waited = 0.0
    while who is not None and _skipped.get() is None and waited < wait:
        pause(1.0)
        waited += 1.0
        who = holder(target)
    if who is not None:
        _held(target, who)


def _replace(tmp: Path, target: Path, wait: float, pause: Callable[[float], None]) -> None:
    waited = 0.0
    while True:
        try:
            os.replace(tmp, target)
            return
        except PermissionError as exc:
            if not is_held_open(exc):
                raise
            if _skipped.get() is not None or waited >= wait:
                _held(target, holder(target) or "")
            pause(1.0)
            waited += 1.0


def _held(target: Path, who: str) -> None:
    skipped = _skipped.get()
    if skipped is not None:
        skipped.append(target)
        raise _Skip
    raise FileHeldOpen(
        held_message(target, who) + "。Excelで閉じてから再実行してください"
        "（取り込んだ内容は失われません。次回の実行で取り込みます）。"
    )


def xlsx_tmpdir(path: Path) -> dict[str, str]:
    """xlsxwriter's working files go beside the output, never into the system temp folder."""
    return {"tmpdir": str(Path(path).parent)}


def mode_for(target: Path) -> int:
    """The permission bits the replaced file had, else those of a new file under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def os_error_in(exc: BaseException) -> OSError | None:
    """The ``OSError`` behind ``exc``, itself or in its chain of causes (library wrappers)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def unwritable_message(target: Path, exc: OSError, subject: str = "") -> str:
    """「…」を書き込めませんでした, with the reason and what the clerk can do about it."""
    if is_held_open(exc):
        advice = "ほかの人がExcelなどで開いていないか確認し、閉じてから再実行してください。"
    elif isinstance(exc, PermissionError):
        advice = f"フォルダ「{target.parent}」に書き込む権限があるか確認してください。"
    elif isinstance(exc, FileNotFoundError):
        advice = f"フォルダ「{target.parent}」があるか（共有ドライブにつながっているか）確認してください。"
    else:
        advice = (
            f"フォルダ「{target.parent}」のあるドライブの空き容量と書き込み権限を確認してください。"
        )
    if exc.errno == errno.ENOSPC:
        reason = "ディスクの空きがありません"
    elif isinstance(exc, PermissionError) and not is_held_open(exc):
        reason = "書き込みの権限がありません"
    else:
        reason = open_problem(exc)
    return f"{subject or f'「{target}」'}を書き込めませんでした（{reason}）。{advice}"


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
