"""Read and write the master workbook: the store of record.

Reading goes through the same raw XML reader as the cards (no openpyxl: fast, and it never
evaluates anything). Writing goes through xlsxwriter into a temporary file that replaces the
master in one step, after the previous version was copied to the backup folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter

from ubereport.card.reader import cell_text
from ubereport.card.xlsx_source import SourceError, XlsxSource
from ubereport.errors import MasterUnwritable
from ubereport.files.atomic import ensure_closed, write_atomically
from ubereport.japanese.values import ValueKind, parse_value
from ubereport.master.fill import TableRows, fill
from ubereport.master.gcpause import gc_paused
from ubereport.master.schema import SCHEMA_VERSION, SUBMISSIONS, TABLES, Kind, Table
from ubereport.plan.registry import Registry

Record = dict[str, Any]
README_SHEET = "説明"
FONT = "BIZ UDPゴシック"
VALUE_PREFIXES = ("baseline", "target", "actual")


@dataclass(slots=True)
class MasterData:
    tables: dict[str, list[Record]] = field(default_factory=lambda: {t.name: [] for t in TABLES})
    _hashes: set[str] = field(default_factory=set, repr=False, compare=False)
    _hashed: int = field(default=0, repr=False, compare=False)

    def rows(self, name: str) -> list[Record]:
        return self.tables[name]

    def index(self, table: Table) -> dict[tuple[str, ...], Record]:
        return {key_of(table, r): r for r in self.tables[table.name]}

    def knows(self, sha256: str) -> bool:
        """Whether a submission with this content is recorded (the 提出 table only grows)."""
        rows = self.tables["submissions"]
        if len(rows) < self._hashed:  # the table was replaced: index it again
            self._hashes, self._hashed = set(), 0
        for row in rows[self._hashed :]:
            if row.get("sha256"):
                self._hashes.add(row["sha256"])
        self._hashed = len(rows)
        return sha256 in self._hashes

    def merged_hashes(self) -> dict[str, str]:
        return {
            r["sha256"]: f"{r['received_at']} {r['file_name']}"
            for r in self.tables["submissions"]
            if r.get("sha256")
        }


def key_of(table: Table, record: Record) -> tuple[str, ...]:
    return tuple(str(record.get(k) if record.get(k) is not None else "") for k in table.key)


def new_master(registry: Registry) -> MasterData:
    data = MasterData()
    for plan in registry.plans:
        data.tables["plans"].append(
            {
                "plan_no": plan.plan_no,
                "plan_name": plan.plan_name,
                "policy": plan.policy,
                "strategy": plan.strategy,
                "lead_division": plan.lead_division,
            }
        )
    return data


def read_master(path: Path) -> MasterData:
    try:
        source = XlsxSource(path)
    except SourceError as exc:
        raise _unreadable(path, exc) from exc
    try:
        data = MasterData()
        with gc_paused():
            for table in TABLES:
                if table.sheet in source.sheet_names:
                    data.tables[table.name] = _read_table(source, table)
        return data
    except SourceError as exc:
        raise _unreadable(path, exc) from exc
    finally:
        source.close()


def _unreadable(path: Path, exc: SourceError) -> MasterUnwritable:
    return MasterUnwritable(
        f"台帳「{path}」を読めません（{exc.detail}）。バックアップから戻してください。"
    )


def _read_table(source: XlsxSource, table: Table) -> list[Record]:
    by_header = {c.header: c for c in table.columns}
    grid = source.rows(table.sheet)
    columns = {
        col: by_header[cell_text(cell)]
        for col, cell in grid.get(1, {}).items()
        if cell_text(cell) in by_header
    }
    blank: Record = dict.fromkeys(table.keys)
    records = []
    for row in sorted(r for r in grid if r > 1):
        cells = grid[row]
        record = blank.copy()
        for col, column in columns.items():
            cell = cells.get(col)
            if cell is not None:
                record[column.key] = _typed(cell, column.kind)
        if any(v not in (None, "") for v in record.values()):
            records.append(record)
    return records


def _typed(cell: Any, kind: Kind) -> Any:
    if cell is None or cell.value is None:
        return None
    if kind is Kind.TEXT:
        if isinstance(cell.value, float):  # as Excel shows it: 0.855 formatted 0.0% is 85.5%
            shown = parse_value(cell.value, number_format=cell.number_format)
            if shown.kind is ValueKind.NUMBER:
                return shown.text
        return cell_text(cell)
    value = cell.value
    if isinstance(value, str):
        parsed = parse_value(value)
        value = parsed.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if kind is Kind.INT else float(value)


def recompute(data: MasterData) -> None:
    """Derive every 数値/単位/比較 column from its 原文 column (the 原文 is the truth)."""
    for name in ("kpis", "kpi_values"):
        for record in data.tables[name]:
            for prefix in VALUE_PREFIXES:
                if f"{prefix}_text" not in record:
                    continue
                parsed = parse_value(record.get(f"{prefix}_text") or "")
                record[f"{prefix}_value"] = parsed.value
                record[f"{prefix}_unit"] = parsed.unit
                record[f"{prefix}_comparator"] = (
                    str(parsed.comparator) if parsed.comparator else None
                )


def sort_rows(data: MasterData) -> None:
    for table in TABLES:
        if not table.append_only:
            data.tables[table.name].sort(key=lambda r, t=table: _sort_key(t, r))


def _sort_key(table: Table, record: Record) -> tuple[Any, ...]:
    out: list[Any] = []
    for k in table.key:
        v = record.get(k)
        out.append((0, v, "") if isinstance(v, int | float) else (1, 0, str(v or "")))
    return tuple(out)


def write_master(
    path: Path,
    data: MasterData,
    *,
    backups: int = 10,
    backup_dir: Path | None = None,
    held_wait: float = 0.0,
) -> None:
    """Replace the master atomically, keeping the previous ``backups`` versions."""
    with gc_paused():
        recompute(data)
        sort_rows(data)
        ensure_closed(path, held_wait)
        if path.exists() and backups > 0:
            backup_master(path, backup_dir, keep=backups)
        write_atomically(path, lambda tmp: _write_book(tmp, data), held_wait=held_wait)


def backup_master(path: Path, folder: Path | None = None, *, keep: int = 10) -> Path:
    """Copy the master into ``folder`` atomically and check the copy before anything else.

    The copy must open and hold as many 提出 rows as the master it copies; a copy that does not
    (disk full half-way, a share that lost bytes) is removed and the run stops before the master
    is touched.
    """
    folder = folder or path.parent / "backup"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}_{stamp}{path.suffix}"
    try:
        expected = submission_count(path)
        write_atomically(target, lambda tmp: shutil.copyfile(path, tmp))
        if submission_count(target) != expected:
            raise SourceError("file-corrupt", "提出の行数が台帳と一致しません")
    except (SourceError, MasterUnwritable, OSError) as exc:
        target.unlink(missing_ok=True)
        reason = exc.detail if isinstance(exc, SourceError) else getattr(exc, "message", str(exc))
        raise MasterUnwritable(
            f"台帳のバックアップを作れなかったため、台帳は更新していません（{reason}）。"
            f"フォルダ「{folder}」の空き容量と書き込み権限を確認してから再実行してください。"
        ) from exc
    olds = sorted(folder.glob(f"{path.stem}_*{path.suffix}"))
    for old in olds[: max(0, len(olds) - keep)]:
        old.unlink(missing_ok=True)
    return target


def submission_count(path: Path) -> int:
    """The number of 提出 rows a master file holds (it must open to be counted)."""
    source = XlsxSource(path)
    try:
        if SUBMISSIONS.sheet not in source.sheet_names:
            return 0
        return sum(1 for row in source.rows(SUBMISSIONS.sheet) if row > 1)
    finally:
        source.close()


def list_backups(master: Path) -> list[Path]:
    """The master's backups, oldest first."""
    folder = master.parent / "backup"
    return sorted(folder.glob(f"{master.stem}_*{master.suffix}")) if folder.is_dir() else []


def _write_book(tmp: Path, data: MasterData) -> None:
    """xlsxwriter lays out the book with each table's header row; fill adds the data rows."""
    skeleton = BytesIO()
    book = xlsxwriter.Workbook(skeleton, {"in_memory": True, **BOOK_OPTIONS})
    tables = [
        TableRows(
            table.sheet,
            [c.header for c in table.columns],
            numeric,
            [[r.get(k) for k in table.keys] for r in rows],
            [c.width for c in table.columns],
        )
        for table, _, numeric, rows in lay_out(book, data)[1]
    ]
    book.close()
    fill(skeleton.getvalue(), tables, tmp)


BOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


@dataclass(frozen=True, slots=True)
class Formats:
    head: Any
    body: Any
    number: Any


def lay_out(
    book: Any, data: MasterData
) -> tuple[Formats, list[tuple[Table, Any, list[bool], list[Record]]]]:
    """Everything but the data rows: 説明, then per table its header, columns, panes, filter
    and print setup (A3 landscape at 100 %, header row on every page, page numbers).
    Returns the formats and per table (table, worksheet, numeric columns, rows)."""
    fmt = Formats(
        book.add_format(
            {
                "font_name": FONT,
                "bold": True,
                "bg_color": "#D6DCE4",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        # wrapped, so a multi-line narrative grows its row instead of printing over the next rows
        book.add_format({"font_name": FONT, "valign": "top", "text_wrap": True}),
        book.add_format({"font_name": FONT, "valign": "top", "num_format": "#,##0.##########"}),
    )
    _readme(book, fmt.head, fmt.body)
    out = []
    for table in TABLES:
        sheet = book.add_worksheet(table.sheet)
        rows = data.tables[table.name]
        numeric = [c.kind is not Kind.TEXT for c in table.columns]
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, column.header, fmt.head)
            sheet.set_column(col, col, column.width, fmt.number if numeric[col] else fmt.body)
        sheet.freeze_panes(1, len(table.key))
        sheet.autofilter(0, 0, max(len(rows), 1), len(table.columns) - 1)
        sheet.set_row(0, 30)
        _print_setup(sheet, len(table.key))
        sheet.repeat_rows(0)
        if table.hidden:
            sheet.hide()
        out.append((table, sheet, numeric, rows))
    return fmt, out


def _print_setup(sheet: Any, key_columns: int) -> None:
    """A3 landscape at 100 % (11 pt on paper, never shrunk to fit); a sheet wider than the page
    continues on a page to the right with its key columns repeated."""
    sheet.set_paper(8)  # A3
    sheet.set_landscape()
    sheet.set_print_scale(100)
    sheet.repeat_columns(0, key_columns - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header("&Lアクションプラン台帳　&A")
    sheet.set_footer("&C&P / &N")


README_LINES = [
    ("アクションプラン台帳", ""),
    ("台帳の版", SCHEMA_VERSION),
    ("", ""),
    ("この台帳は ubereport が管理する、アクションプランの全年度・全提出の記録です。", ""),
    (
        "手で直す場合",
        "「原文」列を直してください。数値・単位・比較の列は保存のたびに原文から計算し直します。",
    ),
    (
        "",
        "手で直した値は、その項目を新しい提出が変えない限り残り、変えた場合は変更履歴に記録されます。",
    ),
    (
        "してはいけないこと",
        "シート名・見出し行の変更、「_提出値」シートの編集。行の並べ替え・絞り込みは自由です。",
    ),
    ("計画", "計画ごとの基本情報（最新の提出）"),
    ("指標", "計画ごとの目標指標と基準値"),
    ("指標値", "指標・年度ごとの目標と実績（原文・数値・単位・比較）と所管課評価"),
    ("取組", "報告年度ごとの実施内容（インプット・アウトプット・実績）"),
    ("報告", "報告年度ごとの取組実績・未達成の理由・次年度の取組"),
    ("提出", "受け付けたすべてのファイル（受理・要修正・処理済み）"),
    ("指摘", "提出ごとの確認結果（エラー・警告）"),
    ("変更履歴", "台帳の値が変わるたびに、変更前・変更後・提出IDを記録"),
]


def _readme(book: Any, head: Any, body: Any) -> None:
    sheet = book.add_worksheet(README_SHEET)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 100)
    _print_setup(sheet, 1)
    for r, (a, b) in enumerate(README_LINES):
        sheet.write_string(r, 0, a, head if r == 0 else body)
        if b:
            sheet.write_string(r, 1, b, body)
