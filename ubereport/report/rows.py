"""The typed report rows: the master's tables turned into one rated row per plan × KPI.

Every report (the 取組達成状況 workbook, the open-data CSV, the per-plan cards and the next
cycle's forms) is rendered from :class:`Report`, never from cells. The rating is
:func:`ubereport.validate.assess.rate_kpi_year` on a :class:`~ubereport.card.model.Kpi` rebuilt from the master:
every plan year up to the reported one is rated with that year's own rating (所管課評価) as the
master keeps it; later years are not rated yet.

A plan without an accepted card for the reported year whose actual is blank is 未提出 rather than
未入力: nobody was asked to fill in anything yet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ubereport.card.model import NARRATIVE_FIELDS, PLAN_TEXT_FIELDS, Initiative, Kpi, YearValue
from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.japanese.values import parse_value
from ubereport.master.digest import Group
from ubereport.master.store import MasterData, Record
from ubereport.plan.rating import Bands, Rating, Status
from ubereport.plan.registry import PlanEntry, Registry
from ubereport.validate.assess import rate_kpi_year

__all__ = [
    "NOT_SUBMITTED",
    "STATUS_KEYS",
    "KpiRow",
    "PlanReport",
    "Report",
    "SubmissionState",
    "YearResult",
    "build_report",
    "latest_reported_year",
]

NOT_SUBMITTED = "未提出"
NOT_SUBMITTED_SYMBOL = "×"
ROMAN = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ")

#: Every 達成区分 a report row can end with, in the order the reports list them: the three bands,
#: then the statuses that are not rated. 定性目標 is never final (the rule turns it into 評価対象外
#: or the division's own rating).
STATUS_KEYS: tuple[str, ...] = (
    *(
        str(s)
        for s in (
            Status.ACHIEVED,
            Status.MOSTLY,
            Status.NOT_ACHIEVED,
            Status.PENDING,
            Status.MISSING,
            Status.NO_TARGET,
            Status.NOT_RATED,
            Status.CHECK,
        )
    ),
    NOT_SUBMITTED,
)


@dataclass(frozen=True, slots=True)
class YearResult:
    """One KPI in one plan year: the texts as written and, up to the reported year, its rating."""

    fiscal_year: int
    target: str
    actual: str
    rating: Rating | None = None
    not_submitted: bool = False

    @property
    def label(self) -> str:
        return format_fy(self.fiscal_year)

    @property
    def status(self) -> str:
        """「達成」…「要確認」, 「未提出」, or 「」 for a year not rated yet."""
        if self.not_submitted:
            return NOT_SUBMITTED
        return str(self.rating.status) if self.rating else ""

    @property
    def symbol(self) -> str:
        if self.not_submitted:
            return NOT_SUBMITTED_SYMBOL
        return self.rating.symbol if self.rating else ""

    @property
    def mark(self) -> str:
        """「◎ 達成」, 「◎ 達成（所管課評価）」, 「× 未提出」 or 「」: text and symbol for print."""
        if self.not_submitted:
            return f"{NOT_SUBMITTED_SYMBOL} {NOT_SUBMITTED}"
        return f"{self.rating.symbol} {self.rating.label}" if self.rating else ""

    @property
    def basis(self) -> str:
        """「計算」 or 「所管課評価」; 「」 when not rated."""
        return self.rating.basis if self.rating and not self.not_submitted else ""

    @property
    def rate_text(self) -> str:
        """「102.7%」 as :func:`ubereport.plan.rating.format_rate` shows it, or 「」."""
        return self.rating.rate_text if self.rating and not self.not_submitted else ""

    @property
    def rate_percent(self) -> Decimal | None:
        """The shown rate as a number of percent (102.7), or None."""
        text = self.rate_text
        return Decimal(text.removesuffix("%")) if text else None

    @property
    def is_own(self) -> bool:
        return self.basis == "所管課評価"


@dataclass(frozen=True, slots=True)
class KpiRow:
    kpi_no: int
    name: str
    note: str
    unit: str
    direction: str
    baseline_label: str
    baseline: str
    years: tuple[YearResult, ...]
    own: str = ""
    own_reason: str = ""

    def definition_fields(self) -> dict[str, str]:
        """The KPI's definition as the card's defined names (kpiK_name … kpiK_baseline)."""
        p = f"kpi{self.kpi_no}_"
        keys = ("name", "note", "unit", "direction", "baseline_label", "baseline")
        return {p + k: getattr(self, k) for k in keys}

    @property
    def roman(self) -> str:
        return ROMAN[self.kpi_no - 1] if 0 < self.kpi_no <= len(ROMAN) else str(self.kpi_no)

    def year(self, fiscal_year: int) -> YearResult | None:
        return next((y for y in self.years if y.fiscal_year == fiscal_year), None)


@dataclass(frozen=True, slots=True)
class SubmissionState:
    """The latest submission of a plan for the reported year (from the master's 提出 sheet)."""

    state: str
    received_at: str = ""
    file_name: str = ""
    errors: int | None = None
    warnings: int | None = None
    count: int = 0


@dataclass(frozen=True, slots=True)
class PlanReport:
    entry: PlanEntry
    fields: dict[str, str]
    kpis: tuple[KpiRow, ...]
    initiatives: tuple[Initiative, ...]
    submission: SubmissionState
    has_data: bool

    @property
    def plan_no(self) -> str:
        return self.entry.plan_no

    @property
    def lead_division(self) -> str:
        return self.fields.get("lead_division") or self.entry.lead_division

    def text(self, name: str) -> str:
        return self.fields.get(name, "")


@dataclass(frozen=True, slots=True)
class Report:
    fiscal_year: int
    plan_years: tuple[int, ...]
    title: str
    plans: tuple[PlanReport, ...]
    bands: Bands
    registry: Registry | None = None  # the plan definition the report was built with

    @property
    def label(self) -> str:
        return format_fy(self.fiscal_year)

    def rows(self) -> list[tuple[PlanReport, KpiRow | None]]:
        """One row per plan × KPI in 体系図 order; a plan without KPIs is one row with None."""
        out: list[tuple[PlanReport, KpiRow | None]] = []
        for plan in self.plans:
            out += [(plan, k) for k in plan.kpis] if plan.kpis else [(plan, None)]
        return out

    def status_of(self, kpi: KpiRow | None) -> str:
        """The reported year's status of a row (「未提出」 for a plan without KPIs)."""
        year = kpi.year(self.fiscal_year) if kpi else None
        return year.status if year else NOT_SUBMITTED


def build_report(
    data: MasterData, registry: Registry, fiscal_year: int, bands: Bands | None = None
) -> Report:
    """Rate every registry plan's KPIs for ``fiscal_year`` from the master ``data``."""
    bands = bands or Bands()
    master = _Tables(data)
    plans = tuple(_plan(master, entry, registry, fiscal_year, bands) for entry in registry.plans)
    return Report(fiscal_year, tuple(registry.plan_years), registry.title, plans, bands, registry)


def latest_reported_year(data: MasterData, registry: Registry) -> int:
    """The latest fiscal year with an accepted card in the master, else the plan's first year."""
    years = [_year(year) for (_, year), g in data.submission_groups().items() if g.accepted]
    return max((y for y in years if y is not None), default=registry.first_year)


class _Tables:
    """The master's rows, indexed for the report."""

    def __init__(self, data: MasterData) -> None:
        self.plans = {_s(r.get("plan_no")): r for r in data.rows("plans")}
        self.kpis: dict[str, list[Record]] = {}
        for r in sorted(data.rows("kpis"), key=lambda r: int(r.get("kpi_no") or 0)):
            self.kpis.setdefault(_s(r.get("plan_no")), []).append(r)
        self.values = {
            (
                _s(r.get("plan_no")),
                int(r.get("kpi_no") or 0),
                parse_fiscal_year(r.get("fiscal_year")),
            ): r
            for r in data.rows("kpi_values")
        }
        self.initiatives: dict[tuple[str, int | None], list[Record]] = {}
        for r in sorted(data.rows("initiatives"), key=lambda r: int(r.get("item_no") or 0)):
            key = (_s(r.get("plan_no")), parse_fiscal_year(r.get("fiscal_year")))
            self.initiatives.setdefault(key, []).append(r)
        self.narratives = {
            (_s(r.get("plan_no")), parse_fiscal_year(r.get("fiscal_year"))): r
            for r in data.rows("narratives")
        }
        # 提出 rows per (plan, year), in sheet order (the sheet is append-only: the last is the
        # latest); grouped once, as the 提出 sheet grows with every file ever received.
        # 提出 per plan and year: the master's digest of the sheet, by the cells as written
        # (a handful of plans and years to normalise; two spellings of one are joined).
        self.submissions: dict[tuple[str, int | None], Group] = {}
        for (plan_no, year), group in data.submission_groups().items():
            key = (_s(plan_no), _year(year))
            have = self.submissions.get(key)
            self.submissions[key] = group if have is None else have.joined(group)


def _plan(
    master: _Tables, entry: PlanEntry, registry: Registry, year: int, bands: Bands
) -> PlanReport:
    row = master.plans.get(entry.plan_no, {})
    fields = {name: _s(row.get(name)) for name in PLAN_TEXT_FIELDS}
    for name, default in (
        ("plan_name", entry.plan_name),
        ("policy", entry.policy),
        ("strategy", entry.strategy),
        ("lead_division", entry.lead_division),
    ):
        fields[name] = fields[name] or default
    narrative = master.narratives.get((entry.plan_no, year), {})
    for name in NARRATIVE_FIELDS:
        fields[name] = _s(narrative.get(name))
    submission = _submission_state(master.submissions, entry.plan_no, year)
    accepted = _accepted(master.submissions, entry.plan_no, year)
    kpis = tuple(
        _kpi(master, entry.plan_no, r, registry.plan_years, year, bands, accepted)
        for r in master.kpis.get(entry.plan_no, [])
    )
    initiatives = tuple(
        Initiative(_s(r.get("text")), _s(r.get("output")), _s(r.get("output_result")))
        for r in master.initiatives.get((entry.plan_no, year), [])
    )
    has_data = bool(row.get("submission_id")) or bool(kpis)
    return PlanReport(entry, fields, kpis, initiatives, submission, has_data)


def _kpi(
    master: _Tables,
    plan_no: str,
    row: Record,
    plan_years: list[int],
    year: int,
    bands: Bands,
    accepted: bool,
) -> KpiRow:
    kpi_no = int(row.get("kpi_no") or 0)
    values = [master.values.get((plan_no, kpi_no, fy), {}) for fy in plan_years]
    kpi = Kpi(
        name=_s(row.get("name")),
        note=_s(row.get("note")),
        unit=_s(row.get("unit")),
        direction=_s(row.get("direction")),
        baseline_label=_s(row.get("baseline_label")),
        baseline=parse_value(_s(row.get("baseline_text"))),
        targets=tuple(
            YearValue(fy, parse_value(_s(v.get("target_text"))))
            for fy, v in zip(plan_years, values, strict=True)
        ),
        actuals=tuple(
            YearValue(fy, parse_value(_s(v.get("actual_text"))))
            for fy, v in zip(plan_years, values, strict=True)
        ),
    )
    years = []
    for i, (fy, v) in enumerate(zip(plan_years, values, strict=True)):
        rating = None
        if fy <= year:
            own = replace(
                kpi,
                assessment=_s(v.get("assessment")),
                assessment_reason=_s(v.get("assessment_reason")),
            )
            rating = rate_kpi_year(own, i, bands)
        missing = rating is not None and rating.status is Status.MISSING
        years.append(
            YearResult(
                fy,
                _s(v.get("target_text")),
                _s(v.get("actual_text")),
                rating,
                not_submitted=fy == year and missing and not accepted,
            )
        )
    reported = master.values.get((plan_no, kpi_no, year), {})
    return KpiRow(
        kpi_no,
        kpi.name,
        kpi.note,
        kpi.unit,
        kpi.direction,
        kpi.baseline_label,
        kpi.baseline.text,
        tuple(years),
        _s(reported.get("assessment")),
        _s(reported.get("assessment_reason")),
    )


_YEARS: dict[object, int | None] = {}


def _year(value: object) -> int | None:
    """parse_fiscal_year, remembered per text (the 提出 sheet repeats a handful of years)."""
    if not isinstance(value, str):
        return parse_fiscal_year(value)
    if value not in _YEARS:
        _YEARS[value] = parse_fiscal_year(value)
    return _YEARS[value]


def _accepted(groups: dict[tuple[str, int | None], Group], plan_no: str, year: int) -> bool:
    group = groups.get((plan_no, year))
    return group is not None and group.accepted


def _submission_state(
    groups: dict[tuple[str, int | None], Group], plan_no: str, year: int
) -> SubmissionState:
    """The latest submission not superseded (the 提出 sheet is append-only: the last row is the
    latest) and how many files came in."""
    group = groups.get((plan_no, year))
    if group is None or group.last is None:
        return SubmissionState(NOT_SUBMITTED, count=group.count if group else 0)
    last = group.last
    return SubmissionState(
        _s(last.get("decision")),
        _s(last.get("received_at")),
        _s(last.get("file_name")),
        _int(last.get("errors")),
        _int(last.get("warnings")),
        group.count,
    )


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
