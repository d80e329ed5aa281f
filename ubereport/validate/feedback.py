"""The feedback workbook a division fixes its card from: ``<original name>_確認結果.xlsx``.

A copy of the division's own workbook (the original is never touched) with every flagged cell
marked — エラー and 警告 differ in fill, border *and* a mark in the comment, so the difference
survives black-and-white printing — plus a first sheet 「確認結果」 listing every finding with a
link to its cell. Files that cannot be opened get the list alone.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ubereport.card.layout import field_label
from ubereport.files.atomic import write_atomically
from ubereport.files.names import display_name, safe_file_name
from ubereport.findings import Finding, Severity

SHEET = "確認結果"
FONT = "BIZ UDPゴシック"
MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲"}
FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFE699"),
}
BORDER = {
    Severity.ERROR: Border(*(Side("thick", color="C00000"),) * 4),
    Severity.WARNING: Border(*(Side("mediumDashed", color="7F6000"),) * 4),
}
COLUMNS = [
    ("No.", 5),
    ("重要度", 9),
    ("シート", 14),
    ("セル", 7),
    ("項目", 20),
    ("入力されていた値", 24),
    ("内容と直し方", 70),
    ("コード", 22),
]


def feedback_path(name: str, out_dir: Path) -> Path:
    """``<stem>_確認結果.xlsx`` beside the filed original, valid on Windows and ≤ 120 characters."""
    return out_dir / safe_file_name(f"{Path(name).stem}.xlsx", extra="_確認結果")


# A file the reader refused as unsafe, broken or unreadable is never opened again: its feedback is
# the list alone. Above COPY_LIMIT unpacked bytes the copy is skipped too (openpyxl needs ~25x the
# unpacked size in memory and minutes for millions of styled cells); the list says so.
NO_COPY_CODES = frozenset(
    {
        "file-empty",
        "file-not-excel",
        "file-legacy-xls",
        "file-encrypted",
        "file-corrupt",
        "file-too-large",
        "file-unreadable",
        "internal-error",
    }
)
COPY_LIMIT = 16 * 1024 * 1024
UNOPENED = (
    "ファイルを開けなかったため、指摘の一覧だけを作成しました。元のファイルを確認してください。"
)


def write_feedback(
    original: Path, findings: list[Finding], out_dir: Path, *, name: str | None = None
) -> Path:
    """Write the feedback workbook for ``original`` into ``out_dir``; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    book, why_not = _copy_of(original, findings)
    if not why_not:
        _mark_cells(book, findings)
    _summary_sheet(book, display_name(original), findings, why_not)
    target = feedback_path(name or display_name(original), out_dir)
    write_atomically(target, lambda tmp: book.save(tmp))
    return target


def _copy_of(original: Path, findings: list[Finding]) -> tuple[Workbook, str]:
    """A copy of the division's workbook to mark up, or an empty book and the reason why not."""
    why_not = ""
    if any(f.code in NO_COPY_CODES for f in findings):
        why_not = UNOPENED
    else:
        size = _unpacked_size(original)
        if size is None or size > COPY_LIMIT:
            shown = "" if size is None else f"（展開後 {size / 1024 / 1024:,.0f} MB）"
            why_not = (
                f"ファイルが大きいため{shown}カードの写しは付けず、指摘の一覧だけを作成しました。"
                "指摘のシート・セル欄を見て、元のファイルで直してください。"
            )
    if not why_not:
        try:
            return openpyxl.load_workbook(original, keep_vba=False, keep_links=False), ""
        except Exception:
            why_not = UNOPENED
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book, why_not


def _unpacked_size(original: Path) -> int | None:
    try:
        with zipfile.ZipFile(original) as package:
            return sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _mark_cells(book: Workbook, findings: list[Finding]) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet in book.sheetnames and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, ref), items in by_cell.items():
        cell = book[sheet][ref]
        worst = Severity.ERROR if any(f.is_error for f in items) else Severity.WARNING
        cell.fill = FILL[worst]
        cell.border = BORDER[worst]
        text = "\n".join(f"{MARK[f.severity]}【{f.severity}】{f.message}" for f in items)
        comment = Comment(text, "ubereport")
        comment.width, comment.height = 360, 40 + 18 * (len(text) // 28 + len(items))
        cell.comment = comment


def _summary_sheet(book: Workbook, name: str, findings: list[Finding], why_not: str) -> None:
    copied = not why_not
    ws = book.create_sheet(SHEET, 0)
    errors = sum(f.is_error for f in findings)
    ws["A1"] = f"確認結果：{name}"
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws["A2"] = (
        f"エラー {errors} 件（✖ 直さないと取り込めません）・"
        f"警告 {len(findings) - errors} 件（▲ 確認してください）"
    )
    ws["A3"] = (
        "セル欄のリンクから該当セルへ移動できます。該当セルは色・太枠（エラー）/点線枠（警告）と"
        "コメントで示しています。直したら元のファイル名のまま再提出してください。"
    )
    if not copied:
        ws["A3"] = why_not
    for row in (2, 3):
        ws.cell(row, 1).font = Font(name=FONT, size=10)
    header_row = 5
    for col, (title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(header_row, col, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D6DCE4")
        ws.column_dimensions[cell.column_letter].width = width
    for i, f in enumerate(findings, start=1):
        _finding_row(ws, header_row + i, i, f, copied)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:H{header_row + max(len(findings), 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    book.active = 0
    for sheet in book.worksheets[1:]:
        sheet.sheet_view.tabSelected = False


def _finding_row(ws: Worksheet, row: int, number: int, f: Finding, copied: bool) -> None:
    values = [
        number,
        f"{MARK[f.severity]} {f.severity}",
        f.sheet or "",
        f.cell or "",
        field_label(f.field) if f.field else "",
        f.value or "",
        f.message,
        f.code,
    ]
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col)
        _text(cell, value)
        cell.font = Font(name=FONT, size=10, bold=col == 2 and f.is_error)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if copied and f.sheet and f.cell:
        link = ws.cell(row, 4)
        link.hyperlink = Hyperlink(
            ref=link.coordinate, location=f"'{f.sheet}'!{f.cell}", display=f.cell
        )
        link.font = Font(name=FONT, size=10, color="0563C1", underline="single")
    ws.row_dimensions[row].height = 15 * max(1, len(f.message) // 45 + 1)


def _text(cell: Cell, value: object) -> None:
    """Store strings as text: a submitted 「=1+1」 must not become a formula here either."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
