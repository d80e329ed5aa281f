"""Rate a typed KPI for one plan year: the bridge between the card model and the rating rule."""

from __future__ import annotations

from ubereport.card.model import Kpi
from ubereport.plan.rating import Bands, Rating, rate_year


def rate_kpi_year(kpi: Kpi, index: int, bands: Bands | None = None, *, own: bool = True) -> Rating:
    """Rate year ``index`` (0-based) of ``kpi``; ``own=False`` ignores the division's rating.

    The division's own rating on the card belongs to the reported year, so callers pass
    ``own=True`` only for that year.
    """
    later = [v.parsed for v in kpi.targets[index + 1 :]]
    return rate_year(
        kpi.targets[index].parsed,
        kpi.actuals[index].parsed,
        direction=kpi.direction or None,
        unit=kpi.unit,
        later_targets=later,
        own=kpi.assessment if own else "",
        own_reason=kpi.assessment_reason if own else "",
        bands=bands or Bands(),
    )
