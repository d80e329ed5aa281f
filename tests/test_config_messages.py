"""A broken ubereport.toml is explained in Japanese: where, and what to do (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ubereport.cli import main


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "settle_seconds = 1\nsettle_seconds = 2\n",
            " 2 行目 19 文字目: 同じ設定が2回書かれています。どちらか一方を消してください。",
        ),
        (
            'master = "C:\\share\\台帳.xlsx"\n',
            " 1 行目 15 文字目: 「\\」は「\\\\」と2つ重ねて書くか、フォルダの区切りを「/」にしてください。",
        ),
        (
            "fiscal_year = R5\n",
            ' 1 行目 15 文字目: 値が読めません（文字は "R5" のように「"」で囲み、数と true / false はそのまま書きます）。',
        ),
        (
            'deadline = "2026-05-15\n',
            ' 1 行目 23 文字目: 文字の値を囲む「"」が行の終わりまでに閉じていません。',
        ),
        (
            "closed_days = [",
            '最後: 値が読めません（文字は "R5" のように「"」で囲み、数と true / false はそのまま書きます）。',
        ),
        ("workers 2\n", " 1 行目 9 文字目: 「設定名 = 値」の形になっていません。"),
        (
            "@\n",
            " 1 行目 1 文字目: 書き方に誤りがあります。使えない文字や記号がないか確かめてください。",
        ),
    ],
)
def test_a_broken_settings_file_says_where_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "ubereport.toml").write_text(text, encoding="utf-8")
    for command in ("run", "status"):
        assert main([command, "--root", str(tmp_path)]) == 2
        assert capsys.readouterr().err == f"実行できませんでした: ubereport.toml の{message}\n"


def test_a_settings_file_not_in_utf8_says_how_to_save_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ubereport.toml").write_bytes('deadline = "令和8年5月15日"\n'.encode("cp932"))
    assert main(["status", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "実行できませんでした: ubereport.toml を文字コード UTF-8 で保存し直してください"
        "（メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます）。\n"
    )
