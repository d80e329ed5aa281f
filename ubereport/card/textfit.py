"""How much room a text needs on the printed card: display width, wrapped lines, row height.

LibreOffice and Excel do not grow merged cells to fit their text, so the writer sizes rows itself
and the validator warns when a text will not fit. Both use these estimates.

Column widths in a workbook are counted in the digit width of its default font. Every workbook
ubereport prints sets that font to :data:`WIDTH_FONT` (BIZ UDゴシック 11 pt, fixed pitch, shipped
with Windows 10 and later): Excel counts its digit as 7 px, LibreOffice as 7.34 px, so a column
prints at most :data:`RENDER_DIGIT_PX` / :data:`DIGIT_PX` wider in one than in the other. Text is
wrapped against the narrower width (:func:`column_points`) and pages are filled against the wider
one (:func:`printed_points`), so neither clips.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

FONT_PT = 9.0
#: Line pitch over font size. BIZ UDPゴシック's ascent + descent (hhea and OS/2 win metrics alike)
#: is exactly 1 em, and LibreOffice wraps 9 pt text at a 9.0 pt pitch (measured from the PDF);
#: 15 % on top covers Excel's pixel rounding.
LINE_FACTOR = 1.15
PADDING_PT = 3.0
HALF_WIDTH_PT = 0.52 * FONT_PT


class _Widths(dict[str, int]):
    """Half-width units per character, looked up once per distinct character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        return width


_WIDTHS = _Widths()


def display_width(text: str) -> int:
    """Width in half-width units: full-width and wide characters count 2."""
    if text.isascii():
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


#: Pass a copy (``dict(WIDTH_FONT)``): xlsxwriter adds keys to the dict it is given.
WIDTH_FONT: Mapping[str, object] = MappingProxyType(
    {"font_name": "BIZ UDゴシック", "font_size": 11}
)
DIGIT_PX = 7.0
RENDER_DIGIT_PX = 7.34
CELL_PADDING_PX = 5.0


def column_points(width_chars: float) -> float:
    """Excel column width (characters) to points: width*7+5 pixels at 96 dpi."""
    return (width_chars * DIGIT_PX + CELL_PADDING_PX) * 0.75


def printed_points(width_chars: float) -> float:
    """The widest a column of ``width_chars`` prints (LibreOffice's digit width, its padding)."""
    return (width_chars + CELL_PADDING_PX / DIGIT_PX) * RENDER_DIGIT_PX * 0.75


def width_chars(points: float) -> float:
    """The column width (characters) whose text area is ``points`` wide in Excel."""
    return round((points / 0.75 - CELL_PADDING_PX) / DIGIT_PX, 2)


def _per_line(width_pt: float, font_pt: float) -> float:
    """Half-width characters per line of a box ``width_pt`` wide."""
    usable = max(width_pt - 2 * PADDING_PT, font_pt)
    return usable / (0.52 * font_pt)


def wrapped_lines(text: str, width_pt: float, font_pt: float = FONT_PT) -> int:
    per_line = _per_line(width_pt, font_pt)
    lines = 0
    for paragraph in text.split("\n"):
        lines += max(1, math.ceil(display_width(paragraph) * 1.06 / per_line))
    return lines


def needed_height(text: str, width_pt: float, font_pt: float = FONT_PT) -> float:
    """Row height in points that shows ``text`` wrapped in a box ``width_pt`` wide."""
    if not text:
        return 0.0
    return wrapped_lines(text, width_pt, font_pt) * font_pt * LINE_FACTOR + PADDING_PT


def box_lines(height_pt: float, font_pt: float = FONT_PT) -> int:
    """How many lines a box ``height_pt`` tall shows."""
    return max(0, math.floor((height_pt - PADDING_PT) / (font_pt * LINE_FACTOR)))


def capacity(width_pt: float, height_pt: float, font_pt: float = FONT_PT) -> int:
    """How many full-width characters (one paragraph) a box shows without clipping.

    The largest n for which n full-width characters :func:`fits` the box.
    """
    usable = max(width_pt - 2 * PADDING_PT, font_pt)
    per_line = usable / (0.52 * font_pt)
    return math.floor(box_lines(height_pt, font_pt) * per_line / (2 * 1.06) + 1e-9)


def fits(text: str, width_pt: float, height_pt: float, font_pt: float = FONT_PT) -> bool:
    """True when ``text`` wrapped in the box shows whole (line breaks included)."""
    if not text:
        return True
    room = box_lines(height_pt, font_pt)
    paragraphs = text.split("\n")
    if len(paragraphs) > room:
        return False  # every paragraph takes a line at least
    # At most every character is full width: when even that fits, the exact count is not needed
    # (a line count only grows with the width).
    per_line = _per_line(width_pt, font_pt)
    most = sum(max(1, math.ceil(2 * len(p) * 1.06 / per_line)) for p in paragraphs)
    return most <= room or wrapped_lines(text, width_pt, font_pt) <= room
