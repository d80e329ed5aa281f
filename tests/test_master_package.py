"""The splicing zip writer (ubereport.master.package): what it writes is a normal zip that
zipfile, openpyxl and LibreOffice read, and a section copied from an earlier package inflates to
exactly the bytes it was made from."""

from __future__ import annotations

import io
import zipfile
import zlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ubereport.master.package import (
    PackageWriter,
    Place,
    Run,
    crc32_combine,
    inflates_to,
    raw_part,
)


@settings(derandomize=True, max_examples=300)
@given(st.binary(max_size=300), st.binary(max_size=3000))
@example(b"", b"")
@example(b"a", b"")
@example(b"", b"b")
@example(b"\x00" * 5, b"\xff" * 70000)
def test_crc32_combine_is_the_crc_of_both(a: bytes, b: bytes) -> None:
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o600 << 16
    return info


def _write(parts: dict[str, list[list[bytes | Run]]]) -> tuple[bytes, dict[str, list[Place]]]:
    fh = io.BytesIO()
    writer = PackageWriter(fh)
    places = {name: writer.write(_info(name), sections) for name, sections in parts.items()}
    writer.close()
    return fh.getvalue(), places


def _run(package: bytes, name: str, place: Place) -> Run:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        raw = raw_part(package, z.getinfo(name))
    return Run(raw[place.start : place.stop], place.crc, place.size)


def test_sections_round_trip_and_a_copied_section_inflates_to_its_bytes() -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(5000))
    first, places = _write(
        {
            "xl/worksheets/sheet1.xml": [[b"<head>"], [rows[:100], rows[100:]], [b"</tail>"]],
            "docProps/app.xml": [[b"<x/>"]],
            "empty.xml": [],
        }
    )
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == b"<head>" + rows + b"</tail>"
        assert z.read("docProps/app.xml") == b"<x/>"
        assert z.read("empty.xml") == b""
    place = places["xl/worksheets/sheet1.xml"][1]
    assert (place.crc, place.size) == (zlib.crc32(rows), len(rows))
    old = _run(first, "xl/worksheets/sheet1.xml", place)
    assert inflates_to(old.data, b'<row r="0">')
    assert not inflates_to(old.data, b"<head>")
    more = b'<row r="5000"/>'
    second, again = _write(
        {"xl/worksheets/sheet1.xml": [[b"<new head>"], [old, more], [b"</tail>"]]}
    )
    with zipfile.ZipFile(io.BytesIO(second)) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == b"<new head>" + rows + more + b"</tail>"
    grown = again["xl/worksheets/sheet1.xml"][1]
    assert (grown.crc, grown.size) == (zlib.crc32(rows + more), len(rows + more))
    third, _ = _write(  # a copied section copied again, with a run in the middle of a section
        {"a.xml": [[b"<a>", _run(second, "xl/worksheets/sheet1.xml", grown), b"</a>"]]}
    )
    with zipfile.ZipFile(io.BytesIO(third)) as z:
        assert z.read("a.xml") == b"<a>" + rows + more + b"</a>"


def test_a_copied_part_keeps_its_bytes() -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>" * 100)
        z.writestr("stored.bin", b"\x00\x01", compress_type=zipfile.ZIP_STORED)
    package = source.getvalue()
    fh = io.BytesIO()
    writer = PackageWriter(fh)
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        for info in z.infolist():
            writer.copy(info, raw_part(package, info))
    writer.close()
    with zipfile.ZipFile(io.BytesIO(fh.getvalue())) as z:
        assert z.testzip() is None
        assert z.read("[Content_Types].xml") == b"<Types/>" * 100
        assert z.read("stored.bin") == b"\x00\x01"


def test_place_lists_are_checked() -> None:
    assert Place.from_list([0, 5, 1, 2, 3, 4]) == Place(0, 5, 1, 2, 3, 4)
    for bad in (
        [5, 0, 1, 2, 3, 4],
        [0, 5, 1, 2, 3],
        [0, 5, 1, 2, 3, -1],
        [0, 5, 1, 2, 3, True],
        "x",
    ):
        assert Place.from_list(bad) is None
