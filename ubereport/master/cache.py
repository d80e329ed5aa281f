"""A disposable copy of the parsed master, valid only for the exact bytes it was made from.

The master workbook stays the store of record. Beside it, ``.<master name>.cache.json`` holds the
tables as :func:`~ubereport.master.store.read_master` returns them, keyed to the SHA-256 of the
master file's content: a run that finds the key matching takes the tables from the cache
(milliseconds) instead of parsing every sheet (seconds at 20,000 submissions), and a master
written by ubereport itself can be rewritten by appending to its append-only sheets. Anything else
— no cache, another version, a hand edit in Excel, a restored backup with other content, a cache
that does not parse — means the master is read in full and the cache made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ubereport.errors import MasterUnwritable
from ubereport.files.atomic import write_atomically
from ubereport.master.schema import SCHEMA_VERSION, TABLES

CACHE_FORMAT = "ubereport-master-cache-1"
FULL_EVERY = 100  # a full rewrite after this many appending ones drops unused shared strings


@dataclass(slots=True)
class Base:
    """The master file as last read or written: its content hash and its tables as read.

    ``tables[name]`` holds each row as the list of its values in column order. ``ours`` says the
    file was written by ubereport's writer (so its package layout is known and may be extended);
    ``appended`` counts the appending writes since the last full one. ``raw[name]``, when
    present, is the JSON text of ``tables[name]`` as the cache file holds it (so a table that
    did not change, or only grew, is not serialized again).
    """

    sha256: str
    tables: dict[str, list[list[Any]]]
    ours: bool = False
    appended: int = 0
    raw: dict[str, str] = field(default_factory=dict)


def cache_path(master: Path) -> Path:
    return master.with_name(f".{master.stem}.cache.json")


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_base(master: Path, sha256: str) -> Base | None:
    """The cached tables of the master whose content hash is ``sha256``, or None.

    The file is a JSON header line, then one line per table: its name, a tab, its rows as JSON.
    """
    try:
        lines = cache_path(master).read_text(encoding="utf-8").split("\n")
        head = json.loads(lines[0])
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("format") != CACHE_FORMAT:
        return None
    if head.get("schema") != SCHEMA_VERSION or head.get("sha256") != sha256:
        return None
    raw = dict(line.split("\t", 1) for line in lines[1:] if "\t" in line)
    out: dict[str, list[list[Any]]] = {}
    for table in TABLES:
        try:
            rows = json.loads(raw.get(table.name, ""))
        except ValueError:
            return None
        width = len(table.columns)
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == width for r in rows
        ):
            return None
        out[table.name] = rows
    appended = head.get("appended")
    return Base(
        sha256,
        out,
        bool(head.get("ours")),
        appended if isinstance(appended, int) else FULL_EVERY,
        {t.name: raw[t.name] for t in TABLES},
    )


def table_json(rows: list[list[Any]], before: list[list[Any]], raw: str | None) -> str:
    """The JSON text of ``rows``; reuses ``raw`` (the text of ``before``) when ``rows`` is
    ``before`` row for row, or ``before`` followed by new rows."""
    kept = len(before)
    if (
        raw is None
        or len(rows) < kept
        or any(a is not b for a, b in zip(rows[:kept], before, strict=True))
    ):
        return _dumps(rows)
    if len(rows) == kept:
        return raw
    added = _dumps(rows[kept:])
    return f"{raw[:-1]},{added[1:]}" if kept else added


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def save_base(master: Path, base: Base) -> None:
    """Write the cache atomically (a killed run leaves the old cache, which no longer matches)."""
    head = {
        "format": CACHE_FORMAT,
        "schema": SCHEMA_VERSION,
        "sha256": base.sha256,
        "ours": base.ours,
        "appended": base.appended,
    }
    try:
        lines = [_dumps(head)]
        for table in TABLES:
            text = base.raw.get(table.name)
            if text is None:
                text = base.raw[table.name] = _dumps(base.tables[table.name])
            lines.append(f"{table.name}\t{text}")
    except ValueError:  # a value JSON cannot hold: no cache, the next run reads the master
        discard(master)
        return

    def write(tmp: Path) -> None:  # line by line: the whole text at once is ~3 copies of it
        with tmp.open("w", encoding="utf-8") as fh:
            for i, line in enumerate(lines):
                if i:
                    fh.write("\n")
                fh.write(line)

    try:
        write_atomically(cache_path(master), write)
    except (MasterUnwritable, OSError):  # disposable: never a reason to fail the run
        discard(master)


def discard(master: Path) -> None:
    """Remove the cache if it can be removed (one that stays no longer matches the master)."""
    with contextlib.suppress(OSError):
        cache_path(master).unlink(missing_ok=True)
