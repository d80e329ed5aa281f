"""Settings: ``ubereport.toml`` at the root, one typed object, every default beside it.

An unknown key or a bad value stops the run with a Japanese message naming the key (exit 2).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from ubereport.errors import ConfigError
from ubereport.plan.tomltext import toml_problem as _toml_problem

CONFIG_NAME = "ubereport.toml"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every key of ubereport.toml (see DEFAULT_TOML for the commented file)."""

    root: Path = Path(".")
    fiscal_year: int | None = None  # 報告年度; None: the newest year found in the submissions
    deadline: str = ""  # 提出期限: a date or 「2026-04-01 から 10 開庁日」
    achieved: float = 1.0  # 達成 band: rate ≥ this
    mostly: float = 0.75  # 概ね達成 band: rate ≥ this
    inbox: str = "inbox"
    outbox: str = "outbox"
    archive: str = "archive"
    rejected: str = "rejected"
    logs: str = "logs"
    master: str = "outbox/アクションプラン台帳.xlsx"
    move_processed: bool = True  # move originals out of the inbox after a run
    backups: int = 10  # master versions kept in <master folder>/backup
    settle_seconds: float = 60.0  # a file modified more recently is still being copied
    settle_check: str = (
        "window"  # "window": settle_seconds since the last change; "size": two looks
    )
    lock_wait_seconds: float = 60.0  # how long a second run waits for the lock
    log_days: int = 90  # daily log files kept
    closed_days: tuple[date, ...] = field(default_factory=tuple)  # extra 閉庁日
    workers: int = 0  # processes for reading cards; 0: automatic (large batches), 1: no workers
    pdf: bool = False  # also write PDFs of the published report and the cards (LibreOffice)

    def path(self, name: str) -> Path:
        return self.root / str(getattr(self, name))


KEY_LABELS = {
    "fiscal_year": "報告年度",
    "deadline": "提出期限",
    "achieved": "達成の基準",
    "mostly": "概ね達成の基準",
    "inbox": "受付フォルダ",
    "outbox": "出力フォルダ",
    "archive": "保管フォルダ",
    "rejected": "差戻しフォルダ",
    "logs": "ログフォルダ",
    "master": "台帳ファイル",
    "move_processed": "処理後に原本を移動",
    "backups": "台帳のバックアップ数",
    "settle_seconds": "書き込み中とみなす秒数",
    "settle_check": "コピー中の判定方法",
    "lock_wait_seconds": "ロック待ち秒数",
    "log_days": "ログを残す日数",
    "closed_days": "追加の閉庁日",
    "workers": "検査のプロセス数",
    "pdf": "PDF も作成",
}

DEFAULT_TOML = """# ubereport の設定（このファイルを変えたら、次の実行から反映されます）
# 報告年度（R4 / 令和4年度 / 2022）。省略すると提出されたカードの年度を使います。
# fiscal_year = "R5"
# 提出期限：日付（2026-05-15）または「2026-04-01 から 10 開庁日」
# deadline = "2026-05-15"
# 達成区分の基準（達成率がこの値以上）
achieved = 1.0
mostly = 0.75
# フォルダ（このファイルのあるフォルダからの相対パス）
inbox = "inbox"
outbox = "outbox"
archive = "archive"
rejected = "rejected"
logs = "logs"
master = "outbox/アクションプラン台帳.xlsx"
# 処理した原本を inbox から archive/ または rejected/ へ移動する
move_processed = true
# 台帳のバックアップを残す数
backups = 10
# 最終更新からこの秒数以内のファイルはコピー中とみなし、次回に回す
settle_seconds = 60
# コピー中の判定: "window"（最終更新から settle_seconds 秒）または "size"（1秒おいて2回見て、
# 大きさと更新日時が変わらなければ完了）。更新日時が未来のファイルは "size" で判定します。
# settle_seconds = 0 なら待ちません。
settle_check = "window"
# ほかの処理が台帳を更新中のとき待つ秒数
lock_wait_seconds = 60
# ログを残す日数
log_days = 90
# 追加の閉庁日（年末年始12/29～1/3と土日祝は自動）
closed_days = []
# カードの検査に使うプロセス数（0: 500件以上のとき自動で並列、1: 並列にしない）
workers = 0
# 公表用の取組達成状況とカードの PDF も作る（LibreOffice が必要。ないときは Excel での作り方を表示）
pdf = false
"""


def load_settings(root: Path) -> Settings:
    path = root / CONFIG_NAME
    if not path.exists():
        return Settings(root=root)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{CONFIG_NAME} を文字コード UTF-8 で保存し直してください"
            "（メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます）。"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_problem(str(exc))) from exc
    settings = Settings(root=root, **{k: _convert(k, v) for k, v in raw.items()})
    if not 0 <= settings.mostly <= settings.achieved:
        raise ConfigError(
            f"{CONFIG_NAME} の「mostly」（概ね達成の基準）は0以上で、「achieved」（達成の基準）以下に"
            f"してください（mostly = {settings.mostly:g}、achieved = {settings.achieved:g}）。"
        )
    return settings


def _convert(key: str, value: Any) -> Any:
    known = {f.name: f for f in fields(Settings) if f.name != "root"}
    if key not in known:
        names = "、".join(known)
        raise ConfigError(f"{CONFIG_NAME} の「{key}」は知らない設定です。使える設定: {names}")
    label = f"{CONFIG_NAME} の「{key}」（{KEY_LABELS[key]}）"
    if key == "fiscal_year":
        from ubereport.japanese.fiscal import (
            parse_fiscal_year,  # imported here: keeps the idle run fast
        )

        year = parse_fiscal_year(value)
        if year is None:
            raise ConfigError(
                f"{label}「{value}」を年度として読めません。「R5」のように書いてください。"
            )
        return year
    if key == "closed_days":
        return _dates(label, value)
    if key == "settle_check" and value not in ("window", "size"):
        raise ConfigError(f'{label}は "window" か "size" で書いてください（「{value}」）。')
    default = getattr(Settings(), key)
    return _typed(label, value, default)


def _typed(label: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{label}は true か false で書いてください（「{value}」）。")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{label}は0以上の数で書いてください（「{value}」）。")
        return type(default)(value)
    if not isinstance(value, str):
        raise ConfigError(f'{label}は文字列（"…"）で書いてください（「{value}」）。')
    return value


def _dates(label: str, value: Any) -> tuple[date, ...]:
    if not isinstance(value, list):
        raise ConfigError(
            f"{label}は [2026-08-14, 2026-08-15] のように日付の一覧で書いてください。"
        )
    out = []
    for item in value:
        if isinstance(item, date):
            out.append(item)
            continue
        try:
            out.append(date.fromisoformat(str(item)))
        except ValueError as exc:
            raise ConfigError(
                f"{label}の「{item}」を日付として読めません（例: 2026-08-14）。"
            ) from exc
    return tuple(out)


def toml_problem(message: str) -> str:
    """A Japanese sentence for a ``tomllib`` error in ubereport.toml."""
    return _toml_problem(CONFIG_NAME, message)
