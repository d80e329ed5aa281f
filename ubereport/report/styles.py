"""Cell formats and print setup shared by the report sheets (BIZ UDPゴシック 9 pt, landscape).

Every sheet prints at 100 % (never fit to the page): the body is 9 pt on paper. A sheet's columns
are chosen to fit its paper's width in Excel and in LibreOffice (:func:`printed_width`).
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.card.textfit import column_points, needed_height, printed_points
from ubereport.report.legend import STATUS_FILLS

FONT = "BIZ UDPゴシック"
FONT_PT = 9.0
HEAD_FILL = "#D6DCE4"
SUB_FILL = "#EDEDED"
MIN_ROW_PT = 15.0
A4 = 9
A3 = 8
#: The printable width of each paper in landscape, in points, with :func:`landscape`'s margins.
PRINTABLE_WIDTH_PT = {A4: 841.89 - 0.6 * 72, A3: 1190.55 - 0.6 * 72}


class Styles:
    """The report formats of one workbook, created on first use."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        base: dict[str, Any] = {
            "font_name": FONT,
            "font_size": FONT_PT,
            "valign": "top",
            "text_wrap": True,
        }
        base.update(props)
        key = tuple(sorted(base.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format(base)
        return self._cache[key]

    @property
    def title(self) -> Format:
        return self.get(font_size=14, bold=True, valign="vcenter", text_wrap=False)

    @property
    def info(self) -> Format:
        return self.get(font_size=8, align="right", valign="vcenter", font_color="#404040")

    @property
    def note(self) -> Format:
        return self.get(font_size=8, valign="vcenter")

    def head(self, fill: str = HEAD_FILL) -> Format:
        return self.get(bold=True, bg_color=fill, border=1, align="center", valign="vcenter")

    @property
    def text(self) -> Format:
        return self.get(border=1)

    @property
    def center(self) -> Format:
        return self.get(border=1, align="center")

    @property
    def value(self) -> Format:
        """A target, actual or baseline as written: centred, on one line when it fits."""
        return self.get(border=1, align="center")

    @property
    def integer(self) -> Format:
        return self.get(border=1, align="right", num_format="#,##0")

    @property
    def percent(self) -> Format:
        return self.get(border=1, align="right", num_format="0.0%")

    def status(self, status: str, *, align: str = "center") -> Format:
        """A status cell: its text carries the meaning, the fill is a second channel."""
        fill = STATUS_FILLS.get(status)
        return self.get(border=1, align=align, **({"bg_color": fill} if fill else {}))


def row_height(texts: list[tuple[str, float]], minimum: float = MIN_ROW_PT) -> float:
    """The height that shows every (text, column width in characters) pair wrapped, unclipped."""
    need = [needed_height(text, column_points(width), FONT_PT) for text, width in texts if text]
    return round(max([minimum, *need]), 1)


def printed_width(widths: list[float]) -> float:
    """The widest the columns print (LibreOffice's digit width), in points."""
    return sum(printed_points(w) for w in widths)


def landscape(
    sheet: Worksheet, title: str, *, paper: int = A4, repeat: tuple[int, int] | None = None
) -> None:
    """Landscape at 100 %, page numbers in the footer, the title in every page head."""
    sheet.set_landscape()
    sheet.set_paper(paper)
    sheet.set_print_scale(100)
    sheet.set_margins(left=0.3, right=0.3, top=0.55, bottom=0.5)
    sheet.center_horizontally()
    sheet.hide_gridlines(2)
    sheet.set_header(
        f'&L&"{FONT},Regular"&8{_escape(title)}&R&"{FONT},Regular"&8&A', {"margin": 0.2}
    )
    sheet.set_footer(f'&C&"{FONT},Regular"&8&P / &N ページ', {"margin": 0.2})
    if repeat is not None:
        sheet.repeat_rows(*repeat)


def _escape(text: str) -> str:
    return text.replace("&", "&&")
