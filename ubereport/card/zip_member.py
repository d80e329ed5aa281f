"""One small package part unpacked in one step, without ``zipfile``'s streaming reader.

``ZipFile.open`` builds a seekable stream object, a decompressor and a read loop per part: a
card reads eight parts of a few kilobytes, and that machinery costs more than unpacking them.
:func:`read_small_member` reads the part's local header and compressed bytes directly and
unpacks them in one call. It answers only when the result is certainly what ``zipfile`` gives:
the local header is the one ``zipfile`` accepts for this entry (signature, no encryption or
patch flags, the same file name), the method is stored or deflated, the unpacked bytes have
exactly the declared size and the declared CRC-32. Anything else answers None, and the caller
reads the part through ``zipfile`` (which then raises what it raises).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from typing import IO, Protocol

SMALL_MEMBER = 1024 * 1024  # declared size up to which a part is unpacked in one step
_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_SIGNATURE = b"PK\x03\x04"
_REFUSED_FLAGS = 0x01 | 0x20 | 0x40  # encrypted, compressed patch data, strong encryption
_UTF8_NAME = 0x800


class Archive(Protocol):
    """What this reads of a package: ``zipfile.ZipFile`` or
    :class:`~ubereport.card.package_bytes.PackageBytes`."""

    @property
    def fp(self) -> IO[bytes] | None: ...

    @property
    def metadata_encoding(self) -> str | None: ...


class Member(Protocol):
    """What this reads of a directory entry: ``zipfile.ZipInfo`` or
    :class:`~ubereport.card.package_bytes.Entry`."""

    orig_filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int


def read_small_member(archive: Archive, info: Member) -> bytes | None:
    """The unpacked bytes of ``info`` (declared at most :data:`SMALL_MEMBER`), or None when
    this quick way cannot vouch for them."""
    if info.file_size > SMALL_MEMBER or info.flag_bits & _REFUSED_FLAGS:
        return None
    method = info.compress_type
    if method not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        return None
    fp = archive.fp
    if fp is None:
        return None
    try:
        fp.seek(info.header_offset)
        header = fp.read(_HEADER.size)
        if len(header) != _HEADER.size:
            return None
        fields = _HEADER.unpack(header)
        if fields[0] != _SIGNATURE or fields[3] & _REFUSED_FLAGS:
            return None
        name = fp.read(fields[10])
        fp.seek(fields[11], 1)  # the local extra field
        encoding = "utf-8" if fields[3] & _UTF8_NAME else (archive.metadata_encoding or "cp437")
        if name.decode(encoding) != info.orig_filename:
            return None
        end = getattr(info, "_end_offset", None)  # Python 3.12+: where the next entry starts
        if end is not None and fp.tell() + info.compress_size > end:
            return None
        packed = fp.read(info.compress_size)
        if len(packed) != info.compress_size:
            return None
        if method == zipfile.ZIP_STORED:
            data = packed[: info.file_size]
        else:
            data = zlib.decompressobj(-15).decompress(packed, info.file_size + 1)
    except (OSError, ValueError, UnicodeDecodeError, zlib.error, struct.error):
        return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data
