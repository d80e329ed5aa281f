"""Command handlers (imported lazily by :mod:`ubereport.cli`)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from ubereport.errors import CannotRun
from ubereport.job.config import CONFIG_NAME, DEFAULT_TOML, load_settings


def cmd_run(args: argparse.Namespace) -> int:
    from ubereport.job.run import run_job
    from ubereport.job.runlog import append_log

    settings = load_settings(args.root)
    try:
        summary = run_job(settings)
    except CannotRun as exc:
        append_log(settings, f"実行できませんでした: {exc.message}", [])
        raise
    text = summary.text()
    print(text)
    if not summary.idle:
        append_log(
            settings,
            text,
            [f"{o.name}\t{o.state}\t{o.detail}\t{o.moved_to}" for o in summary.outcomes],
        )
    return summary.exit_code


def cmd_init(args: argparse.Namespace) -> int:
    from ubereport.master import init_master
    from ubereport.plan.registry import default_registry

    if args.root is not None:
        return _init_root(args.root)
    master = args.master or load_settings(Path(".")).path("master")
    init_master(master, default_registry())
    print(f"台帳を作成しました: {master}")
    return 0


def _init_root(root: Path) -> int:
    from ubereport.master import init_master
    from ubereport.plan.registry import default_registry

    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(DEFAULT_TOML, encoding="utf-8")
    settings = load_settings(root)
    for name in ("inbox", "outbox", "archive", "rejected", "logs"):
        settings.path(name).mkdir(parents=True, exist_ok=True)
    if not settings.path("master").exists():
        init_master(settings.path("master"), default_registry())
    print(f"「{root}」に inbox/ outbox/ archive/ rejected/ logs/ と {CONFIG_NAME} を用意しました。")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from ubereport.job.inbox import submissions
    from ubereport.job.summary import format_merge
    from ubereport.master import merge_files
    from ubereport.plan.registry import default_registry

    _require(args.paths)
    files, _ = submissions(list(args.paths))
    outcome = merge_files(
        files,
        args.master,
        default_registry(),
        dry_run=args.dry_run,
        backups=args.backups,
        lock_wait=args.lock_wait,
        workers=args.workers,
    )
    print(format_merge(outcome, dry_run=args.dry_run))
    return 1 if any(not s.report.valid for s in outcome.submissions) else 0


def _require(paths: list[Path]) -> None:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CannotRun(f"見つかりません: {'、'.join(str(p) for p in missing)}")


def cmd_validate(args: argparse.Namespace) -> int:

    from ubereport.findings import Finding
    from ubereport.job.inbox import submissions
    from ubereport.job.summary import format_findings, total_line
    from ubereport.plan.registry import default_registry
    from ubereport.validate.batch import decide
    from ubereport.validate.feedback import write_feedback
    from ubereport.validate.parallel import submit_all

    _require(args.paths)
    files, others = submissions(list(args.paths))
    batch = decide(
        submit_all(files, default_registry(), registered_targets={}, workers=args.workers)
    )
    if args.json:
        rows = [f.to_dict() for sub in batch for f in sub.findings]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for sub in batch:
            print(f"■ {sub.label}（{sub.decision}）")
            print(format_findings(sub.findings))
        for path in others:
            print(f"■ {path.name}（対象外: Excelファイルではありません）")
        print(total_line(batch))
    if args.feedback is not None:
        by_file: dict[Path, list[Finding]] = {}
        for sub in batch:  # a workbook of several cards gets one feedback workbook
            by_file.setdefault(sub.path, []).extend(sub.findings)
        for path, findings in by_file.items():
            if findings:
                write_feedback(path, list(dict.fromkeys(findings)), args.feedback)
    return 1 if any(not sub.report.valid for sub in batch) else 0


def cmd_read(args: argparse.Namespace) -> int:
    from ubereport.card.reader import read_workbook
    from ubereport.findings import has_errors
    from ubereport.job.summary import format_findings
    from ubereport.validate.run import validate_workbook

    reader = read_workbook if args.reader_only else validate_workbook
    results = reader(args.file)
    if args.json:
        payloads = [
            r.card.to_json(r.findings)
            if r.card
            else {"file": args.file.name, "findings": [f.to_dict() for f in r.findings]}
            for r in results
        ]
        print(
            json.dumps(
                payloads[0] if len(payloads) == 1 else payloads, ensure_ascii=False, indent=2
            )
        )
    else:
        print(f"ファイル: {args.file.name}")
        for result in results:
            card = result.card
            if card is not None:
                print(f"  シート: {card.sheet}")
                for label, value in (
                    ("No.", card.plan_no),
                    ("アクションプラン名", card.plan_name),
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
    from ubereport.job.status import format_status, plan_status

    settings = load_settings(args.root)
    rows = plan_status(settings, date.today())
    print(format_status(rows))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_template(args.out, password=args.password)
    print(f"様式を書き出しました: {args.out}")
    return 0


def write_template(path: Path, password: str | None = None) -> None:
    from ubereport.card.writer import CardOptions, write_card
    from ubereport.plan.registry import default_registry

    write_card(path, {}, default_registry(), CardOptions(password=password))


def cmd_samples(args: argparse.Namespace) -> int:
    from ubereport.card.sample import write_samples
    from ubereport.plan.registry import default_registry

    for path in write_samples(args.inbox, default_registry()):
        print(f"サンプルを書き出しました: {path}")
    return 0
