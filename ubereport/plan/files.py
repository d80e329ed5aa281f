"""Writing a plan definition a clerk edits: ``plan.toml`` and ``registry.csv``, both commented.

``ubereport init --root`` writes the bundled plan into ``plans/<plan_id>/`` of the root and
``ubereport plan new`` writes the next plan there; the package's own ``data/`` files are exactly
what :func:`plan_toml` and :func:`registry_csv` make of the bundled plan (a test checks it).
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from ubereport.files.atomic import write_atomically
from ubereport.japanese.fiscal import format_fy
from ubereport.plan.registry import PLAN_FILE, PLANS_FOLDER, REGISTRY_FILE, Registry, RegistryError

__all__ = ["PLANS_FOLDER", "next_plan", "plan_toml", "registry_csv", "write_definition"]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plan_toml(reg: Registry) -> str:
    """``plan.toml`` of ``reg`` with a comment on every key."""
    levels = ", ".join(_quoted(v) for v in reg.levels)
    optional = []
    for key, value, example, note in (
        (
            "achieved",
            reg.achieved,
            1.0,
            "達成の基準（達成率がこの値以上。書かなければ ubereport.toml の値）",
        ),
        ("mostly", reg.mostly, 0.75, "概ね達成の基準"),
        (
            "outbox",
            reg.outbox,
            "outbox",
            "この計画の帳票を書き出すフォルダ（ルートからの相対パス。書かなければ ubereport.toml の outbox）",
        ),
        (
            "master",
            reg.master,
            "outbox/アクションプラン台帳.xlsx",
            "この計画の台帳（ルートからの相対パス。書かなければ ubereport.toml の master）",
        ),
    ):
        shown = example if value is None else value
        line = (
            f"{key} = {shown!r}" if isinstance(shown, float) else f"{key} = {_quoted(str(shown))}"
        )
        optional.append(f"# {note}\n" + (line if value is not None else f"# {line}"))
    m = reg.municipality
    return (
        "# 計画の定義（このファイルと registry.csv を変えると、次の実行から様式・検査・帳票に反映されます）\n"
        "# 計画ID: カードの見分けに使います。半角英数字と「-」「_」。配ったカードがあるあとは変えないでください。\n"
        f"plan_id = {_quoted(reg.plan_id)}\n"
        "# 計画名: すべてのカードと帳票に印刷されます\n"
        f"title = {_quoted(reg.title)}\n"
        "# 最初の年度（R9 / 令和9年度 / 2027）と計画年数（3〜6）\n"
        f"first_year = {_quoted(format_fy(reg.first_year))}\n"
        f"years = {reg.years}\n"
        "# 全国地方公共団体コード（6桁、または検査数字を除いた5桁）、都道府県名、市区町村名（オープンデータの各行に入ります）\n"
        f"municipality_code = {_quoted(m.code)}\n"
        f"prefecture = {_quoted(m.prefecture)}\n"
        f"municipality = {_quoted(m.name)}\n"
        "# 体系の階層（上から順に1〜3個）。registry.csv の列はこの名前に合わせます\n"
        f"levels = [{levels}]\n"
        "# カード1枚の単位（カードには「…名」と印刷されます）\n"
        f"item = {_quoted(reg.item)}\n"
        "# カード1枚の目標指標の数（1〜3）とインプットの行数（1〜8）\n"
        f"kpis = {reg.kpis}\n"
        f"inputs = {reg.inputs}\n"
        "# 目標指標の基準値の見出し（カードに最初から入る値。空なら各課が「R3年度」などと書きます）\n"
        f"baseline_label = {_quoted(reg.baseline_label)}\n" + "\n".join(optional) + "\n"
    )


REGISTRY_NOTES = (
    "# 計画の体系図（1計画1行）。Excel で開いて編集し、「CSV UTF-8（コンマ区切り）」で保存してください。",
    "# 「#」で始まる行は説明です（読み飛ばします）。見出しの行の列名は plan.toml の levels と item に合わせます。",
    "# ・「…番号」の列: その階層の番号（整数）。同じ番号には同じ名前を書きます。",
    "# ・階層名の列: 番号を付けずに名前だけ（カードには「1 名前」と印刷されます）。",
    "# ・計画No: 計画ごとに違う番号（「01」または「1-1-01」のような番号）。カードの No. 欄に入ります。",
    "# ・…名: カードの名前。主管課: カードをまとめる課（空欄可）。",
    "# 行の並びがカード・帳票の並びになります。行を足すと計画が増え、階層の番号を変えると計画が移ります。",
)


def registry_csv(reg: Registry) -> str:
    """``registry.csv`` of ``reg``: the commented header, the column row, one row per plan."""
    out = io.StringIO()
    for note in REGISTRY_NOTES:
        out.write(note + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(reg.columns)
    for entry in reg.plans:
        levels = [c for lv in entry.levels for c in (str(lv.no), lv.name)]
        writer.writerow([*levels, entry.plan_no, entry.plan_name, entry.lead_division])
    return "\ufeff" + out.getvalue()


def write_definition(folder: Path, reg: Registry) -> Path:
    """Write ``reg`` into ``folder`` (plan.toml and registry.csv); refuses to overwrite."""
    for name in (PLAN_FILE, REGISTRY_FILE):
        if (folder / name).exists():
            raise RegistryError(
                f"「{folder / name}」はもうあります。上書きしないので、別の計画ID にするか、"
                "今のファイルを移してからやり直してください。"
            )
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((REGISTRY_FILE, registry_csv(reg)), (PLAN_FILE, plan_toml(reg))):
        data = text.encode("utf-8")
        write_atomically(folder / name, lambda tmp, data=data: tmp.write_bytes(data))
    return folder


def next_plan(reg: Registry, plan_id: str, first_year: int | None = None) -> Registry:
    """The next plan: ``reg``'s definition with the years moved on and its own id and master."""
    start = first_year if first_year is not None else reg.first_year + reg.years
    return replace(
        reg,
        plan_id=plan_id,
        first_year=start,
        outbox=f"outbox/{plan_id}",
        master=f"outbox/{plan_id}/アクションプラン台帳.xlsx",
        version="",
        folder=None,
    )
