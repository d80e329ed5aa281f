"""The bundled sample: the plan's 13 cards, transcribed from the seed, rendered into ``inbox/``.

``data/sample_cards/planNN.toml`` holds each card exactly as printed in the city's plan, plus a
``[sample]`` table of invented FY R4 follow-up values. Rendering marks every file as sample data.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from ubereport.card.model import NARRATIVE_FIELDS, PLAN_TEXT_FIELDS
from ubereport.card.writer import CardOptions, write_card
from ubereport.plan.registry import Registry

NOTICE = (
    "※サンプル値：この様式の実績・取組実績・所管課評価は ubereport の動作確認用の架空の値です"
    "（宇部市の実績ではありません）。計画の内容はアクションプラン（R4～R8）から転記しています。"
)
HEADER_FIELDS = ("plan_no", *PLAN_TEXT_FIELDS)


def sample_files() -> list[Any]:
    folder = resources.files("ubereport").joinpath("data", "sample_cards")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def load_samples() -> list[dict[str, Any]]:
    return [tomllib.loads(f.read_text(encoding="utf-8")) for f in sample_files()]


def sample_fields(card: dict[str, Any]) -> dict[str, str]:
    """A transcribed sample card as defined-name -> cell text."""
    sample = card["sample"]
    fields = {name: card[name] for name in HEADER_FIELDS if name in card}
    fields["fiscal_year"] = sample["fiscal_year"]
    for n, item in enumerate(card["inputs"], start=1):
        fields[f"input_{n}"] = item["text"]
        fields[f"output_{n}"] = item["output"]
        fields[f"output_result_{n}"] = sample["output_results"][n - 1]
    for k, kpi in enumerate(card["kpis"], start=1):
        p = f"kpi{k}_"
        for key in ("name", "note", "unit", "direction", "baseline_label", "baseline"):
            fields[p + key] = kpi[key]
        for y, target in enumerate(kpi["targets"], start=1):
            fields[f"{p}target_y{y}"] = target
            fields[f"{p}actual_y{y}"] = ""
        fields[f"{p}actual_y1"] = sample["kpi_actuals"][k - 1]
        fields[p + "assessment"] = sample["kpi_assessments"][k - 1]
        fields[p + "assessment_reason"] = sample["kpi_assessment_reasons"][k - 1]
    for key in NARRATIVE_FIELDS:
        fields[key] = sample[key]
    return fields


def write_samples(inbox: Path, registry: Registry) -> list[Path]:
    """Render every sample card into ``inbox``; returns the written paths."""
    inbox.mkdir(parents=True, exist_ok=True)
    written = []
    for card in load_samples():
        path = inbox / card["sample"]["file_name"]
        write_card(
            path,
            sample_fields(card),
            registry,
            CardOptions(notice=NOTICE, section4="4 令和4年度の実施内容"),
        )
        written.append(path)
    return written
