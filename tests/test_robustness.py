"""The reader and validator never raise: 300 byte-level mutations of a valid card and 200
hypothesis-generated sets of cell values, every one answered with a Report."""

from __future__ import annotations

import random
from pathlib import Path

from builders import ROOT, sample_card_fields
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ubereport.card import layout
from ubereport.card.writer import write_card
from ubereport.plan.registry import default_registry
from ubereport.validate import validate_file

VALID = (ROOT / "inbox" / "02_移住定住推進課_AP_R4実績.xlsx").read_bytes()


def _mutations(count: int) -> list[bytes]:
    rng = random.Random(20261121)
    out: list[bytes] = []
    for i in range(count):
        data = bytearray(VALID)
        if i % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                pos = rng.randrange(len(data))
                data[pos] = rng.randrange(256)
        out.append(bytes(data))
    return out


def test_300_mutated_files_never_raise(tmp_path: Path) -> None:
    outcomes = {"card": 0, "error": 0}
    for i, data in enumerate(_mutations(300)):
        path = tmp_path / f"m{i}.xlsx"
        path.write_bytes(data)
        report = validate_file(path)
        if report.card is None:
            assert report.errors, i
            assert all(f.file == path.name and f.message for f in report.findings)
            outcomes["error"] += 1
        else:
            outcomes["card"] += 1
    assert outcomes["error"] > 150


FIELDS = [f for f in layout.DEFAULT.field_names() if f not in ("template_version",)]
cell_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "12?",
            "１２件くらい",
            "=1+1",
            "@x",
            "-",
            "集計中",
            "⇒",
            "△5",
            "100%",
            "1,00",
            "R4",
            "令和元年度",
            "\n",
            " ",
            "99.05%以下",
            "次期計画で目標値を設定",
        ]
    ),
    st.integers(-(10**12), 10**12).map(str),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), cell_text, max_size=12))
# Every example a search has found, pinned (issue 12): a plan-year heading typed over with a year
# that has no era spelling, with an actual in its column; a control character in a formula heading.
@example(changes={"year_y2": "1925", "kpi1_actual_y2": "5"})
@example(changes={"year_y5": "1900", "kpi2_actual_y5": "1"})
@example(changes={"fiscal_year": "", "plan_no": "", "year_y1": "=\x1f"})
def test_generated_cell_values_never_raise(tmp_path: Path, changes: dict[str, str]) -> None:
    fields = dict(sample_card_fields("02")) | changes
    path = tmp_path / "gen.xlsx"
    write_card(path, fields, default_registry())
    report = validate_file(path)
    assert report.card is not None
    cells = {layout.DEFAULT.field_cell(f) for f in layout.DEFAULT.field_names()}
    for f in report.findings:
        assert f.cell is None or f.cell in cells
        assert f.message and f.severity.value in ("エラー", "警告")
