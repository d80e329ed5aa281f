"""The parsed-master cache and the appending master writer (ubereport.master.cache, fill.refill).

The cache is disposable: whatever it holds, a run must see exactly what a full read of the master
file sees, and a master written by appending must look exactly like one written whole.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from test_master_fill import TRICKY_TEXTS, describe, oracle_book, tricky_master

from ubereport.master.cache import FULL_EVERY, cache_path, content_sha256
from ubereport.master.store import MasterData, read_master, recompute, sort_rows, write_master


def grow(data: MasterData, round_no: int) -> None:
    """What a run does to the tables: append 提出/指摘/変更履歴 rows, change a current value."""
    sid = f"S{round_no:04d}"
    data.tables["submissions"].append(
        {
            "submission_id": sid,
            "file_name": f"{TRICKY_TEXTS[round_no % len(TRICKY_TEXTS)][:40]}.xlsx",
            "sha256": f"{round_no:064x}",
            "received_at": "2026-12-01 09:00:00",
            "decision": "受理",
            "errors": 0,
            "warnings": round_no,
            "archived_to": "",
        }
    )
    for seq, text in enumerate(TRICKY_TEXTS[:3], start=1):
        data.tables["findings"].append(
            {"submission_id": sid, "seq": seq, "severity": "警告", "message": f"{text}{round_no}"}
        )
    data.tables["history"].append(
        {"seq": len(data.tables["history"]) + 1, "old": "", "new": f"新しい値 {round_no} & <b>"}
    )
    data.tables["kpi_values"][0]["actual_text"] = f"{round_no * 10}件"


def same_as_full_read(path: Path, data: MasterData) -> None:
    """The cache beside ``path`` is for its content and holds what a full read returns."""
    full = read_master(path)
    assert data.base is not None
    assert data.base.sha256 == content_sha256(path.read_bytes())
    cached = read_master(path, cached=True)
    assert cached.tables == full.tables
    assert cached.base is not None and cached.base.sha256 == data.base.sha256


def test_appending_writes_read_back_and_look_exactly_like_a_whole_write(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)  # no cache yet: a full read makes it
    assert data.base is not None and not data.base.ours
    same_as_full_read(path, data)
    for round_no in range(1, 4):
        grow(data, round_no)
        write_master(path, data, backups=2)
        same_as_full_read(path, data)
        # the first write after a full read rebuilds the book; the next ones append
        assert data.base.ours and data.base.appended == round_no - 1
        data = read_master(path, cached=True)
    expected = read_master(path)
    recompute(expected)
    sort_rows(expected)
    oracle_book(tmp_path / "oracle.xlsx", expected)
    assert describe(path) == describe(tmp_path / "oracle.xlsx")


def test_appended_rows_follow_a_skipped_empty_row(tmp_path: Path) -> None:
    """A record with no value at all is not written; rows appended later never reuse its number."""
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    write_master(path, data, backups=0)  # written by ubereport from now on: appended to
    data.tables["history"].append({"seq": None, "old": "", "new": None})
    grow(data, 1)
    write_master(path, data, backups=0)
    same_as_full_read(path, data)
    data = read_master(path, cached=True)
    grow(data, 2)
    write_master(path, data, backups=0)
    assert data.base is not None and data.base.appended == 2
    same_as_full_read(path, data)
    book = openpyxl.load_workbook(path)
    rows = [r[0].row for r in book["変更履歴"].iter_rows(min_row=2) if r[0].value is not None]
    assert rows == sorted(set(rows))
    assert [r["new"] for r in read_master(path).tables["history"]] == [
        "0.1",
        "新しい値 1 & <b>",
        "新しい値 2 & <b>",
    ]


def test_a_hand_edited_master_is_read_again_and_rewritten_whole(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    grow(data, 1)
    write_master(path, data, backups=0)
    book = openpyxl.load_workbook(path)  # a clerk corrects a value in Excel and saves
    book["指標値"]["D2"] = "手で直した値"
    book.save(path)
    edited = read_master(path, cached=True)
    assert edited.tables == read_master(path).tables
    assert "手で直した値" in {r["target_text"] for r in edited.tables["kpi_values"]}
    assert edited.base is not None and not edited.base.ours  # Excel's package: never appended to
    grow(edited, 2)
    write_master(path, edited, backups=0)
    assert edited.base is not None and edited.base.appended == 0
    same_as_full_read(path, edited)


def test_a_cache_that_does_not_match_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    cache = cache_path(path)
    head, *lines = cache.read_text(encoding="utf-8").split("\n")
    tables = {name: json.loads(rows) for name, rows in (line.split("\t", 1) for line in lines)}

    def rewrite(head: dict[str, Any]) -> None:
        body = [f"{name}\t{json.dumps(rows, ensure_ascii=False)}" for name, rows in tables.items()]
        cache.write_text("\n".join([json.dumps(head), *body]), encoding="utf-8")

    tables["plans"][0][1] = "キャッシュだけの名前"  # same key, other content: it is used
    rewrite(json.loads(head))
    assert read_master(path, cached=True).tables["plans"][0]["plan_name"] == "キャッシュだけの名前"
    rewrite(json.loads(head) | {"sha256": "0" * 64})  # made from other bytes: not used
    assert read_master(path, cached=True).tables == data.tables
    broken = [
        "",
        "{",
        "[]",
        '{"format": "ubereport-master-cache-1"}',
        head,  # no tables
        head + "\nplans\t[[1]]",  # a row of the wrong width
        head + "\n" + "\n".join(f"{name}\t[" for name in tables),
    ]
    for text in broken:
        cache.write_text(text, encoding="utf-8")
        again = read_master(path, cached=True)
        assert again.tables == data.tables
        made = cache.read_text(encoding="utf-8").split("\n", 1)[0]
        assert json.loads(made)["sha256"] == content_sha256(path.read_bytes())


def test_every_hundredth_write_rebuilds_the_book(tmp_path: Path) -> None:
    """Appending keeps unused shared strings; a whole write now and then drops them."""
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    write_master(path, data, backups=0)  # ours from now on
    assert data.base is not None
    data.base.appended = FULL_EVERY
    data.tables["kpi_values"][0]["actual_text"] = "一度だけの値"
    write_master(path, data, backups=0)
    assert data.base.appended == 0
    with zipfile.ZipFile(path) as package:
        sst = package.read("xl/sharedStrings.xml").decode("utf-8")
    data.tables["kpi_values"][0]["actual_text"] = "別の値"
    write_master(path, data, backups=0)
    with zipfile.ZipFile(path) as package:
        appended = package.read("xl/sharedStrings.xml").decode("utf-8")
    assert "一度だけの値" in sst and "一度だけの値" in appended  # kept while appending
    same_as_full_read(path, data)
