"""The shared strings of a workbook read without building an ElementTree.

Every card's texts live in its shared-strings part (``xl/sharedStrings.xml``). Parsing it with
ElementTree and taking each item's text costs about 0.11 ms on a card (120 items), most of it
making an element object per ``<si>`` and ``<t>``. :func:`scan_strings` reads the same text with
regular expressions in about 0.04 ms, and answers only when the text is certainly read the way
the XML parser reads it. Anything else answers None, and the caller parses the part as before
(which then also says what is wrong with it).

"Certainly the same" takes:

- UTF-8, declared so or not declared, without a byte order mark; no character XML forbids and no
  ``]]>`` anywhere;
- the whole part in a narrow grammar: the root ``<sst>`` in the spreadsheet namespace with only
  its count attributes, then items of plain texts, rich-text runs, readings (``<rPh>``, kept out
  of the text, as the reader always has) and their font (``<phoneticPr>``); attribute values in
  double quotes without ``&``, tabs or line ends, each attribute once. So no comment, CDATA,
  processing instruction or DTD gets through;
- text decoded as the parser decodes it: line ends made ``\\n``, the five predefined entities and
  character references replaced, any other ``&`` declined.

The texts come back before OOXML's own ``_xHHHH_`` unescaping, which the caller applies as it
does to the parser's texts. A leaf module: the standard library only.
"""

from __future__ import annotations

import re
from functools import lru_cache

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_SPREADSHEET_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"


class _Declined(Exception):
    """The text is outside the shape the scanner is sure of."""


_S = "[ \t\r\n]"  # XML's whitespace (Python's \s takes more)
_ATTR = f'{_S}++[A-Za-z_][\\w.-]*+(?::[A-Za-z_][\\w.-]*+)?="[^"<&\t\n\r]*+"'
_ATTRS = f"((?:{_ATTR})*+){_S}*+"  # one group: the attributes
_FORBIDDEN_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_DECLARATION = re.compile(
    rb'<\?xml[ \t\r\n]+version="1\.[0-9]"(?:[ \t\r\n]+encoding="[Uu][Tt][Ff]-8")?'
    rb'(?:[ \t\r\n]+standalone="(?:yes|no)")?[ \t\r\n]*\?>'
)
_ONE_ATTR = re.compile(r'([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?="([^"]*)"', re.ASCII)
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

_SST = re.compile(f"{_S}*+<sst{_ATTRS}(/?)>", re.ASCII)
_SST_ROOT_ATTRIBUTES = frozenset({"xmlns", "count", "uniqueCount"})
# Most parts hold plain items only, with their reading's font at most: one full match checks the
# whole part, and one findall takes the texts (the grammar has one reading of a text, and every
# "<" in it opens a tag, so the items found one after another are the items matched).
_PLAIN_ITEM = f'{_S}*+<si><t(?: xml:space="preserve")?>([^<]*+)</t>(?:<phoneticPr{_ATTRS}/>)?</si>'
_PLAIN_ITEMS = re.compile(
    f"(?:{re.sub(r'[(](?![?])', '(?:', _PLAIN_ITEM)})*+{_S}*+</sst>{_S}*+", re.ASCII
)
_PLAIN_ITEM_TOKEN = re.compile(_PLAIN_ITEM, re.ASCII)
_ITEM = re.compile(f"{_S}*+<si>((?:[^<]|<(?!/si>))*+)</si>", re.ASCII)
_SST_END = re.compile(f"{_S}*+</sst>{_S}*+", re.ASCII)
_SPACE = re.compile(f"{_S}*+", re.ASCII)


def _t(name: str) -> str:
    """A <t> with its attributes and text in the groups ``name`` and ``name_text``."""
    return f"<t(?P<{name}>(?:{_ATTR})*+){_S}*+(?:/>|>(?P<{name}_text>[^<]*+)</t>)"


_ITEM_PART = re.compile(
    f"{_S}*+(?:{_t('plain')}"
    f"|(?P<run><r>){_S}*+(?:(?P<properties><rPr>(?:[^<]|<(?!/rPr>))*+</rPr>|<rPr{_S}*+/>)"
    f"{_S}*+)?(?:{_t('run_t')}{_S}*+)?</r>"
    f"|<rPh(?P<reading>(?:{_ATTR})*+){_S}*+>{_S}*+{_t('reading_t')}{_S}*+</rPh>"
    f"|<phoneticPr(?P<phonetic>(?:{_ATTR})*+){_S}*+/>)",
    re.ASCII,
)
_RUN_PROPERTY = re.compile(f"{_S}*+<[A-Za-z]++{_ATTRS}/>", re.ASCII)
_T_ATTRIBUTES = frozenset({(), (("xml:space", "preserve"),), (("xml:space", "default"),)})


def scan_strings(data: bytes) -> list[str] | None:
    """The texts of a shared-strings part, in order, or None when it is outside the grammar."""
    try:
        return _scan_strings(data)
    except (_Declined, UnicodeDecodeError):
        return None


def _scan_strings(data: bytes) -> list[str]:
    if len(data.translate(None, _FORBIDDEN_BYTES)) != len(data):
        raise _Declined
    text = data.decode("utf-8")
    if "\ufffe" in text or "\uffff" in text or "]]>" in text:  # (faster on the text than on bytes)
        raise _Declined
    root = _SST.match(text, _declared_utf8(data))
    if root is None:
        raise _Declined
    pairs, prefixes = _attributes(root.group(1), declarations=True)
    found = dict(pairs)
    if prefixes or not found.keys() <= _SST_ROOT_ATTRIBUTES:
        raise _Declined
    if found.get("xmlns") not in (SPREADSHEET_NS, STRICT_SPREADSHEET_NS):
        raise _Declined
    pos = root.end()
    if root.group(2):  # <sst …/>
        _at_end(text, pos)
        return []
    decode = "&" in text or "\r" in text
    if _PLAIN_ITEMS.fullmatch(text, pos):
        items = _PLAIN_ITEM_TOKEN.findall(text, pos)
        for font in {font for _, font in items if font}:
            _unprefixed(font)
        if decode:
            return [_text(item) for item, _ in items]
        return [item for item, _ in items]
    out = []
    for m in _ITEM.finditer(text, pos):
        if m.start() != pos:
            break
        pos = m.end()
        out.append(_item_text(m.group(1)))
    end = _SST_END.match(text, pos)
    if end is None or end.end() != len(text):
        raise _Declined
    return out


def _declared_utf8(data: bytes) -> int:
    """Where the text after the XML declaration starts; declines another encoding or a BOM."""
    if not data.startswith(b"<?xml"):
        if data.startswith(b"\xef\xbb\xbf"):
            raise _Declined
        return 0
    m = _DECLARATION.match(data)
    if m is None:
        raise _Declined
    return m.end()


@lru_cache(maxsize=1024)  # a tag's attributes repeat: the same reading font on every item
def _attributes(
    text: str, declarations: bool = False
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """A tag's attributes (as ``_ATTRS`` matched them) and the prefixes they use.

    Declines any attribute given twice (two prefixed attributes with one local name count as
    twice: their prefixes may name one namespace) and, unless ``declarations``, a namespace
    declaration.
    """
    pairs: list[tuple[str, str]] = []
    prefixes: set[str] = set()
    seen: set[str] = set()
    for prefix_or_name, local, value in _ONE_ATTR.findall(text):
        if prefix_or_name == "xmlns" and not declarations:
            raise _Declined
        name = f"{prefix_or_name}:{local}" if local else prefix_or_name
        key = f":{local}" if local and prefix_or_name != "xmlns" else name
        if key in seen:
            raise _Declined
        seen.add(key)
        if local and prefix_or_name not in ("xml", "xmlns"):
            prefixes.add(prefix_or_name)
        pairs.append((name, value))
    return tuple(pairs), frozenset(prefixes)


def _unprefixed(text: str) -> None:
    """Declines attributes in a namespace: the root declares none the scanner would know."""
    if _attributes(text)[1]:
        raise _Declined


def _text(text: str) -> str:
    """Character data as the parser gives it (line ends and references decoded)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    if text.count("&") != len(_REFERENCE.findall(text)):
        raise _Declined  # an "&" that is not a predefined entity or a character reference
    return _REFERENCE.sub(_decode_reference, text)


def _decode_reference(m: re.Match[str]) -> str:
    if m.group(1):
        return _ENTITIES[m.group(1)]
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if not (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        raise _Declined  # the parser refuses a reference to a character XML forbids
    return chr(code)


def _item_text(content: str) -> str:
    """The text of one ``<si>`` of any shape: its plain texts and runs, readings left out."""
    parts: list[str] = []
    pos = 0
    for m in _ITEM_PART.finditer(content):
        if m.start() != pos:
            raise _Declined
        pos = m.end()
        g = m.groupdict()
        if g["plain"] is not None:
            parts.append(_t_text(g["plain"], g["plain_text"]))
        elif g["run"] is not None:
            properties = g["properties"]
            if properties and properties.startswith("<rPr>"):
                _run_properties(properties[len("<rPr>") : -len("</rPr>")])
            if g["run_t"] is not None:
                parts.append(_t_text(g["run_t"], g["run_t_text"]))
        elif g["reading"] is not None:
            _unprefixed(g["reading"])
            _t_text(g["reading_t"], g["reading_t_text"])  # checked, not kept
        else:
            _unprefixed(g["phonetic"])
    _at_end(content, pos)
    return "".join(parts)


def _t_text(attrs: str, text: str | None) -> str:
    if _attributes(attrs)[0] not in _T_ATTRIBUTES:
        raise _Declined
    return _text(text) if text else ""


def _run_properties(content: str) -> None:
    pos = 0
    for m in _RUN_PROPERTY.finditer(content):
        if m.start() != pos:
            raise _Declined
        pos = m.end()
        _unprefixed(m.group(1))
    _at_end(content, pos)


def _at_end(text: str, pos: int) -> None:
    """Only whitespace from ``pos`` on."""
    m = _SPACE.match(text, pos)
    if m is None or m.end() != len(text):
        raise _Declined
