"""Is someone holding a file open in Excel?

Excel keeps an owner file ``~$<name>`` beside a workbook it has open (for long names it replaces
the first two characters: ``~$ションプラン台帳.xlsx``) and writes the user name into it: a
length byte, then the name in the ANSI code page, and the name again in UTF-16 at offset 54.
While Excel holds the file, Windows refuses to replace it (a sharing violation). Replacing it
anyway on a share that allows it would be worse: the clerk's later 上書き保存 would put the stale
copy back over the new data.
"""

from __future__ import annotations

from pathlib import Path


def owner_file(target: Path) -> Path | None:
    """The Office owner file beside ``target``, if there is one."""
    for name in (f"~${target.name}", f"~${target.name[2:]}"):
        candidate = target.with_name(name)
        if len(name) > 2 and candidate.is_file():
            return candidate
    return None


def holder(target: Path) -> str | None:
    """Who has ``target`` open in Excel ('' when the owner file names nobody), else None."""
    owner = owner_file(target)
    if owner is None:
        return None
    try:
        data = owner.read_bytes()[:200]
    except OSError:
        return ""
    return user_name(data)


def user_name(data: bytes) -> str:
    """The user name an owner file carries ('' when it cannot be read)."""
    if data and 0 < data[0] < len(data):
        text = data[1 : 1 + data[0]].decode("cp932", errors="replace").strip("\x00 ")
        if text and text.isprintable() and "\ufffd" not in text:
            return text
    for offset in (55, 56, 54):
        wide = data[offset : offset + 2 * max(data[offset - 1] if offset - 1 < len(data) else 0, 0)]
        try:
            text = wide.decode("utf-16-le").strip("\x00 ")
        except UnicodeDecodeError:
            continue
        if text and text.isprintable():
            return text
    return ""
