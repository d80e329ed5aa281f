"""argparse in Japanese: usage, help, and every error argparse itself can print.

argparse looks its English strings up through ``gettext`` (the module globals ``_`` and
``ngettext``); :class:`JapaneseArgumentParser` points those at :data:`MESSAGES` while it builds,
formats and parses, and puts the originals back afterwards, so other parsers in the same process
are untouched. A test reads argparse's source and fails if one of its strings is missing here.
Usage errors exit with status 2, as argparse's do.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from ubereport.japanese.width import display_width, pad

MESSAGES: dict[str, str] = {
    "usage: ": "使い方: ",
    "options": "オプション",
    "positional arguments": "引数",
    "show this help message and exit": "この説明を表示して終了する",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n"
    "（「%(prog)s --help」で使い方を表示します）\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s の指定: %(message)s",
    "the following arguments are required: %s": "次の指定が必要です: %s",
    "unrecognized arguments: %s": "知らない指定です: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "%(value)r は選べません（選べるもの: %(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "%(value)r は読めない値です",
    "expected one argument": "値を1つ指定してください",
    "expected at least one argument": "値を1つ以上指定してください",
    "expected at most one argument": "値は1つまでです",
    "expected %s argument": "値を %s 個指定してください",
    "expected %s arguments": "値を %s 個指定してください",
    "ambiguous option: %(option)s could match %(matches)s": (
        "%(option)s はあいまいです（候補: %(matches)s）"
    ),
    "not allowed with argument %s": "%s と同時には指定できません",
    "one of the arguments %s is required": "%s のどれかを指定してください",
    "ignored explicit argument %r": "%r は値を取りません",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "%(parser_name)r というコマンドはありません（コマンド: %(choices)s）"
    ),
    "can't open '%(filename)s': %(error)s": "「%(filename)s」を開けません: %(error)s",
    'argument "-" with mode %r': "「-」はモード %r では使えません",
    "unexpected option string: %s": "思いがけないオプションです: %s",
    # Mistakes in the program's own parser definition (never caused by what a user types).
    "%r is not callable": "%r は呼び出せません",
    "'required' is an invalid argument for positionals": "位置引数に required は指定できません",
    ".__call__() not defined": ".__call__() が定義されていません",
    "cannot have multiple subparser arguments": "サブコマンドの引数は1つだけです",
    "cannot merge actions - two groups are named %r": "同じ名前のグループが2つあります: %r",
    "conflicting option string: %s": "オプションが重複しています: %s",
    "conflicting option strings: %s": "オプションが重複しています: %s",
    "conflicting subparser alias: %s": "コマンドの別名が重複しています: %s",
    "conflicting subparser: %s": "コマンドが重複しています: %s",
    "dest= is required for options like %r": "%r のようなオプションには dest= が必要です",
    "invalid conflict_resolution value: %r": "conflict_resolution の値が不正です: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "オプション %(option)r は %(prefix_chars)r で始めてください"
    ),
    "mutually exclusive arguments must be optional": "排他的な引数はオプションにしてください",
    "subcommands": "コマンド",
}


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


@contextmanager
def japanese() -> Iterator[None]:
    """argparse's strings in Japanese for the duration of the block."""
    saved = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


F = TypeVar("F", bound=Callable[..., Any])


def _in_japanese(method: F) -> F:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with japanese():
            return method(*args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper  # type: ignore[return-value]


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """argparse's layout measured in display width: the help column lines up after full-width
    metavars, and help text wraps inside the terminal."""

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        invocations = [self._format_action_invocation(action)]
        invocations += [
            self._format_action_invocation(a) for a in self._iter_indented_subactions(action)
        ]
        longest = max(display_width(i) for i in invocations) + self._current_indent
        self._action_max_length = max(self._action_max_length, longest)
        self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):  # the commands, without a header line
            return self._join_parts([self._format_action(a) for a in action._get_subactions()])
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        help_text = self._expand_help(action) if action.help and action.help.strip() else ""
        lines = self._split_lines(help_text, help_width) if help_text else []
        if lines and display_width(header) <= action_width:
            parts = [f"{indent}{pad(header, action_width)}  {lines[0]}\n"]
            lines = lines[1:]
        else:
            parts = [f"{indent}{header}\n"]
        parts += [f"{' ' * help_position}{line}\n" for line in lines]
        parts += [self._format_action(a) for a in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any) -> str:
        """argparse's usage, re-wrapped by display width (it measures with ``len``)."""
        formatted = super()._format_usage(usage, actions, groups, prefix)
        text = formatted.rstrip("\n")
        head, found, rest = text.partition(f"{self._prog} ")
        if not found or ("\n" not in text and display_width(text) <= self._width):
            return formatted  # the bare prog argparse asks for, or one line that fits
        parts = _USAGE_PARTS.findall(" ".join(rest.split()))
        indent = " " * display_width(f"{head}{self._prog} ")
        lines, line = [], f"{head}{self._prog}"
        for part in parts:
            if display_width(f"{line} {part}") > self._width and line.strip() != head.strip():
                lines.append(line)
                line = indent + part
            else:
                line = f"{line} {part}" if not line.endswith(" ") else line + part
        lines.append(line)
        return "\n".join(lines) + "\n\n"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for token in _TOKENS.findall(paragraph):
                if line.strip() and display_width(line + token) > width:
                    lines.append(line.rstrip())
                    line = token.lstrip()
                else:
                    line += token
            lines.append(line.rstrip())
        return lines


# argparse's own split of a usage line: an optional group, a required group or a word.
_USAGE_PARTS = re.compile(r"\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+")

# A run of Latin text (a word, a path, an option) never breaks; any other character may.
_TOKENS = re.compile(r"[!-~]+|\s+|.")


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage, help and errors are Japanese (its subparsers too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", JapaneseHelpFormatter)
        with japanese():
            super().__init__(*args, **kwargs)

    add_argument = _in_japanese(argparse.ArgumentParser.add_argument)
    add_subparsers = _in_japanese(argparse.ArgumentParser.add_subparsers)
    parse_args = _in_japanese(argparse.ArgumentParser.parse_args)
    parse_known_args = _in_japanese(argparse.ArgumentParser.parse_known_args)
    format_usage = _in_japanese(argparse.ArgumentParser.format_usage)
    format_help = _in_japanese(argparse.ArgumentParser.format_help)

    @_in_japanese
    def error(self, message: str) -> NoReturn:
        super().error(message)


class LazyVersion(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kw: Any):
        kw.setdefault("help", "バージョンを表示して終了する")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kw: Any) -> None:
        print(f"{parser.prog} {package_version()}")
        parser.exit()


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ubereport")
    except PackageNotFoundError:
        return "（バージョン不明: インストールされていません）"


def integer(text: str) -> int:
    """An ``int`` argument with a Japanese message (argparse's would name the type ``int``)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」は整数で指定してください") from None


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」は数で指定してください") from None
