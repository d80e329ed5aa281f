"""The shared-strings scanner (issue 18) reads exactly what ElementTree reads, or declines.

The oracle is the reader's own tree path: parse the part (refusing a DTD) and take each ``<si>``'s
text the way it always has. For every generated part the scanner either declines (None), or
gives the same texts; and wherever the parser refuses the part, the scanner declines, so the
reader's fallback parse reports the part as before. Example tests pin the shapes Excel, openpyxl,
XlsxWriter and LibreOffice write, and every way past the grammar the search or review found.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from builders import FIXTURES, ROOT, TEMPLATE
from hypothesis import example, given
from hypothesis import strategies as st

from ubereport.card.xlsx_source import (
    NS,
    SourceError,
    XlsxSource,
    parse_xml,
    rich_text,
    unescape_ooxml,
)
from ubereport.card.xml_scan import scan_strings

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def tree_texts(data: bytes) -> list[str] | None:
    """What the reader takes from the part by parsing it (None: the part does not parse)."""
    try:
        root = parse_xml("xl/sharedStrings.xml", data)
    except SourceError:
        return None
    return [rich_text(si) for si in root.iter(f"{NS}si")]


def scanned(data: bytes) -> list[str] | None:
    """The scanner's texts, OOXML-unescaped as the reader does, or None when it declines."""
    texts = scan_strings(data)
    if texts is None:
        return None
    return [unescape_ooxml(t) for t in texts]


def sst(items: str, root: str = f'<sst xmlns="{MAIN}" count="9" uniqueCount="9">') -> bytes:
    return (DECLARATION + root + items + "</sst>").encode()


# --- what real writers produce is scanned, and read as the parser reads it -----------------------


def real_parts() -> list[tuple[str, bytes]]:
    """Every shared-strings part in the template, the bundled inbox and the fixtures."""
    books = [TEMPLATE, *sorted((ROOT / "inbox").rglob("*.xlsx")), *sorted(FIXTURES.rglob("*.xlsx"))]
    out = []
    for book in books:
        try:
            with zipfile.ZipFile(book) as z:
                if "xl/sharedStrings.xml" in z.namelist():
                    out.append((book.name, z.read("xl/sharedStrings.xml")))
        except zipfile.BadZipFile:
            continue
    return out


def test_every_bundled_part_scans_to_the_parsers_texts() -> None:
    parts = real_parts()
    assert len(parts) >= 10
    for name, data in parts:
        assert scan_strings(data) is not None, name
        assert scanned(data) == tree_texts(data), name


EXCEL_ITEMS = (
    "<si><t>収納課</t><rPh sb='0' eb='3'><t>シュウノウカ</t></rPh></si>".replace("'", '"')
    + '<si><t>収納課</t><phoneticPr fontId="1"/></si>'
    + '<si><r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="ＭＳ Ｐゴシック"/>'
    + '<family val="3"/><charset val="128"/></rPr><t>太字</t></r><r><t xml:space="preserve"> 普通</t></r>'
    + '<rPh sb="0" eb="2"><t>フトジ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>'
    + '<si><t xml:space="preserve">  前後に空白  </t></si>'
    + "<si><t>1行目\r\n2行目\r3行目&#13;</t></si>"
    + "<si><t>A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos; &#x1F600; &#12354;</t></si>"
    + "<si><t>_x000D_改行_x0009_</t></si>"
    + "<si><t/></si><si></si><si><r><rPr/></r></si>"
)


@pytest.mark.parametrize(
    "items",
    [
        EXCEL_ITEMS,
        "<si><t>plain</t></si>" * 3,
        '\n  <si>\n    <t>pretty</t>\n    <phoneticPr fontId="1"/>\n  </si>\n',
    ],
    ids=["excel-shapes", "plain", "pretty-printed"],
)
def test_the_shapes_writers_use_are_scanned(items: str) -> None:
    data = sst(items)
    assert scan_strings(data) is not None
    assert scanned(data) == tree_texts(data)


def test_excel_shapes_read_as_a_person_sees_them() -> None:
    assert scanned(sst(EXCEL_ITEMS)) == [
        "収納課",
        "収納課",
        "太字 普通",
        "  前後に空白  ",
        "1行目\n2行目\n3行目\r",
        "A&B <x> \"q\" 'a' \U0001f600 あ",
        "\r改行\t",
        "",
        "",
        "",
    ]


def test_an_empty_part_and_the_strict_namespace() -> None:
    assert scan_strings(f'<sst xmlns="{MAIN}"/>'.encode()) == []
    strict = '<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>x</t></si></sst>'
    assert scan_strings(strict.encode()) == ["x"]
    assert tree_texts(strict.encode()) == ["x"]


# --- anything past the grammar is declined, and what the parser refuses is never accepted ---------

DECLINED = {
    "bom": b"\xef\xbb\xbf" + sst("<si><t>x</t></si>"),
    "other-encoding": sst("<si><t>x</t></si>").replace(b"UTF-8", b"Shift_JIS"),
    "single-quoted-declaration": b"<?xml version='1.0'?>"
    + sst("<si><t>x</t></si>")[len(DECLARATION) :],
    "comment": sst("<!-- c --><si><t>x</t></si>"),
    "cdata": sst("<si><t><![CDATA[x]]></t></si>"),
    "processing-instruction": sst("<?pi x?><si><t>x</t></si>"),
    "dtd": b'<!DOCTYPE sst [<!ENTITY e "x">]>' + sst("<si><t>&e;</t></si>")[len(DECLARATION) :],
    "undefined-entity": sst("<si><t>&nbsp;</t></si>"),
    "bare-ampersand": sst("<si><t>A & B</t></si>"),
    "forbidden-reference": sst("<si><t>&#1;</t></si>"),
    "forbidden-character": sst("<si><t>\x01</t></si>"),
    "noncharacter": sst("<si><t>\uffff</t></si>"),
    "cdata-end": sst("<si><t>]]></t></si>"),
    "no-namespace": sst("<si><t>x</t></si>", root="<sst>"),
    "other-namespace": sst("<si><t>x</t></si>", root='<sst xmlns="urn:x">'),
    "prefixed-root": b'<x:sst xmlns:x="' + MAIN.encode() + b'"><x:si><x:t>a</x:t></x:si></x:sst>',
    "extra-declaration": sst("<si><t>x</t></si>", root=f'<sst xmlns="{MAIN}" xmlns:x="urn:x">'),
    "twice-count": sst("<si><t>x</t></si>", root=f'<sst xmlns="{MAIN}" count="1" count="2">'),
    "twice-font": sst('<si><t>x</t><phoneticPr fontId="1" fontId="2"/></si>'),
    "undeclared-prefix": sst('<si><t>x</t><phoneticPr x:fontId="1"/></si>'),
    "two-prefixes-one-name": sst('<si><t>x</t><phoneticPr a:f="1" b:f="2"/></si>'),
    "tab-in-value": sst('<si><t>x</t><phoneticPr fontId="1\t"/></si>'),
    "unknown-element": sst("<si><t>x</t><foo/></si>"),
    "text-beside-elements": sst("<si>stray<t>x</t></si>"),
    "unclosed": sst("<si><t>x</t>"),
    "truncated": sst("<si><t>x</t></si>")[:-3],
    "trailing-text": sst("<si><t>x</t></si>") + b"x",
    "nested-si": sst("<si><si><t>x</t></si></si>"),
    "self-closing-si": sst("<si/>"),
    "t-attribute": sst('<si><t foo="1">x</t></si>'),
    "invalid-utf8": sst("<si><t>x</t></si>").replace(b">x<", b">\xff<"),
    "utf16": sst("<si><t>x</t></si>").decode().encode("utf-16"),
}


@pytest.mark.parametrize("data", list(DECLINED.values()), ids=list(DECLINED))
def test_outside_the_grammar_is_declined(data: bytes) -> None:
    assert scan_strings(data) is None


# --- generated parts: the scanner agrees with the parser or declines -----------------------------

TEXT = st.lists(
    st.sampled_from(
        [
            "収納",
            "a",
            " ",
            "&amp;",
            "&lt;",
            "&#13;",
            "&#x41;",
            "&#0;",
            "&bogus;",
            "&",
            "\r\n",
            "\r",
            "\n",
            "\t",
            "]]>",
            "]]",
            "<",
            ">",
            '"',
            "_x000D_",
            "\x01",
            "\ufffe",
            "￥",
        ]
    ),
    max_size=5,
).map("".join)
T_OPEN = st.sampled_from(["<t>", '<t xml:space="preserve">', '<t xml:space="default">', "<t >"])
FONT = st.sampled_from(
    ['<phoneticPr fontId="1"/>', '<phoneticPr fontId="1" type="noConversion"/>', "<phoneticPr/>"]
)
SPACE = st.sampled_from(["", "", " ", "\n  ", "\r\n"])


@st.composite
def item(draw: st.DrawFn) -> str:
    parts = []
    for kind in draw(st.lists(st.sampled_from(["t", "run", "reading", "font"]), max_size=4)):
        text = draw(TEXT)
        if kind == "t":
            parts.append(f"{draw(T_OPEN)}{text}</t>")
        elif kind == "run":
            props = draw(st.sampled_from(["", "<rPr/>", '<rPr><b/><sz val="11"/></rPr>']))
            parts.append(f"<r>{props}{draw(T_OPEN)}{text}</t></r>")
        elif kind == "reading":
            parts.append(f'<rPh sb="0" eb="1"><t>{text}</t></rPh>')
        else:
            parts.append(draw(FONT))
    return "<si>" + draw(SPACE).join(parts) + "</si>"


@st.composite
def part(draw: st.DrawFn) -> bytes:
    items = [draw(SPACE) + draw(item()) for _ in range(draw(st.integers(0, 4)))]
    data = sst("".join(items) + draw(SPACE))
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    return data if cut is None else data[:cut]


@given(part())
@example(sst("<si><t>&#0;</t></si>"))
@example(sst("<si><t>a\r\nb</t><phoneticPr/></si>"))
@example(sst('<si><r><rPr><b/></rPr><t xml:space="preserve"> x </t></r></si>'))
def test_the_scanner_reads_what_the_parser_reads_or_declines(data: bytes) -> None:
    expected = tree_texts(data)
    got = scanned(data)
    if expected is None:
        assert got is None
    elif got is not None:
        assert got == expected


def test_generated_parts_are_mostly_scanned() -> None:
    """The property above must not pass by declining everything: the writers' shapes scan."""
    data = sst("".join(f'<si><t>項目{i}</t><phoneticPr fontId="1"/></si>' for i in range(50)))
    assert scanned(data) == [f"項目{i}" for i in range(50)] == tree_texts(data)


def test_the_source_falls_back_to_the_parser_when_the_scanner_declines(tmp_path: Path) -> None:
    """A card whose shared strings hold a comment reads the same texts through the parser."""
    plain = tmp_path / "plain.xlsx"
    commented = tmp_path / "commented.xlsx"
    with zipfile.ZipFile(TEMPLATE) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for target, change in ((plain, b""), (commented, b"<!-- kept by a tool -->")):
        data = dict(parts)
        data["xl/sharedStrings.xml"] = data["xl/sharedStrings.xml"].replace(
            b"<si>", change + b"<si>", 1
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for name, body in data.items():
                out.writestr(name, body)
    assert scan_strings(zipfile.ZipFile(commented).read("xl/sharedStrings.xml")) is None
    sheet = XlsxSource(plain).sheet_names[0]
    assert XlsxSource(commented).grid(sheet) == XlsxSource(plain).grid(sheet)
