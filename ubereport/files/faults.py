"""Named fault points at every durable step, for crash tests (the way SQLite tests commits).

Production code calls :func:`point` just before and after each step that changes the disk
(a temporary file written, flushed, renamed over its target, a backup copied, an original moved,
the log appended). With ``UBEREPORT_FAULT_AT`` unset (always, outside tests) a point does nothing.

``UBEREPORT_FAULT_AT=N`` kills the process at the N-th point (``os._exit``: no clean-up, no
``finally``, as a power cut or a killed task would); ``UBEREPORT_FAULT_AT=trace:FILE`` appends
each point's number and name to FILE instead, so a test can list every point of a run.

Worker processes (feedback workbooks are written there in a large batch) count their own points:
``UBEREPORT_FAULT_AT=worker:N`` kills a worker at its N-th point (and leaves the run's own
process alone, as when a worker alone is killed); a plain ``N`` counts only in the run's own
process. A trace lists a worker's points as ``worker:N``.
"""

from __future__ import annotations

import os

ENV = "UBEREPORT_FAULT_AT"
KILLED = 86  # the exit status of a process stopped at a fault point

WORKER = "worker:"

_seen = 0
_worker = False


def point(name: str) -> None:
    """One durable step; ``name`` says which (``replace:アクションプラン台帳.xlsx``)."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    global _seen
    _seen += 1
    if spec.startswith("trace:"):
        number = f"{WORKER}{_seen}" if _worker else str(_seen)
        with open(spec[len("trace:") :], "a", encoding="utf-8") as fh:
            fh.write(f"{number}\t{name}\n")
        return
    if spec.startswith(WORKER) != _worker:
        return  # a worker's point counts only for a worker's spec, and the other way round
    spec = spec.removeprefix(WORKER)
    if spec.isdigit() and int(spec) == _seen:
        os._exit(KILLED)


def in_worker() -> None:
    """Count this process's points as a worker's (the initializer of worker processes)."""
    global _worker
    _worker = True
    reset()


def reset() -> None:
    """Start counting again (a forked test child runs a fresh count)."""
    global _seen
    _seen = 0
