"""Plausibility: the warnings a paste gone wrong deserves, and none where a value is meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import filled_sample

from ubereport.validate import validate_file


@pytest.mark.parametrize(
    ("sample", "fields", "expected"),
    [
        # typed with its unit: meant as typed (a low actual, not a lost percent format)
        ("12", {"kpi1_actual_y1": "0.5%"}, []),
        # a bare number, 100× the KPI's other percentages
        (
            "12",
            {"kpi1_actual_y1": 9890},
            [
                ("value-percent-range", "I18", "9890"),
                ("value-scale-suspect", "I18", "9890"),
            ],
        ),
        # a mark among numeric targets
        ("02", {"kpi1_target_y3": "x"}, [("value-qualitative", "K17", "x")]),
        # 「済」 where that year's target is 「-」: unclear, a warning
        ("10", {"kpi1_actual_y1": "済"}, [("value-qualitative", "I18", "済")]),
        # the first year's qualitative target before numeric ones (plan 05's 「規程策定」) is a
        # target of its own, and 「策定済」 is its actual
        ("05", {}, []),
    ],
    ids=["explicit-percent", "hundredfold", "mark-in-targets", "unclear-actual", "qualitative"],
)
def test_findings(
    tmp_path: Path, sample: str, fields: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    report = validate_file(filled_sample(tmp_path, sample, **fields))
    assert [(f.code, f.cell, f.value) for f in report.findings] == expected


def test_the_message_says_what_was_probably_meant(tmp_path: Path) -> None:
    report = validate_file(filled_sample(tmp_path, "12", kpi1_actual_y1=0.678))
    (finding,) = report.findings
    assert finding.message == (
        "「0.678」は 67.8% の誤りではありませんか（同じ指標のほかの値: 42.7%、100%）。"
        "値はそのまま読み取っています。誤りであれば直して再提出してください"
        "（「値のみ貼り付け」で%の書式が外れると、98.9%は0.989になります）。"
    )
