"""The plan registry: the 体系図 (基本方針 → 戦略 → アクションプラン) shipped as data.

``data/registry.csv`` (UTF-8 with BOM so that Excel opens it cleanly) has one row per plan; a clerk
edits it in Excel. ``data/plan.toml`` names the plan and its period. The template's dropdowns, the
reader's checks and every report take their order and names from here.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.plan.municipality import (
    DEFAULT_MUNICIPALITY,
    Municipality,
    MunicipalityError,
    full_code,
)

COLUMNS = ("方針番号", "基本方針", "戦略番号", "戦略", "計画No", "アクションプラン名", "主管課")


@dataclass(frozen=True, slots=True)
class PlanEntry:
    policy_no: int
    policy_name: str
    strategy_no: int
    strategy_name: str
    plan_no: str
    plan_name: str
    lead_division: str

    @property
    def policy(self) -> str:
        """As printed on the card: 「1 行政資源の適切なコントロール」."""
        return f"{self.policy_no} {self.policy_name}"

    @property
    def strategy(self) -> str:
        return f"{self.strategy_no} {self.strategy_name}"


@dataclass(frozen=True, slots=True)
class Registry:
    title: str
    first_year: int
    years: int
    plans: tuple[PlanEntry, ...]
    municipality: Municipality = DEFAULT_MUNICIPALITY

    @property
    def plan_years(self) -> list[int]:
        return [self.first_year + i for i in range(self.years)]

    @property
    def year_labels(self) -> list[str]:
        return [format_fy(y) for y in self.plan_years]

    def plan(self, plan_no: str) -> PlanEntry | None:
        for entry in self.plans:
            if entry.plan_no == plan_no:
                return entry
        return None

    @property
    def policies(self) -> list[str]:
        return list(dict.fromkeys(p.policy for p in self.plans))

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(p.strategy for p in self.plans))


class RegistryError(ValueError):
    """The registry files are malformed; the message is Japanese and names the row."""


def normalize_plan_no(raw: object) -> str | None:
    """「1」「01」「０１」 1.0 → "01"; anything else None."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw)
    m = _PLAN_NO.fullmatch(unicodedata.normalize("NFKC", str(raw)).replace(" ", "").strip())
    if m is None:
        return None
    return f"{int(m.group(1)):02d}"


# 「01」「No.1」「Ｎｏ．１」「NO1」「№1」 (after NFKC, which also makes 「№」 「No」)
_PLAN_NO = re.compile(r"(?:No\.?|#)?([0-9]{1,3})", re.IGNORECASE)


def load_registry(csv_path: Path | None = None, plan_path: Path | None = None) -> Registry:
    """The 体系図 (``registry.csv``) and plan settings (``plan.toml``); the bundled ones by default."""
    plan_text = _read_data(plan_path, "plan.toml")
    meta = tomllib.loads(plan_text)
    first = parse_fiscal_year(meta.get("first_year"))
    if first is None:
        raise RegistryError(
            f"plan.toml の first_year「{meta.get('first_year')}」を年度として読めません。"
        )
    rows = list(csv.DictReader(_read_data(csv_path, "registry.csv").lstrip("\ufeff").splitlines()))
    plans = tuple(_plan_row(i, row) for i, row in enumerate(rows, start=2))
    return Registry(
        str(meta.get("title", "")), first, int(meta.get("years", 5)), plans, _municipality(meta)
    )


def _municipality(meta: dict[str, object]) -> Municipality:
    """municipality_code / prefecture / municipality of plan.toml (宇部市 when absent)."""
    base = DEFAULT_MUNICIPALITY
    try:
        code = full_code(meta.get("municipality_code", base.code))
    except MunicipalityError as exc:
        raise RegistryError(str(exc)) from exc
    prefecture = str(meta.get("prefecture", base.prefecture)).strip()
    name = str(meta.get("municipality", base.name)).strip()
    if not prefecture or not name:
        raise RegistryError("plan.toml の prefecture・municipality を入力してください。")
    return Municipality(code, prefecture, name)


def _plan_row(line: int, row: dict[str, str]) -> PlanEntry:
    missing = [c for c in COLUMNS[:6] if not (row.get(c) or "").strip()]
    plan_no = normalize_plan_no(row.get("計画No"))
    if missing or plan_no is None:
        raise RegistryError(
            f"registry.csv の {line} 行目: {'・'.join(missing) or '計画No'} を確認してください。"
        )
    try:
        return PlanEntry(
            int(row["方針番号"]),
            row["基本方針"].strip(),
            int(row["戦略番号"]),
            row["戦略"].strip(),
            plan_no,
            row["アクションプラン名"].strip(),
            (row.get("主管課") or "").strip(),
        )
    except ValueError as exc:
        raise RegistryError(f"registry.csv の {line} 行目: 番号は数字で入力してください。") from exc


def _read_data(path: Path | None, name: str) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8-sig")
    return resources.files("ubereport").joinpath("data", name).read_text(encoding="utf-8-sig")


@cache
def default_registry() -> Registry:
    """The bundled registry: 宇部市行財政改革推進計画 R4–R8, 14 plans."""
    return load_registry()
