"""The ``ubereport`` command. Exit status: 0 all fine, 1 some file has エラー, 2 could not run."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ubereport.card_writer import CardOptions, write_card
from ubereport.errors import UbereportError
from ubereport.feedback import write_feedback
from ubereport.findings import Finding, has_errors
from ubereport.inbox import submissions
from ubereport.master import init_master, merge_files
from ubereport.reader import read_card
from ubereport.registry import default_registry
from ubereport.sample import write_samples
from ubereport.summary import format_findings, format_merge, total_line
from ubereport.validate import validate_file
from ubereport.validate.batch import Submission, content_hash, decide

TEMPLATE_PATH = Path("templates") / "actionplan_sheet.xlsx"
MASTER_NAME = "アクションプラン台帳.xlsx"
MASTER_PATH = Path("outbox") / MASTER_NAME


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_console()
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        args = parser.parse_args(["run", *(argv or [])])
    try:
        return int(args.handler(args))
    except UbereportError as exc:
        print(f"実行できませんでした: {exc.message}", file=sys.stderr)
        return exc.exit_code


def _utf8_console() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ubereport", description="アクションプランの集約ツール")
    sub = parser.add_subparsers()
    run = sub.add_parser("run", help="inbox/ のカードをすべて読み取り、結果を outbox/ に出力する")
    run.add_argument(
        "--root", type=Path, default=Path("."), help="inbox/ と outbox/ のあるフォルダ"
    )
    run.set_defaults(handler=cmd_run)
    read = sub.add_parser("read", help="カード1件を読み取って表示する")
    read.add_argument("file", type=Path)
    read.add_argument("--json", action="store_true", help="JSONで出力する")
    read.set_defaults(handler=cmd_read)
    init = sub.add_parser("init", help="台帳（マスター）を計画一覧から新しく作る")
    init.add_argument("--master", type=Path, default=MASTER_PATH)
    init.set_defaults(handler=cmd_init)
    merge = sub.add_parser("merge", help="カードを検査し、受理したものを台帳に取り込む")
    merge.add_argument("paths", type=Path, nargs="+", help="ファイルまたはフォルダ")
    merge.add_argument("--master", type=Path, default=MASTER_PATH)
    merge.add_argument(
        "--dry-run", action="store_true", help="台帳を書き換えずに変更点だけ表示する"
    )
    merge.add_argument("--lock-wait", type=float, default=60.0, help="ロック待ちの秒数")
    merge.add_argument("--backups", type=int, default=10, help="残すバックアップの数")
    merge.set_defaults(handler=cmd_merge)
    val = sub.add_parser("validate", help="カードを検査し、指摘の一覧を表示する")
    val.add_argument("paths", type=Path, nargs="+", help="ファイルまたはフォルダ")
    val.add_argument("--json", action="store_true", help="指摘をJSONで出力する")
    val.add_argument(
        "--feedback", type=Path, default=None, help="確認結果ブック（_確認結果.xlsx）の出力先"
    )
    val.set_defaults(handler=cmd_validate)
    tpl = sub.add_parser("template", help="様式ファイル templates/actionplan_sheet.xlsx を作り直す")
    tpl.add_argument("--out", type=Path, default=TEMPLATE_PATH)
    tpl.add_argument("--password", default=None, help="シート保護のパスワード（既定はなし）")
    tpl.set_defaults(handler=cmd_template)
    samples = sub.add_parser("samples", help="同梱サンプル（13枚のカード）を inbox/ に作り直す")
    samples.add_argument("--inbox", type=Path, default=Path("inbox"))
    samples.set_defaults(handler=cmd_samples)
    return parser


def cmd_template(args: argparse.Namespace) -> int:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_template(args.out, password=args.password)
    print(f"様式を書き出しました: {args.out}")
    return 0


def write_template(path: Path, password: str | None = None) -> None:
    write_card(path, {}, default_registry(), CardOptions(password=password))


def cmd_samples(args: argparse.Namespace) -> int:
    for path in write_samples(args.inbox, default_registry()):
        print(f"サンプルを書き出しました: {path}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    init_master(args.master, default_registry())
    print(f"台帳を作成しました: {args.master}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"見つかりません: {'、'.join(str(p) for p in missing)}", file=sys.stderr)
        return 2
    files, _ = submissions(list(args.paths))
    outcome = merge_files(
        files,
        args.master,
        default_registry(),
        dry_run=args.dry_run,
        backups=args.backups,
        lock_wait=args.lock_wait,
    )
    print(format_merge(outcome, dry_run=args.dry_run))
    return 1 if any(not s.report.valid for s in outcome.submissions) else 0


def cmd_validate(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"見つかりません: {'、'.join(str(p) for p in missing)}", file=sys.stderr)
        return 2
    files, others = submissions(list(args.paths))
    batch = decide([_submission(path) for path in files])
    if args.json:
        rows = [f.to_dict() for sub in batch for f in sub.findings]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for sub in batch:
            print(f"■ {sub.path.name}（{sub.decision}）")
            print(format_findings(sub.findings))
        for path in others:
            print(f"■ {path.name}（対象外: Excelファイルではありません）")
        print(total_line(batch))
    if args.feedback is not None:
        for sub in batch:
            if sub.findings:
                write_feedback(sub.path, sub.findings, args.feedback)
    return 1 if any(not sub.report.valid for sub in batch) else 0


def _submission(path: Path) -> Submission:
    stat = path.stat()
    return Submission(path, validate_file(path), content_hash(path), stat.st_mtime)


def cmd_read(args: argparse.Namespace) -> int:
    result = read_card(args.file)
    if args.json:
        payload = (
            result.card.to_json(result.findings)
            if result.card
            else {"file": args.file.name, "findings": [f.to_dict() for f in result.findings]}
        )
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_card(result.card.to_json() if result.card else None, result.findings, args.file)
    return 1 if has_errors(result.findings) else 0


def _print_card(card: dict[str, object] | None, findings: list[Finding], path: Path) -> None:
    print(f"ファイル: {path.name}")
    if card is not None:
        for key, label in (
            ("plan_no", "No."),
            ("plan_name", "アクションプラン名"),
            ("lead_division", "主管課"),
            ("fiscal_year_text", "報告年度"),
        ):
            print(f"  {label}: {card[key]}")
    _print_findings(findings)


def _print_findings(findings: list[Finding]) -> None:
    if not findings:
        print("  指摘はありません。")
    for f in findings:
        where = "・".join(x for x in (f.sheet, f.cell) if x)
        print(f"  [{f.severity}] {f.code} {where}: {f.message}")


def cmd_run(args: argparse.Namespace) -> int:
    root: Path = args.root
    inbox, outbox = root / "inbox", root / "outbox"
    if not inbox.is_dir():
        print(f"受付フォルダがありません: {inbox}", file=sys.stderr)
        return 2
    files, others = submissions([inbox])
    outbox.mkdir(parents=True, exist_ok=True)
    report = []
    errors = 0
    for path in files:
        result = read_card(path)
        bad = has_errors(result.findings)
        errors += bad
        card = result.card
        state = "要修正" if bad else "読取OK"
        plan = card.plan_no if card else "-"
        print(f"{state}  {path.name}  No.{plan}  指摘{len(result.findings)}件")
        _print_findings([f for f in result.findings])
        report.append(
            card.to_json(result.findings)
            if card
            else {"file": path.name, "findings": [f.to_dict() for f in result.findings]}
        )
    for path in others:
        print(f"対象外  {path.name}（Excelファイルではないため処理していません）")
    out = outbox / "読取結果.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"合計 {len(files)} 件（読取OK {len(files) - errors} 件・要修正 {errors} 件）→ {out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
