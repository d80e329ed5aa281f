"""Safe file and sheet names, whatever a plan name contains, and the outbox folder layout.

Excel refuses sheet names with ``\\ / : * ? [ ]``, longer than 31 characters, blank, starting or
ending with an apostrophe, 「History」, or equal to another sheet's name ignoring case; Windows refuses file
names with ``\\ / : * ? " < > |``, control characters, a trailing dot or space and the device
names (CON, NUL, COM1 …).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ubereport.japanese.fiscal import format_fy

__all__ = [
    "SHEET_NAME_LIMIT",
    "UniqueNames",
    "file_name",
    "plan_title",
    "sheet_name",
    "year_folder",
]

SHEET_NAME_LIMIT = 31
FILE_STEM_LIMIT = 80
_UNSAFE = re.compile(r'[\\/:*?"<>|\[\]\x00-\x1f\x7f-\x9f]')
_SPACES = re.compile(r"\s+")
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _UNSAFE.sub("", _SPACES.sub(" ", text)).strip()


def plan_title(plan_no: str, plan_name: str) -> str:
    """「02 ふるさと納税等自主財源の獲得推進」, the base of a plan's sheet and file names."""
    return f"{plan_no} {plan_name}".strip()


def sheet_name(text: str, fallback: str = "シート") -> str:
    """``text`` as a valid sheet name (not yet unique; see :class:`UniqueNames`)."""
    name = _clean(text).strip("'")[:SHEET_NAME_LIMIT].strip().strip("'")
    if name.casefold() == "history":  # reserved by Excel
        name = f"{name}_"
    return name or fallback


def file_name(stem: str, suffix: str, fallback: str = "ファイル") -> str:
    """``stem`` + ``suffix`` as a file name Windows and an SMB share accept."""
    name = _clean(stem).replace(" ", "_")[:FILE_STEM_LIMIT].rstrip(". ")
    if not name or name.split(".")[0].upper() in _DEVICES:
        name = f"{fallback}_{name}" if name else fallback
    return name + suffix


class UniqueNames:
    """Hands out names that differ ignoring case, adding 「(2)」「(3)」… within ``limit``."""

    def __init__(self, limit: int = SHEET_NAME_LIMIT) -> None:
        self.limit = limit
        self._taken: set[str] = set()

    def take(self, name: str) -> str:
        candidate, n = name[: self.limit], 1
        while candidate.casefold() in self._taken:
            n += 1
            tail = f"({n})"
            candidate = name[: self.limit - len(tail)].rstrip() + tail
        self._taken.add(candidate.casefold())
        return candidate


def year_folder(outbox: Path, fiscal_year: int) -> Path:
    """``outbox/R4``: every output of one reported year."""
    return outbox / format_fy(fiscal_year)
