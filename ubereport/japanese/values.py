"""Parse the values written in action-plan cards: 基準値, 目標値, 実績値 and アウトプット.

Every cell value goes through :func:`parse_value`, which never raises and returns a
:class:`ParsedValue` whose :class:`ValueKind` says what the text is.

Normalisation (:func:`normalize_text`): full-width ASCII (``０-９ Ａ-Ｚ ，．％（）／－``…) becomes
ASCII, the ideographic space and NBSP become a space, half-width katakana and Roman numerals
(``Ⅱ``) go through NFKC, and the result is trimmed. ``㎡`` and all other Japanese text are kept.
For numbers, 「、」 between two digits is also read as a thousands comma.

Classification, in this order, of the normalised text:

* BLANK — empty (``None``, ``""``, whitespace only).
* DASH — only dash characters: 「-」「－」「―」「ー」「‐」「–」「—」「−」.
* SAME_AS_NEXT — a single arrow: 「⇒」「→」「⇨」「➡」.
* PENDING — 「集計中」 (also 「未集計」「未確定」「調査中」「算定中」, optionally in brackets).
* NOT_SET — contains 「目標値を設定」 / 「目標を設定」 (e.g. 「次期計画で目標値を設定」).
* NUMBER — the whole text matches the grammar::

      [約] [sign] digits [unit] [/ [count] per-unit] [以上|以下|未満|超] [程度]

  ``sign`` is 「△」「▲」「-」「−」「‐」 (negative) or 「+」. ``digits`` may carry thousands
  commas, which must group by three (「1,00」 is INVALID), and a decimal part. ``unit`` is one
  of :data:`UNITS` (or an alias such as 「ヶ所」→「箇所」, 「m²」→「㎡」). The per part folds into
  the unit: 「480件/１日」 → ``"件/日"``, 「3件/2日」 → ``"件/2日"``. 「約」 or a trailing
  「程度」 sets ``approximate`` (「くらい」 is not accepted: 「12件くらい」 is INVALID).
* QUALITATIVE / INVALID — any other text. Text without ASCII digits is
  QUALITATIVE (「策定」「規程策定」「構築」). Text with digits is INVALID
  (「12?」「参加者80人」「R4年11月に提言」) unless every digit run is *nominal*:
  part of a name rather than a quantity. A run is nominal when it is preceded
  by 「第」 (「第2期計画策定」) or followed by 「周年」 (「100周年記念事業」).
  Kanji numerals (「五件」) are not digits, so such text is QUALITATIVE too.

Excel-native values: ``int``/``float``/``Decimal`` are NUMBER with no unit; floats are rounded to
15 significant digits (what Excel displays), which removes float noise, and ``text`` is their
natural display (4315 → ``"4315"``, 0.5 → ``"0.5"``). With a percent ``number_format`` (「0.0%」)
the stored fraction is scaled: 0.855 → value 85.5, unit ``"%"``, text ``"85.5%"``. ``bool``,
dates, times, NaN/inf and any other object are INVALID.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "UNITS",
    "Comparator",
    "Direction",
    "ParsedValue",
    "ValueKind",
    "format_number",
    "normalize_text",
    "parse_value",
]


class ValueKind(StrEnum):
    """What a cell's text is."""

    NUMBER = "number"
    BLANK = "blank"
    DASH = "dash"
    PENDING = "pending"
    SAME_AS_NEXT = "same_as_next"
    NOT_SET = "not_set"
    QUALITATIVE = "qualitative"
    INVALID = "invalid"


class Direction(StrEnum):
    """Which way an indicator is good."""

    HIGHER_IS_BETTER = "高いほど良い"
    LOWER_IS_BETTER = "低いほど良い"
    ON_TARGET = "目標どおり"

    @classmethod
    def parse(cls, text: object) -> Direction | None:
        """Read a direction as typed in a card; tolerant of spacing, width and wording."""
        if not isinstance(text, str):
            return None
        key = re.sub(r"\s+", "", normalize_text(text)).rstrip("。.")
        for member in cls:
            if key == member.value or key.lower() == member.name.lower():
                return member
        return _DIRECTION_ALIASES.get(key)


_DIRECTION_ALIASES: dict[str, Direction] = {
    **dict.fromkeys(
        (
            "高いほどよい",
            "高い方が良い",
            "高いほうが良い",
            "高い方がよい",
            "高いほうがよい",
            "大きいほど良い",
            "大きいほどよい",
            "多いほど良い",
            "多いほどよい",
        ),
        Direction.HIGHER_IS_BETTER,
    ),
    **dict.fromkeys(
        (
            "低いほどよい",
            "低い方が良い",
            "低いほうが良い",
            "低い方がよい",
            "低いほうがよい",
            "小さいほど良い",
            "小さいほどよい",
            "少ないほど良い",
            "少ないほどよい",
        ),
        Direction.LOWER_IS_BETTER,
    ),
    **dict.fromkeys(("目標通り", "目標値どおり", "目標値通り"), Direction.ON_TARGET),
}


class Comparator(StrEnum):
    """A comparator suffix on a target: 「2,804以上」「650未満」."""

    AT_LEAST = "以上"
    MORE_THAN = "超"
    AT_MOST = "以下"
    LESS_THAN = "未満"

    @property
    def implied_direction(self) -> Direction:
        """以上/超 imply higher is better, 以下/未満 lower is better."""
        if self in (Comparator.AT_LEAST, Comparator.MORE_THAN):
            return Direction.HIGHER_IS_BETTER
        return Direction.LOWER_IS_BETTER


@dataclass(frozen=True, slots=True)
class ParsedValue:
    """A parsed cell value. ``value``/``unit``/``comparator`` are set only for NUMBER."""

    text: str
    kind: ValueKind
    value: float | None = None
    unit: str | None = None
    comparator: Comparator | None = None
    approximate: bool = False

    @property
    def is_number(self) -> bool:
        """True when the value is a number (``value`` is not None)."""
        return self.kind is ValueKind.NUMBER


# Canonical units, as they are returned in ``ParsedValue.unit``.
UNITS: tuple[str, ...] = (
    "%",
    "割",
    "倍",
    "ポイント",
    "pt",
    "位",
    "点",
    "円",
    "千円",
    "万円",
    "百万円",
    "億円",
    "千",
    "万",
    "億",
    "人",
    "名",
    "千人",
    "万人",
    "世帯",
    "戸",
    "者",
    "件",
    "千件",
    "万件",
    "回",
    "万回",
    "通",
    "部",
    "冊",
    "本",
    "枚",
    "千枚",
    "万枚",
    "個",
    "台",
    "基",
    "棟",
    "頭",
    "品",
    "種",
    "種類",
    "項目",
    "科目",
    "講座",
    "教室",
    "業務",
    "事業",
    "企業",
    "団体",
    "社",
    "課",
    "職場",
    "部等",
    "地区",
    "箇所",
    "施設",
    "校",
    "園",
    "店舗",
    "室",
    "時間",
    "分",
    "秒",
    "日",
    "日間",
    "週",
    "か月",
    "年",
    "年間",
    "㎡",
    "㎥",
    "ha",
    "a",
    "km",
    "m",
    "cm",
    "t",
    "kg",
    "g",
    "L",
    "kWh",
    "kW",
    "fm",
)

_UNIT_ALIASES: dict[str, str] = {
    "パーセント": "%",
    "ｍ²": "㎡",
    "m²": "㎡",
    "平方メートル": "㎡",
    "㎞": "km",
    "㎏": "kg",
    "ヶ所": "箇所",
    "か所": "箇所",
    "カ所": "箇所",
    "ヵ所": "箇所",
    "ケ所": "箇所",
    "ヶ月": "か月",
    "カ月": "か月",
    "ヵ月": "か月",
    "ケ月": "か月",
    "ポイント数": "ポイント",
}

_PER_UNITS: tuple[str, ...] = ("日", "週", "月", "年", "年度", "時間", "人", "件", "回")


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered)


_NUMBER_RE = re.compile(  # matched after whitespace runs are collapsed to one space
    rf"""
    (?P<approx>約)?\x20?
    (?P<sign>[△▲+\-−‐])?\x20?
    (?P<int>[0-9]+(?:,[0-9]+)*)(?P<frac>\.[0-9]+)?\x20?
    (?P<unit>{_alternation([*UNITS, *_UNIT_ALIASES])})?
    (?:\x20?/\x20?(?P<per_n>[0-9]+)?\x20?(?P<per>{_alternation(_PER_UNITS)}))?
    \x20?(?P<cmp>以上|以下|未満|超)?
    \x20?(?P<about>程度)?
    """,
    re.VERBOSE,
)
_GROUPED_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DASH_RE = re.compile(r"[-―ー‐‑–—−─━]+")
_ARROWS = frozenset("⇒→⇨➡")
_PENDING_RE = re.compile(r"[(「【\[]?(?:集計中|未集計|未確定|調査中|算定中)[)」】\]]?[。.]?")
_NOT_SET_RE = re.compile(r"目標値?を(?:再)?設定")
_DIGIT_RUN_RE = re.compile(r"[0-9][0-9,.]*")
_IDEOGRAPHIC_COMMA_RE = re.compile(r"(?<=[0-9])、(?=[0-9])")
_WHITESPACE_RE = re.compile(r"\s+")

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x00A0: 0x20}
_NFKC_RUNS_RE = re.compile("[\uff61-\uff9f\u2160-\u217f]+")
_EXCEL_DIGITS = Context(prec=15)


def normalize_text(s: str) -> str:
    """Full-width ASCII → ASCII, ideographic space → space, then trim. Keeps ㎡ and Japanese."""
    if len(s) <= _SHORT_TEXT:  # labels, units, values: the same few texts on every card
        return _normalize_short(s)
    return _normalize(s)


_SHORT_TEXT = 80


_WIDE_RE = re.compile("[\uff01-\uff5e\u3000\u00a0]")  # exactly the keys of _FULLWIDTH


def _half(m: re.Match[str]) -> str:
    return chr(_FULLWIDTH[ord(m.group())])


def _normalize(s: str) -> str:
    # s.translate(_FULLWIDTH), without a dictionary look-up for every other character
    t = _WIDE_RE.sub(_half, s)
    t = _NFKC_RUNS_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), t)
    return t.strip()


_normalize_short = lru_cache(maxsize=8192)(_normalize)


def parse_value(raw: object, *, number_format: str | None = None) -> ParsedValue:
    """Parse one cell value (text or Excel-native) into a :class:`ParsedValue`. Never raises."""
    if raw is None:
        return ParsedValue("", ValueKind.BLANK)
    if isinstance(raw, str):
        return _parse_short_text(raw) if len(raw) <= _SHORT_TEXT else _parse_text(raw)
    if isinstance(raw, bool):
        return ParsedValue("TRUE" if raw else "FALSE", ValueKind.INVALID)
    if raw.__class__ is float:  # a number cell: the same few values and formats recur
        return _parse_float(repr(raw), number_format)
    if isinstance(raw, numbers.Real | Decimal):
        return _parse_native_number(raw, number_format)
    return ParsedValue(_display_other(raw), ValueKind.INVALID)


# --- text -------------------------------------------------------------------------------------


def _parse_text(raw: str) -> ParsedValue:
    s = normalize_text(raw)
    kind = _special_kind(s)
    if kind is not None:
        return ParsedValue(raw, kind)
    parsed = _parse_number_text(raw, s)
    if parsed is not None:
        return parsed
    return ParsedValue(raw, _classify_other(s))


_parse_short_text = lru_cache(maxsize=8192)(_parse_text)  # ParsedValue is immutable


def _special_kind(s: str) -> ValueKind | None:
    if not s:
        return ValueKind.BLANK
    if _DASH_RE.fullmatch(s):
        return ValueKind.DASH
    if s in _ARROWS:
        return ValueKind.SAME_AS_NEXT
    if _PENDING_RE.fullmatch(s):
        return ValueKind.PENDING
    if _NOT_SET_RE.search(s):
        return ValueKind.NOT_SET
    return None


def _parse_number_text(raw: str, s: str) -> ParsedValue | None:
    candidate = _WHITESPACE_RE.sub(" ", _IDEOGRAPHIC_COMMA_RE.sub(",", s))
    m = _NUMBER_RE.fullmatch(candidate)
    if m is None:
        return None
    integer = m["int"]
    if "," in integer and not _GROUPED_RE.fullmatch(integer):
        return None
    negative = m["sign"] not in (None, "+")
    value = float(("-" if negative else "") + integer.replace(",", "") + (m["frac"] or ""))
    return ParsedValue(
        text=raw,
        kind=ValueKind.NUMBER,
        value=value + 0.0,  # turns -0.0 into 0.0
        unit=_unit(m["unit"], m["per_n"], m["per"]),
        comparator=Comparator(m["cmp"]) if m["cmp"] else None,
        approximate=bool(m["approx"] or m["about"]),
    )


def _unit(unit: str | None, per_n: str | None, per: str | None) -> str | None:
    base = _UNIT_ALIASES.get(unit, unit) if unit else ""
    if per is None:
        return base or None
    count = "" if per_n is None or int(per_n) == 1 else str(int(per_n))
    return f"{base}/{count}{per}"


def _classify_other(s: str) -> ValueKind:
    runs = list(_DIGIT_RUN_RE.finditer(s))
    if all(_is_nominal(s, run) for run in runs):
        return ValueKind.QUALITATIVE
    return ValueKind.INVALID


def _is_nominal(s: str, run: re.Match[str]) -> bool:
    """A digit run that names something (第2期, 100周年) rather than counts it."""
    return s[: run.start()].endswith("第") or s[run.end() :].startswith("周年")


# --- Excel-native values ----------------------------------------------------------------------


def _parse_native_number(raw: numbers.Real | Decimal, number_format: str | None) -> ParsedValue:
    dec = _to_decimal(raw)
    if dec is None:
        return ParsedValue(_display_other(raw), ValueKind.INVALID)
    unit = None
    if _is_percent_format(number_format):
        dec, unit = dec * 100, "%"
    if unit or not isinstance(raw, numbers.Integral):
        dec = _EXCEL_DIGITS.plus(dec)
    value = float(dec) + 0.0
    if not math.isfinite(value):  # an int too large for a float
        return ParsedValue(_display_other(raw), ValueKind.INVALID)
    return ParsedValue(_plain_decimal(dec) + (unit or ""), ValueKind.NUMBER, value, unit)


@lru_cache(maxsize=8192)
def _parse_float(text: str, number_format: str | None) -> ParsedValue:
    """:func:`_parse_native_number` of the float whose ``repr`` is ``text`` (the repr, not the
    float, is the key: 0.0 and -0.0 are equal floats but print differently)."""
    return _parse_native_number(float(text), number_format)


def _to_decimal(raw: numbers.Real | Decimal) -> Decimal | None:
    """Exact decimal of an int, the shortest repr of a float (numpy scalars included)."""
    if isinstance(raw, numbers.Integral):
        return Decimal(int(raw))
    dec = raw if isinstance(raw, Decimal) else Decimal(repr(float(raw)))
    return dec if dec.is_finite() else None


def _is_percent_format(number_format: str | None) -> bool:
    """True when an Excel number format shows a percentage (ignoring quoted/escaped text)."""
    if not number_format:
        return False
    active = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)
    return "%" in active


def _plain_decimal(dec: Decimal) -> str:
    """Decimal → plain positional text without exponent or trailing zeros: 85.500 → '85.5'."""
    text = format(dec.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _display_other(raw: object) -> str:
    if isinstance(raw, datetime):
        at_midnight = raw.time() == time(0)
        return raw.date().isoformat() if at_midnight else raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    if isinstance(raw, timedelta):
        return str(raw)
    try:
        return str(raw)
    except Exception:  # a broken __str__ must not stop the batch
        return ""


# --- display ----------------------------------------------------------------------------------


def format_number(value: float, unit: str | None = None, *, minus: str = "△") -> str:
    """Display a number the way the city writes it: 4315.0 → '4,315', -369000 → '△369,000'.

    At most 15 significant digits, no trailing zeros, the unit appended ('97.2%', '4,315件').
    Negative numbers use ``minus`` (default 「△」, the city's convention).
    """
    if not math.isfinite(float(value)):
        return f"{value}{unit or ''}"
    dec = _EXCEL_DIGITS.plus(Decimal(repr(float(value))))
    whole, _, frac = _plain_decimal(abs(dec)).partition(".")
    body = f"{int(whole):,}" + (f".{frac}" if frac else "")
    sign = minus if dec < 0 and body != "0" else ""
    return f"{sign}{body}{unit or ''}"
