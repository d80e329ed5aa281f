"""Fiscal years (年度, April–March) and their Japanese-era spellings.

A fiscal year is identified by the Western calendar year in which it starts: 令和4年度 / R4 / FY2022
is ``2022`` (1 April 2022 – 31 March 2023).

:func:`parse_fiscal_year` accepts, after full-width → ASCII normalisation and with all whitespace
removed:

* era forms: 「令和4年度」「R4」「r4」「Ｒ４」「R4年度」「R.4」「令和元年度」
  「R元」「平成31年度」「H29」「昭和63年度」, optionally followed by a Western
  year in brackets that must agree (「令和4(2022)年度」) and by a qualifier
  after 年度 (「H30年度当初」「H29年度決算見込値」);
* Western forms: 「2022」「2022年度」「FY2022」「2022(R4)年度」; ints 2022 and
  integral floats.

Era bases: 令和/R = 2018 + n (n ≥ 1, 元 = 1), 平成/H = 1988 + n (1 ≤ n ≤ 31), 昭和/S = 1925 + n
(1 ≤ n ≤ 64). Years outside 1926..2100 (昭和元年度 … R82; no era spelling before 昭和 is needed), R0, H32+, a bare small number (「4」, ambiguous), bools and
dates give ``None`` (use :func:`fiscal_year_of` for the fiscal year of a date).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from ubereport.japanese.values import normalize_text

__all__ = [
    "doubled_spellings",
    "find_fiscal_year",
    "fiscal_year_of",
    "format_fy",
    "format_fy_long",
    "parse_fiscal_year",
    "plan_years",
]

MIN_YEAR = 1926  # 昭和元年度: every year the parser accepts has an era spelling
MAX_YEAR = 2100

# era letter → (kanji name, base year, largest era year)
_ERAS: dict[str, tuple[str, int, int]] = {
    "R": ("令和", 2018, MAX_YEAR - 2018),
    "H": ("平成", 1988, 31),
    "S": ("昭和", 1925, 64),
}
_ERA_BY_NAME = {name: letter for letter, (name, _, _) in _ERAS.items()}

_QUALIFIER = r"(?:当初|末|中|分|決算見込値?|決算|予算|実績|目標|計画|見込み?)?"
_ERA_TOKEN = r"(?P<era>令和|平成|昭和|[RHS])\.?(?P<n>元|[0-9]{1,2})(?![0-9])"
_WEST_TOKEN = r"(?P<west>[0-9]{4})(?![0-9])"

_ERA_RE = re.compile(
    rf"{_ERA_TOKEN}(?:\((?P<check>[0-9]{{4}})\))?(?:年度?{_QUALIFIER})?", re.IGNORECASE
)
_WEST_RE = re.compile(
    rf"(?:FY)?{_WEST_TOKEN}(?:\((?P<check>[^()]+)\))?(?:年度?{_QUALIFIER})?", re.IGNORECASE
)
_SEARCH_RE = re.compile(
    rf"(?<![A-Za-z]){_ERA_TOKEN}|(?<![0-9]){_WEST_TOKEN}(?=年度)", re.IGNORECASE
)


def parse_fiscal_year(raw: object) -> int | None:
    """The Western fiscal year written in ``raw`` (「R4」「令和4年度」「2022」…), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return _in_range(raw)
    if isinstance(raw, float):
        return _in_range(int(raw)) if raw.is_integer() else None
    if not isinstance(raw, str):
        return None
    return _parse_short(raw) if len(raw) <= 80 else _parse_text(raw)


def _parse_text(raw: str) -> int | None:
    text = re.sub(r"\s+", "", normalize_text(raw))
    if m := _ERA_RE.fullmatch(text):
        return _checked(_era_year(m["era"], m["n"]), m["check"])
    if m := _WEST_RE.fullmatch(text):
        return _checked(_in_range(int(m["west"])), m["check"])
    spellings = doubled_spellings(text)
    if spellings and spellings[0] == spellings[1]:
        return spellings[0]
    return None


_parse_short = lru_cache(maxsize=4096)(_parse_text)  # headings: the same few on every card

_DOUBLED = re.compile(r"^(?P<first>[^()]+)\((?P<second>[^()]+)\)$")


def doubled_spellings(raw: str) -> tuple[int, int] | None:
    """Both years of a doubled spelling 「令和4年度（2022年度）」「2022年度(R4年度)」, when each
    half reads as a fiscal year on its own (they may disagree); else None."""
    m = _DOUBLED.fullmatch(re.sub(r"\s+", "", normalize_text(raw)))
    if m is None:
        return None
    first, second = parse_fiscal_year(m["first"]), parse_fiscal_year(m["second"])
    if first is None or second is None:
        return None
    return first, second


def find_fiscal_year(text: str) -> int | None:
    """The first fiscal year mentioned inside a longer text, e.g. 「基準値(R3)」 → 2021.

    Era tokens (「R3」「令和3」「Ｈ29」) are found anywhere not preceded by a Latin letter;
    Western years only when followed by 年度 (「2021年度」).
    """
    for m in _SEARCH_RE.finditer(re.sub(r"\s+", "", normalize_text(text))):
        year = _era_year(m["era"], m["n"]) if m["era"] else _in_range(int(m["west"]))
        if year is not None:
            return year
    return None


def _era_year(era: str, n: str) -> int | None:
    letter = _ERA_BY_NAME.get(era, era.upper())
    _, base, last = _ERAS[letter]
    number = 1 if n == "元" else int(n)
    if not 1 <= number <= last:
        return None
    return _in_range(base + number)


def _checked(year: int | None, check: str | None) -> int | None:
    """Accept 「令和4(2022)年度」 / 「2022(R4)年度」 only when both spellings agree."""
    if year is None or check is None:
        return year
    return year if parse_fiscal_year(check) == year else None


def _in_range(year: int) -> int | None:
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _era_of(year: int) -> tuple[str, str, int]:
    """(letter, kanji name, era year) of a fiscal year; ValueError outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"no Japanese era spelling for fiscal year {year}")
    for letter, (name, base, last) in _ERAS.items():
        if 1 <= year - base <= last:
            return letter, name, year - base
    raise ValueError(f"no Japanese era spelling for fiscal year {year}")  # pragma: no cover


def format_fy(year: int) -> str:
    """Short era form: 2022 → 'R4', 2019 → 'R1', 2018 → 'H30', 1988 → 'S63'."""
    letter, _, n = _era_of(year)
    return f"{letter}{n}"


def format_fy_long(year: int) -> str:
    """Long era form: 2022 → '令和4年度', 2019 → '令和元年度', 2018 → '平成30年度'."""
    _, name, n = _era_of(year)
    return f"{name}{'元' if n == 1 else n}年度"


def fiscal_year_of(d: date) -> int:
    """The fiscal year containing ``d``: 2023-03-31 → 2022, 2023-04-01 → 2023."""
    return d.year if d.month >= 4 else d.year - 1


def plan_years(first: int, count: int = 5) -> list[int]:
    """The ``count`` consecutive fiscal years of a plan starting in ``first``."""
    if count < 0:
        raise ValueError(f"count must not be negative: {count}")
    return list(range(first, first + count))
