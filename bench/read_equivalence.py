#!/usr/bin/env python3
"""Whether two versions of the code read and validate every file the same (issue 18 point 3).

    python bench/read_equivalence.py --old-code DIR [--pool DIR] [--extra DIR ...]

``DIR`` holds another version's ``ubereport`` package (``git archive 0b5d0d9 ubereport | tar -x
-C DIR``). Each version runs in its own child process over the same files and writes the ``repr``
of every ``validate_file(path, default_registry())`` result, one line per file; the lines are then
compared. The files: the bench pool (``--pool``, default ``/tmp/b18c/pool``), everything under
``tests/fixtures/``, the bundled ``inbox/*.xlsx``, and every workbook under each ``--extra``
folder (e.g. the ``--basetemp`` of a test-suite run, which holds the cards the test builders made).
Exit status 0 when every line is the same.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xltx", ".csv", ".zip", ".ods"}


def gather(pool: Path | None, extras: list[Path]) -> list[Path]:
    files: list[Path] = []
    if pool is not None and pool.is_dir():
        files += sorted(p for p in pool.iterdir() if p.is_file())
    files += sorted(p for p in (REPO / "tests" / "fixtures").rglob("*") if p.is_file())
    files += sorted((REPO / "inbox").glob("*.xlsx"))
    for extra in extras:
        files += sorted(
            p
            for p in extra.rglob("*")
            if p.is_file() and not p.is_symlink() and p.suffix.lower() in SUFFIXES
        )
    return files


def dump(listing: Path, out: Path) -> None:
    """In the child: one ``repr`` line per listed file, with the code on ``sys.path``."""
    from ubereport.plan.registry import default_registry
    from ubereport.validate.run import validate_file

    registry = default_registry()
    with out.open("w", encoding="utf-8") as fh:
        for line in listing.read_text(encoding="utf-8").splitlines():
            report = validate_file(Path(line), registry)
            fh.write(repr(report).replace("\n", "\\n") + "\n")


def run(code: Path, listing: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run(
        [sys.executable, __file__, "--dump", str(listing), str(out)],
        check=True,
        env=env,
        cwd=tempfile.gettempdir(),  # never this worktree's package by accident
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-code", type=Path, help="folder holding the other version's ubereport")
    ap.add_argument("--new-code", type=Path, default=REPO)
    ap.add_argument("--pool", type=Path, default=Path("/tmp/b18c/pool"))
    ap.add_argument("--extra", type=Path, action="append", default=[])
    ap.add_argument("--dump", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.dump:
        dump(*args.dump)
        return 0
    if args.old_code is None:
        ap.error("--old-code is required")
    files = gather(args.pool, args.extra)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
        outs = {}
        for label, code in (("old", args.old_code), ("new", args.new_code)):
            outs[label] = Path(tmp) / f"{label}.txt"
            run(code.resolve(), listing, outs[label])
        old = outs["old"].read_text(encoding="utf-8").splitlines()
        new = outs["new"].read_text(encoding="utf-8").splitlines()
    differ = [f for f, a, b in zip(files, old, new, strict=True) if a != b]
    groups: dict[str, int] = {}
    for f in files:
        key = (
            "pool"
            if args.pool and f.parent == args.pool
            else f.relative_to(REPO).parts[0]
            if f.is_relative_to(REPO)
            else "extra"
        )
        groups[key] = groups.get(key, 0) + 1
    internal = sum("internal-error" in line for line in new)
    findings = sum(line.count("Finding(") for line in new)
    cards = sum("card=Card(" in line for line in new)
    print(
        f"{len(files)} files ({', '.join(f'{k} {n}' for k, n in groups.items())}): "
        f"{len(files) - len(differ)} identical, {len(differ)} different; "
        f"{cards} parsed cards, {findings} findings, {internal} internal errors (new code)"
    )
    for f in differ[:20]:
        print("DIFFERENT:", f)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
