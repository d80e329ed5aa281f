"""Which files in a folder are submissions: Office owner files and system clutter are ignored,
files still being copied or held open wait for the next run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def is_ignored(path: Path) -> bool:
    """Owner files (~$…), hidden files and Windows/macOS clutter are never submissions."""
    name = path.name
    return name.startswith(("~$", ".")) or name.lower() in IGNORED_NAMES


def is_excel_name(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def submissions(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into (Excel-named submissions, other files), each sorted."""
    excel: list[Path] = []
    other: list[Path] = []
    for path in paths:
        candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if is_ignored(candidate):
                continue
            (excel if is_excel_name(candidate) else other).append(candidate)
    return excel, other


@dataclass(slots=True)
class _Scan:
    ready: list[Path] = field(default_factory=list)
    waiting: list[tuple[Path, str]] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)


def scan_inbox(inbox: Path, settle_seconds: float, now: float | None = None) -> _Scan:
    """Sort the inbox: ready submissions, files to wait for, non-Excel files; clutter skipped."""
    now = time.time() if now is None else now
    scan = _Scan()
    for path in sorted(p for p in inbox.iterdir() if p.is_file()):
        if is_ignored(path):
            continue
        if not is_excel_name(path):
            scan.others.append(path)
            continue
        reason = _busy(path, settle_seconds, now)
        if reason:
            scan.waiting.append((path, reason))
        else:
            scan.ready.append(path)
    return scan


def _busy(path: Path, settle_seconds: float, now: float) -> str:
    try:
        if now - path.stat().st_mtime < settle_seconds:
            return "コピー中の可能性があるため次回に処理します"
        with path.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        return "ほかのプログラムが開いているため次回に処理します"
    except OSError as exc:
        return f"開けないため次回に処理します（{exc.strerror or exc}）"
    return ""
