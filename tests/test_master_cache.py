"""The parsed-master cache and the appending master writer (ubereport.master.cache, fill.refill).

The cache is disposable: whatever it holds, a run must see exactly what a full read of the master
file sees, and a master written by appending must look exactly like one written whole.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_master_fill import TRICKY_TEXTS, describe, oracle_book, tricky_master

from ubereport.master import cache
from ubereport.master.cache import (
    FULL_EVERY,
    Base,
    Segment,
    cache_path,
    content_sha256,
    load_base,
    save_base,
)
from ubereport.master.digest import Digest
from ubereport.master.schema import TABLES
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
    groups = cached.submission_groups()  # from the cache's digest, 提出 not built
    assert not cached.is_built("submissions")
    assert groups == Digest.of(full.rows("submissions")).groups
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
    expected = data.tables
    cache = cache_path(path)
    good = cache.read_bytes()

    sha = content_sha256(path.read_bytes())
    made = load_base(path, sha)
    assert made is not None
    tables = {t.name: [list(r) for r in made.rows(t.name)] for t in TABLES}
    tables["plans"][0][1] = "キャッシュだけの名前"  # same key, other content: it is used
    save_base(path, Base.of(sha, tables))
    assert read_master(path, cached=True).rows("plans")[0]["plan_name"] == "キャッシュだけの名前"
    save_base(path, Base.of("0" * 64, tables))  # made from other bytes: not used
    assert read_master(path, cached=True).tables == expected
    cut = good.rindex(b"\n") + 1  # the tables' lines, then the header line
    body, head = good[:cut], good[cut:]
    header = json.loads(head)
    broken = [
        b"",
        b"{",
        b"[]",
        b'{"format": "ubereport-master-cache-2"}',
        body + json.dumps(header | {"tables": {}}).encode(),  # no tables
        body[:-10] + head,  # cut short
        body.replace(b"plans\t[[", b"plans\t[ [") + head,  # changed by hand
        body + json.dumps(header | {"format": "ubereport-master-cache-1"}).encode(),
        head + b"\n" + body,  # the first format's order
    ]
    for text in broken:
        cache.write_bytes(text)
        again = read_master(path, cached=True)
        assert again.tables == expected
        made = cache.read_bytes().rsplit(b"\n", 1)[1]
        assert json.loads(made)["sha256"] == content_sha256(path.read_bytes())


def test_a_cached_table_that_does_not_parse_is_read_from_the_master(tmp_path: Path) -> None:
    """A cache whose header and checksum hold but one table is not rows of its width (a cache
    written by a faulty version): that table comes from the master file, the others from the
    cache, and the next write appends as usual."""
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    write_master(path, data, backups=0)  # ours from now on
    expected = read_master(path).tables
    sha = content_sha256(path.read_bytes())
    base = load_base(path, sha)
    assert base is not None
    for name, text in (("history", b"[[1]]"), ("submissions", b"[1,2]"), ("findings", b"[")):
        bad = Base(sha, dict(base.segments), ours=True, package=base.package)
        bad.segments[name] = Segment(base.count(name), (text,))
        save_base(path, bad)
        again = read_master(path, cached=True)
        assert again.tables == expected
        grow(again, 1)
        write_master(path, again, backups=0)
        assert again.base is not None and again.base.appended == 1
        same_as_full_read(path, again)
        write_master(path, read_master(path), backups=0)  # back to the file of this test
        data = read_master(path, cached=True)
        write_master(path, data, backups=0)
        expected = read_master(path).tables
        sha = content_sha256(path.read_bytes())
        base = load_base(path, sha)
        assert base is not None


NOTE = {"received_at": "2026-12-02 10:00:00", "file_name": "new.xlsx"}


def test_a_new_hash_is_known_new_without_building_the_submissions(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    data = read_master(path, cached=True)
    for round_no in range(1, 3):
        grow(data, round_no)
        write_master(path, data, backups=0)
    data = read_master(path, cached=True)
    recorded = data.recorded()
    assert f"{5:064x}" not in recorded and not data.knows(f"{5:064x}")
    assert not data.has_submission("S0005")
    assert not data.is_built("submissions")
    data.append("submissions", {"submission_id": "S0009", "sha256": f"{9:064x}"} | NOTE)
    assert f"{9:064x}" in recorded and data.has_submission("S0009")  # appended, not yet written
    assert f"{1:064x}" in recorded and recorded[f"{1:064x}"] == "2026-12-01 09:00:00 " + (
        f"{TRICKY_TEXTS[1][:40]}.xlsx"
    )
    assert data.is_built("submissions")  # a known hash: 提出 is built to say when it came
    assert data.all_hashes(None) == {f"{n:064x}" for n in (1, 2, 9)}
    again = read_master(path, cached=True)
    again.append("submissions", {"submission_id": "S0010", "sha256": f"{10:064x}"} | NOTE)
    held = {f"{n:064x}" for n in (1, 2)}
    assert again.all_hashes(held) == held | {f"{10:064x}"}
    assert not again.is_built("submissions")


def test_a_value_that_only_looks_like_a_hash_is_not_taken_for_one(tmp_path: Path) -> None:
    """The cache's text of 提出 is only a first look: a file name that spells a hash is found
    there, and the rows then say it is no recorded content."""
    path = tmp_path / "master.xlsx"
    data = tricky_master()
    lookalike = f"{7:064x}"
    data.rows("submissions").append({"submission_id": lookalike, "file_name": lookalike})
    write_master(path, data, backups=0)
    first = read_master(path, cached=True)  # a full read makes the cache (rows held as lists)
    assert not first.knows(lookalike) and not first.is_built("submissions")
    cached = read_master(path, cached=True)  # from the cache's text
    assert not cached.knows(lookalike) and cached.is_built("submissions")
    assert not read_master(path, cached=True).has_submission("S9999")
    assert read_master(path, cached=True).has_submission(lookalike)


def test_a_run_appends_without_building_the_append_only_tables(tmp_path: Path) -> None:
    """指摘 and 変更履歴 are only appended to: their rows are never built, and what is written is
    exactly what a whole write of the same rows gives."""
    path = tmp_path / "master.xlsx"
    write_master(path, tricky_master(), backups=0)
    write_master(path, read_master(path, cached=True), backups=0)
    data = read_master(path, cached=True)
    before = {name: data.count(name) for name in ("findings", "history")}
    data.append("findings", {"submission_id": "S9", "seq": 1, "message": "追加 & <x>"})
    data.append("history", {"seq": data.count("history") + 1, "new": "追加"})
    assert not data.is_built("findings") and not data.is_built("history")
    assert data.count("findings") == before["findings"] + 1
    write_master(path, data, backups=0)
    assert not data.is_built("findings") and not data.is_built("history")
    assert data.count("history") == before["history"] + 1
    same_as_full_read(path, data)
    full = read_master(path)
    assert full.rows("findings")[-1]["message"] == "追加 & <x>"
    assert [r["seq"] for r in full.rows("history")][-1] == before["history"] + 1
    recompute(full)
    sort_rows(full)
    oracle_book(tmp_path / "oracle.xlsx", full)
    assert describe(path) == describe(tmp_path / "oracle.xlsx")


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


def test_the_cache_writes_a_table_in_pieces_that_join_to_its_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "ROWS_PER_PIECE", 2)
    for n in range(8):
        rows = [[i, "値", None, 1.5] for i in range(n)]
        assert b"".join(cache._chunks(rows)) == cache.dumps(rows)
