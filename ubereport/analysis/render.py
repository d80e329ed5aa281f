"""Render every report of a reported year from a master in one call, with the CLI's defaults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.job.config import load_settings
from ubereport.job.plans import choose_site, plan_sites
from ubereport.master import load
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.report.render import render_reports as render_from_master
from ubereport.report.rows import latest_reported_year


def render_reports(
    master: Path | str | None = None,
    outbox: Path | str | None = None,
    *,
    root: Path | str = ".",
    fiscal_year: int | None = None,
    deadline: date | str | None = None,
    bands: Bands | None = None,
    registry: Registry | None = None,
    plan: str | None = None,
) -> list[Path]:
    """Write 取組達成状況 (xlsx + csv) and the cards of ``fiscal_year`` into ``outbox/R4/``.

    Whatever is not given comes from ``root``'s ``ubereport.toml`` as ``ubereport report`` reads
    it: the master and outbox paths, the 報告年度 (else the newest year with an accepted card),
    the deadline (a date, or the text the settings file accepts: 「2026-05-15」「令和8年5月15日」
    「2026-04-01 から 10 開庁日」), the bands and the extra closing days. ``plan`` names one plan of
    a root with several (its ``plan_id``; default the newest), whose master, outbox and
    definition are then used. Returns the paths written.
    """
    site = choose_site(plan_sites(load_settings(Path(root))), plan)
    settings = site.settings
    path = Path(master) if master is not None else settings.path("master")
    registry = registry or site.registry
    calendar = OfficeCalendar.from_config(settings.closed_days)
    data = load(path)
    deadline = deadline or settings.deadline or None
    due = parse_deadline(deadline, calendar) if isinstance(deadline, str) else deadline
    return render_from_master(
        path,
        Path(outbox) if outbox is not None else settings.path("outbox"),
        fiscal_year or settings.fiscal_year or latest_reported_year(data, registry),
        registry,
        deadline=due,
        bands=bands or Bands(settings.achieved, settings.mostly),
        calendar=calendar,
        data=data,
    )
