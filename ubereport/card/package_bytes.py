"""A small package read whole, and its central directory listed from the bytes.

``zipfile.ZipFile`` opens a package with a chain of seeks and reads, and builds a ``ZipInfo``
of some twenty attributes per entry in Python. A card is a file of some 15 KB and a dozen
entries, where that costs about as much as unpacking every part the reader takes.
:func:`open_package_bytes` reads the file in one go and lists the directory itself.

It answers only for the plain layout that every ``zipfile`` version lists the same way: the
end record is the file's last 22 bytes (no archive comment, no Zip64 locator before it, one
disk), the central directory runs right up to it (no bytes before the package), and every
entry is a plain one (its signature, no extra field or comment, a name without NUL or
backslash that decodes as ``zipfile`` decodes it, a version ``zipfile`` reads). Anything else
answers None, and the caller opens the file with ``zipfile``, which then says what it says.
The parts are unpacked by :func:`~ubereport.card.zip_member.read_small_member`, as from
``zipfile``; a part it cannot vouch for is read through a ``ZipFile`` over the same bytes.

Uses only the standard library.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

SMALL_PACKAGE = 4 * 1024 * 1024  # a file up to this size is read whole
_END = struct.Struct("<4s4H2LH")  # zipfile's structEndArchive
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile's structCentralDir
_END_SIGNATURE = b"PK\x05\x06"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_UTF8_NAME = 0x800
_MAX_EXTRACT_VERSION = 63  # zipfile's MAX_EXTRACT_VERSION


class Entry:
    """What the reader takes of one directory entry, named as ``zipfile.ZipInfo`` names it."""

    __slots__ = (
        "CRC",
        "_end_offset",
        "compress_size",
        "compress_type",
        "file_size",
        "filename",
        "flag_bits",
        "header_offset",
        "orig_filename",
    )

    def __init__(
        self,
        filename: str,
        flag_bits: int,
        compress_type: int,
        crc: int,
        compress_size: int,
        file_size: int,
        header_offset: int,
    ) -> None:
        self.filename = self.orig_filename = filename
        self.flag_bits = flag_bits
        self.compress_type = compress_type
        self.CRC = crc
        self.compress_size = compress_size
        self.file_size = file_size
        self.header_offset = header_offset
        self._end_offset: int | None = None

    def __repr__(self) -> str:
        return f"Entry({self.filename!r}, {self.file_size} bytes)"


class PackageBytes:
    """A package held as bytes, with the part of the ``ZipFile`` interface the reader uses."""

    metadata_encoding: str | None = None

    def __init__(self, data: bytes, entries: list[Entry]) -> None:
        self._data = data
        self.fp: io.BytesIO | None = io.BytesIO(data)
        self._entries = entries
        self._by_name = {e.filename: e for e in entries}  # the last of a name, as zipfile keeps
        self._zip: zipfile.ZipFile | None = None

    def infolist(self) -> list[Entry]:
        return self._entries

    def namelist(self) -> list[str]:
        return [e.filename for e in self._entries]

    def getinfo(self, name: str) -> Entry:
        entry = self._by_name.get(name)
        if entry is None:
            raise KeyError(f"There is no item named {name!r} in the archive")
        return entry

    def open(self, entry: Entry) -> zipfile.ZipExtFile:
        """The part streamed by ``zipfile`` itself (a large part, or one the quick way
        declined), from a ``ZipFile`` over the same bytes: it lists them as this does."""
        if self.fp is None:
            raise ValueError("Attempt to use ZIP archive that was already closed")
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
        return self._zip.open(self._zip.getinfo(entry.filename))

    def close(self) -> None:
        self.fp = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None


def open_package_bytes(path: Path) -> PackageBytes | None:
    """The package at ``path`` read whole, or None when it is larger than
    :data:`SMALL_PACKAGE` or not laid out plainly enough to list without ``zipfile``.

    An unreadable file raises what ``open`` raises, as ``zipfile.ZipFile(path)`` would.
    """
    with open(os.fspath(path), "rb") as fh:
        if os.fstat(fh.fileno()).st_size > SMALL_PACKAGE:
            return None
        data = fh.read()  # a buffer of the file's size (a larger one costs its allocation)
    if len(data) > SMALL_PACKAGE:  # it grew since
        return None
    entries = list_entries(data)
    return None if entries is None else PackageBytes(data, entries)


def list_entries(data: bytes) -> list[Entry] | None:
    """The central directory of the package ``data``, in its order, when it is laid out
    plainly (see the module docstring); else None."""
    end = len(data) - _END.size
    if end < 0:
        return None
    sig, disk, disk_of_dir, here, total, size, offset, comment = _END.unpack_from(data, end)
    if sig != _END_SIGNATURE or comment or disk or disk_of_dir or here != total:
        return None
    locator = end - _ZIP64_LOCATOR_SIZE
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        return None
    if offset + size != end:  # bytes before the package, or a directory of another length
        return None
    entries: list[Entry] = []
    pos, unpack, fixed = offset, _CENTRAL.unpack_from, _CENTRAL.size
    while pos < end:
        if pos + fixed > end:
            return None
        fields = unpack(data, pos)
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        if fields[0] != _CENTRAL_SIGNATURE or extra_len or comment_len:
            return None
        if fields[3] > _MAX_EXTRACT_VERSION:
            return None
        start = pos + fixed
        pos = start + name_len
        if pos > end:
            return None
        flags = fields[5]
        try:
            name = data[start:pos].decode("utf-8" if flags & _UTF8_NAME else "cp437")
        except UnicodeDecodeError:
            return None
        if "\x00" in name or "\\" in name:  # zipfile cuts or rewrites such names
            return None
        header_offset = fields[18]
        if header_offset >= offset:
            return None
        entries.append(
            Entry(name, flags, fields[6], fields[9], fields[10], fields[11], header_offset)
        )
    if len(entries) != total:
        return None
    following = offset  # each part ends where the next begins, as zipfile marks (3.12+)
    for entry in sorted(entries, key=lambda e: e.header_offset, reverse=True):
        entry._end_offset = following
        following = entry.header_offset
    return entries
