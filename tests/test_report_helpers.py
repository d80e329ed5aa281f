"""Shared by the report tests: the sample master, built the way the office builds it.

``init_master`` and then ``merge_files`` on the 13 bundled sample cards in ``inbox/`` (plan 03 has
none). Built once per test session and copied, so every test gets its own file.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from builders import ROOT
from openpyxl.worksheet.worksheet import Worksheet

from ubereport.master import init_master, merge_files
from ubereport.plan.registry import default_registry

REG = default_registry()
MASTER_NAME = "アクションプラン台帳.xlsx"


@cache
def _built_master() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ubereport-report-tests-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / MASTER_NAME
    init_master(path, REG)
    cards = sorted((ROOT / "inbox").glob("*.xlsx"))
    assert len(cards) == 13
    outcome = merge_files(cards, path, REG)
    assert outcome.written is True
    return path


def sample_master(folder: Path) -> Path:
    """A copy of the sample master at ``folder/アクションプラン台帳.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MASTER_NAME
    shutil.copy2(_built_master(), target)
    return target


def rows_of(sheet: Worksheet, first_row: int, last_col: int | None = None) -> list[list[Any]]:
    """The values of every row from ``first_row`` down (1-based), up to ``last_col``."""
    return [
        [c.value for c in row[:last_col]]
        for row in sheet.iter_rows(min_row=first_row)
        if any(c.value is not None for c in row)
    ]


def test_sample_master_has_the_13_sample_submissions(tmp_path: Path) -> None:
    from ubereport.master import read_master

    data = read_master(sample_master(tmp_path))
    assert [r["plan_no"] for r in data.rows("submissions")] == [
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
    assert {r["decision"] for r in data.rows("submissions")} == {"受理"}
