"""Named fault points at every durable step, for crash tests (the way SQLite tests commits).

Production code calls :func:`point` just before and after each step that changes the disk
(a temporary file written, flushed, renamed over its target, a backup copied, an original moved,
the log appended). With ``UBEREPORT_FAULT_AT`` unset (always, outside tests) a point does nothing.

``UBEREPORT_FAULT_AT=N`` kills the process at the N-th point (``os._exit``: no clean-up, no
``finally``, as a power cut or a killed task would); ``UBEREPORT_FAULT_AT=trace:FILE`` appends
each point's number and name to FILE instead, so a test can list every point of a run.
"""

from __future__ import annotations

import os

ENV = "UBEREPORT_FAULT_AT"
KILLED = 86  # the exit status of a process stopped at a fault point

_seen = 0


def point(name: str) -> None:
    """One durable step; ``name`` says which (``replace:アクションプラン台帳.xlsx``)."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    global _seen
    _seen += 1
    if spec.startswith("trace:"):
        with open(spec[len("trace:") :], "a", encoding="utf-8") as fh:
            fh.write(f"{_seen}\t{name}\n")
    elif spec.isdigit() and int(spec) == _seen:
        os._exit(KILLED)


def reset() -> None:
    """Start counting again (a forked test child runs a fresh count)."""
    global _seen
    _seen = 0
