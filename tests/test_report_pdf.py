"""PDFs through LibreOffice where it is installed; a clear message how to use Excel where not."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from test_report_helpers import REG, sample_master

from ubereport.job.config import load_settings
from ubereport.report import render_reports
from ubereport.report.pdf import EXCEL_HOWTO, find_soffice, write_pdfs
from ubereport.report.render import printed_books

SOFFICE = find_soffice()
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed here; .ci/run installs nothing extra for it",
)


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_soffice_is_found_on_path_or_in_the_windows_program_folder(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    on_path = _script(bin_dir / "soffice", "exit 0")
    assert find_soffice({"PATH": str(bin_dir)}) == on_path
    program = tmp_path / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"")
    env = {"PATH": str(tmp_path / "empty"), "ProgramFiles": str(tmp_path / "Program Files")}
    assert find_soffice(env) == program / "soffice.exe"
    assert find_soffice({"PATH": str(tmp_path / "empty")}) is None


def test_without_libreoffice_the_message_says_how_to_export_from_excel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        monkeypatch.delenv(var, raising=False)
    books = [tmp_path / "取組達成状況_公表_R4.xlsx", tmp_path / "アクションプラン_R4.xlsx"]
    result = write_pdfs(books)
    assert result.written == []
    assert result.messages == [
        "PDF は作成していません（LibreOffice が見つかりません）。"
        "取組達成状況_公表_R4.xlsx、アクションプラン_R4.xlsx を" + EXCEL_HOWTO
    ]
    assert EXCEL_HOWTO.startswith("Excel で開き、［ファイル］→［エクスポート］→［PDF/XPS")


def test_a_failed_conversion_is_reported_and_leaves_nothing_behind(tmp_path: Path) -> None:
    fake = _script(
        tmp_path / "soffice", 'echo "Error: source file could not be loaded" >&2; exit 1'
    )
    book = tmp_path / "out" / "取組達成状況_公表_R4.xlsx"
    book.parent.mkdir()
    book.write_bytes(b"not really a workbook")
    result = write_pdfs([book], soffice=fake)
    assert result.written == []
    assert result.messages == [
        "取組達成状況_公表_R4.xlsx の PDF を作成できませんでした（LibreOffice が PDF を書き出しませんでした: "
        "Error: source file could not be loaded）。取組達成状況_公表_R4.xlsx を" + EXCEL_HOWTO
    ]
    assert sorted(p.name for p in book.parent.iterdir()) == ["取組達成状況_公表_R4.xlsx"]


def test_the_pdf_setting(tmp_path: Path) -> None:
    (tmp_path / "ubereport.toml").write_text("pdf = true\n", encoding="utf-8")
    assert load_settings(tmp_path).pdf is True
    assert load_settings(tmp_path / "none").pdf is False


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@needs_libreoffice
def test_libreoffice_prints_the_published_report_and_two_pages_per_card(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    written = render_reports(sample_master(outbox), outbox, 2022, REG)
    books = printed_books(written)
    assert [b.name for b in books] == ["取組達成状況_公表_R4.xlsx", "アクションプラン_R4.xlsx"]
    result = write_pdfs(books)
    assert result.messages == []
    assert [p.name for p in result.written] == [
        "取組達成状況_公表_R4.pdf",
        "アクションプラン_R4.pdf",
    ]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in result.written)
    # 14 plan blocks on 13 pages, none split; 13 cards on exactly two pages each
    assert [_pages(p) for p in result.written] == [13, 26]
    assert not [p for p in (outbox / "R4").iterdir() if p.name.startswith(".~ubereport-")]


def test_report_pdf_without_libreoffice_still_writes_the_reports_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from ubereport.report_commands import add_parsers

    outbox = tmp_path / "outbox"
    sample_master(outbox)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        monkeypatch.delenv(var, raising=False)
    parser = argparse.ArgumentParser(prog="ubereport")
    add_parsers(parser.add_subparsers())
    args = parser.parse_args(["report", "--outbox", str(outbox), "--root", str(tmp_path), "--pdf"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "PDF は作成していません（LibreOffice が見つかりません）。" in out
    assert (outbox / "R4" / "取組達成状況_公表_R4.xlsx").exists()
    assert not list((outbox / "R4").glob("*.pdf"))
