"""The card layout, defined once and generated from the plan's shape: every box of the card.

The same definition renders the blank template, the sample and prefilled forms and the output
cards (:mod:`ubereport.card.writer`), and tells the reader where each field is
(:mod:`ubereport.card.locate`). :func:`layout_for` makes the :class:`Layout` of a plan from its
:class:`PlanShape` (the plan's title, its levels, its item, 1–3 KPI blocks, 1–8 インプット lines,
3–6 plan years); today's plan (:data:`DEFAULT`) is the city's card as it is.

Grid: the left pane (A–F: sections 1–3) beside the right pane (G–M, one column more for six plan
years: section 4, the KPI blocks, section 6), under the header (one row per level). The yearly
follow-up (section 7: 取組実績, 未達成の理由・改善策, 次年度の取組, one under the other across the page)
starts a new page. A4 landscape at a fixed :data:`PRINT_SCALE` (9 pt text prints at 8.1 pt), never
shrunk to fit: when the right pane is taller than one page (three KPI blocks, more インプット lines),
it continues on the next page at a block boundary, beside an empty left pane, so that no box is
ever cut by a page break. A text box's capacity (``Box.capacity``) is what it shows at that size
(:func:`ubereport.card.textfit.capacity`), and the validator warns with it.

The report variant (``Layout.report``) shows each KPI's 達成区分 per plan year in the 所管課評価 row,
and the divisions' own ratings with their reasons get a block of their own under section 7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache, cached_property, lru_cache

from ubereport.card.model import CIRCLED
from ubereport.card.textfit import capacity as text_capacity
from ubereport.card.textfit import column_points
from ubereport.card.xlsx_source import column_letters, split_ref
from ubereport.japanese.values import normalize_text
from ubereport.plan.registry import Registry

SHEET_NAME = "アクションプラン"
LISTS_SHEET = "選択肢"
TEMPLATE_VERSION = "ubereport-card-2"
#: card-1 had section 7 side by side on page 1 (the defined names are the same).
KNOWN_VERSIONS = frozenset({"ubereport-card-1", TEMPLATE_VERSION})
INPUT_NOTE = (
    "※黄色のセルが入力欄です（それ以外のセルは保護されています）。方向・所管課評価は一覧から選べます。"
    "数値は「4,200件」「99.05%」「10時間/月以下」のように、単位・以上/以下を付けて入力できます。"
)
LEFT_WIDTHS = [6, 13, 13, 13, 13, 13]
#: Every card prints at this scale (never fit to the page): 9 pt text prints at 8.1 pt.
PRINT_SCALE = 90
MARGINS_IN = {"left": 0.25, "right": 0.25, "top": 0.25, "bottom": 0.25}
#: The height of sheet rows one A4 landscape page holds at PRINT_SCALE within MARGINS_IN.
PAGE_POINTS = (595.28 - 72 * (MARGINS_IN["top"] + MARGINS_IN["bottom"])) * 100 / PRINT_SCALE - 2
# Row heights are whole pixels (0.75 pt), as Excel and xlsxwriter store them.
BASE_ROW_HEIGHT = 14.25
TWO_LINES = 24.0
THREE_LINES = 34.5
SPACER = 0.75
#: A narrative box of section 7: 14 lines at 9 pt, 1,178 full-width characters (the city's longest
#: published 取組実績 has 548).
NARRATIVE_ROW_HEIGHT = 156.0
#: Marks a text box whose capacity is computed from its size (see :func:`Layout.boxes`).
FIT = 0
#: Rows of one KPI block: title, 項目, 注記, 単位・方向, 数値 (years), 目標, 実績, 所管課評価.
KPI_ROWS = 8


class Kind(StrEnum):
    TITLE = "title"
    SECTION = "section"
    LABEL = "label"
    INPUT = "input"
    FIXED = "fixed"
    NOTE = "note"
    NOTICE = "notice"


class Style(StrEnum):
    """How an input box looks and reads: wrapping narrative, short text, or a value cell."""

    TEXT = "text"
    SHORT = "short"
    VALUE = "value"
    CENTER = "center"


@dataclass(frozen=True, slots=True)
class Box:
    ref: str
    kind: Kind
    text: str = ""
    field: str | None = None
    style: Style = Style.SHORT
    anchor: str = "title"
    label: str = ""
    capacity: int | None = None

    @property
    def first(self) -> str:
        return self.ref.split(":")[0]

    @property
    def span(self) -> tuple[int, int, int, int]:
        """(first row, first col, last row, last col)."""
        return _span(self.ref)


@lru_cache(maxsize=4096)
def _span(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return r1, c1, r2, c2


@dataclass(frozen=True, slots=True)
class PlanShape:
    """What of a plan the card's layout depends on (see :mod:`ubereport.plan.registry`)."""

    title: str = "宇部市行財政改革推進計画"
    levels: tuple[str, ...] = ("基本方針", "戦略")
    item: str = "アクションプラン"
    kpis: int = 2
    inputs: int = 4
    years: int = 5
    baseline_label: str = ""
    #: "stacked": section 7's narratives one under the other on a page of their own (card-2);
    #: "side": side by side under section 6 on page 1 (the earlier template card-1, read only).
    follow_up: str = "stacked"

    @classmethod
    def of(cls, registry: Registry) -> PlanShape:
        return cls(*cls.fields_of(registry))

    @staticmethod
    def fields_of(registry: Registry) -> tuple[str, tuple[str, ...], str, int, int, int, str]:
        """The registry's fields a shape takes, in the shape's order."""
        return (
            registry.title,
            registry.levels,
            registry.item,
            registry.kpis,
            registry.inputs,
            registry.years,
            registry.baseline_label,
        )


@dataclass(frozen=True, slots=True)
class CardLayout:
    """One printed variant of the card: its boxes, last row, row heights, the rows that start
    a page, and its columns' widths."""

    boxes: tuple[Box, ...]
    last_row: int
    row_heights: dict[int, float]
    flexible_rows: frozenset[int]
    page_starts: tuple[int, ...]
    column_widths: tuple[float, ...]

    @property
    def last_column(self) -> str:
        return column_letters(len(self.column_widths))


L, IN, S = Kind.LABEL, Kind.INPUT, Kind.SECTION
ROMAN = ("I", "II", "III")


def _text_box(ref: str, fname: str, label: str, anchor: str) -> Box:
    """A wrapping narrative input box whose capacity is computed from its printed size."""
    return Box(ref, IN, field=fname, style=Style.TEXT, anchor=anchor, label=label, capacity=FIT)


LEVEL_FIELDS = ("policy", "strategy", "level_3")


#: card-1's section 7 columns: 取組実績 A–D, 未達成の理由・改善策 E–I, 次年度の取組 J–M.
_SIDE_COLUMNS = (("A", "D"), ("E", "I"), ("J", "M"))
#: Section 7's narratives: (label, field), one under the other across the page (page 2).
NARRATIVE_BOXES = (
    ("取組実績", "achievements"),
    ("未達成の理由・改善策", "shortfall_reason"),
    ("次年度の取組", "next_actions"),
)


class Layout:
    """The card of one plan shape: geometry, boxes, defined names and what the reader checks."""

    def __init__(self, shape: PlanShape) -> None:
        self.shape = shape
        self.kpi_count = shape.kpis
        self.input_count = shape.inputs
        self.plan_years = shape.years
        self.title = f"■ {shape.title} {shape.item}"
        value_columns = max(6, shape.years + 1)
        value_width = 12.0 if value_columns == 6 else round(72 * 4 / value_columns) / 4
        self.column_widths = [*LEFT_WIDTHS, 8, *[value_width] * value_columns]
        self.last_col = len(self.column_widths)
        self.last_column = column_letters(self.last_col)
        self.header_rows = max(3, len(shape.levels) + 1)
        self.top = self.header_rows + 3  # the panes' first row (today 6)
        self.kpi_tops = [self.top + 2 + shape.inputs + KPI_ROWS * k for k in range(shape.kpis)]
        self.s6_row = self.top + 2 + shape.inputs + KPI_ROWS * shape.kpis
        self._paginate()

    # --- geometry ----------------------------------------------------------------------------

    def right(self, j: int) -> str:
        """The letter of the right pane's column ``j`` (0 = G, the labels)."""
        return column_letters(len(LEFT_WIDTHS) + 1 + j)

    def year_col(self, y: int) -> str:
        """The column of plan year ``y`` (1-based) in a KPI block (I … for years 1 …)."""
        return self.right(1 + y)

    def _right_heights(self) -> dict[int, float]:
        heights: dict[int, float] = {}
        for n in range(1, self.input_count + 1):
            heights[self.top + 1 + n] = THREE_LINES
        for t in self.kpi_tops:
            heights |= dict.fromkeys((t + 1, t + 2, t + 6, t + 7), TWO_LINES)
            heights[t + 5] = THREE_LINES
        return heights

    def _paginate(self) -> None:
        """Where page 1 ends: after the last right-pane block that fits (sections 4, each KPI
        block, section 6); the left pane is laid out over page 1 only."""
        heights = {1: 16.5, self.top - 1: SPACER, **self._right_heights()}
        blocks = [self.top + 2 + self.input_count, *self.kpi_tops, self.s6_row, self.s6_row + 3]
        ends = [b - 1 for b in blocks[1:]]  # the last row of each block

        def height(first: int, last: int) -> float:
            return sum(heights.get(r, BASE_ROW_HEIGHT) for r in range(first, last + 1))

        fits = [e for e in ends if height(1, e) <= PAGE_POINTS] or ends[:1]
        self.left_bottom = max(fits[-1], self.top + 8)
        self.pane_bottom = self.s6_row + 2
        self.pane_pages = [self.left_bottom + 1] if self.left_bottom < self.pane_bottom else []
        self.gap_row = self.pane_bottom + 1
        self.page_two_row = self.pane_bottom + 2  # section 7
        self.side = self.shape.follow_up == "side"
        self.form_last_row = self.page_two_row + (4 if self.side else 8)
        p2 = self.page_two_row
        follow_up = (
            {p2 + 2: 64.0, p2 + 3: 26.0}  # card-1's one row of narratives and its notes
            if self.side
            else {**dict.fromkeys((p2 + 2, p2 + 4, p2 + 6), NARRATIVE_ROW_HEIGHT), p2 + 7: 26.25}
        )
        self.base_heights = {**heights, self.gap_row: SPACER, **follow_up}
        self.flexible = frozenset(
            [self.top + 1 + n for n in range(1, self.input_count + 1)]
            + [r for t in self.kpi_tops for r in (t + 2, t + 7)]
            + [self.s6_row + 1, self.s6_row + 2]
            + [self.page_two_row + 2, self.page_two_row + 4, self.page_two_row + 6]
        )

    # --- anchors -----------------------------------------------------------------------------

    @cached_property
    def anchor_box(self) -> dict[str, str]:
        """Each section's title cell (the sections double as anchors for finding fields)."""
        s2, s3 = self._left_split()
        boxes = {
            "title": "A1",
            "s1": f"A{self.top}",
            "s2": f"A{s2}",
            "s3": f"A{s3}",
            "s4": f"G{self.top}",
        }
        boxes |= {f"kpi{k + 1}": f"G{t}" for k, t in enumerate(self.kpi_tops)}
        boxes |= {"s6": f"G{self.s6_row}", "s7": f"A{self.page_two_row}"}
        return boxes

    @cached_property
    def anchors(self) -> dict[str, re.Pattern[str]]:
        title = r"\s*".join(re.escape(w) for w in normalize_text(self.title.lstrip("■ ")).split())
        patterns = {
            "title": re.compile(rf"^■?\s*{title}$"),
            "s1": re.compile(r"^1\s*アウトカム"),
            "s2": re.compile(r"^2\s*現状・課題"),
            "s3": re.compile(r"^3\s*実施内容"),
            "s4": re.compile(r"^4\s*.*の実施内容$"),
        }
        patterns |= {
            f"kpi{k}": re.compile(rf"^5-{k}\s*目標指標") for k in range(1, self.kpi_count + 1)
        }
        patterns |= {
            "s6": re.compile(r"^6\s*関連計画等"),
            "s7": re.compile(r"^7\s*報告年度の取組状況"),
        }
        return patterns

    def _left_split(self) -> tuple[int, int]:
        """The rows of section 2's and section 3's titles: section 1 keeps four rows, the rest
        of page 1's pane is shared 11 : 10 (today rows 10 and 21)."""
        s2 = self.top + 4
        rest = self.left_bottom - s2 + 1
        return s2, s2 + round(rest * 11 / 21)

    # --- boxes -------------------------------------------------------------------------------

    def _header(self, report: bool = False) -> list[Box]:
        last = self.last_column
        version = (
            [
                Box("K1", L, "作成日"),
                Box(f"L1:{last}1", Kind.FIXED, field="report_date", label="作成日"),
            ]
            if report
            else [
                Box("K1", L, "様式版"),
                Box(f"L1:{last}1", Kind.FIXED, field="template_version", label="様式版"),
            ]
        )
        item = f"{self.shape.item}名"
        boxes = [
            Box("A1:H1", Kind.TITLE, self.title),
            Box("I1", L, "報告年度"),
            Box("J1", IN, field="fiscal_year", style=Style.CENTER, label="報告年度"),
            *version,
            Box("A2", L, "No."),
            Box("B2:F2", L, item),
            Box("A3", IN, field="plan_no", style=Style.CENTER, label="No."),
            Box("B3:F3", IN, field="plan_name", label=item),
        ]
        bottom = 1 + self.header_rows
        boxes += [
            Box("A4" if bottom == 4 else f"A4:A{bottom}", L, "主管課"),
            Box(f"B4:F{bottom}", IN, field="lead_division", label="主管課"),
        ]
        rows = list(range(2, 2 + len(self.shape.levels)))
        for row, name, fname in zip(rows, self.shape.levels, LEVEL_FIELDS, strict=False):
            boxes += [
                Box(f"G{row}", L, name),
                Box(f"H{row}:{last}{row}", IN, field=fname, label=name),
            ]
        rel = rows[-1] + 1
        boxes += [
            Box(f"G{rel}" if rel == bottom else f"G{rel}:G{bottom}", L, "関係課"),
            Box(f"H{rel}:{last}{bottom}", IN, field="related_divisions", label="関係課"),
        ]
        return sorted(boxes, key=lambda b: b.span[:2])  # row by row, as printed

    def _left_pane(self) -> list[Box]:
        s1, (s2, s3), bottom = self.top, self._left_split(), self.left_bottom

        t1, t2, t3 = "1 アウトカム(実施目的)", "2 現状・課題", "3 実施内容(計画期間全体の取組)"
        return [
            Box(f"A{s1}:F{s1}", S, t1, anchor="s1"),
            _text_box(f"A{s1 + 1}:F{s2 - 1}", "outcome", t1, "s1"),
            Box(f"A{s2}:F{s2}", S, t2, anchor="s2"),
            _text_box(f"A{s2 + 1}:F{s3 - 1}", "situation", t2, "s2"),
            Box(f"A{s3}:F{s3}", S, t3, anchor="s3"),
            _text_box(f"A{s3 + 1}:F{bottom}", "plan_actions", t3, "s3"),
        ]

    def _initiatives(self) -> list[Box]:
        r = self.right
        top, last = self.top, self.last_column
        n = self.last_col - len(LEFT_WIDTHS) - 1  # the right pane's last column index
        inp, out, res = (
            f"{r(1)}{{row}}:{r(3)}{{row}}",
            f"{r(4)}{{row}}:{r(n - 1)}{{row}}",
            f"{r(n)}{{row}}",
        )
        boxes = [
            Box(f"G{top}:{last}{top}", S, "4 年度の実施内容", anchor="s4"),
            Box(f"G{top + 1}:{r(3)}{top + 1}", L, "インプット(具体的な取組内容)", anchor="s4"),
            Box(out.format(row=top + 1), L, "アウトプット(事業量等)", anchor="s4"),
            Box(res.format(row=top + 1), L, "実績", anchor="s4"),
        ]
        for k in range(1, self.input_count + 1):
            row, mark = top + 1 + k, CIRCLED[k - 1]
            for ref, fname, label in (
                (inp, f"input_{k}", f"インプット{mark}"),
                (out, f"output_{k}", f"アウトプット{mark}"),
                (res, f"output_result_{k}", f"実績{mark}"),
            ):
                if fname == f"input_{k}":
                    boxes.append(Box(f"G{row}", L, mark, anchor="s4"))
                boxes.append(_text_box(ref.format(row=row), fname, label, "s4"))
        return boxes

    def _kpi(self, k: int, report: bool = False) -> list[Box]:
        top = self.kpi_tops[k - 1]
        anchor, roman, p = f"kpi{k}", ROMAN[k - 1], f"kpi{k}_"
        head, last, r = top + 4, self.last_column, self.right

        def inp(ref: str, fname: str, style: Style, label: str, fit: bool = False) -> Box:
            return Box(
                ref,
                IN,
                field=p + fname,
                style=style,
                anchor=anchor,
                label=f"指標{roman} {label}",
                capacity=FIT if fit else None,
            )

        boxes = [
            Box(f"G{top}:{last}{top}", S, f"5-{k} 目標指標 {roman}", anchor=anchor),
            Box(f"G{top + 1}", L, "項目", anchor=anchor),
            inp(f"H{top + 1}:{last}{top + 1}", "name", Style.TEXT, "項目", True),
            Box(f"G{top + 2}", L, "注記", anchor=anchor),
            inp(f"H{top + 2}:{last}{top + 2}", "note", Style.TEXT, "※注記", True),
            Box(f"G{top + 3}", L, "単位", anchor=anchor),
            inp(f"H{top + 3}", "unit", Style.CENTER, "単位"),
            Box(f"{r(2)}{top + 3}", L, "方向", anchor=anchor),
            inp(f"{r(3)}{top + 3}:{r(4)}{top + 3}", "direction", Style.CENTER, "方向"),
            Box(f"G{head}", L, "数値", anchor=anchor),
            inp(f"H{head}", "baseline_label", Style.CENTER, "基準値の見出し"),
            Box(f"G{head + 1}", L, "目標", anchor=anchor),
            inp(f"H{head + 1}:H{head + 2}", "baseline", Style.VALUE, "基準値"),
            Box(f"G{head + 2}", L, "実績", anchor=anchor),
        ]
        boxes += self._status_row(k, head + 3) if report else self._assessment_row(k, head + 3)
        first_head = self.kpi_tops[0] + 4
        for y in range(1, self.plan_years + 1):
            col = self.year_col(y)
            if k == 1 or report:
                boxes.append(
                    Box(
                        f"{col}{head}",
                        Kind.FIXED,
                        field=f"year_y{y}",
                        anchor=anchor,
                        style=Style.CENTER,
                        label=f"年度見出し{y}",
                    )
                )
            else:
                boxes.append(Box(f"{col}{head}", Kind.FIXED, f"={col}{first_head}", anchor=anchor))
            boxes += [
                inp(f"{col}{head + 1}", f"target_y{y}", Style.VALUE, f"{y}年目の目標"),
                inp(f"{col}{head + 2}", f"actual_y{y}", Style.VALUE, f"{y}年目の実績"),
            ]
        return boxes

    def _assessment_row(self, k: int, row: int) -> list[Box]:
        """The form's 所管課評価 row: the division's own rating of the reported year and why."""
        anchor, roman, p, r = f"kpi{k}", ROMAN[k - 1], f"kpi{k}_", self.right
        return [
            Box(f"G{row}", L, "所管課評価", anchor=anchor),
            Box(
                f"H{row}",
                IN,
                field=p + "assessment",
                style=Style.CENTER,
                anchor=anchor,
                label=f"指標{roman} 所管課評価",
            ),
            Box(f"{r(2)}{row}", L, "評価理由", anchor=anchor),
            _text_box(
                f"{r(3)}{row}:{self.last_column}{row}",
                p + "assessment_reason",
                f"指標{roman} 評価理由",
                anchor,
            ),
        ]

    def _status_row(self, k: int, row: int) -> list[Box]:
        """The report's 達成区分 row: one status per plan year under the year's target and actual."""
        anchor, p = f"kpi{k}", f"kpi{k}_"
        boxes = [
            Box(f"G{row}", L, "達成区分", anchor=anchor),
            Box(f"H{row}", Kind.FIXED, anchor=anchor),
        ]
        for y in range(1, self.plan_years + 1):
            boxes.append(
                Box(
                    f"{self.year_col(y)}{row}",
                    Kind.FIXED,
                    field=f"{p}status_y{y}",
                    anchor=anchor,
                    label="達成区分",
                )
            )
        return boxes

    def _own_ratings(self, top: int) -> list[Box]:
        """The report's block of the divisions' own ratings (所管課評価) and their reasons."""
        last = self.last_column
        boxes = [
            Box(f"A{top}:{last}{top}", S, "所管課評価（報告年度）", anchor="s7"),
            Box(f"A{top + 1}:C{top + 1}", L, "目標指標", anchor="s7"),
            Box(f"D{top + 1}:E{top + 1}", L, "所管課評価", anchor="s7"),
            Box(f"F{top + 1}:G{top + 1}", L, "計算による区分", anchor="s7"),
            Box(f"H{top + 1}:{last}{top + 1}", L, "評価理由", anchor="s7"),
        ]
        for k in range(1, self.kpi_count + 1):
            row, p = top + 1 + k, f"kpi{k}_"
            boxes += [
                Box(f"A{row}:C{row}", IN, field=p + "own_name", style=Style.TEXT, anchor="s7"),
                Box(f"D{row}:E{row}", IN, field=p + "own", style=Style.CENTER, anchor="s7"),
                Box(f"F{row}:G{row}", IN, field=p + "computed", style=Style.CENTER, anchor="s7"),
                Box(
                    f"H{row}:{last}{row}", IN, field=p + "own_reason", style=Style.TEXT, anchor="s7"
                ),
            ]
        return boxes

    def _follow_up(self) -> list[Box]:
        s6, p2, last = self.s6_row, self.page_two_row, self.last_column
        boxes = [
            Box(f"G{s6}:{last}{s6}", S, "6 関連計画等", anchor="s6"),
            _text_box(f"G{s6 + 1}:{last}{s6 + 2}", "related_plans", "6 関連計画等", "s6"),
            Box(f"A{p2}:{last}{p2}", S, "7 報告年度の取組状況（毎年度記入）", anchor="s7"),
        ]
        if self.side:  # card-1: A–D, E–I, J–M in one row under their labels
            places = [(f"{c1}{{r}}:{c2}{{r}}", p2 + 1) for c1, c2 in _SIDE_COLUMNS]
        else:  # one under the other across the page
            places = [(f"A{{r}}:{last}{{r}}", p2 + 1 + 2 * i) for i in range(len(NARRATIVE_BOXES))]
        for (label, fname), (span, row) in zip(NARRATIVE_BOXES, places, strict=True):
            boxes += [
                Box(span.format(r=row), L, label, anchor="s7"),
                _text_box(span.format(r=row + 1), fname, label, "s7"),
            ]
        return boxes

    def _footer(self, report: bool = False) -> list[Box]:
        p2, last = self.page_two_row, self.last_column
        if report:
            notes_row = p2 + 9 + self.kpi_count
            notes = [
                Box(f"A{notes_row}:{last}{notes_row}", Kind.NOTE, field="legend"),
                Box(f"A{notes_row + 1}:{last}{notes_row + 1}", Kind.NOTICE),
            ]
            return [*self._follow_up(), *self._own_ratings(p2 + 7), *notes]
        note_row = p2 + 3 if self.side else p2 + 7
        notes = [
            Box(f"A{note_row}:{last}{note_row}", Kind.NOTE, INPUT_NOTE),
            Box(f"A{note_row + 1}:{last}{note_row + 1}", Kind.NOTICE, field=None),
        ]
        return [*self._follow_up(), *notes]

    def _every(self, report: bool) -> list[Box]:
        kpis = [b for k in range(1, self.kpi_count + 1) for b in self._kpi(k, report)]
        return (
            self._header(report)
            + self._left_pane()
            + self._initiatives()
            + kpis
            + self._footer(report)
        )

    @cached_property
    def boxes(self) -> tuple[Box, ...]:
        """The form's boxes (template, sample and prefilled forms), text capacities computed."""
        return tuple(self._with_capacity(b) for b in self._every(False))

    @cached_property
    def report_boxes(self) -> tuple[Box, ...]:
        """The output card's boxes (see the module docstring); its fields are not defined names."""
        return tuple(self._every(True))

    def box_size(
        self, box: Box, row_heights: dict[int, float] | None = None
    ) -> tuple[float, float]:
        """(width, height) of a box in points as the form prints it (Excel's column widths)."""
        if row_heights is None:  # the form's own sizes: worked out once per box
            size = self._sizes.get(box.ref)
            if size is None:
                size = self._sizes[box.ref] = self._box_size(box, self.base_heights)
            return size
        return self._box_size(box, row_heights)

    @cached_property
    def _sizes(self) -> dict[str, tuple[float, float]]:
        return {}

    def _box_size(self, box: Box, heights: dict[int, float]) -> tuple[float, float]:
        r1, c1, r2, c2 = box.span
        width = sum(column_points(w) for w in self.column_widths[c1 - 1 : c2])
        height = sum(heights.get(r, BASE_ROW_HEIGHT) for r in range(r1, r2 + 1))
        return width, height

    def _with_capacity(self, box: Box) -> Box:
        if box.capacity != FIT:
            return box
        return replace(box, capacity=text_capacity(*self.box_size(box)))

    @cached_property
    def form(self) -> CardLayout:
        starts = (*self.pane_pages, self.page_two_row)
        widths = tuple(self.column_widths)
        return CardLayout(
            self.boxes, self.form_last_row, self.base_heights, self.flexible, starts, widths
        )

    @cached_property
    def report(self) -> CardLayout:
        p2 = self.page_two_row
        own = [p2 + 8 + k for k in range(1, self.kpi_count + 1)]
        heights = {
            **self.base_heights,
            **dict.fromkeys((p2 + 2, p2 + 4, p2 + 6), 2 * BASE_ROW_HEIGHT),
            p2 + 7: BASE_ROW_HEIGHT,
            p2 + 9 + self.kpi_count: 26.25,
        }
        starts = (*self.pane_pages, p2)
        last = p2 + 10 + self.kpi_count
        widths = tuple(self.column_widths)
        return CardLayout(
            self.report_boxes, last, heights, self.flexible | set(own), starts, widths
        )

    # --- fields ------------------------------------------------------------------------------

    @cached_property
    def _field_boxes(self) -> dict[str, Box]:
        return {b.field: b for b in self.boxes if b.field}

    def field_boxes(self) -> dict[str, Box]:
        """Every named field (inputs and fixed named cells) -> its box."""
        return self._field_boxes

    def field_cell(self, fname: str) -> str:
        return self._field_boxes[fname].first

    def field_box(self, fname: str) -> Box | None:
        """The box of ``fname``; a further インプット row (``input_9`` …) has the last row's box."""
        box = self._field_boxes.get(fname)
        if box is None and (m := _EXTRA.match(fname)):
            return self._field_boxes.get(f"{m.group(1)}_{self.input_count}")
        return box

    def field_label(self, fname: str) -> str:
        """The Japanese label of a field for people (「指標I 目標1」), else the defined name."""
        box = self._field_boxes.get(fname)
        return box.label if box is not None and box.label else field_label(fname)

    @cached_property
    def _cell_fields(self) -> dict[str, str]:
        return {box.first: name for name, box in reversed(self._field_boxes.items())}

    def cell_field(self, cell: str) -> str | None:
        """The field whose box starts at ``cell`` (for locating a finding)."""
        return self._cell_fields.get(cell)

    def kpi_fields(self, k: int) -> list[str]:
        p = f"kpi{k}_"
        years = range(1, self.plan_years + 1)
        values = [f"{p}{kind}_y{y}" for kind in ("target", "actual") for y in years]
        base = ["name", "note", "unit", "direction", "baseline_label", "baseline"]
        return [p + f for f in base] + values + [p + "assessment", p + "assessment_reason"]

    @cached_property
    def _names(self) -> tuple[str, ...]:
        head = ["template_version", "fiscal_year", "plan_no", "plan_name"]
        levels = list(LEVEL_FIELDS[: len(self.shape.levels)])
        texts = ["lead_division", "related_divisions", "outcome", "situation", "plan_actions"]
        inputs = [
            f"{kind}_{n}"
            for kind in ("input", "output", "output_result")
            for n in range(1, self.input_count + 1)
        ]
        years = [f"year_y{y}" for y in range(1, self.plan_years + 1)]
        kpis = [f for k in range(1, self.kpi_count + 1) for f in self.kpi_fields(k)]
        tail = ["related_plans", "achievements", "shortfall_reason", "next_actions"]
        return tuple(head + levels + texts + inputs + years + kpis + tail)

    def field_names(self) -> list[str]:
        """All defined names of the card, in the design.md order (``plan_id`` aside)."""
        return list(self._names)

    # --- what the reader checks a field's place against -------------------------------------

    @cached_property
    def _labels(self) -> list[Box]:
        return [
            b for b in self.boxes if b.kind in (Kind.LABEL, Kind.SECTION, Kind.TITLE) and b.text
        ]

    @cached_property
    def _key_labels(self) -> dict[str, KeyLabel]:
        return {f: self._key_label(f) for f in self._field_boxes}

    def key_label(self, fname: str) -> KeyLabel:
        """The label that places ``fname`` (see :class:`KeyLabel`)."""
        return self._key_labels[fname]

    def _key_label(self, fname: str) -> KeyLabel:
        box = self._field_boxes[fname]
        r, c = split_ref(box.first)
        beside = [b for b in self._labels if b.span[0] <= r <= b.span[2] and b.span[3] < c]
        if beside:
            key = max(beside, key=lambda b: b.span[3])
            kr, kc = split_ref(key.first)
            return KeyLabel(key.text, key.first, True, r - kr, c - kc)
        above = [b for b in self._labels if b.span[1] <= c <= b.span[3] and b.span[2] < r]
        key = max(above, key=lambda b: b.span[2])
        kr, kc = split_ref(key.first)
        anchor = key.anchor if key.kind is not Kind.LABEL else None
        return KeyLabel(key.text, key.first, False, r - kr, c - kc, anchor)

    @cached_property
    def known_labels(self) -> frozenset[str]:
        """Every printed label, heading and note of the form, as :func:`label_key` makes them."""
        texts = [b.text for b in self._labels] + [INPUT_NOTE, *CIRCLED]
        return frozenset(label_key(t) for t in texts)

    def anchor_of(self, text: str) -> str | None:
        """The section whose printed title ``text`` is (「5-1 目標指標 I」 → ``kpi1``), else None."""
        found = self._anchor_memo.get(text, _UNSEEN)
        if found is _UNSEEN:
            norm = normalize_text(text)
            found = next((k for k, p in self.anchors.items() if p.search(norm)), None)
            if len(self._anchor_memo) < 8192:
                self._anchor_memo[text] = found
        return found  # type: ignore[return-value]

    @cached_property
    def _anchor_memo(self) -> dict[str, object]:
        return {}

    def is_printed_label(self, text: str) -> bool:
        """Whether ``text`` is one of the form's own printed labels, headings or notes."""
        return label_key(text) in self.known_labels or self.anchor_of(text) is not None

    def section_title(self, key: str) -> str:
        """A section's title as printed on the template, for messages."""
        return next(b for b in self.boxes if b.first == self.anchor_box[key]).text


_UNSEEN = object()
_EXTRA = re.compile(r"^(input|output|output_result)_(\d+)$")


@dataclass(frozen=True, slots=True)
class KeyLabel:
    """The printed label a field's cell is found from: its row heading (``beside``: in the
    same row, left of the field) or, where the row has none, the heading above it.

    ``dr``/``dc`` are the field's offset from the label's first cell in the layout; ``anchor``
    is set when the label is the section title itself.
    """

    text: str
    ref: str
    beside: bool
    dr: int
    dc: int
    anchor: str | None = None

    @property
    def printed(self) -> str:
        """The label as printed on the template, for messages."""
        return self.text


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A printed text as compared with the layout's labels: NFKC, no spaces, no full stops
    (「Ｎｏ」 is 「No.」)."""
    return "".join(normalize_text(text).split()).replace(".", "")


@lru_cache(maxsize=8192)
def label_matches(text: str, label: str) -> bool:
    """Whether ``text`` is the printed ``label``, typed as people retype headings: the same
    apart from spaces, width and full stops, a leading 「※」, or a word added (「目標値」)."""
    a, b = label_key(text).lstrip("※"), label_key(label).lstrip("※")
    if a == b:
        return True
    return len(a) >= 2 and len(b) >= 2 and len(a) <= len(b) + 6 and a.startswith(b)


@dataclass(frozen=True, slots=True)
class ColumnKey:
    """What fixes a KPI cell's column when columns were inserted or hidden: KPI ``kpi``'s year
    heading ``year`` (1–6) or its 基準値 heading (``year`` 0) in the KPI's 数値 row."""

    kpi: int
    year: int


_KPI_VALUE = re.compile(r"^kpi(\d)_(target|actual)_y(\d)$")
_KPI_BASE = re.compile(r"^kpi(\d)_baseline$")
_YEAR = re.compile(r"^year_y(\d)$")


@cache
def column_key(fname: str) -> ColumnKey | None:
    if m := _KPI_VALUE.match(fname):
        return ColumnKey(int(m.group(1)), int(m.group(3)))
    if m := _KPI_BASE.match(fname):
        return ColumnKey(int(m.group(1)), 0)
    if m := _YEAR.match(fname):
        return ColumnKey(1, int(m.group(1)))
    return None


@cache
def layout_of(shape: PlanShape) -> Layout:
    """The layout of ``shape`` (one per shape in a process)."""
    return Layout(shape)


LAYOUTS_BY_SHAPE_MAX = 64
# A registry's shape fields (PlanShape.fields_of) -> the layout. A plain tuple
# looked up, instead of a frozen PlanShape built and hashed on each of a card's several asks; no
# registry is held (workers get a fresh copy of the registry with every chunk of files).
_BY_SHAPE: dict[tuple[object, ...], Layout] = {}


def layout_for(registry: Registry) -> Layout:
    """The card layout of the plan ``registry`` defines."""
    key = PlanShape.fields_of(registry)
    lay = _BY_SHAPE.get(key)
    if lay is None:
        lay = _BY_SHAPE[key] = layout_of(PlanShape.of(registry))
        if len(_BY_SHAPE) > LAYOUTS_BY_SHAPE_MAX:
            del _BY_SHAPE[next(iter(_BY_SHAPE))]
    return lay


#: Today's plan: the city's card as it is (the bundled plan's shape).
DEFAULT = layout_of(PlanShape())
#: The largest shape, whose labels name every field any plan can have (for messages).
_WIDEST = layout_of(PlanShape(levels=("基本方針", "戦略", "第3階層"), kpis=3, inputs=8, years=6))

_KINDS = {"input": "インプット", "output": "アウトプット", "output_result": "実績"}


def field_label(fname: str) -> str:
    """The Japanese label of any card field (「指標I 目標1」), else the defined name itself."""
    box = _WIDEST.field_boxes().get(fname)
    if box is None and (m := _EXTRA.match(fname)):
        n = int(m.group(2))
        return _KINDS[m.group(1)] + (CIRCLED[n - 1] if n <= len(CIRCLED) else f"({n})")
    return box.label if box is not None and box.label else fname


# Today's card, for the tests and the documentation of the defined-name contract.
TITLE = DEFAULT.title
FORM_LAYOUT = DEFAULT.form
REPORT_LAYOUT = DEFAULT.report
ANCHOR_BOX = DEFAULT.anchor_box
