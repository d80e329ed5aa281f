"""A disposable copy of the parsed master, valid only for the exact bytes it was made from.

The master workbook stays the store of record. Beside it, ``.<master name>.cache.json`` holds the
tables as :func:`~ubereport.master.store.read_master` returns them, keyed to the SHA-256 of the
master file's content: a run that finds the key matching takes the tables from the cache
(milliseconds) instead of parsing every sheet (seconds at 20,000 submissions), and a master
written by ubereport itself can be rewritten by appending to its append-only sheets. Anything else
— no cache, another version, a hand edit in Excel, a restored backup with other content, a cache
that does not parse — means the master is read in full and the cache made again.

Each table is parsed only when the run first uses it: an incremental run appends to 指摘 and
変更履歴 without ever turning their rows into Python objects, and writes their cache text back
as it was with the new rows added.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ubereport.errors import MasterUnwritable
from ubereport.files.atomic import write_atomically
from ubereport.master.schema import BY_NAME, SCHEMA_VERSION, TABLES

CACHE_FORMAT = "ubereport-master-cache-2"
FULL_EVERY = 100  # a full rewrite after this many appending ones drops unused shared strings


class CacheBroken(Exception):
    """A cached table does not hold rows of its table's width (the caller reads the master)."""


Text = tuple["bytes | memoryview", ...]


@dataclass(slots=True)
class Segment:
    """One table as the cache holds it: its JSON text (in pieces: the cache file's own bytes,
    then what later writes added, never copied together), its row count, and its rows (lists of
    values in column order, as read) once parsed."""

    count: int
    text: Text | None = None
    parsed: list[list[Any]] | None = None

    @classmethod
    def of(cls, rows: list[list[Any]]) -> Segment:
        return cls(len(rows), None, rows)

    def rows(self, width: int) -> list[list[Any]]:
        if self.parsed is None:
            try:
                rows = json.loads(b"".join(self.text or ()))
            except ValueError as exc:
                raise CacheBroken from exc
            if (
                not isinstance(rows, list)
                or len(rows) != self.count
                or not all(isinstance(r, list) and len(r) == width for r in rows)
            ):
                raise CacheBroken
            self.parsed = rows
        return self.parsed

    def contains(self, needle: bytes) -> bool:
        """Whether the JSON text holds ``needle`` (pieces split between rows, never inside)."""
        return any(needle in (p if isinstance(p, bytes) else bytes(p)) for p in self.json())

    def json(self) -> Text:
        """The JSON text of the rows (raises ValueError for a value JSON cannot hold)."""
        if self.text is None:
            self.text = (dumps(self.parsed or []),)
        return self.text

    def extended(self, added: list[list[Any]]) -> Segment:
        """This segment followed by ``added`` (the parsed rows are shared, not copied)."""
        rows = None if self.parsed is None else self.parsed + added
        text = self.text
        if text is not None and added:
            more = dumps(added)  # "[…]" + "[…]" is "[…" + "," + "…]"
            text = (*text[:-1], text[-1][:-1], b",", more[1:]) if self.count else (more,)
        return Segment(self.count + len(added), text, rows)


@dataclass(slots=True)
class Base:
    """The master file as last read or written: its content hash and its tables as read.

    ``segments[name]`` holds each table (see :class:`Segment`). ``ours`` says the file was
    written by ubereport's writer (so its package layout is known and may be extended), and
    ``package`` where its data lies in it (``ubereport.master.fill.Written``, as JSON);
    ``appended`` counts the appending writes since the last full one; ``digest`` is the 提出
    rows digested per plan and year (``ubereport.master.digest.Digest``, as JSON).
    """

    sha256: str
    segments: dict[str, Segment]
    ours: bool = False
    appended: int = 0
    package: dict[str, Any] | None = None
    digest: list[Any] | None = None

    @classmethod
    def of(cls, sha256: str, tables: dict[str, list[list[Any]]], **kw: Any) -> Base:
        return cls(sha256, {name: Segment.of(rows) for name, rows in tables.items()}, **kw)

    def rows(self, name: str) -> list[list[Any]]:
        """The table's rows as read (parsed now if not yet; raises :class:`CacheBroken`)."""
        return self.segments[name].rows(len(BY_NAME[name].columns))

    def count(self, name: str) -> int:
        return self.segments[name].count

    @property
    def tables(self) -> dict[str, list[list[Any]]]:
        """Every table's rows (parses them all: for checks, not for a run)."""
        return {t.name: self.rows(t.name) for t in TABLES}


def cache_path(master: Path) -> Path:
    return master.with_name(f".{master.stem}.cache.json")


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_base(master: Path, sha256: str) -> Base | None:
    """The cached tables of the master whose content hash is ``sha256``, or None.

    The file is one line per table — its name, a tab, its rows as JSON — then a JSON header
    line (last: the tables are written one at a time before it). The header gives each
    table's row count and where its JSON lies, and the CRC-32 of everything before the header
    (a cache cut short or changed by hand is not used).
    """
    try:
        content = cache_path(master).read_bytes()
        end = content.rindex(b"\n") + 1
        head = json.loads(content[end:])
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("format") != CACHE_FORMAT:
        return None
    if head.get("schema") != SCHEMA_VERSION or head.get("sha256") != sha256:
        return None
    body = memoryview(content)[:end]
    if head.get("crc32") != zlib.crc32(body):
        return None
    places = head.get("tables")
    if not isinstance(places, dict):
        return None
    segments: dict[str, Segment] = {}
    for table in TABLES:
        place = places.get(table.name)
        if not (
            isinstance(place, list)
            and len(place) == 3
            and all(isinstance(n, int) and n >= 0 for n in place)
        ):
            return None
        start, stop, count = place
        if stop > len(body) or bytes(body[start - len(table.name) - 1 : start]) != (
            f"{table.name}\t".encode()
        ):
            return None
        segments[table.name] = Segment(count, (body[start:stop],))
    appended = head.get("appended")
    package, digest = head.get("package"), head.get("digest")
    return Base(
        sha256,
        segments,
        bool(head.get("ours")),
        appended if isinstance(appended, int) else FULL_EVERY,
        package if isinstance(package, dict) else None,
        digest if isinstance(digest, list) else None,
    )


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def save_base(master: Path, base: Base) -> None:
    """Write the cache atomically (a killed run leaves the old cache, which no longer matches).

    One table's JSON at a time: a table held as parsed rows is turned into text as it is
    written and let go (at 20,000 cards the whole text at once is ~50 MB more memory)."""
    places: dict[str, list[int]] = {}
    crc = [0]

    def write(tmp: Path) -> None:
        at = 0
        with tmp.open("wb") as fh:
            for table in TABLES:
                segment = base.segments[table.name]
                label = f"{table.name}\t".encode()
                start = at + len(label)
                text = segment.text if segment.text is not None else _chunks(segment.parsed)
                for part in _line(label, text):
                    crc[0] = zlib.crc32(part, crc[0])
                    at += len(part)
                    fh.write(part)
                places[table.name] = [start, at - 1, segment.count]
            head = {
                "format": CACHE_FORMAT,
                "schema": SCHEMA_VERSION,
                "sha256": base.sha256,
                "ours": base.ours,
                "appended": base.appended,
                "crc32": crc[0],
                "tables": places,
                "package": base.package,
                "digest": base.digest,
            }
            fh.write(dumps(head))

    try:
        write_atomically(cache_path(master), write)
    except (ValueError, MasterUnwritable, OSError):
        # a value JSON cannot hold, or no room: the cache is disposable, the next run reads
        # the master — never a reason to fail the run
        discard(master)


ROWS_PER_PIECE = 2000


def _chunks(rows: list[list[Any]] | None) -> Iterator[bytes]:
    """The JSON text of ``rows``, a few thousand rows a piece (as ``dumps(rows)`` would be)."""
    rows = rows or []
    if not rows:
        yield b"[]"
        return
    last = len(rows) - 1
    for i in range(0, len(rows), ROWS_PER_PIECE):
        piece = dumps(rows[i : i + ROWS_PER_PIECE])
        yield (
            (b"[" if i == 0 else b",") + piece[1:-1] + (b"]" if i + ROWS_PER_PIECE > last else b"")
        )


def _line(label: bytes, text: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    yield label
    yield from text
    yield b"\n"


def discard(master: Path) -> None:
    """Remove the cache if it can be removed (one that stays no longer matches the master)."""
    with contextlib.suppress(OSError):
        cache_path(master).unlink(missing_ok=True)
