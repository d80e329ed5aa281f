"""The ``report`` and ``forms`` commands (hooked into ``ubereport.cli`` by :func:`add_parsers`).

Both read only the master, never the inbox. Settings come from ``ubereport.toml`` in ``--root``
(default: the current folder) when it exists: the bands (``achieved``/``mostly``), the deadline,
the extra closing days, the default 報告年度 and the outbox and master paths. Command-line options
win. Problems that stop a command raise :class:`~ubereport.errors.CannotRun` (exit status 2, one
Japanese line from the CLI).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ubereport.errors import CannotRun
from ubereport.japanese.fiscal import format_fy, format_fy_long, parse_fiscal_year
from ubereport.japanese.office_calendar import DEADLINE_FORMS, Deadline, OfficeCalendar
from ubereport.job.config import Settings, load_settings
from ubereport.job.plans import choose_site, plan_sites
from ubereport.master import load
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.report.forms import write_forms
from ubereport.report.pdf import write_pdfs
from ubereport.report.render import printed_books, render_reports
from ubereport.report.rows import STATUS_KEYS, Report, build_report, latest_reported_year
from ubereport.report.tally import tally

__all__ = [
    "MASTER_NAME",
    "add_parsers",
    "cmd_forms",
    "cmd_report",
    "plan_year",
    "render_reports",
    "status_line",
    "write_forms",
]

MASTER_NAME = "アクションプラン台帳.xlsx"


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``report`` and ``forms``; their handlers return the exit status."""
    report = sub.add_parser(
        "report",
        help="台帳から取組達成状況・カード・オープンデータを作り直す（受付フォルダは読まない）",
    )
    report.add_argument(
        "--fy", default=None, help="報告年度（例: R4）。省略すると台帳で受理済みの最新の年度"
    )
    _common(report)
    report.add_argument(
        "--deadline", default=None, help=f"提出状況に載せる提出期限（{DEADLINE_FORMS}）"
    )
    report.add_argument(
        "--pdf",
        action="store_true",
        help="公表用の取組達成状況とカードの PDF も作る（LibreOffice を使う。設定 pdf = true と同じ）",
    )
    report.set_defaults(handler=cmd_report)
    forms = sub.add_parser("forms", help="次の年度の報告様式を台帳から作る（計画ごとに1ファイル）")
    forms.add_argument("--fy", required=True, help="様式の年度（例: R5）")
    _common(forms)
    forms.set_defaults(handler=cmd_forms)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--master", type=Path, default=None, help=f"台帳のパス（既定: <outbox>/{MASTER_NAME}）"
    )
    parser.add_argument("--outbox", type=Path, default=None, help="出力先フォルダ（既定: outbox）")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="設定ファイル ubereport.toml のあるフォルダ"
    )


@dataclass(frozen=True, slots=True)
class _Paths:
    settings: Settings
    master: Path
    outbox: Path
    registry: Registry


def _paths(args: argparse.Namespace) -> _Paths:
    site = choose_site(plan_sites(load_settings(args.root)), getattr(args, "plan", None))
    settings = site.settings
    outbox = args.outbox or settings.path("outbox")
    if args.master:
        master = args.master
    elif args.outbox:
        master = args.outbox / MASTER_NAME
    else:
        master = settings.path("master")
    return _Paths(settings, master, outbox, site.registry)


def cmd_report(args: argparse.Namespace) -> int:
    paths = _paths(args)
    registry = paths.registry
    settings = paths.settings
    data = load(paths.master)
    if args.fy:
        year = plan_year(args.fy, registry)
    elif settings.fiscal_year:
        year = plan_year(str(settings.fiscal_year), registry)
    else:
        year = latest_reported_year(data, registry)
    calendar = OfficeCalendar.from_config(settings.closed_days)
    deadline_text = args.deadline or settings.deadline
    deadline = _deadline(deadline_text, calendar) if deadline_text else None
    bands = _bands(settings)
    written = render_reports(
        paths.master,
        paths.outbox,
        year,
        registry,
        deadline=deadline,
        bands=bands,
        calendar=calendar,
    )
    messages: list[str] = []
    if args.pdf or settings.pdf:
        pdfs = write_pdfs(printed_books(written))
        written += pdfs.written
        messages = pdfs.messages
    print(f"{format_fy_long(year)}の取組達成状況を書き出しました（台帳: {paths.master}）")
    for path in written:
        print(f"  {path}")
    for message in messages:
        print(message)
    print(status_line(build_report(data, registry, year, bands)))
    return 0


def cmd_forms(args: argparse.Namespace) -> int:
    paths = _paths(args)
    registry = paths.registry
    year = plan_year(args.fy, registry)
    written = write_forms(paths.master, paths.outbox, year, registry)
    print(
        f"{format_fy_long(year)}の報告様式を {len(written)} 件書き出しました（台帳: {paths.master}）"
    )
    for path in written:
        print(f"  {path}")
    return 0


def plan_year(text: str, registry: Registry) -> int:
    """The fiscal year written as ``text``; it must be one of the plan's years."""
    year = parse_fiscal_year(text)
    if year is None:
        raise CannotRun(
            f"年度「{text}」を読めません。「R4」「令和4年度」「2022」のように指定してください。"
        )
    if year not in registry.plan_years:
        first, last = registry.plan_years[0], registry.plan_years[-1]
        raise CannotRun(
            f"年度「{text}」は計画期間（{format_fy(first)}～{format_fy(last)}）の外です。"
        )
    return year


def status_line(report: Report) -> str:
    """「R4: 達成 14件・概ね達成 4件・未達成 3件・集計中 1件・…（全 24 件）」."""
    total = tally(report)[-1]
    parts = [f"{s} {total.counts[s]}件" for s in STATUS_KEYS if total.counts[s]]
    return f"{report.label}: " + "・".join(parts) + f"（全 {total.total} 件）"


def _deadline(text: str, calendar: OfficeCalendar) -> date:
    try:
        return Deadline.parse(text, calendar).due
    except ValueError as exc:
        raise CannotRun(str(exc)) from exc


def _bands(settings: Settings) -> Bands:
    """The bands of ubereport.toml (load_settings has already checked their order)."""
    return Bands(settings.achieved, settings.mostly)
