"""A fifth インプット a division inserted goes all the way: card model, master, report card, form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from test_corpus import fifth_input
from test_reader import SAMPLES

from ubereport.card.model import Initiative, fold_inputs
from ubereport.master import init_master, merge_files, read_master
from ubereport.plan.registry import default_registry
from ubereport.report import render_reports

REG = default_registry()


def test_fold_inputs_keeps_four_rows_and_marks_the_rest() -> None:
    items = [Initiative(f"取組{n}", f"計画{n}" if n != 5 else "", f"実績{n}") for n in range(1, 7)]
    assert fold_inputs(items, 4) == (
        items[0],
        items[1],
        items[2],
        Initiative("取組4\n⑤ 取組5\n⑥ 取組6", "計画4\n⑥ 計画6", "実績4\n⑤ 実績5\n⑥ 実績6"),
    )
    assert fold_inputs(items[:3], 4) == tuple(items[:3])


def test_fifth_input_reaches_the_master_and_the_report_card(tmp_path: Path) -> None:
    card = fifth_input(tmp_path)
    master = tmp_path / "台帳.xlsx"
    init_master(master, REG)
    outcome = merge_files([card], master, REG)
    assert [s.report.valid for s in outcome.submissions] == [True]
    data = read_master(master)
    rows = [
        (r["item_no"], r["text"], r["output"], r["output_result"])
        for r in data.rows("initiatives")
        if r["plan_no"] == "02"
    ]
    sample = SAMPLES["02"]
    expected = [
        (n, i["text"], i["output"], res)
        for n, (i, res) in enumerate(
            zip(sample["inputs"], sample["sample"]["output_results"], strict=True), start=1
        )
        if i["text"]
    ]
    assert sample["inputs"][3]["text"] == ""  # plan 02 has three inputs: ④ stays empty
    assert rows == [*expected, (5, "ふるさと納税の広報", "広報 3回", "広報 4回")]

    outbox = tmp_path / "outbox"
    render_reports(master, outbox, 2022, REG, today=date(2023, 6, 1))
    book = openpyxl.load_workbook(outbox / "R4" / "アクションプラン_R4.xlsx")
    sheet = book["02 ふるさと納税等自主財源の獲得推進"]
    # the master keeps no empty ④, so the card's four rows show ①②③ and then the fifth input
    assert (sheet["H11"].value, sheet["K11"].value, sheet["M11"].value) == (
        "ふるさと納税の広報",
        "広報 3回",
        "広報 4回",
    )
