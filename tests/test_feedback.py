"""The feedback workbook: a marked copy of the division's file plus the 確認結果 list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import FIXTURES, ROOT, filled_sample

from ubereport.cli import main
from ubereport.validate import validate_file
from ubereport.validate.feedback import write_feedback


def test_marked_copy_and_list(tmp_path: Path) -> None:
    src = filled_sample(
        tmp_path, "02", kpi1_actual_y1="12?", plan_name="ふるさと納税", outcome="=1+1"
    )
    before = src.read_bytes()
    report = validate_file(src)
    out = write_feedback(src, report.findings, tmp_path / "out")
    assert src.read_bytes() == before
    assert out.name == "card_02_確認結果.xlsx"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["確認結果", "アクションプラン", "選択肢"]
    ws = book["確認結果"]
    assert ws["A1"].value == "確認結果：card_02.xlsx"
    assert (
        ws["A2"].value
        == "エラー 1 件（✖ 直さないと取り込めません）・警告 2 件（▲ 確認してください）"
    )
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=8)]
    assert rows == [
        ["No.", "重要度", "シート", "セル", "項目", "入力されていた値", "内容と直し方", "コード"],
        [
            1,
            "▲ 警告",
            "アクションプラン",
            "B3",
            "アクションプラン名",
            "ふるさと納税",
            report.findings[0].message,
            "plan-name-mismatch",
        ],
        [
            2,
            "✖ エラー",
            "アクションプラン",
            "I18",
            "指標I 1年目の実績",
            "12?",
            report.findings[1].message,
            "value-invalid",
        ],
        [
            3,
            "▲ 警告",
            "アクションプラン",
            "A7",
            "1 アウトカム(実施目的)",
            "=1+1",
            report.findings[2].message,
            "text-formula-like",
        ],
    ]
    assert ws["F8"].data_type == "s"
    assert (
        ws["D6"].hyperlink.location == "'アクションプラン'!I18"
        or ws["D6"].hyperlink.location == "'アクションプラン'!B3"
    )
    assert [ws[f"D{r}"].hyperlink.location for r in (6, 7, 8)] == [
        "'アクションプラン'!B3",
        "'アクションプラン'!I18",
        "'アクションプラン'!A7",
    ]
    card = book["アクションプラン"]
    assert card["I18"].comment.text.startswith("✖【エラー】「12?」を数値として読めません。")
    assert card["B3"].comment.text.startswith("▲【警告】アクションプラン名が登録と違います")
    assert (card["I18"].fill.fgColor.rgb, card["I18"].border.left.style) == ("00FFC7CE", "thick")
    assert (card["B3"].fill.fgColor.rgb, card["B3"].border.left.style) == (
        "00FFE699",
        "mediumDashed",
    )
    assert card["A7"].value == "=1+1" and card["A7"].data_type == "s"
    assert card["J17"].comment is None


def test_unreadable_file_gets_the_list_alone(tmp_path: Path) -> None:
    src = tmp_path / "提出.xlsx"
    shutil.copy(FIXTURES / "encrypted_password_card04.xlsx", src)
    out = write_feedback(src, validate_file(src).findings, tmp_path)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["確認結果"]
    assert book["確認結果"]["A3"].value.startswith("ファイルを開けなかったため")
    assert book["確認結果"]["H6"].value == "file-encrypted"


def test_validate_cli_table_json_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = filled_sample(tmp_path, "02", achievements="")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "■ card_02.xlsx（要修正）",
        "  重要度  セル    項目                  内容",
        "  エラー  A34     取組実績              取組実績が空欄です。報告年度に実施した取組とその結果を記入してください。",
        "合計 1 ファイル: エラー 1 件（1 ファイル）・警告 0 件",
    ]
    assert main(["validate", str(bad), "--json", "--feedback", str(tmp_path / "fb")]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "code": "achievements-missing",
            "severity": "エラー",
            "file": "card_02.xlsx",
            "sheet": "アクションプラン",
            "cell": "A34",
            "field": "achievements",
            "value": None,
            "message": rows[0]["message"],
        }
    ]
    assert (tmp_path / "fb" / "card_02_確認結果.xlsx").exists()
    assert main(["validate", str(ROOT / "inbox")]) == 0
    assert "合計 13 ファイル: エラー 0 件（0 ファイル）・警告 2 件" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "ない.xlsx")]) == 2
