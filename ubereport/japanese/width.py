"""Display width in a terminal: full-width (東アジアの文字幅 W/F) characters take two columns.

Combining marks and zero-width characters take none, so a decomposed (NFD) file name lines up like
its composed form.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal with a monospaced Japanese font."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (never cut)."""
    return text + " " * max(0, width - display_width(text))


def table(rows: list[list[str]], *, indent: str = "", gap: int = 2) -> list[str]:
    """Rows as lines whose columns line up by display width; the last column is not padded."""
    if not rows:
        return []
    columns = max(len(r) for r in rows)
    widths = [
        max((display_width(r[i]) for r in rows if i < len(r)), default=0) for i in range(columns)
    ]
    lines = []
    for row in rows:
        cells = [pad(cell, widths[i] + gap) for i, cell in enumerate(row[:-1])]
        lines.append((indent + "".join(cells) + (row[-1] if row else "")).rstrip())
    return lines
