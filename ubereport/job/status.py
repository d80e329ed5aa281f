"""Who has submitted: per registry plan, state, deadline and 残り開庁日 (``ubereport status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ubereport.errors import ConfigError
from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.job.config import Settings
from ubereport.plan.registry import default_registry

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


def plan_status(settings: Settings, today: date) -> list[PlanStatus]:
    from ubereport.master.store import read_master

    registry = default_registry()
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


def format_status(rows: list[PlanStatus]) -> str:
    lines = ["No.  状態    主管課            提出日時             期限        残り開庁日"]
    for s in rows:
        deadline = s.deadline.isoformat() if s.deadline else "-"
        left = "-" if s.open_days_left is None else str(s.open_days_left)
        lines.append(
            f"{s.plan_no}   {s.state:<6}{s.lead_division:<14}{s.received_at or '-':<21}"
            f"{deadline:<12}{left}"
        )
    remind = list(
        dict.fromkeys(
            s.lead_division if s.lead_division != UNSET else f"No.{s.plan_no}（主管課未設定）"
            for s in rows
            if s.state != "受理"
        )
    )
    lines.append("督促先: " + ("、".join(remind) if remind else "なし"))
    return "\n".join(lines)
