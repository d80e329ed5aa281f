"""Console output under any encoding, and argparse in Japanese."""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest
from builders import filled_sample

from ubereport.cli import _parser, main
from ubereport.console.arguments import MESSAGES
from ubereport.console.streams import console_json, setup_console
from ubereport.japanese.width import display_width, table

# Characters outside cp932 (and, with the Japanese, outside ascii).
OUTSIDE_CP932 = "𠮷😀🍣𩸽鷗"


def _outside_cp932_card(folder: Path) -> Path:
    card = filled_sample(
        folder,
        "02",
        plan_name="𠮷野家😀の移住",
        lead_division="鷗外課🍣",
        achievements="𩸽を🍣にした😀",
    )
    return card.rename(folder / "𠮷😀_02.xlsx")


def _ubereport(args: list[str], cwd: Path, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run(
        [sys.executable, "-m", "ubereport", *args], cwd=cwd, env=env, capture_output=True
    )


def _share(folder: Path, card: Path) -> Path:
    folder.mkdir(parents=True)
    assert main(["init", "--root", str(folder)]) == 0
    config = folder / "ubereport.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("settle_seconds = 60", "settle_seconds = 0")
        .replace("move_processed = true", "move_processed = false"),
        encoding="utf-8",
    )
    shutil.copy(card, folder / "inbox" / card.name)
    return folder


@pytest.mark.parametrize("encoding", ["cp932", "ascii"])
def test_every_command_survives_text_its_console_cannot_encode(
    tmp_path: Path, encoding: str
) -> None:
    card = _outside_cp932_card(tmp_path)
    commands = [["read", card.name], ["read", "--json", card.name], ["validate", card.name]]
    for args in commands:
        utf8 = _ubereport(args, tmp_path, "utf-8")
        narrow = _ubereport(args, tmp_path, encoding)
        assert (narrow.returncode, narrow.stderr) == (utf8.returncode, b"") == (0, b"")
        expected = utf8.stdout.decode("utf-8")
        if args[1] == "--json":  # lossless: what cannot be shown is escaped, not replaced
            assert json.loads(narrow.stdout.decode(encoding)) == json.loads(expected)
        else:
            assert narrow.stdout.decode(encoding) == expected.encode(encoding, "replace").decode(
                encoding
            )
            assert "𠮷" in expected and "?" in narrow.stdout.decode(encoding)

    runs = {}
    for name in ("utf-8", encoding):
        share = _share(tmp_path / name.replace("-", ""), card)
        proc = _ubereport(["run", "--root", "."], share, name)
        assert (proc.returncode, proc.stderr) == (0, b"")
        log = next((share / "logs").glob("ubereport-*.log")).read_bytes().decode("utf-8")
        assert "𠮷😀_02.xlsx" in log  # the log keeps every character, in UTF-8
        runs[name] = proc.stdout.decode(name)
    assert runs[encoding] == runs["utf-8"].encode(encoding, "replace").decode(encoding)
    assert "受理" in runs["utf-8"] and "𠮷😀_02.xlsx" in runs["utf-8"]


def test_console_json_is_ascii_unless_the_stream_is_utf8() -> None:
    class Stream:
        def __init__(self, encoding: str) -> None:
            self.encoding = encoding

    payload = {"plan_name": "𠮷野家", "n": 1}
    cp932 = console_json(payload, Stream("cp932"))  # type: ignore[arg-type]
    assert cp932 == '{\n  "plan_name": "\\ud842\\udfb7\\u91ce\\u5bb6",\n  "n": 1\n}'
    assert console_json(payload, Stream("UTF-8")) == '{\n  "plan_name": "𠮷野家",\n  "n": 1\n}'  # type: ignore[arg-type]


def _argparse_strings() -> set[str]:
    tree = ast.parse(inspect.getsource(argparse))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
            found.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return found


def test_every_string_argparse_can_print_has_a_japanese_translation() -> None:
    strings = _argparse_strings()
    assert len(strings) > 30  # the scan found argparse's strings at all
    assert sorted(strings - MESSAGES.keys()) == []


def _commands() -> list[str]:
    parser = _parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


# Words that may stay in Latin letters: command and option names, file and folder names, formats.
ALLOWED = {
    *("ubereport", "run", "status", "init", "merge", "validate", "read", "report", "forms"),
    "restore",
    *("template", "samples", "inbox", "outbox", "archive", "rejected", "logs", "templates"),
    *("toml", "xlsx", "actionplan_sheet", "JSON", "PDF", "LibreOffice"),
    *("plan", "new", "plans", "plan_id", "registry", "csv", "ID", "root"),
}


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_of_every_command_is_japanese(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"] if command else ["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"使い方: ubereport{' ' + command if command else ''} [-h]")
    words = set(re.findall(r"(?<![-\w.])[A-Za-z][A-Za-z_]+", text))
    assert sorted(words - ALLOWED) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["merge"], "ubereport merge: エラー: 次の指定が必要です: パス"),
        (
            ["validate", "--workers", "x", "a.xlsx"],
            "ubereport validate: エラー: --workers の指定: 「x」は整数で指定してください",
        ),
        (["read", "a.xlsx", "b.xlsx"], "ubereport: エラー: 知らない指定です: b.xlsx"),
        (["forms"], "ubereport forms: エラー: 次の指定が必要です: --fy"),
        (
            ["merge", "a.xlsx", "--lock-wait"],
            "ubereport merge: エラー: --lock-wait の指定: 値を1つ指定してください",
        ),
        (
            ["stat"],
            "ubereport: エラー: コマンド の指定: 'stat' は選べません（選べるもの: "
            + ", ".join(repr(c) for c in _commands())
            + "）",
        ),
    ],
)
def test_usage_errors_are_japanese_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and lines[0].startswith("使い方: ubereport")
    prog = message.split(":")[0]
    assert lines[-2:] == [message, f"（「{prog} --help」で使い方を表示します）"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"ubereport {version('ubereport')}\n"


def test_argparse_is_english_again_outside_ubereport(capsys: pytest.CaptureFixture[str]) -> None:
    _parser().format_help()
    other = argparse.ArgumentParser(prog="other")
    assert other.format_usage() == "usage: other [-h]\n"


def test_the_same_missing_path_gets_the_same_message_and_status_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nonexistent.xlsx"
    for argv in (["read", str(missing)], ["validate", str(missing)], ["merge", str(missing)]):
        assert main(argv) == 2
        assert capsys.readouterr().err == (
            f"実行できませんでした: 「{missing}」が見つかりません。名前と場所を確かめてください。\n"
        )
    assert main(["read", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"実行できませんでした: 「{tmp_path}」はフォルダです。"
        "カードのファイル（.xlsx）を指定してください。\n"
    )
    root = tmp_path / "share"
    for argv in (["run", "--root", str(root)], ["status", "--root", str(root)]):
        assert main(argv) == 2
        assert capsys.readouterr().err == (
            f"実行できませんでした: フォルダ「{root}」が見つかりません。--root には inbox/ と "
            "ubereport.toml のあるフォルダを指定してください（新しく作るときは「ubereport init --root」）。\n"
        )


def test_validate_table_widens_for_a_long_label_and_stays_aligned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = filled_sample(tmp_path, "02", achievements="", plan_actions="=SUM(1)")
    assert main(["validate", str(card)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "■ card_02.xlsx（要修正）",
        "  重要度  セル    項目                            内容",
        "  エラー  A34     取組実績                        取組実績が空欄です。報告年度に実施した取組とその結果を記入してください。",
        "  警告    A22     3 実施内容(計画期間全体の取組)  3 実施内容(計画期間全体の取組)が「=」で始まっています。"
        "文字として扱い、計算はしていません。意図しない入力であれば先頭の記号を削除してください。",
        "合計 1 ファイル: エラー 1 件（1 ファイル）・警告 1 件",
    ]


def test_display_width_counts_full_width_as_two_and_combining_marks_as_none() -> None:
    nfd = unicodedata.normalize("NFD", "ブランド")
    assert [display_width(t) for t in ("No.", "受理", "ｱｲｳ", nfd, "𠮷😀", "")] == [3, 4, 3, 8, 4, 0]
    assert table([["状態", "名前", "内容"], ["要修正", "ａ", "x"], ["受理", nfd, ""]]) == [
        "状態    名前      内容",
        "要修正  ａ        x",
        f"受理    {nfd}",
    ]


def test_setup_console_replaces_what_the_encoding_cannot_hold() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp932", errors="strict")
    setup_console((stream,))
    stream.write("受理 𠮷😀 \udcff.xlsx\n")  # a lone surrogate: an undecodable file name
    stream.flush()
    assert raw.getvalue().decode("cp932") == "受理 ?? ?.xlsx\n"
    assert stream.encoding == "cp932"  # the console's own encoding is kept


def test_the_top_level_help_in_full(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out.splitlines() == [
        "使い方: ubereport [-h] [--version] コマンド ...",
        "",
        "アクションプランの集約ツール。コマンドを省略すると run を実行します。",
        "",
        "オプション:",
        "  -h, --help  この説明を表示して終了する",
        "  --version   バージョンを表示して終了する",
        "",
        "コマンド:",
        "  run         inbox/ の提出を検査・取り込みし、帳票を outbox/ に出力する",
        "  status      計画ごとの提出状況と期限までの開庁日を表示する",
        "  init        台帳を作る（--root ならフォルダと設定ファイルも）",
        "  restore     台帳をバックアップから戻す（--list で一覧、既定は最新のバックアップ）",
        "  merge       カードを検査し、受理したものを台帳に取り込む",
        "  validate    カードを検査し、指摘の一覧を表示する",
        "  read        カード1件を読み取って表示する",
        "  report      台帳から取組達成状況・カード・オープンデータを作り直す",
        "  forms       次の年度の報告様式を台帳から作る（計画ごとに1ファイル）",
        "  template    様式ファイル templates/actionplan_sheet.xlsx を作り直す",
        "  plan        計画の定義を扱う（次の計画を作る: plan new）",
        "  samples     同梱サンプル（13枚のカード）を inbox/ に作り直す",
        "",
        "各コマンドの説明: ubereport コマンド --help",
    ]


def test_merge_help_in_full_aligned_after_full_width_metavars(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    assert capsys.readouterr().out.splitlines() == [
        "使い方: ubereport merge [-h] [--master 台帳] [--dry-run] [--lock-wait 秒] [--backups 数]",
        "                        [--workers 数] パス [パス ...]",
        "",
        "カードを検査し、受理したものを台帳に取り込みます。計画ごとに新規・更新・変更なしを表示します。",
        "",
        "引数:",
        "  パス            ファイルまたはフォルダ",
        "",
        "オプション:",
        "  -h, --help      この説明を表示して終了する",
        "  --master 台帳   台帳ファイル（既定: outbox/アクションプラン台帳.xlsx）",
        "  --dry-run       台帳を書き換えずに変更点だけ表示する",
        "  --lock-wait 秒  ロック待ちの秒数（既定: 60）",
        "  --backups 数    残すバックアップの数（既定: 10）",
        "  --workers 数    検査に使うプロセス数（0: 多数のファイルのとき自動、1: 並列にしない）",
    ]
