"""Who has submitted: per registry plan, state, deadline and 残り開庁日 (``ubereport status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ubereport.errors import ConfigError
from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.japanese.width import table
from ubereport.job.config import Settings
from ubereport.plan.registry import REGISTRY_FILE, Registry, default_registry

UNSET = "（未設定）"


@dataclass(frozen=True, slots=True)
class PlanStatus:
    plan_no: str
    plan_name: str
    lead_division: str
    state: str
    received_at: str
    deadline: date | None
    open_days_left: int | None


def plan_status(
    settings: Settings, today: date, registry: Registry | None = None
) -> list[PlanStatus]:
    from ubereport.master.store import read_master

    registry = registry or default_registry()
    master = settings.path("master")
    rows = read_master(master).rows("submissions") if master.exists() else []
    year = (
        settings.fiscal_year
        or max((y for r in rows if (y := parse_fiscal_year(r.get("fiscal_year")))), default=None)
        or registry.first_year
    )
    calendar = OfficeCalendar.from_config(settings.closed_days)
    deadline = None
    if settings.deadline:
        try:
            deadline = parse_deadline(settings.deadline, calendar)
        except ValueError as exc:
            raise ConfigError(f"ubereport.toml の「deadline」（提出期限）: {exc}") from exc
    latest: dict[str, dict[str, object]] = {}
    for r in rows:
        if r.get("fiscal_year") == format_fy(year) and r.get("decision") in ("受理", "要修正"):
            latest[str(r["plan_no"])] = r
    out = []
    for plan in registry.plans:
        r = latest.get(plan.plan_no)
        state = str(r["decision"]) if r else "未提出"
        left = calendar.open_days_between(today, deadline) if deadline else None
        out.append(
            PlanStatus(
                plan.plan_no,
                plan.plan_name,
                plan.lead_division or UNSET,
                state,
                str(r["received_at"]) if r else "",
                deadline,
                left,
            )
        )
    return out


def format_status(rows: list[PlanStatus], registry: Registry | None = None) -> str:
    """The status table, aligned by display width; whom to remind; plans whose 主管課 is unset
    are listed once under 設定の確認 (a registry matter, not a division to remind)."""
    table_rows = [["No.", "状態", "主管課", "提出日時", "期限", "残り開庁日"]]
    for s in rows:
        deadline = s.deadline.isoformat() if s.deadline else "-"
        left = "-" if s.open_days_left is None else str(s.open_days_left)
        table_rows.append(
            [s.plan_no, s.state, s.lead_division, s.received_at or "-", deadline, left]
        )
    lines = table(table_rows)
    remind = list(
        dict.fromkeys(
            s.lead_division for s in rows if s.state != "受理" and s.lead_division != UNSET
        )
    )
    lines.append("督促先: " + ("、".join(remind) if remind else "なし"))
    unset = [f"No.{s.plan_no}" for s in rows if s.lead_division == UNSET]
    if unset:
        lines.append(
            f"設定の確認: {'、'.join(unset)} は主管課が未設定のため督促先に含めていません。"
            f"提出を求める場合は体系図（{_registry_file(registry)}）の主管課欄に記入してください。"
        )
    return "\n".join(lines)


def _registry_file(registry: Registry | None) -> str:
    if registry is None or registry.folder is None:
        return "ubereport/data/registry.csv"
    return str(registry.folder / REGISTRY_FILE)
