"""Render every report of a reported year from a master in one call, with the CLI's defaults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.master import load
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry, default_registry
from ubereport.report.render import render_reports as render_from_master
from ubereport.report.rows import latest_reported_year


def render_reports(
    master: Path | str,
    outbox: Path | str = "outbox",
    *,
    fiscal_year: int | None = None,
    deadline: date | str | None = None,
    bands: Bands | None = None,
    registry: Registry | None = None,
    calendar: OfficeCalendar | None = None,
) -> list[Path]:
    """Write 取組達成状況 (xlsx + csv) and the cards of ``fiscal_year`` into ``outbox/R4/``.

    ``fiscal_year`` defaults to the newest year with an accepted card; ``deadline`` is a date or
    the text ``ubereport.toml`` accepts (「2026-05-15」「令和8年5月15日」「2026-04-01 から 10 開庁日」).
    Returns the paths written.
    """
    master = Path(master)
    registry = registry or default_registry()
    calendar = calendar or OfficeCalendar()
    data = load(master)
    due = parse_deadline(deadline, calendar) if isinstance(deadline, str) else deadline
    return render_from_master(
        master,
        Path(outbox),
        fiscal_year or latest_reported_year(data, registry),
        registry,
        deadline=due,
        bands=bands,
        calendar=calendar,
        data=data,
    )
