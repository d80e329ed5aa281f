"""A batch read in worker processes gives exactly what one process gives (issue 7.4)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from builders import ROOT, filled_sample

from ubereport.card.xlsx_source import XlsxSource
from ubereport.cli import main
from ubereport.master import read_master
from ubereport.master.cache import cache_path, content_sha256, load_base
from ubereport.report.unchanged import RECORD_NAME
from ubereport.validate.parallel import PARALLEL_MIN_FILES, worker_count

CARDS = sorted((ROOT / "inbox").glob("*.xlsx"))
VOLATILE = {"received_at", "changed_at", "archived_to"}
STAMP = re.compile(r"_\d{8}-\d{6}(?:-\d+)?")
# run times as the reports print them: 「2026-12-01 10:41:48」, 「2026-12-01 10:41」, 「2026/12/1」
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?|\d{4}/\d{1,2}/\d{1,2}")


def batch(folder: Path) -> list[Path]:
    """The inbox sample, newer resubmissions, an identical copy and the usual broken files."""
    folder.mkdir()
    files = [shutil.copy(card, folder / card.name) for card in CARDS]
    for plan in ("02", "05", "09"):
        (folder / plan).mkdir()
        card = filled_sample(folder / plan, plan, achievements=f"再提出 {plan}")
        files.append(card.rename(folder / f"{plan}_再提出.xlsx"))
    (folder / "bad").mkdir()
    missing = filled_sample(folder / "bad", "13", achievements="", kpi1_actual_y1="12?")
    files.append(missing.rename(folder / "13_要修正.xlsx"))
    files.append(Path(shutil.copy(CARDS[0], folder / "01_同じ内容.xlsx")))
    truncated = folder / "04_途中まで.xlsx"
    truncated.write_bytes(CARDS[2].read_bytes()[:9000])
    files.append(truncated)
    (folder / "06_CSV.xlsx").write_bytes("計画No,実績\n06,12\n".encode("cp932"))
    files.append(folder / "06_CSV.xlsx")
    for i, path in enumerate(files):  # an hour ago, a minute apart: newest = last
        t = 1_700_000_000 + 60 * i
        os.utime(path, (t, t))
    return [Path(p) for p in files]


def run_root(tmp_path: Path, name: str, files: list[Path], workers: int) -> tuple[Path, str]:
    root = tmp_path / name
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("settle_seconds = 60", "settle_seconds = 0")
    config.write_text(text.replace("workers = 0", f"workers = {workers}"), encoding="utf-8")
    for path in files:
        shutil.copy2(path, root / "inbox" / path.name)
    return root, name


def outputs(root: Path) -> dict[str, Any]:
    """Every file the run left, as comparable content (run stamps and times taken out)."""
    out: dict[str, Any] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = STAMP.sub("_<stamp>", str(path.relative_to(root)))
        if rel.startswith(("logs", "outbox/backup")) or path.name == "ubereport.toml":
            continue
        if path.name == "アクションプラン台帳.xlsx":
            data = read_master(path)
            out[rel] = {
                name: [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]
                for name, rows in data.tables.items()
            }
        elif path.suffix == ".xlsx" and (rel.startswith("outbox") or "_確認結果" in path.name):
            source = XlsxSource(path)
            out[rel] = {
                sheet: {ref: _untimed(c.value) for ref, c in source.cells(sheet).items()}
                for sheet in source.sheet_names
            }
            source.close()
        elif path.name == ".ubereport_state.json":
            state = json.loads(path.read_text(encoding="utf-8"))
            out[rel] = {k: v for k, v in state.items() if k != "master"}  # size and mtime
        elif path.name == RECORD_NAME:  # which card files were written for which content
            record = json.loads(path.read_text(encoding="utf-8"))
            out[rel] = {name: entry[0] for name, entry in record.items()}  # not size and mtime
        elif path == cache_path(root / "outbox" / "アクションプラン台帳.xlsx"):
            master = root / "outbox" / "アクションプラン台帳.xlsx"
            base = load_base(master, content_sha256(master.read_bytes()))
            out[rel] = (
                base is not None and base.tables == read_master(master, cached=True).base.tables
            )
        else:
            out[rel] = path.read_bytes()
    return out


def _untimed(value: object) -> object:
    return TIME.sub("<time>", value) if isinstance(value, str) else value


def test_the_settings_file_says_from_how_many_files_cards_are_read_in_parallel() -> None:
    """The comment in a new ubereport.toml tells the clerk the threshold the code uses."""
    from ubereport.job.config import DEFAULT_TOML

    line = next(
        x for x in DEFAULT_TOML.splitlines() if x.startswith("# カードの検査に使うプロセス数")
    )
    assert line == (
        f"# カードの検査に使うプロセス数（0: {PARALLEL_MIN_FILES}件以上のとき自動で並列、"
        "1: 並列にしない）"
    )


def test_worker_count_is_automatic_only_for_large_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert [worker_count(n) for n in (0, 1, PARALLEL_MIN_FILES - 1, PARALLEL_MIN_FILES)] == [
        1,
        1,
        1,
        2,
    ]
    assert [worker_count(5000, w) for w in (1, 2, 3)] == [1, 2, 3]
    assert worker_count(2, 8) == 2
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert worker_count(5000) == 1


def test_a_run_with_two_worker_processes_equals_a_single_process_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = batch(tmp_path / "batch")
    single, _ = run_root(tmp_path, "single", files, workers=1)
    double, _ = run_root(tmp_path, "double", files, workers=2)
    capsys.readouterr()
    assert main(["run", "--root", str(single)]) == 1
    single_out = capsys.readouterr().out
    assert main(["run", "--root", str(double)]) == 1
    double_out = capsys.readouterr().out
    assert STAMP.sub("", double_out.replace(str(double), "<root>")) == STAMP.sub(
        "", single_out.replace(str(single), "<root>")
    )
    assert "合計: 受理 12 件・要修正 3 件・処理済み 1 件・不採用 4 件" in single_out.splitlines()
    expected, actual = outputs(single), outputs(double)
    assert sorted(actual) == sorted(expected)
    for rel in expected:
        assert actual[rel] == expected[rel], rel
    submissions = read_master(double / "outbox" / "アクションプラン台帳.xlsx").rows("submissions")
    assert len(submissions) == len(files) - 1  # the identical copy is the same submission


def test_workers_that_cannot_start_fall_back_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ubereport.validate.parallel as parallel
    from ubereport.plan.registry import default_registry

    class NoProcesses:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError(1, "Operation not permitted")

    files = sorted(CARDS[:3])
    expected = parallel.submit_all(files, default_registry(), registered_targets={}, workers=1)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", NoProcesses)
    actual = parallel.submit_all(files, default_registry(), registered_targets={}, workers=2)
    assert [(s.path, s.sha256, s.report.findings, s.card) for s in actual] == [
        (s.path, s.sha256, s.report.findings, s.card) for s in expected
    ]


def test_the_pool_helper_process_is_let_go_once_the_workers_are_done() -> None:
    """multiprocessing's resource tracker (a process of its own, ~15 MB) is stopped once no
    pool runs, before the reports; a later pool starts it again and works as before."""
    from multiprocessing import resource_tracker

    import ubereport.validate.parallel as parallel
    from ubereport.plan.registry import default_registry

    tracker = resource_tracker._resource_tracker
    files = sorted(CARDS[:3])
    first = parallel.submit_all(files, default_registry(), registered_targets={}, workers=2)
    assert tracker._pid is not None  # started beside the pool
    pid = tracker._pid
    parallel.release_pool_helper()
    assert tracker._pid is None and tracker._fd is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # gone, and reaped
    parallel.release_pool_helper()  # nothing running: nothing to do
    again = parallel.submit_all(files, default_registry(), registered_targets={}, workers=2)
    assert [(s.path, s.sha256, s.report.findings, s.card) for s in again] == [
        (s.path, s.sha256, s.report.findings, s.card) for s in first
    ]
    # the heads' texts are shared across the batch, not one copy per worker result
    assert len({id(s.head.sheet) for s in again if s.head}) == 1
    parallel.release_pool_helper()
