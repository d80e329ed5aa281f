"""Reports rendered from the master only: the 取組達成状況 workbook and CSV, cards and forms.
May use master, validate, card, plan, files and japanese; never the inbox or the settings file."""

from ubereport.report.forms import write_forms
from ubereport.report.render import render_reports
from ubereport.report.rows import Report, build_report

__all__ = ["Report", "build_report", "render_reports", "write_forms"]
