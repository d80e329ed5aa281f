"""Read cells out of an .xlsx/.xlsm straight from its XML: the one small cell-access interface.

The reader needs only a few dozen named cells per card, so this module parses the package with
``zipfile`` (a small file read whole and listed by :mod:`~ubereport.card.package_bytes`) and
ElementTree (any DTD refused, see parse_xml) instead of building a full openpyxl workbook
(~40x slower). It keeps what correctness needs: shared and inline strings (without furigana
runs), number formats (a percent-formatted 0.855 is 85.5 %), dates, booleans, error cells and
formulas (never evaluated: the cached value is returned). Anything wrong with the package
raises :class:`SourceError` carrying a finding code; the reader turns it into a finding.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from ubereport.card.package_bytes import PackageBytes, open_package_bytes
from ubereport.card.xml_scan import scan_strings
from ubereport.card.zip_member import read_small_member

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
GENERAL = ("General", False)
V_TAG, F_TAG, IS_TAG, T_TAG = f"{NS}v", f"{NS}f", f"{NS}is", f"{NS}t"
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

MAX_MEMBERS = 2_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
READ_STEP = 1024 * 1024
MAX_PART_KEPT = 64 * 1024 * 1024  # one part's bytes held for parsing

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy/m/d",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy/m/d h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
    55: "yyyy年m月",
    56: "m月d日",
    57: "ge.m.d",
    58: "ggge年m月d日",
}
_DATE_TOKENS = re.compile(r"(?<!\\)[ymdhsge]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]')
_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


_cell = tuple.__new__  # a CellValue from its four fields without NamedTuple's Python __new__


class SourceError(Exception):
    """The file cannot be read as a workbook; ``code`` is a finding code."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class CellValue(NamedTuple):
    """One cell as stored: the value (cached value for formulas), its number format, any error."""

    value: str | float | bool | datetime | None
    number_format: str = "General"
    formula: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class NameRef:
    """Where a defined name points; ``sheet`` is None when the name is broken (#REF! …)."""

    sheet: str | None
    cell: str | None
    raw: str


def sniff(head: bytes, size: int) -> tuple[str, str] | None:
    """Classify a file by its first bytes: None for a zip package, else (code, detail)."""
    if size == 0:
        return ("file-empty", "")
    if head.startswith(b"PK\x03\x04"):
        return None
    if head.startswith(OLE_MAGIC):
        return ("file-ole", "")
    if head.startswith(b"%PDF"):
        return ("file-not-excel", "中身はPDFです")
    if head.startswith(b"PK"):
        return ("file-corrupt", "zipの形式が不完全です")
    if b"\x00" not in head[:512]:
        return ("file-not-excel", "中身はテキスト（CSVなど）です")
    return ("file-not-excel", "Excelの形式ではありません")


def classify_ole(path: Path) -> str:
    """An OLE2 compound file is either an encrypted xlsx or a legacy .xls workbook."""
    with path.open("rb") as fh:
        data = fh.read(4 * 1024 * 1024)
    return "file-encrypted" if ENCRYPTED_STREAM in data else "file-legacy-xls"


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_ref(ref: str) -> tuple[int, int]:
    """'B3' -> (row 3, column 2)."""
    m = _A1.match(ref.upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


@lru_cache(maxsize=16_384)
def _position(ref: str) -> tuple[int, int]:
    return split_ref(ref)


@lru_cache(maxsize=16_384)  # a card names the same ~100 cells in its fields and findings
def a1(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def is_date_format(code: str) -> bool:
    stripped = _QUOTED.sub("", code)
    return bool(_DATE_TOKENS.search(stripped)) and "General" not in code


class XlsxSource:
    """A read-only view of one workbook package's cells and defined names."""

    def __init__(self, stream: BinaryIO | Path) -> None:
        try:
            package = open_package_bytes(stream) if isinstance(stream, Path) else None
            self._zip: zipfile.ZipFile | PackageBytes = package or zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise SourceError("file-corrupt", f"zip: {exc}") from exc
        self._check_bomb()
        self.macro_enabled = MACRO_CONTENT_TYPE.encode() in self._read("[Content_Types].xml")
        self._workbook_path = self._office_document()
        self._sheet_paths, self.sheet_states = self._sheets()
        self.defined_names = self._defined_names()
        self.local_names = self._local_names()
        self._strings: list[str | Element] | None = None
        self._all_texts = False  # every shared string is a text already
        self._style_info: tuple[tuple[str, bool], ...] | None = None
        self._raw: dict[str, dict[str, Element]] = {}
        self._hidden: dict[str, tuple[frozenset[int], frozenset[int]]] = {}
        self._converted: dict[str, dict[str, CellValue | None]] = {}
        self._unparsed: dict[str, bytes] = {}  # a sheet read but not parsed (see texts)
        self._texts: dict[str, list[str]] = {}

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheet_paths)

    @property
    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> the package part holding it (``xl/worksheets/sheet1.xml``)."""
        return dict(self._sheet_paths)

    def close(self) -> None:
        self._zip.close()

    def starts_as_package(self) -> bool:
        """Whether the file begins with a zip entry, as :func:`sniff` requires of a package
        (zipfile itself also opens a package behind other bytes)."""
        fp = self._zip.fp
        if fp is None:
            return False
        fp.seek(0)
        return fp.read(4) == b"PK\x03\x04"

    # --- package ---------------------------------------------------------------------------
    def _check_bomb(self) -> None:
        """Refuse on what the headers declare (cheap); :meth:`_read` enforces what is unpacked."""
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SourceError("file-too-large", f"部品の数 {len(infos):,}")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise SourceError("file-corrupt", f"同じ名前の部品が2つあります: {'、'.join(twice)}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise SourceError("file-too-large", f"展開後 {total / 1024 / 1024:,.0f} MB")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise SourceError("file-too-large", f"{info.filename} の圧縮率が異常です")
        self._unpacked = 0

    def _read(self, name: str, *, keep: Callable[[bytes], bytes] | None = None) -> bytes:
        """One part's bytes, unpacked in small steps and stopped at the limits.

        The limits hold on the bytes actually unpacked, never on what the zip headers claim: a
        part whose headers lie about its size is cut off at :data:`MAX_UNCOMPRESSED` for the whole
        package and at :data:`MAX_RATIO` times its compressed size (zipfile itself stops at the
        declared size and then fails the CRC). ``keep`` may shrink each step before it is kept.
        """
        try:
            info = self._zip.getinfo(name)
        except KeyError as exc:
            raise SourceError("file-corrupt", f"{name} がありません") from exc
        ratio_limit = max(MAX_RATIO * max(info.compress_size, 1), 1024 * 1024)
        whole = read_small_member(self._zip, info) if info.file_size <= READ_STEP else None
        if whole is not None:
            return self._kept(name, whole, ratio_limit, keep)
        kept: list[bytes] = []
        carry = b""
        unpacked = held = 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(READ_STEP):
                    unpacked += len(chunk)
                    self._unpacked += len(chunk)
                    if self._unpacked > MAX_UNCOMPRESSED or unpacked > ratio_limit:
                        raise SourceError(
                            "file-too-large",
                            f"{name} を展開すると {unpacked / 1024 / 1024:,.0f} MB を超えます",
                        )
                    if keep is None:
                        kept.append(chunk)
                    else:
                        data = carry + chunk
                        cut = data.rfind(b">") + 1
                        if not cut and len(data) > READ_STEP:
                            cut = len(data)  # no tag ends here: nothing to drop, keep it whole
                        kept.append(keep(data[:cut]))
                        carry = data[cut:]
                    held += len(kept[-1])
                    if held > MAX_PART_KEPT:
                        raise SourceError(
                            "file-too-large",
                            f"{name} が {MAX_PART_KEPT // 1024 // 1024} MB を超えます",
                        )
        except SourceError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise SourceError("file-corrupt", f"{name}: {exc}") from exc
        except zlib.error as exc:
            raise SourceError("file-corrupt", f"{name}: {exc}") from exc
        kept.append(carry)
        return b"".join(kept)

    def _kept(
        self,
        name: str,
        data: bytes,
        ratio_limit: int,
        keep: Callable[[bytes], bytes] | None,
    ) -> bytes:
        """What :meth:`_read`'s loop makes of a part unpacked in one step: its one step's
        accounting and limits, and ``keep`` applied up to its last tag."""
        self._unpacked += len(data)
        if self._unpacked > MAX_UNCOMPRESSED or len(data) > ratio_limit:
            raise SourceError(
                "file-too-large",
                f"{name} を展開すると {len(data) / 1024 / 1024:,.0f} MB を超えます",
            )
        if keep is None:
            return data
        cut = data.rfind(b">") + 1
        return keep(data[:cut]) + data[cut:]

    def _sheet_xml(self, sheet: str) -> Element:
        """A worksheet part, without the value-less cells that only carry a style.

        A sheet formatted over millions of cells (borders on a whole block) holds them as
        ``<c r="…" s="…"/>``; they carry nothing the reader takes, and dropping them before the
        tree is built keeps a 4-million-cell card within memory and time.
        """
        name = self._sheet_paths[sheet]
        return parse_xml(name, self._read(name, keep=drop_styled_empty_cells))

    def _relationships(self, name: str) -> tuple[tuple[str, str, str], ...]:
        """(Id, Type, Target) of every relationship of a ``.rels`` part."""
        return _parsed_rels(name, self._read(name))

    def _has(self, name: str) -> bool:
        try:
            self._zip.getinfo(name)
        except KeyError:
            return False
        return True

    def _office_document(self) -> str:
        for _, kind, target in self._relationships("_rels/.rels"):
            if kind.endswith("/officeDocument"):
                return target.lstrip("/")
        raise SourceError("file-corrupt", "ブック本体への参照がありません")

    def _resolve(self, target: str) -> str:
        return resolve_target(self._workbook_path, target)

    def _sheets(self) -> tuple[dict[str, str], dict[str, str]]:
        data = self._read(self._workbook_path)
        book = self._book = _parsed_book(self._workbook_path, data)
        self._book_shared = len(data) <= CACHED_PART_MAX  # the one object for these bytes
        rels_name = posixpath.join(
            posixpath.dirname(self._workbook_path),
            "_rels",
            posixpath.basename(self._workbook_path) + ".rels",
        )
        targets = {rid: self._resolve(target) for rid, _, target in self._relationships(rels_name)}
        paths: dict[str, str] = {}
        states: dict[str, str] = {}
        for name, rid, state in book.sheets:
            target = targets.get(rid)
            if target and self._has(target):
                paths[name] = target
                states[name] = state
        return paths, states

    def _names(self) -> Names:
        return _book_names(self._book) if self._book_shared else _names_of(self._book)

    def _defined_names(self) -> dict[str, NameRef]:
        return dict(self._names()[0])

    def _local_names(self) -> dict[str, dict[str, NameRef]]:
        """Sheet-level defined names: sheet name -> {name: reference}.

        Excel makes these when a card sheet is copied inside one workbook (「移動またはコピー」):
        the copy gets its own set of the template's names, scoped to the copy.
        """
        return {sheet: dict(names) for sheet, names in self._names()[1].items()}

    @property
    def shared_book(self) -> BookPart | None:
        """The workbook part when it is the one object for its bytes (every card of one
        template shares it), else None: what :meth:`names_for` derives from, with the sheet."""
        return self._book if self._book_shared else None

    def names_for(self, sheet: str) -> dict[str, NameRef]:
        """The defined names that apply on ``sheet``: its own sheet-level names over the
        workbook-level ones."""
        return {**self.defined_names, **self.local_names.get(sheet, {})}

    def hidden(self, sheet: str) -> tuple[frozenset[int], frozenset[int]]:
        """(hidden rows, hidden columns) of ``sheet``, 1-based."""
        if sheet not in self._hidden:
            self._raw_cells(sheet)
        return self._hidden[sheet]

    # --- cells -----------------------------------------------------------------------------
    def _shared_string(self, index: int) -> str:
        """Shared string ``index`` ('' when out of range), its text built on first use."""
        if self._strings is None:
            name = self._resolve("sharedStrings.xml")
            self._strings = self._string_items(name) if self._has(name) else []
        if not 0 <= index < len(self._strings):
            return ""
        item = self._strings[index]
        if not isinstance(item, str):
            item = self._strings[index] = rich_text(item)
        return item

    def _string_items(self, name: str) -> list[str | Element]:
        """The shared strings: their texts when the part scans (:mod:`~ubereport.card.xml_scan`),
        else their ``<si>`` elements, each made a text when it is first used."""
        data = self._read(name)
        scanned = scan_strings(data)
        if scanned is None:
            return list(parse_xml(name, data).iter(f"{NS}si"))
        self._all_texts = True
        return [unescape_ooxml(text) if "_x" in text else text for text in scanned]

    def _string_table(self) -> list[str]:
        """Every shared string's text (a sheet being converted whole uses nearly all)."""
        self._shared_string(0)  # loads the table
        table = self._strings or []
        if self._all_texts:
            return table  # type: ignore[return-value]
        for i, item in enumerate(table):
            if item.__class__ is str:
                continue
            if len(item) == 1 and item[0].tag == T_TAG:  # rich_text's common shape, inline
                text = item[0].text or ""  # type: ignore[union-attr]
                table[i] = unescape_ooxml(text) if "_x" in text else text
            else:
                table[i] = rich_text(item)  # type: ignore[arg-type]
        self._all_texts = True
        return table  # type: ignore[return-value]

    def _styles(self) -> tuple[tuple[str, bool], ...]:
        """Per cell style index: (number format, whether it formats a date)."""
        if self._style_info is None:
            name = self._resolve("styles.xml")
            self._style_info = _parsed_styles(name, self._read(name)) if self._has(name) else ()
        return self._style_info

    def _raw_cells(self, sheet: str) -> dict[str, Element]:
        """The stored cells of ``sheet`` by reference."""
        if sheet not in self._raw:
            name = self._sheet_paths[sheet]
            data = self._unparsed.pop(sheet, None)
            if data is None:
                data = self._read(name, keep=drop_styled_empty_cells)
            self._raw[sheet], self._hidden[sheet] = _sheet_of(name, data)
        return self._raw[sheet]

    def cells(self, sheet: str) -> dict[str, CellValue]:
        """All non-empty cells of ``sheet`` keyed by A1 reference."""
        out: dict[str, CellValue] = {}
        for ref in self._raw_cells(sheet):
            cell = self.cell(sheet, ref)
            if cell is not None:
                out[ref] = cell
        return out

    def cell_count(self, sheet: str) -> int:
        """How many cells ``sheet`` stores (empty ones with a style included)."""
        return len(self._raw_cells(sheet))

    def texts(self, sheet: str) -> list[str]:
        """The text of every string cell of ``sheet`` (numbers, dates and formulas skipped):
        a cheap look at what a sheet shows before converting all of it.

        A sheet looked at this way is mostly the template's hidden list sheet, the same XML in
        every card but for its shared-string numbers: it is parsed once per such skeleton
        (:func:`_text_plan`) and, in later cards, only its numbers are read.
        """
        if sheet in self._texts:
            return list(self._texts[sheet])
        if sheet in self._raw:
            return self._parsed_texts(sheet)
        name = self._sheet_paths[sheet]
        data = self._unparsed[sheet] = self._read(name, keep=drop_styled_empty_cells)
        if len(data) > CACHED_PART_MAX or b"<!" in data:
            return self._parsed_texts(sheet)
        numbers = _V_NUMBER.findall(data)
        skeleton = _V_NUMBER.sub(b"<v>0</v>", data)
        plan = _TEXT_PLANS.get(skeleton)
        if plan is None:
            out = self._parsed_texts(sheet)
            plan = _text_plan(name, data, numbers)
            if plan is not None:
                _TEXT_PLANS[skeleton] = plan
                if len(_TEXT_PLANS) > TEXT_PLANS_MAX:
                    del _TEXT_PLANS[next(iter(_TEXT_PLANS))]
        else:
            table = self._string_table()  # what _shared_string gives, by plain indexing
            count = len(table)
            out = [table[i] if 0 <= (i := int(numbers[k])) < count else "" for k in plan]
        self._texts[sheet] = out
        return list(out)

    def _parsed_texts(self, sheet: str) -> list[str]:
        out: list[str] = []
        for raw in self._raw_cells(sheet).values():
            if not len(raw):
                continue
            kind = raw.get("t")
            if kind == "s" and len(raw) and raw[0].tag == V_TAG and raw[0].text is not None:
                out.append(self._shared_string(int(raw[0].text)))
            elif kind in ("inlineStr", "str"):
                cell = self._cell_value(sheet, raw)
                if cell is not None and isinstance(cell.value, str):
                    out.append(cell.value)
        return out

    def grid(self, sheet: str) -> dict[tuple[int, int], CellValue]:
        """All non-empty cells of ``sheet`` keyed by (row, column), 1-based.

        The same conversion as :meth:`cell`, with the common shapes (a shared string, a
        number) done inline: this is most of the reader's per-cell work.
        """
        out: dict[tuple[int, int], CellValue] = {}
        styles: tuple[tuple[str, bool], ...] | None = None
        strings: list[str] | None = None
        style_of: dict[str | None, tuple[str, bool]] = {}  # by the s attribute's text
        count = 0
        for ref, raw in self._raw_cells(sheet).items():
            if not len(raw):
                continue  # a formatted empty cell: the form has many
            if styles is None:  # the first value loads the styles (and says where they fail)
                cell = self._cell_value(sheet, raw)
                styles = self._styles()
                count = len(styles)
            else:
                try:
                    kind = raw.get("t", "n")
                    if len(raw) == 1 and kind in ("s", "n") and raw[0].tag == V_TAG:
                        attr = raw.get("s")
                        info = style_of.get(attr)
                        if info is None:
                            style = int(attr or 0)
                            info = style_of[attr] = styles[style] if 0 <= style < count else GENERAL
                        fmt, is_date = info
                        text = raw[0].text
                        if text is None:
                            continue
                        if kind == "s":
                            index = int(text)
                            if strings is None:
                                strings = self._string_table()
                            value = strings[index] if 0 <= index < len(strings) else ""
                            cell = _cell(CellValue, (value, fmt, None, None))
                        else:
                            number = float(text)
                            value = excel_date(number) if is_date else number
                            cell = _cell(CellValue, (value, fmt, None, None))
                    else:
                        cell = self._convert(raw)
                except (ValueError, OverflowError) as exc:
                    where = raw.get("r", "?")
                    raise SourceError(
                        "file-corrupt", f"{sheet}: セル {where} の値が読めません（{exc}）"
                    ) from exc
            if cell is not None:
                out[_position(ref)] = cell
        return out

    def cell(self, sheet: str, ref: str) -> CellValue | None:
        """One cell, converted on first access (a card reads ~60 of its ~200 cells)."""
        key = ref.replace("$", "").upper()
        done = self._converted.setdefault(sheet, {})
        if key not in done:
            raw = self._raw_cells(sheet).get(key)
            done[key] = None if raw is None else self._cell_value(sheet, raw)
        return done[key]

    def rows(self, sheet: str) -> dict[int, dict[int, CellValue]]:
        """Every non-empty cell of ``sheet`` as {row: {column: cell}} (1-based), in one pass.

        The master's tables use this: no A1 dictionary, no per-cell reference parsing.
        """
        root = self._sheet_xml(sheet)
        data = root.find(f"{NS}sheetData")
        columns: dict[str, int] = {}
        grid: dict[int, dict[int, CellValue]] = {}
        for row in data if data is not None else ():
            for c in row:
                ref = c.get("r")
                if not ref:
                    continue
                letters = ref.rstrip("0123456789")
                col = columns.get(letters)
                if col is None or len(letters) == len(ref):
                    if not _A1.match(ref.upper()):
                        raise SourceError("file-corrupt", f"{sheet}: セル番地「{ref}」が不正です")
                    col = columns[letters] = column_index(letters.replace("$", "").upper())
                cell = self._cell_value(sheet, c)
                if cell is not None:
                    grid.setdefault(int(ref[len(letters) :]), {})[col] = cell
        return grid

    def _cell_value(self, sheet: str, c: Element) -> CellValue | None:
        try:
            return self._convert(c)
        except (ValueError, OverflowError) as exc:
            where = c.get("r", "?")
            raise SourceError(
                "file-corrupt", f"{sheet}: セル {where} の値が読めません（{exc}）"
            ) from exc

    def _convert(self, c: Element) -> CellValue | None:
        styles = self._styles()
        style = int(c.get("s") or 0)
        fmt, is_date = styles[style] if 0 <= style < len(styles) else GENERAL
        kind = c.get("t", "n")
        if len(c) == 1 and c[0].tag == V_TAG and kind in ("s", "n"):  # the common shapes
            text = c[0].text
            if text is None:
                return None
            if kind == "s":
                return CellValue(self._shared_string(int(text)), fmt)
            number = float(text)
            return CellValue(excel_date(number) if is_date else number, fmt)
        formula = text = None
        inline: Element | None = None
        for child in c:
            tag = child.tag
            if tag == V_TAG:
                text = child.text
            elif tag == F_TAG:
                formula = "=" + (child.text or "")
            elif tag == IS_TAG:
                inline = child
        if kind == "inlineStr":
            return CellValue(rich_text(inline) if inline is not None else "", fmt, formula)
        if text is None:
            return CellValue(None, fmt, formula) if formula else None
        if kind == "s":
            return CellValue(self._shared_string(int(text)), fmt, formula)
        if kind in ("str", "d"):
            return CellValue(text, fmt, formula)
        if kind == "b":
            return CellValue(text == "1", fmt, formula)
        if kind == "e":
            return CellValue(None, fmt, formula, error=text)
        number = float(text)
        if is_date:
            return CellValue(excel_date(number), fmt, formula)
        return CellValue(number, fmt, formula)


# --- parts parsed once per distinct content -------------------------------------------------
# Cards made from one template share their workbook, relationship and style parts byte for
# byte: each distinct small part is parsed once per process (keyed by its bytes, so a different
# part is never mistaken for a known one) and kept as immutable tuples. Sheets are not kept: they
# point into each file's own shared-string table, so even the template's list sheet differs.
CACHED_PART_MAX = 64 * 1024


class BookPart(NamedTuple):
    """What the reader takes from ``workbook.xml``: sheets and defined names, in file order."""

    sheets: tuple[tuple[str, str | None, str], ...]  # (name, relationship id, state)
    names: tuple[tuple[str, str | None, str], ...]  # (name, localSheetId, reference text)


def _parsed_rels(name: str, data: bytes) -> tuple[tuple[str, str, str], ...]:
    if len(data) > CACHED_PART_MAX:
        return _rels_of(name, data)
    return _cached_rels(name, data)


Names = tuple[dict[str, NameRef], dict[str, dict[str, NameRef]]]
BOOK_NAMES_MAX = 64
_BOOK_NAMES: dict[int, tuple[BookPart, Names]] = {}  # id of a cached BookPart -> it, its names


def _book_names(book: BookPart) -> Names:
    """The workbook-level and the sheet-level defined names of ``book`` (callers copy them).

    A workbook part parsed from the cache (:func:`_cached_book`) is the same object for the same
    bytes: its names are worked out once and kept by its identity, the part itself held beside
    them (so the identity stays its own) and checked on every use. Bounded: the oldest goes.
    """
    entry = _BOOK_NAMES.get(id(book))
    if entry is not None and entry[0] is book:
        return entry[1]
    names = _names_of(book)
    _BOOK_NAMES[id(book)] = (book, names)
    if len(_BOOK_NAMES) > BOOK_NAMES_MAX:
        del _BOOK_NAMES[next(iter(_BOOK_NAMES))]
    return names


def _names_of(book: BookPart) -> Names:
    defined: dict[str, NameRef] = {}
    for name, scope, text in book.names:
        if scope is None:
            defined[name] = parse_reference(text)
    order = [name for name, _, _ in book.sheets]
    local: dict[str, dict[str, NameRef]] = {}
    for name, index, text in book.names:
        if index is None or not index.isdigit() or int(index) >= len(order):
            continue
        local.setdefault(order[int(index)], {})[name] = parse_reference(text)
    return defined, local


def _rels_of(name: str, data: bytes) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (rel.get("Id") or "", rel.get("Type", ""), rel.get("Target", ""))
        for rel in parse_xml(name, data).iter(f"{PKG_REL_NS}Relationship")
    )


_cached_rels = lru_cache(maxsize=64)(_rels_of)


def _parsed_book(name: str, data: bytes) -> BookPart:
    if len(data) > CACHED_PART_MAX:
        return _book_of(name, data)
    return _cached_book(name, data)


def _book_of(name: str, data: bytes) -> BookPart:
    book = parse_xml(name, data)
    sheets = tuple(
        (s.get("name", ""), s.get(f"{REL_NS}id"), s.get("state", "visible"))
        for s in book.iter(f"{NS}sheet")
    )
    names = tuple(
        (n.get("name", ""), n.get("localSheetId"), n.text or "")
        for n in book.iter(f"{NS}definedName")
    )
    return BookPart(sheets, names)


_cached_book = lru_cache(maxsize=64)(_book_of)


def _parsed_styles(name: str, data: bytes) -> tuple[tuple[str, bool], ...]:
    if len(data) > CACHED_PART_MAX:
        return _styles_of(name, data)
    return _cached_styles(name, data)


def _styles_of(name: str, data: bytes) -> tuple[tuple[str, bool], ...]:
    """Per cell style index (``cellXfs``): (number format, whether it formats a date)."""
    styles = parse_xml(name, data)
    custom = {
        int(nf.get("numFmtId", "0")): nf.get("formatCode", "General")
        for nf in styles.iter(f"{NS}numFmt")
    }
    xfs = styles.find(f"{NS}cellXfs")
    formats = []
    for xf in xfs if xfs is not None else []:
        fmt_id = int(xf.get("numFmtId", "0") or 0)
        formats.append(custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General")))
    return tuple((f, is_date_format(f)) for f in formats)


_cached_styles = lru_cache(maxsize=64)(_styles_of)


_EMPTY_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c(?:\s[^<>]*)?/>|<((?:[A-Za-z_][\w.-]*:)?c)(?:\s[^<>/]*)?>\s*</\1>"
)


# The same two shapes without a namespace prefix, matching exactly what _EMPTY_CELL matches
# there: with the literal 「<c」 in front the regex engine jumps from cell to cell instead of
# trying every tag, and the possessive runs never backtrack through a valued cell's attributes
# (a tag ends at its first 「>」, so 「…/>」 is a run up to it with 「/」 last). The attributes
# are scanned once: up to a first 「/」, then 「/>」, 「></c>」 (no 「/」 in them) or the rest of a
# tag that ends in 「/>」. About a third of the time of _EMPTY_CELL on a card sheet.
_EMPTY_PLAIN_CELL = re.compile(rb"<c(?:/>|>\s*+</c>|\s[^<>/]*+(?:/>|>\s*+</c>|/[^<>]*+(?<=/)>))")


def drop_styled_empty_cells(data: bytes) -> bytes:
    """Remove ``<c …/>`` and ``<c …></c>`` (no value, no formula) from complete XML text."""
    if b":c" not in data:  # no prefixed <x:c> element anywhere: the plain pattern is the same
        return _EMPTY_PLAIN_CELL.sub(b"", data)
    return _EMPTY_CELL.sub(b"", data)


def _sheet_of(
    name: str, data: bytes
) -> tuple[dict[str, Element], tuple[frozenset[int], frozenset[int]]]:
    """A worksheet's stored cells by reference, and its (hidden rows, hidden columns)."""
    root = parse_xml(name, data)
    sheet_data = root.find(f"{NS}sheetData")
    rows = sheet_data if sheet_data is not None else ()
    cells = {ref: c for row in rows for c in row if (ref := c.get("r"))}
    return cells, (_hidden_rows(rows), _hidden_columns(root))


# --- a sheet's texts by its skeleton ----------------------------------------------------------
# The skeleton of a sheet part is its XML with the number in every ``<v>digits</v>`` replaced by
# 0. The replacements are exactly the pattern's matches in the skeleton too (no match can begin
# inside the text between two of them), so the skeleton and the list of numbers give back the
# part byte for byte: together they are its whole content.
_V_NUMBER = re.compile(rb"<v>([0-9]{1,9})</v>")
TEXT_PLANS_MAX = 16
_TEXT_PLANS: dict[bytes, tuple[int, ...]] = {}  # skeleton -> its texts' number positions


def _text_plan(name: str, data: bytes, numbers: list[bytes]) -> tuple[int, ...] | None:
    """Which of the part's numbers (by position) are the shared strings its :meth:`texts` reads,
    in order; None when its texts depend on anything else (an inline or formula string, a
    ``<v>`` the pattern does not match) or the numbers cannot be told apart from the elements."""
    root = parse_xml(name, data)
    values = list(root.iter(V_TAG))
    if len(values) != len(numbers) or data.count(b"<v") != len(numbers):
        return None
    if any(v.text != n.decode() for v, n in zip(values, numbers, strict=True)):
        return None
    position = {id(v): k for k, v in enumerate(values)}
    sheet_data = root.find(f"{NS}sheetData")
    rows = sheet_data if sheet_data is not None else ()
    cells = {ref: c for row in rows for c in row if (ref := c.get("r"))}
    plan: list[int] = []
    for raw in cells.values():  # the steps of texts(), on the same cells
        if not len(raw):
            continue
        kind = raw.get("t")
        if kind == "s" and raw[0].tag == V_TAG and raw[0].text is not None:
            plan.append(position[id(raw[0])])
        elif kind in ("inlineStr", "str"):
            return None
    return tuple(plan)


def _flag(value: str | None) -> bool:
    return value in ("1", "true")


def _zero(size: str | None) -> bool:
    try:
        return size is not None and float(size) == 0.0
    except ValueError:
        return False


def _hidden_rows(rows: object) -> frozenset[int]:
    out: set[int] = set()
    for row in rows:  # type: ignore[attr-defined]
        shut = _flag(row.get("hidden")) or _zero(row.get("ht"))  # hidden, or dragged shut
        if shut and (r := row.get("r", "")).isdigit():
            out.add(int(r))
    return frozenset(out)


def _hidden_columns(root: Element) -> frozenset[int]:
    out: set[int] = set()
    for col in root.iter(f"{NS}col"):
        if not (_flag(col.get("hidden")) or _zero(col.get("width"))):
            continue
        first, last = int(col.get("min", "0") or 0), int(col.get("max", "0") or 0)
        out.update(range(max(first, 1), min(last, 16_384) + 1))
    return frozenset(out)


# Strict Open XML (「Strict Open XML スプレッドシート」) differs from the usual transitional files
# in its namespaces only, as far as cells, strings, styles and names go: read it by renaming them.
STRICT_NAMESPACES = (
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", NS[1:-1].encode()),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        REL_NS[1:-1].encode(),
    ),
)


_DTD_MARKERS = tuple(
    m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
)


def parse_xml(name: str, data: bytes) -> Element:
    """Parse one package part with the C parser, refusing any DTD.

    OOXML parts never carry a document type declaration; refusing one outright closes the
    entity-expansion and external-entity attacks (what defusedxml guards against) while keeping
    expat's C tree builder, ~3x faster than defusedxml's Python-level one on a large sheet.
    """
    if (b"<!" in data or b"<\x00!" in data) and any(m in data for m in _DTD_MARKERS):
        raise SourceError("file-corrupt", f"{name}: 危険なXML構造（DTD）")
    if b"purl.oclc.org/ooxml/" in data:
        for strict, transitional in STRICT_NAMESPACES:
            data = data.replace(strict, transitional)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError("file-corrupt", f"{name}: {exc}") from exc


def rich_text(node: Element) -> str:
    """Text of an <si>/<is> node: plain <t> and rich-text runs, without phonetic (<rPh>) runs."""
    if len(node) == 1 and node[0].tag == T_TAG:  # the common shape: <si><t>text</t></si>
        return unescape_ooxml(node[0].text or "")
    parts: list[str] = []
    for child in node:
        if child.tag == f"{NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{NS}r":
            t = child.find(f"{NS}t")
            if t is not None:
                parts.append(t.text or "")
    return unescape_ooxml("".join(parts))


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Undo OOXML's _xHHHH_ escapes of control characters."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def excel_date(serial: float) -> datetime:
    return datetime(1899, 12, 30) + timedelta(days=serial)


_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?[A-Z]{1,3}\$?\d+)?$"
)


@lru_cache(maxsize=1024)  # the same few parts in every card
def resolve_target(workbook_path: str, target: str) -> str:
    """A relationship target of the workbook part as a package part name."""
    if target.startswith("/"):
        return target.lstrip("/")
    base = posixpath.dirname(workbook_path)
    return posixpath.normpath(posixpath.join(base, target))


@lru_cache(maxsize=4096)
def parse_reference(text: str) -> NameRef:
    """'シート'!$B$3 -> NameRef('シート', 'B3'); anything else (#REF!, formulas) is broken."""
    m = _REF.match(text.strip())
    if not m:
        return NameRef(None, None, text)
    sheet = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
    return NameRef(sheet, f"{m.group(3)}{m.group(4)}", text)
