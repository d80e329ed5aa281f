"""The 取組達成状況 workbook: 「一覧」, 「集計」 and 「提出状況」 of one reported year."""

from __future__ import annotations

from pathlib import Path

from ubereport.card.writer import new_book
from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy_long
from ubereport.report.list_sheet import write_list_sheet
from ubereport.report.rows import Report
from ubereport.report.status_sheet import SubmissionDeadline, write_status_sheet
from ubereport.report.styles import Styles
from ubereport.report.tally_sheet import write_tally_sheet

__all__ = ["summary_name", "write_summary_book"]


def summary_name(report: Report, suffix: str = ".xlsx") -> str:
    """「取組達成状況_R4.xlsx」."""
    return f"取組達成状況_{report.label}{suffix}"


def write_summary_book(
    path: Path, report: Report, source: str, deadline: SubmissionDeadline | None = None
) -> None:
    """Write the workbook atomically; ``source`` names the master and when it was read."""

    def produce(tmp: Path) -> None:
        book = new_book(tmp)
        book.set_properties(
            {
                "title": f"{report.title} {format_fy_long(report.fiscal_year)} 取組の達成状況",
                "author": "ubereport",
            }
        )
        styles = Styles(book)
        write_list_sheet(book, styles, report, source)
        write_tally_sheet(book, styles, report, source)
        write_status_sheet(book, styles, report, source, deadline)
        book.close()

    write_atomically(path, produce)
