"""Progress of a long batch on an interactive terminal: files read of total, elapsed, remaining.

A dozen lines of our own rather than a library: the line is Japanese, measured in display width,
shown only on a terminal (never into a redirected file or the scheduled job's log) and only once
a batch has taken more than :data:`QUIET_SECONDS`, so short runs look exactly as before. tqdm
would add a dependency for this, with English units and no display-width awareness.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ubereport.japanese.width import display_width

QUIET_SECONDS = 1.0  # a batch done sooner shows nothing
EVERY_SECONDS = 0.2  # at most five updates a second


class Progress:
    """Call with (files done, total) after each file; :meth:`close` clears the line.

    ``clock`` is injectable so a test can drive the time.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str = "読み取り中",
        then: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.then = then  # shown once every file is read, while the rest of the work goes on
        self.clock = clock
        self.started = clock()
        self.shown_at: float | None = None
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        elapsed = now - self.started
        if elapsed < QUIET_SECONDS or total <= 0:
            return
        if self.shown_at is not None and now - self.shown_at < EVERY_SECONDS and done < total:
            return
        self.shown_at = now
        if done >= total:
            line = (
                f"{self.label} {total:,}/{total:,} 件（100%）  経過 {_clock(elapsed)}  {self.then}"
            )
        else:
            left = elapsed / done * (total - done) if done else None
            line = (
                f"{self.label} {done:,}/{total:,} 件（{done * 100 // total}%）"
                f"  経過 {_clock(elapsed)}  残り 約 {_clock(left) if left is not None else '-'}"
            )
        self._write(line.rstrip())

    def close(self) -> None:
        if self.width:
            self._write("")
            self.stream.write("\r")
            self.stream.flush()

    def _write(self, line: str) -> None:
        pad = " " * max(0, self.width - display_width(line))
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self.width = display_width(line)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"


@contextmanager
def terminal_progress(
    stream: TextIO, label: str = "読み取り中", then: str = ""
) -> Iterator[Progress | None]:
    """A :class:`Progress` on ``stream`` when it is an interactive terminal, else None; the line
    is cleared when the block ends, however it ends."""
    isatty = getattr(stream, "isatty", None)
    try:
        interactive = bool(isatty and isatty())
    except (ValueError, OSError):
        interactive = False
    progress = Progress(stream, label, then) if interactive else None
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()
