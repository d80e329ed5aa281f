"""Filing the originals: time-stamped destination names that never overwrite, and the move."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path


def unique_destination(folder: Path, name: str, stamp: str) -> Path:
    """``folder/name`` with the time stamp before the suffix; never an existing file."""
    stem, suffix = os.path.splitext(name)
    candidate = folder / f"{stem}_{stamp}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}_{stamp}-{n}{suffix}"
        n += 1
    return candidate


def move_original(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dest))


def stamp_now() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
