"""Tests for ubereport.japanese.fiscal: era spellings both ways, round trips, fiscal-year boundaries."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ubereport.japanese.fiscal import (
    find_fiscal_year,
    fiscal_year_of,
    format_fy,
    format_fy_long,
    parse_fiscal_year,
    plan_years,
)

PARSE_CASES: list[tuple[object, int | None]] = [
    ("R4", 2022),
    ("令和4年度", 2022),
    ("Ｒ４", 2022),
    ("令和元年度", 2019),
    ("R元", 2019),
    ("平成31年度", 2019),
    ("H29", 2017),
    ("Ｈ３０", 2018),
    ("H30年度当初", 2018),
    ("H29年度決算見込値", 2017),
    ("2022", 2022),
    ("2022年度", 2022),
    ("FY2022", 2022),
    ("fy 2022", 2022),
    ("ＦＹ２０２２", 2022),
    (2022, 2022),
    (2022.0, 2022),
    ("令和４年度", 2022),
    ("R4年度", 2022),
    ("r4", 2022),
    ("H31", 2019),
    ("  R4  ", 2022),
    ("\u3000令和 4 年度\u3000", 2022),
    ("R04", 2022),
    ("R.4", 2022),
    ("令和8年度", 2026),
    ("平成元年度", 1989),
    ("H1", 1989),
    ("昭和63年度", 1988),
    ("S64", 1989),
    ("令和4(2022)年度", 2022),
    ("令和４（２０２２）年度", 2022),
    ("2022(R4)年度", 2022),
    ("R82", 2100),
    ("2100", 2100),
    ("1926", 1926),
    ("S1", 1926),
    # rejected
    (4, None),
    ("4", None),
    (4.0, None),
    (2022.5, None),
    (True, None),
    (None, None),
    ("", None),
    ("R0", None),
    ("H0", None),
    ("H32", None),
    ("S65", None),
    ("R83", None),
    ("1899", None),
    ("1900", None),
    ("1925", None),
    (1925, None),
    ("2101", None),
    (1899, None),
    ("令和4(2021)年度", None),
    ("2022(H30)年度", None),
    ("R4-5", None),
    ("R", None),
    ("令和", None),
    ("X4", None),
    ("R4年度上期の件", None),
    ("20225", None),
    (date(2022, 4, 1), None),
    (datetime(2022, 4, 1), None),
]


@pytest.mark.parametrize(("raw", "expected"), PARSE_CASES, ids=[repr(c[0]) for c in PARSE_CASES])
def test_parse_fiscal_year(raw: object, expected: int | None) -> None:
    assert parse_fiscal_year(raw) == expected


FORMAT_CASES: list[tuple[int, str, str]] = [
    (2022, "R4", "令和4年度"),
    (2026, "R8", "令和8年度"),
    (2020, "R2", "令和2年度"),
    (2019, "R1", "令和元年度"),
    (2018, "H30", "平成30年度"),
    (2017, "H29", "平成29年度"),
    (1990, "H2", "平成2年度"),
    (1989, "H1", "平成元年度"),
    (1988, "S63", "昭和63年度"),
    (1926, "S1", "昭和元年度"),
]


@pytest.mark.parametrize(("year", "short", "long"), FORMAT_CASES)
def test_format(year: int, short: str, long: str) -> None:
    assert format_fy(year) == short
    assert format_fy_long(year) == long
    assert parse_fiscal_year(short) == year
    assert parse_fiscal_year(long) == year


@pytest.mark.parametrize("year", [1925, 1900, 2101])
def test_format_out_of_range(year: int) -> None:
    with pytest.raises(ValueError):
        format_fy(year)
    with pytest.raises(ValueError):
        format_fy_long(year)


@pytest.mark.parametrize("year", range(1990, 2061))
def test_round_trip(year: int) -> None:
    assert parse_fiscal_year(format_fy(year)) == year
    assert parse_fiscal_year(format_fy_long(year)) == year
    assert parse_fiscal_year(str(year)) == year
    assert parse_fiscal_year(f"{year}年度") == year


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2023, 3, 31), 2022),
        (date(2023, 4, 1), 2023),
        (date(2022, 4, 1), 2022),
        (date(2023, 1, 1), 2022),
        (date(2022, 12, 31), 2022),
        (datetime(2023, 3, 31, 23, 59, 59), 2022),
        (datetime(2023, 4, 1, 0, 0), 2023),
    ],
)
def test_fiscal_year_of(d: date, expected: int) -> None:
    assert fiscal_year_of(d) == expected


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)))
def test_fiscal_year_of_contains_date(d: date) -> None:
    fy = fiscal_year_of(d)
    assert date(fy, 4, 1) <= d <= date(fy + 1, 3, 31)
    assert fiscal_year_of(d.replace(year=d.year + 1, day=min(d.day, 28))) == fy + 1


def test_plan_years() -> None:
    assert plan_years(2022) == [2022, 2023, 2024, 2025, 2026]
    assert [format_fy(y) for y in plan_years(2022)] == ["R4", "R5", "R6", "R7", "R8"]
    assert plan_years(2018, 4) == [2018, 2019, 2020, 2021]
    assert plan_years(2022, 0) == []
    with pytest.raises(ValueError):
        plan_years(2022, -1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("基準値(R3)", 2021),
        ("基準値（Ｒ３）", 2021),
        ("基準値（Ｈ29年度）", 2017),
        ("基準値（Ｈ30年度当初）", 2018),
        ("令和2年度取組の達成状況", 2020),
        ("2021年度実績", 2021),
        ("基準値", None),
        ("PPP/PFI", None),
        ("Windows10", None),
        ("R0とR4", 2022),
    ],
)
def test_find_fiscal_year(text: str, expected: int | None) -> None:
    assert find_fiscal_year(text) == expected


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.dates()))
def test_parse_never_raises(raw: object) -> None:
    year = parse_fiscal_year(raw)
    assert year is None or 1900 <= year <= 2100


@given(
    st.one_of(
        st.integers(1800, 2200),
        st.integers(1800, 2200).map(str),
        st.integers(1800, 2200).map(lambda y: f"{y}年度"),
        st.from_regex(r"(R|H|S|T|M|令和|平成|昭和|大正)(元|[0-9]{1,2})(年度)?", fullmatch=True),
        st.text(max_size=12),
    )
)
@example("1925")
@example(1925)
@example("1900")
@example("S1")
@example("R82")
def test_every_year_the_parser_accepts_has_an_era_spelling(raw: object) -> None:
    """The reader takes years from parse_fiscal_year; every one must format (issue 12)."""
    year = parse_fiscal_year(raw)
    if year is not None:
        assert parse_fiscal_year(format_fy(year)) == year
        assert parse_fiscal_year(format_fy_long(year)) == year
