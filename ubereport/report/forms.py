"""Next cycle's forms: the card template prefilled from the master, one per registry plan.

Prefilled: the header, sections 1–3 and 6, both KPIs (name, note, unit, direction, baseline, every
year's target) and the actuals of the years before the form's year, and section 4's initiatives
and planned outputs of the year before as a draft (the notice says to update them). Left
empty for the division: the form year's and later actuals, the 所管課評価 and its reason, section
4's 実績 and section 7. Every input cell stays unlocked; the defined names are the template's, so
a returned form reads and validates like any card.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ubereport.card.layout import DEFAULT, Layout, layout_for
from ubereport.card.model import PLAN_TEXT_FIELDS, Initiative, fold_inputs
from ubereport.card.writer import CardOptions, write_card
from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy, format_fy_long
from ubereport.master import load
from ubereport.master.store import MasterData
from ubereport.plan.registry import Registry
from ubereport.report.names import file_name, plan_title, year_folder
from ubereport.report.rows import PlanReport, build_report

__all__ = ["form_fields", "form_name", "write_form_files", "write_forms"]


def form_notice(fiscal_year: int, *, prefilled: bool = True) -> str:
    """The form's notice; a plan with nothing in the master must not be told it was prefilled."""
    fy, prev = format_fy(fiscal_year), format_fy(fiscal_year - 1)
    if not prefilled:
        return (
            f"※{fy}の報告様式です。この計画は台帳にまだ内容がないため、転記した項目はありません。"
            f"計画の内容（1〜3・6）、目標指標、{fy}の実績・所管課評価、4、7 をすべて入力してください。"
        )
    return (
        f"※{fy}の報告様式です。計画の内容・目標値と{prev}までの実績は台帳から転記済みです。"
        f"{fy}の実績・所管課評価、4（前年度の内容を転記済み。{fy}の内容に直してください）、"
        "7 を入力してください。"
    )


def form_name(plan: PlanReport, fiscal_year: int) -> str:
    """「02_ふるさと納税等自主財源の獲得推進_R5.xlsx」."""
    stem = f"{plan_title(plan.plan_no, plan.text('plan_name'))}_{format_fy(fiscal_year)}"
    return file_name(stem, ".xlsx", fallback=plan.plan_no)


def form_fields(
    plan: PlanReport, fiscal_year: int, draft: tuple[Initiative, ...], lay: Layout = DEFAULT
) -> dict[str, str]:
    """The defined-name values a form of ``plan`` for ``fiscal_year`` is prefilled with."""
    fields = {name: plan.text(name) for name in PLAN_TEXT_FIELDS}
    fields |= {"plan_no": plan.plan_no, "fiscal_year": format_fy(fiscal_year)}
    for n, item in enumerate(fold_inputs(draft, lay.input_count), start=1):
        fields |= {f"input_{n}": item.text, f"output_{n}": item.output}
    for kpi in plan.kpis:
        if not 1 <= kpi.kpi_no <= lay.kpi_count:
            continue
        p = f"kpi{kpi.kpi_no}_"
        fields |= kpi.definition_fields()
        for y, year in enumerate(kpi.years, start=1):
            fields[f"{p}target_y{y}"] = year.target
            if year.fiscal_year < fiscal_year and year.actual:
                fields[f"{p}actual_y{y}"] = year.actual
    return {k: v for k, v in fields.items() if v}


def write_forms(
    master_path: Path, outbox: Path, fiscal_year: int, registry: Registry
) -> list[Path]:
    """Write ``fiscal_year``'s forms from the master into ``outbox/<year>/forms``."""
    folder = year_folder(outbox, fiscal_year) / "forms"
    return write_form_files(folder, load(master_path), registry, fiscal_year)


def write_form_files(
    folder: Path, data: MasterData, registry: Registry, fiscal_year: int
) -> list[Path]:
    """Write a prefilled form per registry plan into ``folder``; returns the paths."""
    earlier = build_report(data, registry, fiscal_year - 1)
    current = {p.plan_no: p for p in build_report(data, registry, fiscal_year).plans}
    options = CardOptions(
        notice=form_notice(fiscal_year),
        section4=f"4 {format_fy_long(fiscal_year)}の実施内容",
    )
    blank = replace(options, notice=form_notice(fiscal_year, prefilled=False))
    written = []
    for plan in earlier.plans:
        draft = plan.initiatives
        now = current[plan.plan_no]
        fields = form_fields(now, fiscal_year, draft, layout_for(registry))
        opts = options if now.has_data or plan.has_data else blank
        path = folder / form_name(plan, fiscal_year)
        write_atomically(path, lambda tmp, f=fields, o=opts: write_card(tmp, f, registry, o))
        written.append(path)
    return written
