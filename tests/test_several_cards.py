"""One workbook with several cards (職員課 sends plans 06 and 07 in one book): several
submissions, each validated, merged and fed back on its own, the workbook filed once."""

from __future__ import annotations

import copy
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from corpus import template_book
from test_run import _root

from ubereport.card import layout
from ubereport.cli import main
from ubereport.master import read_master


def _two_cards(tmp_path: Path, second_achievements: str | None = None) -> Path:
    book = template_book(tmp_path, "06")
    fields = {} if second_achievements is None else {"achievements": second_achievements}
    second = book.copy_sheet(layout.SHEET_NAME, "人材育成")
    second.cells = copy.deepcopy(template_book(tmp_path, "07", **fields).card.cells)
    path = book.save(tmp_path / "職員課_R4.xlsx")
    t = time.time() - 3600
    os.utime(path, (t, t))
    return path


def test_each_card_is_its_own_submission_and_the_book_is_filed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    book = _two_cards(tmp_path)
    (root / "inbox" / book.name).write_bytes(book.read_bytes())
    os.utime(root / "inbox" / book.name, (time.time() - 3600,) * 2)
    assert main(["run", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "受理  職員課_R4.xlsx（シート「アクションプラン」）" in out
    assert "受理  職員課_R4.xlsx（シート「人材育成」）" in out
    archived = sorted(p.name for p in (root / "archive" / "R4").iterdir())
    assert len(archived) == 1 and archived[0].startswith("職員課_R4_")
    assert list((root / "inbox").iterdir()) == []
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    rows = [
        (r["submission_id"][-2:], r["file_name"], r["sheet"], r["plan_no"], r["decision"])
        for r in data.rows("submissions")
    ]
    assert rows == [
        ("-1", "職員課_R4.xlsx", "アクションプラン", "06", "受理"),
        ("-2", "職員課_R4.xlsx", "人材育成", "07", "受理"),
    ]
    plans = {r["plan_no"]: r["submission_id"] for r in data.rows("plans")}
    assert plans["06"].endswith("-1") and plans["07"].endswith("-2")
    findings = [(r["submission_id"][-2:], r["code"]) for r in data.rows("findings")]
    assert findings == [("-1", "sheet-several"), ("-2", "sheet-several")]

    # the same book again: both cards already recorded, nothing merged twice
    (root / "inbox" / book.name).write_bytes(book.read_bytes())
    os.utime(root / "inbox" / book.name, (time.time() - 3600,) * 2)
    assert main(["run", "--root", str(root)]) == 0
    assert len(read_master(root / "outbox" / "アクションプラン台帳.xlsx").rows("submissions")) == 2


def test_one_rejected_card_rejects_the_book_with_one_feedback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    book = _two_cards(tmp_path, second_achievements="")
    (root / "inbox" / book.name).write_bytes(book.read_bytes())
    os.utime(root / "inbox" / book.name, (time.time() - 3600,) * 2)
    assert main(["run", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    lines = [re.sub(r" {2,}", "  ", line) for line in out.splitlines()]
    assert any(
        line.startswith("受理  職員課_R4.xlsx（シート「アクションプラン」）  ") for line in lines
    )
    assert any(line.startswith("要修正  職員課_R4.xlsx（シート「人材育成」）  ") for line in lines)
    rejected = sorted(p.name for p in (root / "rejected").iterdir())
    assert len(rejected) == 2 and rejected[1].endswith("_確認結果.xlsx")
    feedback = openpyxl.load_workbook(root / "rejected" / rejected[1])
    listed = [
        (row[2].value, row[3].value, row[7].value)
        for row in feedback["確認結果"].iter_rows(min_row=6)
    ]
    assert listed == [
        (None, None, "sheet-several"),
        ("人材育成", "A34", "achievements-missing"),
    ]
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    decisions = [(r["sheet"], r["decision"]) for r in data.rows("submissions")]
    assert decisions == [("アクションプラン", "受理"), ("人材育成", "要修正")]
    assert {r["plan_no"] for r in data.rows("plans") if r.get("submission_id")} == {"06"}


def test_validate_cli_lists_each_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _two_cards(tmp_path)
    assert main(["validate", str(book)]) == 0
    out = capsys.readouterr().out
    assert "■ 職員課_R4.xlsx（シート「アクションプラン」）（受理）" in out
    assert "■ 職員課_R4.xlsx（シート「人材育成」）（受理）" in out
    assert "合計 1 ファイル: エラー 0 件（0 ファイル）・警告 2 件" in out
