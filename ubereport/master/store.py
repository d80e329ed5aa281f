"""Read and write the master workbook: the store of record.

Reading goes through the same raw XML reader as the cards (no openpyxl: fast, and it never
evaluates anything). Writing goes through xlsxwriter into a temporary file that replaces the
master in one step, after the previous version was copied to the backup folder.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter

from ubereport.card.reader import cell_text
from ubereport.card.xlsx_source import CellValue, SourceError, XlsxSource
from ubereport.errors import MasterUnwritable
from ubereport.files.access import open_problem
from ubereport.files.atomic import ensure_closed, write_atomically
from ubereport.japanese.values import ValueKind, parse_value
from ubereport.master.cache import (
    FULL_EVERY,
    Base,
    CacheBroken,
    Segment,
    content_sha256,
    dumps,
    load_base,
    save_base,
)
from ubereport.master.digest import Digest, Group
from ubereport.master.fill import NotOurs, TableRows, Written, fill, refill, stored_text
from ubereport.master.gcpause import gc_paused
from ubereport.master.schema import BY_NAME, SCHEMA_VERSION, SUBMISSIONS, TABLES, Kind, Table
from ubereport.plan.registry import Registry

Record = dict[str, Any]
README_SHEET = "説明"
FONT = "BIZ UDPゴシック"
VALUE_PREFIXES = ("baseline", "target", "actual")


@dataclass(slots=True)
class MasterData:
    """The master's tables. ``rows(name)`` is one table's rows (built on first use when the
    data came from the cache); ``append`` and ``count`` work on a table without building it
    (an incremental run only appends to 提出, 指摘 and 変更履歴, whose rows then stay lists of
    values: a third of a row object's memory); ``tables`` builds them all."""

    built: dict[str, list[Record]] = field(default_factory=lambda: {t.name: [] for t in TABLES})
    _hashes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _hashed: int = field(default=0, repr=False, compare=False)
    # The master file these tables came from, when read or written with ``cached=True``.
    base: Base | None = field(default=None, repr=False, compare=False)
    # Rows appended to tables not built yet (they follow the base's rows), as lists of values
    # in column order.
    added: dict[str, list[list[Any]]] = field(default_factory=dict, repr=False, compare=False)
    # The file ``base`` describes (a cached table that turns out unreadable is read from it).
    origin: Path | None = field(default=None, repr=False, compare=False)
    # The content hashes of the 提出 rows appended since the data was read.
    appended_hashes: set[str] = field(default_factory=set, repr=False, compare=False)
    # While a batch is merged: the tables' key indexes, kept up to date by the merge
    # (``ubereport.master.merge.merging``); None otherwise.
    merging: dict[str, dict[tuple[str, ...], Record]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def tables(self) -> dict[str, list[Record]]:
        """Every table by name (builds those not built yet)."""
        for table in TABLES:
            self.rows(table.name)
        return self.built

    def rows(self, name: str) -> list[Record]:
        rows = self.built.get(name)
        if rows is None:
            rows = self.built[name] = self._build(BY_NAME[name])
        return rows

    def is_built(self, name: str) -> bool:
        return name in self.built

    def append(self, name: str, *records: Record) -> None:
        """Add rows at the end of a table, built or not."""
        if name == "submissions":
            self.appended_hashes.update(r["sha256"] for r in records if r.get("sha256"))
        rows = self.built.get(name)
        if rows is not None:
            rows.extend(records)
            return
        keys = BY_NAME[name].keys
        self.added.setdefault(name, []).extend([list(map(r.get, keys)) for r in records])

    def count(self, name: str) -> int:
        rows = self.built.get(name)
        if rows is not None:
            return len(rows)
        assert self.base is not None  # a table is only unbuilt while its base holds it
        return self.base.count(name) + len(self.added.get(name, ()))

    def replace(self, name: str, rows: list[Record]) -> None:
        self.built[name] = rows
        self.added.pop(name, None)

    def appended(self, name: str) -> list[Record]:
        """The rows appended to an unbuilt table since it was read (none for a built one)."""
        keys = BY_NAME[name].keys
        return [dict(zip(keys, r, strict=True)) for r in self.added.get(name, ())]

    def shed(self, names: Iterable[str]) -> None:
        """Let go of these tables' rows once the master is written: the reports do not need
        them, and a later use reads them from the master file again. (Data not tied to a
        file by its cache keeps them: there is nothing to read them from.)"""
        if self.base is None or self.origin is None or self.added:
            return
        for name in names:
            self.built.pop(name, None)
            self.base.segments[name] = Segment(self.base.count(name))

    def _build(self, table: Table) -> list[Record]:
        assert self.base is not None
        try:
            lists = self.base.rows(table.name)
        except CacheBroken:
            lists = self._read_again(table)
        keys = table.keys
        rows = [dict(zip(keys, r, strict=True)) for r in lists]
        rows += self.appended(table.name)
        self.added.pop(table.name, None)
        return rows

    def _read_again(self, table: Table) -> list[list[Any]]:
        """A cached table that does not parse: the table as the master file holds it (the
        file the cache was made for, checked by its hash)."""
        assert self.base is not None and self.origin is not None
        try:
            content = self.origin.read_bytes()
        except OSError as exc:
            raise _unreadable(
                self.origin, SourceError("file-unreadable", open_problem(exc))
            ) from exc
        if content_sha256(content) != self.base.sha256:
            raise MasterUnwritable(
                f"台帳「{self.origin}」が読み込んだ後に書き換えられました。"
                "台帳は元のままです。もう一度実行してください。"
            )
        try:
            source = XlsxSource(BytesIO(content))
        except SourceError as exc:
            raise _unreadable(self.origin, exc) from exc
        try:
            records = _read_table(source, table) if table.sheet in source.sheet_names else []
        except SourceError as exc:
            raise _unreadable(self.origin, exc) from exc
        finally:
            source.close()
        lists = [list(map(r.get, table.keys)) for r in records]
        self.base.segments[table.name] = Segment.of(lists)
        return lists

    def index(self, table: Table) -> dict[tuple[str, ...], Record]:
        return {key_of(table, r): r for r in self.rows(table.name)}

    def knows(self, sha256: str) -> bool:
        """Whether a submission with this content is recorded (the 提出 table only grows).

        While 提出 is not built, the hash is looked for in the cache's text of it first: a file
        the master has never seen (nearly every file) is known to be new without building it."""
        return self._recorded_text("sha256", sha256) and sha256 in self._noted()

    def has_submission(self, submission_id: str) -> bool:
        if not self._recorded_text("submission_id", submission_id):
            return False
        return any(r.get("submission_id") == submission_id for r in self.rows("submissions"))

    def recorded(self) -> Recorded:
        """The recorded content hashes, each with when and under which name it came."""
        return Recorded(self)

    def merged_hashes(self) -> dict[str, str]:
        """Each recorded content hash with when and under which name it was received."""
        return dict(self._noted())

    def all_hashes(self, before: set[str] | None = None) -> set[str]:
        """Every recorded content hash; ``before`` is every hash of the master as it was read
        (when known, 提出 need not be built: the hashes appended since are added to it)."""
        if before is not None and not self.is_built("submissions"):
            return before | self.appended_hashes
        if not self.is_built("submissions") and self.base is not None:
            lists = self.base.segments["submissions"].parsed
            if lists is not None:  # as written or read: no need to build the rows
                at = SUBMISSIONS.keys.index("sha256")
                added = self.added.get("submissions", [])
                return {r[at] for r in lists if r[at]} | {r[at] for r in added if r[at]}
        return set(self._noted())

    def submission_groups(self) -> dict[tuple[Any, Any], Group]:
        """The 提出 rows per plan and year as the cells spell them (see :mod:`digest`)."""
        if self.is_built("submissions") or self.base is None:
            return Digest.of(self.rows("submissions")).groups
        digest = Digest.from_json(self.base.digest, SUBMISSIONS.keys)
        if digest is None:
            return Digest.of(self.rows("submissions")).groups
        digest.extend(self.appended("submissions"))
        return digest.groups

    def _recorded_text(self, column: str, value: str) -> bool:
        """False only when ``value`` is certainly not in that 提出 column (it may be when True)."""
        if self.is_built("submissions") or self.base is None:
            return True
        at = SUBMISSIONS.keys.index(column)
        if any(r[at] == value for r in self.added.get("submissions", ())):
            return True
        segment = self.base.segments["submissions"]
        if segment.parsed is not None:
            return any(r[at] == value for r in segment.parsed)
        if segment.text is not None:
            return segment.contains(dumps(value))
        return True  # let go of (see shed): only the master file can say

    def _noted(self) -> dict[str, str]:
        rows = self.rows("submissions")
        if len(rows) < self._hashed:  # the table was replaced: index it again
            self._hashes, self._hashed = {}, 0
        notes = self._hashes
        for r in rows[self._hashed :] if self._hashed else rows:
            if r.get("sha256"):
                notes[r["sha256"]] = f"{r['received_at']} {r['file_name']}"
        self._hashed = len(rows)
        return notes


class Recorded(Mapping[str, str]):
    """The master's recorded content hashes as a mapping to their notes: ``in`` and ``[]``
    look a hash up without building 提出 when it is not there; iterating builds it."""

    def __init__(self, data: MasterData) -> None:
        self.data = data

    def __contains__(self, sha256: object) -> bool:
        return isinstance(sha256, str) and self.data.knows(sha256)

    def __getitem__(self, sha256: str) -> str:
        if sha256 not in self:
            raise KeyError(sha256)
        return self.data._noted()[sha256]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data.merged_hashes())

    def __len__(self) -> int:
        return len(self.data.merged_hashes())


def key_of(table: Table, record: Record) -> tuple[str, ...]:
    return tuple(str(record.get(k) if record.get(k) is not None else "") for k in table.key)


def new_master(registry: Registry) -> MasterData:
    data = MasterData()
    for plan in registry.plans:
        data.built["plans"].append(
            {
                "plan_no": plan.plan_no,
                "plan_name": plan.plan_name,
                "policy": plan.policy,
                "strategy": plan.strategy,
                "level_3": plan.level_3 or None,
                "lead_division": plan.lead_division,
            }
        )
    return data


def read_master(path: Path, *, cached: bool = False) -> MasterData:
    """The master's tables. With ``cached``, from the cache beside it when that was made from
    exactly this file's content (else the file is read and the cache made again); the data then
    remembers the file, so :func:`write_master` can extend the package instead of rebuilding it.
    """
    content: bytes | None = None
    if cached:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise _unreadable(path, SourceError("file-unreadable", open_problem(exc))) from exc
        sha = content_sha256(content)
        base = load_base(path, sha)
        if base is not None:
            return MasterData({}, base=base, origin=path)
    try:
        source = XlsxSource(path if content is None else BytesIO(content))
    except SourceError as exc:
        raise _unreadable(path, exc) from exc
    try:
        data = MasterData()
        with gc_paused():
            for table in TABLES:
                if table.sheet in source.sheet_names:
                    data.built[table.name] = _read_table(source, table)
    except SourceError as exc:
        raise _unreadable(path, exc) from exc
    finally:
        source.close()
    if content is not None:
        tables = {t.name: _lists(t, data.built[t.name]) for t in TABLES}
        data.base = Base.of(content_sha256(content), tables)
        data.base.digest = Digest.of(data.built[SUBMISSIONS.name]).as_json(SUBMISSIONS.keys)
        data.origin = path
        for table in TABLES:  # kept as the base's lists until something needs them as rows
            if table.append_only:
                del data.built[table.name]
        save_base(path, data.base)
    return data


def _lists(table: Table, rows: list[Record]) -> list[list[Any]]:
    keys = table.keys
    return [list(map(r.get, keys)) for r in rows]


def as_read(table: Table, rows: list[list[Any]]) -> list[list[Any]]:
    """``rows`` as :func:`read_master` will return them once written (a row that reads back
    as it is, value and type, is kept itself rather than copied)."""
    out = []
    kinds = [c.kind for c in table.columns]
    for row in rows:
        values = [_as_read_value(v, kind) for v, kind in zip(row, kinds, strict=True)]
        if values == row and all(type(a) is type(b) for a, b in zip(values, row, strict=True)):
            values = row
        if any(v not in (None, "") for v in values):
            out.append(values)
    return out


def _as_read_value(value: Any, kind: Kind) -> Any:
    """One value as it comes back from the cell the writer makes of it (see fill)."""
    if value is None or value == "":
        return None
    if (
        kind is not Kind.TEXT
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    ):
        return _typed(CellValue(float(f"{value:.16G}")), kind)
    return _typed(CellValue(stored_text(str(value))), kind)


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
        for record in data.rows(name):
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
            data.rows(table.name).sort(key=lambda r, t=table: _sort_key(t, r))


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
    """Replace the master atomically, keeping the previous ``backups`` versions.

    Data read with ``cached=True`` from a master ubereport wrote, and written back while that
    file is still there unchanged, keeps the XML of every sheet whose rows are unchanged or only
    added to (提出, 指摘, 変更履歴 in a normal run) and appends the new rows; every other sheet is
    written again. The cache is then made for the new file.
    """
    with gc_paused():
        recompute(data)
        sort_rows(data)
        ensure_closed(path, held_wait)
        base = data.base
        parts = _parts(data, base)
        previous = _previous(path, base)
        if path.exists() and backups > 0:
            backup_master(path, backup_dir, keep=backups)
        written: list[tuple[bytes, Written, bool]] = []  # the file's bytes, layout, appended

        def produce(tmp: Path) -> None:
            layout, extended = _write_book(tmp, data, parts, previous)
            written.append((tmp.read_bytes(), layout, extended))

        write_atomically(path, produce, held_wait=held_wait)
        if base is None or not written:
            return
        content, layout, extended = written[-1]
        segments, tails = {}, {}
        for table in TABLES:
            part = parts[table.name]
            tails[table.name] = tail = as_read(table, part.tail)
            if part.kept:
                segments[table.name] = base.segments[table.name].extended(tail)
            else:
                segments[table.name] = Segment.of(tail)
        keys = SUBMISSIONS.keys
        digest = Digest.from_json(base.digest, keys) if parts[SUBMISSIONS.name].kept else None
        if digest is None:
            digest = Digest.of(
                dict(zip(keys, r, strict=True)) for r in segments[SUBMISSIONS.name].rows(len(keys))
            )
        else:
            digest.extend(dict(zip(keys, r, strict=True)) for r in tails[SUBMISSIONS.name])
        data.base = Base(
            content_sha256(content),
            segments,
            ours=True,
            appended=base.appended + 1 if extended else 0,
            package=layout.as_json(),
            digest=digest.as_json(keys),
        )
        data.added.clear()  # the rows appended to unbuilt tables are the base's now
        save_base(path, data.base)


@dataclass(slots=True)
class _Part:
    """One table to write: its first ``kept`` rows are the base's rows as they are (the table
    only grew since it was read), ``tail`` the rows after them as lists (every row when
    ``kept`` is 0). ``whole()`` is every row."""

    kept: int
    tail: list[list[Any]]
    base: Base | None
    name: str

    def whole(self) -> list[list[Any]]:
        if not self.kept:
            return self.tail
        assert self.base is not None
        return self.base.rows(self.name) + self.tail


def _parts(data: MasterData, base: Base | None) -> dict[str, _Part]:
    out = {}
    for table in TABLES:
        name = table.name
        if not data.is_built(name):  # only appended to since it was read
            assert base is not None
            out[name] = _Part(base.count(name), data.added.get(name, []), base, name)
            continue
        rows = _lists(table, data.built[name])
        kept = 0
        if base is not None:
            try:
                old = base.rows(name)
            except CacheBroken:
                old = []
            if old and len(old) <= len(rows) and rows[: len(old)] == old:
                kept = len(old)
        out[name] = _Part(kept, rows[kept:], base, name)
    return out


def _previous(path: Path, base: Base | None) -> tuple[bytes, Written] | None:
    """The master file as ubereport last wrote it and where its data lies, when ``base``
    describes it (else None)."""
    if base is None or not base.ours or base.appended >= FULL_EVERY:
        return None
    layout = Written.from_json(base.package)
    if layout is None:
        return None
    try:
        content = path.read_bytes()
    except OSError:
        return None
    return (content, layout) if content_sha256(content) == base.sha256 else None


def backup_master(path: Path, folder: Path | None = None, *, keep: int = 10) -> Path:
    """Copy the master into ``folder`` atomically and check the copy before anything else.

    The copy must hold exactly the master's bytes (its SHA-256 read back from the disk); a copy
    that does not (disk full half-way, a share that lost bytes) is removed and the run stops
    before the master is touched. (Counting the 提出 rows of both files instead took seconds at
    20,000 submissions.)
    """
    folder = folder or path.parent / "backup"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}_{stamp}{path.suffix}"
    try:
        expected = content_sha256(path.read_bytes())
        write_atomically(target, lambda tmp: shutil.copyfile(path, tmp))
        if content_sha256(target.read_bytes()) != expected:
            raise SourceError("file-corrupt", "コピーの内容が台帳と一致しません")
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


def _write_book(
    tmp: Path,
    data: MasterData,
    parts: dict[str, _Part],
    previous: tuple[bytes, Written] | None = None,
) -> tuple[Written, bool]:
    """xlsxwriter lays out the book with each table's header row; fill adds the data rows (or
    refill keeps the previous file's rows of the sheets that only grew and adds the new ones).
    Returns where the data lies in the file and whether the previous file's rows were kept."""
    skeleton = BytesIO()
    book = xlsxwriter.Workbook(skeleton, {"in_memory": True, **BOOK_OPTIONS})
    laid = lay_out(book, data)[1]
    book.close()

    def rows_of(table: Table, numeric: list[bool], rows: list[list[Any]]) -> TableRows:
        headers = [c.header for c in table.columns]
        return TableRows(table.sheet, headers, numeric, rows, [c.width for c in table.columns])

    if previous is not None:
        kept = {t.sheet: parts[t.name].kept for t, *_ in laid if parts[t.name].kept}
        tables = [
            rows_of(t, numeric, parts[t.name].tail if kept.get(t.sheet) else parts[t.name].whole())
            for t, _, numeric in laid
        ]
        try:
            return refill(skeleton.getvalue(), tables, tmp, *previous, kept), True
        except NotOurs:
            pass  # the previous package is not laid out as this version writes it: rebuild
    tables = [rows_of(t, numeric, parts[t.name].whole()) for t, _, numeric in laid]
    return fill(skeleton.getvalue(), tables, tmp), False


BOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


@dataclass(frozen=True, slots=True)
class Formats:
    head: Any
    body: Any
    number: Any


def lay_out(book: Any, data: MasterData) -> tuple[Formats, list[tuple[Table, Any, list[bool]]]]:
    """Everything but the data rows: 説明, then per table its header, columns, panes, filter
    and print setup (A3 landscape at 100 %, header row on every page, page numbers).
    Returns the formats and per table (table, worksheet, numeric columns)."""
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
        rows = data.count(table.name)
        numeric = [c.kind is not Kind.TEXT for c in table.columns]
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, column.header, fmt.head)
            sheet.set_column(col, col, column.width, fmt.number if numeric[col] else fmt.body)
        sheet.freeze_panes(1, len(table.key))
        sheet.autofilter(0, 0, max(rows, 1), len(table.columns) - 1)
        sheet.set_row(0, 30)
        _print_setup(sheet, len(table.key))
        sheet.repeat_rows(0)
        if table.hidden:
            sheet.hide()
        out.append((table, sheet, numeric))
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
