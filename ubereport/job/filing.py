"""Filing the originals: time-stamped destination names that never overwrite, and the move."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from ubereport.files import faults
from ubereport.files.names import safe_file_name


def unique_destination(folder: Path, name: str, stamp: str) -> Path:
    """``folder/name`` with the time stamp before the suffix; never an existing file.

    The name is made safe for Windows and cut to :data:`MAX_NAME` (with a short hash) whatever
    the original looked like; the original name stays in the master's 提出 row.
    """
    candidate = folder / safe_file_name(name, extra=f"_{stamp}")
    n = 2
    while candidate.exists():
        candidate = folder / safe_file_name(name, extra=f"_{stamp}-{n}")
        n += 1
    return candidate


def move_original(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    faults.point(f"move:{dest.name}")
    shutil.move(str(src), str(dest))
    faults.point(f"moved:{dest.name}")


def stamp_now() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
