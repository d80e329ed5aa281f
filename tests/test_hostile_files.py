"""Files built to hurt (issue 12): deflate bombs with honest and lying headers, a legal card with
four million styled cells, duplicate zip entries. Each gets its verdict within bounded memory, and
a refused file is never opened again (its feedback is the list alone).

Memory is the peak RSS of the whole ``ubereport run`` process, measured by a parent process that
waits for it (``RUSAGE_CHILDREN``); it does not depend on timing. Wall times are measured by
``bench/hostile.py``, not asserted here.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import deflate_bomb, filled_sample, rewrite_parts, styled_card

from ubereport.card.reader import read_card
from ubereport.cli import main
from ubereport.master import read_master

MIB = 1 << 20
MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(json.dumps({"rc": proc.returncode, "out": proc.stdout, "err": proc.stderr, "peak": peak}))
"""


def measured_run(root: Path) -> dict[str, object]:
    """``ubereport run --root`` in its own process; its exit code, output and peak RSS (MiB)."""
    command = [sys.executable, "-m", "ubereport", "run", "--root", str(root)]
    parent = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(parent.stdout)
    result["peak_mib"] = int(result["peak"]) / 1024  # type: ignore[call-overload]
    return result


def job_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
    config.write_text(text, encoding="utf-8")
    return root


def test_two_gib_deflate_bombs_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    root = job_root(tmp_path)
    card = filled_sample(tmp_path, "02")
    deflate_bomb(root / "inbox" / "bomb_honest.xlsx", card, 2048 * MIB)
    deflate_bomb(root / "inbox" / "bomb_lying.xlsx", card, 2048 * MIB, declared=150 * MIB)
    result = measured_run(root)
    assert result["rc"] == 1, result
    assert result["err"] == ""
    assert float(result["peak_mib"]) <= 200, result["peak_mib"]  # type: ignore[arg-type]
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    findings = sorted((r["submission_id"], r["code"], r["message"]) for r in data.rows("findings"))
    ids = {r["file_name"]: r["submission_id"] for r in data.rows("submissions")}
    stop = "ファイルの中身が異常に大きいため、安全のため読み込みを中止しました"
    advice = "。配布した様式に入力し直して提出してください。"
    assert findings == sorted(
        [
            (ids["bomb_honest.xlsx"], "file-too-large", f"{stop}（展開後 2,048 MB）{advice}"),
            (
                ids["bomb_lying.xlsx"],
                "file-too-large",
                f"{stop}（xl/worksheets/sheet1.xml が 64 MB を超えます）{advice}",
            ),
        ]
    )
    for feedback in (root / "rejected").glob("*_確認結果.xlsx"):
        book = openpyxl.load_workbook(feedback)
        assert book.sheetnames == ["確認結果"]
        assert book["確認結果"]["A3"].value == (
            "ファイルを開けなかったため、指摘の一覧だけを作成しました。元のファイルを確認してください。"
        )
    assert len(list((root / "rejected").glob("*_確認結果.xlsx"))) == 2


def test_a_card_with_four_million_styled_cells_gets_verdict_and_feedback(tmp_path: Path) -> None:
    root = job_root(tmp_path)
    card = filled_sample(tmp_path, "02", achievements="")
    heavy = styled_card(root / "inbox" / "02_書式だらけ.xlsx", card, rows=40_000, columns=100)
    assert 4 * MIB < heavy.stat().st_size < 12 * MIB
    result = measured_run(root)
    assert result["rc"] == 1, result
    assert float(result["peak_mib"]) <= 500, result["peak_mib"]  # type: ignore[arg-type]
    data = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    assert [(r["code"], r["cell"]) for r in data.rows("findings")] == [
        ("achievements-missing", "A34")
    ]
    (feedback,) = (root / "rejected").glob("*_確認結果.xlsx")
    book = openpyxl.load_workbook(feedback)
    assert book.sheetnames == ["確認結果"]
    note = book["確認結果"]["A3"].value
    assert note.startswith("ファイルが大きいため（展開後 ") and note.endswith(
        "MB）カードの写しは付けず、指摘の一覧だけを作成しました。"
        "指摘のシート・セル欄を見て、元のファイルで直してください。"
    )


def test_duplicate_entry_names_are_a_broken_file(tmp_path: Path) -> None:
    card = filled_sample(tmp_path, "02")
    twice = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(card) as src, zipfile.ZipFile(twice, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    result = read_card(twice)
    assert result.card is None
    assert [(f.code, f.severity.value, f.message) for f in result.findings] == [
        (
            "file-corrupt",
            "エラー",
            "ファイルが壊れているため読めません（同じ名前の部品が2つあります: "
            "xl/worksheets/sheet1.xml）。元のファイルをExcelで開いて保存し直すか、"
            "様式に入力し直して提出してください。",
        )
    ]


def test_limits_hold_on_unpacked_bytes_even_when_the_headers_lie_small(tmp_path: Path) -> None:
    """Headers that claim 1 MiB (under every declared-size check) for 8 MiB of zeros."""
    card = filled_sample(tmp_path, "02")
    small_lie = deflate_bomb(tmp_path / "lie.xlsx", card, 8 * MIB, declared=MIB)
    result = read_card(small_lie)
    assert result.card is None
    assert [f.code for f in result.findings] == ["file-corrupt"]  # zeros are no XML


def test_a_sheet_without_tag_ends_is_read_in_linear_time(tmp_path: Path) -> None:
    """The value-less-cell filter keeps a part with no '>' whole instead of re-copying it."""
    from ubereport.card import xlsx_source

    card = filled_sample(tmp_path, "02")
    with zipfile.ZipFile(card) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    noise = bytes(random.Random(12).choices(b"abcdefgh \n", k=3 * MIB))  # no '>' in 3 MiB
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + noise, 1)
    source = xlsx_source.XlsxSource(
        rewrite_parts(card, tmp_path / "padded.xlsx", {"xl/worksheets/sheet1.xml": padded})
    )
    name = source.sheet_parts[source.sheet_names[0]]
    kept = source._read(name, keep=xlsx_source.drop_styled_empty_cells)
    assert kept == xlsx_source.drop_styled_empty_cells(padded)
