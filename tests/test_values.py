"""Tests for ubereport.japanese.values: every value string of the seeds, hand cases and properties."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ubereport.japanese.values import (
    UNITS,
    Comparator,
    Direction,
    ParsedValue,
    ValueKind,
    format_number,
    normalize_text,
    parse_value,
)

SEED_CSV = Path(__file__).parent / "data" / "seed_values.csv"

N = ValueKind.NUMBER
AT_LEAST, MORE_THAN = Comparator.AT_LEAST, Comparator.MORE_THAN
AT_MOST, LESS_THAN = Comparator.AT_MOST, Comparator.LESS_THAN


def _seed_rows() -> list[dict[str, str]]:
    with SEED_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _expected(row: dict[str, str]) -> ParsedValue:
    return ParsedValue(
        text=row["text"],
        kind=ValueKind(row["kind"]),
        value=float(row["value"]) if row["value"] else None,
        unit=row["unit"] or None,
        comparator=Comparator(row["comparator"]) if row["comparator"] else None,
        approximate={"true": True, "false": False}[row["approximate"]],
    )


def _fullwidth(s: str) -> str:
    """ASCII → full-width forms (space → ideographic space)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s
    )


def _num(
    text: str,
    value: float,
    unit: str | None = None,
    comparator: Comparator | None = None,
    approximate: bool = False,
) -> ParsedValue:
    return ParsedValue(text, N, value, unit, comparator, approximate)


def _kind(text: str, kind: ValueKind) -> ParsedValue:
    return ParsedValue(text, kind)


# --- the seeds --------------------------------------------------------------------------------

SEED_ROWS = _seed_rows()


def test_seed_file_covers_both_seeds() -> None:
    sources = {row["source"] for row in SEED_ROWS}
    assert sources == {"000", "003"}
    assert len(SEED_ROWS) >= 250
    keys = [(row["text"], row["source"]) for row in SEED_ROWS]
    assert len(keys) == len(set(keys)), "rows must be distinct per (text, source)"


@pytest.mark.parametrize("row", SEED_ROWS, ids=[f"{r['source']}:{r['text']}" for r in SEED_ROWS])
def test_seed_value(row: dict[str, str]) -> None:
    assert parse_value(row["text"]) == _expected(row)


# --- hand cases -------------------------------------------------------------------------------

HAND_CASES: list[tuple[object, ParsedValue]] = [
    ("５３．８％", _num("５３．８％", 53.8, "%")),
    ("△369,000千円", _num("△369,000千円", -369000.0, "千円")),
    ("▲5", _num("▲5", -5.0)),
    ("-5", _num("-5", -5.0)),
    ("−1.5%", _num("−1.5%", -1.5, "%")),
    ("－２", _num("－２", -2.0)),
    ("2,804以上", _num("2,804以上", 2804.0, None, AT_LEAST)),
    ("650未満", _num("650未満", 650.0, None, LESS_THAN)),
    ("94.1以下", _num("94.1以下", 94.1, None, AT_MOST)),
    ("100超", _num("100超", 100.0, None, MORE_THAN)),
    ("170.8万人", _num("170.8万人", 170.8, "万人")),
    ("480件/１日", _num("480件/１日", 480.0, "件/日")),
    ("3件/2日", _num("3件/2日", 3.0, "件/2日")),
    ("10時間/月以下", _num("10時間/月以下", 10.0, "時間/月", AT_MOST)),
    ("30億円以上", _num("30億円以上", 30.0, "億円", AT_LEAST)),
    ("33.7%以下", _num("33.7%以下", 33.7, "%", AT_MOST)),
    ("約40名", _num("約40名", 40.0, "名", None, True)),
    ("約 1,200 件", _num("約 1,200 件", 1200.0, "件", None, True)),
    ("10人程度", _num("10人程度", 10.0, "人", None, True)),
    ("1、000件", _num("1、000件", 1000.0, "件")),
    ("5ヶ所", _num("5ヶ所", 5.0, "箇所")),
    ("120m²", _num("120m²", 120.0, "㎡")),
    ("712,706㎡", _num("712,706㎡", 712706.0, "㎡")),
    ("2,610fm", _num("2,610fm", 2610.0, "fm")),
    ("61.6ha", _num("61.6ha", 61.6, "ha")),
    ("  42  ", _num("  42  ", 42.0)),
    ("-0", _num("-0", 0.0)),
    ("集計中", _kind("集計中", ValueKind.PENDING)),
    ("（集計中）", _kind("（集計中）", ValueKind.PENDING)),
    ("-", _kind("-", ValueKind.DASH)),
    ("－", _kind("－", ValueKind.DASH)),
    ("―", _kind("―", ValueKind.DASH)),
    ("ー", _kind("ー", ValueKind.DASH)),
    ("‐", _kind("‐", ValueKind.DASH)),
    ("--", _kind("--", ValueKind.DASH)),
    ("", _kind("", ValueKind.BLANK)),
    ("   ", _kind("   ", ValueKind.BLANK)),
    ("\u3000", _kind("\u3000", ValueKind.BLANK)),
    (None, _kind("", ValueKind.BLANK)),
    ("⇒", _kind("⇒", ValueKind.SAME_AS_NEXT)),
    ("→", _kind("→", ValueKind.SAME_AS_NEXT)),
    (" ⇒ ", _kind(" ⇒ ", ValueKind.SAME_AS_NEXT)),
    ("次期計画で目標値を設定", _kind("次期計画で目標値を設定", ValueKind.NOT_SET)),
    ("次期債権管理計画で目標値を設定", _kind("次期債権管理計画で目標値を設定", ValueKind.NOT_SET)),
    ("R5年度以降に目標値を設定", _kind("R5年度以降に目標値を設定", ValueKind.NOT_SET)),
    ("目標値を設定", _kind("目標値を設定", ValueKind.NOT_SET)),
    ("規程策定", _kind("規程策定", ValueKind.QUALITATIVE)),
    ("策定", _kind("策定", ValueKind.QUALITATIVE)),
    ("策定済", _kind("策定済", ValueKind.QUALITATIVE)),
    ("100周年記念事業", _kind("100周年記念事業", ValueKind.QUALITATIVE)),
    ("第2期計画策定", _kind("第2期計画策定", ValueKind.QUALITATIVE)),
    ("五十件", _kind("五十件", ValueKind.QUALITATIVE)),
    ("12?", _kind("12?", ValueKind.INVALID)),
    ("１２件くらい", _kind("１２件くらい", ValueKind.INVALID)),
    ("参加者80人", _kind("参加者80人", ValueKind.INVALID)),
    ("1,00", _kind("1,00", ValueKind.INVALID)),
    ("1,0000", _kind("1,0000", ValueKind.INVALID)),
    ("12,34,567", _kind("12,34,567", ValueKind.INVALID)),
    ("4 000", _kind("4 000", ValueKind.INVALID)),
    ("5-", _kind("5-", ValueKind.INVALID)),
    ("1.2.3", _kind("1.2.3", ValueKind.INVALID)),
    ("10件以上以下", _kind("10件以上以下", ValueKind.INVALID)),
    ("100周年と5件", _kind("100周年と5件", ValueKind.INVALID)),
    ("23（学校施設を除く）", _kind("23（学校施設を除く）", ValueKind.INVALID)),
]


@pytest.mark.parametrize(("raw", "expected"), HAND_CASES, ids=[repr(c[0]) for c in HAND_CASES])
def test_hand_case(raw: object, expected: ParsedValue) -> None:
    assert parse_value(raw) == expected


# --- Excel-native values ----------------------------------------------------------------------

NATIVE_CASES: list[tuple[object, str | None, ParsedValue]] = [
    (4315, None, _num("4315", 4315.0)),
    (4315.0, None, _num("4315", 4315.0)),
    (0.5, None, _num("0.5", 0.5)),
    (99.05, None, _num("99.05", 99.05)),
    (-369000, None, _num("-369000", -369000.0)),
    (0.1 + 0.2, None, _num("0.3", 0.3)),
    (1e-05, None, _num("0.00001", 1e-05)),
    (1e20, "General", _num("100000000000000000000", 1e20)),
    (Decimal("12.50"), None, _num("12.5", 12.5)),
    (0.855, "0.0%", _num("85.5%", 85.5, "%")),
    (0.968, "0%", _num("96.8%", 96.8, "%")),
    (0.9679, "0.00%", _num("96.79%", 96.79, "%")),
    (1, "0%", _num("100%", 100.0, "%")),
    (0, "0.0%", _num("0%", 0.0, "%")),
    (0.5, '0.0"%"', _num("0.5", 0.5)),
    (0.5, "0.0\\%", _num("0.5", 0.5)),
    (-0.0, None, _num("0", 0.0)),
    (True, None, _kind("TRUE", ValueKind.INVALID)),
    (False, "0%", _kind("FALSE", ValueKind.INVALID)),
    (date(2022, 4, 1), None, _kind("2022-04-01", ValueKind.INVALID)),
    (datetime(2022, 4, 1), None, _kind("2022-04-01", ValueKind.INVALID)),
    (datetime(2022, 4, 1, 9, 30), None, _kind("2022-04-01 09:30:00", ValueKind.INVALID)),
    (time(9, 30), None, _kind("09:30:00", ValueKind.INVALID)),
    (float("nan"), None, _kind("nan", ValueKind.INVALID)),
    (float("inf"), "0%", _kind("inf", ValueKind.INVALID)),
    ([1, 2], None, _kind("[1, 2]", ValueKind.INVALID)),
]


@pytest.mark.parametrize(
    ("raw", "number_format", "expected"), NATIVE_CASES, ids=[repr(c[:2]) for c in NATIVE_CASES]
)
def test_native_value(raw: object, number_format: str | None, expected: ParsedValue) -> None:
    assert parse_value(raw, number_format=number_format) == expected


def test_number_format_is_ignored_for_text() -> None:
    assert parse_value("0.855", number_format="0.0%") == _num("0.855", 0.855)


# --- the rest of the API ----------------------------------------------------------------------


def test_is_number() -> None:
    assert parse_value("5件").is_number
    assert not parse_value("集計中").is_number
    assert not parse_value(None).is_number


@pytest.mark.parametrize(
    ("comparator", "direction"),
    [
        (AT_LEAST, Direction.HIGHER_IS_BETTER),
        (MORE_THAN, Direction.HIGHER_IS_BETTER),
        (AT_MOST, Direction.LOWER_IS_BETTER),
        (LESS_THAN, Direction.LOWER_IS_BETTER),
    ],
)
def test_implied_direction(comparator: Comparator, direction: Direction) -> None:
    assert comparator.implied_direction is direction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高いほど良い", Direction.HIGHER_IS_BETTER),
        (" 高いほど良い\u3000", Direction.HIGHER_IS_BETTER),
        ("高いほどよい", Direction.HIGHER_IS_BETTER),
        ("高い方が良い", Direction.HIGHER_IS_BETTER),
        ("低いほど良い", Direction.LOWER_IS_BETTER),
        ("低い ほど 良い", Direction.LOWER_IS_BETTER),
        ("少ないほど良い", Direction.LOWER_IS_BETTER),
        ("目標どおり", Direction.ON_TARGET),
        ("目標通り", Direction.ON_TARGET),
        ("HIGHER_IS_BETTER", Direction.HIGHER_IS_BETTER),
        ("", None),
        ("良い", None),
        (None, None),
        (3, None),
    ],
)
def test_direction_parse(text: object, expected: Direction | None) -> None:
    assert Direction.parse(text) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("　５３．８％　", "53.8%"),
        ("ＦＹ２０２２", "FY2022"),
        ("（Ｒ３）", "(R3)"),
        ("712,706㎡", "712,706㎡"),
        ("5-1 目標指標 Ⅱ", "5-1 目標指標 II"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("基準値（Ｈ29年度）：2,000", "基準値(H29年度):2,000"),
        ("集計中", "集計中"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (4315.0, None, "4,315"),
        (4315.0, "件", "4,315件"),
        (99.05, None, "99.05"),
        (97.2, "%", "97.2%"),
        (85.5, "%", "85.5%"),
        (-369000.0, "千円", "△369,000千円"),
        (0.0, None, "0"),
        (-0.0, None, "0"),
        (1234567.891, None, "1,234,567.891"),
        (0.1 + 0.2, None, "0.3"),
        (1e-05, None, "0.00001"),
        (10.0, "時間/月", "10時間/月"),
    ],
)
def test_format_number(value: float, unit: str | None, expected: str) -> None:
    assert format_number(value, unit) == expected


def test_format_number_minus_sign() -> None:
    assert format_number(-5.0, minus="-") == "-5"


# --- properties -------------------------------------------------------------------------------


@given(st.text())
@example("約")
@example("△")
@example("1,")
@example("/日")
def test_never_raises_on_text(text: str) -> None:
    parsed = parse_value(text)
    assert parsed.text == text
    assert (parsed.value is not None) == parsed.is_number


@pytest.mark.parametrize("text", ["5" + " " * 5000 + "x", "1," * 5000 + "x", "約" * 5000 + "1"])
def test_long_input_is_fast(text: str) -> None:
    assert parse_value(text).kind is ValueKind.INVALID


@given(st.floats(), st.one_of(st.none(), st.text(), st.sampled_from(["0%", "0.0%", "General"])))
def test_never_raises_on_floats(x: float, number_format: str | None) -> None:
    parsed = parse_value(x, number_format=number_format)
    assert parsed.kind in (ValueKind.NUMBER, ValueKind.INVALID)


@given(st.one_of(st.none(), st.integers(), st.booleans(), st.dates(), st.datetimes()))
def test_never_raises_on_other_natives(raw: object) -> None:
    assert isinstance(parse_value(raw), ParsedValue)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(UNITS))
def test_integer_with_unit(n: int, unit: str) -> None:
    text = f"{n:,}{unit}"
    assert parse_value(text) == _num(text, float(n), unit)


@st.composite
def ascii_value_strings(draw: st.DrawFn) -> str:
    """ASCII-only strings in the NUMBER grammar (units that are ASCII)."""
    n = draw(st.integers(min_value=0, max_value=10**9))
    body = draw(st.sampled_from([f"{n:,}", str(n)]))
    if draw(st.booleans()):
        body += "." + str(draw(st.integers(min_value=0, max_value=999)))
    sign = draw(st.sampled_from(["", "-", "+"]))
    unit = draw(st.sampled_from(["", "%", "ha", "fm", "km", "m", "t", "kg", "pt"]))
    return f"{sign}{body}{unit}"


ASCII_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126))


@given(st.one_of(ascii_value_strings(), ASCII_TEXT))
def test_fullwidth_parses_like_ascii(text: str) -> None:
    wide = parse_value(_fullwidth(text))
    narrow = parse_value(text)
    assert wide == ParsedValue(
        _fullwidth(text),
        narrow.kind,
        narrow.value,
        narrow.unit,
        narrow.comparator,
        narrow.approximate,
    )


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["0%", "0.0%", "0.00%"]))
def test_percent_format(thousandths: int, number_format: str) -> None:
    x = thousandths / 1000
    parsed = parse_value(x, number_format=number_format)
    assert parsed.kind is N
    assert parsed.unit == "%"
    assert parsed.value == round(x * 100, 10)
    assert parsed.text == format_number(round(x * 100, 10)).replace(",", "") + "%"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_display_round_trips(x: float) -> None:
    parsed = parse_value(x)
    assert parse_value(parsed.text) == _num(parsed.text, parsed.value or 0.0)
    assert parse_value(format_number(x, "件")).value == parsed.value
