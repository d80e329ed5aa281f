"""The card on paper: one scale, page 1 the city's card, page 2 section 7, nothing cut unwarned.

The numbers are :mod:`ubereport.card.textfit`'s estimates, calibrated on LibreOffice's PDF of the
card (BIZ UDPゴシック 9 pt wraps at a 9.0 pt pitch; its ascent + descent is 1 em) with a margin
for Excel; the rendered check is in the issue's closing note.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from builders import ROOT, filled_sample
from openpyxl.worksheet.worksheet import Worksheet

from ubereport.card import layout
from ubereport.card.textfit import fits, printed_points, wrapped_lines
from ubereport.card.writer import CardSheet, write_report_cards
from ubereport.plan.registry import default_registry
from ubereport.validate import validate_file

A4_SHORT, A4_LONG = 595.28, 841.89
PAGE_HEIGHT = (A4_SHORT - 72 * (layout.MARGINS_IN["top"] + layout.MARGINS_IN["bottom"])) / (
    layout.PRINT_SCALE / 100
)
PAGE_WIDTH = (A4_LONG - 72 * (layout.MARGINS_IN["left"] + layout.MARGINS_IN["right"])) / (
    layout.PRINT_SCALE / 100
)
NARRATIVES = (
    (Path(__file__).parent / "data" / "published_narratives.txt")
    .read_text(encoding="utf-8")
    .split("\n", 4)[4]
    .strip()
    .split("\n---\n")
)


def test_the_computed_capacity_of_every_text_box() -> None:
    """What each box shows at print size, in full-width characters of one paragraph."""
    capacities = {b.field: b.capacity for b in layout.DEFAULT.boxes if b.capacity}
    assert capacities == {
        "outcome": 274,
        "situation": 823,
        "plan_actions": 627,
        **{f"input_{n}": 58 for n in range(1, 5)},
        **{f"output_{n}": 38 for n in range(1, 5)},
        **{f"output_result_{n}": 18 for n in range(1, 5)},
        "kpi1_name": 79,
        "kpi1_note": 79,
        "kpi1_assessment_reason": 52,
        "kpi2_name": 79,
        "kpi2_note": 79,
        "kpi2_assessment_reason": 52,
        "related_plans": 88,
        "achievements": 1178,
        "shortfall_reason": 1178,
        "next_actions": 1178,
    }


@pytest.mark.parametrize("field", ["achievements", "shortfall_reason", "next_actions"])
def test_each_narrative_box_holds_800_characters_and_the_citys_longest(field: str) -> None:
    box = layout.DEFAULT.field_boxes()[field]
    width, height = layout.DEFAULT.box_size(box)
    assert box.capacity >= 800
    assert fits("あ" * 800, width, height)
    assert not fits("あ" * (box.capacity + 1), width, height)
    assert [len(t) for t in NARRATIVES] == [548, 504, 396]
    assert [wrapped_lines(t, width) for t in NARRATIVES] == [9, 9, 8]
    assert all(fits(t, width, height) for t in NARRATIVES)


def test_a_text_longer_than_its_box_is_warned_with_what_fits(tmp_path: Path) -> None:
    text = "あ" * 1179
    report = validate_file(filled_sample(tmp_path, "02", achievements=text))
    found = [f for f in report.findings if f.code == "text-too-long"]
    assert [(f.cell, f.field, f.value, f.message) for f in found] == [
        (
            "A34",
            "achievements",
            "1179文字",
            "取組実績が1179文字あり、印刷したカードの欄に収まりません（この欄に印刷で収まるのは"
            "1178文字程度です。改行はその行の残りを使います）。要点を絞ってください。",
        )
    ]
    (tmp_path / "b").mkdir()
    fits_exactly = validate_file(filled_sample(tmp_path / "b", "02", achievements="あ" * 1178))
    assert [f for f in fits_exactly.findings if f.code == "text-too-long"] == []


def test_line_breaks_count_against_the_box() -> None:
    """Fourteen short paragraphs fill the fourteen lines; a fifteenth does not fit."""
    box = layout.DEFAULT.field_boxes()["next_actions"]
    assert fits("\n".join(["○短い項目"] * 14), *layout.DEFAULT.box_size(box))
    assert not fits("\n".join(["○短い項目"] * 15), *layout.DEFAULT.box_size(box))


def _heights(sheet: Worksheet, first: int, last: int) -> float:
    return sum(
        sheet.row_dimensions[r].height or layout.BASE_ROW_HEIGHT for r in range(first, last + 1)
    )


def _pages(sheet: Worksheet, last_row: int) -> tuple[float, float]:
    return _heights(sheet, 1, layout.DEFAULT.page_two_row - 1), _heights(
        sheet, layout.DEFAULT.page_two_row, last_row
    )


def test_the_card_is_as_wide_as_the_page_allows_in_excel_and_libreoffice() -> None:
    width = sum(printed_points(w) for w in layout.DEFAULT.column_widths)
    assert PAGE_WIDTH - 20 <= width <= PAGE_WIDTH


@pytest.mark.parametrize("card", sorted(p.name for p in (ROOT / "inbox").glob("*.xlsx")))
def test_every_sample_card_prints_on_its_two_pages(card: str) -> None:
    sheet = openpyxl.load_workbook(ROOT / "inbox" / card)[layout.SHEET_NAME]
    page1, page2 = _pages(sheet, layout.DEFAULT.form.last_row)
    assert page1 <= PAGE_HEIGHT - 3
    assert page2 <= PAGE_HEIGHT - 3
    assert [b.id for b in sheet.row_breaks.brk] == [layout.DEFAULT.page_two_row - 1]


def test_a_report_card_with_800_characters_per_narrative_keeps_two_pages(tmp_path: Path) -> None:
    long = [(t.replace("\n", "") * 3)[:800] for t in NARRATIVES]
    fields = dict(zip(("achievements", "shortfall_reason", "next_actions"), long, strict=True))
    fields |= {"kpi1_own_reason": "あ" * 80, "kpi2_own_reason": "い" * 80, "legend": "凡例\n" * 3}
    path = tmp_path / "cards.xlsx"
    write_report_cards(path, [CardSheet("01", fields)], default_registry())
    sheet = openpyxl.load_workbook(path)["01"]
    page1, page2 = _pages(sheet, layout.REPORT_LAYOUT.last_row)
    assert page1 <= PAGE_HEIGHT - 3
    assert page2 <= PAGE_HEIGHT - 3
    # the narrative rows grew to their text (800 characters: 10 lines of 84)
    assert [sheet.row_dimensions[r].height for r in (34, 36, 38)] == [106.5, 106.5, 106.5]
