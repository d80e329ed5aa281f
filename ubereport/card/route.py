"""Which of a root's plans a workbook's card belongs to.

The template carries its plan's identity as the workbook-level defined name ``plan_id`` (a
constant, ``="ube-2022"``). When the names are gone (the card was pasted into another workbook),
the sheet's printed title (「■ <計画名> <item>」) and its year headings decide: the plan whose title
the sheet shows, and among plans of the same title the one whose plan years the headings name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ubereport.card.layout import layout_for
from ubereport.card.xlsx_source import XlsxSource
from ubereport.japanese.fiscal import parse_fiscal_year
from ubereport.plan.registry import Plans, Registry

PLAN_ID_NAME = "plan_id"


@dataclass(frozen=True, slots=True)
class Unrouted:
    """No plan of the root: ``code`` (plan-unknown / plan-ambiguous) and what the card claims."""

    code: str
    claimed: str


def claimed_plan_id(source: XlsxSource) -> str | None:
    """The ``plan_id`` defined name's constant, or None when the workbook has none."""
    ref = source.defined_names.get(PLAN_ID_NAME)
    if ref is None:
        return None
    text = ref.raw.strip().removeprefix("=").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text.strip() or None


def plan_of_book(source: XlsxSource, plans: Plans) -> Registry | Unrouted | None:
    """The plan the workbook names; None when it names none (then each sheet decides)."""
    claimed = claimed_plan_id(source)
    if claimed is None:
        return plans.single
    found = plans.by_id(claimed)
    return found if found is not None else Unrouted("plan-unknown", claimed)


def plan_of_sheet(source: XlsxSource, sheet: str, plans: Plans) -> Registry | Unrouted | None:
    """The plan a sheet shows by its title and year headings; None when it shows no title."""
    texts = [t for t in source.texts(sheet) if len(t) <= 80]
    titled = [
        p for p in plans.items if any(layout_for(p).anchors["title"].search(t) for t in texts)
    ]
    if len(titled) == 1:
        return titled[0]
    years = {y for t in texts if (y := parse_fiscal_year(t)) is not None}
    candidates = titled or list(plans.items)
    scored = sorted(((len(years & set(p.plan_years)), p) for p in candidates), key=lambda s: -s[0])
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        best = scored[0][1]
        return best if titled or scored[0][0] >= 3 else None
    if titled:
        return Unrouted("plan-ambiguous", "、".join(f"{p.plan_id}（{p.period}）" for p in titled))
    return None
