"""The run log: ``logs/ubereport-<date>.log``, a Japanese summary plus the technical detail.

One file per day, always UTF-8 (a lone surrogate left by an undecodable file name is
written as an escape), appended to; files older than ``log_days`` are removed.
"""

from __future__ import annotations

import os
import platform
from datetime import date, datetime, timedelta
from pathlib import Path

from ubereport.files import faults
from ubereport.job.config import Settings


def append_log(settings: Settings, summary: str, detail: list[str]) -> Path | None:
    folder = settings.path("logs")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"ubereport-{date.today():%Y-%m-%d}.log"
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        lines = [
            f"==== {stamp} ubereport run（{platform.node()} pid {os.getpid()}）",
            summary,
            "-- 詳細（ファイル\t判定\t内容\t移動先）",
            *detail,
            "",
        ]
        faults.point(f"log:{path.name}")
        with path.open("a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write("\n".join(lines) + "\n")
        faults.point(f"logged:{path.name}")
        _rotate(folder, settings.log_days)
        return path
    except OSError:
        return None


def _rotate(folder: Path, keep_days: int) -> None:
    cutoff = f"ubereport-{date.today() - timedelta(days=keep_days):%Y-%m-%d}.log"
    for old in folder.glob("ubereport-*.log"):
        if old.name < cutoff:
            old.unlink(missing_ok=True)
