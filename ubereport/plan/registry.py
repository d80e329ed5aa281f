"""A plan definition: its settings (``plan.toml``) and its 体系図 (``registry.csv``).

A root keeps each plan it serves in ``plans/<folder>/`` (written by ``ubereport init --root`` and
``ubereport plan new``); a clerk edits both files, in a text editor and in Excel. The package's
own copy (``data/``) is only the default and the demo. The template's dropdowns and layout, the
reader's checks and every report take the plan's shape, names and order from here.

A malformed definition raises :class:`RegistryError` (exit 2) naming the file, the row and the
column, or the key.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ubereport.errors import ConfigError
from ubereport.files.access import open_problem
from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
from ubereport.plan.municipality import (
    DEFAULT_MUNICIPALITY,
    Municipality,
    MunicipalityError,
    full_code,
)
from ubereport.plan.tomltext import toml_problem

PLANS_FOLDER = "plans"  # a root's plan definitions: plans/<folder>/plan.toml + registry.csv
PLAN_FILE = "plan.toml"
REGISTRY_FILE = "registry.csv"
#: The columns after the levels' (number, name) pairs; the second is 「<item>名」.
TAIL = ("計画No", None, "主管課")
LEVELS_RANGE = (1, 3)
KPIS_RANGE = (1, 3)
INPUTS_RANGE = (1, 8)
YEARS_RANGE = (3, 6)
_PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


def valid_plan_id(text: str) -> bool:
    """Whether ``text`` can be a plan id (ASCII letters, digits, 「-」「_」, 1–40 characters)."""
    return _PLAN_ID.fullmatch(text) is not None


class RegistryError(ConfigError):
    """The plan definition is malformed; the message is Japanese and names the file and row."""


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the 体系 a plan sits in: its number and name (「1 行政資源の…」 printed)."""

    no: int
    name: str

    @property
    def printed(self) -> str:
        return f"{self.no} {self.name}"


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One row of the 体系図: a card's plan (アクションプラン, 取組項目 …) and where it sits."""

    levels: tuple[Level, ...]
    plan_no: str
    plan_name: str
    lead_division: str

    def level(self, n: int) -> str:
        """Level ``n`` (1-based) as printed on the card, or "" for a level the plan lacks."""
        return self.levels[n - 1].printed if n <= len(self.levels) else ""

    @property
    def policy(self) -> str:
        """Level 1 as printed on the card: 「1 行政資源の適切なコントロール」."""
        return self.level(1)

    @property
    def strategy(self) -> str:
        return self.level(2)

    @property
    def level_3(self) -> str:
        return self.level(3)

    @property
    def policy_no(self) -> int:
        return self.levels[0].no

    @property
    def strategy_no(self) -> int:
        return self.levels[1].no if len(self.levels) > 1 else 0


#: The card fields that hold levels 1, 2 and 3.
LEVEL_FIELDS = ("policy", "strategy", "level_3")


@dataclass(frozen=True, slots=True)
class Registry:
    """A plan definition: identity, shape, period and 体系図 (see the module docstring)."""

    title: str
    first_year: int
    years: int
    plans: tuple[PlanEntry, ...]
    municipality: Municipality = DEFAULT_MUNICIPALITY
    plan_id: str = "ube-2022"
    levels: tuple[str, ...] = ("基本方針", "戦略")
    level_columns: tuple[str, ...] = ("方針番号", "戦略番号")
    item: str = "アクションプラン"
    kpis: int = 2
    inputs: int = 4
    baseline_label: str = (
        ""  # prefilled into each KPI's 基準値 heading ("" : the division writes it)
    )
    achieved: float | None = None
    mostly: float | None = None
    outbox: str | None = None
    master: str | None = None
    #: The first 12 hex digits of the SHA-256 of plan.toml and registry.csv as read.
    version: str = ""
    #: The folder the definition was read from (None: the package's own).
    folder: Path | None = field(default=None, compare=False)

    @property
    def plan_years(self) -> list[int]:
        return [self.first_year + i for i in range(self.years)]

    @property
    def year_labels(self) -> list[str]:
        return [format_fy(y) for y in self.plan_years]

    @property
    def period(self) -> str:
        """「R4～R8」."""
        labels = self.year_labels
        return f"{labels[0]}～{labels[-1]}"

    @property
    def item_label(self) -> str:
        """The heading of a card's name: 「アクションプラン名」."""
        return f"{self.item}名"

    def plan(self, plan_no: str) -> PlanEntry | None:
        for entry in self.plans:
            if entry.plan_no == plan_no:
                return entry
        return None

    def level_names(self, n: int) -> list[str]:
        """Every printed level-``n`` name, in the registry's order."""
        return list(dict.fromkeys(p.level(n) for p in self.plans if p.level(n)))

    @property
    def policies(self) -> list[str]:
        return self.level_names(1)

    @property
    def strategies(self) -> list[str]:
        return self.level_names(2)

    @property
    def level_fields(self) -> tuple[str, ...]:
        """The card fields of this plan's levels (``policy``, ``strategy``, ``level_3``)."""
        return LEVEL_FIELDS[: len(self.levels)]

    @property
    def columns(self) -> tuple[str, ...]:
        """registry.csv's header row."""
        pairs = [
            c
            for num, name in zip(self.level_columns, self.levels, strict=True)
            for c in (num, name)
        ]
        return (*pairs, "計画No", self.item_label, "主管課")


def normalize_plan_no(raw: object) -> str | None:
    """「1」「01」「０１」 1.0 → "01"; 「1-1-1」「１－１－０１」 → "1-1-01"; anything else None."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).replace(" ", "").strip()
    text = _DASHES.sub("-", text)
    m = _PLAN_NO.fullmatch(text)
    if m is None:
        return None
    *head, last = m.group(1).split("-")
    return "-".join([*(str(int(p)) for p in head), f"{int(last):02d}"])


# 「01」「No.1」「Ｎｏ．１」「NO1」「№1」 (after NFKC, which also makes 「№」 「No」), 「1-1-01」
_PLAN_NO = re.compile(r"(?:No\.?|#)?([0-9]{1,3}(?:-[0-9]{1,3}){0,3})", re.IGNORECASE)
_DASHES = re.compile(r"[‐‑‒–—―−ー－ｰ]")


# --- loading ---------------------------------------------------------------------------------

_KEYS: dict[str, str] = {
    "plan_id": "計画ID",
    "title": "計画名",
    "first_year": "最初の年度",
    "years": "計画年数",
    "municipality_code": "全国地方公共団体コード",
    "prefecture": "都道府県名",
    "municipality": "市区町村名",
    "levels": "体系の階層",
    "item": "カード1枚の単位",
    "kpis": "目標指標の数",
    "inputs": "インプットの行数",
    "baseline_label": "基準値の見出し",
    "achieved": "達成の基準",
    "mostly": "概ね達成の基準",
    "outbox": "出力フォルダ",
    "master": "台帳ファイル",
}


def load_registry(csv_path: Path | None = None, plan_path: Path | None = None) -> Registry:
    """A plan definition from ``plan.toml`` and ``registry.csv`` (the bundled ones by default)."""
    plan_bytes = _read_bytes(plan_path, PLAN_FILE)
    csv_bytes = _read_bytes(csv_path, REGISTRY_FILE)
    plan_name = str(plan_path) if plan_path is not None else PLAN_FILE
    csv_name = str(csv_path) if csv_path is not None else REGISTRY_FILE
    meta = _toml(plan_name, plan_bytes)
    settings = _settings(plan_name, meta, bundled=plan_path is None)
    levels = settings.pop("levels")
    plans, level_columns = _rows(csv_name, _text(csv_name, csv_bytes), levels, settings["item"])
    version = hashlib.sha256(plan_bytes + b"\0" + csv_bytes).hexdigest()[:12]
    folder = plan_path.parent if plan_path is not None else None
    return Registry(
        plans=plans,
        levels=levels,
        level_columns=level_columns,
        version=version,
        folder=folder,
        **settings,
    )


def load_definition(folder: Path) -> Registry:
    """The plan definition kept in ``folder`` (its plan.toml and registry.csv)."""
    for name in (PLAN_FILE, REGISTRY_FILE):
        if not (folder / name).is_file():
            raise RegistryError(
                f"計画の定義「{folder}」に {name} がありません。「ubereport plan new」で作るか、"
                f"別の計画のフォルダから {name} をコピーしてください。"
            )
    return load_registry(folder / REGISTRY_FILE, folder / PLAN_FILE)


def _read_bytes(path: Path | None, name: str) -> bytes:
    if path is None:
        return resources.files("ubereport").joinpath("data", name).read_bytes()
    try:
        return path.read_bytes()
    except OSError as exc:  # Excel holding registry.csv open is a sharing violation on Windows
        raise RegistryError(
            f"計画の定義「{path}」を読めません（{open_problem(exc)}）。閉じるか権限を確かめてから、"
            "もう一度実行してください。"
        ) from exc


def _text(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(
            f"{name} を文字コード UTF-8 で保存し直してください（Excel なら「名前を付けて保存」で"
            "「CSV UTF-8（コンマ区切り）」を選びます）。"
        ) from exc


def _toml(name: str, raw: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(_text(name, raw))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(toml_problem(name, str(exc))) from exc


def _settings(name: str, meta: dict[str, Any], *, bundled: bool) -> dict[str, Any]:
    unknown = [k for k in meta if k not in _KEYS]
    if unknown:
        raise RegistryError(
            f"{name} の「{unknown[0]}」は知らない設定です。使える設定: {'、'.join(_KEYS)}"
        )

    def label(key: str) -> str:
        return f"{name} の「{key}」（{_KEYS[key]}）"

    def text(key: str, default: str) -> str:
        value = meta.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise RegistryError(f'{label(key)}は空でない文字列（"…"）で書いてください。')
        return value.strip()

    def whole(key: str, default: int, bounds: tuple[int, int]) -> int:
        value = meta.get(key, default)
        lo, hi = bounds
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise RegistryError(
                f"{label(key)}は {lo} から {hi} までの整数で書いてください（「{value}」）。"
            )
        return value

    plan_id = meta.get("plan_id", "ube-2022" if bundled else None)
    if not isinstance(plan_id, str) or not _PLAN_ID.fullmatch(plan_id):
        raise RegistryError(
            f'{label("plan_id")}を半角の英数字・「-」・「_」で書いてください（例: plan_id = "ube-2027"）。'
            "カードはこの ID で計画を見分けます。"
        )
    first = parse_fiscal_year(meta.get("first_year"))
    if first is None:
        raise RegistryError(
            f"{label('first_year')}「{meta.get('first_year')}」を年度として読めません"
            '（例: first_year = "R9"）。'
        )
    levels = meta.get("levels", ["基本方針", "戦略"])
    lo, hi = LEVELS_RANGE
    if (
        not isinstance(levels, list)
        or not lo <= len(levels) <= hi
        or not all(isinstance(v, str) and v.strip() for v in levels)
        or len({v.strip() for v in levels}) != len(levels)
    ):
        raise RegistryError(
            f"{label('levels')}は上の階層から順に、違う名前を {lo} から {hi} 個まで書いてください"
            '（例: levels = ["基本方針", "戦略"]）。'
        )
    bands = {k: _band(label(k), meta[k]) for k in ("achieved", "mostly") if k in meta}
    if bands.get("mostly", 0.0) > bands.get("achieved", 1e9):
        raise RegistryError(f"{label('mostly')}は「achieved」（達成の基準）以下にしてください。")
    try:
        municipality = _municipality(name, meta)
    except MunicipalityError as exc:
        raise RegistryError(str(exc)) from exc
    paths = {k: text(k, "") for k in ("outbox", "master") if k in meta}
    return {
        "plan_id": plan_id,
        "title": text("title", "宇部市行財政改革推進計画"),
        "first_year": first,
        "years": whole("years", 5, YEARS_RANGE),
        "municipality": municipality,
        "levels": tuple(v.strip() for v in levels),
        "item": text("item", "アクションプラン"),
        "kpis": whole("kpis", 2, KPIS_RANGE),
        "inputs": whole("inputs", 4, INPUTS_RANGE),
        "baseline_label": _optional_text(label("baseline_label"), meta.get("baseline_label", "")),
        **bands,
        **paths,
    }


def _optional_text(label: str, value: object) -> str:
    if not isinstance(value, str):
        raise RegistryError(f'{label}は文字列（"…"、空でもかまいません）で書いてください。')
    return value.strip()


def _band(label: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        raise RegistryError(
            f"{label}は 1.0 や 0.75 のような0以上の数で書いてください（「{value}」）。"
        )
    return float(value)


def _municipality(name: str, meta: dict[str, Any]) -> Municipality:
    """municipality_code / prefecture / municipality of plan.toml (宇部市 when absent)."""
    base = DEFAULT_MUNICIPALITY
    code = full_code(meta.get("municipality_code", base.code))
    prefecture = str(meta.get("prefecture", base.prefecture)).strip()
    city = str(meta.get("municipality", base.name)).strip()
    if not prefecture or not city:
        raise RegistryError(f"{name} の prefecture・municipality を入力してください。")
    return Municipality(code, prefecture, city)


def _rows(
    name: str, text: str, levels: tuple[str, ...], item: str
) -> tuple[tuple[PlanEntry, ...], tuple[str, ...]]:
    reader = csv.reader(text.splitlines(keepends=True))
    header: list[str] | None = None
    plans: list[PlanEntry] = []
    seen: dict[str, int] = {}
    named: dict[tuple[int, tuple[int, ...]], tuple[str, int]] = {}
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            header = _header(name, line, cells, levels, item)
            continue
        entry = _entry(name, line, header, cells, len(levels))
        if entry.plan_no in seen:
            raise RegistryError(
                f"{name} の {line} 行目「計画No」列: 計画No「{entry.plan_no}」は {seen[entry.plan_no]} "
                "行目と同じです。計画No は計画ごとに違う番号にしてください。"
            )
        seen[entry.plan_no] = line
        plans.append(entry)
        for depth, level in enumerate(entry.levels):
            key = (depth, tuple(lv.no for lv in entry.levels[: depth + 1]))
            earlier = named.setdefault(key, (level.name, line))
            if earlier[0] != level.name:
                raise RegistryError(
                    f"{name} の {line} 行目「{header[2 * depth + 1]}」列: 番号 {level.no} の"
                    f"{levels[depth]}は {earlier[1]} 行目では「{earlier[0]}」です。同じ番号には同じ名前を"
                    "書いてください。"
                )
    if header is None or not plans:
        raise RegistryError(
            f"{name} に計画の行がありません。見出しの行の下に1計画1行で書いてください。"
        )
    return tuple(plans), tuple(header[0 : 2 * len(levels) : 2])


def _header(
    name: str, line: int, cells: list[str], levels: tuple[str, ...], item: str
) -> list[str]:
    expected = [c for lv in levels for c in (f"{lv}番号", lv)] + ["計画No", f"{item}名", "主管課"]
    ok = len(cells) >= len(expected) and all(
        cells[i] == want or (i % 2 == 0 and i < 2 * len(levels) and cells[i].endswith("番号"))
        for i, want in enumerate(expected)
    )
    if not ok:
        raise RegistryError(
            f"{name} の {line} 行目（見出し）: 列は「{'」「'.join(expected)}」の順にしてください"
            f"（plan.toml の levels と item に合わせます。今の見出し:「{'」「'.join(cells)}」）。"
        )
    return cells[: len(expected)]


def _entry(name: str, line: int, header: list[str], cells: list[str], depth: int) -> PlanEntry:
    cells = cells + [""] * (len(header) - len(cells))
    if any(cells[len(header) :]):
        raise RegistryError(
            f"{name} の {line} 行目: 列が多すぎます（{len(header)} 列まで）。値に「,」があるときは"
            "Excel で保存し直してください。"
        )

    def problem(col: int, what: str) -> RegistryError:
        return RegistryError(f"{name} の {line} 行目「{header[col]}」列: {what}")

    levels = []
    for d in range(depth):
        num, title = cells[2 * d], cells[2 * d + 1]
        if not num or not title:
            raise problem(2 * d if not num else 2 * d + 1, "空欄です。入力してください。")
        digits = unicodedata.normalize("NFKC", num)
        if not digits.isdigit():
            raise problem(2 * d, f"「{num}」は数字で入力してください。")
        levels.append(Level(int(digits), title))
    base = 2 * depth
    plan_no = normalize_plan_no(cells[base])
    if plan_no is None:
        raise problem(base, f"「{cells[base]}」は計画No（「01」や「1-1-01」）として読めません。")
    if not cells[base + 1]:
        raise problem(base + 1, "空欄です。入力してください。")
    return PlanEntry(tuple(levels), plan_no, cells[base + 1], cells[base + 2])


@cache
def default_registry() -> Registry:
    """The bundled plan: 宇部市行財政改革推進計画 R4–R8, 14 plans (the default and the demo)."""
    return load_registry()


@dataclass(frozen=True, slots=True)
class Plans:
    """The plans one root serves (one or more), in the order of their folders' names."""

    items: tuple[Registry, ...]

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a root serves at least one plan")

    def by_id(self, plan_id: str) -> Registry | None:
        return next((p for p in self.items if p.plan_id == plan_id), None)

    @property
    def single(self) -> Registry | None:
        """The only plan, when there is exactly one."""
        return self.items[0] if len(self.items) == 1 else None

    def describe(self) -> str:
        """「ube-2022（宇部市行財政改革推進計画 R4～R8）」, for messages."""
        return "、".join(f"{p.plan_id}（{p.title} {p.period}）" for p in self.items)


def as_plans(plans: Registry | Plans | None) -> Plans:
    """One plan or several, as :class:`Plans` (the bundled plan when None)."""
    if plans is None:
        return Plans((default_registry(),))
    return plans if isinstance(plans, Plans) else Plans((plans,))
