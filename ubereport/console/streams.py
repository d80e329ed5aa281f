"""Console output that never fails on encoding.

Windows Task Scheduler redirects output to a file that Python writes in the ANSI code page
(cp932), strictly by default: one 「𠮷」 or emoji in a plan name would end the run with
``UnicodeEncodeError``. The console keeps the encoding it was given (so a cp932 reader sees
Japanese, not mojibake) and replaces what that encoding cannot hold with 「?」; the log file is
written separately and always in UTF-8 (:mod:`ubereport.job.runlog`).
"""

from __future__ import annotations

import codecs
import json
import sys
from typing import Any, TextIO


def setup_console(streams: tuple[TextIO, ...] | None = None) -> None:
    """Make ``streams`` (stdout and stderr) replace characters their encoding cannot hold."""
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):  # a closed or detached stream: nothing to write to anyway
            continue


def encoding_of(stream: TextIO) -> str:
    """The stream's encoding, normalised (``utf-8`` when it does not say)."""
    name = getattr(stream, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def console_json(payload: Any, stream: TextIO | None = None) -> str:
    """JSON text for ``stream``: readable Japanese on a UTF-8 stream; on any other encoding
    (cp932 when redirected on Windows) plain ASCII with ``\\uXXXX`` escapes, so the output is
    lossless, valid in that encoding and valid UTF-8 at once (JSON files are UTF-8 by spec)."""
    utf8 = encoding_of(stream or sys.stdout).startswith("utf-")
    return json.dumps(payload, ensure_ascii=not utf8, indent=2)
