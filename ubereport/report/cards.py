"""The per-plan cards of a reported year, filled from the master, in the card layout.

One workbook with a sheet per plan that has data (「アクションプラン_R4.xlsx」), and the same card
as a file of its own per plan under ``cards/`` to hand back to the division. Each KPI's 所管課評価
row shows the 達成区分 per plan year (「◎ 達成」 over 「102.7%」); the divisions' own ratings
and reasons are listed under section 7, beside the computed status.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

from ubereport.card.layout import DEFAULT, layout_for
from ubereport.card.model import NARRATIVE_FIELDS, PLAN_TEXT_FIELDS, fold_inputs
from ubereport.card.writer import CardOptions, CardSheet, write_report_cards
from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy, format_fy_long
from ubereport.plan.registry import Registry
from ubereport.report.legend import OWN_NOTE, RATE_NOTE, STATUS_FILLS, band_lines, legend_lines
from ubereport.report.names import UniqueNames, file_name, plan_title, sheet_name
from ubereport.report.rows import KpiRow, PlanReport, Report, YearResult
from ubereport.report.shown import shown_value
from ubereport.report.unchanged import Rendered, content_key, stat_of

__all__ = ["card_fields", "card_sheets", "cards_name", "write_cards"]

HEADER_FIELDS = (*PLAN_TEXT_FIELDS, *NARRATIVE_FIELDS)
# Every xlsxwriter workbook is a reference cycle (its sheets point back at it), so once written
# its cells are freed only by a full pass of the garbage collector — which CPython runs only
# when the heap of long-lived objects has grown by a quarter: beside a large master, the book of
# 500 cards and the card files after it piled up as garbage (60 MB at 500 plans). One full pass
# after the book and after every this many card files.
COLLECT_EVERY = 100
NOTICE = "この様式は台帳（アクションプラン台帳）から作成した報告用の写しです。入力用の様式ではありません。"


def cards_name(report: Report) -> str:
    """「アクションプラン_R4.xlsx」."""
    return f"アクションプラン_{report.label}.xlsx"


def status_text(year: YearResult) -> str:
    """A status cell of the card, two lines: 「◎ 達成」 over 「102.7%」, or over 「所管課評価」."""
    if not year.status:
        return ""
    lines = [f"{year.symbol} {year.status}"]
    if year.is_own:
        lines.append("所管課評価")  # the computed status and rate are in the own-ratings block
    elif year.rate_text:
        lines.append(year.rate_text)
    return "\n".join(lines)


def card_fields(
    report: Report, plan: PlanReport, today: date
) -> tuple[dict[str, object], dict[str, str]]:
    """The report card's field values and status fills of ``plan``."""
    fields: dict[str, object] = {name: plan.text(name) for name in HEADER_FIELDS}
    fields |= {
        "plan_no": plan.plan_no,
        "fiscal_year": report.label,
        "report_date": f"{today.year}/{today.month}/{today.day}",
        "legend": _legend(report),
    }
    lay = layout_for(report.registry) if report.registry is not None else DEFAULT
    for n, item in enumerate(fold_inputs(plan.initiatives, lay.input_count), start=1):
        fields |= {f"input_{n}": item.text, f"output_{n}": item.output}
        fields[f"output_result_{n}"] = item.output_result
    fills: dict[str, str] = {}
    for kpi in plan.kpis[: lay.kpi_count]:
        _kpi_fields(report, kpi, fields, fills)
    return fields, fills


def _kpi_fields(
    report: Report, kpi: KpiRow, fields: dict[str, object], fills: dict[str, str]
) -> None:
    p = f"kpi{kpi.kpi_no}_"
    fields |= kpi.definition_fields()
    fields[p + "baseline"] = shown_value(kpi.baseline, kpi.unit)
    for y, year in enumerate(kpi.years, start=1):
        fields[f"{p}target_y{y}"] = shown_value(year.target, kpi.unit)
        fields[f"{p}actual_y{y}"] = shown_value(year.actual, kpi.unit)
        fields[f"{p}status_y{y}"] = status_text(year)
        if year.status in STATUS_FILLS:
            fills[f"{p}status_y{y}"] = STATUS_FILLS[year.status]
    reported = kpi.year(report.fiscal_year)
    fields[p + "own_name"] = f"{kpi.roman} {kpi.name}"
    fields[p + "own"] = kpi.own or "－"
    fields[p + "own_reason"] = kpi.own_reason
    if reported is not None and reported.rating is not None:
        rating = reported.rating
        computed = f"{rating.computed.symbol} {rating.computed}"
        fields[p + "computed"] = computed + (f"\n{rating.rate_text}" if rating.rate_text else "")
        fills[p + "computed"] = STATUS_FILLS.get(str(rating.computed), "")
    elif reported is not None:
        fields[p + "computed"] = status_text(reported)


def _legend(report: Report) -> str:
    bands = "　".join(f"{sym} {st}：{text}" for sym, st, text in band_lines(report.bands))
    others = "　".join(f"{sym} {st}" for sym, st, _ in legend_lines(report.bands)[3:])
    return f"達成区分　{bands}\n評価しないもの　{others}　{OWN_NOTE}\n{RATE_NOTE}"


def card_sheets(report: Report, today: date) -> list[tuple[PlanReport, CardSheet]]:
    """A report card per plan that has data, with a safe and unique sheet name."""
    names = UniqueNames()
    out = []
    for plan in report.plans:
        if not plan.has_data:
            continue
        fields, fills = card_fields(report, plan, today)
        title = plan_title(plan.plan_no, plan.text("plan_name"))
        name = names.take(sheet_name(title, fallback=plan.plan_no))
        out.append((plan, CardSheet(name, fields, {k: v for k, v in fills.items() if v}, NOTICE)))
    return out


def write_cards(
    folder: Path,
    report: Report,
    registry: Registry,
    today: date,
    rendered: Rendered | None = None,
) -> list[Path]:
    """The book of every card in ``folder`` and one file per plan in ``folder/cards``.

    With ``rendered`` (the record of the outbox), a plan's file that would hold what it
    already holds is left as it is (see :mod:`ubereport.report.unchanged`)."""
    options = CardOptions(
        section4=f"4 {format_fy_long(report.fiscal_year)}の実施内容",
        section7=f"7 {format_fy_long(report.fiscal_year)}の取組状況",
        title=f"■ {registry.title} {registry.item}（{format_fy(report.fiscal_year)} 取組状況）",
    )
    sheets = card_sheets(report, today)
    book = folder / cards_name(report)
    write_atomically(
        book, lambda tmp: write_report_cards(tmp, [s for _, s in sheets], registry, options)
    )
    gc.collect()  # the book of every card (see COLLECT_EVERY)
    written = [book]
    used: set[str] = set()
    for n, (plan, sheet) in enumerate(sheets, start=1):
        if n % COLLECT_EVERY == 0:
            gc.collect()
        stem = plan_title(plan.plan_no, plan.text("plan_name"))
        name = file_name(stem, ".xlsx", fallback=plan.plan_no)
        while name.casefold() in used:
            name = file_name(f"{stem}_{len(used)}", ".xlsx", fallback=plan.plan_no)
        used.add(name.casefold())
        path = folder / "cards" / name
        key = content_key(sheet, options, registry.year_labels)
        if rendered is not None and rendered.current(path, key):
            written.append(path)
            continue
        before = stat_of(path)
        write_atomically(path, lambda tmp, s=sheet: write_report_cards(tmp, [s], registry, options))
        if rendered is not None:
            rendered.wrote(path, key, before)
        written.append(path)
    return written
