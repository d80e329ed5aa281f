"""Rate one KPI year: the 達成率 (achievement rate) and the 達成区分 (status) of the summary.

The rule (:func:`rate_year`), in the order it is applied:

1. **Target.** 「⇒」 is rated against the next stated target (the first of ``later_targets``
   that is not 「⇒」); with none left it is 目標未設定. A blank target, 「-」 or
   「次期計画で目標値を設定」 is 目標未設定; text without a number (「規程策定」) is 定性目標,
   which is never computed: the final status is the division's own rating when given, else
   評価対象外. An unreadable target is 要確認.
2. **Actual.** 「集計中」 → 集計中; blank or 「-」 → 未入力; anything else that is not a number
   → 要確認.
3. **Units.** When target and actual both carry a unit and the units differ, the result is 要確認.
   A bare number beside a unit is fine (「32%」 vs 「43」). Scaled forms of one unit are converted
   (「170万人」 vs 「1,708,000人」), and 「名」 counts as 「人」, 「pt」 as 「ポイント」.
4. **Direction.** A comparator on the target (以上/超/以下/未満) decides the direction and also
   decides 達成 by itself. Otherwise the KPI's 方向; when that is empty, a rank (unit 「位」) is
   低いほど良い and anything else 高いほど良い. A 方向 that cannot be read is 要確認.
5. **Rate.** 高いほど良い: 実績 ÷ 目標; 低いほど良い: 目標 ÷ 実績;
   目標どおり: 1 − |実績 − 目標| ÷ 目標 (negative when the actual is off by more than the
   target). Computed in :class:`~decimal.Decimal` from the values as written, so 3,000/3,000 is
   exactly 1. No rate exists (``None``) when the target is 0 or negative, or, for 低いほど良い,
   when the actual is 0 or negative; 達成 is then a plain comparison (高いほど良い 実績 ≥ 目標,
   低いほど良い 実績 ≤ 目標, 目標どおり 実績 = 目標, or the comparator's own test), else 未達成.
6. **Status.** Without a comparator the rate is banded by :class:`Bands` (達成 ≥ 100 %, 概ね達成
   ≥ 75 %, else 未達成). With a comparator, a met comparator is 達成; an unmet one is banded but
   can never be 達成 (「3,000超」 with actual 3,000 has rate 100 % and is 概ね達成).
7. **Own rating.** A division's own rating (所管課評価: 達成 / 概ね達成 / 未達成) that differs from
   the computed status becomes the final status, with basis 「所管課評価」; the computed status and
   its reason are kept beside it. An own rating equal to the computed one leaves the basis 「計算」.
   An own rating that is none of the three words is 要確認.

The rate is displayed to 0.1 % by :func:`format_rate`: rounded half up (55/60 → 「91.7%」, as
Excel shows it), except that a rate just below a band edge is truncated, so the shown figure never
reaches an edge its status did not (99.96 % shows 「99.9%」, not 「100.0%」 beside 概ね達成).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum
from typing import NamedTuple

from ubereport.japanese.values import (
    Comparator,
    Direction,
    ParsedValue,
    ValueKind,
    format_number,
    normalize_text,
)

__all__ = [
    "BASIS_CALCULATED",
    "BASIS_OWN",
    "SYMBOLS",
    "Bands",
    "Rating",
    "Status",
    "format_rate",
    "parse_own_rating",
    "rate_year",
]

BASIS_CALCULATED = "計算"
BASIS_OWN = "所管課評価"


class Status(StrEnum):
    """The 達成区分 of one KPI year; the first three are the rated bands."""

    ACHIEVED = "達成"
    MOSTLY = "概ね達成"
    NOT_ACHIEVED = "未達成"
    NO_TARGET = "目標未設定"
    PENDING = "集計中"
    MISSING = "未入力"
    QUALITATIVE = "定性目標"
    NOT_RATED = "評価対象外"
    CHECK = "要確認"

    @property
    def symbol(self) -> str:
        """A mark that stays readable in black and white print (see :data:`SYMBOLS`)."""
        return SYMBOLS[self]

    @property
    def is_rated(self) -> bool:
        """True for 達成, 概ね達成 and 未達成."""
        return self in _RATED


_RATED = frozenset({Status.ACHIEVED, Status.MOSTLY, Status.NOT_ACHIEVED})

#: One mark per status, no two alike: ◎ 達成, ○ 概ね達成, △ 未達成 (the city's usual marks);
#: － 目標未設定 (no target that year); ◇ 定性目標 and ／ 評価対象外 (a target that is not a number);
#: … 集計中 (comes later); □ 未入力 (a cell to fill in); ？ 要確認 (cannot be rated as written).
SYMBOLS: dict[Status, str] = {
    Status.ACHIEVED: "◎",
    Status.MOSTLY: "○",
    Status.NOT_ACHIEVED: "△",
    Status.NO_TARGET: "－",
    Status.PENDING: "…",
    Status.MISSING: "□",
    Status.QUALITATIVE: "◇",
    Status.NOT_RATED: "／",
    Status.CHECK: "？",
}


@dataclass(frozen=True)
class Bands:
    """Band edges as fractions: 達成 ≥ ``achieved``, 概ね達成 ≥ ``mostly``, else 未達成."""

    achieved: float = 1.0
    mostly: float = 0.75

    def __post_init__(self) -> None:
        if not 0 <= self.mostly <= self.achieved:
            raise ValueError(f"need 0 <= mostly <= achieved, got {self.mostly}, {self.achieved}")

    def classify(self, rate: Decimal, *, allow_achieved: bool = True) -> Status:
        """Band an unrounded rate; ``allow_achieved=False`` caps the result at 概ね達成."""
        if allow_achieved and rate >= _dec(self.achieved):
            return Status.ACHIEVED
        if rate >= _dec(self.mostly):
            return Status.MOSTLY
        return Status.NOT_ACHIEVED


_DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class Rating:
    """The rating of one KPI year.

    ``status`` is final; ``computed`` is what the rule gives; ``own`` is the division's rating
    (``None`` when not given). ``reason`` explains ``computed``; ``own_reason`` is the division's
    reason. ``target_text`` is the target rated against (the resolved one for 「⇒」).
    """

    status: Status
    rate: float | None
    basis: str
    computed: Status
    own: Status | None
    reason: str
    target_text: str
    actual_text: str
    own_reason: str = ""

    @property
    def label(self) -> str:
        """「概ね達成（所管課評価）」 when the division's rating decides, else the status."""
        if self.basis == BASIS_OWN:
            return f"{self.status}（{BASIS_OWN}）"
        return str(self.status)

    @property
    def symbol(self) -> str:
        """The final status's mark."""
        return self.status.symbol

    @property
    def rate_text(self) -> str:
        """The rate as displayed with the default bands, e.g. 「85.4%」, or 「」."""
        return format_rate(self.rate)


def format_rate(rate: float | None, bands: Bands = _DEFAULT_BANDS) -> str:
    """0.8543 → 「85.4%」; ``None`` → 「」. Rounded half up to 0.1 %, but never up onto a band edge.

    A rate just below an edge is truncated instead: 0.9996 → 「99.9%」, not 「100.0%」 beside
    概ね達成.
    """
    if rate is None:
        return ""
    percent = _dec(rate) * 100
    if not percent.is_finite():
        return f"{percent}%"
    shown = _tenths(percent, ROUND_HALF_UP)
    edges = (_dec(bands.achieved) * 100, _dec(bands.mostly) * 100)
    if any(percent < edge <= shown for edge in edges):
        shown = _tenths(percent, ROUND_DOWN)
    return f"{shown:f}%"


def _tenths(percent: Decimal, rounding: str) -> Decimal:
    with localcontext(Context(prec=max(28, percent.adjusted() + 4))):
        return percent.quantize(Decimal("0.1"), rounding=rounding) + 0  # + 0: -0.0 → 0.0


def parse_own_rating(text: str) -> Status | None:
    """Read a division's own rating: 「達成」「達　成」「概ね達成」「おおむね達成」「未達成」."""
    key = re.sub(r"\s+", "", normalize_text(text or "")).replace("おおむね", "概ね")
    try:
        status = Status(key)
    except ValueError:
        return None
    return status if status.is_rated else None


# --- the rule ---------------------------------------------------------------------------------


class _Outcome(NamedTuple):
    status: Status
    rate: Decimal | None
    reason: str


def rate_year(
    target: ParsedValue,
    actual: ParsedValue,
    *,
    direction: Direction | str | None = None,
    unit: str = "",
    later_targets: Sequence[ParsedValue] = (),
    own: str = "",
    own_reason: str = "",
    bands: Bands = _DEFAULT_BANDS,
) -> Rating:
    """Rate one KPI year (see the module docstring for the rule). Never raises on card values.

    ``direction`` and ``unit`` are the KPI's 方向 and 単位; ``later_targets`` are the targets of the
    following years in order (used for 「⇒」); ``own``/``own_reason`` the division's rating.
    """
    effective, note = _resolve_target(target, later_targets)
    outcome = _compute(effective, actual, direction, unit, bands)
    if note:
        outcome = outcome._replace(reason=f"{note}{outcome.reason}")
    return _finish(outcome, effective.text, actual.text, own, own_reason)


def _resolve_target(target: ParsedValue, later: Sequence[ParsedValue]) -> tuple[ParsedValue, str]:
    if target.kind is not ValueKind.SAME_AS_NEXT:
        return target, ""
    nxt = next((t for t in later if t.kind is not ValueKind.SAME_AS_NEXT), None)
    if nxt is None:
        return target, ""
    return nxt, f"「{target.text}」のため次の目標値「{nxt.text}」で評価。"


def _compute(
    target: ParsedValue,
    actual: ParsedValue,
    direction: Direction | str | None,
    unit: str,
    bands: Bands,
) -> _Outcome:
    pair = _numbers(target, actual)
    if isinstance(pair, _Outcome):
        return pair
    resolved = _direction(target, actual, direction, unit)
    if isinstance(resolved, _Outcome):
        return resolved
    return _rate_numbers(*pair, resolved, target.comparator, bands)


def _numbers(target: ParsedValue, actual: ParsedValue) -> tuple[Decimal, Decimal] | _Outcome:
    """Target and actual as numbers in one unit, or the non-rated outcome that stops rating."""
    t, a = _finite(target), _finite(actual)
    blocked = _check_target(target, t) or _check_actual(actual, a)
    if blocked or t is None or a is None:
        return blocked or _Outcome(Status.CHECK, None, "")
    return _scaled_pair(target, actual, t, a)


def _check_target(target: ParsedValue, value: Decimal | None) -> _Outcome | None:
    kind = target.kind
    if kind in (ValueKind.BLANK, ValueKind.DASH, ValueKind.NOT_SET, ValueKind.SAME_AS_NEXT):
        return _Outcome(Status.NO_TARGET, None, "目標値が設定されていません。")
    if kind is ValueKind.QUALITATIVE:
        return _Outcome(Status.QUALITATIVE, None, "定性目標のため達成率を計算しません。")
    if value is None:
        return _Outcome(Status.CHECK, None, f"目標値「{target.text}」を数値として読めません。")
    return None


def _check_actual(actual: ParsedValue, value: Decimal | None) -> _Outcome | None:
    if actual.kind is ValueKind.PENDING:
        return _Outcome(Status.PENDING, None, "実績値は集計中です。")
    if actual.kind in (ValueKind.BLANK, ValueKind.DASH):
        return _Outcome(Status.MISSING, None, "実績値が入力されていません。")
    if value is None:
        return _Outcome(Status.CHECK, None, f"実績値「{actual.text}」を数値として読めません。")
    return None


def _finite(value: ParsedValue) -> Decimal | None:
    """The value as an exact Decimal of its shortest repr; None unless a finite NUMBER."""
    if value.kind is not ValueKind.NUMBER or value.value is None:
        return None
    dec = _dec(value.value)
    return dec if dec.is_finite() else None


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


# --- units ------------------------------------------------------------------------------------

_SCALES: tuple[tuple[str, int], ...] = (
    ("百万", 10**6),
    ("千", 10**3),
    ("万", 10**4),
    ("億", 10**8),
)
_SAME_UNIT: dict[str, str] = {"名": "人", "pt": "ポイント"}


def _split_unit(unit: str) -> tuple[str, int]:
    """「万人」 → (「人」, 10000); 「件/日」 → (「件/日」, 1)."""
    for prefix, factor in _SCALES:
        if unit.startswith(prefix):
            rest = unit.removeprefix(prefix)
            return _SAME_UNIT.get(rest, rest), factor
    return _SAME_UNIT.get(unit, unit), 1


def _scaled_pair(
    target: ParsedValue, actual: ParsedValue, t: Decimal, a: Decimal
) -> tuple[Decimal, Decimal] | _Outcome:
    """Target and actual in one unit, or 要確認 when their units differ."""
    if not (target.unit and actual.unit):
        return t, a
    (t_base, t_factor), (a_base, a_factor) = _split_unit(target.unit), _split_unit(actual.unit)
    if t_base != a_base:
        reason = f"目標値の単位「{target.unit}」と実績値の単位「{actual.unit}」が異なります。"
        return _Outcome(Status.CHECK, None, reason)
    return t * t_factor, a * a_factor


# --- direction and rate -----------------------------------------------------------------------


def _direction(
    target: ParsedValue, actual: ParsedValue, given: Direction | str | None, unit: str
) -> Direction | _Outcome:
    if target.comparator is not None:
        return target.comparator.implied_direction
    if isinstance(given, Direction):
        return given
    text = (given or "").strip()
    if text:
        parsed = Direction.parse(text)
        if parsed is None:
            return _Outcome(Status.CHECK, None, f"方向「{text}」を読み取れません。")
        return parsed
    units = {normalize_text(unit), target.unit, actual.unit}
    return Direction.LOWER_IS_BETTER if "位" in units else Direction.HIGHER_IS_BETTER


_COMPARE: dict[Comparator, Callable[[Decimal, Decimal], bool]] = {
    Comparator.AT_LEAST: operator.ge,
    Comparator.MORE_THAN: operator.gt,
    Comparator.AT_MOST: operator.le,
    Comparator.LESS_THAN: operator.lt,
}
_DEFAULT_COMPARE: dict[Direction, Callable[[Decimal, Decimal], bool]] = {
    Direction.HIGHER_IS_BETTER: operator.ge,
    Direction.LOWER_IS_BETTER: operator.le,
    Direction.ON_TARGET: operator.eq,
}


def _rate_numbers(
    t: Decimal, a: Decimal, direction: Direction, comparator: Comparator | None, bands: Bands
) -> _Outcome:
    met = (_COMPARE[comparator] if comparator else _DEFAULT_COMPARE[direction])(a, t)
    rate = _formula(direction, t, a)
    if rate is None:
        status = Status.ACHIEVED if met else Status.NOT_ACHIEVED
    elif comparator is not None:
        status = Status.ACHIEVED if met else bands.classify(rate, allow_achieved=False)
    else:
        status = bands.classify(rate)
    return _Outcome(status, rate, _explain(direction, comparator, met, t, a, rate, bands))


def _formula(direction: Direction, t: Decimal, a: Decimal) -> Decimal | None:
    """The direction's rate; None where it is undefined (target ≤ 0, lower-is-better actual ≤ 0)."""
    if t <= 0:
        return None
    if direction is Direction.HIGHER_IS_BETTER:
        return a / t
    if direction is Direction.LOWER_IS_BETTER:
        return t / a if a > 0 else None
    return 1 - abs(a - t) / t


def _explain(
    direction: Direction,
    comparator: Comparator | None,
    met: bool,
    t: Decimal,
    a: Decimal,
    rate: Decimal | None,
    bands: Bands,
) -> str:
    ts, as_ = format_number(float(t)), format_number(float(a))
    parts: list[str] = []
    if comparator is not None:
        verdict = "満たす" if met else "満たさない"
        parts.append(f"実績 {as_} は目標 {ts}{comparator} を{verdict}。")
    if rate is None:
        parts.append(f"実績 {as_}、目標 {ts} のため達成率は計算しません（{direction}）。")
    else:
        formula = _formula_text(direction, ts, as_)
        parts.append(f"達成率 {formula} = {format_rate(float(rate), bands)}（{direction}）。")
    return "".join(parts)


def _formula_text(direction: Direction, ts: str, as_: str) -> str:
    if direction is Direction.HIGHER_IS_BETTER:
        return f"実績 {as_} ÷ 目標 {ts}"
    if direction is Direction.LOWER_IS_BETTER:
        return f"目標 {ts} ÷ 実績 {as_}"
    return f"1 − |実績 {as_} − 目標 {ts}| ÷ 目標 {ts}"


# --- final status -----------------------------------------------------------------------------


def _finish(
    outcome: _Outcome, target_text: str, actual_text: str, own_text: str, own_reason: str
) -> Rating:
    own = parse_own_rating(own_text)
    status, basis, reason = _final(outcome, own, own_text)
    return Rating(
        status=status,
        rate=None if outcome.rate is None else float(outcome.rate),
        basis=basis,
        computed=outcome.status,
        own=own,
        reason=reason,
        target_text=target_text,
        actual_text=actual_text,
        own_reason=own_reason,
    )


def _final(outcome: _Outcome, own: Status | None, own_text: str) -> tuple[Status, str, str]:
    if own is None and own_text.strip():
        note = f"所管課評価「{own_text.strip()}」は 達成・概ね達成・未達成 のいずれでもありません。"
        return Status.CHECK, BASIS_CALCULATED, note + outcome.reason
    if own is not None and own is not outcome.status:
        return own, BASIS_OWN, outcome.reason
    if outcome.status is Status.QUALITATIVE:
        return Status.NOT_RATED, BASIS_CALCULATED, outcome.reason
    return outcome.status, BASIS_CALCULATED, outcome.reason
