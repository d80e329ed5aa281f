"""The 取組達成状況 workbook rendered from the sample master: 一覧, 集計 and 提出状況, as opened."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from test_report_helpers import REG, rows_of, sample_master

from ubereport.report import render_reports

R4 = 2022
SUMMARY = Path("R4") / "取組達成状況_R4.xlsx"
FIRST_DATA_ROW = 6
#: 1-based columns of the 一覧: 8 plan/KPI columns, 4 per plan year, then the two reasons.
R4_COLS = {"目標": 9, "実績": 10, "達成率": 11, "達成区分": 12}
SHORTFALL_COL, OWN_COL = 29, 30
BANDS = [
    "目標を達成している（達成率100％以上）",
    "目標を概ね達成している（達成率75％以上100％未満）",
    "目標が達成されていない（達成率75％未満）",
]


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("summary")
    master = sample_master(folder / "outbox")
    render_reports(master, folder / "outbox", R4, REG)
    return folder / "outbox"


@pytest.fixture(scope="module")
def book(outbox: Path) -> Workbook:
    return openpyxl.load_workbook(outbox / SUMMARY)


def _list_rows(book: Workbook) -> dict[tuple[str, str], list[Any]]:
    """(No., 指標's roman numeral) -> the row's values."""
    out = {}
    for row in rows_of(book["一覧"], FIRST_DATA_ROW):
        out[(row[2], str(row[5]).split(" ")[0])] = row
    return out


def _r4(row: list[Any]) -> tuple[Any, ...]:
    return tuple(row[c - 1] for c in R4_COLS.values())


def test_sheets_in_order(book: Workbook) -> None:
    assert book.sheetnames == ["一覧", "集計", "提出状況"]


def test_list_headings(book: Workbook) -> None:
    sheet = book["一覧"]
    assert sheet["A1"].value == "令和4年度 取組の達成状況（一覧）"
    assert [c.value for c in sheet[4][:8]] == [
        "基本方針",
        "戦略",
        "No.",
        "アクションプラン名",
        "主管課",
        "指標",
        "単位",
        "基準値",
    ]
    years = [c.value for c in sheet[4][8:28] if c.value]
    assert years == ["R4（報告年度）", "R5", "R6", "R7", "R8"]
    assert [c.value for c in sheet[5][8:28]] == ["目標", "実績", "達成率", "達成区分"] * 5
    assert (sheet.cell(4, SHORTFALL_COL).value, sheet.cell(4, OWN_COL).value) == (
        "未達成の理由・改善策（R4）",
        "所管課評価とその理由（R4）",
    )


def test_list_rows_follow_the_registry_with_03_not_submitted(book: Workbook) -> None:
    keys = list(_list_rows(book))
    assert keys == [
        ("01", "Ⅰ"),
        ("01", "Ⅱ"),
        ("02", "Ⅰ"),
        ("02", "Ⅱ"),
        ("03", "（報告なし）"),
        ("04", "Ⅰ"),
        ("04", "Ⅱ"),
        ("05", "Ⅰ"),
        ("05", "Ⅱ"),
        ("06", "Ⅰ"),
        ("06", "Ⅱ"),
        ("07", "Ⅰ"),
        ("08", "Ⅰ"),
        ("08", "Ⅱ"),
        ("09", "Ⅰ"),
        ("10", "Ⅰ"),
        ("11", "Ⅰ"),
        ("11", "Ⅱ"),
        ("12", "Ⅰ"),
        ("12", "Ⅱ"),
        ("13", "Ⅰ"),
        ("13", "Ⅱ"),
        ("14", "Ⅰ"),
        ("14", "Ⅱ"),
    ]
    plan03 = _list_rows(book)[("03", "（報告なし）")]
    assert plan03[:5] == [
        "1 行政資源の適切なコントロール",
        "2 持続可能な行財政運営",
        "03",
        "未来投資のための事務事業の見直し",
        None,
    ]
    assert _r4(plan03) == (None, None, None, "× 未提出")


def test_list_values_and_statuses(book: Workbook) -> None:
    rows = _list_rows(book)
    plan02 = rows[("02", "Ⅰ")]
    assert plan02[:8] == [
        "1 行政資源の適切なコントロール",
        "1 収納対策と財源の確保",
        "02",
        "ふるさと納税等自主財源の獲得推進",
        "移住定住推進課",
        "Ⅰ ふるさと納税寄附件数",
        "件",
        "3,900",
    ]
    # values print without the unit the 単位 column names, so a number never wraps inside itself
    assert _r4(plan02) == ("4,200", "4,315", pytest.approx(1.027), "◎ 達成")
    assert plan02[12:28:4] == ["4,400", "4,600", "4,800", "5,000"]
    assert _r4(rows[("02", "Ⅱ")]) == ("10,000", "6,480", pytest.approx(0.648), "△ 未達成")
    assert _r4(rows[("01", "Ⅱ")]) == ("2,121,796", "集計中", None, "… 集計中")
    assert _r4(rows[("05", "Ⅱ")]) == ("規程策定", "策定済", None, "◎ 達成（所管課評価）")
    assert _r4(rows[("10", "Ⅰ")]) == ("-", None, None, "－ 目標未設定")
    assert _r4(rows[("01", "Ⅰ")]) == ("99.05", "98.87", pytest.approx(0.998), "○ 概ね達成")
    assert _r4(rows[("04", "Ⅱ")])[0] == "675"
    assert rows[("04", "Ⅱ")][24] == "659以下"  # R8 target 「659億円以下」 under 億円


def test_rates_are_numbers_shown_to_a_tenth_of_a_percent(book: Workbook) -> None:
    sheet = book["一覧"]
    cell = sheet.cell(FIRST_DATA_ROW + 2, R4_COLS["達成率"])
    assert (cell.value, cell.number_format) == (pytest.approx(1.027), "0.0%")


def test_reasons_stand_once_per_plan_on_its_first_row_not_achieved(book: Workbook) -> None:
    rows = _list_rows(book)
    shortfall = {k: bool(r[SHORTFALL_COL - 1]) for k, r in rows.items()}
    assert sorted(k for k, v in shortfall.items() if v) == [
        ("01", "Ⅰ"),  # 概ね達成; not again on Ⅱ (集計中)
        ("02", "Ⅱ"),
        ("05", "Ⅰ"),
        ("08", "Ⅱ"),
        ("11", "Ⅱ"),
        ("12", "Ⅰ"),
        ("14", "Ⅱ"),
    ]
    assert rows[("02", "Ⅱ")][SHORTFALL_COL - 1].startswith(
        "【サンプル】クラウドファンディングの実施"
    )
    own = rows[("05", "Ⅱ")][OWN_COL - 1]
    assert own.startswith("所管課評価により達成（計算では ◇ 定性目標）。R5年3月に")
    assert rows[("02", "Ⅰ")][OWN_COL - 1] is None


def test_status_cells_have_text_symbol_and_a_fill(book: Workbook) -> None:
    sheet = book["一覧"]
    fills = {}
    for r in range(FIRST_DATA_ROW, sheet.max_row + 1):
        cell = sheet.cell(r, R4_COLS["達成区分"])
        fills[cell.value] = cell.fill.fgColor.rgb
    assert fills == {
        "◎ 達成": "FFE2EFDA",
        "◎ 達成（所管課評価）": "FFE2EFDA",
        "○ 概ね達成": "FFFFF2CC",
        "△ 未達成": "FFF8CBAD",
        "… 集計中": "FFEDEDED",
        "－ 目標未設定": "FFEDEDED",
        "× 未提出": "FFD9D9D9",
    }


def test_legend_states_the_bands_as_published(book: Workbook) -> None:
    legend = book["一覧"]["A2"].value + "\n" + book["一覧"]["A3"].value
    for text in BANDS:
        assert text in legend
    for word in (
        "集計中",
        "未入力",
        "目標未設定",
        "評価対象外",
        "要確認",
        "未提出",
        "（所管課評価）",
    ):
        assert word in legend
    tally = book["集計"]
    table = [(tally.cell(r, 1).value, tally.cell(r, 3).value) for r in range(4, 13)]
    assert table == [
        ("◎ 達成", BANDS[0]),
        ("○ 概ね達成", BANDS[1]),
        ("△ 未達成", BANDS[2]),
        ("… 集計中", "実績が集計中のため、まだ評価していない"),
        ("□ 未入力", "実績が入力されていない"),
        (
            "－ 目標未設定",
            "その年度の目標値が設定されていない（「-」「次期計画で目標値を設定」など）",
        ),
        ("／ 評価対象外", "目標が数値でない（定性目標）ため、達成率を計算しない"),
        ("？ 要確認", "目標・実績・方向・単位をそのままでは評価できない（台帳の値を確認）"),
        ("× 未提出", "報告年度のカードが受理されていない"),
    ]


def test_list_prints_on_a3_landscape_at_100_percent_with_repeated_titles(book: Workbook) -> None:
    sheet = book["一覧"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 8, None)  # 100 %
    pr = sheet.sheet_properties.pageSetUpPr
    assert pr is None or not pr.fitToPage
    assert sheet.print_title_rows == "$4:$5"
    assert sheet.freeze_panes == "E6"
    assert sheet.auto_filter.ref == "A5:AD29"
    heights = [sheet.row_dimensions[r].height for r in range(FIRST_DATA_ROW, 30)]
    assert all(h is not None and h >= 15 for h in heights)
    assert sheet["A6"].alignment.wrap_text is True
    for name in ("集計", "提出状況"):
        other = book[name].page_setup
        assert (other.orientation, other.paperSize, other.scale) == ("landscape", 9, None)


@pytest.mark.parametrize("fiscal_year", [2022, 2023, 2024, 2025, 2026])
def test_the_printed_columns_fit_a3_in_every_plan_year(tmp_path: Path, fiscal_year: int) -> None:
    from ubereport.master import load
    from ubereport.report.list_sheet import FRONT, REASONS, YEAR, folded_columns
    from ubereport.report.rows import build_report
    from ubereport.report.styles import A3, PRINTABLE_WIDTH_PT, printed_width

    report = build_report(load(sample_master(tmp_path)), REG, fiscal_year)
    widths = [c.width for c in FRONT] + [c.width for _ in report.plan_years for c in YEAR]
    widths += list(REASONS)
    folded = set(folded_columns(report))
    shown = [w for c, w in enumerate(widths) if c not in folded]
    assert printed_width(shown) <= PRINTABLE_WIDTH_PT[A3]


def test_earlier_years_fold_to_their_status_and_later_years_to_their_target(
    tmp_path: Path,
) -> None:
    from ubereport.master import load
    from ubereport.report.list_sheet import folded_columns
    from ubereport.report.rows import build_report

    r4 = build_report(load(sample_master(tmp_path)), REG, 2022)
    assert folded_columns(r4) == [13, 14, 15, 17, 18, 19, 21, 22, 23, 25, 26, 27]
    r6 = dataclasses.replace(r4, fiscal_year=2024)
    # R4, R5: 目標・実績・達成率 folded (達成区分 shown); R6 whole; R7, R8: 目標 only
    assert folded_columns(r6) == [8, 9, 10, 12, 13, 14, 21, 22, 23, 25, 26, 27]


def test_later_years_without_actuals_are_folded(book: Workbook) -> None:
    sheet = book["一覧"]
    dims = sheet.column_dimensions
    assert [dims[c].hidden for c in ("I", "J", "K", "L", "M")] == [False] * 5
    # R5–R8: 実績・達成率・達成区分 (N–P, R–T, …) folded, 目標 (M, Q, …) shown
    folded = sorted(c for d in dims.values() if d.hidden for c in range(d.min, d.max + 1))
    assert folded == [14, 15, 16, 18, 19, 20, 22, 23, 24, 26, 27, 28]
    assert {dims[c].outline_level for c in ("N", "R", "V", "Z")} == {1}


def _caption_row(sheet: Any, caption: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == caption)


def _table(sheet: Any, caption: str) -> list[tuple[Any, ...]]:
    start = _caption_row(sheet, caption) + 2
    return [tuple(sheet.cell(r, c).value for c in range(1, 14)) for r in range(start, start + 10)]


COUNTS = [
    ("基本方針", "1 行政資源の適切なコントロール", 8, 14, 8, 3, 1, 1, 0, 0, 0, 0, 1),
    (None, "2 政策効果の向上", 6, 10, 6, 1, 2, 0, 0, 1, 0, 0, 0),
    ("戦略", "1 収納対策と財源の確保", 2, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0),
    (None, "2 持続可能な行財政運営", 2, 3, 2, 0, 0, 0, 0, 0, 0, 0, 1),
    (None, "3 資産の有効活用", 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0),
    (None, "4 職場環境の整備", 3, 5, 4, 1, 0, 0, 0, 0, 0, 0, 0),
    (None, "5 政策実施体制の強化", 2, 2, 1, 0, 0, 0, 0, 1, 0, 0, 0),
    (None, "6 デジタル化の推進", 2, 4, 2, 1, 1, 0, 0, 0, 0, 0, 0),
    (None, "7 広報・広聴活動の強化", 2, 4, 3, 0, 1, 0, 0, 0, 0, 0, 0),
    ("合計", "全体", 14, 24, 14, 4, 3, 1, 0, 1, 0, 0, 1),
]


def test_tally_counts_by_policy_strategy_and_total(book: Workbook) -> None:
    sheet = book["集計"]
    head_row = _caption_row(sheet, "達成区分別の件数") + 1
    heads = [sheet.cell(head_row, c).value for c in range(1, 14)]
    assert heads == [
        "区分",
        "名称",
        "計画数",
        "件数",
        "◎\n達成",
        "○\n概ね達成",
        "△\n未達成",
        "…\n集計中",
        "□\n未入力",
        "－\n目標未設定",
        "／\n評価対象外",
        "？\n要確認",
        "×\n未提出",
    ]
    assert _table(sheet, "達成区分別の件数") == COUNTS


def test_tally_shares(book: Workbook) -> None:
    shares = _table(book["集計"], "達成区分別の割合（件数に占める割合）")
    for got, counts in zip(shares, COUNTS, strict=True):
        assert got[:4] == counts[:4]
        assert got[4:] == tuple(pytest.approx(n / counts[3]) for n in counts[4:])
    first = _caption_row(book["集計"], "達成区分別の割合（件数に占める割合）") + 2
    assert book["集計"].cell(first, 5).number_format == "0.0%"


def test_tally_has_a_native_chart_of_the_counts(outbox: Path) -> None:
    with zipfile.ZipFile(outbox / SUMMARY) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = z.read(charts[0]).decode("utf-8")
    assert charts == ["xl/charts/chart1.xml"]
    assert '<c:grouping val="percentStacked"/>' in xml
    names = re.findall(r"<c:tx><c:v>([^<]+)</c:v></c:tx>", xml)
    # the three bands always, then the other statuses that occur
    assert names == ["◎ 達成", "○ 概ね達成", "△ 未達成", "… 集計中", "－ 目標未設定", "× 未提出"]
    cats = set(re.findall(r"<c:cat><c:numRef><c:f>([^<]+)</c:f>", xml))
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml)
    assert cats == {"集計!$A$17:$B$26"}  # 区分 and 名称: a two-level category axis
    assert values == [f"集計!${c}$17:${c}$26" for c in "EFGHJM"]


def test_submission_status_rows(book: Workbook) -> None:
    sheet = book["提出状況"]
    assert [c.value for c in sheet[4]] == [
        "No.",
        "アクションプラン名",
        "主管課",
        "状態",
        "受付日時",
        "ファイル名",
        "エラー",
        "警告",
        "提出回数",
        "提出期限",
        "残り開庁日",
    ]
    rows = rows_of(sheet, 5)
    got = [(r[0], r[2], r[3], r[6], r[7], r[8], r[9], r[10]) for r in rows]
    expected = [(p.plan_no, p.lead_division, "受理", 0, 0, 1, None, None) for p in REG.plans]
    expected[0] = ("01", "収納課", "受理", 0, 1, 1, None, None)
    expected[2] = ("03", "（未設定）", "未提出", None, None, 0, None, None)
    expected[10] = ("11", "デジタル推進課", "受理", 0, 1, 1, None, None)
    assert got == expected
    assert rows[1][5] == "02_移住定住推進課_AP_R4実績.xlsx"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][4])
    assert sheet["A2"].value == "受理 13件　要修正 0件　未提出 1件（全14計画）"


def test_submission_status_with_a_deadline(tmp_path: Path) -> None:
    master = sample_master(tmp_path / "outbox")
    render_reports(
        master, tmp_path / "outbox", R4, REG, deadline=date(2023, 5, 15), today=date(2023, 5, 1)
    )
    sheet = openpyxl.load_workbook(tmp_path / "outbox" / SUMMARY)["提出状況"]
    assert sheet["A2"].value == (
        "受理 13件　要修正 0件　未提出 1件（全14計画）"
        "　提出期限 2023年5月15日（月）（5月1日現在 残り7開庁日）"
    )
    assert [sheet.cell(r, 10).value for r in (5, 7)] == [datetime(2023, 5, 15)] * 2
    # 5/3–5/5 are holidays: 7 open days from 5/1 to 5/15; only the plan still owing counts down
    assert [sheet.cell(r, 11).value for r in (5, 6, 7, 8)] == [None, None, 7, None]
    assert sheet.cell(7, 11).number_format == '0"日";"超過"0"日";"当日"'


def test_the_a4_sheets_print_within_the_page_at_100_percent() -> None:
    from ubereport.report.status_sheet import COLUMNS
    from ubereport.report.styles import A4, PRINTABLE_WIDTH_PT, printed_width
    from ubereport.report.tally_sheet import WIDTHS

    assert printed_width([w for _, w in COLUMNS]) <= PRINTABLE_WIDTH_PT[A4]
    assert printed_width(list(WIDTHS)) <= PRINTABLE_WIDTH_PT[A4]
