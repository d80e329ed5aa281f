"""The reader's fast paths (issue 18) give exactly what the plain ones give.

Each shortcut is checked against the slower definition it replaces: the prefix-free regex that
drops value-less cells against the general one, the inline cell conversion of a whole sheet
against converting cell by cell, the parts parsed once per distinct content against a fresh
parse, and the text-capacity bound against counting every character.
"""

from __future__ import annotations

import random
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from builders import (
    FIXTURES,
    ROOT,
    TEMPLATE,
    filled_sample,
    rewrite_parts,
    sample_card_fields,
    write_zip_parts,
)

from ubereport.card import layout, locate, xlsx_source, zip_member
from ubereport.card.grid import Grid
from ubereport.card.reader import read_card
from ubereport.card.textfit import box_lines, display_width, fits, wrapped_lines
from ubereport.card.writer import write_card
from ubereport.card.xlsx_source import CellValue, XlsxSource, a1, drop_styled_empty_cells
from ubereport.japanese import values
from ubereport.plan.registry import default_registry
from ubereport.validate import narrative

PIECES = [
    b"<c",
    b"<c ",
    b"<c/>",
    b"/>",
    b">",
    b"<",
    b"</c>",
    b" ",
    b"\n",
    b"/",
    b'r="A1"',
    b's="3"',
    b"<v>1</v>",
    b"x",
    b"</",
    b"c",
    b"<cols>",
    b"<col/>",
    b"<row>",
    b"\t",
    b"a/b",
    b"//",
    b'x="/"',
]


def test_dropping_value_less_cells_matches_the_general_pattern_on_unprefixed_xml() -> None:
    rng = random.Random(18)
    for _ in range(50_000):
        data = b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 16)))
        assert drop_styled_empty_cells(data) == xlsx_source._EMPTY_CELL.sub(b"", data), data
    with zipfile.ZipFile(TEMPLATE) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    dropped = drop_styled_empty_cells(sheet)
    assert dropped == xlsx_source._EMPTY_CELL.sub(b"", sheet)
    assert b'<c r="B1" s="1"/>' in sheet and b'<c r="B1"' not in dropped


def test_prefixed_cells_are_dropped_by_the_general_pattern() -> None:
    data = b'<x:row><x:c r="A1" s="1"/><x:c r="B1"></x:c><x:c r="C1"><x:v>2</x:v></x:c></x:row>'
    assert drop_styled_empty_cells(data) == b'<x:row><x:c r="C1"><x:v>2</x:v></x:c></x:row>'


def _cell_by_cell(source: XlsxSource, sheet: str) -> dict[tuple[int, int], object]:
    out = {}
    for ref in source._raw_cells(sheet):
        cell = source.cell(sheet, ref)
        if cell is not None:
            out[xlsx_source.split_ref(ref)] = cell
    return out


@pytest.mark.parametrize(
    "name",
    ["libreoffice_pasted_split_hidden_row_card02.xlsx", "libreoffice_resaved_card12.xlsx"],
)
def test_a_whole_sheet_converts_as_its_cells_do_one_by_one(name: str) -> None:
    source = XlsxSource(FIXTURES / name)
    for sheet in source.sheet_names:
        assert source.grid(sheet) == _cell_by_cell(XlsxSource(FIXTURES / name), sheet)


def test_the_sheet_grid_converts_every_cell_shape(tmp_path: Path) -> None:
    card = TEMPLATE  # written by xlsxwriter: shared strings, as Excel writes them
    cells = (
        '<c r="A50" t="s"><v>0</v></c>'  # shared string
        '<c r="B50" s="0"><v>1.5</v></c>'  # number
        '<c r="C50" t="inlineStr"><is><t>インライン</t></is></c>'
        '<c r="D50" t="b"><v>1</v></c>'
        '<c r="E50" t="e"><v>#DIV/0!</v></c>'
        '<c r="F50" t="str"><f>A1&amp;"x"</f><v>式の結果</v></c>'
        '<c r="G50"><f>1+1</f><v>2</v></c>'
        '<c r="H50" t="s"><v>99999</v></c>'  # out of range: empty text
        '<c r="I50"><f>NOW()</f></c>'  # a formula without a cached value
    )
    with zipfile.ZipFile(card) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    edited = sheet.replace("</sheetData>", f'<row r="50">{cells}</row></sheetData>')
    path = rewrite_parts(
        card, tmp_path / "shapes.xlsx", {"xl/worksheets/sheet1.xml": edited.encode()}
    )
    source = XlsxSource(path)
    name = source.sheet_names[0]
    grid = source.grid(name)
    assert grid == _cell_by_cell(XlsxSource(path), name)
    row = {c: grid.get((50, c)) for c in range(1, 10)}
    assert [(v.value, v.formula, v.error) if v else None for v in row.values()] == [
        (source._shared_string(0), None, None),
        (1.5, None, None),
        ("インライン", None, None),
        (True, None, None),
        (None, None, "#DIV/0!"),
        ("式の結果", '=A1&"x"', None),
        (2.0, "=1+1", None),
        ("", None, None),
        (None, "=NOW()", None),
    ]


def test_a_bad_value_in_a_sheet_is_named_by_its_cell(tmp_path: Path) -> None:
    card = filled_sample(tmp_path, "02")
    with zipfile.ZipFile(card) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    bad = '<row r="50"><c r="A50"><v>1</v></c><c r="B50"><v>1,5</v></c></row>'
    edited = sheet.replace("</sheetData>", bad + "</sheetData>")
    path = rewrite_parts(card, tmp_path / "bad.xlsx", {"xl/worksheets/sheet1.xml": edited.encode()})
    result = read_card(path)
    assert result.card is None
    assert [(f.code, f.message) for f in result.findings] == [
        (
            "file-corrupt",
            "ファイルが壊れているため読めません（アクションプラン: セル B50 の値が読めません"
            "（could not convert string to float: '1,5'））。元のファイルをExcelで開いて保存し直すか、"
            "様式に入力し直して提出してください。",
        )
    ]


def test_parts_shared_between_files_are_parsed_by_their_own_content(tmp_path: Path) -> None:
    """Two cards whose workbook and list-sheet parts are byte for byte the same but whose
    styles and strings differ: each keeps its own number formats and shows its own strings."""
    card = TEMPLATE
    with zipfile.ZipFile(card) as package:
        styles = package.read("xl/styles.xml").decode()
        strings = package.read("xl/sharedStrings.xml").decode()
    percent = styles.replace('numFmtId="0"', 'numFmtId="9"')
    assert percent != styles
    other = rewrite_parts(
        card,
        tmp_path / "other.xlsx",
        {
            "xl/styles.xml": percent.encode(),
            "xl/sharedStrings.xml": strings.replace("<t>目標", "<t>別の目標", 1).encode(),
        },
    )
    first, second = XlsxSource(card), XlsxSource(other)
    assert first.sheet_names == second.sheet_names
    lists = first.sheet_names[1]
    with zipfile.ZipFile(card) as a, zipfile.ZipFile(other) as b:
        part = first.sheet_parts[lists]
        assert a.read(part) == b.read(part)
    assert first._styles() != second._styles()
    assert first._styles() == xlsx_source._styles_of("styles", styles.encode())
    assert second._styles() == xlsx_source._styles_of("styles", percent.encode())
    for source, path in ((first, card), (second, other)):
        for sheet in source.sheet_names:
            assert source.grid(sheet) == _cell_by_cell(XlsxSource(path), sheet)
    assert first.grid(first.sheet_names[0]) != second.grid(second.sheet_names[0])


def test_grid_lookups_agree_with_the_cells() -> None:
    source = XlsxSource(FIXTURES / "libreoffice_pasted_split_hidden_row_card02.xlsx")
    sheet = source.sheet_names[0]
    from ubereport.card.grid import cell_text

    grid = Grid.of(source, sheet, layout.DEFAULT)

    for r in range(1, 60):
        for c in range(1, 20):
            cell = grid.cells.get((r, c))
            assert grid.text((r, c)) == cell_text(cell)
            is_label = (
                cell is not None
                and isinstance(cell.value, str)
                and layout.DEFAULT.is_printed_label(cell.value)
            )
            assert grid.is_label((r, c)) == is_label
    part = grid.part(range(1, 20), range(1, 8))
    assert part.texts == {p: t for p, t in grid.texts.items() if p[0] < 20 and p[1] < 8}
    assert part.label_cells == {p for p in grid.label_cells if p[0] < 20 and p[1] < 8}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def test_text_capacity_bound_gives_the_exact_answer() -> None:
    rng = random.Random(7)
    alphabet = "あア漢字ABC abc123、。①※・\n𠮷ｱｲｳ"
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        width = rng.choice((40.0, 120.5, 300.0, 700.0))
        height = rng.choice((10.0, 24.0, 34.5, 156.0, 400.0))
        assert display_width(text) == _width(text)
        exact = wrapped_lines(text, width) <= box_lines(height) if text else True
        assert fits(text, width, height) == exact, (text, width, height)


def test_a1_references() -> None:
    assert [a1(1, 1), a1(40, 13), a1(3, 27), a1(1_048_576, 16_384)] == [
        "A1",
        "M40",
        "AA3",
        "XFD1048576",
    ]


# --- locate's memo: the answer of an earlier card with the same skeleton ----------------------


def _card_grid(path: Path) -> tuple[Grid, dict[str, tuple[int, int]]]:
    source = XlsxSource(path)
    sheet = source.sheet_names[0]
    grid = Grid.of(source, sheet, layout.DEFAULT)
    return grid, locate.named_cells(grid, source.names_for(sheet))


def _regrid(grid: Grid, cells: dict, rows: frozenset[int], cols: frozenset[int]) -> Grid:
    fresh = Grid(grid.sheet, cells, rows, cols, grid.lay)
    fresh._index()
    return fresh


def _fresh(grid: Grid, named: dict[str, tuple[int, int]]) -> locate.Located | None:
    return locate._locate(grid, named)  # the plain computation on the grid itself


def test_locate_memo_answers_as_the_plain_computation(tmp_path: Path) -> None:
    memo = locate._Memo()
    paths = [
        filled_sample(tmp_path, "02"),
        TEMPLATE,
        FIXTURES / "libreoffice_resaved_card12.xlsx",
        FIXTURES / "libreoffice_pasted_split_hidden_row_card02.xlsx",
        *sorted((ROOT / "inbox").glob("*.xlsx")),
    ]
    for path in paths * 2:  # the second round is answered from the memo
        grid, named = _card_grid(path)
        assert memo.locate(grid, named) == _fresh(grid, named), path
    assert memo.hits >= len(paths)
    assert memo.misses <= len(paths)


def test_locate_memo_misses_when_anything_it_read_changes(tmp_path: Path) -> None:
    """Every part of the input changed in turn: the memo answers as the plain computation, and
    never with the remembered answer when a remembered question would be answered otherwise."""
    grid, named = _card_grid(filled_sample(tmp_path, "02"))
    memo = locate._Memo()
    memo.locate(grid, named)
    ((answer,),) = memo.entries.values()
    assert answer.fits(grid)
    variants: list[tuple[str, Grid, dict[str, tuple[int, int]]]] = [
        ("hidden row", _regrid(grid, grid.cells, grid.hidden_rows | {20}, grid.hidden_cols), named),
        ("hidden col", _regrid(grid, grid.cells, grid.hidden_rows, grid.hidden_cols | {5}), named),
        (
            "a name moved",
            grid,
            {**named, "outcome": (named["outcome"][0] + 1, named["outcome"][1])},
        ),
        ("a name gone", grid, {k: v for k, v in named.items() if k != "plan_name"}),
    ]
    label = next(p for p in sorted(grid.printed) if p not in grid.anchors.get("s1", []))
    moved = dict(grid.cells)
    moved[(label[0] + 1, label[1])] = moved.pop(label)
    variants.append(
        ("a label moved", _regrid(grid, moved, grid.hidden_rows, grid.hidden_cols), named)
    )
    title = grid.anchors["s3"][0]
    untitled = {p: c for p, c in grid.cells.items() if p != title}
    variants.append(
        ("a title gone", _regrid(grid, untitled, grid.hidden_rows, grid.hidden_cols), named)
    )
    assert len(answer.reads) > 100
    for ask, pos, key, said, _ in answer.reads:  # every question, answered otherwise
        cells = dict(grid.cells)
        if said:
            del cells[pos]
        elif ask is Grid.is_year_heading:
            cells[pos] = CellValue("R9年度")
        elif ask is Grid.has_text:
            cells[pos] = CellValue("x")
        else:  # a label asked about: typed there
            shown = grid.lay.section_title(key.anchor) if key.anchor else key.text
            cells[pos] = CellValue(shown)
        other = _regrid(grid, cells, grid.hidden_rows, grid.hidden_cols)
        assert ask(other, pos, *([key] if key else [])) != said
        variants.append((f"{ask.__name__} {a1(*pos)}", other, named))
    for key in answer.labels:  # a label key looked up: one more cell showing it
        cells = {**grid.cells, (200, 1): CellValue(key)}
        variants.append(
            (f"label {key}", _regrid(grid, cells, grid.hidden_rows, grid.hidden_cols), named)
        )
    for what, other, names in variants:
        assert memo.key(other, names) != memo.key(grid, named) or not answer.fits(other), what
        primed = locate._Memo()
        primed.locate(grid, named)
        assert primed.locate(other, names) == _fresh(other, names), what
        assert (primed.hits, primed.misses) == (0, 2), what
        assert memo.locate(other, names) == _fresh(other, names), what  # among many answers


def test_locate_memo_keeps_no_answer_that_read_every_text(tmp_path: Path) -> None:
    """A heading typed differently (「目標値」) is searched among all the sheet's texts, which
    differ in every card: such an answer is not kept."""
    grid, named = _card_grid(filled_sample(tmp_path, "02"))
    pos = min(p for p, t in grid.texts.items() if t == "目標")
    cells = {**grid.cells, pos: CellValue("目標値")}
    edited = _regrid(grid, cells, grid.hidden_rows, grid.hidden_cols)
    memo = locate._Memo()
    assert memo.locate(edited, named) == _fresh(edited, named)
    assert not memo.entries


def test_locate_memo_is_bounded(tmp_path: Path) -> None:
    grid, named = _card_grid(filled_sample(tmp_path, "02"))
    memo = locate._Memo(size=8)
    for row in range(60, 80):  # twenty skeletons: a different hidden row each
        other = _regrid(grid, grid.cells, frozenset({row}), grid.hidden_cols)
        assert memo.locate(other, named) == _fresh(other, named)
    assert len(memo.entries) == 8
    assert memo.misses == 20
    cells = dict(grid.cells)
    for n in range(12):  # twelve variants under one skeleton: the fifth input row typed or not
        cells[(40 + n, 30)] = CellValue(f"{n}")
        other = _regrid(grid, dict(cells), grid.hidden_rows, grid.hidden_cols)
        memo.locate(other, named)
    assert all(len(answers) <= locate.LOCATE_VARIANTS for answers in memo.entries.values())


# --- small parts unpacked in one step -----------------------------------------------------------


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    "path",
    [
        TEMPLATE,
        FIXTURES / "libreoffice_resaved_card12.xlsx",
        FIXTURES / "libreoffice_pasted_split_hidden_row_card02.xlsx",
        *sorted((ROOT / "inbox").glob("*.xlsx"))[:3],
    ],
    ids=lambda p: p.name,
)
def test_a_small_part_unpacked_in_one_step_is_what_zipfile_gives(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            assert zip_member.read_small_member(package, info) == package.read(info), info
    fast = XlsxSource(path)
    plain = XlsxSource(path)
    plain_read = zip_member.read_small_member
    try:
        zip_member_none = lambda *_: None  # noqa: E731 - zipfile's own reader for every part
        xlsx_source.read_small_member = zip_member_none  # type: ignore[assignment]
        for name in plain._zip.namelist():
            expected = plain._read(name, keep=drop_styled_empty_cells)
            xlsx_source.read_small_member = plain_read
            assert fast._read(name, keep=drop_styled_empty_cells) == expected, name
            xlsx_source.read_small_member = zip_member_none  # type: ignore[assignment]
        assert plain._unpacked == fast._unpacked
    finally:
        xlsx_source.read_small_member = plain_read


def test_a_part_the_quick_way_cannot_vouch_for_is_left_to_zipfile(tmp_path: Path) -> None:
    data = b"<a>" + "あいう".encode() * 50 + b"</a>"
    stream, crc = _deflated(data), zlib.crc32(data)
    cases = {
        "good": [("x.xml", stream, crc, len(data))],
        "crc": [("x.xml", stream, crc ^ 1, len(data))],
        "size larger": [("x.xml", stream, crc, len(data) + 1)],
        "size smaller": [("x.xml", stream, crc, len(data) - 1)],
        "truncated": [("x.xml", stream[:-5], crc, len(data))],
    }
    for what, parts in cases.items():
        path = write_zip_parts(tmp_path / f"{what}.zip", parts)
        with zipfile.ZipFile(path) as package:
            info = package.getinfo("x.xml")
            fast = zip_member.read_small_member(package, info)
            if what == "good":
                assert fast == data == package.read(info)
            elif what == "size larger":  # zipfile reads the whole stream and checks its CRC
                assert fast is None and package.read(info) == data
            else:
                assert fast is None, what
                with pytest.raises((zipfile.BadZipFile, zlib.error, EOFError)):
                    package.read(info)
    path = write_zip_parts(tmp_path / "names.zip", cases["good"])
    raw = bytearray(path.read_bytes())
    raw[30:31] = b"y"  # the local header's name differs from the directory's
    (tmp_path / "names.zip").write_bytes(bytes(raw))
    with zipfile.ZipFile(tmp_path / "names.zip") as package:
        info = package.getinfo("x.xml")
        assert zip_member.read_small_member(package, info) is None
        with pytest.raises(zipfile.BadZipFile):
            package.read(info)
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as package:
        package.writestr("x.xml", data)
    bzip = tmp_path / "bzip.zip"
    with zipfile.ZipFile(bzip, "w", zipfile.ZIP_BZIP2) as package:
        package.writestr("x.xml", data)
    with zipfile.ZipFile(stored) as a, zipfile.ZipFile(bzip) as b:
        assert zip_member.read_small_member(a, a.getinfo("x.xml")) == data
        assert zip_member.read_small_member(b, b.getinfo("x.xml")) is None
        info = a.getinfo("x.xml")
        info.flag_bits |= 0x1  # marked encrypted
        assert zip_member.read_small_member(a, info) is None
        big = a.getinfo("x.xml")
        big.file_size = zip_member.SMALL_MEMBER + 1
        assert zip_member.read_small_member(a, big) is None


def test_a_number_cell_parsed_once_per_value_and_format_gives_the_full_parse() -> None:
    rng = random.Random(18)
    floats = [0.0, -0.0, 1.0, -1.5, 0.855, 1e16, 1e300, float("inf"), float("-inf"), float("nan")]
    floats += [rng.uniform(-1e6, 1e6) for _ in range(2_000)]
    floats += [round(rng.uniform(0, 1), rng.randint(0, 4)) for _ in range(2_000)]
    formats = [None, "General", "0", "0.0%", "#,##0", '0"件"', "yyyy/m/d"]
    for value in floats:
        for fmt in formats:
            expected = values._parse_native_number(value, fmt)
            got = values.parse_value(value, number_format=fmt)
            assert repr(got) == repr(expected), (value, fmt)
    assert values.parse_value(-0.0).text == values._parse_native_number(-0.0, None).text


# --- a sheet's texts by its skeleton (the template's hidden list sheet) --------------------------


def _texts_parsed(path: Path, sheet: str) -> list[str]:
    source = XlsxSource(path)
    source._raw_cells(sheet)  # parsed first: texts() reads the tree
    return source.texts(sheet)


def test_list_sheets_that_differ_only_in_their_numbers_share_one_plan(tmp_path: Path) -> None:
    """Cards written by xlsxwriter (as ``ubereport samples`` and the bench write them) number
    their shared strings in order of use, so the hidden list sheet's numbers shift with the
    card's own texts."""
    xlsx_source._TEXT_PLANS.clear()
    registry = default_registry()
    paths = []
    for n in ("01", "02", "05"):
        paths.append(tmp_path / f"card_{n}.xlsx")
        write_card(paths[-1], sample_card_fields(n), registry)
    lists = XlsxSource(paths[0]).sheet_names[1]
    parts = []
    for path in paths:
        with zipfile.ZipFile(path) as package:
            parts.append(package.read(XlsxSource(path).sheet_parts[lists]))
    assert len(set(parts)) == len(parts)  # the numbers differ from card to card …
    assert len({xlsx_source._V_NUMBER.sub(b"<v>0</v>", p) for p in parts}) == 1  # … only they
    for path in paths:
        source = XlsxSource(path)
        assert source.texts(lists) == _texts_parsed(path, lists)
        assert source.texts(lists) == source.texts(lists)  # asked twice (routing, then likeness)
        assert (lists in source._raw) is (path == paths[0])  # the others: read by the plan
        assert source.cell_count(lists) == XlsxSource(path).cell_count(lists)
    assert len(xlsx_source._TEXT_PLANS) == 1


def _list_sheet(card: Path) -> tuple[str, str, str]:
    """The template's hidden list sheet: its name, its package part and its XML."""
    source = XlsxSource(card)
    lists = source.sheet_names[1]
    part = source.sheet_parts[lists]
    with zipfile.ZipFile(card) as package:
        return lists, part, package.read(part).decode()


@pytest.mark.parametrize(
    ("edit", "planned"),
    [
        (lambda x: x, True),
        (lambda x: x.replace('t="s"><v>', 't="n"><v>', 1), True),  # a number: not a text
        (lambda x: x.replace('t="s"><v>1</v>', 't="str"><v>1</v>', 1), False),  # its own text
        (lambda x: x.replace("</sheetData>", "</sheetData><?x <v>1</v>?>"), False),
        (lambda x: x.replace("<v>", '<v xml:space="preserve">', 1), False),
        (lambda x: x.replace(' t="s"><v>', "><v>1.5</v><v>", 1), False),  # not a number match
        (lambda x: x.replace('"><v>', '"><f>A1</f><v>', 1), True),
    ],
)
def test_a_list_sheet_texts_plan_is_kept_only_when_its_numbers_are_all_it_reads(
    tmp_path: Path, edit: object, planned: bool
) -> None:
    card = TEMPLATE
    lists, part, xml = _list_sheet(card)
    edited = edit(xml)  # type: ignore[operator]
    path = rewrite_parts(card, tmp_path / "edited.xlsx", {part: edited.encode()})
    xlsx_source._TEXT_PLANS.clear()
    first = XlsxSource(path).texts(lists)
    assert first == _texts_parsed(path, lists)
    assert bool(xlsx_source._TEXT_PLANS) is planned
    again = XlsxSource(path).texts(lists)  # from the plan when there is one
    assert again == first


def test_a_changed_skeleton_is_read_by_its_own_parse(tmp_path: Path) -> None:
    card = TEMPLATE
    lists, part, xml = _list_sheet(card)
    xlsx_source._TEXT_PLANS.clear()
    XlsxSource(card).texts(lists)
    swapped = xml.replace('r="A1"', 'r="Z9"', 1)
    moved = rewrite_parts(card, tmp_path / "moved.xlsx", {part: swapped.encode()})
    assert XlsxSource(moved).texts(lists) == _texts_parsed(moved, lists)
    assert len(xlsx_source._TEXT_PLANS) == 2
    for n in range(20):  # bounded
        other = rewrite_parts(
            card,
            tmp_path / f"o{n}.xlsx",
            {part: xml.replace('r="A1"', f'r="Z{n + 10}"', 1).encode()},
        )
        XlsxSource(other).texts(lists)
    assert len(xlsx_source._TEXT_PLANS) == xlsx_source.TEXT_PLANS_MAX


def test_answers_remembered_per_distinct_text_are_the_plain_answers() -> None:
    from ubereport.card import reader
    from ubereport.validate import kpi_values, narrative

    rng = random.Random(3)
    alphabet = "あア漢字ABC abc123、。①※・\n"
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        width, height = rng.choice((40.0, 300.0)), rng.choice((24.0, 156.0))
        limit = narrative._Limit(0, width, height, narrative.sure_fit(width, height))
        for _ in range(2):  # the second time from the memo
            assert narrative._fits(text, limit) == fits(text, width, height)
    for unit in ["件", "件/１日", "ヶ所", " % ", "", None, "千円", "ｍ２", "人／年"] * 2:
        assert kpi_values._unit_key(unit) == kpi_values._unit_key.__wrapped__(unit)
    titles = [layout.DEFAULT.section_title(k) for k in layout.DEFAULT.anchor_box]
    for texts in (titles[:2], titles, [*titles, "x"] * 100, ["a" * 90, titles[0]]):
        plain = len({k for t in texts if len(t) <= 80 and (k := layout.DEFAULT.anchor_of(t))})
        assert reader._likeness(list(texts), layout.DEFAULT) == plain
        assert reader._likeness(list(texts), layout.DEFAULT) == plain


def test_full_width_characters_replaced_as_the_translation_table_replaces_them() -> None:
    rng = random.Random(11)
    alphabet = "あア漢字ABC abc123、。①※・\n（）！？０１２\u3000\u00a0ｱｲｳ\uff5e\uff01\uff5f\uff00～"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert values._WIDE_RE.sub(values._half, text) == text.translate(values._FULLWIDTH)
    assert set(
        map(ord, "".join(chr(c) for c in range(0x10000) if values._WIDE_RE.match(chr(c))))
    ) == set(values._FULLWIDTH)


# --- round 3 (issue 18 point 3): the reader's per-field work and the checks' shortcuts ----------


@pytest.fixture(scope="module")
def messy_cards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every messy card of the corpus (hidden rows and columns, gathered texts, moved names,
    several cards per sheet …), the bundled inbox and the fixtures."""
    from test_corpus import VARIANTS

    paths = []
    for name, variant in sorted(VARIANTS.items()):
        paths.append(variant.build(tmp_path_factory.mktemp(name)))
    paths += sorted((ROOT / "inbox").glob("*.xlsx"))
    paths += sorted(FIXTURES.glob("*.xlsx"))
    import openpyxl
    from builders import fill_template

    path = fill_template(tmp_path_factory.mktemp("formulas") / "f.xlsx", sample_card_fields("13"))
    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_NAME]
    sheet["I18"] = "=1+1"  # formulas and errors in value cells, in a text box, on a label
    sheet["I26"] = "#DIV/0!"
    sheet["I26"].data_type = "e"
    sheet.unmerge_cells("A11:F20")
    sheet["B12"] = "=A1"
    sheet["A10"] = "#N/A"
    sheet["A10"].data_type = "e"
    book.save(path)
    return [*paths, path]


def _located(path: Path) -> list[tuple[XlsxSource, locate.Located]]:
    """Every card the reader would locate in ``path`` (with the default layout)."""
    from ubereport.card.grid import split_cards

    try:
        source = XlsxSource(path)
    except xlsx_source.SourceError:
        return []
    out = []
    for sheet in source.sheet_names:
        try:
            grid = Grid.of(source, sheet, layout.DEFAULT)
        except xlsx_source.SourceError:
            continue
        if len(grid.anchors) < 3:
            continue
        for part in split_cards(grid, 3):
            loc = locate.locate(part, source.names_for(sheet))
            if loc is not None:
                out.append((source, loc))
    return out


def _taken_plainly(loc: locate.Located) -> tuple[dict[str, str], set[tuple[int, int]], list]:
    """Every field through the full ``_take``: the definition the inline path stands for."""
    from ubereport.card.reader import _Reading

    plain = object.__new__(_Reading)
    plain.loc, plain.grid, plain.name, plain.findings = loc, loc.grid, "x.xlsx", []
    plain.taken, plain.texts, plain.refs = set(), {}, {}
    for fname, placed in loc.fields.items():
        plain.texts[fname] = plain._take(fname, placed)
    return plain.texts, plain.taken, plain.findings


def test_fields_taken_inline_are_what_the_full_take_gives(messy_cards: list[Path]) -> None:
    from ubereport.card.reader import _Reading

    seen = {"gathered": 0, "hidden": 0, "formula": 0, "regions": 0}
    for path in messy_cards:
        for _, loc in _located(path):
            fast = _Reading(loc, "x.xlsx", [])
            texts, taken, findings = _taken_plainly(loc)
            assert fast.texts == texts, path
            assert fast.taken == taken, path
            assert fast.findings[len(loc.moved) :] == findings, path
            codes = [f.code for f in findings]
            seen["gathered"] += codes.count("text-gathered")
            seen["hidden"] += codes.count("field-hidden")
            seen["formula"] += codes.count("cell-formula") + codes.count("cell-error")
            seen["regions"] += sum(len(p.region) > 1 for p in loc.fields.values())
    assert all(seen.values()), seen  # every slow case was among them


def test_a_region_never_holds_a_cell_twice(messy_cards: list[Path]) -> None:
    """The inline path finds a box's typed cells as a set: a region lists each cell once."""
    for path in messy_cards:
        for _, loc in _located(path):
            for placed in loc.fields.values():
                assert len(set(placed.region)) == len(placed.region), path


def _unread_plainly(reading: object) -> None:
    """``_Reading.unread`` as it was: every cell of the sheet looked at in turn."""
    from ubereport.card.reader import make_finding

    r: Any = reading
    r._second_year_headings()
    loc, grid = r.loc, r.grid
    r.taken.add((loc.origin[0] + 1, loc.origin[1] + 1))
    headings = {p for p in loc.found.values() if p is not None}
    top, left = loc.origin[0] + 1, loc.origin[1] + 1
    notes_from = loc.bottom - (
        loc.lay.form.last_row - loc.lay.field_boxes()["achievements"].span[2]
    )
    for pos in sorted(grid.cells):
        row, col = pos
        if not (top <= row <= loc.bottom and left <= col <= loc.right) or pos in r.taken:
            continue
        text = grid.text(pos)
        if not text.strip() and not grid.cells[pos].error:
            continue
        if grid.is_label(pos) or pos in headings:
            continue
        if row > notes_from and text.startswith("※"):
            continue
        code = "cell-unread" if grid.visible(pos) else "cell-hidden"
        shown = text if len(text) <= 60 else text[:60] + "…"
        r.findings.append(
            make_finding(
                code,
                r.name,
                sheet=grid.sheet,
                cell=a1(*pos),
                value=text,
                detail=shown,
                where=a1(*pos),
            )
        )


def test_cells_nobody_read_are_the_ones_the_plain_loop_finds(messy_cards: list[Path]) -> None:
    from ubereport.card.reader import _Reading

    reported = 0
    for path in messy_cards:
        for _, loc in _located(path):
            fast, plain = _Reading(loc, "x.xlsx", []), _Reading(loc, "x.xlsx", [])
            fast.unread()
            _unread_plainly(plain)
            assert fast.findings == plain.findings, path
            assert fast.taken == plain.taken, path
            reported += sum(f.code in ("cell-unread", "cell-hidden") for f in fast.findings)
    assert reported  # the corpus has cells nobody read


def _fits_plainly(answer: Any, grid: Grid) -> bool:
    """``_Answer.fits`` as it was: every remembered question looked at in turn."""
    if grid.lay is not answer.lay:
        return False
    for ask, pos, key, said, text in answer.reads:
        if grid.texts.get(pos) == text:
            continue
        if (ask(grid, pos, key) if key is not None else ask(grid, pos)) != said:
            return False
    return all(grid.labels.get(key) == found for key, found in answer.labels.items())


def test_a_remembered_location_fits_as_the_plain_loop_says(
    tmp_path: Path, messy_cards: list[Path]
) -> None:
    grid, named = _card_grid(filled_sample(tmp_path, "02"))
    memo = locate._Memo()
    memo.locate(grid, named)
    ((answer,),) = memo.entries.values()
    assert answer.places == tuple(read[1] for read in answer.reads)
    assert answer.texts == [read[4] for read in answer.reads]
    others = [loc.grid for path in messy_cards for _, loc in _located(path)]
    for ask, pos, _, _, _ in answer.reads[::7]:  # a text changed where it looked
        cells = dict(grid.cells)
        cells[pos] = CellValue("x") if ask is Grid.has_text or pos not in cells else None  # type: ignore[assignment]
        others.append(
            _regrid(grid, {p: c for p, c in cells.items() if c}, grid.hidden_rows, grid.hidden_cols)
        )
    results = [answer.fits(other) for other in others]
    assert results == [_fits_plainly(answer, other) for other in others]
    assert True in results and False in results


def test_defined_names_kept_per_workbook_part_are_the_plain_ones(tmp_path: Path) -> None:
    xlsx_source._BOOK_NAMES.clear()
    first, second = XlsxSource(TEMPLATE), XlsxSource(TEMPLATE)
    assert first._book is second._book  # the same workbook part: parsed once
    assert len(xlsx_source._BOOK_NAMES) == 1
    for source in (first, second, XlsxSource(filled_sample(tmp_path, "02"))):
        defined, local = xlsx_source._names_of(source._book)
        assert source.defined_names == defined and source.local_names == local
    first.defined_names.clear()  # each source owns its copy
    assert XlsxSource(TEMPLATE).defined_names == second.defined_names != {}
    with zipfile.ZipFile(TEMPLATE) as package:
        book = package.read("xl/workbook.xml").decode()
    renamed = book.replace('name="plan_name"', 'name="plan_title"', 1)
    assert renamed != book
    other = XlsxSource(
        rewrite_parts(TEMPLATE, tmp_path / "renamed.xlsx", {"xl/workbook.xml": renamed.encode()})
    )
    assert "plan_title" in other.defined_names and "plan_name" not in other.defined_names
    assert "plan_name" in XlsxSource(TEMPLATE).defined_names
    for n in range(xlsx_source.BOOK_NAMES_MAX + 5):  # bounded
        edited = book.replace('name="plan_name"', f'name="plan_{n}"', 1).encode()
        XlsxSource(rewrite_parts(TEMPLATE, tmp_path / f"b{n}.xlsx", {"xl/workbook.xml": edited}))
    assert len(xlsx_source._BOOK_NAMES) == xlsx_source.BOOK_NAMES_MAX


def test_relationship_targets_resolve_as_paths_join() -> None:
    import posixpath

    for book in ("xl/workbook.xml", "workbook.xml", "a/b/book.xml"):
        for target in ("worksheets/sheet1.xml", "/xl/styles.xml", "../x.xml", "./s.xml"):
            plain = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(posixpath.dirname(book), target))
            )
            assert xlsx_source.resolve_target(book, target) == plain


def test_label_facts_remembered_per_layout_are_the_plain_ones(messy_cards: list[Path]) -> None:
    from ubereport.card import grid as grid_module

    for path in messy_cards[:10]:
        for _, loc in _located(path):
            grid = loc.grid
            for pos, text in grid.texts.items():
                if not isinstance(grid.cells[pos].value, str) or len(text) > 80:
                    continue
                anchor, key, printed = grid_module.label_facts(grid.lay, text)
                assert pos in grid.labels[key]
                assert (pos in grid.anchors.get(anchor or "", [])) == (anchor is not None)
                assert (pos in grid.printed) == printed
    known = grid_module._facts_of(layout.DEFAULT)
    for n in range(grid_module.FACTS_MAX + 10):  # bounded
        grid_module._label_facts(layout.DEFAULT, f"t{n}", known)
    assert len(known) <= grid_module.FACTS_MAX


def test_a_text_no_longer_than_the_sure_bound_fits() -> None:
    """``sure_fit``: the longest full-width run that fits; every one-paragraph text as long or
    shorter fits too (the narrative check skips measuring those)."""
    rng = random.Random(5)
    alphabet = "あア漢字ABC abc123、。①※・（）ｱｲ"
    for width in (12.0, 40.0, 91.5, 300.0, 520.25):
        for height in (0.0, 12.0, 24.0, 156.0, 400.0):
            sure = narrative.sure_fit(width, height)
            assert sure == 0 or fits("あ" * sure, width, height)
            assert not fits("あ" * (sure + 1), width, height)
            for _ in range(300):
                text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, sure or 1)))
                if len(text) <= sure:
                    assert fits(text, width, height), (text, width, height)


def test_box_limits_kept_per_layout_are_the_boxes_own() -> None:
    lay = layout.DEFAULT
    limits = narrative._limits(lay)
    assert narrative._limits(lay) is limits
    assert set(limits) == set(lay.field_boxes())
    assert any(limits.values()) and None in limits.values()
    for fname, limit in limits.items():
        box = lay.field_box(fname)
        assert box is not None
        if not box.capacity:
            assert limit is None
            continue
        width, height = lay.box_size(box)
        assert limit == (box.capacity, width, height, narrative.sure_fit(width, height))
    last = f"input_{lay.input_count}"
    assert narrative._limit(lay, "input_9") == limits[last]  # a further input row: its box


def _card(tmp_path: Path, **fields: object) -> Any:
    card = read_card(filled_sample(tmp_path, "02", **fields)).card
    assert card is not None
    return card


def _ratings_eagerly(ctx: Any) -> list[Any]:
    """The own-rating findings as they were: every KPI year rated, needed or not."""
    from ubereport.plan.rating import Status, parse_own_rating
    from ubereport.validate.assess import rate_kpi_year

    card, year, out = ctx.card, ctx.report_year, []
    index = card.plan_years.index(year) if year in card.plan_years else None
    for k, kpi in enumerate(card.kpis, start=1):
        if kpi.is_empty():
            continue
        p = f"kpi{k}_"
        own_text = kpi.assessment.strip()
        own = parse_own_rating(own_text) if own_text else None
        if own_text and own is None:
            out.append(
                ctx.finding("assessment-invalid", p + "assessment", own_text, detail=own_text)
            )
        if index is None:
            continue
        computed = rate_kpi_year(kpi, index, ctx.bands, own=False)
        name = kpi.name or f"指標{'I' * k}"
        if own is not None and own != computed.status and not kpi.assessment_reason.strip():
            out.append(
                ctx.finding(
                    "assessment-reason-missing",
                    p + "assessment_reason",
                    own_text,
                    kpi=name,
                    detail=own_text,
                    expected=computed.status,
                )
            )
        final = own or computed.status
        if final is Status.NOT_ACHIEVED and not card.shortfall_reason.strip():
            shown = computed.rate_text or computed.actual_text
            out.append(
                ctx.finding(
                    "shortfall-reason-missing",
                    "shortfall_reason",
                    kpi=name,
                    year=ctx.year_label(year),
                    detail=shown,
                )
            )
    return out


def test_ratings_computed_only_where_needed_give_every_finding(tmp_path: Path) -> None:
    """Every combination of own rating, its reason, 未達成の理由, actual and reported year: the
    lazy rating gives the findings of rating every year."""
    from dataclasses import replace

    from ubereport.japanese.values import parse_value
    from ubereport.validate.context import Context

    base = _card(tmp_path)
    registry = default_registry()
    codes: set[str] = set()
    combos = 0
    for own in ("", "達成", "概ね達成", "未達成", "おおむね達成", "済"):
        for reason in ("", "理由あり"):
            for shortfall in ("", "  ", "理由あり"):
                for actual in ("", "集計中", "0件", "999,999件", "x"):
                    for year in (base.fiscal_year, 2000):
                        kpis = []
                        for kpi in base.kpis:
                            index = base.plan_years.index(base.fiscal_year)
                            actuals = list(kpi.actuals)
                            actuals[index] = replace(actuals[index], parsed=parse_value(actual))
                            kpis.append(
                                replace(
                                    kpi,
                                    assessment=own,
                                    assessment_reason=reason,
                                    actuals=tuple(actuals),
                                )
                            )
                        card = replace(
                            base, kpis=tuple(kpis), shortfall_reason=shortfall, fiscal_year=year
                        )
                        ctx = Context(card, registry)
                        got = list(narrative._ratings(ctx))
                        assert got == _ratings_eagerly(ctx), (own, reason, shortfall, actual)
                        codes.update(f.code for f in got)
                        combos += 1
    assert combos == 6 * 2 * 3 * 5 * 2
    assert codes == {"assessment-invalid", "assessment-reason-missing", "shortfall-reason-missing"}


def test_the_card_texts_are_worked_out_once_per_validation(tmp_path: Path) -> None:
    from ubereport.validate import limits
    from ubereport.validate.context import Context

    card = _card(tmp_path)
    ctx = Context(card, default_registry())
    texts = narrative.card_texts(ctx)
    assert narrative.card_texts(ctx) is texts  # shared by the checks of this validation
    assert texts == narrative._card_texts(ctx) and texts["plan_name"] == card.plan_name
    assert limits.all_texts(ctx)["plan_name"] == card.plan_name
    card.plan_name = "変えた名前"  # a later validation of a changed card sees the change
    again = Context(card, default_registry())
    assert narrative.card_texts(again)["plan_name"] == "変えた名前"
    assert limits.all_texts(again)["plan_name"] == "変えた名前"
    assert Context(card, default_registry()) == again  # the memo is no part of the context


def test_the_longest_text_bound_is_the_longest_text(tmp_path: Path) -> None:
    from ubereport.validate import limits
    from ubereport.validate.context import Context

    card = _card(tmp_path)
    for achievements in ("短い", "あ" * 16_383, "あ" * 16_384, "𠮷" * 17_000):
        card.achievements = achievements
        ctx = Context(card, default_registry())
        assert limits._longest(ctx) == max(map(len, limits.all_texts(ctx).values()))
        over = [f.field for f in limits.check(ctx)]
        assert over == (["achievements"] if achievements.startswith("𠮷") else [])
    card.kpis = tuple(replace_kpi(k, direction="𠮷" * 17_500) for k in card.kpis)
    ctx = Context(card, default_registry())
    assert limits._longest(ctx) == 17_500
    assert [f.field for f in limits.check(ctx)] == [
        "achievements",
        "kpi1_direction",
        "kpi2_direction",
    ]


def replace_kpi(kpi: Any, **changes: object) -> Any:
    from dataclasses import replace

    return replace(kpi, **changes)


def test_named_cells_kept_per_workbook_part_are_the_plain_ones(
    tmp_path: Path, messy_cards: list[Path]
) -> None:
    from ubereport.card import reader

    reader._NAMED.clear()
    for path in messy_cards * 2:  # the second round from the memo
        for source, loc in _located(path):
            for sheet in source.sheet_names:
                if sheet != loc.grid.sheet:
                    continue
                named = reader._named(source, sheet, loc.grid)
                assert named == locate.named_cells(loc.grid, source.names_for(sheet)), path
                plain = dict(named)
                named.clear()  # each caller owns its copy
                assert reader._named(source, sheet, loc.grid) == plain, path
    with zipfile.ZipFile(TEMPLATE) as package:
        book = package.read("xl/workbook.xml").decode()
    source = XlsxSource(TEMPLATE)
    grid = Grid.of(source, source.sheet_names[0], layout.DEFAULT)
    assert "plan_name" in reader._named(source, source.sheet_names[0], grid)
    moved = book.replace("!$B$3<", "!$C$3<", 1)
    assert moved != book
    other = XlsxSource(
        rewrite_parts(TEMPLATE, tmp_path / "moved.xlsx", {"xl/workbook.xml": moved.encode()})
    )
    got = reader._named(
        other, other.sheet_names[0], Grid.of(other, other.sheet_names[0], layout.DEFAULT)
    )
    assert got == locate.named_cells(grid, other.names_for(other.sheet_names[0]))
    assert got != reader._named(source, source.sheet_names[0], grid)
    for n in range(reader.NAMED_MAX + 5):  # bounded
        edited = book.replace('name="plan_name"', f'name="plan_{n}"', 1).encode()
        src = XlsxSource(
            rewrite_parts(TEMPLATE, tmp_path / f"n{n}.xlsx", {"xl/workbook.xml": edited})
        )
        reader._named(src, src.sheet_names[0], grid)
    assert len(reader._NAMED) == reader.NAMED_MAX
