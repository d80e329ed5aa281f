"""docs/rating.md: every worked example is what the rating rule gives; the legend is the reports'."""

from __future__ import annotations

import pytest
from builders import ROOT

from ubereport.japanese.values import parse_value
from ubereport.plan.rating import Bands, rate_year
from ubereport.report.legend import legend_lines

DOC = ROOT / "docs" / "rating.md"
BLANK = "（空欄）"


def _examples() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- examples:start -->", 1)[1].split("<!-- examples:end -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("|")]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    return [["" if c == BLANK else c for c in row] for row in rows]


EXAMPLES = _examples()


def test_the_doc_has_the_examples() -> None:
    assert len(EXAMPLES) == 33
    assert {len(row) for row in EXAMPLES} == {8}


@pytest.mark.parametrize("row", EXAMPLES, ids=[f"{r[0]}→{r[1]}" for r in EXAMPLES])
def test_worked_example(row: list[str]) -> None:
    target, actual, direction, later, own, rate, label, _ = row
    rating = rate_year(
        parse_value(target),
        parse_value(actual),
        direction=direction or None,
        later_targets=[parse_value(later)] if later else [],
        own=own,
    )
    assert (rating.rate_text, rating.label) == (rate, label)


def test_the_doc_states_every_status_of_the_legend() -> None:
    text = DOC.read_text(encoding="utf-8")
    for symbol, status, description in legend_lines(Bands())[:3]:
        assert f"| {symbol} | {status} | {description} |" in text
    for symbol, status, _ in legend_lines(Bands())[3:]:
        assert f"| {symbol} | {status} |" in text
