"""Reports rendered from the master: the 取組達成状況 workbook and CSV, cards and forms."""

from ubereport.report.commands import add_parsers
from ubereport.report.forms import write_forms
from ubereport.report.render import render_reports
from ubereport.report.rows import Report, build_report

__all__ = ["Report", "add_parsers", "build_report", "render_reports", "write_forms"]
