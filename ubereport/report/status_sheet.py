"""The 「提出状況」 sheet: every registry plan's latest submission for the reported year.

States: 受理, 要修正 (the latest file had エラー), 未提出 (no file for the year). With a deadline the
提出期限 column shows it and 残り開庁日 counts the office's open days from ``today`` to it for the
plans still owing a card (negative once it has passed, shown as 「超過」).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ubereport.japanese.fiscal import format_fy_long
from ubereport.japanese.office_calendar import OfficeCalendar
from ubereport.report.legend import ACHIEVED_FILL, NOT_ACHIEVED_FILL, STATUS_FILLS
from ubereport.report.rows import NOT_SUBMITTED, PlanReport, Report
from ubereport.report.styles import Styles, landscape, row_height
from ubereport.validate.batch import Decision

__all__ = ["STATUS_SHEET", "SubmissionDeadline", "write_status_sheet"]

STATUS_SHEET = "提出状況"
#: (header, width): together they print within A4 landscape at 100 % (see the tests)
COLUMNS = (
    ("No.", 4.5),
    ("アクションプラン名", 24),
    ("主管課", 11),
    ("状態", 9),
    ("受付日時", 18),
    ("ファイル名", 28),
    ("エラー", 6.5),
    ("警告", 6.5),
    ("提出回数", 7.5),
    ("提出期限", 11),
    ("残り開庁日", 9),
)
HEAD_ROW = 3
WEEKDAYS = "月火水木金土日"
STATE_FILLS = {
    str(Decision.ACCEPTED): ACHIEVED_FILL,
    str(Decision.REJECTED): NOT_ACHIEVED_FILL,
    NOT_SUBMITTED: STATUS_FILLS[NOT_SUBMITTED],
}


@dataclass(frozen=True, slots=True)
class SubmissionDeadline:
    """The 提出期限 and the day the 残り開庁日 are counted from."""

    due: date
    today: date
    calendar: OfficeCalendar = field(default_factory=OfficeCalendar)

    def open_days_left(self) -> int:
        return self.calendar.open_days_between(self.today, self.due)


def write_status_sheet(
    book: Workbook, styles: Styles, report: Report, source: str, deadline: SubmissionDeadline | None
) -> Worksheet:
    sheet = book.add_worksheet(STATUS_SHEET)
    last = len(COLUMNS) - 1
    for c, (_, width) in enumerate(COLUMNS):
        sheet.set_column(c, c, width)
    title = f"{format_fy_long(report.fiscal_year)} 提出状況"
    sheet.merge_range(0, 0, 0, 2, title, styles.title)
    sheet.merge_range(0, 3, 0, last, source, styles.info)
    sheet.set_row(0, 24)
    sheet.merge_range(1, 0, 1, last, summary_line(report, deadline), styles.note)
    for c, (header, _) in enumerate(COLUMNS):
        sheet.write_string(HEAD_ROW, c, header, styles.head())
    sheet.set_row(HEAD_ROW, 18)
    date_fmt = styles.get(border=1, align="center", num_format="yyyy/m/d")
    days_fmt = styles.get(border=1, align="right", num_format='0"日";"超過"0"日";"当日"')
    for i, plan in enumerate(report.plans):
        r = HEAD_ROW + 1 + i
        _plan_row(sheet, styles, r, plan)
        if deadline is not None:
            sheet.write_datetime(r, 9, deadline.due, date_fmt)
            if plan.submission.state != str(Decision.ACCEPTED):
                sheet.write_number(r, 10, deadline.open_days_left(), days_fmt)
            else:
                sheet.write_blank(r, 10, None, styles.center)
        else:
            sheet.write_blank(r, 9, None, styles.center)
            sheet.write_blank(r, 10, None, styles.center)
        texts = [
            (plan.entry.plan_name, COLUMNS[1][1]),
            (plan.lead_division, COLUMNS[2][1]),
            (plan.submission.received_at, COLUMNS[4][1]),
            (plan.submission.file_name, COLUMNS[5][1]),
        ]
        sheet.set_row(r, row_height(texts))
    sheet.freeze_panes(HEAD_ROW + 1, 2)
    sheet.autofilter(HEAD_ROW, 0, HEAD_ROW + len(report.plans), last)
    landscape(sheet, f"{report.title}　{title}", repeat=(HEAD_ROW, HEAD_ROW))
    return sheet


def summary_line(report: Report, deadline: SubmissionDeadline | None) -> str:
    """「受理 13件　要修正 0件　未提出 1件（全14計画）」 and the deadline when one is given."""
    states = [p.submission.state for p in report.plans]
    parts = [f"{s} {states.count(s)}件" for s in STATE_FILLS]
    line = "　".join(parts) + f"（全{len(states)}計画）"
    if deadline is not None:
        due = deadline.due
        line += (
            f"　提出期限 {due.year}年{due.month}月{due.day}日（{WEEKDAYS[due.weekday()]}）"
            f"（{deadline.today.month}月{deadline.today.day}日現在 残り{deadline.open_days_left()}開庁日）"
        )
    return line


def _plan_row(sheet: Worksheet, styles: Styles, r: int, plan: PlanReport) -> None:
    sub = plan.submission
    sheet.write_string(r, 0, plan.plan_no, styles.center)
    sheet.write_string(r, 1, plan.entry.plan_name, styles.text)
    sheet.write_string(r, 2, plan.lead_division or "（未設定）", styles.text)
    fill = STATE_FILLS.get(sub.state)
    state_fmt = styles.get(border=1, align="center", **({"bg_color": fill} if fill else {}))
    sheet.write_string(r, 3, sub.state, state_fmt)
    sheet.write(r, 4, sub.received_at or None, styles.center)
    sheet.write(r, 5, sub.file_name or None, styles.text)
    for c, value in ((6, sub.errors), (7, sub.warnings)):
        if value is None:
            sheet.write_blank(r, c, None, styles.integer)
        else:
            sheet.write_number(r, c, value, styles.integer)
    sheet.write_number(r, 8, sub.count, styles.integer)
