"""A large batch stays small in memory (issue 18): what crosses back from a worker is compact,
only the newest card of each plan and year is kept, feedback is written in the workers.

Outcomes, never timings: which submissions still hold a parsed card, what a worker's result
holds, the bytes a batch keeps alive (``tracemalloc`` counts allocations, which do not depend on
the load of the machine), and that a run with worker processes leaves exactly what a run without
them leaves.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tracemalloc
from pathlib import Path

import pytest
from builders import ROOT, filled_sample
from test_parallel import STAMP, batch, outputs, run_root

from ubereport.card.reader import read_card
from ubereport.cli import main
from ubereport.files import faults
from ubereport.files.content import content_hash
from ubereport.master import read_master
from ubereport.plan.registry import default_registry
from ubereport.validate import parallel
from ubereport.validate.batch import Decision, decide
from ubereport.validate.parallel import FeedbackJob, FeedbackWriter, submit_all, submit_compact

CARDS = {p.name[:2]: p for p in sorted((ROOT / "inbox").glob("*.xlsx"))}


def resubmissions(folder: Path, plan: str, count: int) -> list[Path]:
    """``count`` different cards of one plan and year, a minute apart (the last is the newest)."""
    folder.mkdir()
    out: list[Path] = []
    for i in range(count):
        (folder / str(i)).mkdir()
        card = filled_sample(folder / str(i), plan, achievements=f"{i} 回目の提出")
        out.append(card.rename(folder / f"{plan}_{i:02d}.xlsx"))
        os.utime(out[-1], (1_700_000_000 + 60 * i, 1_700_000_000 + 60 * i))
    return out


def test_a_worker_sends_a_card_that_cannot_be_merged_without_it(tmp_path: Path) -> None:
    rejected = filled_sample(tmp_path, "06", achievements="")  # 取組実績 missing: an エラー
    registry = default_registry()
    [sub] = submit_compact(rejected, registry, {}, None)
    assert sub.report.card is None and sub.packed == b"" and sub.card is None
    card = read_card(rejected, registry).card
    assert card is not None
    assert (sub.head.plan_no, sub.head.fiscal_year, sub.head.sheet) == (
        card.plan_no,
        card.fiscal_year,
        card.sheet,
    )
    assert b"ubereport.card.model" not in pickle.dumps(sub)  # no card object inside at all
    assert sub.report.findings and not sub.report.valid

    [good] = submit_compact(CARDS["04"], registry, {}, None)
    assert good.report.card is None  # crosses as bytes, parsed only when merged
    assert good.card == read_card(CARDS["04"], registry).card
    broken = tmp_path / "04_途中まで.xlsx"
    broken.write_bytes(CARDS["04"].read_bytes()[:9000])
    [cut] = submit_compact(broken, registry, {}, None)
    assert cut.head is None and cut.card is None and cut.packed == b""


@pytest.mark.parametrize("workers", [1, 2])
def test_only_the_newest_card_of_each_plan_and_year_is_kept(tmp_path: Path, workers: int) -> None:
    files = [*resubmissions(tmp_path / "02", "02", 4), CARDS["05"], CARDS["09"]]
    subs = submit_all(files, default_registry(), registered_targets={}, workers=workers)
    holding = [s.path.name for s in subs if s.card is not None]
    assert holding == ["02_03.xlsx", CARDS["05"].name, CARDS["09"].name]
    assert [s.packed == b"" for s in subs] == [True] * 3 + [workers == 1] * 3
    decide(subs)
    accepted = [s.path.name for s in subs if s.decision is Decision.ACCEPTED]
    assert accepted == holding  # exactly the ones decide merges hold their card
    # every submission carries the caller's own path object, not a worker's copy of it
    assert [s.path for s in subs] == files and all(
        s.path is f for s, f in zip(subs, files, strict=True)
    )


def test_a_newer_copy_the_master_knows_does_not_take_the_card_of_an_older_new_one(
    tmp_path: Path,
) -> None:
    older, newer = resubmissions(tmp_path / "02", "02", 2)
    known = {content_hash(newer): "2024-06-01 02_01.xlsx"}
    subs = submit_all([older, newer], default_registry(), registered_targets={}, known=known)
    assert [s.card is not None for s in subs] == [True, False]
    decide(subs, known)
    assert [s.decision for s in subs] == [Decision.ACCEPTED, Decision.ALREADY_PROCESSED]


def test_a_batch_of_resubmissions_keeps_one_card_in_memory(tmp_path: Path) -> None:
    files = resubmissions(tmp_path / "02", "02", 24)
    registry = default_registry()
    submit_all(files[:1], registry, registered_targets={})  # imports, caches: not counted
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        subs = submit_all(files, registry, registered_targets={}, workers=1)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # One parsed card is ~25 KB; 24 of them would be ~600 KB. Kept: one card and 24 small
    # records (findings, head, path); wide margins either way.
    assert len(subs) == 24 and sum(s.card is not None for s in subs) == 1
    assert held < 200_000, held


def test_feedback_written_in_workers_equals_feedback_written_here(tmp_path: Path) -> None:
    sources = []
    for i in range(3):
        (tmp_path / str(i)).mkdir()
        sources.append(
            filled_sample(tmp_path / str(i), "06", achievements="", kpi1_actual_y1=f"{i}?")
        )
    sources.append(tmp_path / "06_CSV.xlsx")
    sources[-1].write_bytes("計画No,実績\n06,12\n".encode("cp932"))
    registry = default_registry()
    jobs = []
    for i, source in enumerate(sources):
        [sub] = parallel.submit(source, registry, {}, None)
        jobs.append(FeedbackJob(source, tuple(sub.findings), tmp_path / "fb", f"{i}_カード.xlsx"))
    here = [done.path for done in FeedbackWriter(jobs, workers=1).results()]
    texts = {p.name: _cells(p) for p in here if p is not None}
    shutil.rmtree(tmp_path / "fb")
    writer = FeedbackWriter(jobs, workers=2)
    assert writer.pool is not None  # really in worker processes
    there = [done.path for done in writer.results()]
    assert there == here
    assert {p.name: _cells(p) for p in there if p is not None} == texts
    assert len(texts) == 4


def _cells(path: Path) -> dict[str, dict[str, object]]:
    from ubereport.card.xlsx_source import XlsxSource

    source = XlsxSource(path)
    try:
        return {
            sheet: {ref: c.value for ref, c in source.cells(sheet).items()}
            for sheet in source.sheet_names
        }
    finally:
        source.close()


def test_a_run_writes_its_feedback_in_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = batch(tmp_path / "batch")
    root, _ = run_root(tmp_path, "double", files, workers=2)
    trace = tmp_path / "points.txt"
    monkeypatch.setenv(faults.ENV, f"trace:{trace}")
    faults.reset()
    assert main(["run", "--root", str(root)]) == 1
    lines = [line.split("\t") for line in trace.read_text(encoding="utf-8").splitlines()]
    feedback = [(n.startswith(faults.WORKER), p) for n, p in lines if p.endswith("_確認結果.xlsx")]
    written = [(in_worker, p) for in_worker, p in feedback if not p.startswith("placed:")]
    assert written and all(in_worker for in_worker, _ in written)
    assert len({p for _, p in written if p.startswith("replace:")}) == 3
    # written into the staging folder by the workers, moved into place by the run itself
    placed = [(in_worker, p) for in_worker, p in feedback if p.startswith("placed:")]
    assert len(placed) == 3 and not any(in_worker for in_worker, _ in placed)
    masters = [p for n, p in lines if p == "replace:アクションプラン台帳.xlsx"]
    assert masters and not any(n.startswith(faults.WORKER) for n, p in lines if p in masters)


@pytest.mark.parametrize("point", [1, 2, 3, 5])
def test_a_worker_killed_while_writing_feedback_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], point: int
) -> None:
    """A worker killed at any of its durable steps (write, flush, replace of a feedback
    workbook): the run writes every workbook itself and ends as a run without workers."""
    files = batch(tmp_path / "batch")
    single, _ = run_root(tmp_path, "single", files, workers=1)
    assert main(["run", "--root", str(single)]) == 1
    expected_out = capsys.readouterr().out
    double, _ = run_root(tmp_path, "double", files, workers=2)
    monkeypatch.setenv(faults.ENV, f"{faults.WORKER}{point}")
    assert main(["run", "--root", str(double)]) == 1
    out = capsys.readouterr().out
    assert STAMP.sub("", out.replace(str(double), "<root>")) == STAMP.sub(
        "", expected_out.replace(str(single), "<root>")
    )
    expected, actual = outputs(single), outputs(double)
    temp = [rel for rel in actual if ".~ubereport-" in rel]  # a killed worker's, swept later
    if point != 3:  # killed before its replace (a worker that writes two gets to point 5)
        assert temp, "no worker was killed"
    assert sorted(rel for rel in actual if rel not in temp) == sorted(expected)
    for rel in expected:
        assert actual[rel] == expected[rel], rel
    rows = read_master(double / "outbox" / "アクションプラン台帳.xlsx").rows("submissions")
    assert len(rows) == len(files) - 1


def test_a_batch_merged_with_shared_indexes_equals_cards_merged_one_by_one(tmp_path: Path) -> None:
    """``merging`` builds the key indexes once per batch (not once per card): the master is the
    same as when every card builds its own, for new plans, resubmissions and several years."""
    from ubereport.master.merge import merge_submission, merging
    from ubereport.master.store import new_master

    files = [*resubmissions(tmp_path / "02", "02", 3), CARDS["05"], CARDS["09"]]
    (tmp_path / "05").mkdir()  # plan 05 again, for its next year
    actuals = {f"kpi{k}_actual_y2": "1" for k in (1, 2)}
    card = filled_sample(tmp_path / "05", "05", fiscal_year="R5", achievements="R5 実績", **actuals)
    files.append(card.rename(tmp_path / "05_R5.xlsx"))
    registry = default_registry()
    subs = decide(submit_all(files, registry, registered_targets={}))
    assert [s.decision for s in subs].count(Decision.ACCEPTED) == 4
    alone, batched = new_master(registry), new_master(registry)
    for sub in subs:
        merge_submission(alone, sub, "2024-06-01 09:00:00")
    with merging(batched):
        results = [merge_submission(batched, sub, "2024-06-01 09:00:00") for sub in subs]
    assert batched.merging is None
    assert batched.tables == alone.tables
    assert [r.state.value if r.state else None for r in results] == [
        None,
        None,
        "新規",
        "新規",
        "新規",
        "更新",
    ]
    assert len(batched.rows("history")) > len(registry.plans)
    # without the list of changed fields: the same master and decisions, the changes counted
    quiet = new_master(registry)
    with merging(quiet):
        unlisted = [merge_submission(quiet, s, "2024-06-01 09:00:00", changes=False) for s in subs]
    assert quiet.tables == batched.tables
    assert [(r.submission_id, r.decision, r.state) for r in unlisted] == [
        (r.submission_id, r.decision, r.state) for r in results
    ]
    assert all(r.changes == [] for r in unlisted) and sum(len(r.changes) for r in results) == len(
        batched.rows("history")
    )
