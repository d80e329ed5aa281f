"""Build test workbooks the way divisions make them: from the real template, by defined name."""

from __future__ import annotations

import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from ubereport.card.sample import load_samples, sample_fields

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "actionplan_sheet.xlsx"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sample_card_fields(plan_no: str = "02") -> dict[str, str]:
    """The transcribed sample card for ``plan_no`` as defined-name -> text."""
    for card in load_samples():
        if card["plan_no"] == plan_no:
            return sample_fields(card)
    raise KeyError(plan_no)


def fill_template(path: Path, fields: Mapping[str, object], *, formulas: bool = False) -> Path:
    """Open the committed template in openpyxl, fill each defined name, save as ``path``.

    Strings are stored as text (as Excel does when a clerk types 「'=1+1」); pass
    ``formulas=True`` to store strings starting with '=' as real formulas.
    """
    book = openpyxl.load_workbook(TEMPLATE)
    for name, value in fields.items():
        sheet, ref = _target(book, name)
        cell = sheet[ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("=") and not formulas:
            cell.data_type = "s"
    book.save(path)
    return path


def _target(book: openpyxl.Workbook, name: str) -> tuple[Worksheet, str]:
    defined = book.defined_names[name]
    ((sheet_name, ref),) = list(defined.destinations)
    return book[sheet_name], ref.replace("$", "")


def filled_sample(tmp_path: Path, sample: str = "02", /, **overrides: object) -> Path:
    """The transcribed sample card ``sample`` filled into the template, with ``overrides``."""
    fields: dict[str, object] = dict(sample_card_fields(sample))
    fields.update(overrides)
    return fill_template(tmp_path / f"card_{sample}.xlsx", fields)


def rewrite_parts(src: Path, dst: Path, edit: Mapping[str, bytes]) -> Path:
    """Copy the package ``src`` to ``dst`` with the parts named in ``edit`` replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit.get(info.filename, zin.read(info.filename)))
    return dst


def merge_command(master: Path, batch: Path, lock_wait: float) -> list[str]:
    """``ubereport merge`` of ``batch`` into ``master`` as a separate process."""
    return [
        sys.executable,
        "-m",
        "ubereport",
        "merge",
        str(batch),
        "--master",
        str(master),
        "--lock-wait",
        f"{lock_wait:g}",
    ]


def write_zip_parts(path: Path, parts: Sequence[tuple[str, bytes, int, int]]) -> Path:
    """Write a zip by hand from ``(name, raw deflate stream, crc32, declared size)`` parts.

    zipfile cannot write a member whose headers lie about its size; this can. Each part's
    compressed size is the stream's true length.
    """
    local, central = bytearray(), bytearray()
    for name, stream, crc, size in parts:
        encoded = name.encode("utf-8")
        offset = len(local)
        fields = (20, 0x800, 8, 0, 0x21, crc, len(stream), size, len(encoded), 0)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + stream
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + encoded
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
    return path


def deflate_bomb(path: Path, card: Path, unpacked: int, *, declared: int | None = None) -> Path:
    """``card`` with its worksheet replaced by ``unpacked`` zero bytes deflated (~1/1000).

    With ``declared`` the headers lie: they claim that size (and its CRC) instead of the truth.
    The stream is built from one full-flushed 1 MiB block repeated, so a 2 GiB bomb takes no
    time to make.
    """
    step = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(step)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (unpacked // step) + compressor.flush()
    size = unpacked if declared is None else declared
    crc = 0
    for _ in range(size // step):
        crc = zlib.crc32(bytes(step), crc)
    crc = zlib.crc32(bytes(size % step), crc)
    parts = []
    with zipfile.ZipFile(card) as package:
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                parts.append((info.filename, stream, crc, size))
                continue
            raw = zlib.compressobj(6, zlib.DEFLATED, -15)
            parts.append(
                (info.filename, raw.compress(data) + raw.flush(), zlib.crc32(data), len(data))
            )
    return write_zip_parts(path, parts)


def styled_card(path: Path, card: Path, rows: int, columns: int) -> Path:
    """``card`` with ``rows`` × ``columns`` value-less styled cells below it (a block someone
    gave borders and a fill): a legal, heavy workbook."""
    with zipfile.ZipFile(card) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    letters = [_column(c) for c in range(1, columns + 1)]
    first = 1000
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col}{r}" s="1"/>' for col in letters) + "</row>"
        for r in range(first, first + rows)
    ).encode()
    heavy = sheet.replace(b"</sheetData>", body + b"</sheetData>", 1)
    dimension = re.compile(rb'<dimension ref="[^"]*"/>')
    heavy = dimension.sub(
        f'<dimension ref="A1:{letters[-1]}{first + rows - 1}"/>'.encode(), heavy, 1
    )
    return rewrite_parts(card, path, {"xl/worksheets/sheet1.xml": heavy})


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
