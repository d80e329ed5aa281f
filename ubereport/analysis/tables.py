"""Open a master and get its tables as DataFrames: :func:`open_master` → :class:`MasterTables`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ubereport.analysis.columns import frame
from ubereport.analysis.ratings import kpi_value_frame
from ubereport.job.config import load_settings
from ubereport.job.plans import choose_site, plan_sites
from ubereport.master import load
from ubereport.master.schema import BY_NAME
from ubereport.master.store import MasterData
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.report.rows import latest_reported_year

if TYPE_CHECKING:
    import pandas as pd


@dataclass(slots=True)
class MasterTables:
    """The master workbook (台帳) read once; each method returns a new DataFrame.

    ``fiscal_year`` is the reported year the KPI values are rated for (default: the newest year
    with an accepted card, as the reports use); ``bands`` the 達成 / 概ね達成 bands.
    """

    path: Path
    data: MasterData = field(repr=False)
    registry: Registry = field(repr=False)
    fiscal_year: int
    bands: Bands

    def plans(self) -> pd.DataFrame:
        """計画: one row per plan (the texts of its latest accepted card)."""
        return self._table("plans")

    def kpis(self) -> pd.DataFrame:
        """指標: one row per plan × KPI with its baseline as text, number, unit and comparator."""
        return self._table("kpis")

    def kpi_values(self) -> pd.DataFrame:
        """指標値, rated: one row per plan × KPI × plan year with target and actual as text,
        number, unit and comparator, the 達成率 (``rate`` unrounded, ``rate_percent`` as shown)
        and the 達成区分 (``status``)."""
        return kpi_value_frame(self.data, self.registry, self.fiscal_year, self.bands)

    def initiatives(self) -> pd.DataFrame:
        """取組: インプット / アウトプット / 実績 per plan, reported year and item."""
        return self._table("initiatives")

    def narratives(self) -> pd.DataFrame:
        """報告: 取組実績, 未達成の理由・改善策, 次年度の取組 per plan and reported year."""
        return self._table("narratives")

    def submissions(self) -> pd.DataFrame:
        """提出: every file received, with its decision and counts."""
        return self._table("submissions")

    def findings(self) -> pd.DataFrame:
        """指摘: every finding of every submission."""
        return self._table("findings")

    def history(self) -> pd.DataFrame:
        """変更履歴: every value a submission or a hand edit changed."""
        return self._table("history")

    def _table(self, name: str) -> pd.DataFrame:
        return frame(BY_NAME[name], self.data.rows(name))


def open_master(
    master: Path | str | None = None,
    *,
    root: Path | str = ".",
    fiscal_year: int | None = None,
    bands: Bands | None = None,
    registry: Registry | None = None,
    plan: str | None = None,
) -> MasterTables:
    """Read the master, with the settings of ``root``'s ``ubereport.toml`` as the commands use
    them: its ``master`` path when ``master`` is not given, its 報告年度 and its bands
    (``achieved`` / ``mostly``) unless given here. Without a settings file the defaults apply.
    Raises :class:`~ubereport.errors.MasterMissing` when there is no master, and
    :class:`~ubereport.errors.ConfigError` for a broken settings file. ``plan`` names one plan
    of a root with several (its ``plan_id``; default the newest): its master and definition."""
    site = choose_site(plan_sites(load_settings(Path(root))), plan)
    settings = site.settings
    path = Path(master) if master is not None else settings.path("master")
    registry = registry or site.registry
    data = load(path)
    year = fiscal_year or settings.fiscal_year or latest_reported_year(data, registry)
    return MasterTables(
        path, data, registry, year, bands or Bands(settings.achieved, settings.mostly)
    )
