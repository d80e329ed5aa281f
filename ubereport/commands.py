"""Command handlers (imported lazily by :mod:`ubereport.cli`)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ubereport.console.progress import terminal_progress
from ubereport.console.streams import console_json
from ubereport.errors import CannotRun, UbereportError
from ubereport.job.config import CONFIG_NAME, DEFAULT_TOML, Settings, load_settings

if TYPE_CHECKING:
    from ubereport.plan.registry import Plans, Registry

WRITING = "台帳と帳票を書き込んでいます…"


def cmd_run(args: argparse.Namespace) -> int:
    from ubereport.job.run import run_job
    from ubereport.job.runlog import append_log

    settings = _settings(args.root)
    try:
        with terminal_progress(sys.stderr, then=WRITING) as progress:
            summary = run_job(settings, progress)
    except CannotRun as exc:
        append_log(settings, f"実行できませんでした: {exc.message}", [])
        raise
    text = summary.text()
    print(text)
    if not summary.idle:
        append_log(
            settings,
            text,
            [f"{o.name}\t{o.state}\t{o.detail}\t{o.moved_to}" for o in summary.outcomes]
            + summary.details,
        )
    return summary.exit_code


def cmd_init(args: argparse.Namespace) -> int:
    from ubereport.master import init_master

    if args.root is not None:
        return _init_root(args.root)
    master = args.master or load_settings(Path(".")).path("master")
    init_master(master, _plan_of_master(master))
    print(f"台帳を作成しました: {master}")
    return 0


def _init_root(root: Path) -> int:
    from ubereport.job.plans import plan_folders, plan_sites
    from ubereport.master import init_master

    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(DEFAULT_TOML, encoding="utf-8")
    settings = load_settings(root)
    for name in ("inbox", "outbox", "archive", "rejected", "logs"):
        settings.path(name).mkdir(parents=True, exist_ok=True)
    written = "" if plan_folders(root) else f"、計画の定義 {_write_bundled_plan(root)}"
    for site in plan_sites(settings):
        if not site.master.exists():
            init_master(site.master, site.registry)
    print(
        f"「{root}」に inbox/ outbox/ archive/ rejected/ logs/ と {CONFIG_NAME}{written} を"
        "用意しました。"
    )
    return 0


def _write_bundled_plan(root: Path) -> str:
    """Write the bundled plan's definition into ``root``; returns where, for the message."""
    from ubereport.plan.files import PLANS_FOLDER, write_definition
    from ubereport.plan.registry import default_registry

    plan = default_registry()
    folder = write_definition(root / PLANS_FOLDER / plan.plan_id, plan)
    return f"{folder.relative_to(root).as_posix()}/（plan.toml・registry.csv）"


def cmd_plan_new(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ubereport.japanese.fiscal import format_fy, parse_fiscal_year
    from ubereport.job.plans import choose_site, plan_folders, plan_sites
    from ubereport.master import init_master
    from ubereport.plan.files import PLANS_FOLDER, next_plan, write_definition
    from ubereport.plan.registry import YEARS_RANGE, load_definition, valid_plan_id

    settings = _settings(args.root)
    sites = plan_sites(settings)
    base = choose_site(sites, args.source).registry
    if not valid_plan_id(args.id):
        raise CannotRun(
            f"計画ID「{args.id}」は使えません。半角の英数字と「-」「_」で書いてください（例: ube-2027）。"
        )
    if any(s.plan_id == args.id for s in sites):
        raise CannotRun(f"計画ID「{args.id}」の計画はもうあります。別の ID にしてください。")
    first = None
    if args.first_year is not None:
        first = parse_fiscal_year(args.first_year)
        if first is None:
            raise CannotRun(f"年度「{args.first_year}」を読めません（例: R9）。")
    plan = next_plan(base, args.id, first)
    if args.title:
        plan = replace(plan, title=args.title.strip())
    if args.years is not None:
        lo, hi = YEARS_RANGE
        if not lo <= args.years <= hi:
            raise CannotRun(f"計画年数は {lo} から {hi} までで指定してください（{args.years}）。")
        plan = replace(plan, years=args.years)
    kept = "" if plan_folders(settings.root) else _write_bundled_plan(settings.root)
    folder = write_definition(settings.root / PLANS_FOLDER / args.id, plan)
    load_definition(folder)
    site = next(s for s in plan_sites(settings) if s.plan_id == args.id)
    if not site.master.exists():
        init_master(site.master, site.registry)
    rel = folder.relative_to(settings.root).as_posix()
    lines = [
        f"次の計画「{plan.title}」（{plan.plan_id}、{format_fy(plan.first_year)}～"
        f"{format_fy(plan.plan_years[-1])}）を作りました。",
        f"  定義: {rel}/plan.toml と registry.csv（体系図を Excel で直してください）",
        f"  台帳: {site.master}",
    ]
    if kept:
        lines.append(f"  今の計画「{base.title}」の定義も {kept} に書き出しました。")
    lines.append(
        f"  様式: ubereport template --root {settings.root} --plan {plan.plan_id} で作ります。"
        f"今の計画（{base.plan_id}）のカードはこれまでどおり受け付けます。"
    )
    print("\n".join(lines))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from ubereport.job.inbox import submissions
    from ubereport.job.summary import format_merge
    from ubereport.master import merge_files

    _require(args.paths)
    files, _ = submissions(list(args.paths))
    with terminal_progress(sys.stderr, then="台帳に取り込んでいます…") as progress:
        outcome = merge_files(
            files,
            args.master,
            _plan_of_master(args.master),
            dry_run=args.dry_run,
            backups=args.backups,
            lock_wait=args.lock_wait,
            workers=args.workers,
            progress=progress,
        )
    print(format_merge(outcome, dry_run=args.dry_run))
    return 1 if any(not s.report.valid for s in outcome.submissions) else 0


def _plan_of_master(master: Path) -> Registry:
    """The plan whose master ``master`` is, among the plans of the current folder's root (the
    bundled plan outside a root); cards of other plans are then refused as plan-unknown."""
    from ubereport.job.plans import plan_sites

    sites = plan_sites(load_settings(Path(".")))
    target = master.resolve()
    return next((s.registry for s in sites if s.master.resolve() == target), sites[-1].registry)


def _root_plans(root: Path) -> Plans:
    """Every plan of ``root`` (the bundled plan for a folder without plans/)."""
    from ubereport.job.plans import plan_sites, plans_of

    return plans_of(plan_sites(_settings(root)))


def _require(paths: list[Path], *, files_only: bool = False) -> None:
    """The one message for a path that is not there, whichever command was given it (exit 2)."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        names = "、".join(f"「{p}」" for p in missing)
        raise CannotRun(f"{names}が見つかりません。名前と場所を確かめてください。")
    folders = [p for p in paths if files_only and p.is_dir()]
    if folders:
        names = "、".join(f"「{p}」" for p in folders)
        raise CannotRun(f"{names}はフォルダです。カードのファイル（.xlsx）を指定してください。")


def _settings(root: Path) -> Settings:
    """The settings of ``root``; a root that is not there stops every command the same way."""
    if not root.is_dir():
        raise CannotRun(
            f"フォルダ「{root}」が見つかりません。--root には inbox/ と {CONFIG_NAME} のある"
            "フォルダを指定してください（新しく作るときは「ubereport init --root」）。"
        )
    return load_settings(root)


def cmd_validate(args: argparse.Namespace) -> int:

    from ubereport.findings import Finding
    from ubereport.job.inbox import submissions
    from ubereport.job.summary import format_findings, total_line
    from ubereport.validate.batch import decide
    from ubereport.validate.feedback import write_feedback
    from ubereport.validate.parallel import submit_all

    _require(args.paths)
    files, others = submissions(list(args.paths))
    with terminal_progress(sys.stderr) as progress:
        subs = submit_all(
            files,
            _root_plans(args.root),
            registered_targets={},
            workers=args.workers,
            progress=progress,
        )
    batch = decide(subs)
    if args.json:
        rows = [f.to_dict() for sub in batch for f in sub.findings]
        print(console_json(rows))
    else:
        for sub in batch:
            print(f"■ {sub.label}（{sub.decision}）")
            print(format_findings(sub.findings))
        for path, why in others:
            print(f"■ {path.name}（対象外: {why}）")
        print(total_line(batch))
    if args.feedback is not None:
        by_file: dict[Path, list[Finding]] = {}
        for sub in batch:  # a workbook of several cards gets one feedback workbook
            by_file.setdefault(sub.path, []).extend(sub.findings)
        failed = False
        for path, findings in by_file.items():
            if not findings:
                continue
            try:  # one feedback that cannot be written never stops the others
                write_feedback(path, list(dict.fromkeys(findings)), args.feedback)
            except UbereportError as exc:
                failed = True
                print(
                    f"「{path.name}」の確認結果ブックを作れませんでした: {exc.message}",
                    file=sys.stderr,
                )
        if failed:
            return 2
    return 1 if any(not sub.report.valid for sub in batch) else 0


def cmd_read(args: argparse.Namespace) -> int:
    from ubereport.card.reader import read_workbook
    from ubereport.findings import has_errors
    from ubereport.job.summary import format_findings
    from ubereport.validate.run import validate_workbook

    _require([args.file], files_only=True)
    reader = read_workbook if args.reader_only else validate_workbook
    plans = _root_plans(args.root)
    results = reader(args.file, plans)
    if args.json:
        payloads = [
            r.card.to_json(r.findings)
            if r.card
            else {"file": args.file.name, "findings": [f.to_dict() for f in r.findings]}
            for r in results
        ]
        print(console_json(payloads[0] if len(payloads) == 1 else payloads))
    else:
        print(f"ファイル: {args.file.name}")
        for result in results:
            card = result.card
            if card is not None:
                print(f"  シート: {card.sheet}")
                plan = plans.by_id(card.plan_id) or plans.items[0]
                for label, value in (
                    ("No.", card.plan_no),
                    (plan.item_label, card.plan_name),
                    ("主管課", card.lead_division),
                    ("報告年度", card.fiscal_year_text),
                ):
                    print(f"  {label}: {value}")
            print(format_findings(result.findings))
    return 1 if any(has_errors(r.findings) for r in results) else 0


def cmd_report(args: argparse.Namespace) -> int:
    from ubereport.report_commands import cmd_report as report

    return report(args)


def cmd_forms(args: argparse.Namespace) -> int:
    from ubereport.report_commands import cmd_forms as forms

    return forms(args)


def cmd_status(args: argparse.Namespace) -> int:
    from ubereport.job.plans import plan_sites
    from ubereport.job.status import format_status, plan_status

    sites = plan_sites(_settings(args.root))
    blocks = []
    for site in sites:
        rows = plan_status(site.settings, date.today(), site.registry)
        head = f"■ {site.plan_id}: {site.registry.title}（{site.registry.period}）\n"
        blocks.append((head if len(sites) > 1 else "") + format_status(rows, site.registry))
    print("\n\n".join(blocks))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ubereport.plan.registry import default_registry

    registry = default_registry()
    out = args.out or Path("templates") / "actionplan_sheet.xlsx"
    if args.root is not None:
        from ubereport.job.plans import choose_site, plan_sites

        registry = choose_site(plan_sites(_settings(args.root)), args.plan).registry
        out = args.out or args.root / "templates" / f"{registry.plan_id}_様式.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, password=args.password, registry=registry)
    print(f"様式を書き出しました: {out}（{registry.title} {registry.period}）")
    return 0


def write_template(
    path: Path, password: str | None = None, registry: Registry | None = None
) -> None:
    from ubereport.card.writer import CardOptions, write_card
    from ubereport.plan.registry import default_registry

    write_card(path, {}, registry or default_registry(), CardOptions(password=password))


def cmd_samples(args: argparse.Namespace) -> int:
    from ubereport.card.sample import write_samples
    from ubereport.plan.registry import default_registry

    for path in write_samples(args.inbox, default_registry()):
        print(f"サンプルを書き出しました: {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """List the master's backups, or restore one (the newest by default)."""
    from ubereport.job.plans import choose_site, plan_sites
    from ubereport.master.lock import master_lock
    from ubereport.master.restore import backups_of, choose, missing_originals, requeue, restore

    sites = plan_sites(load_settings(args.root))
    if len(sites) > 1 and args.plan is None:
        known = "、".join(s.plan_id for s in sites)
        raise CannotRun(
            f"計画が複数あります。戻す台帳の計画を --plan で指定してください（{known}）。"
        )
    site = choose_site(sites, args.plan)
    settings, master = site.settings, site.master
    others = [s.master for s in sites if s is not site]
    if args.list:
        backups = backups_of(master)
        if not backups:
            print(f"台帳「{master}」のバックアップはありません。")
            return 0
        print(f"台帳「{master}」のバックアップ（古い順）:")
        for b in backups:
            count = "開けません" if b.submissions is None else f"提出 {b.submissions} 件"
            print(f"  {b.taken:%Y-%m-%d %H:%M:%S}  {b.size / 1024:,.0f} KB  {count}  {b.path.name}")
        return 0
    with master_lock(master, wait=settings.lock_wait_seconds):
        backup = choose(master, args.backup)
        previous = restore(master, backup, keep=settings.backups)
        print(
            f"台帳を「{backup.path.name}」（{backup.taken:%Y-%m-%d %H:%M}、提出 {backup.submissions} 件）"
            "から戻しました。"
        )
        if previous is not None:
            print(f"戻す前の台帳はバックアップ「{previous.name}」として残しました。")
        folders = [settings.path("archive"), settings.path("rejected")]
        missing = missing_originals(master, folders, others)
        if not missing:
            print("保管フォルダの原本はすべて台帳に記録されています。")
            return 0
        print(f"このバックアップの後に取り込まれた {len(missing)} 件は、戻した台帳にありません:")
        for path in missing:
            print(
                f"  {path.relative_to(settings.root) if path.is_relative_to(settings.root) else path}"
            )
        if args.requeue:
            requeue(missing, settings.path("inbox"))
            print(
                f"この {len(missing)} 件を受付フォルダに戻しました。次の実行で一度だけ取り込みます。"
            )
        else:
            print(
                "`ubereport restore --requeue` で受付フォルダに戻すと、次の実行で一度だけ取り込みます。"
            )
    return 0
