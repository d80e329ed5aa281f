"""Tests for ubereport.japanese.office_calendar: 開庁日 rules, counting, deadline parsing.

Every pinned date was checked against jpholiday and a brute-force count before being asserted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ubereport.japanese.office_calendar import (
    DEADLINE_FORMS,
    Deadline,
    OfficeCalendar,
    parse_date,
    parse_deadline,
)

CAL = OfficeCalendar()


# --- which days are open -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 5, 9), "土曜日"),
        (date(2026, 5, 10), "日曜日"),
        (date(2026, 1, 1), "祝日（元日）"),  # holiday name wins over 年末年始
        (date(2026, 1, 12), "祝日（成人の日）"),
        (date(2025, 12, 29), "年末年始"),  # Monday
        (date(2025, 12, 31), "年末年始"),
        (date(2026, 1, 2), "年末年始"),  # Friday
        (date(2026, 1, 3), "年末年始"),  # Saturday: 年末年始 wins over 土曜日
        (date(2025, 2, 24), "祝日（天皇誕生日 振替休日）"),
        (date(2025, 11, 24), "祝日（勤労感謝の日 振替休日）"),
        (date(2026, 5, 6), "祝日（憲法記念日 振替休日）"),
        (date(2026, 9, 22), "祝日（国民の休日）"),  # between 敬老の日 9/21 and 秋分の日 9/23
        (date(2025, 5, 3), "祝日（憲法記念日）"),  # Saturday: holiday name wins
        (date(2026, 5, 15), None),
        (date(2026, 1, 5), None),
        (date(2025, 12, 26), None),
        (date(2026, 5, 1), None),  # Friday inside Golden Week
    ],
)
def test_closed_reason(day: date, reason: str | None) -> None:
    assert CAL.closed_reason(day) == reason
    assert CAL.is_open(day) is (reason is None)


def test_year_end_window_edges() -> None:
    assert CAL.is_open(date(2025, 12, 26))  # Friday before the closure
    assert CAL.is_open(date(2026, 12, 28))  # Monday, last open day of 2026
    assert not CAL.is_open(date(2026, 12, 29))  # Tuesday
    assert CAL.is_open(date(2027, 1, 4))  # Monday
    assert CAL.closed_reason(date(2027, 1, 3)) == "年末年始"


def test_year_end_closing_off() -> None:
    cal = OfficeCalendar(year_end_closing=False)
    assert cal.is_open(date(2025, 12, 29))
    assert cal.is_open(date(2026, 1, 2))
    assert cal.closed_reason(date(2026, 1, 2)) is None
    assert cal.closed_reason(date(2026, 1, 1)) == "祝日（元日）"
    assert cal.closed_reason(date(2026, 1, 3)) == "土曜日"
    # 12/29, 12/30, 12/31, 1/2, then 1/5 (1/1 元日, 1/3–1/4 weekend)
    assert cal.add_open_days(date(2025, 12, 26), 5) == date(2026, 1, 5)


def test_extra_closed_days() -> None:
    cal = OfficeCalendar(extra_closed=frozenset({date(2026, 6, 15)}))  # a Monday
    assert not cal.is_open(date(2026, 6, 15))
    assert cal.closed_reason(date(2026, 6, 15)) == "閉庁日（設定）"
    assert cal.next_open(date(2026, 6, 13)) == date(2026, 6, 16)
    assert cal.add_open_days(date(2026, 6, 12), 1) == date(2026, 6, 16)
    assert CAL.add_open_days(date(2026, 6, 12), 1) == date(2026, 6, 15)
    assert parse_deadline("2026-06-15", cal) == date(2026, 6, 16)
    # a configured day that is also a weekend reports the weekend
    weekend = OfficeCalendar(extra_closed=frozenset({date(2026, 6, 13)}))
    assert weekend.closed_reason(date(2026, 6, 13)) == "土曜日"


def test_from_config_accepts_strings_and_dates() -> None:
    cal = OfficeCalendar.from_config(
        ["2026-06-15", "R8.7.1", date(2026, 8, 3)], year_end_closing=False
    )
    assert cal.extra_closed == frozenset({date(2026, 6, 15), date(2026, 7, 1), date(2026, 8, 3)})
    assert not cal.year_end_closing
    assert cal == OfficeCalendar(
        frozenset({date(2026, 6, 15), date(2026, 7, 1), date(2026, 8, 3)}), False
    )
    with pytest.raises(ValueError, match="日付として読めません: 「6月15日」"):
        OfficeCalendar.from_config(["6月15日"])


def test_extra_closed_is_frozen_and_datetimes_are_dates() -> None:
    cal = OfficeCalendar(extra_closed={datetime(2026, 6, 15, 9, 30)})  # type: ignore[arg-type]
    assert cal.extra_closed == frozenset({date(2026, 6, 15)})
    assert hash(cal) == hash(OfficeCalendar(frozenset({date(2026, 6, 15)})))
    assert not cal.is_open(datetime(2026, 6, 15, 17, 0))


# --- counting ------------------------------------------------------------------------------


def test_next_open() -> None:
    assert CAL.next_open(date(2026, 5, 15)) == date(2026, 5, 15)
    assert CAL.next_open(date(2026, 5, 3)) == date(2026, 5, 7)
    assert CAL.next_open(date(2025, 12, 27)) == date(2026, 1, 5)
    assert CAL.next_open(date(2026, 9, 19)) == date(2026, 9, 24)  # Sat, Sun, 9/21–9/23


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 12/27–28 weekend, 12/29–1/3 年末年始, 1/4 Sunday; then 1/5–1/9
        (date(2025, 12, 26), 5, date(2026, 1, 9)),
        # ... 1/12 成人の日 is skipped: 1/13–1/16 and 1/19
        (date(2025, 12, 26), 10, date(2026, 1, 19)),
        # Golden Week 2026: 4/29 昭和の日, 5/1 is open, 5/2–5/6 closed
        (date(2026, 4, 30), 1, date(2026, 5, 1)),
        (date(2026, 4, 30), 2, date(2026, 5, 7)),
        (date(2026, 5, 1), 1, date(2026, 5, 7)),
        (date(2026, 4, 28), 1, date(2026, 4, 30)),
        # 振替休日
        (date(2025, 2, 21), 1, date(2025, 2, 25)),
        (date(2025, 11, 21), 1, date(2025, 11, 25)),
        # 国民の休日 2026-09-22 (9/21 敬老の日, 9/23 秋分の日)
        (date(2026, 9, 18), 1, date(2026, 9, 24)),
        (date(2026, 9, 18), 2, date(2026, 9, 25)),
        # counting starts after a closed start date too
        (date(2026, 5, 3), 1, date(2026, 5, 7)),
        (date(2026, 4, 1), 10, date(2026, 4, 15)),
    ],
)
def test_add_open_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_open_days(start, n) == expected


def test_add_open_days_zero_and_negative() -> None:
    assert CAL.add_open_days(date(2026, 5, 15), 0) == date(2026, 5, 15)
    assert CAL.add_open_days(date(2026, 5, 3), 0) == date(2026, 5, 7)
    with pytest.raises(ValueError, match="0 以上"):
        CAL.add_open_days(date(2026, 5, 15), -1)


def test_open_days_between_positive() -> None:
    # 4/30, 5/1, 5/7, 5/8
    assert CAL.open_days_between(date(2026, 4, 28), date(2026, 5, 8)) == 4
    # 1/5–1/9
    assert CAL.open_days_between(date(2025, 12, 26), date(2026, 1, 9)) == 5
    assert CAL.open_days_between(date(2026, 5, 14), date(2026, 5, 15)) == 1
    # 5/1 itself is excluded (it is the start); 5/2–5/6 are all closed
    assert CAL.open_days_between(date(2026, 5, 1), date(2026, 5, 6)) == 0


def test_open_days_between_same_day() -> None:
    assert CAL.open_days_between(date(2026, 5, 15), date(2026, 5, 15)) == 0
    assert CAL.open_days_between(date(2026, 5, 3), date(2026, 5, 3)) == 0


def test_open_days_between_negative() -> None:
    assert CAL.open_days_between(date(2026, 5, 8), date(2026, 4, 28)) == -4
    # deadline Friday 5/8: Monday 5/11 is one 開庁日 late ...
    assert CAL.open_days_between(date(2026, 5, 11), date(2026, 5, 8)) == -1
    # ... while the weekend in between counts as 0 (closed days are not counted)
    assert CAL.open_days_between(date(2026, 5, 10), date(2026, 5, 8)) == 0
    assert CAL.open_days_between(date(2026, 1, 9), date(2025, 12, 26)) == -5


_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(_DATES, st.integers(min_value=1, max_value=40))
def test_add_open_days_property(d: date, n: int) -> None:
    result = CAL.add_open_days(d, n)
    assert result > d
    assert CAL.is_open(result)
    assert CAL.open_days_between(d, result) == n
    assert CAL.open_days_between(result, d) == -n


@given(_DATES)
def test_closed_reason_agrees_with_is_open(d: date) -> None:
    assert (CAL.closed_reason(d) is None) is CAL.is_open(d)
    nxt = CAL.next_open(d)
    assert nxt >= d and CAL.is_open(nxt)
    assert all(not CAL.is_open(d + timedelta(days=i)) for i in range((nxt - d).days))


# --- deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-15", date(2026, 5, 15)),
        ("2026/5/15", date(2026, 5, 15)),
        ("2026/05/15", date(2026, 5, 15)),
        ("2026年5月15日", date(2026, 5, 15)),
        ("令和8年5月15日", date(2026, 5, 15)),
        ("R8.5.15", date(2026, 5, 15)),
        ("r8/5/15", date(2026, 5, 15)),
        ("R.8.5.15", date(2026, 5, 15)),
        ("２０２６－０５－１５", date(2026, 5, 15)),
        ("Ｒ８．５．１５", date(2026, 5, 15)),
        ("令和８年５月１５日", date(2026, 5, 15)),
        ("  2026/5/15(金)  ", date(2026, 5, 15)),
        ("2026年5月15日（金曜日）まで", date(2026, 5, 15)),
        ("令和元年5月7日", date(2019, 5, 7)),
        # on a closing day → next 開庁日
        ("2026-05-03", date(2026, 5, 7)),
        ("R8.5.2", date(2026, 5, 7)),
        ("2025-12-29", date(2026, 1, 5)),
        ("2026-09-22", date(2026, 9, 24)),
        # N 開庁日 after a date
        ("2026-04-01 から 10 開庁日", date(2026, 4, 15)),
        ("2026-04-01+10開庁日", date(2026, 4, 15)),
        ("2026-04-01 + 10 開庁日後", date(2026, 4, 15)),
        ("R8.4.1から10開庁日", date(2026, 4, 15)),
        ("２０２６－０４－０１＋１０開庁日", date(2026, 4, 15)),
        ("2026-04-01　から　１０　開庁日", date(2026, 4, 15)),
        ("2025-12-26 から 5 開庁日", date(2026, 1, 9)),
        ("2026-04-30+1開庁日", date(2026, 5, 1)),
        ("2026-04-30+2開庁日", date(2026, 5, 7)),
        ("2026-05-03+0開庁日", date(2026, 5, 7)),
    ],
)
def test_parse_deadline(text: str, expected: date) -> None:
    assert parse_deadline(text, CAL) == expected


def test_deadline_object() -> None:
    moved = Deadline.parse("2026-05-03", CAL)
    assert moved == Deadline("2026-05-03", date(2026, 5, 3), None, date(2026, 5, 7))
    assert moved.moved
    assert not Deadline.parse("2026-05-15", CAL).moved
    offset = Deadline.parse("2026-04-01 から 10 開庁日", CAL)
    assert (offset.base, offset.open_days, offset.due) == (date(2026, 4, 1), 10, date(2026, 4, 15))
    assert not offset.moved


def test_parse_deadline_uses_calendar() -> None:
    no_year_end = OfficeCalendar(year_end_closing=False)
    assert parse_deadline("2025-12-29", no_year_end) == date(2025, 12, 29)
    assert parse_deadline("2025-12-26 から 5 開庁日", no_year_end) == date(2026, 1, 5)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "来週金曜",
        "5/15",
        "2026-02-30",
        "2026-13-01",
        "2026-5/15",
        "R0.5.1",
        "令和元年4月30日",  # before 令和 began
        "2026-04-01 から 開庁日",
        "2026-04-01 から 10 日",
        "2026-04-01 から -1 開庁日",
        "2026-04-01 から 1000 開庁日",
        "から 10 開庁日",
    ],
)
def test_parse_deadline_errors(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline(text, CAL)
    message = str(info.value)
    assert message == f"提出期限として読めません: 「{text}」（使える書き方: {DEADLINE_FORMS}）"
    assert "2026-04-01 から 10 開庁日" in message
    assert "令和8年5月15日" in message


def test_parse_deadline_wrong_weekday() -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline("２０２６/５/１５（木）", CAL)
    assert (
        str(info.value)
        == "曜日が合いません: 「２０２６/５/１５（木）」（2026年5月15日は金曜日です）"
    )
    with pytest.raises(ValueError, match="2026年4月1日は水曜日です"):
        parse_deadline("R8.4.1(火)から10開庁日", CAL)


def test_parse_deadline_rejects_non_str() -> None:
    with pytest.raises(ValueError, match="提出期限として読めません"):
        parse_deadline(date(2026, 5, 15), CAL)  # type: ignore[arg-type]


def test_parse_date() -> None:
    assert parse_date("R8.5.3") == date(2026, 5, 3)  # no moving to an open day
    with pytest.raises(ValueError) as info:
        parse_date("2026-02-30")
    assert str(info.value).startswith("日付として読めません: 「2026-02-30」（使える書き方: ")
