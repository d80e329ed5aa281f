"""The committed template is exactly what the layout code generates, and behaves as a form."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import TEMPLATE

from ubereport.card import layout
from ubereport.commands import write_template

DESIGN_NAMES = (
    [
        "template_version",
        "fiscal_year",
        "plan_no",
        "plan_name",
        "policy",
        "strategy",
        "lead_division",
        "related_divisions",
        "outcome",
        "situation",
        "plan_actions",
    ]
    + [f"input_{n}" for n in range(1, 5)]
    + [f"output_{n}" for n in range(1, 5)]
    + [f"output_result_{n}" for n in range(1, 5)]
    + [f"year_y{y}" for y in range(1, 6)]
    + [
        f"kpi{k}_{f}"
        for k in (1, 2)
        for f in ["name", "note", "unit", "direction", "baseline_label", "baseline"]
        + [f"target_y{y}" for y in range(1, 6)]
        + [f"actual_y{y}" for y in range(1, 6)]
        + ["assessment", "assessment_reason"]
    ]
    + ["related_plans", "achievements", "shortfall_reason", "next_actions"]
)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_committed_template_is_generated_by_the_layout(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.xlsx"
    write_template(fresh)
    assert _parts(TEMPLATE) == _parts(fresh)


def test_template_defines_every_design_name_once_on_the_card_sheet() -> None:
    book = openpyxl.load_workbook(TEMPLATE)
    names = {n: list(d.destinations) for n, d in book.defined_names.items()}
    # the plan's identity is a constant name, not a cell (see the README)
    assert book.defined_names["plan_id"].value == '"ube-2022"' and names.pop("plan_id") == []
    assert sorted(names) == sorted(DESIGN_NAMES)
    assert sorted(layout.DEFAULT.field_names()) == sorted(DESIGN_NAMES)
    for name, dests in names.items():
        assert dests == [(layout.SHEET_NAME, _abs(layout.DEFAULT.field_cell(name)))], name


def _abs(ref: str) -> str:
    col = ref.rstrip("0123456789")
    return f"${col}${ref[len(col) :]}"


def test_inputs_are_unlocked_and_yellow_everything_else_protected() -> None:
    book = openpyxl.load_workbook(TEMPLATE)
    sheet = book[layout.SHEET_NAME]
    assert sheet.protection.sheet is True
    assert sheet.protection.password is None
    inputs = {b.first for b in layout.DEFAULT.boxes if b.kind is layout.Kind.INPUT}
    # 7 header + 3 narrative + 12 initiative + 2 x 18 KPI + related plans + 3 follow-up
    assert len(inputs) == 62
    for box in layout.DEFAULT.boxes:
        cell = sheet[box.first]
        is_input = box.kind is layout.Kind.INPUT
        assert cell.protection.locked is (not is_input), box.ref
        assert (cell.fill.fgColor.rgb == "FFFFF6CC") is is_input, box.ref
        if box.kind is not layout.Kind.NOTICE:
            assert cell.font.name == "BIZ UDPゴシック", box.ref


def test_template_reproduces_the_city_card_labels() -> None:
    sheet = openpyxl.load_workbook(TEMPLATE)[layout.SHEET_NAME]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    for label in [
        "■ 宇部市行財政改革推進計画 アクションプラン",
        "No.",
        "アクションプラン名",
        "基本方針",
        "戦略",
        "主管課",
        "関係課",
        "1 アウトカム(実施目的)",
        "2 現状・課題",
        "3 実施内容(計画期間全体の取組)",
        "インプット(具体的な取組内容)",
        "アウトプット(事業量等)",
        "実績",
        "5-1 目標指標 I",
        "5-2 目標指標 II",
        "項目",
        "注記",
        "単位",
        "方向",
        "6 関連計画等",
        "報告年度",
        "取組実績",
        "未達成の理由・改善策",
        "次年度の取組",
        "所管課評価",
        "評価理由",
        "R4",
        "R5",
        "R6",
        "R7",
        "R8",
        "ubereport-card-2",
    ]:
        assert label in texts, label


def test_two_a4_landscape_pages_at_one_scale() -> None:
    """Sections 1–6 on page 1 as on the city's card, section 7 on page 2; never fit-to-page."""
    book = openpyxl.load_workbook(TEMPLATE)
    sheet = book[layout.SHEET_NAME]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 9, 90)
    assert (
        sheet.sheet_properties.pageSetUpPr is None
        or not sheet.sheet_properties.pageSetUpPr.fitToPage
    )
    assert sheet.print_area == f"'{layout.SHEET_NAME}'!$A$1:$M$40"
    assert [b.id for b in sheet.row_breaks.brk] == [31]  # page 2 starts at row 32, section 7
    assert sheet["A32"].value == "7 報告年度の取組状況（毎年度記入）"


@pytest.mark.parametrize(
    ("field", "source_values"),
    [
        ("kpi1_direction", ["高いほど良い", "低いほど良い", "目標どおり"]),
        ("kpi2_direction", ["高いほど良い", "低いほど良い", "目標どおり"]),
        ("kpi1_assessment", ["達成", "概ね達成", "未達成"]),
        ("policy", ["1 行政資源の適切なコントロール", "2 政策効果の向上"]),
        (
            "strategy",
            [
                "1 収納対策と財源の確保",
                "2 持続可能な行財政運営",
                "3 資産の有効活用",
                "4 職場環境の整備",
                "5 政策実施体制の強化",
                "6 デジタル化の推進",
                "7 広報・広聴活動の強化",
            ],
        ),
        ("plan_no", [f"{n:02d}" for n in range(1, 15)]),
        ("fiscal_year", ["R4", "R5", "R6", "R7", "R8"]),
    ],
)
def test_dropdowns_come_from_the_registry(field: str, source_values: list[str]) -> None:
    book = openpyxl.load_workbook(TEMPLATE)
    sheet = book[layout.SHEET_NAME]
    cell = layout.DEFAULT.field_cell(field)
    (dv,) = [d for d in sheet.data_validations.dataValidation if cell in d.sqref]
    assert dv.type == "list"
    lists_sheet, ref = dv.formula1.lstrip("=").split("!")
    values = [c.value for row in book[lists_sheet.strip("'")][ref.replace("$", "")] for c in row]
    assert values == source_values
