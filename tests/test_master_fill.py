"""The master's data rows written straight into xlsxwriter's package (ubereport.master.fill).

The oracle is xlsxwriter itself: the same tables written cell by cell through its API (what the
master writer did before) must open in openpyxl with the same values, types, fonts, number
formats, alignment, column widths, panes, filters and sheet states.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from builders import rewrite_parts

from ubereport.card.xlsx_source import SourceError, XlsxSource
from ubereport.errors import MasterUnwritable
from ubereport.master.fill import EXCEL_MAX_TEXT
from ubereport.master.schema import TABLES, Kind
from ubereport.master.store import (
    BOOK_OPTIONS,
    MasterData,
    lay_out,
    new_master,
    read_master,
    recompute,
    sort_rows,
    write_master,
)
from ubereport.plan.registry import default_registry

TRICKY_TEXTS = [
    "  前後に空白  ",
    "改行\nあり\tタブ",
    "制御文字\x01\x1fあり",
    "見かけだけのエスケープ _x0041_ と _x005F_",
    "XML特殊文字 & < > \" '",
    "=1+1",
    "絵文字😀と𠮷",
    "長い" * 3000,
]


def tricky_master() -> MasterData:
    data = new_master(default_registry())
    data.tables["plans"][0]["outcome"] = TRICKY_TEXTS[0]
    for i, text in enumerate(TRICKY_TEXTS):
        data.tables["kpi_values"].append(
            {
                "plan_no": f"{i + 1:02d}",
                "kpi_no": i + 1,
                "fiscal_year": "R4",
                "target_text": ["99.05%", "4,200件", "0.30000000000000004", "1e300"][i % 4],
                "actual_text": text,
                "assessment_reason": text,
                "submission_id": "S0001",
            }
        )
    data.tables["history"].append(
        {"seq": 1, "changed_at": "2026-11-21 10:00:00", "old": 12345678901234567, "new": 0.1}
    )
    data.tables["submissions"].append(
        {"submission_id": "S0001", "file_name": " 先頭空白.xlsx", "errors": 0, "warnings": 3}
    )
    return data


def oracle_book(path: Path, data: MasterData) -> None:
    """The master as xlsxwriter's own per-cell API writes it, on the same layout."""
    book = xlsxwriter.Workbook(str(path), BOOK_OPTIONS)
    fmt, tables = lay_out(book, data)
    for table, sheet, numeric in tables:
        for r, record in enumerate(data.rows(table.name), start=1):
            for col, column in enumerate(table.columns):
                value = record.get(column.key)
                if value is None or value == "":
                    continue
                if numeric[col] and isinstance(value, int | float):
                    sheet.write_number(r, col, value, fmt.number)
                else:
                    sheet.write_string(r, col, str(value), fmt.body)
    book.close()


def describe(path: Path) -> dict[str, Any]:
    """Everything a person or Excel sees in a workbook, as plain data."""
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": book.sheetnames}
    for ws in book.worksheets:
        cells = [
            (
                c.coordinate,
                c.value,
                c.data_type,
                c.number_format,
                c.font.name,
                c.font.b,
                c.alignment.vertical,
                c.alignment.wrap_text,
                c.fill.fgColor.rgb,
                c.border.left.style,
            )
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        out[ws.title] = {
            "cells": cells,
            "dimension": ws.dimensions,
            "widths": widths,
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "state": ws.sheet_state,
            "row1_height": ws.row_dimensions[1].height,
            "print": (
                ws.page_setup.paperSize,
                ws.page_setup.orientation,
                ws.sheet_properties.pageSetUpPr.fitToPage
                if ws.sheet_properties.pageSetUpPr
                else None,
                ws.page_setup.scale,
                ws.print_title_rows,
                ws.print_title_cols,
                ws.oddHeader.left.text,
                ws.oddFooter.center.text,
            ),
        }
    return out


def test_rows_written_into_the_package_look_exactly_like_xlsxwriters(tmp_path: Path) -> None:
    data = tricky_master()
    recompute(data)
    sort_rows(data)
    oracle_book(tmp_path / "oracle.xlsx", data)
    write_master(tmp_path / "master.xlsx", tricky_master(), backups=0)
    expected, actual = describe(tmp_path / "oracle.xlsx"), describe(tmp_path / "master.xlsx")
    assert actual.keys() == expected.keys()
    for key in expected:
        assert actual[key] == expected[key], key
    assert actual["指標値"]["print"] == (
        8,  # A3
        "landscape",
        None,  # never fit to the page
        None,  # 100 % (the default, left out)
        "$1:$1",
        "$A:$C",  # the key columns repeat on a page to the right
        "アクションプラン台帳　&A",
        "&P / &N",
    )
    row2 = [c[:3] for c in actual["指標値"]["cells"] if c[0][1:] == "2"]
    assert row2 == [
        ("A2", "01", "s"),
        ("B2", 1, "n"),
        ("C2", "R4", "s"),
        ("D2", "99.05%", "s"),
        ("E2", 99.05, "n"),
        ("F2", "%", "s"),
        ("H2", "  前後に空白  ", "s"),
        ("M2", "  前後に空白  ", "s"),
        ("N2", "S0001", "s"),
    ]


def test_every_text_and_number_comes_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    data = tricky_master()
    write_master(path, data, backups=0)
    back = read_master(path)
    assert [r["actual_text"] for r in back.rows("kpi_values")] == TRICKY_TEXTS
    assert [r["assessment_reason"] for r in back.rows("kpi_values")] == TRICKY_TEXTS
    assert [(r["target_value"], r["target_unit"]) for r in back.rows("kpi_values")] == [
        (99.05, "%"),
        (4200.0, "件"),
        (0.3, None),
        (None, None),
    ] * 2
    assert back.rows("history")[0]["old"] == "12345678901234567"
    assert back.rows("history")[0]["new"] == "0.1"
    assert back.rows("submissions")[0]["file_name"] == " 先頭空白.xlsx"
    recompute(back)  # the 数値 column is rebuilt from the 原文: 0.30000000000000004 again
    assert back.tables == as_stored(data)


def as_stored(data: MasterData) -> dict[str, list[dict[str, Any]]]:
    """Every column of every row as the master holds it: text as text, empty text as None."""

    def stored(value: Any, kind: Kind) -> Any:
        if value is None or value == "":
            return None
        return str(value) if kind is Kind.TEXT else value

    return {
        table.name: [
            {c.key: stored(r.get(c.key), c.kind) for c in table.columns}
            for r in data.tables[table.name]
        ]
        for table in TABLES
    }


def test_a_text_too_long_for_an_excel_cell_stops_the_write_naming_the_cell(
    tmp_path: Path,
) -> None:
    path = tmp_path / "master.xlsx"
    data = new_master(default_registry())
    data.tables["narratives"].append(
        {
            "plan_no": "02",
            "fiscal_year": "R4",
            "achievements": "あ" * (EXCEL_MAX_TEXT + 1),
            "submission_id": "S1a2b3c4d5e",
        }
    )
    with pytest.raises(MasterUnwritable) as err:
        write_master(path, data, backups=0)
    assert str(err.value) == (
        "台帳「報告」の C2（取組実績）に入れる文字列が Excel の上限（32,767文字）を超えています"
        "（32,768文字）。台帳は元のままです。提出ID S1a2b3c4d5e のファイルの「取組実績」の欄を"
        "短くして提出し直してください。"
    )
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_master_saved_by_excel_keeps_every_value_and_shows_percent_edits_as_typed(
    tmp_path: Path,
) -> None:
    """Excel re-saves with its own styles; a clerk typing 85.5% stores 0.855 formatted 0.0%."""
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    before = read_master(path)
    recompute(before)
    book = openpyxl.load_workbook(path)
    sheet = book["指標値"]
    sheet["D2"].value = 0.855
    sheet["D2"].number_format = "0.0%"
    sheet["H2"].value = 4316
    book.save(path)
    after = read_master(path)
    first = after.rows("kpi_values")[0]
    assert (first["target_text"], first["actual_text"]) == ("85.5%", "4316")
    recompute(after)
    assert (first["target_value"], first["target_unit"]) == (85.5, "%")
    first.update(target_text="99.05%", target_value=99.05, actual_text=TRICKY_TEXTS[0])
    first.update(actual_value=None, actual_unit=None, actual_comparator=None)
    # openpyxl (standing in for Excel here) reads the escaped literal _x005F_x0041_ back as
    # _x0041_ and then saves that unescaped; Excel keeps it. Not ubereport's doing:
    fake_escape = after.rows("kpi_values")[3]
    assert fake_escape["actual_text"] == "見かけだけのエスケープ A と _"
    fake_escape.update(actual_text=TRICKY_TEXTS[3], assessment_reason=TRICKY_TEXTS[3])
    assert after.tables == before.tables
    assert len(after.rows("kpi_values")) == len(TRICKY_TEXTS)


def test_rows_reports_a_broken_cell_as_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    sheet_xml = "xl/worksheets/sheet4.xml"
    for old, new, detail in [
        ('<c r="A2"', '<c r="2A"', "指標値: セル番地「2A」が不正です"),
        ("<v>99.05</v>", "<v>99,05</v>", "指標値: セル E2 の値が読めません"),
    ]:
        with zipfile.ZipFile(path) as package:
            text = package.read(sheet_xml).decode()
        assert old in text
        broken = rewrite_parts(
            path, tmp_path / "broken.xlsx", {sheet_xml: text.replace(old, new, 1).encode()}
        )
        source = XlsxSource(broken)
        with pytest.raises(SourceError) as err:
            source.rows("指標値")
        assert (err.value.code, err.value.detail.split("（")[0]) == ("file-corrupt", detail)
        with pytest.raises(MasterUnwritable) as unreadable:  # a run stops with this, exit 2
            read_master(broken)
        assert str(unreadable.value).startswith(f"台帳「{broken}」を読めません（{detail}")
        assert str(unreadable.value).endswith("）。バックアップから戻してください。")
