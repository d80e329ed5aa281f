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

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ubereport.files.atomic import write_atomically
from ubereport.master.schema import SCHEMA_VERSION, TABLES

CACHE_FORMAT = "ubereport-master-cache-1"
FULL_EVERY = 100  # a full rewrite after this many appending ones drops unused shared strings


@dataclass(slots=True)
class Base:
    """The master file as last read or written: its content hash and its tables as read.

    ``tables[name]`` holds each row as the list of its values in column order. ``ours`` says the
    file was written by ubereport's writer (so its package layout is known and may be extended);
    ``appended`` counts the appending writes since the last full one.
    """

    sha256: str
    tables: dict[str, list[list[Any]]]
    ours: bool = False
    appended: int = 0


def cache_path(master: Path) -> Path:
    return master.with_name(f".{master.stem}.cache.json")


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_base(master: Path, sha256: str) -> Base | None:
    """The cached tables of the master whose content hash is ``sha256``, or None."""
    try:
        raw = json.loads(cache_path(master).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("format") != CACHE_FORMAT:
        return None
    if raw.get("schema") != SCHEMA_VERSION or raw.get("sha256") != sha256:
        return None
    tables = raw.get("tables")
    if not isinstance(tables, dict):
        return None
    out: dict[str, list[list[Any]]] = {}
    for table in TABLES:
        rows = tables.get(table.name)
        width = len(table.columns)
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == width for r in rows
        ):
            return None
        out[table.name] = rows
    appended = raw.get("appended")
    return Base(
        sha256, out, bool(raw.get("ours")), appended if isinstance(appended, int) else FULL_EVERY
    )


def save_base(master: Path, base: Base) -> None:
    """Write the cache atomically (a killed run leaves the old cache, which no longer matches)."""
    payload = {
        "format": CACHE_FORMAT,
        "schema": SCHEMA_VERSION,
        "sha256": base.sha256,
        "ours": base.ours,
        "appended": base.appended,
        "tables": base.tables,
    }
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a value JSON cannot hold: no cache, the next run reads the master
        cache_path(master).unlink(missing_ok=True)
        return
    write_atomically(cache_path(master), lambda tmp: tmp.write_text(text, encoding="utf-8"))
