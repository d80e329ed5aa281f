"""The per-plan cards of a reported year, and safe file and sheet names."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from test_report_helpers import REG, sample_master

from ubereport.master import read_master
from ubereport.report import build_report, render_reports
from ubereport.report.cards import card_sheets, write_cards
from ubereport.report.names import UniqueNames, file_name, sheet_name

CARD_SHEETS = [
    "01 未収債権の発生防止・適正な対応",
    "02 ふるさと納税等自主財源の獲得推進",
    "04 規律ある財政運営の実施",
    "05 公共施設マネジメントの推進",
    "06 職員の定員適正化",
    "07 人材育成と職場風土の改革",
    "08 職員の健康安全管理対策の推進",
    "09 EBPMの推進",
    "10 多様な主体との連携・共創",
    "11 庁内業務のデジタル化",
    "12 窓口サービスの効率化",
    "13 積極的な広報活動の推進",
    "14 広聴機能の充実",
]
TODAY = date(2023, 6, 1)


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outbox = tmp_path_factory.mktemp("cards") / "outbox"
    render_reports(sample_master(outbox), outbox, 2022, REG, today=TODAY)
    return outbox


@pytest.fixture(scope="module")
def book(outbox: Path) -> Workbook:
    return openpyxl.load_workbook(outbox / "R4" / "アクションプラン_R4.xlsx")


def _cells(sheet: object, refs: str) -> list[object]:
    return [sheet[ref].value for ref in refs.split()]  # type: ignore[index]


def test_one_sheet_per_plan_with_data(book: Workbook) -> None:
    assert book.sheetnames == CARD_SHEETS


def test_one_file_per_plan_to_hand_back(outbox: Path) -> None:
    files = sorted(p.name for p in (outbox / "R4" / "cards").iterdir())
    assert files == sorted(f"{n.replace(' ', '_')}.xlsx" for n in CARD_SHEETS)
    single = openpyxl.load_workbook(
        outbox / "R4" / "cards" / "02_ふるさと納税等自主財源の獲得推進.xlsx"
    )
    assert single.sheetnames == ["02 ふるさと納税等自主財源の獲得推進"]
    assert single.active["I19"].value == "◎ 達成\n102.7%"


def test_header_and_narratives_from_the_master(book: Workbook) -> None:
    sheet = book["02 ふるさと納税等自主財源の獲得推進"]
    assert _cells(sheet, "A1 J1 K1 L1 A3 B3 H2 H3 B4") == [
        "■ 宇部市行財政改革推進計画 アクションプラン（R4 取組状況）",
        "R4",
        "作成日",
        "2023/6/1",
        "02",
        "ふるさと納税等自主財源の獲得推進",
        "1 行政資源の適切なコントロール",
        "1 収納対策と財源の確保",
        "移住定住推進課",
    ]
    assert _cells(sheet, "G6 A32") == ["4 令和4年度の実施内容", "7 令和4年度の取組状況"]
    assert _cells(sheet, "H8 K8 M8") == [
        "返礼品ニーズの把握や魅力的な返礼品の開拓",
        "新規返礼品 10品 (延べ数:250品)",
        "新規返礼品 12品 (延べ数:252品)",
    ]
    assert _cells(sheet, "A33 A35 A37") == ["取組実績", "未達成の理由・改善策", "次年度の取組"]
    assert sheet["A36"].value.startswith("【サンプル】クラウドファンディングの実施事業数")


def test_targets_actuals_rates_and_statuses_per_year(book: Workbook) -> None:
    sheet = book["02 ふるさと納税等自主財源の獲得推進"]
    # the unit is in 単位 (H15): values print as bare figures so a number never wraps inside itself
    assert _cells(sheet, "G19 H15 H17 I16 I17 I18 I19 J17 J18 J19") == [
        "達成区分",
        "件",
        "3,900",
        "R4",
        "4,200",
        "4,315",
        "◎ 達成\n102.7%",
        "4,400",
        None,
        None,
    ]
    assert _cells(sheet, "I24 I25 I26 I27") == ["R4", "10,000", "6,480", "△ 未達成\n64.8%"]
    assert sheet["I19"].fill.fgColor.rgb == "FFE2EFDA"
    assert sheet["I27"].fill.fgColor.rgb == "FFF8CBAD"
    assert _cells(book["01 未収債権の発生防止・適正な対応"], "I26 I27") == ["集計中", "… 集計中"]


def test_own_ratings_stay_visible_beside_the_computed_status(book: Workbook) -> None:
    sheet = book["05 公共施設マネジメントの推進"]
    assert sheet["I27"].value == "◎ 達成\n所管課評価"
    assert _cells(sheet, "A39 A40 D40 F40 H40") == [
        "所管課評価（報告年度）",
        "目標指標",
        "所管課評価",
        "計算による区分",
        "評価理由",
    ]
    assert _cells(sheet, "A41 D41 F41 H41") == [
        "Ⅰ 個別施設計画(最終年度:R11)の進捗率",
        "－",
        "○ 概ね達成\n95.0%",
        None,
    ]
    row42 = _cells(sheet, "A42 D42 F42")
    assert row42 == [
        "Ⅱ 優先的検討規程に基づく 公共施設建設等におけるPPP/PFI手法導入検討割合",
        "達成",
        "◇ 定性目標",
    ]
    assert sheet["H42"].value.startswith("R5年3月に「PPP/PFI優先的検討規程」を策定し")


def test_cards_print_two_pages_each_at_one_scale_and_are_not_forms(
    book: Workbook, outbox: Path
) -> None:
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 9, 90)
        pr = sheet.sheet_properties.pageSetUpPr
        assert pr is None or not pr.fitToPage
        assert [b.id for b in sheet.row_breaks.brk] == [31]  # section 7 on page 2
        assert sheet.print_area == f"'{sheet.title}'!$A$1:$M$44"
        assert sheet["H13"].fill.fgColor.rgb in ("00000000", None)  # no yellow input fill
    assert dict(book.defined_names) == {}
    legend = book.worksheets[0]["A43"].value
    assert "◎ 達成：目標を達成している（達成率100％以上）" in legend
    assert book.worksheets[0]["A44"].value.startswith("この様式は台帳")
    with zipfile.ZipFile(outbox / "R4" / "アクションプラン_R4.xlsx") as z:
        assert not [n for n in z.namelist() if "protection" in z.read(n).decode("utf-8", "ignore")]


def test_names_are_safe_whatever_a_plan_is_called(tmp_path: Path) -> None:
    data = read_master(sample_master(tmp_path / "m"))
    nasty = '未収債権/[特別]:対応?*"<>|\x07の発生防止とその他たくさんの長い名前を持つ計画'
    for row in data.rows("plans"):
        if row["plan_no"] in ("01", "02"):
            row["plan_name"] = nasty
    report = build_report(data, REG, 2022)
    names = [s.name for _, s in card_sheets(report, TODAY)]
    assert names[:2] == [
        "01 未収債権特別対応の発生防止とその他たくさんの長い名前を持",
        "02 未収債権特別対応の発生防止とその他たくさんの長い名前を持",
    ]
    assert {len(n) for n in names[:2]} == {31}
    written = write_cards(tmp_path / "R4", report, REG, TODAY)
    assert [p.name for p in written[1:3]] == [
        "01_未収債権特別対応の発生防止とその他たくさんの長い名前を持つ計画.xlsx",
        "02_未収債権特別対応の発生防止とその他たくさんの長い名前を持つ計画.xlsx",
    ]
    assert openpyxl.load_workbook(written[0]).sheetnames[:2] == names[:2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02 ふるさと納税等自主財源の獲得推進", "02 ふるさと納税等自主財源の獲得推進"),
        ('a/b\\c:d*e?f"g<h>i|j[k]l', "abcdefghijkl"),
        ("tab\there\x00", "tab here"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("History", "History_"),
        ("[]", "シート"),
    ],
)
def test_sheet_name(text: str, expected: str) -> None:
    assert sheet_name(text) == expected


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("02 ふるさと納税", "02_ふるさと納税.xlsx"),
        ('a/b\\c:d*e?f"g<h>i|j', "abcdefghij.xlsx"),
        ("trailing. ", "trailing.xlsx"),
        ("CON", "ファイル_CON.xlsx"),
        ("", "ファイル.xlsx"),
        ("あ" * 100, "あ" * 80 + ".xlsx"),
    ],
)
def test_file_name(stem: str, expected: str) -> None:
    assert file_name(stem, ".xlsx") == expected


def test_unique_names_ignore_case_and_keep_the_limit() -> None:
    names = UniqueNames()
    taken = [names.take(n) for n in ("Plan", "plan", "PLAN", "x" * 31, "x" * 31)]
    assert taken == ["Plan", "plan(2)", "PLAN(3)", "x" * 31, "x" * 28 + "(2)"]
    assert all(len(t) <= 31 for t in taken)


def test_written_books_do_not_pile_up_as_garbage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each xlsxwriter book is a reference cycle: write_cards has the collector free the book of
    every card and the card files as it goes, rather than leaving them all for a full pass
    that a large master in memory puts off (500 plans: 60 MB)."""
    import gc

    from xlsxwriter.worksheet import Worksheet

    from ubereport.report import cards

    monkeypatch.setattr(cards, "COLLECT_EVERY", 5)
    report = build_report(read_master(sample_master(tmp_path / "outbox")), REG, 2022)
    assert len(card_sheets(report, TODAY)) == len(CARD_SHEETS) == 13
    gc.collect()
    gc.disable()  # only the passes write_cards asks for: the count below is exact
    try:
        write_cards(tmp_path / "R4", report, REG, TODAY)
        alive = sum(isinstance(o, Worksheet) for o in gc.get_objects())
    finally:
        gc.enable()
    # passes before the 5th and the 10th card file: the 10th to 13th are left (one sheet each);
    # without them, the book's 13 sheets and 13 files' would be
    assert alive == 4
