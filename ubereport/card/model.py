"""The typed card: what every stage after the reader works on (never on cells)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ubereport.findings import Finding
from ubereport.japanese.values import ParsedValue

# The plan-level texts of a card, in card order (header block, sections 1–3 and 6).
PLAN_TEXT_FIELDS = (
    "plan_name",
    "policy",
    "strategy",
    "level_3",
    "lead_division",
    "related_divisions",
    "outcome",
    "situation",
    "plan_actions",
    "related_plans",
)
# The report year's narrative (section 5 of the card).
NARRATIVE_FIELDS = ("achievements", "shortfall_reason", "next_actions")


@dataclass(frozen=True, slots=True)
class YearValue:
    """A target or actual for one plan year: the parsed value and the cell it came from."""

    fiscal_year: int | None
    parsed: ParsedValue
    cell: str | None = None

    def to_json(self) -> dict[str, Any]:
        p = self.parsed
        return {
            "fiscal_year": self.fiscal_year,
            "text": p.text,
            "kind": str(p.kind),
            "value": p.value,
            "unit": p.unit,
            "comparator": str(p.comparator) if p.comparator else None,
        }


@dataclass(frozen=True, slots=True)
class Initiative:
    """Section 4: one インプット with its planned アウトプット and the achieved 実績."""

    text: str
    output: str
    output_result: str

    def is_empty(self) -> bool:
        return not (self.text or self.output or self.output_result)


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"  # the marks of section 4


def fold_inputs(items: Sequence[Initiative], lines: int) -> tuple[Initiative, ...]:
    """The inputs as a card with ``lines`` rows prints them: further inputs (a fifth row a
    division inserted) go into the last row, one line each, with their own mark (「⑤ …」)."""
    if len(items) <= lines:
        return tuple(items)
    head, rest = list(items[: lines - 1]), list(items[lines - 1 :])

    def join(part: str) -> str:
        out = []
        for n, item in enumerate(rest, start=lines):
            text = getattr(item, part)
            mark = CIRCLED[n - 1] if n <= len(CIRCLED) else f"({n})"
            out.append(text if n == lines else f"{mark} {text}" if text else "")
        return "\n".join(t for t in out if t)

    return (*head, Initiative(join("text"), join("output"), join("output_result")))


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    note: str
    unit: str
    direction: str
    baseline_label: str
    baseline: ParsedValue
    targets: tuple[YearValue, ...]
    actuals: tuple[YearValue, ...]
    assessment: str = ""
    assessment_reason: str = ""

    def is_empty(self) -> bool:
        texts = [self.name, self.note, self.unit, self.baseline.text]
        texts += [v.parsed.text for v in self.targets + self.actuals]
        return not any(t.strip() for t in texts)

    def target_for(self, year: int) -> YearValue | None:
        return next((v for v in self.targets if v.fiscal_year == year), None)

    def actual_for(self, year: int) -> YearValue | None:
        return next((v for v in self.actuals if v.fiscal_year == year), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "note": self.note,
            "unit": self.unit,
            "direction": self.direction,
            "baseline": {
                "label": self.baseline_label,
                "text": self.baseline.text,
                "value": self.baseline.value,
            },
            "targets": [v.to_json() for v in self.targets],
            "actuals": [v.to_json() for v in self.actuals],
            "assessment": self.assessment,
            "assessment_reason": self.assessment_reason,
        }


@dataclass(slots=True)
class Card:
    """One submitted アクションプラン card, typed. Texts are kept exactly as found."""

    file: str
    sheet: str
    template_version: str
    fiscal_year: int | None
    fiscal_year_text: str
    plan_no: str | None
    plan_no_text: str
    plan_name: str
    policy: str
    strategy: str
    lead_division: str
    related_divisions: str
    outcome: str
    situation: str
    plan_actions: str
    inputs: tuple[Initiative, ...]
    year_labels: tuple[str, ...]
    plan_years: tuple[int | None, ...]
    kpis: tuple[Kpi, ...]
    related_plans: str
    achievements: str
    shortfall_reason: str
    next_actions: str
    cells: dict[str, str] = field(default_factory=dict)
    # Fields whose printed label was not found on the sheet: unread, never 空欄.
    not_found: tuple[str, ...] = ()
    level_3: str = ""  # the third level of a plan with three (policy and strategy are 1 and 2)
    plan_id: str = ""  # the plan the card was read as (ubereport.card.route)

    def cell_of(self, field_name: str) -> str | None:
        """The A1 cell a field was read from (for pointing a finding at it)."""
        return self.cells.get(field_name)

    def to_json(self, findings: list[Finding] | None = None) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "template_version": self.template_version,
            "plan_no": self.plan_no,
            "plan_name": self.plan_name,
            "fiscal_year": self.fiscal_year,
            "fiscal_year_text": self.fiscal_year_text,
            "policy": self.policy,
            "strategy": self.strategy,
            "level_3": self.level_3,
            "plan_id": self.plan_id,
            "lead_division": self.lead_division,
            "related_divisions": self.related_divisions,
            "outcome": self.outcome,
            "situation": self.situation,
            "plan_actions": self.plan_actions,
            "inputs": [
                {"text": i.text, "output": i.output, "output_result": i.output_result}
                for i in self.inputs
            ],
            "year_labels": list(self.year_labels),
            "kpis": [k.to_json() for k in self.kpis],
            "related_plans": self.related_plans,
            "achievements": self.achievements,
            "shortfall_reason": self.shortfall_reason,
            "next_actions": self.next_actions,
            "findings": [f.to_dict() for f in findings or []],
        }
