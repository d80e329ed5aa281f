"""The working part of a run: validate, merge, save, render, feed back, then file the originals."""

from __future__ import annotations

import time
from pathlib import Path

from ubereport.errors import ConfigError
from ubereport.japanese.fiscal import format_fy
from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.job.config import Settings
from ubereport.job.filing import move_original, stamp_now, unique_destination
from ubereport.job.outcome import FileOutcome, RunSummary
from ubereport.job.state import save_state
from ubereport.master import init_master, now_text
from ubereport.master.lock import master_lock
from ubereport.master.merge import merge_submission, registered_targets
from ubereport.master.store import MasterData, read_master, write_master
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry, default_registry
from ubereport.validate.batch import Decision, Submission, decide
from ubereport.validate.feedback import write_feedback
from ubereport.validate.parallel import submit_all


def process_batch(settings: Settings, paths: list[Path], summary: RunSummary) -> None:
    registry = default_registry()
    master = settings.path("master")
    if not master.exists():
        init_master(master, registry)
    bands = Bands(settings.achieved, settings.mostly)
    with master_lock(master, wait=settings.lock_wait_seconds) as warnings:
        summary.warnings += warnings
        sweep_temp_files([settings.path("outbox"), settings.path("rejected"), master.parent])
        data = read_master(master)
        targets = registered_targets(data)
        subs = submit_all(
            paths, registry, registered_targets=targets, bands=bands, workers=settings.workers
        )
        decide(subs, data.merged_hashes())
        earlier = {r["sha256"]: r.get("decision") for r in data.rows("submissions")}
        for sub in subs:
            if sub.decision is Decision.ALREADY_PROCESSED and earlier.get(sub.sha256) == "要修正":
                sub.decision = Decision.REJECTED  # a rejected file left behind by a killed run
        stamp = stamp_now()
        moves = _destinations(settings, subs, stamp)
        now = now_text()
        results = [merge_submission(data, s, now, _rel(settings, moves.get(s.path))) for s in subs]
        if any(r.decision is not Decision.ALREADY_PROCESSED for r in results):
            write_master(master, data, backups=settings.backups)
        save_state(settings, set(data.merged_hashes()))
        summary.reports += _render(settings, master, data, registry)
        _feedback(settings, subs, moves)
        moved: set[Path] = set()
        for sub, result in zip(subs, results, strict=True):
            decision = sub.decision if sub.decision is Decision.REJECTED else result.decision
            dest = moves.get(sub.path)
            summary.outcomes.append(
                _file(settings, sub, decision, dest, move=sub.path not in moved)
            )
            moved.add(sub.path)


def sweep_temp_files(folders: list[Path], older_than: float = 600.0) -> None:
    """Remove temporary files a killed run left behind (never a half-written target)."""
    cutoff = time.time() - older_than
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            continue
        for tmp in folder.rglob(".~ubereport-*"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                continue


def _destinations(settings: Settings, subs: list[Submission], stamp: str) -> dict[Path, Path]:
    if not settings.move_processed:
        return {}
    out: dict[Path, Path] = {}
    for path, cards in _by_file(subs).items():
        # a workbook of several cards is filed once: rejected when any of its cards is
        first = cards[0].report.card
        year = format_fy(first.fiscal_year) if first and first.fiscal_year else "年度不明"
        if any(sub.decision is Decision.REJECTED for sub in cards):
            folder = settings.path("rejected")
        else:
            folder = settings.path("archive") / year
        out[path] = unique_destination(folder, path.name, stamp)
    return out


def _by_file(subs: list[Submission]) -> dict[Path, list[Submission]]:
    """Submissions grouped by the file they came from (several for a workbook of cards)."""
    files: dict[Path, list[Submission]] = {}
    for sub in subs:
        files.setdefault(sub.path, []).append(sub)
    return files


def _rel(settings: Settings, path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(settings.root))
    except ValueError:
        return str(path)


def _render(settings: Settings, master: Path, data: MasterData, registry: Registry) -> list[Path]:
    from ubereport.report.render import render_reports
    from ubereport.report.rows import latest_reported_year

    calendar = OfficeCalendar.from_config(settings.closed_days)
    try:
        deadline = parse_deadline(settings.deadline, calendar) if settings.deadline else None
    except ValueError as exc:
        raise ConfigError(f"ubereport.toml の「deadline」（提出期限）: {exc}") from exc
    year = settings.fiscal_year or latest_reported_year(data, registry)
    return render_reports(
        master,
        settings.path("outbox"),
        year,
        registry,
        deadline=deadline,
        bands=Bands(settings.achieved, settings.mostly),
        calendar=calendar,
        data=data,
    )


def _feedback(settings: Settings, subs: list[Submission], moves: dict[Path, Path]) -> None:
    for path, cards in _by_file(subs).items():
        if not any(sub.decision is Decision.REJECTED for sub in cards):
            continue
        dest = moves.get(path)
        folder = dest.parent if dest else settings.path("outbox") / "確認結果"
        original_name = dest.name if dest else path.name
        findings = list(dict.fromkeys(f for sub in cards for f in sub.findings))
        write_feedback(path, findings, folder, name=original_name)


def _file(
    settings: Settings, sub: Submission, decision: Decision, dest: Path | None, *, move: bool = True
) -> FileOutcome:
    errors = sum(f.is_error for f in sub.findings)
    warnings = len(sub.findings) - errors
    detail = f"エラー {errors} 件・警告 {warnings} 件" if sub.findings else ""
    state = {
        Decision.ACCEPTED: "受理",
        Decision.REJECTED: "要修正",
        Decision.ALREADY_PROCESSED: "処理済み",
        Decision.SUPERSEDED: "不採用",
    }[decision]
    moved = ""
    if dest is not None and not move:
        moved = _rel(settings, dest)  # the workbook's other card: filed with the first
    elif dest is not None:
        try:
            move_original(sub.path, dest)
            moved = _rel(settings, dest)
        except OSError as exc:
            detail += f"（原本を移動できませんでした: {exc.strerror or exc}。次回に移動します）"
    return FileOutcome(sub.label, state, detail, moved)
