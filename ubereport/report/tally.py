"""Count the reported year's 達成区分: by 基本方針, by 戦略 and in total.

What is counted is the rows of the 一覧: one per KPI, and one (未提出) for a plan without KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ubereport.report.rows import STATUS_KEYS, Report

__all__ = ["TALLY_LEVELS", "TallyRow", "tally"]

TALLY_LEVELS = ("基本方針", "戦略", "合計")


@dataclass(slots=True)
class TallyRow:
    level: str
    name: str
    plans: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_KEYS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> float:
        """The status's share of all rows of the group (0 for an empty group)."""
        return self.counts[status] / self.total if self.total else 0.0


def tally(report: Report) -> list[TallyRow]:
    """One row per group of each level of the plan (基本方針, then 戦略: 体系図 order), then 合計."""
    groups: dict[tuple[str, str], TallyRow] = {}
    total = TallyRow("合計", "全体")
    names = report.registry.levels if report.registry is not None else ("基本方針", "戦略")
    for plan in report.plans:
        keys = tuple(
            (name, plan.entry.level(n))
            for n, name in enumerate(names, start=1)
            if plan.entry.level(n)
        )
        rows = [groups.setdefault(k, TallyRow(*k)) for k in keys] + [total]
        statuses = [report.status_of(k) for k in plan.kpis] or [report.status_of(None)]
        for row in rows:
            row.plans += 1
            for status in statuses:
                row.counts[status] += 1
    ordered = [g for name in names for (level, _), g in groups.items() if level == name]
    return [*ordered, total]
