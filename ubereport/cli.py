"""The ``ubereport`` command line.

Exit status of every command: 0 nothing to do or all accepted, 1 some file has エラー (rejected),
2 could not run (lock held past the wait, bad config, master unwritable, disk full).

Handlers live in :mod:`ubereport.commands` and are imported only when called, so an idle
scheduled ``run`` never pays for openpyxl or pandas.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ubereport.errors import UbereportError

MASTER_PATH = Path("outbox") / "アクションプラン台帳.xlsx"


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


def _lazy(name: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from ubereport import commands

        return int(getattr(commands, name)(args))

    return handler


def _workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="検査に使うプロセス数（0: 多数のファイルのとき自動、1: 並列にしない）",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ubereport", description="アクションプランの集約ツール")
    sub = parser.add_subparsers()
    run = sub.add_parser("run", help="inbox/ の提出を検査・取り込みし、帳票を outbox/ に出力する")
    run.add_argument("--root", type=Path, default=Path("."), help="inbox/ などのあるフォルダ")
    run.set_defaults(handler=_lazy("cmd_run"))

    status = sub.add_parser("status", help="計画ごとの提出状況と期限までの開庁日を表示する")
    status.add_argument("--root", type=Path, default=Path("."))
    status.set_defaults(handler=_lazy("cmd_status"))

    init = sub.add_parser("init", help="台帳を作る（--root ならフォルダと設定ファイルも）")
    init.add_argument("--master", type=Path, default=None, help="台帳ファイルの場所")
    init.add_argument("--root", type=Path, default=None, help="共有フォルダに一式を作る")
    init.set_defaults(handler=_lazy("cmd_init"))

    merge = sub.add_parser("merge", help="カードを検査し、受理したものを台帳に取り込む")
    merge.add_argument("paths", type=Path, nargs="+", help="ファイルまたはフォルダ")
    merge.add_argument("--master", type=Path, default=MASTER_PATH)
    merge.add_argument(
        "--dry-run", action="store_true", help="台帳を書き換えずに変更点だけ表示する"
    )
    merge.add_argument("--lock-wait", type=float, default=60.0, help="ロック待ちの秒数")
    merge.add_argument("--backups", type=int, default=10, help="残すバックアップの数")
    _workers(merge)
    merge.set_defaults(handler=_lazy("cmd_merge"))

    val = sub.add_parser("validate", help="カードを検査し、指摘の一覧を表示する")
    val.add_argument("paths", type=Path, nargs="+", help="ファイルまたはフォルダ")
    val.add_argument("--json", action="store_true", help="指摘をJSONで出力する")
    val.add_argument("--feedback", type=Path, default=None, help="確認結果ブックの出力先フォルダ")
    _workers(val)
    val.set_defaults(handler=_lazy("cmd_validate"))

    read = sub.add_parser("read", help="カード1件を読み取って表示する")
    read.add_argument("file", type=Path)
    read.add_argument("--json", action="store_true", help="JSONで出力する")
    read.add_argument(
        "--reader-only",
        action="store_true",
        help="読み取りの指摘だけを表示する（validate と同じ確認はしない。調査用）",
    )
    read.set_defaults(handler=_lazy("cmd_read"))

    report = sub.add_parser("report", help="台帳から取組達成状況・カード・オープンデータを作り直す")
    report.add_argument(
        "--fy", default=None, help="報告年度（例: R4）。省略すると受理済みの最新年度"
    )
    report.add_argument("--deadline", default=None, help="提出状況に載せる提出期限")
    _report_paths(report)
    report.set_defaults(handler=_lazy("cmd_report"))

    forms = sub.add_parser("forms", help="次の年度の報告様式を台帳から作る（計画ごとに1ファイル）")
    forms.add_argument("--fy", required=True, help="様式の年度（例: R5）")
    _report_paths(forms)
    forms.set_defaults(handler=_lazy("cmd_forms"))

    tpl = sub.add_parser("template", help="様式ファイル templates/actionplan_sheet.xlsx を作り直す")
    tpl.add_argument("--out", type=Path, default=Path("templates") / "actionplan_sheet.xlsx")
    tpl.add_argument("--password", default=None, help="シート保護のパスワード（既定はなし）")
    tpl.set_defaults(handler=_lazy("cmd_template"))

    samples = sub.add_parser("samples", help="同梱サンプル（13枚のカード）を inbox/ に作り直す")
    samples.add_argument("--inbox", type=Path, default=Path("inbox"))
    samples.set_defaults(handler=_lazy("cmd_samples"))
    return parser


def _report_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--master", type=Path, default=None, help="台帳のパス（既定は設定どおり）")
    parser.add_argument("--outbox", type=Path, default=None, help="出力先フォルダ（既定: outbox）")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="ubereport.toml のあるフォルダ"
    )


if __name__ == "__main__":
    sys.exit(main())
