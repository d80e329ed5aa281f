"""The messy-card corpus: cards as divisions really hand them in, each with its whole outcome.

Every variant is built in code (:mod:`corpus`) the way Excel and its users make it, and is read
and validated as ``ubereport read`` does. The test asserts every card's fields (the complete JSON
of the typed card) and the complete list of findings. Where a person could not tell what was
meant, the expected outcome is an エラー naming the cell; nowhere is a wrong value taken in silence.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from builders import FIXTURES
from corpus import Book, Cell, template_book, to_strict
from test_reader import SAMPLES, _value, expected_json

from ubereport.card import layout
from ubereport.validate.run import validate_workbook

CARD = layout.SHEET_NAME
PATTERN_FRAGMENT = re.compile(r"\\s|\.\*|[{}^$\\]|\?")
Row = tuple[str, str, str | None, str | None, str | None, str | None]
Json = dict[str, Any]


@dataclass
class Expected:
    """One card of a variant: its sample, how its JSON differs, its complete findings."""

    sample: str
    sheet: str = CARD
    edit: Callable[[Json], None] = lambda j: None
    findings: list[Row] = field(default_factory=list)


@dataclass
class Variant:
    build: Callable[[Path], Path]
    cards: list[Expected]


def W(
    code: str,
    sheet: str | None,
    cell: str | None = None,
    fld: str | None = None,
    value: str | None = None,
) -> Row:
    return (code, "警告", sheet, cell, fld, value)


def E(
    code: str,
    sheet: str | None,
    cell: str | None = None,
    fld: str | None = None,
    value: str | None = None,
) -> Row:
    return (code, "エラー", sheet, cell, fld, value)


def _save(book: Book, tmp: Path, name: str) -> Path:
    return book.save(tmp / f"{name}.xlsx")


def _book(tmp: Path, sample: str = "02", **fields: object) -> Book:
    return template_book(tmp, sample, **fields)


# --- builders ---------------------------------------------------------------------------------
def resaved(tmp: Path) -> Path:
    return _save(_book(tmp), tmp, "保存し直し")


def pasted_at(dr: int, dc: int, title: str = "Sheet1") -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        return _save(_book(tmp).pasted_into_new_book(title, dr, dc), tmp, f"貼り付け{dr}_{dc}")

    return build


def names_one_row_off(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 1, move_names=False)  # a tool inserted a row and left the names
    return _save(book, tmp, "名前ずれ")


def pasted_onto_fresh_template_one_row_down(tmp: Path) -> Path:
    filled, fresh = _book(tmp), _book(tmp, "02")
    for name in layout.DEFAULT.field_names():
        target = fresh.names[name]
        if (
            name != "template_version"
            and not name.startswith("year_")
            and isinstance(target, tuple)
        ):
            fresh.card.cells.pop(target[1], None)
    pasted = copy.deepcopy(filled.card)
    pasted.offset(1, 0)
    # the paste covers A2:M37 whole, blank cells included; row 1 keeps the fresh template's
    last_row = max(r for r, _ in pasted.cells)
    fresh.card.cells = {p: c for p, c in fresh.card.cells.items() if not 2 <= p[0] <= last_row}
    fresh.card.cells.update(pasted.cells)
    fresh.card.merged = pasted.merged + [m for m in fresh.card.merged if m[0] == 1]
    return _save(fresh, tmp, "新しい様式に1行下へ貼り付け")


def row_inserted_names_moved(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 15)  # Excel moves the names
    return _save(book, tmp, "行挿入")


def a_few_names_off(tmp: Path) -> Path:
    book = _book(tmp)
    book.names["achievements"] = (CARD, (33, 1))  # now on the label 「取組実績」
    book.names["next_actions"] = (CARD, (39, 1))  # one row under the box
    return _save(book, tmp, "名前が一部ずれ")


def _split_situation(book: Book, sheet_title: str = CARD, top: int = 11, left: str = "A") -> None:
    """2 現状・課題 unmerged and typed one line per row (its ten rows)."""
    sheet = book.sheet(sheet_title)
    lines = str(sheet.get(f"{left}{top}")).split("\n")
    lines = [*lines[:9], "\n".join(lines[9:])]
    right = chr(ord(left) + 5)
    sheet.unmerge(f"{left}{top}:{right}{top + 9}")
    for i, line in enumerate(lines):
        sheet.set(f"{left}{top + i}", line)


def situation_one_line_per_row(tmp: Path) -> Path:
    book = _book(tmp)
    _split_situation(book)
    return _save(book, tmp, "現状課題を行ごと")


def situation_split_pasted(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book("R4")
    _split_situation(book, "R4")
    return _save(book, tmp, "現状課題を行ごと_貼り付け")


def situation_in_twenty_more_rows(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 20, 20)  # a long 現状・課題: twenty rows added at the box's foot
    book.card.unmerge("A11:F40")  # … and the box unmerged to type into them
    book.card.set("A35", "（追記）R4年度も寄附件数は増加した。")
    return _save(book, tmp, "現状課題20行追加")


def achievements_continued_in_inserted_rows(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 35, 2)
    book.card.set("A35", "（続き）寄附者アンケートを実施した。")
    book.card.set("A36", "（続き）返礼品事業者説明会を2回開催した。")
    return _save(book, tmp, "取組実績を行追加")


DRAFT = {"kpi1_actual_y1": "4,000件", "achievements": "（下書き）"}


def hidden_draft_and_copy(state: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = _book(tmp, "02", **DRAFT)
        copied = book.copy_sheet(CARD, "R4提出")
        copied.cells = copy.deepcopy(_book(tmp).card.cells)
        book.card.state = state
        return _save(book, tmp, f"下書き{state}")

    return build


def hidden_draft_and_pasted_copy(tmp: Path) -> Path:
    book = _book(tmp, "02", **DRAFT)
    book.sheets.append(_book(tmp).pasted_into_new_book("R4提出").sheets[0])
    book.card.state = "hidden"
    return _save(book, tmp, "下書きと貼り付け")


def blank_form_beside_a_filled_copy(tmp: Path) -> Path:
    book = _book(tmp)
    for name in layout.DEFAULT.field_names():  # the form as it was handed out
        target = book.names[name]
        if (
            name != "template_version"
            and not name.startswith("year_")
            and isinstance(target, tuple)
        ):
            book.card.cells.pop(target[1], None)
    book.sheets.append(_book(tmp).pasted_into_new_book("R4提出").sheets[0])
    return _save(book, tmp, "空の様式と記入済み")


def only_a_hidden_card(tmp: Path) -> Path:
    book = _book(tmp)
    memo = _book(tmp).pasted_into_new_book("メモ").sheets[0]
    memo.cells = {(1, 1): memo.cells[(1, 1)].__class__("提出用メモ")}
    memo.merged = []
    book.sheets.insert(0, memo)
    book.card.state = "hidden"
    return _save(book, tmp, "非表示だけ")


def hidden_draft_row_pasted(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book()
    sheet = book.sheets[0]
    sheet.insert_rows(18)
    sheet.hidden_rows.add(18)
    sheet.set("G18", "実績")
    sheet.set("I18", "4,000件")
    return _save(book, tmp, "非表示行_貼り付け")


def hidden_draft_row_named(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 18)
    book.card.hidden_rows.add(18)
    book.card.set("G18", "実績")
    book.card.set("I18", "4,000件")
    return _save(book, tmp, "非表示行")


def hidden_first_year_column(tmp: Path) -> Path:
    book = _book(tmp)
    book.card.hidden_cols.add(9)
    return _save(book, tmp, "R4列を非表示")


def column_inserted(names: bool) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = _book(tmp)
        if names:
            book.insert_cols(CARD, 8)
        else:
            book = book.pasted_into_new_book()
            book.sheets[0].insert_cols(8)
        return _save(book, tmp, f"列挿入{names}")

    return build


def values_pasted(sample: str, ref: str, value: object, **fields: object) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = _book(tmp, sample, **fields)
        book.card.set(ref, value)
        return _save(book, tmp, f"値のみ_{sample}_{ref}")

    return build


def fifth_input(tmp: Path) -> Path:
    book = _book(tmp)
    book.insert_rows(CARD, 12)
    sheet = book.card
    for ref, text in (("G12", "⑤"), ("H12", "ふるさと納税の広報"), ("K12", "広報 3回")):
        sheet.set(ref, text)
    sheet.set("M12", "広報 4回")
    sheet.merged += [(12, 8, 12, 10), (12, 11, 12, 12)]
    return _save(book, tmp, "インプット5")


def fifth_and_sixth_inputs_pasted(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book()
    sheet = book.sheets[0]
    sheet.insert_rows(12, 2)
    sheet.set("G12", "⑤")
    sheet.set("H12", "ふるさと納税の広報")
    sheet.set("G13", "⑥")
    sheet.set("H13", "返礼品事業者の説明会")
    sheet.set("M13", "2回")
    return _save(book, tmp, "インプット5と6")


def unused_fourth_input_label_cleared(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book()  # plan 02 has three inputs
    book.sheets[0].clear("G11")
    return _save(book, tmp, "④なし")


EDITED_LABELS = {
    "G17": "目標値",
    "G18": "実績値",
    "G22": "※注記",
    "A2": "Ｎｏ",
    "A33": "取組実績（R4）",
}


def labels_retyped(pasted: bool) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = _book(tmp)
        for ref, text in EDITED_LABELS.items():
            book.card.set(ref, text)
        if pasted:
            book = book.pasted_into_new_book()
        return _save(book, tmp, f"見出し書き換え{pasted}")

    return build


def kpi_block_copied_to_another_sheet(tmp: Path) -> Path:
    book = _book(tmp)
    scratch = copy.deepcopy(book.card)
    scratch.title = "試算"
    scratch.names = {}
    scratch.cells = {p: c for p, c in scratch.cells.items() if 12 <= p[0] <= 27 and p[1] >= 7}
    scratch.cells[(18, 9)] = Cell("4,400件")
    scratch.merged = [m for m in scratch.merged if 12 <= m[0] <= 27 and m[1] >= 7]
    book.sheets.append(scratch)
    return _save(book, tmp, "試算シート")


def two_cards_one_book(tmp: Path) -> Path:
    book = _book(tmp, "06")
    second = book.copy_sheet(CARD, "07")
    second.cells = copy.deepcopy(_book(tmp, "07").card.cells)
    return _save(book, tmp, "職員課_2件")


def two_cards_on_one_sheet(dr: int, dc: int) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = _book(tmp, "06").pasted_into_new_book("職員課")
        other = _book(tmp, "07").pasted_into_new_book().sheets[0]
        other.offset(dr, dc)
        book.sheets[0].cells.update(other.cells)
        book.sheets[0].merged += other.merged
        return _save(book, tmp, f"1シートに2枚_{dr}_{dc}")

    return build


def broken_names(tmp: Path) -> Path:
    book = _book(tmp)
    book.names["plan_no"] = "=#REF!"
    book.names["achievements"] = f"='{CARD}'!#REF!"
    return _save(book, tmp, "REF")


def sheet_level_names_only(tmp: Path) -> Path:
    book = _book(tmp)
    book.card.names = {n: t[1] for n, t in book.names.items() if isinstance(t, tuple)}
    book.names = {}
    return _save(book, tmp, "シートの名前")


def fields(name: str, sample: str = "02", **values: object) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        return _save(_book(tmp, sample, **values), tmp, name)

    return build


def strict(tmp: Path) -> Path:
    return to_strict(resaved(tmp), tmp / "strict.xlsx")


def title_edited_pasted(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book()
    book.sheets[0].set("A1", "宇部市 行財政改革推進計画 アクションプラン（令和4年度実績）")
    return _save(book, tmp, "表題変更")


def label_deleted_pasted(tmp: Path) -> Path:
    book = _book(tmp).pasted_into_new_book()
    book.sheets[0].clear("G17")  # 「目標」 of KPI I
    return _save(book, tmp, "見出し削除")


def memo_inside_card(tmp: Path) -> Path:
    book = _book(tmp)
    book.card.set("G31", "確認済み（山田）")
    book.card.unmerge("H17:H18")
    book.card.set("H18", "3,900件")  # the baseline typed again in the lower half of its box
    return _save(book, tmp, "メモ")


# --- expectations -----------------------------------------------------------------------------
def at(*updates: tuple[str, object]) -> Callable[[Json], None]:
    """JSON edits: ("achievements", "…") or ("kpis.0.actuals.0", value-dict)."""

    def edit(j: Json) -> None:
        for path, value in updates:
            *parents, last = path.split(".")
            node: Any = j
            for part in parents:
                node = node[int(part)] if part.isdigit() else node[part]
            if last.isdigit():
                node[int(last)] = value
            else:
                node[last] = value

    return edit


SITUATION_02 = SAMPLES["02"]["situation"]
NAMES_MISSING = "names-missing"

VARIANTS: dict[str, Variant] = {
    "resaved-by-another-program": Variant(resaved, [Expected("02")]),
    "pasted-into-new-book-at-A1": Variant(
        pasted_at(0, 0), [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])]
    ),
    "pasted-at-B2": Variant(
        pasted_at(1, 1), [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])]
    ),
    "pasted-far-down-right-on-a-renamed-sheet": Variant(
        pasted_at(9, 3, "R4実績"), [Expected("02", "R4実績", findings=[W(NAMES_MISSING, "R4実績")])]
    ),
    "names-one-row-off-after-a-tool-inserted-a-row": Variant(
        names_one_row_off, [Expected("02", findings=[W("names-mismatch", CARD)])]
    ),
    "pasted-onto-a-fresh-template-one-row-down": Variant(
        pasted_onto_fresh_template_one_row_down,
        [
            Expected(
                "02",
                findings=[W("names-mismatch", CARD)],
            )
        ],
    ),
    "row-inserted-names-moved": Variant(row_inserted_names_moved, [Expected("02")]),
    "two-names-pointing-off-their-box": Variant(
        a_few_names_off,
        [
            Expected(
                "02",
                findings=[
                    W("name-moved", CARD, "A34", "achievements", "A33"),
                    W("name-moved", CARD, "A38", "next_actions", "A39"),
                ],
            )
        ],
    ),
    "situation-unmerged-one-line-per-row": Variant(
        situation_one_line_per_row,
        [Expected("02", findings=[W("text-gathered", CARD, "A11", "situation", "10セル")])],
    ),
    "situation-one-line-per-row-pasted": Variant(
        situation_split_pasted,
        [
            Expected(
                "02",
                "R4",
                findings=[
                    W(NAMES_MISSING, "R4"),
                    W("text-gathered", "R4", "A11", "situation", "10セル"),
                ],
            )
        ],
    ),
    "situation-with-twenty-rows-inserted": Variant(
        situation_in_twenty_more_rows,
        [
            Expected(
                "02",
                edit=lambda j: j.update(
                    situation=SITUATION_02 + "\n（追記）R4年度も寄附件数は増加した。"
                ),
                findings=[W("text-gathered", CARD, "A11", "situation", "2セル")],
            )
        ],
    ),
    "achievements-continued-in-inserted-rows": Variant(
        achievements_continued_in_inserted_rows,
        [
            Expected(
                "02",
                edit=lambda j: j.update(
                    achievements=SAMPLES["02"]["sample"]["achievements"]
                    + "\n（続き）寄附者アンケートを実施した。\n（続き）返礼品事業者説明会を2回開催した。"
                ),
                findings=[W("text-gathered", CARD, "A34", "achievements", "3セル")],
            )
        ],
    ),
    "hidden-draft-sheet-and-a-visible-copy": Variant(
        hidden_draft_and_copy("hidden"),
        [Expected("02", "R4提出", findings=[W("sheet-hidden-ignored", CARD)])],
    ),
    "very-hidden-draft-sheet-and-a-visible-copy": Variant(
        hidden_draft_and_copy("veryHidden"),
        [Expected("02", "R4提出", findings=[W("sheet-hidden-ignored", CARD)])],
    ),
    "hidden-draft-sheet-and-a-pasted-copy": Variant(
        hidden_draft_and_pasted_copy,
        [
            Expected(
                "02",
                "R4提出",
                findings=[W("sheet-hidden-ignored", CARD), W(NAMES_MISSING, "R4提出")],
            )
        ],
    ),
    "blank-form-beside-a-filled-copy": Variant(
        blank_form_beside_a_filled_copy,
        [
            Expected(
                "02",
                "R4提出",
                findings=[W("sheet-blank-ignored", CARD), W(NAMES_MISSING, "R4提出")],
            )
        ],
    ),
    "the-card-only-on-a-hidden-sheet": Variant(
        only_a_hidden_card, [Expected("02", findings=[W("sheet-hidden-read", CARD)])]
    ),
    "hidden-draft-row-between-target-and-actual-pasted": Variant(
        hidden_draft_row_pasted,
        [
            Expected(
                "02",
                "Sheet1",
                findings=[
                    W(NAMES_MISSING, "Sheet1"),
                    W("cell-hidden", "Sheet1", "I18", None, "4,000件"),
                ],
            )
        ],
    ),
    "hidden-draft-row-between-target-and-actual": Variant(
        hidden_draft_row_named,
        [Expected("02", findings=[W("cell-hidden", CARD, "I18", None, "4,000件")])],
    ),
    "first-year-column-hidden": Variant(
        hidden_first_year_column,
        [
            Expected(
                "02",
                findings=[
                    W("field-hidden", CARD, "I16", "year_y1", "R4"),
                    W("field-hidden", CARD, "I17", "kpi1_target_y1", "4,200件"),
                    W("field-hidden", CARD, "I18", "kpi1_actual_y1", "4,315件"),
                    W("field-hidden", CARD, "I25", "kpi2_target_y1", "10,000千円"),
                    W("field-hidden", CARD, "I26", "kpi2_actual_y1", "6,480千円"),
                ],
            )
        ],
    ),
    "column-inserted-names-moved": Variant(column_inserted(True), [Expected("02")]),
    "column-inserted-pasted": Variant(
        column_inserted(False), [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])]
    ),
    "percent-pasted-as-values": Variant(
        values_pasted("12", "I18", 0.678),
        [
            Expected(
                "12",
                edit=at(("kpis.0.actuals.0", _value("0.678", 2022))),
                findings=[W("value-scale-suspect", CARD, "I18", "kpi1_actual_y1", "0.678")],
            )
        ],
    ),
    "percent-typed-a-hundred-times-too-big": Variant(
        values_pasted("12", "I26", 1360),
        [
            Expected(
                "12",
                edit=at(("kpis.1.actuals.0", _value("1360", 2022))),
                findings=[
                    W("value-percent-range", CARD, "I26", "kpi2_actual_y1", "1360"),
                    W("value-scale-suspect", CARD, "I26", "kpi2_actual_y1", "1360"),
                ],
            )
        ],
    ),
    "yen-in-a-thousand-yen-kpi": Variant(
        values_pasted("02", "I26", 6480000),
        [
            Expected(
                "02",
                edit=at(("kpis.1.actuals.0", _value("6480000", 2022))),
                findings=[W("value-scale-suspect", CARD, "I26", "kpi2_actual_y1", "6480000")],
            )
        ],
    ),
    "done-mark-in-a-numeric-actual": Variant(
        values_pasted("02", "I18", "済"),
        [
            Expected(
                "02",
                edit=at(("kpis.0.actuals.0", _value("済", 2022))),
                findings=[E("value-not-number", CARD, "I18", "kpi1_actual_y1", "済")],
            )
        ],
    ),
    "fifth-input-in-an-inserted-row": Variant(
        fifth_input,
        [
            Expected(
                "02",
                edit=lambda j: j["inputs"].append(
                    {
                        "text": "ふるさと納税の広報",
                        "output": "広報 3回",
                        "output_result": "広報 4回",
                    }
                ),
            )
        ],
    ),
    "fifth-and-sixth-inputs-pasted": Variant(
        fifth_and_sixth_inputs_pasted,
        [
            Expected(
                "02",
                "Sheet1",
                edit=lambda j: j["inputs"].extend(
                    [
                        {"text": "ふるさと納税の広報", "output": "", "output_result": ""},
                        {"text": "返礼品事業者の説明会", "output": "", "output_result": "2回"},
                    ]
                ),
                findings=[W(NAMES_MISSING, "Sheet1")],
            )
        ],
    ),
    "unused-fourth-input-label-cleared": Variant(
        unused_fourth_input_label_cleared,
        [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])],
    ),
    "headings-retyped": Variant(labels_retyped(False), [Expected("02")]),
    "headings-retyped-and-pasted": Variant(
        labels_retyped(True), [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])]
    ),
    "kpi-block-copied-to-a-scratch-sheet": Variant(
        kpi_block_copied_to_another_sheet, [Expected("02", findings=[W("sheet-partial", "試算")])]
    ),
    "two-cards-in-one-book": Variant(
        two_cards_one_book,
        [
            Expected("06", findings=[W("sheet-several", None)]),
            Expected("07", "07", findings=[W("sheet-several", None)]),
        ],
    ),
    "two-cards-side-by-side-on-one-sheet": Variant(
        two_cards_on_one_sheet(0, 14),
        [
            Expected(
                "06", "職員課", findings=[W("sheet-several", None), W(NAMES_MISSING, "職員課")]
            ),
            Expected(
                "07", "職員課", findings=[W("sheet-several", None), W(NAMES_MISSING, "職員課")]
            ),
        ],
    ),
    "two-cards-stacked-on-one-sheet": Variant(
        two_cards_on_one_sheet(40, 0),
        [
            Expected(
                "06", "職員課", findings=[W("sheet-several", None), W(NAMES_MISSING, "職員課")]
            ),
            Expected(
                "07", "職員課", findings=[W("sheet-several", None), W(NAMES_MISSING, "職員課")]
            ),
        ],
    ),
    "broken-names": Variant(
        broken_names,
        [
            Expected(
                "02",
                findings=[
                    W("name-broken", None, None, "plan_no", "#REF!"),
                    W("name-broken", None, None, "achievements", f"'{CARD}'!#REF!"),
                ],
            )
        ],
    ),
    "sheet-level-names-only": Variant(sheet_level_names_only, [Expected("02")]),
    "doubled-fiscal-year-spelling": Variant(
        fields("二重表記", fiscal_year="令和4年度（2022年度）"),
        [Expected("02", edit=at(("fiscal_year_text", "令和4年度（2022年度）")))],
    ),
    "doubled-fiscal-year-spelling-disagreeing": Variant(
        fields("二重表記_食い違い", fiscal_year="令和4年度（2023年度）"),
        [
            Expected(
                "02",
                edit=at(("fiscal_year_text", "令和4年度（2023年度）"), ("fiscal_year", None)),
                findings=[
                    E("fiscal-year-conflict", CARD, "J1", "fiscal_year", "令和4年度（2023年度）")
                ],
            )
        ],
    ),
    "full-width-No-dot-2": Variant(
        fields("Ｎｏ", plan_no="Ｎｏ．２"), [Expected("02", edit=at(("plan_no", "02")))]
    ),
    "strict-open-xml": Variant(strict, [Expected("02")]),
    "title-edited-and-pasted": Variant(
        title_edited_pasted, [Expected("02", "Sheet1", findings=[W(NAMES_MISSING, "Sheet1")])]
    ),
    "row-heading-deleted-pasted": Variant(
        label_deleted_pasted,
        [
            Expected(
                "02",
                "Sheet1",
                edit=lambda j: [
                    j["kpis"][0].update(
                        baseline={"label": "基準値(R3)", "text": "", "value": None},
                        targets=[_value("", y) for y in (2022, 2023, 2024, 2025, 2026)],
                    )
                ],
                findings=[W(NAMES_MISSING, "Sheet1"), E("label-missing", "Sheet1", value=None)]
                + [
                    W("cell-unread", "Sheet1", ref, None, text)
                    for ref, text in (
                        ("H17", "3,900件"),
                        ("I17", "4,200件"),
                        ("J17", "4,400件"),
                        ("K17", "4,600件"),
                        ("L17", "4,800件"),
                        ("M17", "5,000件"),
                    )
                ],
            )
        ],
    ),
    "memo-and-a-value-in-the-wrong-half-of-a-box": Variant(
        memo_inside_card,
        [
            Expected(
                "02",
                findings=[
                    W("cell-unread", CARD, "H18", None, "3,900件"),
                    W("cell-unread", CARD, "G31", None, "確認済み（山田）"),
                ],
            )
        ],
    ),
}


def libreoffice_resaved(tmp: Path) -> Path:
    return FIXTURES / "libreoffice_pasted_split_hidden_row_card02.xlsx"


VARIANTS["pasted-split-hidden-row-resaved-by-libreoffice"] = Variant(
    libreoffice_resaved,
    [
        Expected(
            "02",
            "R4実績",
            findings=[
                W(NAMES_MISSING, "R4実績"),
                W("text-gathered", "R4実績", "B12", "situation", "10セル"),
                W("cell-hidden", "R4実績", "J19", None, "4,000件"),
            ],
        )
    ],
)


def _rows(findings: list[Any]) -> list[Row]:
    return [(f.code, str(f.severity), f.sheet, f.cell, f.field, f.value) for f in findings]


def test_the_corpus_has_at_least_thirty_variants() -> None:
    assert len(VARIANTS) >= 30


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_reads_as_a_person_reads_it(tmp_path: Path, name: str) -> None:
    variant = VARIANTS[name]
    path = variant.build(tmp_path)
    results = validate_workbook(path)
    got = [(r.card.to_json() if r.card else None, _rows(r.findings)) for r in results]
    want = []
    for exp in variant.cards:
        card = expected_json(SAMPLES[exp.sample]) | {"file": path.name, "sheet": exp.sheet}
        exp.edit(card)
        want.append((card, [(*f[:2], f[2], f[3], f[4], f[5]) for f in exp.findings]))
    assert got == want
    messages = [f.message for r in results for f in r.findings]
    assert [m for m in messages if PATTERN_FRAGMENT.search(m)] == []
