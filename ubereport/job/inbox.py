"""Which files in a folder are submissions: Office owner files and system clutter are ignored,
files still being copied or held open wait for the next run."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ubereport.files.access import is_held_open, open_problem

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def is_ignored(path: Path) -> bool:
    """Owner files (~$…), hidden files and Windows/macOS clutter are never submissions."""
    name = path.name
    return name.startswith(("~$", ".")) or name.lower() in IGNORED_NAMES


def is_excel_name(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def submissions(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and folders into (Excel-named submissions, other files with the reason
    they are not read), each sorted. A link inside a given folder is listed, never followed
    (a file named on the command line is read as given)."""
    excel: list[Path] = []
    other: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(path.iterdir())
            other += [(p, LINK) for p in entries if p.is_symlink() and not is_ignored(p)]
            candidates = [p for p in entries if p.is_file() and not p.is_symlink()]
        else:
            candidates = [path]
        for candidate in candidates:
            if is_ignored(candidate):
                continue
            if is_excel_name(candidate):
                excel.append(candidate)
            else:
                other.append((candidate, NOT_EXCEL))
    return excel, other


@dataclass(slots=True)
class Scan:
    ready: list[Path] = field(default_factory=list)
    waiting: list[tuple[Path, str]] = field(default_factory=list)
    others: list[tuple[Path, str]] = field(default_factory=list)  # 対象外, with the reason
    # (size, mtime) of each ready file as last looked at: a later scan in the same run may take
    # it as its first look (the file was already seen unchanged across a pause)
    seen: dict[Path, tuple[int, int]] = field(default_factory=dict)


NOT_EXCEL = "Excelファイルではありません"
LINK = (
    "リンク（ショートカット・シンボリックリンク）は読みません。"
    "ファイルそのものを受付フォルダに置いてください"
)
OUTSIDE = (
    "受付フォルダの外にあるファイルを指しているため読みません。ファイルそのものを置いてください"
)
FOLDER = "フォルダの中は読みません。ファイルを受付フォルダに直接置いてください"
SHORTCUT_SUFFIXES = frozenset({".lnk", ".url"})
SETTLE_MODES = ("window", "size")


def scan_inbox(
    inbox: Path,
    settle_seconds: float,
    now: float | None = None,
    *,
    mode: str = "window",
    pause: Callable[[float], None] = time.sleep,
    settled: Mapping[Path, tuple[int, int]] | None = None,
) -> Scan:
    """Sort the inbox: ready submissions, files to wait for, files not taken; clutter skipped.

    Nothing outside the inbox is ever opened: symbolic links, Windows shortcuts and entries that
    resolve elsewhere are 対象外. "Still being copied" is decided by the settle window (modified
    less than ``settle_seconds`` ago) or, with ``mode = "size"`` — and for a file dated in the
    future, whose window would never end — by size and mtime unchanged between two looks a
    second apart. ``settle_seconds = 0`` never waits. A file in ``settled`` (an earlier scan's
    ``seen``) with the same size and mtime now needs no second look: that scan's two looks a
    second apart and this one agree.
    """
    now = time.time() if now is None else now
    scan = Scan()
    candidates: list[tuple[Path, os.stat_result]] = []
    home = inbox.resolve()
    # a file the earlier scan saw is the same path object here (a run of 20,000 files holds
    # each path once, not once per scan: a path costs ~0.5 KB)
    earlier = {p: p for p in settled} if settled else {}
    for listed in sorted(inbox.iterdir()):
        path = earlier.get(listed, listed)
        if is_ignored(path):
            continue
        why = _not_taken(path, home)
        if why is None:
            continue  # gone since the listing
        if why:
            scan.others.append((path, why))
            continue
        candidates.append((path, path.lstat()))
    if settle_seconds > 0:
        _settle(candidates, scan, settle_seconds, now, mode, pause, settled or {})
    waiting = {p for p, _ in scan.waiting}
    for path, info in candidates:
        if path in waiting:
            continue
        reason = _busy(path)
        if reason:
            scan.waiting.append((path, reason))
        else:
            scan.ready.append(path)
            scan.seen[path] = (info.st_size, info.st_mtime_ns)
    return scan


def _not_taken(path: Path, home: Path) -> str | None:
    """Why ``path`` is 対象外 ('' when it is a candidate, None when it is gone)."""
    if path.is_symlink() or path.suffix.lower() in SHORTCUT_SUFFIXES:
        return LINK
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None  # gone since the listing
    if stat.S_ISDIR(mode):
        return FOLDER
    if not stat.S_ISREG(mode):
        return LINK
    if path.resolve().parent != home:  # a junction or reparse point on Windows
        return OUTSIDE
    if not is_excel_name(path):
        return NOT_EXCEL
    return ""


def _settle(
    candidates: list[tuple[Path, os.stat_result]],
    scan: Scan,
    settle_seconds: float,
    now: float,
    mode: str,
    pause: Callable[[float], None],
    settled: Mapping[Path, tuple[int, int]],
) -> None:
    copying = "コピー中の可能性があるため次回に処理します"
    second_look: list[tuple[Path, os.stat_result]] = []
    for path, first in candidates:
        future = first.st_mtime > now + 5
        if settled.get(path) == (first.st_size, first.st_mtime_ns):
            continue  # looked at twice already in this run, and unchanged since
        if mode == "size" or future:
            second_look.append((path, first))
        elif now - first.st_mtime < settle_seconds:
            scan.waiting.append((path, copying))
    if not second_look:
        return
    pause(1.0)
    for path, first in second_look:
        try:
            again = path.lstat()
        except OSError:
            continue
        if (again.st_size, again.st_mtime_ns) != (first.st_size, first.st_mtime_ns):
            scan.waiting.append((path, copying))


def _busy(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        if is_held_open(exc):
            return "ほかのプログラムが開いているため次回に処理します"
        if isinstance(exc, PermissionError):
            return (
                "読み取りの権限がありません。ubereport を実行するアカウントが"
                "このファイルを読めるように権限を確認してください（次回も確認します）"
            )
        return f"開けないため次回に処理します（{open_problem(exc)}）"
    return ""
