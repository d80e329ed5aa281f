"""A small package listed from its bytes (issue 18) lists what zipfile lists, or declines.

Every real-looking file lists exactly as ``zipfile`` lists it, and a reader over it reads the
same parts. Each layout the quick way does not vouch for is declined, and the file is then
opened by ``zipfile`` as before. A property test breaks a card's bytes at random: each result
is either declined or exactly ``zipfile``'s listing.
"""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from builders import FIXTURES, ROOT, TEMPLATE, write_zip_parts
from hypothesis import example, given
from hypothesis import strategies as st

from ubereport.card import package_bytes, xlsx_source
from ubereport.card.package_bytes import PackageBytes, list_entries, open_package_bytes
from ubereport.card.reader import read_card
from ubereport.card.xlsx_source import SourceError, XlsxSource, drop_styled_empty_cells
from ubereport.plan.registry import default_registry

FIELDS = ("filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size")
REAL_FILES = [
    TEMPLATE,
    *sorted(FIXTURES.glob("*.xls*")),
    *sorted((ROOT / "inbox").glob("*.xlsx"))[:4],
]


def _listing(entries: list) -> list[tuple]:
    return [(*(getattr(e, f) for f in FIELDS), e.header_offset) for e in entries]


def _zipfile_listing(data: bytes) -> list[tuple] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return _listing(package.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, OSError):
        return None


def _zipfile_end_offsets(data: bytes) -> list[int]:
    """Where each part ends, as zipfile 3.12+ marks it (the next header, or the directory)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        start_dir = package.start_dir
    ends = sorted({i.header_offset for i in infos} | {start_dir})
    following = dict(itertools.pairwise(ends))
    return [following[i.header_offset] for i in infos]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_a_real_file_lists_as_zipfile_lists_it_and_reads_the_same_parts(path: Path) -> None:
    data = path.read_bytes()
    try:
        zipfile.ZipFile(path).close()
    except zipfile.BadZipFile:  # the fixtures' broken files: declined, zipfile says why
        assert list_entries(data) is None
        return
    entries = list_entries(data)
    assert entries is not None, "an Excel, LibreOffice or xlsxwriter file is a plain layout"
    assert _listing(entries) == _zipfile_listing(data)
    assert [e._end_offset for e in entries] == _zipfile_end_offsets(data)
    quick = XlsxSource(path)
    assert isinstance(quick._zip, PackageBytes)
    plain = XlsxSource(io.BytesIO(data))  # a stream is opened by zipfile
    assert isinstance(plain._zip, zipfile.ZipFile)
    for name in plain._zip.namelist():
        assert quick._read(name) == plain._read(name), name
        keep = drop_styled_empty_cells
        assert quick._read(name, keep=keep) == plain._read(name, keep=keep), name
    assert quick._unpacked == plain._unpacked
    assert quick.starts_as_package() and plain.starts_as_package()


def _card_bytes() -> bytes:
    return TEMPLATE.read_bytes()


def _end_offset(data: bytes) -> int:
    return len(data) - 22


def _with_comment(data: bytes) -> bytes:
    end = _end_offset(data)
    return data[: end + 20] + struct.pack("<H", 4) + b"note"


def _prepended(data: bytes) -> bytes:
    return b"MZ" + b"\x00" * 62 + data  # zipfile shifts every offset by the prefix


def _zip64_locator(data: bytes) -> bytes:
    end = _end_offset(data)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
    fields = list(struct.unpack("<4s4H2LH", data[end:]))
    return data[:end] + locator + struct.pack("<4s4H2LH", *fields)


def _central(data: bytes) -> tuple[int, int]:
    fields = struct.unpack("<4s4H2LH", data[_end_offset(data) :])
    return fields[6], fields[5]  # directory offset, size


def _first_entry_patched(data: bytes, offset: int, packed: bytes) -> bytes:
    start, _ = _central(data)
    return data[: start + offset] + packed + data[start + offset + len(packed) :]


def _renamed_first(data: bytes, name: bytes) -> bytes:
    """The first directory entry's name replaced by ``name`` (of the same length)."""
    start, _ = _central(data)
    (length,) = struct.unpack("<H", data[start + 28 : start + 30])
    assert len(name) == length
    return data[: start + 46] + name + data[start + 46 + length :]


def _first_name(data: bytes) -> bytes:
    start, _ = _central(data)
    (length,) = struct.unpack("<H", data[start + 28 : start + 30])
    return data[start + 46 : start + 46 + length]


def _count(data: bytes, delta: int) -> bytes:
    end = _end_offset(data)
    fields = list(struct.unpack("<4s4H2LH", data[end:]))
    fields[3] += delta
    fields[4] += delta
    return data[:end] + struct.pack("<4s4H2LH", *fields)


def _extra_field(tmp_path: Path) -> bytes:
    path = tmp_path / "extra.zip"
    with zipfile.ZipFile(path, "w") as package:
        info = zipfile.ZipInfo("x.xml")
        info.extra = struct.pack("<HH", 0x7075, 0)  # an (empty) Info-ZIP unicode path record
        package.writestr(info, b"<a/>")
    return path.read_bytes()


def test_what_the_quick_way_does_not_vouch_for_is_declined(tmp_path: Path) -> None:
    data = _card_bytes()
    name = _first_name(data)
    cases = {
        "archive comment": _with_comment(data),
        "bytes before the package": _prepended(data),
        "Zip64 locator": _zip64_locator(data),
        "extra field": _extra_field(tmp_path),
        "NUL in a name": _renamed_first(data, name[:-1] + b"\x00"),
        "backslash in a name": _renamed_first(data, name[:-1] + b"\\"),
        "version zipfile refuses": _first_entry_patched(data, 6, b"\x40"),
        "bad directory signature": _first_entry_patched(data, 0, b"PK\x01\x03"),
        "entry count too high": _count(data, 1),
        "entry count too low": _count(data, -1),
        "truncated": data[:-1],
        "end record only": data[-22:],
        "empty": b"",
        "not a zip": b"Plan,Year\n01,R7\n" * 10,
    }
    for what, broken in cases.items():
        assert list_entries(broken) is None, what
        path = tmp_path / f"{what}.xlsx"
        path.write_bytes(broken)
        assert open_package_bytes(path) is None, what
        try:
            source = XlsxSource(path)
        except (SourceError, NotImplementedError):  # the reader: 「file-corrupt」 for both
            continue  # zipfile, or the reader over it, refuses it as before
        assert isinstance(source._zip, zipfile.ZipFile), what  # zipfile opened it, as before
        assert _listing(source._zip.infolist()) == _zipfile_listing(broken), what


def test_a_file_above_the_size_limit_is_left_to_zipfile(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "card.xlsx"
    path.write_bytes(_card_bytes())
    monkeypatch.setattr(package_bytes, "SMALL_PACKAGE", path.stat().st_size - 1)
    assert open_package_bytes(path) is None
    assert isinstance(XlsxSource(path)._zip, zipfile.ZipFile)
    monkeypatch.setattr(package_bytes, "SMALL_PACKAGE", path.stat().st_size)
    assert isinstance(XlsxSource(path)._zip, PackageBytes)


def test_an_unreadable_file_raises_what_zipfile_raised(tmp_path: Path) -> None:
    missing = tmp_path / "ない.xlsx"
    with pytest.raises(FileNotFoundError) as quick:
        open_package_bytes(missing)
    with pytest.raises(FileNotFoundError) as plain:
        zipfile.ZipFile(missing)
    assert str(quick.value) == str(plain.value)
    with pytest.raises(SourceError) as error:
        XlsxSource(missing)
    assert error.value.code == "file-corrupt" and str(plain.value) in error.value.detail
    with pytest.raises(OSError) as plain_folder:
        zipfile.ZipFile(tmp_path)  # IsADirectoryError on Linux, PermissionError on Windows
    with pytest.raises(type(plain_folder.value)):
        open_package_bytes(tmp_path)


def test_a_part_the_member_reader_declines_is_streamed_by_zipfile(tmp_path: Path) -> None:
    """Two entries whose data overlap (the quoted-overlap zip bomb): the part is not unpacked
    the quick way but by zipfile over the same bytes, which then does what it does there
    (Python 3.12+ refuses it; 3.11 unpacks it)."""
    body = b"<a>" + b"x" * 200 + b"</a>"
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = packer.compress(body) + packer.flush()
    crc = zlib.crc32(body)
    path = write_zip_parts(tmp_path / "parts.zip", [("a.xml", stream, crc, len(body))])
    data = path.read_bytes()
    start, size = _central(data)
    directory = data[start : start + size]
    # a second directory entry for the same data, under another name of the same length
    second = directory.replace(b"a.xml", b"b.xml")
    end = list(struct.unpack("<4s4H2LH", data[-22:]))
    end[3] = end[4] = 2
    end[5] = 2 * size
    overlapped = data[:start] + directory + second + struct.pack("<4s4H2LH", *end)
    entries = list_entries(overlapped)
    assert entries is not None and [e.filename for e in entries] == ["a.xml", "b.xml"]
    (tmp_path / "overlap.xlsx").write_bytes(overlapped)
    quick = XlsxSource.__new__(XlsxSource)
    quick._zip = open_package_bytes(tmp_path / "overlap.xlsx")
    quick._unpacked = 0
    plain = XlsxSource.__new__(XlsxSource)
    plain._zip = zipfile.ZipFile(io.BytesIO(overlapped))
    plain._unpacked = 0
    for name in ("a.xml", "b.xml"):
        try:
            expected: bytes | str = plain._read(name)
        except SourceError as exc:
            expected = exc.detail
        try:
            got: bytes | str = quick._read(name)
        except SourceError as exc:
            got = exc.detail
        assert got == expected, name


def test_a_closed_package_refuses_to_stream(tmp_path: Path) -> None:
    source = XlsxSource(TEMPLATE)
    package = source._zip
    assert isinstance(package, PackageBytes)
    entry = package.getinfo("xl/workbook.xml")
    with package.open(entry) as member:
        assert member.read() == zipfile.ZipFile(TEMPLATE).read("xl/workbook.xml")
    source.close()
    assert not source.starts_as_package()
    with pytest.raises(ValueError, match="already closed"):
        package.open(entry)
    with pytest.raises(KeyError):
        package.getinfo("xl/none.xml")


def test_a_card_read_through_the_quick_listing_is_the_card_zipfile_gives(monkeypatch) -> None:
    registry = default_registry()
    for path in sorted((ROOT / "inbox").glob("*.xlsx")):
        quick = read_card(path, registry)
        monkeypatch.setattr(xlsx_source, "open_package_bytes", lambda _path: None)
        plain = read_card(path, registry)
        monkeypatch.undo()
        assert quick == plain, path.name


@given(
    cuts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)),
        min_size=1,
        max_size=4,
    ),
    tail=st.integers(min_value=0, max_value=3000),
)
@example(cuts=[(0, 0)], tail=0)
@example(cuts=[(10**6, 0x50)], tail=22)
@example(cuts=[(10**6 + 17, 0xFF)], tail=600)
def test_a_broken_card_is_declined_or_listed_as_zipfile_lists_it(
    cuts: list[tuple[int, int]], tail: int
) -> None:
    """Bytes overwritten (in the last ``tail`` bytes, where the directory is, when given)."""
    data = bytearray(_card_bytes())
    for where, value in cuts:
        span = tail or len(data)
        data[len(data) - 1 - where % min(span, len(data))] = value
    broken = bytes(data)
    listed = list_entries(broken)
    if listed is not None:
        assert _listing(listed) == _zipfile_listing(broken)
