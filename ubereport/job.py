"""The unattended job on the shared drive: ``ubereport run``.

Order matters for crash safety: read and validate, merge, save the master, render the reports,
write feedback — and only then move the originals out of ``inbox/``. A run killed anywhere leaves
each file either still in the inbox (and the next run sees its content is already in the master
and just files it away) or moved after everything it fed was saved.

The idle path (nothing new) imports neither openpyxl nor pandas and writes no file.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ubereport.config import Settings
from ubereport.errors import CannotRun
from ubereport.inbox import content_hash, is_excel_name, is_ignored

STATE_NAME = ".ubereport_state.json"


@dataclass(slots=True)
class FileOutcome:
    name: str
    state: str
    detail: str = ""
    moved_to: str = ""


@dataclass(slots=True)
class RunSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    idle: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if any(o.state == "要修正" for o in self.outcomes) else 0

    def text(self) -> str:
        if self.idle:
            return "新しい提出はありません。"
        lines = [f"※ {w}" for w in self.warnings]
        for o in self.outcomes:
            extra = f"（{o.detail}）" if o.detail else ""
            moved = f" → {o.moved_to}" if o.moved_to else ""
            lines.append(f"{o.state}  {o.name}{extra}{moved}")
        counts = {
            s: sum(o.state == s for o in self.outcomes)
            for s in ("受理", "要修正", "処理済み", "不採用", "待機", "対象外")
        }
        lines.append("合計: " + "・".join(f"{k} {v} 件" for k, v in counts.items() if v))
        if self.reports:
            lines.append(f"帳票 {len(self.reports)} 件を更新しました。")
        return "\n".join(lines)


@dataclass(slots=True)
class _Scan:
    ready: list[Path] = field(default_factory=list)
    waiting: list[tuple[Path, str]] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)


def scan_inbox(inbox: Path, settle_seconds: float, now: float | None = None) -> _Scan:
    """Sort the inbox: ready submissions, files to wait for, non-Excel files; clutter skipped."""
    now = time.time() if now is None else now
    scan = _Scan()
    for path in sorted(p for p in inbox.iterdir() if p.is_file()):
        if is_ignored(path):
            continue
        if not is_excel_name(path):
            scan.others.append(path)
            continue
        reason = _busy(path, settle_seconds, now)
        if reason:
            scan.waiting.append((path, reason))
        else:
            scan.ready.append(path)
    return scan


def _busy(path: Path, settle_seconds: float, now: float) -> str:
    try:
        if now - path.stat().st_mtime < settle_seconds:
            return "コピー中の可能性があるため次回に処理します"
        with path.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        return "ほかのプログラムが開いているため次回に処理します"
    except OSError as exc:
        return f"開けないため次回に処理します（{exc.strerror or exc}）"
    return ""


def _state_path(settings: Settings) -> Path:
    return settings.path("master").with_name(STATE_NAME)


def _known_hashes(settings: Settings) -> set[str]:
    """Hashes the master already holds, from a cache valid only for the master as it is now."""
    master = settings.path("master")
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
        stat = master.stat()
    except (OSError, ValueError):
        return set()
    if state.get("master") != [stat.st_size, stat.st_mtime_ns]:
        return set()
    return set(state.get("hashes", []))


def save_state(settings: Settings, hashes: set[str]) -> None:
    """Cache the master's content hashes, tied to the master file's size and mtime."""
    master = settings.path("master")
    stat = master.stat()
    payload = {"master": [stat.st_size, stat.st_mtime_ns], "hashes": sorted(hashes)}
    _state_path(settings).write_text(json.dumps(payload), encoding="utf-8")


def run_job(settings: Settings) -> RunSummary:
    inbox = settings.path("inbox")
    if not inbox.is_dir():
        raise CannotRun(
            f"受付フォルダ「{inbox}」がありません。「ubereport init --root」で作成してください。"
        )
    scan = scan_inbox(inbox, settings.settle_seconds)
    summary = RunSummary()
    summary.outcomes += [FileOutcome(p.name, "待機", why) for p, why in scan.waiting]
    hashes = {p: content_hash(p) for p in scan.ready}
    known = _known_hashes(settings)
    if not scan.ready or (not settings.move_processed and set(hashes.values()) <= known):
        summary.idle = not scan.waiting
        return summary
    from ubereport.pipeline import process_batch

    process_batch(settings, scan.ready, summary)
    summary.outcomes += [
        FileOutcome(p.name, "対象外", "Excelファイルではありません") for p in scan.others
    ]
    return summary


def unique_destination(folder: Path, name: str, stamp: str) -> Path:
    """``folder/name`` with the time stamp before the suffix; never an existing file."""
    stem, suffix = os.path.splitext(name)
    candidate = folder / f"{stem}_{stamp}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}_{stamp}-{n}{suffix}"
        n += 1
    return candidate


def move_original(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dest))


def stamp_now() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
