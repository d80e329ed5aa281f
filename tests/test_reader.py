"""read_card: every sample card round-trips exactly; every bad file becomes a finding."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from builders import FIXTURES, ROOT, fill_template, filled_sample, sample_card_fields

from ubereport.card import layout
from ubereport.card.reader import read_card
from ubereport.card.sample import load_samples
from ubereport.cli import main
from ubereport.japanese.values import parse_value

YEARS = [2022, 2023, 2024, 2025, 2026]
SAMPLES = {c["plan_no"]: c for c in load_samples()}


def _value(text: str, year: int | None = None) -> dict[str, Any]:
    p = parse_value(text)
    out = {
        "fiscal_year": year,
        "text": p.text,
        "kind": str(p.kind),
        "value": p.value,
        "unit": p.unit,
        "comparator": str(p.comparator) if p.comparator else None,
    }
    return out


def expected_json(card: dict[str, Any]) -> dict[str, Any]:
    """What the reader must return for a transcribed sample card: every field, every raw text."""
    sample = card["sample"]
    kpis = []
    for k, kpi in enumerate(card["kpis"]):
        actuals = [sample["kpi_actuals"][k], "", "", "", ""]
        kpis.append(
            {
                "name": kpi["name"],
                "note": kpi["note"],
                "unit": kpi["unit"],
                "direction": kpi["direction"],
                "baseline": {
                    "label": kpi["baseline_label"],
                    "text": kpi["baseline"],
                    "value": parse_value(kpi["baseline"]).value,
                },
                "targets": [_value(t, y) for t, y in zip(kpi["targets"], YEARS, strict=True)],
                "actuals": [_value(a, y) for a, y in zip(actuals, YEARS, strict=True)],
                "assessment": sample["kpi_assessments"][k],
                "assessment_reason": sample["kpi_assessment_reasons"][k],
            }
        )
    return {
        "file": sample["file_name"],
        "sheet": layout.SHEET_NAME,
        "template_version": layout.TEMPLATE_VERSION,
        "plan_no": card["plan_no"],
        "plan_name": card["plan_name"],
        "fiscal_year": 2022,
        "fiscal_year_text": "R4",
        **{
            k: card[k]
            for k in (
                "policy",
                "strategy",
                "lead_division",
                "related_divisions",
                "outcome",
                "situation",
                "plan_actions",
            )
        },
        "inputs": [
            {"text": i["text"], "output": i["output"], "output_result": r}
            for i, r in zip(card["inputs"], sample["output_results"], strict=True)
        ],
        "year_labels": ["R4", "R5", "R6", "R7", "R8"],
        "kpis": kpis,
        "level_3": "",
        "plan_id": "ube-2022",
        "related_plans": card["related_plans"],
        **{k: sample[k] for k in ("achievements", "shortfall_reason", "next_actions")},
        "findings": [],
    }


def test_thirteen_sample_cards_plan_03_has_none() -> None:
    assert sorted(SAMPLES) == [
        "01",
        "02",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "11",
        "12",
        "13",
        "14",
    ]
    inbox = sorted(p.name for p in (ROOT / "inbox").glob("*.xlsx"))
    assert inbox == sorted(c["sample"]["file_name"] for c in SAMPLES.values())


@pytest.mark.parametrize("plan_no", sorted(SAMPLES))
def test_bundled_inbox_card_reads_back_as_transcribed(plan_no: str) -> None:
    card = SAMPLES[plan_no]
    result = read_card(ROOT / "inbox" / card["sample"]["file_name"])
    assert result.findings == []
    assert result.card is not None
    assert result.card.to_json([]) == expected_json(card)


@pytest.mark.parametrize("plan_no", ["01", "11"])
def test_sample_rendered_again_equals_the_committed_inbox(tmp_path: Path, plan_no: str) -> None:
    from ubereport.card.sample import write_samples
    from ubereport.plan.registry import default_registry

    written = {p.name: p for p in write_samples(tmp_path, default_registry())}
    name = SAMPLES[plan_no]["sample"]["file_name"]
    fresh = read_card(written[name]).card
    committed = read_card(ROOT / "inbox" / name).card
    assert fresh is not None and committed is not None
    assert fresh.to_json() == committed.to_json()


def test_card_filled_in_openpyxl_from_the_template_reads_the_same(tmp_path: Path) -> None:
    path = filled_sample(tmp_path, "14")
    result = read_card(path)
    expected = expected_json(SAMPLES["14"]) | {"file": path.name}
    assert result.card is not None and result.card.to_json(result.findings) == expected


def test_a_card_of_the_earlier_template_is_read_with_its_own_geometry() -> None:
    """A card of the earlier template (ubereport-card-1: section 7 side by side on page 1,
    resaved by LibreOffice) is read with that template's layout: every field, no finding."""
    from ubereport.validate.run import validate_workbook

    path = FIXTURES / "libreoffice_resaved_card12.xlsx"
    (result,) = validate_workbook(path)
    assert result.card is not None
    expected = expected_json(SAMPLES["12"]) | {
        "file": path.name,
        "template_version": "ubereport-card-1",
    }
    assert result.card.to_json(result.findings) == expected


def _only(path: Path) -> list[tuple[str, str, str | None, str | None]]:
    result = read_card(path)
    assert result.card is None
    return [(f.code, str(f.severity), f.sheet, f.cell) for f in result.findings]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: p.write_bytes(b""), "file-empty"),
        (
            lambda p: p.write_text("No.,アクションプラン名\n01,未収債権\n", encoding="cp932"),
            "file-not-excel",
        ),
        (
            lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
            "file-not-excel",
        ),
        (
            lambda p: p.write_bytes(
                (ROOT / "inbox" / SAMPLES["01"]["sample"]["file_name"]).read_bytes()[:5000]
            ),
            "file-corrupt",
        ),
        (lambda p: shutil.copy(FIXTURES / "legacy_excel97_card04.xls", p), "file-legacy-xls"),
        (lambda p: shutil.copy(FIXTURES / "encrypted_password_card04.xlsx", p), "file-encrypted"),
    ],
    ids=["empty", "csv-renamed", "pdf-renamed", "truncated", "xls", "encrypted"],
)
def test_unreadable_files_become_one_error_finding(tmp_path: Path, make: Any, code: str) -> None:
    path = tmp_path / "提出.xlsx"
    make(path)
    assert _only(path) == [(code, "エラー", None, None)]
    (finding,) = read_card(path).findings
    assert finding.file == "提出.xlsx" and finding.message


def test_a_card_behind_other_bytes_is_what_it_starts_as(tmp_path: Path) -> None:
    """zipfile opens a package behind other bytes; the reader goes by the first bytes, as for
    any renamed file (the package is opened once, and its start checked from the open file)."""
    card = (ROOT / "inbox" / SAMPLES["01"]["sample"]["file_name"]).read_bytes()
    path = tmp_path / "提出.xlsx"
    path.write_bytes(b"%PDF-1.7\n" + card)
    assert _only(path) == [("file-not-excel", "エラー", None, None)]
    assert "中身はPDFです" in read_card(path).findings[0].message


def test_a_card_excel_holds_open_is_unreadable_not_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to open a file Excel holds (a sharing violation, winerror 32): that is
    「ファイルを開けない」 with the reason, never 「ファイルが壊れている」."""
    path = tmp_path / "提出.xlsx"
    shutil.copy(ROOT / "inbox" / SAMPLES["01"]["sample"]["file_name"], path)
    real_open = io.open

    def held_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            exc = PermissionError(13, "Permission denied", str(file))
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", held_open)
    monkeypatch.setattr("builtins.open", held_open)
    assert _only(path) == [("file-unreadable", "エラー", None, None)]
    assert read_card(path).findings[0].message == (
        "ファイルを開けませんでした（ほかのプログラムが開いています）。"
        "ほかの人が開いていないか確認し、閉じてからもう一度提出してください。"
    )


def test_workbook_without_the_card_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "集計"
    book.active["A1"] = "別の表"
    book.save(tmp_path / "other.xlsx")
    result = read_card(tmp_path / "other.xlsx")
    assert result.card is None
    assert [(f.code, f.message) for f in result.findings] == [
        (
            "sheet-missing",
            "アクションプランの様式シートが見つかりません（シート: 集計）。"
            "配布した様式（templates/actionplan_sheet.xlsx）に入力して提出してください。",
        )
    ]


def test_card_pasted_into_another_workbook_is_found_by_its_labels(tmp_path: Path) -> None:
    source = openpyxl.load_workbook(ROOT / "inbox" / SAMPLES["08"]["sample"]["file_name"])
    card_sheet = source[layout.SHEET_NAME]
    book = openpyxl.Workbook()
    book.active.title = "表紙"
    pasted = book.create_sheet("R4提出")
    for row in card_sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                target = pasted.cell(cell.row + 2, cell.column + 1, cell.value)
                target.number_format = cell.number_format
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    # the pasted KPI II headings come over as values
                    target.value = card_sheet[cell.value[1:]].value
    book.save(tmp_path / "貼り付け.xlsx")
    result = read_card(tmp_path / "貼り付け.xlsx")
    assert [(f.code, f.severity.value, f.sheet) for f in result.findings] == [
        ("names-missing", "警告", "R4提出")
    ]
    assert result.card is not None
    expected = expected_json(SAMPLES["08"]) | {"file": "貼り付け.xlsx", "sheet": "R4提出"}
    expected["findings"] = [f.to_dict() for f in result.findings]
    assert result.card.to_json(result.findings) == expected
    assert result.card.cell_of("kpi1_target_y1") == "J19"


def test_excel_native_percent_and_number_cells(tmp_path: Path) -> None:
    path = fill_template(tmp_path / "native.xlsx", sample_card_fields("12"))
    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_NAME]
    sheet["I18"] = 0.855
    sheet["I18"].number_format = "0.0%"
    sheet["J17"] = 1
    sheet["J17"].number_format = "0%"
    sheet["I26"] = 12.5
    book.save(path)
    card = read_card(path).card
    assert card is not None
    got = [
        card.kpis[0].actuals[0].to_json(),
        card.kpis[0].targets[1].to_json(),
        card.kpis[1].actuals[0].to_json(),
    ]
    assert got == [
        {
            "fiscal_year": 2022,
            "text": "85.5%",
            "kind": "number",
            "value": 85.5,
            "unit": "%",
            "comparator": None,
        },
        {
            "fiscal_year": 2023,
            "text": "100%",
            "kind": "number",
            "value": 100.0,
            "unit": "%",
            "comparator": None,
        },
        {
            "fiscal_year": 2022,
            "text": "12.5",
            "kind": "number",
            "value": 12.5,
            "unit": None,
            "comparator": None,
        },
    ]


def test_formula_and_error_cells_are_reported_never_evaluated(tmp_path: Path) -> None:
    path = fill_template(tmp_path / "f.xlsx", sample_card_fields("13"))
    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_NAME]
    sheet["I18"] = "=1+1"
    sheet["I26"] = "#DIV/0!"
    sheet["I26"].data_type = "e"
    book.save(path)
    result = read_card(path)
    assert [(f.code, f.severity.value, f.cell, f.field, f.value) for f in result.findings] == [
        ("cell-formula", "警告", "I18", "kpi1_actual_y1", "=1+1"),
        ("cell-error", "エラー", "I26", "kpi2_actual_y1", "#DIV/0!"),
    ]
    assert result.card is not None
    assert result.card.kpis[0].actuals[0].parsed.text == ""


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = filled_sample(tmp_path, "09", achievements='=HYPERLINK("http://x","y")')
    result = read_card(path)
    assert result.card is not None
    assert result.card.achievements == '=HYPERLINK("http://x","y")'
    assert result.findings == []


def test_read_json_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "inbox" / SAMPLES["04"]["sample"]["file_name"]
    assert main(["read", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == expected_json(SAMPLES["04"])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"")
    assert main(["read", str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["code"] == "file-empty"


def test_read_cli_runs_every_validate_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = filled_sample(tmp_path, "02", achievements="", kpi1_actual_y1="")
    assert main(["read", str(path)]) == 1
    out = capsys.readouterr().out
    assert "R4の実績が空欄です" in out and "取組実績が空欄です" in out
    assert main(["read", str(path), "--json"]) == 1
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert codes == ["actual-missing", "achievements-missing"]
    assert main(["read", str(path), "--reader-only"]) == 0
    assert "指摘はありません。" in capsys.readouterr().out


def test_messages_name_labels_as_printed_never_a_pattern(tmp_path: Path) -> None:
    """An edited title and a deleted section title: the message quotes the printed label."""
    source = openpyxl.load_workbook(filled_sample(tmp_path, "02"))
    sheet = source[layout.SHEET_NAME]
    sheet["A1"] = "宇部市 行財政改革推進計画（R4実績）"
    sheet["G28"] = None
    source.save(tmp_path / "edited.xlsx")
    result = read_card(tmp_path / "edited.xlsx")
    assert [(f.code, f.message) for f in result.findings] == [
        (
            "label-missing",
            "見出し「6 関連計画等」が見つからないため、6 関連計画等を読み取れませんでした。"
            "見出しを様式どおりに戻すか、配布した様式ファイルに入力し直してください。",
        )
    ]
    assert result.card is not None
    assert (result.card.plan_no, result.card.fiscal_year) == ("02", 2022)
