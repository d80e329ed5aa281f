"""The working part of a run: validate, merge, save, render, feed back, then file the originals."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import traceback
from collections import ChainMap
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path

from ubereport.errors import ConfigError, MasterLost
from ubereport.files import faults
from ubereport.files.access import open_problem
from ubereport.files.atomic import TEMP_PREFIX, ensure_closed, held_message, skipping_held_files
from ubereport.files.names import display_name
from ubereport.files.office import holder
from ubereport.japanese.fiscal import format_fy
from ubereport.japanese.office_calendar import OfficeCalendar, parse_deadline
from ubereport.job.config import Settings
from ubereport.job.filing import move_original, stamp_now, unique_destination
from ubereport.job.inbox import scan_inbox
from ubereport.job.outcome import FileOutcome, RunSummary
from ubereport.job.plans import PlanSite, plan_sites, plans_of, site_for
from ubereport.job.state import pending_reports, rendered_version, save_state, state_hashes
from ubereport.master import (
    follow_definition,
    init_master,
    merge_isolated,
    now_text,
    refuse_lost,
)
from ubereport.master.lock import master_lock
from ubereport.master.merge import registered_targets
from ubereport.master.store import MasterData, read_master, write_master
from ubereport.plan.rating import Bands
from ubereport.plan.registry import Registry
from ubereport.validate.batch import Decision, Submission, decide
from ubereport.validate.context import TargetsByPlan
from ubereport.validate.parallel import (
    FeedbackDone,
    FeedbackJob,
    FeedbackWriter,
    release_pool_helper,
    submit_all,
)


def process_batch(
    settings: Settings,
    summary: RunSummary,
    progress: Callable[[int, int], None] | None = None,
    *,
    settled: Mapping[Path, tuple[int, int]] | None = None,
    sites: list[PlanSite] | None = None,
) -> None:
    """Take the lock, look at the inbox again, and handle every file in it (one run's work).

    Whatever goes wrong with one file stays with that file: it is rejected with an
    ``internal-error`` finding, its traceback goes to the log, and the rest of the batch goes on.
    Each card goes to its own plan's master (a root may serve several plans, see
    :mod:`ubereport.job.plans`). ``progress(done, total)`` follows the reading of the files;
    ``settled`` is the first scan's ``seen`` (a file unchanged since needs no second look);
    ``sites`` the root's plans as the caller already read them (read here when not given).
    """
    sites = sites if sites is not None else plan_sites(settings)
    with ExitStack() as locks:
        for site in sites:
            master = site.master
            summary.warnings += locks.enter_context(
                master_lock(master, wait=settings.lock_wait_seconds)
            )
            if not master.exists():  # under the lock: two first runs never both create it
                refuse_lost(master)
                _refuse_without_history(site.settings, master)
                init_master(master, site.registry)  # a new root; a lost master stops here
            ensure_closed(master, settings.lock_wait_seconds)
        # Another run may have filed files while this one waited for the lock: look again.
        scan = scan_inbox(
            settings.path("inbox"),
            settings.settle_seconds,
            mode=settings.settle_check,
            settled=settled,
        )
        summary.outcomes += [FileOutcome(display_name(p), "待機", why) for p, why in scan.waiting]
        folders = [settings.path("rejected")]
        folders += [p for s in sites for p in (s.settings.path("outbox"), s.master.parent)]
        sweep_temp_files(folders)
        datas = {s.plan_id: read_master(s.master, cached=True) for s in sites}
        if len(sites) == 1:
            registry, targets = sites[0].registry, registered_targets(datas[sites[0].plan_id])
            bands: Bands | dict[str, Bands] = sites[0].bands
        else:
            registry = plans_of(sites)
            targets = TargetsByPlan({k: registered_targets(d) for k, d in datas.items()})
            bands = {s.plan_id: s.bands for s in sites}
        known = ChainMap(*(d.recorded() for d in datas.values()))
        subs = submit_all(
            scan.ready,
            registry,
            registered_targets=targets,
            bands=bands,
            workers=settings.workers,
            progress=progress,
            known=known,
        )
        subs = _readable(subs, summary)
        for site, own in _by_plan(sites, subs):
            _process_plan(site, datas[site.plan_id], own, summary)
        summary.outcomes += [FileOutcome(display_name(p), "対象外", why) for p, why in scan.others]
    if settings.pdf:  # after the lock: LibreOffice takes seconds
        from ubereport.report.pdf import write_pdfs
        from ubereport.report.render import printed_books

        pdfs = write_pdfs(printed_books(summary.reports))
        summary.reports += pdfs.written
        summary.warnings += pdfs.messages


def _by_plan(
    sites: list[PlanSite], subs: list[Submission]
) -> list[tuple[PlanSite, list[Submission]]]:
    """Each plan with the submissions of its cards; a workbook goes whole to the plan of its
    first card, and a file of no known plan to the newest plan (it is rejected there)."""
    groups: dict[str, list[Submission]] = {s.plan_id: [] for s in sites}
    for cards in _by_file(subs).values():
        card = next((s.head for s in cards if s.head is not None), None)
        groups[site_for(sites, card.plan_id if card else "").plan_id] += cards
    # every plan is saved and rendered (an unchanged one quickly) so that its reports exist
    return [(s, groups[s.plan_id]) for s in sites]


def _process_plan(
    site: PlanSite, data: MasterData, subs: list[Submission], summary: RunSummary
) -> None:
    """Decide, merge, save, render, feed back and file the submissions of one plan (a plan
    with nothing new, whose reports are current for its definition, is left as it is)."""
    settings, master, registry = site.settings, site.master, site.registry
    current = rendered_version(settings) == registry.version and not pending_reports(settings)
    if not subs and current:
        summary.plans.append((site.plan_id, master, []))
        return
    renewed = follow_definition(data, registry)
    held = state_hashes(settings)  # the master's hashes, when the state is for it as it is
    decide(subs, data.recorded())
    earlier = _recorded_column(data, subs, "decision")
    for sub in subs:
        if sub.decision is Decision.ALREADY_PROCESSED and earlier.get(sub.sha256) == "要修正":
            sub.decision = Decision.REJECTED  # a rejected file left behind by a killed run
    stamp = stamp_now()
    moves = _destinations(settings, subs, stamp, data)
    archived = {s.path: _rel(settings, _dest(moves, s.path)) for s in subs}
    # Feedback is written first, while the master's rows are not in memory yet (the workers
    # beside them were the run's peak), into a staging folder beside its place: it is moved
    # there once the master is saved, and a run killed before leaves nothing a person sees.
    staging = f"{TEMP_PREFIX}fb"  # short: the feedback path stays within Windows' 260 characters
    was = {id(sub): (sub.decision, len(sub.findings)) for sub in subs}
    staged = _start_feedback(settings, subs, moves, staging)
    staged.results()  # waited for here: the master's rows come next
    data, results = merge_isolated(
        master, data, subs, now_text(), archived, registry, changes=False
    )
    # What the run keeps to its end is small per file (a batch may hold 20,000): the
    # decisions, not the merge results nor the cards kept for the merge (~6 KB each).
    del archived  # recorded in 提出
    decisions = [r.decision for r in results]
    del results
    for sub in subs:
        sub.compact(keep=False)
    moved_since = _record_destinations(settings, data, subs, moves)
    if renewed or moved_since or any(d is not Decision.ALREADY_PROCESSED for d in decisions):
        write_master(master, data, backups=settings.backups, held_wait=settings.lock_wait_seconds)
    changed = {sub.path for sub in subs if (sub.decision, len(sub.findings)) != was[id(sub)]}
    kept = _feedback_written(staged, summary, skip=changed)
    if changed:  # a merge that failed rejects its file, with one finding more: written again
        late = _start_feedback(settings, [s for s in subs if s.path in changed], moves, None)
        kept |= _feedback_written(late, summary)
    hashes = data.all_hashes(held)
    data.shed(REPORTS_IGNORE)  # written: the reports need neither these rows nor the cache's
    release_pool_helper()  # every worker is done: the reports come next, in this process
    before = len(summary.reports)
    pending = render_now(settings, master, data, registry, summary)
    summary.plans.append((site.plan_id, master, summary.reports[before:]))
    save_state(settings, hashes, pending, registry.version)
    summary.findings.update((sub.label, sub.findings) for sub in subs)
    moved: set[Path] = set()
    for sub, merged in zip(subs, decisions, strict=True):
        decision = sub.decision if sub.decision is Decision.REJECTED else merged
        dest = None if sub.path in kept else _dest(moves, sub.path)
        summary.outcomes.append(
            _file(settings, sub, decision, dest, summary, move=sub.path not in moved)
        )
        moved.add(sub.path)
        if sub.trace:
            summary.details.append(f"{sub.name}: 処理中の例外\n{sub.trace}")


#: The master's tables the reports never read (提出 goes to them as its digest).
REPORTS_IGNORE = ("submissions", "findings", "history", "submitted")


def _refuse_without_history(settings: Settings, master: Path) -> None:
    """No master and no backups, but filed originals: the master was lost with its backups.

    Only a root that has never filed anything gets a new master by itself; otherwise a person
    decides (``ubereport init --root`` creates it on purpose).
    """
    filed = [
        p
        for folder in (settings.path("archive"), settings.path("rejected"))
        if folder.is_dir()
        for p in folder.rglob("*.xls*")
        if not p.name.endswith("_確認結果.xlsx")
    ]
    if filed:
        raise MasterLost(
            f"台帳「{master}」が見つかりません（バックアップもありません）。保管フォルダには処理済みの"
            f"原本が {len(filed)} 件あるため、新しい台帳は自動では作りません。台帳を元の場所に戻すか、"
            f"作り直す場合は「ubereport init --root {settings.root}」で台帳を作ってから、"
            "原本を受付フォルダに戻してください。"
        )


def render_pending(
    settings: Settings, summary: RunSummary, sites: list[PlanSite] | None = None
) -> None:
    """Nothing new, but a report was held open last time: render that plan's reports again."""
    for site in sites if sites is not None else plan_sites(settings):
        master, plan = site.master, site.settings
        if not pending_reports(plan) or not master.exists():
            continue
        with master_lock(master, wait=settings.lock_wait_seconds) as warnings:
            summary.warnings += warnings
            data = read_master(master, cached=True)
            held = state_hashes(plan)
            pending = render_now(plan, master, data, site.registry, summary)
            save_state(plan, data.all_hashes(held), pending, site.registry.version)


def _readable(subs: list[Submission], summary: RunSummary) -> list[Submission]:
    """Files that could not even be hashed wait in the inbox for the next run, unrecorded."""
    out: list[Submission] = []
    for sub in subs:
        if sub.sha256:
            out.append(sub)
            continue
        why = next((f.message for f in sub.findings), "")
        summary.outcomes.append(
            FileOutcome(sub.name, "待機", f"読めないため次回に処理します（{why}）")
        )
    return out


def sweep_temp_files(folders: list[Path], older_than: float = 600.0) -> None:
    """Remove temporary files a killed run left behind (never a half-written target)."""
    cutoff = time.time() - older_than
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            continue
        for tmp in list(folder.rglob(f"{TEMP_PREFIX}*")):
            try:
                if tmp.stat().st_mtime >= cutoff:
                    continue
                if tmp.is_dir():  # a killed run's staged feedback (see _process_plan)
                    shutil.rmtree(tmp)
                else:
                    tmp.unlink()
            except OSError:
                continue


def _destinations(
    settings: Settings, subs: list[Submission], stamp: str, data: MasterData
) -> dict[Path, str]:
    """Where each original goes (as text: a run keeps them to its end, and a path object
    takes three times the memory); one the master already names keeps that name.

    A run killed after saving the master but before filing the originals recorded their
    destinations in 提出; the next run files them exactly there, so the record stays true.
    """
    if not settings.move_processed:
        return {}
    out: dict[Path, str] = {}
    recorded = _recorded_column(data, subs, "archived_to")
    for path, cards in _by_file(subs).items():
        # a workbook of several cards is filed once: rejected when any of its cards is
        named = next((recorded[s.sha256] for s in cards if recorded.get(s.sha256)), None)
        if named and not (settings.root / named).exists():
            out[path] = str(settings.root / named)
            continue
        first = cards[0].head
        year = format_fy(first.fiscal_year) if first and first.fiscal_year else "年度不明"
        if any(sub.decision is Decision.REJECTED for sub in cards):
            folder = settings.path("rejected")
        else:
            folder = settings.path("archive") / year
        out[path] = str(unique_destination(folder, display_name(path), stamp))
    return out


def _dest(moves: Mapping[Path, str], path: Path) -> Path | None:
    """Where the original ``path`` goes, if it is moved (see :func:`_destinations`)."""
    dest = moves.get(path)
    return None if dest is None else Path(dest)


def _recorded_column(data: MasterData, subs: list[Submission], column: str) -> dict[str, object]:
    """Per content hash the master records, that 提出 column (of its last row); only built
    when one of ``subs`` is recorded (otherwise empty: no file of the batch is known)."""
    if not any(sub.sha256 and data.knows(sub.sha256) for sub in subs):
        return {}
    return {r["sha256"]: r.get(column) for r in data.rows("submissions")}


def _by_file(subs: list[Submission]) -> dict[Path, list[Submission]]:
    """Submissions grouped by the file they came from (several for a workbook of cards)."""
    files: dict[Path, list[Submission]] = {}
    for sub in subs:
        files.setdefault(sub.path, []).append(sub)
    return files


def _record_destinations(
    settings: Settings, data: MasterData, subs: list[Submission], moves: dict[Path, str]
) -> bool:
    """Correct 提出 rows whose recorded destination is not where the original will now go."""
    if not any(data.knows(s.sha256) for s in subs if s.decision is Decision.ALREADY_PROCESSED):
        return False  # (nearly every run: no file the master knows, 提出 need not be built)
    rows = {r["sha256"]: r for r in data.rows("submissions")}
    changed = False
    for sub in subs:
        row, dest = rows.get(sub.sha256), _dest(moves, sub.path)
        if row is None or dest is None or sub.decision is not Decision.ALREADY_PROCESSED:
            continue
        if row.get("archived_to") and (settings.root / str(row["archived_to"])).exists():
            continue  # that copy is filed; this one is a second copy of the same content
        if row.get("archived_to") != _rel(settings, dest):
            row["archived_to"] = _rel(settings, dest)
            changed = True
    return changed


def render_now(
    settings: Settings, master: Path, data: MasterData, registry: Registry, summary: RunSummary
) -> list[str]:
    """Render every report; one someone has open is left as it is. Returns those left."""
    with skipping_held_files() as skipped:
        written = _render(settings, master, data, registry)
    summary.reports += [p for p in written if p not in skipped]
    for path in skipped:
        summary.warnings.append(f"{held_message(path, holder(path))}。閉じると次回更新します。")
    return [_rel(settings, p) for p in skipped]


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


def _start_feedback(
    settings: Settings, subs: list[Submission], moves: dict[Path, str], staging: str | None
) -> FeedbackWriter:
    """Start writing each workbook's feedback when any of its cards was rejected (beside the
    filed original, or in outbox/確認結果 when originals stay in the inbox; with ``staging``,
    into a folder of that name there, see :func:`_feedback_written`)."""
    jobs: list[FeedbackJob] = []
    for path, cards in _by_file(subs).items():
        if not any(sub.decision is Decision.REJECTED for sub in cards):
            continue
        dest = _dest(moves, path)
        folder = dest.parent if dest else settings.path("outbox") / "確認結果"
        findings = tuple(dict.fromkeys(f for sub in cards for f in sub.findings))
        name = dest.name if dest else display_name(path)
        jobs.append(FeedbackJob(path, findings, folder / staging if staging else folder, name))
    return FeedbackWriter(jobs, settings.workers)


def _feedback_written(
    writer: FeedbackWriter, summary: RunSummary, *, skip: set[Path] | None = None
) -> set[Path]:
    """Wait for the feedback workbooks and move each one written into a staging folder to its
    place (the folder above); returns the files to keep in the inbox. ``skip``: files whose
    staged feedback is out of date (let go of, written again by the caller).

    A feedback workbook that cannot be written (or moved) for lack of room or permission keeps
    its original in the inbox, so the next run (which knows the file as 要修正) writes it
    again. Any other failure files the original anyway: its findings are in the master's
    指摘 sheet.
    """
    kept: set[Path] = set()
    stages: set[Path] = set()
    for job, done in zip(writer.jobs, writer.results(), strict=True):
        name = display_name(job.original)
        path = done.path
        if path is not None and path.parent.name.startswith(TEMP_PREFIX):
            stages.add(path.parent)
            if job.original in (skip or ()):
                path.unlink(missing_ok=True)
                continue
            try:
                os.replace(path, path.parent.parent / path.name)
                path = path.parent.parent / path.name
                faults.point(f"placed:{path.name}")
            except OSError as exc:
                path.unlink(missing_ok=True)
                done = FeedbackDone(problem=open_problem(exc))
                path = None
        if path is not None:
            summary.feedback.append(path)
        elif done.problem:
            kept.add(job.original)
            summary.warnings.append(
                f"「{name}」の確認結果ブックを作れませんでした: {done.problem}（次回にもう一度作ります）"
            )
        else:
            summary.warnings.append(
                f"「{name}」の確認結果ブックを作れませんでした（{done.failure}）。"
                "指摘の内容は台帳の指摘シートにあります。行革推進課に連絡してください。"
            )
            summary.details.append(f"{name}: 確認結果ブックの例外\n{done.trace}")
    for stage in stages:
        with contextlib.suppress(OSError):
            stage.rmdir()
    return kept


def _file(
    settings: Settings,
    sub: Submission,
    decision: Decision,
    dest: Path | None,
    summary: RunSummary,
    *,
    move: bool = True,
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
            detail = _also(
                detail, f"原本を移動できませんでした: {open_problem(exc)}。次回に移動します"
            )
        except Exception as exc:
            detail = _also(
                detail, f"原本を移動できませんでした: {type(exc).__name__}。次回に移動します"
            )
            summary.details.append(f"{sub.name}: 原本の移動の例外\n{traceback.format_exc()}")
    return FileOutcome(sub.label, state, detail, moved)


def _also(detail: str, more: str) -> str:
    return f"{detail}・{more}" if detail else more
