"""The published 取組の達成状況: every plan's block, exact cells, print setup, no block split."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from test_report_helpers import REG, sample_master

from ubereport.card.textfit import printed_points
from ubereport.report import render_reports
from ubereport.report.publication import (
    COLUMN_CHARS,
    PAGE_HEIGHT_PT,
    PAGE_WIDTH_PT,
    PUBLICATION_SHEET,
    Block,
    Row,
    page_breaks,
)
from ubereport.report.shown import shown_value

NAME = "取組達成状況_公表_R4.xlsx"
TOP_ROWS = 5  # title, three legend lines, a gap


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outbox = tmp_path_factory.mktemp("pub") / "outbox"
    render_reports(sample_master(outbox), outbox, 2022, REG)
    return outbox


@pytest.fixture(scope="module")
def sheet(outbox: Path) -> Worksheet:
    book = openpyxl.load_workbook(outbox / "R4" / NAME)
    assert book.sheetnames == [PUBLICATION_SHEET]
    return book[PUBLICATION_SHEET]


def _values(sheet: Worksheet, first: int, last: int) -> list[list[Any]]:
    return [
        [c.value for c in row] for row in sheet.iter_rows(min_row=first, max_row=last, max_col=7)
    ]


def _plan_rows(sheet: Worksheet) -> dict[str, int]:
    return {
        str(sheet.cell(r, 1).value): r
        for r in range(1, sheet.max_row + 1)
        if str(sheet.cell(r, 1).value or "").startswith("No.")
    }


def test_every_registry_plan_has_a_block_in_registry_order(sheet: Worksheet) -> None:
    assert list(_plan_rows(sheet)) == [f"No.{p.plan_no}" for p in REG.plans]


def test_the_block_of_plan_02_exactly(sheet: Worksheet) -> None:
    top = _plan_rows(sheet)["No.02"]
    years = ["R4（報告年度）", "R5（計画）", "R6（計画）", "R7（計画）", "R8（計画）"]
    assert _values(sheet, top, top + 22) == [
        ["No.02", "ふるさと納税等自主財源の獲得推進", None, None, None, None, None],
        [
            "計画上の位置",
            "基本方針 1 行政資源の適切なコントロール　＞　戦略 1 収納対策と財源の確保",
            *[None] * 5,
        ],
        ["主管課", "移住定住推進課", None, "関係課", "－", None, None],
        [
            "目的",
            "行政サービスの維持や新たな行政ニーズに対応するための新たな歳入の確保と、市プロジェクトへの民間活力の導入を図る。",
            *[None] * 5,
        ],
        ["指標Ⅰ", "ふるさと納税寄附件数（件）", *[None] * 5],
        [None, "方向: 高いほど良い", *[None] * 5],
        [None, "基準値(R3)", *years],
        ["目標", None, "4,200", "4,400", "4,600", "4,800", "5,000"],
        ["実績", "3,900", "4,315", None, None, None, None],
        ["達成率", None, "102.7%", None, None, None, None],
        ["達成区分", None, "◎ 達成", None, None, None, None],
        ["指標Ⅱ", "クラウドファンディング・企業版ふるさと納税額（千円）", *[None] * 5],
        [None, "方向: 高いほど良い", *[None] * 5],
        [None, "基準値(R3)", *years],
        ["目標", None, "10,000", "10,000", "10,000", "10,000", "10,000"],
        ["実績", "9,054", "6,480", None, None, None, None],
        ["達成率", None, "64.8%", None, None, None, None],
        ["達成区分", None, "△ 未達成", None, None, None, None],
        [
            "令和4年度の取組実績",
            "【サンプル】事業者訪問とポータルサイトの寄附動向の分析により、新規返礼品を12品開拓した(延べ数:252品)。クラウドファンディングを4事業で実施し、企業版ふるさと納税は3企業から寄附を受けた。ふるさと納税寄附件数は4,315件となり、目標を上回った。",
            *[None] * 5,
        ],
        [
            "未達成の理由・改善策",
            "【サンプル】クラウドファンディングの実施事業数が計画を下回り、企業版ふるさと納税のマッチングも年度後半にずれ込んだため、寄附額は6,480千円にとどまった。R5年度は実施事業の募集と担当課との調整を年度当初に前倒しし、首都圏企業向けの説明会や金融機関を通じたマッチングを活用して寄附の獲得を図る。",
            *[None] * 5,
        ],
        [
            "（令和5年度の取組）",
            "【サンプル】地場産品を中心に新規返礼品を10品以上開拓し、寄附者アンケートを基に返礼品の見直しを行う。クラウドファンディングの対象事業を年度当初に募集し、実施事業数の確保を図る。",
            *[None] * 5,
        ],
        [None] * 7,
        ["No.03", "未来投資のための事務事業の見直し", *[None] * 5],
    ]


def test_a_plan_that_never_reported_says_so(sheet: Worksheet) -> None:
    top = _plan_rows(sheet)["No.03"]
    assert _values(sheet, top + 2, top + 4) == [
        ["主管課", "－", None, "関係課", "－", None, None],
        ["目的", "－", *[None] * 5],
        [
            "報告",
            "報告年度のカードが受理されていないため、指標・取組の報告はありません。",
            *[None] * 5,
        ],
    ]


def test_own_rating_and_pending_are_marked_in_words(sheet: Worksheet) -> None:
    statuses = {
        sheet.cell(r, 3).value
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "達成区分"
    }
    assert statuses == {
        "◎ 達成",
        "○ 概ね達成",
        "△ 未達成",
        "… 集計中",
        "◎ 達成\n（所管課評価）",
        "－ 目標未設定",
    }


@pytest.mark.parametrize(
    ("text", "unit", "shown"),
    [
        ("2,121,796千円", "千円", "2,121,796"),
        ("10時間/月以下", "時間/月", "10以下"),
        ("△369,000千円", "千円", "△369,000"),
        ("99.05%", "%", "99.05"),
        ("480件/１日", "件", "480件/１日"),
        ("約40名", "名", "約40名"),
        ("集計中", "件", "集計中"),
        ("次期計画で目標値を設定", "%", "次期計画で目標値を設定"),
        ("", "件", ""),
    ],
)
def test_values_print_without_the_unit_the_heading_names(text: str, unit: str, shown: str) -> None:
    assert shown_value(text, unit) == shown


def test_print_setup_a4_portrait_100_percent_title_and_legend_on_every_page(
    sheet: Worksheet,
) -> None:
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.scale) == (9, "portrait", None)  # 100 %
    assert (
        sheet.sheet_properties.pageSetUpPr is None
        or not sheet.sheet_properties.pageSetUpPr.fitToPage
    )
    assert sheet.print_title_rows == f"$1:${TOP_ROWS}"
    legend = [sheet.cell(r, 1).value for r in range(2, 5)]
    assert legend[0] == (
        "達成区分　◎ 達成：目標を達成している（達成率100％以上）　"
        "○ 概ね達成：目標を概ね達成している（達成率75％以上100％未満）　"
        "△ 未達成：目標が達成されていない（達成率75％未満）"
    )
    assert legend[1].startswith("評価しないもの　… 集計中　□ 未入力　－ 目標未設定")
    assert legend[2].startswith("達成率: 高いほど良い指標は 実績÷目標")
    stored = {
        col: dim.width
        for dim in sheet.column_dimensions.values()
        for col in range(dim.min, dim.max + 1)
    }
    widths = [stored[c] for c in range(1, 8)]  # stored with the padding
    assert widths == pytest.approx([c + 5 / 7 for c in COLUMN_CHARS], abs=0.1)
    assert sum(printed_points(c) for c in COLUMN_CHARS) <= PAGE_WIDTH_PT


def test_body_text_is_at_least_9_pt(sheet: Worksheet) -> None:
    sizes = {
        c.font.sz
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row)
        for c in row
        if c.value
    }
    assert min(sizes) >= 9
    assert sizes == {9.0, 10.0, 11.0, 14.0}


def test_no_block_splits_across_pages(sheet: Worksheet) -> None:
    """Every page break is at a block's first row and every page's rows fit on the page."""
    starts = sorted(_plan_rows(sheet).values())
    breaks = [b.id for b in sheet.row_breaks.brk]  # the row after which the page breaks
    assert breaks and all(b + 1 in starts for b in breaks)
    top = sum(sheet.row_dimensions[r].height for r in range(1, TOP_ROWS + 1))
    edges = [TOP_ROWS, *breaks, sheet.max_row]
    for first, last in itertools.pairwise(edges):
        page = sum(sheet.row_dimensions[r].height for r in range(first + 1, last + 1))
        assert top + page <= PAGE_HEIGHT_PT


def test_page_breaks_go_before_the_block_that_would_not_fit() -> None:
    def block(*heights: float) -> Block:
        return Block("00", tuple(Row((), h) for h in heights))

    # room on a page below 100 pt of title and legend: 749.6 − 100 = 649.6 pt
    blocks = [block(150, 150), block(300), block(100, 100, 100), block(700), block(10)]
    assert pytest.approx(749.6) == PAGE_HEIGHT_PT
    assert page_breaks(blocks, 10, 100) == [13, 16, 17]
    assert page_breaks(blocks[:2], 10, 100) == []


def test_the_sample_prints_on_13_pages(sheet: Worksheet) -> None:
    assert len(sheet.row_breaks.brk) == 12
