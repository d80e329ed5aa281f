"""Japanese sentences for the TOML syntax errors of ``tomllib`` (settings and plan files)."""

from __future__ import annotations

import re

# tomllib's English messages, by their start, as what to do (the position is added).
_TOML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("Cannot overwrite a value", "同じ設定が2回書かれています。どちらか一方を消してください"),
    ("Cannot declare", "同じ設定が2回書かれています。どちらか一方を消してください"),
    ("Duplicate inline table key", "同じ設定が2回書かれています。どちらか一方を消してください"),
    ("Cannot redefine namespace", "同じ見出しが2回書かれています。どちらか一方を消してください"),
    (
        "Cannot mutate immutable namespace",
        "同じ設定が2回書かれています。どちらか一方を消してください",
    ),
    ("Unescaped '\\'", "「\\」は「\\\\」と2つ重ねて書くか、フォルダの区切りを「/」にしてください"),
    ("Unterminated string", '文字の値を囲む「"」が閉じていません'),
    ("Illegal character '\\n'", '文字の値を囲む「"」が行の終わりまでに閉じていません'),
    ("Unclosed array", "「[」に対応する「]」がありません"),
    ("Unclosed inline table", "「{」に対応する「}」がありません"),
    ("Invalid date or datetime", "日付が読めません（2026-05-15 のように書いてください）"),
    ("Expected '=' after a key", "「設定名 = 値」の形になっていません"),
    (
        "Invalid value",
        '値が読めません（文字は "R5" のように「"」で囲み、数と true / false はそのまま書きます）',
    ),
)


def toml_problem(file_name: str, message: str) -> str:
    """A Japanese sentence for a ``tomllib`` error: where it is and what to do."""
    where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    at = f" {where[1]} 行目 {where[2]} 文字目" if where else "最後"
    what = next(
        (jp for en, jp in _TOML_PROBLEMS if message.startswith(en)),
        "書き方に誤りがあります。使えない文字や記号がないか確かめてください",
    )
    return f"{file_name} の{at}: {what}。"
