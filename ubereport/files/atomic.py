"""Write a file so that readers see either the old or the new content, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ubereport.errors import MasterUnwritable


def write_atomically(target: Path, produce: Callable[[Path], None]) -> None:
    """Call ``produce(tmp)`` for a temporary file beside ``target``, fsync it, then replace."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".~ubereport-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        produce(tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MasterUnwritable(
            f"「{target}」を書き込めませんでした（{exc.strerror or exc}）。"
            "空き容量・書き込み権限・ほかの人が開いていないかを確認してください。"
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
