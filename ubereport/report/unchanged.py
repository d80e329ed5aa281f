"""Leave a report file alone when what it would hold is what it already holds.

A run that merges one card changes one plan; rewriting the card file of every other plan (an
xlsxwriter book each, ~40 ms) is most of an incremental run's rendering. Each file's content is
summed up in a key (a hash of everything it is made from, and of the rendering code itself);
``.ubereport_rendered.json`` in the outbox remembers the key and the file's size and modification
time from when it was written. A file is left only when its key is the same and the file on disk
is still the one written then; anything else — no record, another key, a file changed, removed
or replaced by someone, a record that does not parse — means it is written again. The record is
written atomically after the files (a run killed in between rewrites them next time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import cache
from pathlib import Path

from ubereport.errors import MasterUnwritable
from ubereport.files.atomic import write_atomically

RECORD_NAME = ".ubereport_rendered.json"


@cache
def code_key() -> str:
    """A hash of the card and report rendering code: new code renders every file again."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("card", "report"):
        for source in sorted((root / folder).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def content_key(*parts: object) -> str:
    """The key of a file made from ``parts`` (their ``repr``, which the dataclasses spell out)."""
    text = "\n".join(repr(p) for p in (code_key(), *parts))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Rendered:
    """The record of the files written under one folder (the outbox)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[str, list[object]] = {}
        try:
            raw = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if isinstance(raw, dict):
            self.entries = {k: v for k, v in raw.items() if isinstance(v, list) and len(v) == 3}
        self.changed = False

    def current(self, path: Path, key: str) -> bool:
        """Whether ``path`` is the file written for ``key`` and nobody changed it since."""
        entry = self.entries.get(self._name(path))
        return entry is not None and entry[0] == key and entry[1:] == stat_of(path)

    def wrote(self, path: Path, key: str, before: list[int] | None) -> None:
        """Note ``path`` as written for ``key`` (unless it was left as it was: held open)."""
        after = stat_of(path)
        if after is not None and after != before:
            self.entries[self._name(path)] = [key, *after]
        else:
            self.entries.pop(self._name(path), None)
        self.changed = True

    def _name(self, path: Path) -> str:
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)

    def save(self) -> None:
        if not self.changed:
            return
        live = {k: v for k, v in sorted(self.entries.items()) if (self.folder / k).exists()}
        text = json.dumps(live, ensure_ascii=False)
        try:
            write_atomically(self.folder / RECORD_NAME, lambda tmp: tmp.write_text(text, "utf-8"))
        except (MasterUnwritable, OSError):  # without a record every file is written next time
            with contextlib.suppress(OSError):
                (self.folder / RECORD_NAME).unlink(missing_ok=True)


def stat_of(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]
