"""The incremental run (issue 18): one new card into a root that already holds many.

The run takes the master's tables from the cache when it was made from this very file, appends to
the master's append-only sheets, and rewrites only the per-plan card files whose content changes.
Each shortcut must give exactly what the long way gives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from builders import filled_sample
from test_master import snapshot
from test_master_fill import describe
from test_store_of_record import CARDS, MASTER, drop, job_root, owner_file

from ubereport.cli import main
from ubereport.master.cache import cache_path, content_sha256, load_base
from ubereport.master.store import read_master


def cards(root: Path) -> dict[str, int]:
    folder = root / "outbox" / "R4" / "cards"
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.iterdir())}


def test_a_run_with_the_cache_ends_as_one_without_it(tmp_path: Path) -> None:
    """Two roots get the same cards in the same runs; one loses its cache before every run."""
    batches = [("01", "02", "04"), ("05",), ("02",), ("06", "07")]
    roots = [job_root(tmp_path / name) for name in ("cached", "uncached")]
    for batch in batches:
        for root in roots:
            drop(root, *batch)
        cache_path(roots[1] / "outbox" / MASTER).unlink(missing_ok=True)
        for root in roots:
            assert main(["run", "--root", str(root)]) == 0
    cached, uncached = (root / "outbox" / MASTER for root in roots)
    assert snapshot(cached).keys() == snapshot(uncached).keys()
    for name, rows in snapshot(cached).items():
        other = snapshot(uncached)[name]
        if name == "submissions":  # received times and file stamps differ between the roots
            keep = ("submission_id", "file_name", "sha256", "decision", "errors", "warnings")
            rows = [{k: r[k] for k in keep} for r in rows]
            other = [{k: r[k] for k in keep} for r in other]
        if name == "history":
            rows = [{k: v for k, v in r.items() if k != "changed_at"} for r in rows]
            other = [{k: v for k, v in r.items() if k != "changed_at"} for r in other]
        assert rows == other, name
    a, b = describe(cached), describe(uncached)
    for sheet in ("計画", "指標", "指標値", "取組", "報告", "_提出値"):
        assert a[sheet] == b[sheet], sheet
    base = load_base(cached, content_sha256(cached.read_bytes()))
    # the first write rebuilt the book read in full; the third run wrote nothing (処理済み); the
    # second and the fourth appended
    assert base is not None and base.ours and base.appended == 2
    assert read_master(cached, cached=True).tables == read_master(cached).tables


def test_only_the_changed_plans_card_file_is_rewritten(tmp_path: Path) -> None:
    root = job_root(tmp_path, "01", "02", "04")
    assert main(["run", "--root", str(root)]) == 0
    first = cards(root)
    assert len(first) == 3
    drop(root, "05")
    assert main(["run", "--root", str(root)]) == 0
    second = cards(root)
    assert {k: v for k, v in second.items() if k in first} == first  # untouched
    assert len(second) == 4
    # a resubmission of plan 02 with another actual: only 02's file is written again
    card = root / "inbox" / "02_resubmitted.xlsx"
    shutil.copy(filled_sample(tmp_path, "02", kpi1_actual_y1="1,234件"), card)
    assert main(["run", "--root", str(root)]) in (0, 1)
    third = cards(root)
    changed = {k for k in third if third[k] != second[k]}
    assert changed == {k for k in third if k.startswith("02_")}


def test_a_card_file_changed_removed_or_held_open_is_written_again(tmp_path: Path) -> None:
    root = job_root(tmp_path, "01", "02")
    assert main(["run", "--root", str(root)]) == 0
    folder = root / "outbox" / "R4" / "cards"
    one, two = sorted(folder.iterdir())
    expected = describe(one)
    one.write_bytes(b"someone saved over it")
    two.unlink()
    drop(root, "04")
    assert main(["run", "--root", str(root)]) == 0
    assert describe(one) == expected
    assert two.exists()
    # held open in Excel: left as it is and noted; written by the next run after it is closed
    held = owner_file(one, "宇部 花子")
    one.write_bytes(b"stale copy in Excel")
    drop(root, "05")
    main(["run", "--root", str(root)])
    assert one.read_bytes() == b"stale copy in Excel"
    held.unlink()
    drop(root, "06")
    assert main(["run", "--root", str(root)]) == 0
    assert describe(one) == expected


def test_a_card_dropped_into_the_inbox_twice_changes_nothing_twice(tmp_path: Path) -> None:
    root = job_root(tmp_path, "01")
    assert main(["run", "--root", str(root)]) == 0
    before = (root / "outbox" / MASTER).read_bytes()
    shutil.copy(CARDS["01"], root / "inbox" / "copy.xlsx")
    assert main(["run", "--root", str(root)]) == 0
    assert read_master(root / "outbox" / MASTER).tables["submissions"][0]["sha256"]
    assert snapshot(root / "outbox" / MASTER) == snapshot_bytes(before, tmp_path)


def snapshot_bytes(content: bytes, tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "before.xlsx"
    path.write_bytes(content)
    return snapshot(path)


def test_a_cache_or_record_that_cannot_be_written_never_fails_the_run(tmp_path: Path) -> None:
    """Both are disposable: the run goes on without them and reads the master in full."""
    root = job_root(tmp_path, "01")
    master = root / "outbox" / MASTER
    cache_path(master).mkdir(parents=True)  # something in the way: the cache cannot be replaced
    (root / "outbox" / ".ubereport_rendered.json").mkdir()
    assert main(["run", "--root", str(root)]) == 0
    drop(root, "02")
    assert main(["run", "--root", str(root)]) == 0
    assert [r["plan_no"] for r in read_master(master).tables["submissions"]] == ["01", "02"]
    assert len(cards(root)) == 2
    assert read_master(master, cached=True).tables == read_master(master).tables
