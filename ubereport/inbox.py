"""Which files in a folder are submissions: Office owner files and system clutter are ignored."""

from __future__ import annotations

import hashlib
from pathlib import Path

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes: the identity of a submission (same content, same file)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
