"""The card layout, defined once: every box of the city's アクションプラン card.

The same definition renders the blank template, the sample and prefilled forms and the output
cards (:mod:`ubereport.card.writer`), and tells the reader where each field is
(:mod:`ubereport.card.reader`): by its workbook-level defined name first, and, when a division pasted
the card into another workbook, by the position of the printed section label it belongs to.

Grid: 13 columns, A–F the left pane (sections 1–3), G–M the right pane (sections 4–6): page 1,
the city's card as it is. The yearly follow-up (section 7: 取組実績, 未達成の理由・改善策, 次年度の取組,
one under the other across the page) is page 2 of the same sheet. A4 landscape at a fixed
:data:`PRINT_SCALE` (9 pt text prints at 8.1 pt), never shrunk to fit; a text box's capacity (``Box.capacity``) is what it shows at that size
(:func:`ubereport.card.textfit.capacity`), and the validator warns with it.

:func:`report_boxes` is the output variant of the same card (:data:`REPORT_LAYOUT`): each KPI's
所管課評価 row shows the 達成区分 per plan year instead, and the divisions' own ratings with their
reasons get a block of their own under section 7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache, lru_cache

from ubereport.card.model import CIRCLED
from ubereport.card.textfit import capacity as text_capacity
from ubereport.card.textfit import column_points
from ubereport.card.xlsx_source import split_ref
from ubereport.japanese.values import normalize_text

SHEET_NAME = "アクションプラン"
LISTS_SHEET = "選択肢"
TEMPLATE_VERSION = "ubereport-card-2"
#: card-1 had section 7 side by side on page 1 (the defined names are the same).
KNOWN_VERSIONS = frozenset({"ubereport-card-1", TEMPLATE_VERSION})
TITLE = "■ 宇部市行財政改革推進計画 アクションプラン"
INPUT_NOTE = (
    "※黄色のセルが入力欄です（それ以外のセルは保護されています）。方向・所管課評価は一覧から選べます。"
    "数値は「4,200件」「99.05%」「10時間/月以下」のように、単位・以上/以下を付けて入力できます。"
)
PLAN_YEARS = 5
KPI_COUNT = 2
INPUT_COUNT = 4

COLUMN_WIDTHS = [6, 13, 13, 13, 13, 13, 8, 12, 12, 12, 12, 12, 12]
LAST_COLUMN = "M"
LAST_ROW = 40
#: The first row of page 2 (section 7); a manual page break goes above it.
PAGE_TWO_ROW = 32
#: Every card prints at this scale (never fit to the page): 9 pt text prints at 8.1 pt.
PRINT_SCALE = 90
MARGINS_IN = {"left": 0.25, "right": 0.25, "top": 0.25, "bottom": 0.25}
# Row heights are whole pixels (0.75 pt), as Excel and xlsxwriter store them.
BASE_ROW_HEIGHT = 14.25
TWO_LINES = 24.0
THREE_LINES = 34.5
#: A narrative box of section 7: 14 lines at 9 pt, 1,178 full-width characters (the city's longest
#: published 取組実績 has 548).
NARRATIVE_ROW_HEIGHT = 156.0
ROW_HEIGHTS = {
    1: 16.5,
    5: 0.75,
    **dict.fromkeys((8, 9, 10, 11, 17, 25), THREE_LINES),
    **dict.fromkeys((13, 14, 18, 19, 21, 22, 26, 27), TWO_LINES),
    31: 0.75,
    **dict.fromkeys((34, 36, 38), NARRATIVE_ROW_HEIGHT),
    39: 26.25,
}
# Rows that may grow in a report when a block of text beside them needs more room.
FLEXIBLE_ROWS = frozenset({8, 9, 10, 11, 14, 19, 22, 27, 29, 30, 34, 36, 38})
#: Marks a text box whose capacity is computed from its size (see :func:`boxes`).
FIT = 0


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


@lru_cache(maxsize=1024)
def _span(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return r1, c1, r2, c2


# Section labels double as anchors for finding fields when the defined names are gone.
ANCHORS: dict[str, re.Pattern[str]] = {
    "title": re.compile(r"^■?\s*宇部市行財政改革推進計画\s*アクションプラン$"),
    "s1": re.compile(r"^1\s*アウトカム"),
    "s2": re.compile(r"^2\s*現状・課題"),
    "s3": re.compile(r"^3\s*実施内容"),
    "s4": re.compile(r"^4\s*.*の実施内容$"),
    "kpi1": re.compile(r"^5-1\s*目標指標"),
    "kpi2": re.compile(r"^5-2\s*目標指標"),
    "s6": re.compile(r"^6\s*関連計画等"),
    "s7": re.compile(r"^7\s*報告年度の取組状況"),
}
ANCHOR_BOX = {
    "title": "A1",
    "s1": "A6",
    "s2": "A10",
    "s3": "A21",
    "s4": "G6",
    "kpi1": "G12",
    "kpi2": "G20",
    "s6": "G28",
    "s7": "A32",
}

L, IN, S = Kind.LABEL, Kind.INPUT, Kind.SECTION


def _header(report: bool = False) -> list[Box]:
    version = (
        [Box("K1", L, "作成日"), Box("L1:M1", Kind.FIXED, field="report_date", label="作成日")]
        if report
        else [
            Box("K1", L, "様式版"),
            Box("L1:M1", Kind.FIXED, field="template_version", label="様式版"),
        ]
    )
    return [
        Box("A1:H1", Kind.TITLE, TITLE),
        Box("I1", L, "報告年度"),
        Box("J1", IN, field="fiscal_year", style=Style.CENTER, label="報告年度"),
        *version,
        Box("A2", L, "No."),
        Box("B2:F2", L, "アクションプラン名"),
        Box("G2", L, "基本方針"),
        Box("H2:M2", IN, field="policy", label="基本方針"),
        Box("A3", IN, field="plan_no", style=Style.CENTER, label="No."),
        Box("B3:F3", IN, field="plan_name", label="アクションプラン名"),
        Box("G3", L, "戦略"),
        Box("H3:M3", IN, field="strategy", label="戦略"),
        Box("A4", L, "主管課"),
        Box("B4:F4", IN, field="lead_division", label="主管課"),
        Box("G4", L, "関係課"),
        Box("H4:M4", IN, field="related_divisions", label="関係課"),
    ]


def _left_pane() -> list[Box]:
    return [
        Box("A6:F6", S, "1 アウトカム(実施目的)", anchor="s1"),
        Box(
            "A7:F9",
            IN,
            field="outcome",
            style=Style.TEXT,
            anchor="s1",
            label="1 アウトカム(実施目的)",
            capacity=FIT,
        ),
        Box("A10:F10", S, "2 現状・課題", anchor="s2"),
        Box(
            "A11:F20",
            IN,
            field="situation",
            style=Style.TEXT,
            anchor="s2",
            label="2 現状・課題",
            capacity=FIT,
        ),
        Box("A21:F21", S, "3 実施内容(計画期間全体の取組)", anchor="s3"),
        Box(
            "A22:F30",
            IN,
            field="plan_actions",
            style=Style.TEXT,
            anchor="s3",
            label="3 実施内容(計画期間全体の取組)",
            capacity=FIT,
        ),
    ]


def _initiatives() -> list[Box]:
    boxes = [
        Box("G6:M6", S, "4 年度の実施内容", anchor="s4"),
        Box("G7:J7", L, "インプット(具体的な取組内容)", anchor="s4"),
        Box("K7:L7", L, "アウトプット(事業量等)", anchor="s4"),
        Box("M7", L, "実績", anchor="s4"),
    ]
    for n, mark in enumerate("①②③④", start=1):
        row = 7 + n
        boxes += [
            Box(f"G{row}", L, mark, anchor="s4"),
            Box(
                f"H{row}:J{row}",
                IN,
                field=f"input_{n}",
                style=Style.TEXT,
                anchor="s4",
                label=f"インプット{mark}",
                capacity=FIT,
            ),
            Box(
                f"K{row}:L{row}",
                IN,
                field=f"output_{n}",
                style=Style.TEXT,
                anchor="s4",
                label=f"アウトプット{mark}",
                capacity=FIT,
            ),
            Box(
                f"M{row}",
                IN,
                field=f"output_result_{n}",
                style=Style.TEXT,
                anchor="s4",
                label=f"実績{mark}",
                capacity=FIT,
            ),
        ]
    return boxes


def _kpi(k: int, top: int, report: bool = False) -> list[Box]:
    anchor = f"kpi{k}"
    roman = "I" * k
    p = f"kpi{k}_"
    head = top + 4
    years = "IJKLM"
    boxes = [
        Box(f"G{top}:M{top}", S, f"5-{k} 目標指標 {roman}", anchor=anchor),
        Box(f"G{top + 1}", L, "項目", anchor=anchor),
        Box(
            f"H{top + 1}:M{top + 1}",
            IN,
            field=p + "name",
            style=Style.TEXT,
            anchor=anchor,
            label=f"指標{roman} 項目",
            capacity=FIT,
        ),
        Box(f"G{top + 2}", L, "注記", anchor=anchor),
        Box(
            f"H{top + 2}:M{top + 2}",
            IN,
            field=p + "note",
            style=Style.TEXT,
            anchor=anchor,
            label=f"指標{roman} ※注記",
            capacity=FIT,
        ),
        Box(f"G{top + 3}", L, "単位", anchor=anchor),
        Box(
            f"H{top + 3}",
            IN,
            field=p + "unit",
            style=Style.CENTER,
            anchor=anchor,
            label=f"指標{roman} 単位",
        ),
        Box(f"I{top + 3}", L, "方向", anchor=anchor),
        Box(
            f"J{top + 3}:K{top + 3}",
            IN,
            field=p + "direction",
            style=Style.CENTER,
            anchor=anchor,
            label=f"指標{roman} 方向",
        ),
        Box(f"G{head}", L, "数値", anchor=anchor),
        Box(
            f"H{head}",
            IN,
            field=p + "baseline_label",
            style=Style.CENTER,
            anchor=anchor,
            label=f"指標{roman} 基準値の見出し",
        ),
        Box(f"G{head + 1}", L, "目標", anchor=anchor),
        Box(
            f"H{head + 1}:H{head + 2}",
            IN,
            field=p + "baseline",
            style=Style.VALUE,
            anchor=anchor,
            label=f"指標{roman} 基準値",
        ),
        Box(f"G{head + 2}", L, "実績", anchor=anchor),
    ]
    boxes += _status_row(k, head + 3) if report else _assessment_row(k, head + 3)
    for y, col in enumerate(years, start=1):
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
            boxes.append(Box(f"{col}{head}", Kind.FIXED, f"={col}16", anchor=anchor))
        boxes += [
            Box(
                f"{col}{head + 1}",
                IN,
                field=f"{p}target_y{y}",
                style=Style.VALUE,
                anchor=anchor,
                label=f"指標{roman} {y}年目の目標",
            ),
            Box(
                f"{col}{head + 2}",
                IN,
                field=f"{p}actual_y{y}",
                style=Style.VALUE,
                anchor=anchor,
                label=f"指標{roman} {y}年目の実績",
            ),
        ]
    return boxes


def _assessment_row(k: int, row: int) -> list[Box]:
    """The form's 所管課評価 row: the division's own rating of the reported year and why."""
    anchor, roman, p = f"kpi{k}", "I" * k, f"kpi{k}_"
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
        Box(f"I{row}", L, "評価理由", anchor=anchor),
        Box(
            f"J{row}:M{row}",
            IN,
            field=p + "assessment_reason",
            style=Style.TEXT,
            anchor=anchor,
            label=f"指標{roman} 評価理由",
            capacity=FIT,
        ),
    ]


def _status_row(k: int, row: int) -> list[Box]:
    """The report's 達成区分 row: one status per plan year under the year's target and actual."""
    anchor, p = f"kpi{k}", f"kpi{k}_"
    boxes = [
        Box(f"G{row}", L, "達成区分", anchor=anchor),
        Box(f"H{row}", Kind.FIXED, anchor=anchor),
    ]
    for y, col in enumerate("IJKLM", start=1):
        boxes.append(
            Box(f"{col}{row}", Kind.FIXED, field=f"{p}status_y{y}", anchor=anchor, label="達成区分")
        )
    return boxes


def _own_ratings(top: int) -> list[Box]:
    """The report's block of the divisions' own ratings (所管課評価) and their reasons."""
    boxes = [
        Box(f"A{top}:M{top}", S, "所管課評価（報告年度）", anchor="s7"),
        Box(f"A{top + 1}:C{top + 1}", L, "目標指標", anchor="s7"),
        Box(f"D{top + 1}:E{top + 1}", L, "所管課評価", anchor="s7"),
        Box(f"F{top + 1}:G{top + 1}", L, "計算による区分", anchor="s7"),
        Box(f"H{top + 1}:M{top + 1}", L, "評価理由", anchor="s7"),
    ]
    for k in range(1, KPI_COUNT + 1):
        row, p = top + 1 + k, f"kpi{k}_"
        boxes += [
            Box(f"A{row}:C{row}", IN, field=p + "own_name", style=Style.TEXT, anchor="s7"),
            Box(f"D{row}:E{row}", IN, field=p + "own", style=Style.CENTER, anchor="s7"),
            Box(f"F{row}:G{row}", IN, field=p + "computed", style=Style.CENTER, anchor="s7"),
            Box(f"H{row}:M{row}", IN, field=p + "own_reason", style=Style.TEXT, anchor="s7"),
        ]
    return boxes


def _footer(report: bool = False) -> list[Box]:
    if report:
        notes = [Box("A43:M43", Kind.NOTE, field="legend"), Box("A44:M44", Kind.NOTICE)]
        return [*_follow_up(), *_own_ratings(39), *notes]
    notes = [Box("A39:M39", Kind.NOTE, INPUT_NOTE), Box("A40:M40", Kind.NOTICE, field=None)]
    return [*_follow_up(), *notes]


#: Section 7's narratives: (label, field), one under the other across the page (page 2).
NARRATIVE_BOXES = (
    ("取組実績", "achievements"),
    ("未達成の理由・改善策", "shortfall_reason"),
    ("次年度の取組", "next_actions"),
)


def _follow_up() -> list[Box]:
    boxes = [
        Box("G28:M28", S, "6 関連計画等", anchor="s6"),
        Box(
            "G29:M30",
            IN,
            field="related_plans",
            style=Style.TEXT,
            anchor="s6",
            label="6 関連計画等",
            capacity=FIT,
        ),
        Box("A32:M32", S, "7 報告年度の取組状況（毎年度記入）", anchor="s7"),
    ]
    for i, (label, field) in enumerate(NARRATIVE_BOXES):
        row = 33 + 2 * i
        boxes += [
            Box(f"A{row}:M{row}", L, label, anchor="s7"),
            Box(
                f"A{row + 1}:M{row + 1}",
                IN,
                field=field,
                style=Style.TEXT,
                anchor="s7",
                label=label,
                capacity=FIT,
            ),
        ]
    return boxes


@cache
def boxes() -> tuple[Box, ...]:
    every = _header() + _left_pane() + _initiatives() + _kpi(1, 12) + _kpi(2, 20) + _footer()
    return tuple(_with_capacity(b) for b in every)


def box_size(box: Box, row_heights: dict[int, float] | None = None) -> tuple[float, float]:
    """(width, height) of a box in points as the form prints it (Excel's column widths)."""
    heights = ROW_HEIGHTS if row_heights is None else row_heights
    r1, c1, r2, c2 = box.span
    width = sum(column_points(w) for w in COLUMN_WIDTHS[c1 - 1 : c2])
    height = sum(heights.get(r, BASE_ROW_HEIGHT) for r in range(r1, r2 + 1))
    return width, height


def _with_capacity(box: Box) -> Box:
    if box.capacity != FIT:
        return box
    return replace(box, capacity=text_capacity(*box_size(box)))


@cache
def report_boxes() -> tuple[Box, ...]:
    """The output card's boxes (see the module docstring); its fields are not defined names."""
    return tuple(
        _header(True)
        + _left_pane()
        + _initiatives()
        + _kpi(1, 12, True)
        + _kpi(2, 20, True)
        + _footer(True)
    )


@dataclass(frozen=True, slots=True)
class CardLayout:
    """One printed variant of the card: its boxes, last row and row heights."""

    boxes: tuple[Box, ...]
    last_row: int
    row_heights: dict[int, float]
    flexible_rows: frozenset[int]


FORM_LAYOUT = CardLayout(boxes(), LAST_ROW, ROW_HEIGHTS, FLEXIBLE_ROWS)
REPORT_LAYOUT = CardLayout(
    report_boxes(),
    44,
    {
        **ROW_HEIGHTS,
        **dict.fromkeys((34, 36, 38), 2 * BASE_ROW_HEIGHT),
        39: BASE_ROW_HEIGHT,
        43: 26.25,
    },
    FLEXIBLE_ROWS | {41, 42},
)


@cache
def field_boxes() -> dict[str, Box]:
    """Every named field (inputs and fixed named cells) -> its box."""
    return {b.field: b for b in boxes() if b.field}


def field_cell(field: str) -> str:
    return field_boxes()[field].first


_EXTRA = re.compile(r"^(input|output|output_result)_(\d+)$")


def field_box(field: str) -> Box | None:
    """The box of ``field``; a further インプット row (``input_5`` …) has the box of ④."""
    box = field_boxes().get(field)
    if box is None and (m := _EXTRA.match(field)):
        return field_boxes().get(f"{m.group(1)}_{INPUT_COUNT}")
    return box


def field_label(field: str) -> str:
    """The Japanese label of a field for people (「指標I 目標1」), else the defined name."""
    box = field_boxes().get(field)
    if box is None and (m := _EXTRA.match(field)):
        kind = {"input": "インプット", "output": "アウトプット", "output_result": "実績"}
        n = int(m.group(2))
        return kind[m.group(1)] + (CIRCLED[n - 1] if n <= len(CIRCLED) else f"({n})")
    return box.label if box is not None and box.label else field


def cell_field(cell: str) -> str | None:
    """The field whose box starts at ``cell`` (for locating a finding)."""
    for name, box in field_boxes().items():
        if box.first == cell:
            return name
    return None


def anchor_offset(field: str) -> tuple[str, int, int]:
    """(anchor key, row offset, column offset) of a field from its section label."""
    box = field_boxes()[field]
    r, c = split_ref(box.first)
    ar, ac = split_ref(ANCHOR_BOX[box.anchor])
    return box.anchor, r - ar, c - ac


def kpi_fields(k: int) -> list[str]:
    p = f"kpi{k}_"
    years = [f"{p}{kind}_y{y}" for kind in ("target", "actual") for y in range(1, PLAN_YEARS + 1)]
    base = ["name", "note", "unit", "direction", "baseline_label", "baseline"]
    return [p + f for f in base] + years + [p + "assessment", p + "assessment_reason"]


def field_names() -> list[str]:
    """All defined names of the template, in the design.md order."""
    head = [
        "template_version",
        "fiscal_year",
        "plan_no",
        "plan_name",
        "policy",
        "strategy",
        "lead_division",
        "related_divisions",
        "outcome",
        "situation",
        "plan_actions",
    ]
    inputs = [
        f"{kind}_{n}"
        for kind in ("input", "output", "output_result")
        for n in range(1, INPUT_COUNT + 1)
    ]
    years = [f"year_y{y}" for y in range(1, PLAN_YEARS + 1)]
    kpis = [f for k in range(1, KPI_COUNT + 1) for f in kpi_fields(k)]
    tail = ["related_plans", "achievements", "shortfall_reason", "next_actions"]
    return head + inputs + years + kpis + tail


# --- what the reader checks a field's place against -----------------------------------------


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


def _labels() -> list[Box]:
    return [b for b in boxes() if b.kind in (Kind.LABEL, Kind.SECTION, Kind.TITLE) and b.text]


@cache
def key_label(fname: str) -> KeyLabel:
    """The label that places ``fname`` (see :class:`KeyLabel`)."""
    box = field_boxes()[fname]
    r, c = split_ref(box.first)
    beside = [b for b in _labels() if b.span[0] <= r <= b.span[2] and b.span[3] < c]
    if beside:
        key = max(beside, key=lambda b: b.span[3])
        kr, kc = split_ref(key.first)
        return KeyLabel(key.text, key.first, True, r - kr, c - kc)
    above = [b for b in _labels() if b.span[1] <= c <= b.span[3] and b.span[2] < r]
    key = max(above, key=lambda b: b.span[2])
    kr, kc = split_ref(key.first)
    anchor = key.anchor if key.kind is not Kind.LABEL else None
    return KeyLabel(key.text, key.first, False, r - kr, c - kc, anchor)


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A printed text as compared with the layout's labels: NFKC, no spaces, no full stops
    (「Ｎｏ」 is 「No.」)."""
    return "".join(normalize_text(text).split()).replace(".", "")


@cache
def known_labels() -> frozenset[str]:
    """Every printed label, heading and note of the form, as :func:`label_key` makes them."""
    texts = [b.text for b in _labels()] + [INPUT_NOTE, *CIRCLED]
    return frozenset(label_key(t) for t in texts)


@lru_cache(maxsize=8192)
def label_matches(text: str, label: str) -> bool:
    """Whether ``text`` is the printed ``label``, typed as people retype headings: the same
    apart from spaces, width and full stops, a leading 「※」, or a word added (「目標値」)."""
    a, b = label_key(text).lstrip("※"), label_key(label).lstrip("※")
    if a == b:
        return True
    return len(a) >= 2 and len(b) >= 2 and len(a) <= len(b) + 6 and a.startswith(b)


@lru_cache(maxsize=8192)
def anchor_of(text: str) -> str | None:
    """The section whose printed title ``text`` is (「5-1 目標指標 I」 → ``kpi1``), else None."""
    norm = normalize_text(text)
    for key, pattern in ANCHORS.items():
        if pattern.search(norm):
            return key
    return None


@lru_cache(maxsize=8192)
def is_printed_label(text: str) -> bool:
    """Whether ``text`` is one of the form's own printed labels, headings or notes."""
    key = label_key(text)
    return key in known_labels() or anchor_of(text) is not None


def section_title(key: str) -> str:
    """A section's title as printed on the template, for messages."""
    box = next(b for b in boxes() if b.first == ANCHOR_BOX[key])
    return box.text


@dataclass(frozen=True, slots=True)
class ColumnKey:
    """What fixes a KPI cell's column when columns were inserted or hidden: KPI ``kpi``'s year
    heading ``year`` (1–5) or its 基準値 heading (``year`` 0) in the KPI's 数値 row."""

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
