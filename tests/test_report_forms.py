"""Next cycle's forms: prefilled from the master, read back by the reader to exactly those values."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_report_helpers import REG, sample_master

from ubereport.card import layout
from ubereport.card.model import NARRATIVE_FIELDS, PLAN_TEXT_FIELDS, Card
from ubereport.card.reader import read_card
from ubereport.master import read_master
from ubereport.master.merge import registered_targets
from ubereport.report import build_report, write_forms
from ubereport.report.forms import form_fields
from ubereport.validate import validate_file

R5 = 2023


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_master(tmp_path_factory.mktemp("forms") / "outbox")


@pytest.fixture(scope="module")
def forms(master: Path) -> list[Path]:
    return write_forms(master, master.parent, R5, REG)


def card_values(card: Card) -> dict[str, str]:
    """A read card as defined name -> text, for every input of the template."""
    out = {
        "fiscal_year": card.fiscal_year_text,
        "plan_no": card.plan_no_text,
        **{name: getattr(card, name) for name in _PLAN_TEXTS},
    }
    for n, item in enumerate(card.inputs, start=1):
        out |= {f"input_{n}": item.text, f"output_{n}": item.output}
        out[f"output_result_{n}"] = item.output_result
    for k, kpi in enumerate(card.kpis, start=1):
        p = f"kpi{k}_"
        out |= {
            p + "name": kpi.name,
            p + "note": kpi.note,
            p + "unit": kpi.unit,
            p + "direction": kpi.direction,
            p + "baseline_label": kpi.baseline_label,
            p + "baseline": kpi.baseline.text,
            p + "assessment": kpi.assessment,
            p + "assessment_reason": kpi.assessment_reason,
        }
        for y, (t, a) in enumerate(zip(kpi.targets, kpi.actuals, strict=True), start=1):
            out |= {f"{p}target_y{y}": t.parsed.text, f"{p}actual_y{y}": a.parsed.text}
    return out


_PLAN_TEXTS = tuple(f for f in (*PLAN_TEXT_FIELDS, *NARRATIVE_FIELDS) if f != "level_3")
INPUT_NAMES = [
    n for n in layout.DEFAULT.field_names() if n != "template_version" and "year_y" not in n
]


def test_a_form_per_registry_plan_in_the_year_folder(forms: list[Path], master: Path) -> None:
    assert [p.parent for p in forms] == [master.parent / "R5" / "forms"] * 14
    assert forms[1].name == "02_ふるさと納税等自主財源の獲得推進_R5.xlsx"
    assert forms[2].name == "03_未来投資のための事務事業の見直し_R5.xlsx"


def test_every_form_reads_back_to_exactly_the_prefilled_values(
    forms: list[Path], master: Path
) -> None:
    data = read_master(master)
    current = build_report(data, REG, R5)
    earlier = build_report(data, REG, R5 - 1)
    assert len(INPUT_NAMES) == 62  # every input cell of the template
    for path, plan, before in zip(forms, current.plans, earlier.plans, strict=True):
        result = read_card(path)
        assert result.findings == []
        assert result.card is not None
        prefilled = form_fields(plan, R5, before.initiatives)
        expected = {name: prefilled.get(name, "") for name in INPUT_NAMES}
        assert card_values(result.card) == expected, path.name


def test_form_02_carries_the_master_values(forms: list[Path]) -> None:
    card = read_card(forms[1]).card
    assert card is not None
    assert (card.fiscal_year, card.plan_no, card.plan_name, card.lead_division) == (
        R5,
        "02",
        "ふるさと納税等自主財源の獲得推進",
        "移住定住推進課",
    )
    kpi = card.kpis[0]
    assert (kpi.name, kpi.unit, kpi.direction, kpi.baseline.text) == (
        "ふるさと納税寄附件数",
        "件",
        "高いほど良い",
        "3,900件",
    )
    assert [v.parsed.text for v in kpi.targets] == [
        "4,200件",
        "4,400件",
        "4,600件",
        "4,800件",
        "5,000件",
    ]
    assert [v.parsed.text for v in kpi.actuals] == ["4,315件", "", "", "", ""]
    assert [v.parsed.text for v in card.kpis[1].actuals] == ["6,480千円", "", "", "", ""]
    assert (kpi.assessment, kpi.assessment_reason) == ("", "")
    assert (card.achievements, card.shortfall_reason, card.next_actions) == ("", "", "")
    # section 4: last year's initiatives and planned outputs as a draft, no 実績
    assert [(i.text, i.output, i.output_result) for i in card.inputs[:2]] == [
        ("返礼品ニーズの把握や魅力的な返礼品の開拓", "新規返礼品 10品 (延べ数:250品)", ""),
        ("クラウドファンディングの実施", "5事業", ""),
    ]


def test_form_03_has_only_the_registry_header(forms: list[Path]) -> None:
    card = read_card(forms[2]).card
    assert card is not None
    assert (card.plan_no, card.plan_name, card.policy, card.strategy, card.fiscal_year_text) == (
        "03",
        "未来投資のための事務事業の見直し",
        "1 行政資源の適切なコントロール",
        "2 持続可能な行財政運営",
        "R5",
    )
    assert all(k.is_empty() for k in card.kpis)
    notice = openpyxl.load_workbook(forms[2])[layout.SHEET_NAME]["A40"].value
    assert notice == (
        "※R5の報告様式です。この計画は台帳にまだ内容がないため、転記した項目はありません。"
        "計画の内容（1〜3・6）、目標指標、R5の実績・所管課評価、4、7 をすべて入力してください。"
    )
    assert "転記済み" not in notice


def test_this_years_inputs_are_empty_and_unlocked(forms: list[Path]) -> None:
    sheet = openpyxl.load_workbook(forms[1])[layout.SHEET_NAME]
    assert sheet.protection.sheet is True
    for name in (
        "kpi1_actual_y2",
        "kpi2_actual_y2",
        "kpi1_assessment",
        "kpi1_assessment_reason",
        "output_result_1",
        "achievements",
        "shortfall_reason",
        "next_actions",
    ):
        cell = sheet[layout.DEFAULT.field_cell(name)]
        assert (name, cell.value, cell.protection.locked) == (name, None, False)
    assert sheet[layout.DEFAULT.field_cell("kpi1_actual_y1")].value == "4,315件"
    assert sheet[layout.DEFAULT.field_cell("kpi1_actual_y1")].protection.locked is False
    assert sheet["A40"].value.startswith(
        "※R5の報告様式です。計画の内容・目標値とR4までの実績は台帳から転記済みです。"
    )
    assert sheet[layout.DEFAULT.field_cell("template_version")].value == layout.TEMPLATE_VERSION


def test_forms_validate_like_cards_without_target_changes(forms: list[Path], master: Path) -> None:
    targets = registered_targets(read_master(master))
    codes = set()
    for path in forms:
        report = validate_file(path, REG, registered_targets=targets)
        codes |= {f.code for f in report.findings}
    # only what the division still has to fill in (and plan 11's own baseline note)
    assert codes == {"actual-missing", "achievements-missing", "baseline-unit-mismatch"}
