"""The plans a root serves, each with its own master, reports and bands.

A root's plans are the folders of ``<root>/plans/`` holding a ``plan.toml`` and a
``registry.csv`` (``ubereport init --root`` writes the first, ``ubereport plan new`` the next), in
the order of their first years. A root without ``plans/`` serves the bundled plan (the demo).
Each plan's master and report folder default to ``ubereport.toml``'s ``master`` and ``outbox``; a
plan may name its own (``plan new`` does), and two plans never share a master's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ubereport.errors import CannotRun, ConfigError
from ubereport.job.config import Settings
from ubereport.plan.registry import (
    PLANS_FOLDER,
    Plans,
    Registry,
    default_registry,
    load_definition,
)

if TYPE_CHECKING:
    from ubereport.plan.rating import Bands


@dataclass(frozen=True, slots=True)
class PlanSite:
    """One plan of a root: its definition and the settings of its own master and outbox."""

    registry: Registry
    settings: Settings

    @property
    def master(self) -> Path:
        return self.settings.path("master")

    @property
    def bands(self) -> Bands:
        from ubereport.plan.rating import Bands  # imported here: keeps the idle run fast

        return Bands(self.settings.achieved, self.settings.mostly)

    @property
    def plan_id(self) -> str:
        return self.registry.plan_id


def plan_folders(root: Path) -> list[Path]:
    """The plan definition folders of ``root`` (folders of plans/ with a plan.toml)."""
    folder = root / PLANS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / "plan.toml").exists())


def plan_sites(settings: Settings) -> list[PlanSite]:
    """Every plan of the root with its settings; a malformed definition stops the run (exit 2)."""
    folders = plan_folders(settings.root)
    registries = [load_definition(f) for f in folders] or [default_registry()]
    registries.sort(key=lambda r: r.first_year)
    sites = [PlanSite(r, _settings_of(settings, r)) for r in registries]
    _refuse_clashes(sites, folders)
    return sites


def _settings_of(settings: Settings, reg: Registry) -> Settings:
    changes: dict[str, object] = {}
    if reg.master:
        changes["master"] = reg.master
    if reg.outbox:
        changes["outbox"] = reg.outbox
    if reg.achieved is not None:
        changes["achieved"] = reg.achieved
    if reg.mostly is not None:
        changes["mostly"] = reg.mostly
    plan = replace(settings, **changes) if changes else settings  # type: ignore[arg-type]
    if not 0 <= plan.mostly <= plan.achieved:
        where = f"{reg.folder / 'plan.toml'} の" if reg.folder is not None else "ubereport.toml と"
        raise ConfigError(
            f"計画「{reg.plan_id}」の概ね達成の基準（mostly = {plan.mostly:g}）が達成の基準"
            f"（achieved = {plan.achieved:g}）より大きくなります。{where} mostly・achieved を"
            "見直してください（mostly は achieved 以下）。"
        )
    return plan


def _refuse_clashes(sites: list[PlanSite], folders: list[Path]) -> None:
    ids: dict[str, Path | None] = {}
    masters: dict[Path, str] = {}
    for site in sites:
        folder = site.registry.folder
        if site.plan_id in ids:
            raise ConfigError(
                f"計画ID「{site.plan_id}」が「{ids[site.plan_id]}」と「{folder}」の2つの plan.toml に"
                "あります。どちらかの plan_id を変えてください。"
            )
        ids[site.plan_id] = folder
        where = site.master.parent.resolve()
        if where in masters:
            raise ConfigError(
                f"計画「{masters[where]}」と「{site.plan_id}」の台帳が同じフォルダ「{site.master.parent}」に"
                f"なります。{folder}/plan.toml に master と outbox を書いて、計画ごとに別のフォルダにしてください"
                f'（例: outbox = "outbox/{site.plan_id}"、master = "outbox/{site.plan_id}/アクションプラン台帳.xlsx"）。'
            )
        masters[where] = site.plan_id


def plans_of(sites: list[PlanSite]) -> Plans:
    return Plans(tuple(s.registry for s in sites))


def site_for(sites: list[PlanSite], plan_id: str) -> PlanSite:
    """The site of ``plan_id``; the newest plan for a submission of no known plan."""
    return next((s for s in sites if s.plan_id == plan_id), sites[-1])


def choose_site(sites: list[PlanSite], plan_id: str | None) -> PlanSite:
    """The plan ``--plan`` names; without it the newest plan (the only one, in most roots)."""
    if plan_id is None:
        return sites[-1]
    for site in sites:
        if site.plan_id == plan_id:
            return site
    known = "、".join(f"{s.plan_id}（{s.registry.title} {s.registry.period}）" for s in sites)
    raise CannotRun(f"計画「{plan_id}」はこのフォルダにありません。指定できる計画: {known}")
