"""宇部市 office business days (開庁日) and submission deadlines (提出期限).

A day is a 開庁日 unless it is

* a Saturday or Sunday,
* a national holiday according to :mod:`jpholiday` (this includes 振替休日 and 国民の休日),
* one of the 年末年始 closing days, 29 December – 3 January (switchable, see
  :attr:`OfficeCalendar.year_end_closing`), or
* an extra closing day given by configuration (:attr:`OfficeCalendar.extra_closed`).

Counting convention: 「N 開庁日後」 counts open days *strictly after* the start date, so the
result is the N-th open day following it (:meth:`OfficeCalendar.add_open_days`), and
:meth:`OfficeCalendar.open_days_between` is its inverse (「残り開庁日」).

Deadline syntax (:func:`parse_deadline`), after full-width → ASCII normalisation (NFKC: 「２０２６」
「＋」「／」, full-width spaces) and with surrounding whitespace ignored:

* a date — 「2026-05-15」「2026/5/15」「2026年5月15日」「令和8年5月15日」「R8.5.15」
  (also 「R8/5/15」「R8-5-15」「令和元年…」), optionally followed by a weekday in brackets
  that must be right (「2026/5/15(金)」) and by 「まで」;
* an offset — 「<date> から <N> 開庁日」 or 「<date>+<N>開庁日」 (spaces optional, optional trailing
  「後」, 0 ≤ N ≤ 999), meaning the N-th 開庁日 strictly after <date> (N = 0: <date> itself, or
  the next 開庁日 if it is closed).

A deadline that falls on a closing day moves to the next 開庁日.

Only the standard library and :mod:`jpholiday` are used, so this module has no dependency on the
rest of the package.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import jpholiday

__all__ = [
    "DEADLINE_FORMS",
    "Deadline",
    "OfficeCalendar",
    "parse_date",
    "parse_deadline",
]

_ONE_DAY = timedelta(days=1)
_WEEKDAYS_JA = "月火水木金土日"

# 令和 began on 1 May 2019 (令和元年 = 2019).
_REIWA_BASE_YEAR = 2018
_REIWA_START = date(2019, 5, 1)

DEADLINE_FORMS = (
    "「2026-05-15」「2026/5/15」「2026年5月15日」「令和8年5月15日」「R8.5.15」"
    "、または「2026-04-01 から 10 開庁日」「2026-04-01+10開庁日」"
)
"""Human-readable list of the accepted deadline forms (used in error messages)."""

DATE_FORMS = "「2026-05-15」「2026/5/15」「2026年5月15日」「令和8年5月15日」「R8.5.15」"
"""Human-readable list of the accepted date forms (used in error messages)."""

_WEEKDAY_SUFFIX = r"(?:\((?P<wd>[月火水木金土日])(?:曜日?)?\))?"
_WEST_DATE = (
    r"(?P<y>[0-9]{4})"
    r"(?:(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"|年(?P<m2>[0-9]{1,2})月(?P<d2>[0-9]{1,2})日)"
)
_ERA_DATE = (
    r"(?:令和|R\.?)(?P<n>元|[0-9]{1,2})"
    r"(?:(?P<esep>[-/.])(?P<em>[0-9]{1,2})(?P=esep)(?P<ed>[0-9]{1,2})"
    r"|年(?P<em2>[0-9]{1,2})月(?P<ed2>[0-9]{1,2})日)"
)
_DATE_RE = re.compile(rf"(?:{_WEST_DATE}|{_ERA_DATE}){_WEEKDAY_SUFFIX}(?:まで)?", re.IGNORECASE)
_OFFSET_RE = re.compile(r"(?P<base>.+?)(?:から|\+)(?P<n>[0-9]{1,3})開庁日後?")


@dataclass(frozen=True)
class OfficeCalendar:
    """Which days the 市役所 is open.

    ``extra_closed`` holds configured closing days (any iterable of dates is accepted and frozen);
    ``year_end_closing`` switches the 年末年始 closure (12/29–1/3) on or off.
    """

    extra_closed: frozenset[date] = frozenset()
    year_end_closing: bool = True

    def __post_init__(self) -> None:
        days = frozenset(_as_date(d) for d in self.extra_closed)
        object.__setattr__(self, "extra_closed", days)

    @classmethod
    def from_config(
        cls, closed_days: Iterable[date | str] = (), *, year_end_closing: bool = True
    ) -> OfficeCalendar:
        """Build a calendar from configuration values.

        ``closed_days`` holds dates or date strings in any form :func:`parse_date` accepts.
        Raises ``ValueError`` (Japanese message) for a string that is not a date.
        """
        days = frozenset(d if isinstance(d, date) else parse_date(d) for d in closed_days)
        return cls(extra_closed=days, year_end_closing=year_end_closing)

    def closed_reason(self, d: date) -> str | None:
        """Why ``d`` is not a 開庁日 (Japanese), or ``None`` when the office is open.

        When several reasons apply the first of these wins: 「祝日（<name>）」 (name from
        jpholiday, e.g. 「祝日（元日）」「祝日（国民の休日）」), 「年末年始」,
        「土曜日」/「日曜日」, 「閉庁日（設定）」.
        """
        d = _as_date(d)
        name = jpholiday.is_holiday_name(d)
        if name:
            return f"祝日（{name}）"
        if self.year_end_closing and _is_year_end(d):
            return "年末年始"
        if d.weekday() == 5:
            return "土曜日"
        if d.weekday() == 6:
            return "日曜日"
        if d in self.extra_closed:
            return "閉庁日（設定）"
        return None

    def is_open(self, d: date) -> bool:
        """True when ``d`` is a 開庁日."""
        d = _as_date(d)
        if d.weekday() >= 5 or d in self.extra_closed:
            return False
        if self.year_end_closing and _is_year_end(d):
            return False
        return not jpholiday.is_holiday(d)

    def next_open(self, d: date) -> date:
        """``d`` itself if it is a 開庁日, otherwise the first 開庁日 after it."""
        d = _as_date(d)
        while not self.is_open(d):
            d += _ONE_DAY
        return d

    def add_open_days(self, start: date, n: int) -> date:
        """The N-th 開庁日 strictly after ``start`` (「start から N 開庁日」).

        ``start`` itself is never counted, whether or not it is open. ``n == 0`` gives
        :meth:`next_open` of ``start``. Raises ``ValueError`` for negative ``n``.
        """
        start = _as_date(start)
        if n < 0:
            raise ValueError(f"開庁日数は 0 以上で指定してください（{n}）")
        if n == 0:
            return self.next_open(start)
        d = start
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_open(d):
                remaining -= 1
        return d

    def open_days_between(self, a: date, b: date) -> int:
        """Signed 開庁日 count from ``a`` to ``b`` (「残り開庁日」 on day ``a`` for deadline ``b``).

        * ``b >= a``: the number of 開庁日 ``d`` with ``a < d <= b`` (``a`` excluded, ``b``
          included), so 0 when ``a == b`` and ``open_days_between(a, add_open_days(a, n)) == n``
          for every ``n >= 1``;
        * ``b < a`` (late): minus the number of 開庁日 ``d`` with ``b < d <= a``, i.e.
          ``-open_days_between(b, a)``.

        A deadline today gives 0; a deadline that passed yesterday, seen on an open day, gives -1.
        Closed days are never counted, so 0 alone does not mean "not late": a Friday deadline seen
        on the following Saturday or Sunday also gives 0 (compare the dates to decide lateness).
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.open_days_between(b, a)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            if self.is_open(d):
                count += 1
            d += _ONE_DAY
        return count


@dataclass(frozen=True)
class Deadline:
    """A parsed 提出期限.

    ``text`` is the original text, ``base`` the written date (for an offset, the date counted
    from), ``open_days`` the 開庁日 offset (``None`` for a plain date) and ``due`` the resolved
    deadline, always a 開庁日 of the calendar used to parse it.
    """

    text: str
    base: date
    open_days: int | None
    due: date

    @property
    def moved(self) -> bool:
        """True when a plain-date deadline fell on a closing day and was moved to ``due``."""
        return self.open_days is None and self.due != self.base

    @classmethod
    def parse(cls, text: str, calendar: OfficeCalendar) -> Deadline:
        """Parse ``text`` (see the module docstring) and resolve it against ``calendar``.

        Raises ``ValueError`` with a Japanese message naming the text and listing the accepted
        forms.
        """
        if not isinstance(text, str):
            raise ValueError(_deadline_error(text))
        norm = _normalize(text)
        offset = _OFFSET_RE.fullmatch(norm)
        try:
            base = _match_date(offset["base"] if offset else norm)
        except _WeekdayMismatch as err:
            raise ValueError(_weekday_error(text, err)) from None
        if base is None:
            raise ValueError(_deadline_error(text))
        if offset:
            n = int(offset["n"])
            return cls(text, base, n, calendar.add_open_days(base, n))
        return cls(text, base, None, calendar.next_open(base))


def parse_deadline(text: str, calendar: OfficeCalendar) -> date:
    """The 開庁日 on which the deadline written as ``text`` falls (see :meth:`Deadline.parse`)."""
    return Deadline.parse(text, calendar).due


def parse_date(text: str) -> date:
    """Parse one date in any accepted form (no 開庁日 adjustment).

    Raises ``ValueError`` with a Japanese message naming the text and the accepted forms.
    """
    try:
        parsed = _match_date(_normalize(text)) if isinstance(text, str) else None
    except _WeekdayMismatch as err:
        raise ValueError(_weekday_error(text, err)) from None
    if parsed is None:
        raise ValueError(f"日付として読めません: 「{text}」（使える書き方: {DATE_FORMS}）")
    return parsed


def _normalize(text: str) -> str:
    """NFKC (full-width digits, ＋, ／, ．, Ｒ → ASCII) with all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _match_date(text: str) -> date | None:
    """The date written as the whole of ``text`` (already normalised), or None.

    Raises :class:`_WeekdayMismatch` when a bracketed weekday contradicts the date.
    """
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    if m["y"] is not None:
        year = int(m["y"])
        month = int(m["m"] or m["m2"])
        day = int(m["d"] or m["d2"])
    else:
        era_year = 1 if m["n"] == "元" else int(m["n"])
        if era_year < 1:
            return None
        year = _REIWA_BASE_YEAR + era_year
        month = int(m["em"] or m["em2"])
        day = int(m["ed"] or m["ed2"])
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None
    if m["y"] is None and parsed < _REIWA_START:
        return None
    actual = _WEEKDAYS_JA[parsed.weekday()]
    if m["wd"] is not None and actual != m["wd"]:
        raise _WeekdayMismatch(f"{parsed.year}年{parsed.month}月{parsed.day}日は{actual}曜日です")
    return parsed


class _WeekdayMismatch(ValueError):
    """A bracketed weekday contradicts the date; the message says which weekday it really is."""


def _weekday_error(text: object, err: _WeekdayMismatch) -> str:
    return f"曜日が合いません: 「{text}」（{err}）"


def _deadline_error(text: object) -> str:
    return f"提出期限として読めません: 「{text}」（使える書き方: {DEADLINE_FORMS}）"


def _is_year_end(d: date) -> bool:
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def _as_date(d: date) -> date:
    """Drop the time part of a ``datetime`` (a ``date`` subclass) so comparisons work."""
    return d.date() if isinstance(d, datetime) else d
