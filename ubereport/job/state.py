"""The run's cache of the content hashes the master holds, tied to the master's size and mtime.

It lets an idle run decide "nothing new" without opening the master. The cache is disposable:
any mismatch or read problem means "unknown", and the run reads the master.
"""

from __future__ import annotations

import json
from pathlib import Path

from ubereport.files.atomic import write_atomically
from ubereport.job.config import Settings

STATE_NAME = ".ubereport_state.json"


def _state_path(settings: Settings) -> Path:
    return settings.path("master").with_name(STATE_NAME)


def known_hashes(settings: Settings) -> set[str]:
    """Hashes the master already holds, from a cache valid only for the master as it is now."""
    return state_hashes(settings) or set()


def state_hashes(settings: Settings) -> set[str] | None:
    """Every hash the master holds, from the state when it is for the master as it is now
    (None when it is not: then nobody knows without reading the master)."""
    master = settings.path("master")
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
        stat = master.stat()
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("master") != [stat.st_size, stat.st_mtime_ns]:
        return None
    hashes = state.get("hashes")
    return {h for h in hashes if isinstance(h, str)} if isinstance(hashes, list) else None


def pending_reports(settings: Settings) -> list[str]:
    """Reports a run could not replace because someone had them open: the next run writes them."""
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    pending = state.get("pending_reports", [])
    return [str(p) for p in pending] if isinstance(pending, list) else []


def rendered_version(settings: Settings) -> str | None:
    """The version of the plan definition the reports were last rendered with."""
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = state.get("plan_version")
    return version if isinstance(version, str) else None


def save_state(
    settings: Settings, hashes: set[str], pending: list[str] | None = None, version: str = ""
) -> None:
    """Cache the master's content hashes, tied to the master file's size and mtime, and the
    plan definition's version the reports were rendered with."""
    master = settings.path("master")
    stat = master.stat()
    payload = {
        "master": [stat.st_size, stat.st_mtime_ns],
        "hashes": sorted(hashes),
        "pending_reports": pending or [],
        "plan_version": version,
    }
    text = json.dumps(payload, ensure_ascii=False)
    write_atomically(_state_path(settings), lambda tmp: tmp.write_text(text, encoding="utf-8"))
