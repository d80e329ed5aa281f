"""The ``ubereport`` command line.

Exit status of every command: 0 nothing to do or all accepted, 1 some file has エラー (rejected),
2 could not run (lock held past the wait, bad config, master unwritable, disk full).

Handlers live in :mod:`ubereport.commands` and are imported only when called, so an idle
scheduled ``run`` never pays for openpyxl or pandas.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from ubereport.console.arguments import JapaneseArgumentParser, LazyVersion, integer, number
from ubereport.console.streams import setup_console
from ubereport.errors import UbereportError

MASTER_PATH = Path("outbox") / "アクションプラン台帳.xlsx"


def main(argv: Sequence[str] | None = None) -> int:
    setup_console()
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        args = parser.parse_args(["run", *(argv or [])])
    try:
        return int(args.handler(args))
    except UbereportError as exc:
        print(f"実行できませんでした: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `ubereport status | head`: the reader left; not a problem to report
        with contextlib.suppress(OSError, ValueError):  # later flushes must not fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:  # never a traceback in front of a user: one line, the detail in the log
        trace = traceback.format_exc()
        log = _log_crash(args, trace)
        where = f"詳しい記録はログ「{log}」にあります。" if log else "詳しい記録を下に示します。"
        print(
            "実行できませんでした: 予期しない問題が起きました。"
            f"{where}行革推進課（ubereport の担当）に連絡してください。",
            file=sys.stderr,
        )
        if log is None:
            print(trace, file=sys.stderr)
        return 2


def _log_crash(args: argparse.Namespace, trace: str) -> Path | None:
    """Append ``trace`` to the day's log of ``--root`` (or the current folder); its path."""
    try:
        from ubereport.job.config import Settings, load_settings
        from ubereport.job.runlog import append_log

        root = getattr(args, "root", None) or Path(".")
        try:
            settings = load_settings(root)
        except Exception:
            settings = Settings(root=root)
        return append_log(settings, "実行できませんでした: 予期しない問題が起きました。", [trace])
    except Exception:
        return None


def _lazy(name: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from ubereport import commands

        return int(getattr(commands, name)(args))

    return handler


def _workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=integer,
        default=0,
        metavar="数",
        help="検査に使うプロセス数（0: 多数のファイルのとき自動、1: 並列にしない）",
    )


def _root(parser: argparse.ArgumentParser, default: Path | None = Path(".")) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=default,
        metavar="フォルダ",
        help="inbox/ outbox/ と ubereport.toml のあるフォルダ（既定: 今のフォルダ）",
    )


def _parser() -> argparse.ArgumentParser:
    parser = JapaneseArgumentParser(
        prog="ubereport",
        description="アクションプランの集約ツール。コマンドを省略すると run を実行します。",
        epilog="各コマンドの説明: ubereport コマンド --help",
    )
    parser.add_argument("--version", action=LazyVersion)
    sub = parser.add_subparsers(title="コマンド", metavar="コマンド")
    run = sub.add_parser(
        "run",
        help="inbox/ の提出を検査・取り込みし、帳票を outbox/ に出力する",
        description="inbox/ の提出を検査・取り込みし、帳票を outbox/ に出力します。",
    )
    _root(run)
    run.set_defaults(handler=_lazy("cmd_run"))

    status = sub.add_parser(
        "status",
        help="計画ごとの提出状況と期限までの開庁日を表示する",
        description="計画ごとの提出状況、提出期限と残りの開庁日、督促先を表示します。",
    )
    _root(status)
    status.set_defaults(handler=_lazy("cmd_status"))

    init = sub.add_parser(
        "init",
        help="台帳を作る（--root ならフォルダと設定ファイルも）",
        description="台帳を作ります。すでにある台帳は上書きしません。",
    )
    init.add_argument(
        "--master", type=Path, default=None, metavar="台帳", help="台帳ファイルの場所"
    )
    init.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="フォルダ",
        help="共有フォルダに inbox/ outbox/ archive/ rejected/ logs/ と ubereport.toml を作る",
    )
    init.set_defaults(handler=_lazy("cmd_init"))

    restore = sub.add_parser(
        "restore",
        help="台帳をバックアップから戻す（--list で一覧、既定は最新のバックアップ）",
        description="台帳をバックアップから戻します。今の台帳は先にバックアップとして残します。",
    )
    restore.add_argument(
        "backup",
        nargs="?",
        default=None,
        metavar="バックアップ",
        help="戻すバックアップのファイル名",
    )
    restore.add_argument("--list", action="store_true", help="バックアップの一覧を表示する")
    restore.add_argument(
        "--requeue",
        action="store_true",
        help="戻した台帳にない原本を受付フォルダに戻す（次の実行で取り込む）",
    )
    _root(restore)
    _plan(restore)
    restore.set_defaults(handler=_lazy("cmd_restore"))

    merge = sub.add_parser(
        "merge",
        help="カードを検査し、受理したものを台帳に取り込む",
        description="カードを検査し、受理したものを台帳に取り込みます。計画ごとに新規・更新・変更なしを表示します。",
    )
    merge.add_argument("paths", type=Path, nargs="+", metavar="パス", help="ファイルまたはフォルダ")
    merge.add_argument(
        "--master",
        type=Path,
        default=MASTER_PATH,
        metavar="台帳",
        help=f"台帳ファイル（既定: {MASTER_PATH}）",
    )
    merge.add_argument(
        "--dry-run", action="store_true", help="台帳を書き換えずに変更点だけ表示する"
    )
    merge.add_argument(
        "--lock-wait", type=number, default=60.0, metavar="秒", help="ロック待ちの秒数（既定: 60）"
    )
    merge.add_argument(
        "--backups", type=integer, default=10, metavar="数", help="残すバックアップの数（既定: 10）"
    )
    _workers(merge)
    merge.set_defaults(handler=_lazy("cmd_merge"))

    val = sub.add_parser(
        "validate",
        help="カードを検査し、指摘の一覧を表示する",
        description="カードを検査し、ファイルごとに指摘の一覧と合計を表示します。台帳は変えません。",
    )
    val.add_argument("paths", type=Path, nargs="+", metavar="パス", help="ファイルまたはフォルダ")
    val.add_argument("--json", action="store_true", help="指摘をJSONで出力する")
    val.add_argument(
        "--feedback",
        type=Path,
        default=None,
        metavar="フォルダ",
        help="確認結果ブックの出力先フォルダ",
    )
    _workers(val)
    _root(val)
    val.set_defaults(handler=_lazy("cmd_validate"))

    read = sub.add_parser(
        "read",
        help="カード1件を読み取って表示する",
        description="カード1件を読み取り、主な項目と指摘を表示します。",
    )
    read.add_argument("file", type=Path, metavar="ファイル", help="カードのファイル（.xlsx）")
    read.add_argument("--json", action="store_true", help="JSONで出力する")
    read.add_argument(
        "--reader-only",
        action="store_true",
        help="読み取りの指摘だけを表示する（validate と同じ確認はしない。調査用）",
    )
    _root(read)
    read.set_defaults(handler=_lazy("cmd_read"))

    report = sub.add_parser(
        "report",
        help="台帳から取組達成状況・カード・オープンデータを作り直す",
        description="台帳だけから取組達成状況・計画ごとのカード・オープンデータを作り直します。",
    )
    report.add_argument(
        "--fy",
        default=None,
        metavar="年度",
        help="報告年度（例: R4）。省略すると受理済みの最新年度",
    )
    report.add_argument(
        "--deadline",
        default=None,
        metavar="期限",
        help="提出状況に載せる提出期限（例: 2026-05-15）",
    )
    report.add_argument(
        "--pdf", action="store_true", help="公表用の取組達成状況とカードの PDF も作る"
    )
    _report_paths(report)
    report.set_defaults(handler=_lazy("cmd_report"))

    forms = sub.add_parser(
        "forms",
        help="次の年度の報告様式を台帳から作る（計画ごとに1ファイル）",
        description="次の年度の報告様式を、台帳の内容を記入して計画ごとに作ります。",
    )
    forms.add_argument("--fy", required=True, metavar="年度", help="様式の年度（例: R5）")
    _report_paths(forms)
    forms.set_defaults(handler=_lazy("cmd_forms"))

    tpl = sub.add_parser(
        "template",
        help="様式ファイル templates/actionplan_sheet.xlsx を作り直す",
        description="様式ファイル（空欄のカード）を作り直します。",
    )
    tpl.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="ファイル",
        help="出力先（既定: templates/actionplan_sheet.xlsx、--root なら <root>/templates/<計画ID>_様式.xlsx）",
    )
    tpl.add_argument(
        "--password",
        default=None,
        metavar="パスワード",
        help="シート保護のパスワード（既定はなし）",
    )
    _root(tpl, default=None)
    _plan(tpl)
    tpl.set_defaults(handler=_lazy("cmd_template"))

    plan = sub.add_parser(
        "plan",
        help="計画の定義を扱う（次の計画を作る: plan new）",
        description="共有フォルダの計画の定義（plans/<計画ID>/plan.toml と registry.csv）を扱います。",
    )
    plan_sub = plan.add_subparsers(title="操作", metavar="操作", required=True)
    new = plan_sub.add_parser(
        "new",
        help="今の計画の定義を写して、年度を進めた次の計画を作る",
        description="今の計画（または --from の計画）の定義を写し、年度を次の期間に進めた新しい計画を"
        "plans/<計画ID>/ に作り、その計画の台帳を作ります。今の計画はそのまま残ります。",
    )
    new.add_argument(
        "--id", required=True, metavar="計画ID", help="新しい計画の ID（例: ube-2027）"
    )
    new.add_argument(
        "--title", default=None, metavar="計画名", help="新しい計画名（既定: 今と同じ）"
    )
    new.add_argument(
        "--first-year", default=None, metavar="年度", help="最初の年度（既定: 今の計画の次の年度）"
    )
    new.add_argument(
        "--years", type=int, default=None, metavar="年数", help="計画年数（既定: 今と同じ）"
    )
    new.add_argument(
        "--from", dest="source", default=None, metavar="計画ID", help="写す計画（既定: 最新）"
    )
    _root(new)
    new.set_defaults(handler=_lazy("cmd_plan_new"))

    samples = sub.add_parser(
        "samples",
        help="同梱サンプル（13枚のカード）を inbox/ に作り直す",
        description="同梱サンプル（13枚のカード、実績はサンプル値）を作り直します。",
    )
    samples.add_argument(
        "--inbox",
        type=Path,
        default=Path("inbox"),
        metavar="フォルダ",
        help="出力先（既定: inbox）",
    )
    samples.set_defaults(handler=_lazy("cmd_samples"))
    return parser


def _report_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--master", type=Path, default=None, metavar="台帳", help="台帳のパス（既定は設定どおり）"
    )
    parser.add_argument(
        "--outbox",
        type=Path,
        default=None,
        metavar="フォルダ",
        help="出力先フォルダ（既定: outbox）",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="フォルダ",
        help="ubereport.toml のあるフォルダ",
    )
    _plan(parser)


def _plan(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plan",
        default=None,
        metavar="計画ID",
        help="計画が複数あるときの計画 ID（plans/<フォルダ>/plan.toml の plan_id。既定: 最新の計画）",
    )


if __name__ == "__main__":
    sys.exit(main())
