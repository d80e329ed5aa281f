"""File names of any shape in, file names valid on Windows out.

Divisions' files arrive with names an SMB share allows but Windows or ubereport's own outputs
cannot carry: over-long names, bytes that are not UTF-8 (Shift_JIS from an old Samba client),
characters Windows forbids, reserved device names, trailing dots and spaces. ubereport shows the
original name to people (:func:`display_name`) and writes every file it makes under a name that
is valid on Windows, at most :data:`MAX_NAME` characters and :data:`MAX_NAME_BYTES` UTF-8 bytes
(:func:`safe_file_name`), so a path under a 60-character root stays well inside Windows'
260-character limit and a Linux file server's 255 bytes per name.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import PurePath

MAX_NAME = 120
# A Linux file server (Samba) allows 255 bytes per name; Japanese takes 3 bytes a character.
MAX_NAME_BYTES = 240
# Windows forbids these in a name; each is replaced by its full-width twin, which reads the same.
_FORBIDDEN = str.maketrans(
    {
        "\\": "＼",
        "/": "／",
        ":": "：",
        "*": "＊",
        "?": "？",
        '"': "＂",
        "<": "＜",
        ">": "＞",
        "|": "｜",
    }
)
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)


def display_name(name: str | PurePath) -> str:
    """The name as a person should read it: undecodable bytes tried as Shift_JIS, else replaced.

    On Linux a name that is not valid UTF-8 arrives with lone surrogates (PEP 383); they cannot be
    written to a workbook or a UTF-8 log. The original bytes are decoded as cp932 (what an old
    Windows/Samba client wrote) when that works, otherwise undecodable bytes become 「�」.
    """
    text = name.name if isinstance(name, PurePath) else name
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")
    if any("\ue000" <= ch <= "\uf8ff" for ch in text):  # cp932's user area: not real Shift_JIS
        return raw.decode("utf-8", errors="replace")
    return text


def utf16_length(text: str) -> int:
    """Length as Windows and Excel count it: characters outside the BMP (𠮷, emoji) count 2."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def safe_file_name(name: str, *, extra: str = "", limit: int = MAX_NAME) -> str:
    """``name`` with ``extra`` before its suffix, valid on Windows and at most ``limit`` long.

    Forbidden characters become their full-width twins, control characters and undecodable
    bytes are dropped, trailing dots and spaces removed, a reserved device name (``CON``,
    ``NUL``, ``COM1`` …) gets a leading 「_」. A name still too long is cut and marked with a
    short hash of the whole original, so two long names that differ only at the end stay apart.
    """
    readable = display_name(name)
    stem, suffix = _split(readable)
    suffix = _clean(suffix)
    if utf16_length(suffix) > 16:
        stem, suffix = stem + suffix, ""
    stem = _clean(stem).rstrip(". ") or "無題"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    tail = _clean(extra) + suffix
    if _too_long(stem + tail, limit):
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        marker = f"~{digest}"
        units = limit - utf16_length(tail) - len(marker)
        size = MAX_NAME_BYTES - len((tail + marker).encode("utf-8"))
        stem = _cut(stem, max(units, 1), max(size, 3)).rstrip(". ") + marker
    return stem + tail


def _too_long(name: str, limit: int) -> bool:
    return utf16_length(name) > limit or len(name.encode("utf-8")) > MAX_NAME_BYTES


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or not suffix.strip() or " " in suffix:
        return name, ""
    return stem, "." + suffix


def _clean(text: str) -> str:
    text = text.translate(_FORBIDDEN)
    return "".join(ch for ch in text if ch >= " " and ch != "\ufffd" and ch != "\x7f")


def _cut(text: str, units: int, size: int) -> str:
    """The longest start of ``text`` within ``units`` UTF-16 units and ``size`` UTF-8 bytes."""
    out: list[str] = []
    used = spent = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        cost = len(ch.encode("utf-8"))
        if used + width > units or spent + cost > size:
            break
        out.append(ch)
        used += width
        spent += cost
    return "".join(out)
