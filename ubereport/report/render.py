"""Render every report of one reported year from the master (never from the inbox).

``outbox/R4/`` receives 取組達成状況_R4.xlsx (一覧・集計・提出状況), 取組達成状況_公表_R4.xlsx (the
published report), 取組達成状況_R4.csv + datapackage.json (open data), アクションプラン_R4.xlsx (a
card per plan) and ``cards/`` (the same cards one file each).
Next cycle's forms are :func:`ubereport.report.forms.write_forms`. Every file is written
atomically.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ubereport.japanese.office_calendar import OfficeCalendar
from ubereport.master import MasterData, load
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.report.cards import write_cards
from ubereport.report.datapackage import write_datapackage
from ubereport.report.names import year_folder
from ubereport.report.opendata import write_csv
from ubereport.report.publication import publication_name, write_publication
from ubereport.report.rows import build_report
from ubereport.report.status_sheet import SubmissionDeadline
from ubereport.report.summary_book import summary_name, write_summary_book
from ubereport.report.unchanged import Rendered

__all__ = ["printed_books", "render_reports", "source_line"]


def printed_books(written: list[Path]) -> list[Path]:
    """Of the files :func:`render_reports` wrote, the two made for print: the published report
    and the book of every card (their PDFs are what goes on paper and on the website)."""
    return [
        p
        for p in written
        if p.suffix == ".xlsx"
        and p.parent.name != "cards"
        and p.name.startswith(("取組達成状況_公表_", "アクションプラン_"))
    ]


def source_line(master_path: Path, now: datetime | None = None) -> str:
    """「台帳: アクションプラン台帳.xlsx（2026-11-21 10:37 更新）　作成: 2026-11-21 10:40」."""
    now = now or datetime.now()
    stamp = datetime.fromtimestamp(master_path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"台帳: {master_path.name}（{stamp} 更新）　作成: {now:%Y-%m-%d %H:%M}"


def render_reports(
    master_path: Path,
    outbox: Path,
    fiscal_year: int,
    registry: Registry,
    *,
    deadline: date | None = None,
    today: date | None = None,
    bands: Bands | None = None,
    calendar: OfficeCalendar | None = None,
    data: MasterData | None = None,
) -> list[Path]:
    """Render the 取組達成状況 workbook, its CSV and the cards of ``fiscal_year``.

    ``data`` is the master as just saved (the run passes it); otherwise it is read from disk.
    A plan's own card file under ``cards/`` is rewritten only when its content changes.
    """
    data = data if data is not None else load(master_path)
    today = today or date.today()
    report = build_report(data, registry, fiscal_year, bands)
    folder = year_folder(outbox, fiscal_year)
    due = (
        SubmissionDeadline(deadline, today, calendar or OfficeCalendar())
        if deadline is not None
        else None
    )
    book = folder / summary_name(report)
    write_summary_book(book, report, source_line(master_path), due)
    csv_path = folder / summary_name(report, ".csv")
    write_csv(csv_path, report, registry.municipality)
    package = write_datapackage(folder, report, registry.municipality, csv_path.name)
    publication = folder / publication_name(report)
    write_publication(publication, report)
    rendered = Rendered(outbox)
    cards = write_cards(folder, report, registry, today, rendered)
    rendered.save()
    return [book, publication, csv_path, package, *cards]
