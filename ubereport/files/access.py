"""Why a file could not be opened, in words a clerk can act on.

On Windows a file another program holds open (Excel) fails with ``PermissionError`` too, told
apart from a real lack of permission only by its ``winerror`` (32 sharing / 33 lock violation).
"""

from __future__ import annotations

import errno

SHARING_VIOLATIONS = frozenset({32, 33})
HELD_OPEN = "ほかのプログラムが開いています"
NO_PERMISSION = "読み取りの権限がありません"
_BUSY = frozenset(n for n in (errno.EBUSY, getattr(errno, "ETXTBSY", None)) if n is not None)


def is_held_open(exc: OSError) -> bool:
    """True for a sharing or lock violation (another program has the file open)."""
    return getattr(exc, "winerror", None) in SHARING_VIOLATIONS or exc.errno in _BUSY


def open_problem(exc: OSError) -> str:
    """A short Japanese reason for ``exc`` raised while opening a file."""
    if is_held_open(exc):
        return HELD_OPEN
    if isinstance(exc, PermissionError):
        return NO_PERMISSION
    if isinstance(exc, FileNotFoundError):
        return "ファイルが見つかりません（移動または削除されました）"
    return exc.strerror or type(exc).__name__
