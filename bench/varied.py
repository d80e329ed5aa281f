"""bench part (f): a 20,000-card batch with realistic variety (issue 18).

The batches of part (b) cycle through the 14 plans of the bundled registry, so a large batch is
almost all 不採用 (only the newest card of each of 70 plans and years is merged). Here the batch
belongs to a larger plan — ``--varied-plans`` plans (500 by default, as a prefecture's root or a
backlog of several municipalities would hold) over the registry's 5 years — so the run merges
thousands of cards, records every submission, rejects the broken ones and writes their feedback.

Each card's plan and year are drawn at random (seeded) from every plan × year, so a plan and year
gets between none and a dozen submissions (about 8 on average at 20,000 cards): the newest is
merged, the others are 不採用. Every 20th card, from the 8th on, is broken as in part (b) (a
「12?」 actual, a truncated zip, a CSV renamed to .xlsx). The texts and KPIs of plan *i* are those
of the bundled sample card *i mod 14*, varied per card as in part (b).

The registry is written by :func:`write_registry` into the bench's work folder; the run uses it
through :func:`run_args` (the only two places that know where the registry lives).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

GENERATOR_VERSION = "bench-varied-1"
DEFAULT_PLANS = 500
YEARS = 5
FIRST_YEAR = 2022  # R4, as the bundled plan.toml
BROKEN_EVERY = 20
BROKEN_OFFSET = 7
BROKEN_KINDS = ("value", "truncated", "csv")

PLAN_TOML = """# The bench's plan: the bundled one with more plans (bench/varied.py).
plan_id = "bench-varied"
title = "行財政改革推進計画（ベンチマーク）"
first_year = "R4"
years = 5
municipality_code = "352021"
prefecture = "山口県"
municipality = "宇部市"
"""


def write_registry(folder: Path, plans: int) -> tuple[Path, Path]:
    """``registry.csv`` + ``plan.toml`` of a plan with ``plans`` plans, in ``folder``.

    Plan *i* takes the 基本方針, 戦略 and 主管課 of bundled plan *i mod 14* and that plan's name
    with 「（その n）」. When ``ubereport init --root`` writes the plan definition into the root,
    write these two files there instead (and drop the launcher in :func:`run_args`).
    """
    from ubereport.plan.registry import default_registry

    bundled = default_registry()
    base = bundled.plans
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(bundled.columns)
    for i in range(plans):
        src = base[i % len(base)]
        name = src.plan_name if i < len(base) else f"{src.plan_name}（その{i // len(base) + 1}）"
        levels = [c for lv in src.levels for c in (lv.no, lv.name)]
        writer.writerow([*levels, f"{i + 1:02d}", name, src.lead_division])
    csv_path, plan_path = folder / "registry.csv", folder / "plan.toml"
    csv_path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    plan_path.write_text(PLAN_TOML, encoding="utf-8")
    return csv_path, plan_path


def load(csv_path: Path, plan_path: Path) -> Any:
    from ubereport.plan.registry import load_registry

    return load_registry(csv_path, plan_path)


# This code reads the plan from the root (plans/, see :func:`use_registry`); an older version
# (``--baseline-code``, before issue 16: no ``load_definition``) reads the bundled registry, and
# this launcher makes the bench's its default (in the run's own process and, through the pickled
# registry, its workers). A version that reads plans/ is left to read it: binding the paths there
# would give its ``load_definition`` four arguments.
RUN = (
    "import functools, sys\n"
    "from pathlib import Path\n"
    "import ubereport.plan.registry as r\n"
    "if not hasattr(r, 'load_definition'):\n"
    "    r.load_registry = functools.partial(r.load_registry, Path({csv!r}), Path({plan!r}))\n"
    "from ubereport.cli import main\n"
    "sys.exit(main(['run', '--root', {root!r}]))\n"
)


def use_registry(root: Path, registry: tuple[Path, Path]) -> None:
    """Make the bench's plan the root's only plan (the definition ``init --root`` wrote goes)."""
    plans = root / "plans"
    shutil.rmtree(plans, ignore_errors=True)
    (plans / "bench-varied").mkdir(parents=True)
    for path in registry:
        shutil.copyfile(path, plans / "bench-varied" / Path(path).name)


def run_args(
    python: str, root: Path, registry: tuple[Path, Path], *, baseline: bool = False
) -> list[str]:
    """The command line of ``ubereport run --root ROOT`` with the bench's registry: this code
    reads it from the root; an older version gets it through the launcher."""
    if not baseline:
        return [python, "-m", "ubereport", "run", "--root", str(root)]
    csv_path, plan_path = (Path(p) for p in registry)
    code = RUN.format(csv=str(csv_path), plan=str(plan_path), root=str(root))
    return [python, "-c", code]


# ------------------------------------------------------------------------------------------
# the batch
# ------------------------------------------------------------------------------------------


def card_spec(index: int, plans: int, seed: int, divisions: Sequence[str]) -> Any:
    from run import CardSpec

    key = random.Random(f"{seed}:key:{index}").randrange(plans * YEARS)
    plan, year = key % plans, FIRST_YEAR + key // plans
    broken = None
    if index % BROKEN_EVERY == BROKEN_OFFSET:
        broken = BROKEN_KINDS[(index // BROKEN_EVERY) % len(BROKEN_KINDS)]
    plan_no = f"{plan + 1:02d}"
    division = divisions[plan % len(divisions)] or "担当課"
    name = f"{plan_no}_{division}_R{year - 2018}_{index:05d}.xlsx"
    return CardSpec(index, plan_no, year, broken, name)


_STATE: dict[str, Any] = {}


def _write(job: tuple[int, int, int, str, str, str]) -> str:
    """Write card ``index`` of the varied pool into ``folder`` (runs in a worker process)."""
    index, seed, plans, folder, csv_path, plan_path = job
    from run import _csv_bytes, card_fields

    from ubereport.card.writer import CardOptions, write_card
    from ubereport.plan.registry import default_registry

    if not _STATE:
        _STATE["registry"] = load(Path(csv_path), Path(plan_path))
        _STATE["bundled"] = default_registry().plans
    registry, bundled = _STATE["registry"], _STATE["bundled"]
    spec = card_spec(index, plans, seed, [p.lead_division for p in bundled])
    source = bundled[(int(spec.plan_no) - 1) % len(bundled)].plan_no
    path = Path(folder) / spec.name
    fields = card_fields(spec, seed, registry, source)
    if spec.broken == "csv":
        path.write_bytes(_csv_bytes(fields, index))
        return spec.name
    write_card(path, fields, registry, CardOptions(section4="4 報告年度の実施内容"))
    if spec.broken == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * 0.6)])
    return spec.name


def generate(
    folder: Path, count: int, plans: int, seed: int, registry: tuple[Path, Path]
) -> tuple[list[Any], float]:
    """Generate (or reuse) the varied pool; returns the specs and the seconds taken."""
    from run import reuse_pool

    from ubereport.plan.registry import default_registry

    divisions = [p.lead_division for p in default_registry().plans]
    specs = [card_spec(i, plans, seed, divisions) for i in range(count)]
    manifest = folder / "manifest.json"
    wanted = {"generator": GENERATOR_VERSION, "seed": seed, "count": count, "plans": plans}
    if reuse_pool(folder, wanted, [s.name for s in specs]):
        return specs, 0.0
    start = time.perf_counter()
    csv_path, plan_path = (str(p) for p in registry)
    jobs = [(i, seed, plans, str(folder), csv_path, plan_path) for i in range(count)]
    workers = max(1, min(os.cpu_count() or 1, 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_write, jobs, chunksize=50))
    manifest.write_text(json.dumps(wanted))
    return specs, time.perf_counter() - start


def describe(specs: Sequence[Any], plans: int) -> dict[str, Any]:
    broken = Counter(s.broken for s in specs if s.broken)
    readable = [s for s in specs if s.broken not in ("truncated", "csv")]
    per_key = Counter((s.plan_no, s.fiscal_year) for s in readable)
    return {
        "files": len(specs),
        "registry_plans": plans,
        "plans": len({s.plan_no for s in specs}),
        "years": dict(sorted(Counter(f"R{s.fiscal_year - 2018}" for s in specs).items())),
        "keys": len(per_key),
        "per_key_max": max(per_key.values(), default=0),
        "broken": dict(sorted(broken.items())),
        "broken_total": sum(broken.values()),
    }


# ------------------------------------------------------------------------------------------
# the runs
# ------------------------------------------------------------------------------------------


def bench_varied(
    count: int,
    plans: int,
    seed: int,
    repeat: int,
    work: Path,
    *,
    make_root: Callable[..., None],
    fill_inbox: Callable[[Path, Sequence[Path]], None],
    run_child: Callable[..., Any],
    master_rows: Callable[[Path], dict[str, int]],
    parse_summary: Callable[[str], dict[str, Any]],
    log: Callable[[str], None],
    codes: Sequence[tuple[str, Path | None]] = (("this code", None),),
) -> dict[str, Any]:
    """Generate the batch, then ``repeat`` whole runs of it per code (``None``: this checkout;
    else a folder holding another version's ``ubereport`` package), taking turns."""
    import sys

    registry = write_registry(work / "varied-registry", plans)
    log(f"(f) generating {count} varied cards ({plans} plans)")
    specs, gen_s = generate(work / f"varied-pool-{plans}", count, plans, seed, registry)
    files = [work / f"varied-pool-{plans}" / s.name for s in specs]
    out: dict[str, Any] = {"batch": describe(specs, plans), "generation_s": gen_s, "runs": {}}
    runs: dict[str, list[Any]] = {label: [] for label, _ in codes}
    info: dict[str, dict[str, Any]] = {}
    for r in range(repeat):
        for label, code in codes if r % 2 == 0 else list(reversed(codes)):
            log(f"(f) {count} varied cards, {label}: run {r + 1}/{repeat}")
            root = work / "scratch" / "root-varied"
            make_root(root)
            use_registry(root, registry)
            fill_inbox(root, files)
            args = run_args(sys.executable, root, registry, baseline=code is not None)
            child = run_child(args, code=code)
            if child.exit_code not in (0, 1):
                raise RuntimeError(f"varied run exited {child.exit_code}:\n{child.stderr}")
            runs[label].append(child)
            if label not in info:
                info[label] = parse_summary(child.stdout)
                info[label]["master_rows"] = master_rows(root)
                info[label]["feedback"] = sum(
                    1 for _ in (root / "rejected").rglob("*_確認結果.xlsx")
                )
            shutil.rmtree(root, ignore_errors=True)
    for label, code in codes:
        out["runs"][label] = {
            "code": str(code) if code else "",
            "seconds": [c.seconds for c in runs[label]],
            "maxrss_mb": [c.maxrss_mb for c in runs[label]],
            "tree_rss_mb": [c.tree_rss_mb for c in runs[label]],
            "exit_codes": [c.exit_code for c in runs[label]],
            **info[label],
        }
    out["files"] = [str(f) for f in files]
    return out


def bench_threshold(
    sizes: Sequence[int],
    files: Sequence[Path],
    repeat: int,
    work: Path,
    *,
    make_root: Callable[..., None],
    fill_inbox: Callable[[Path, Sequence[Path]], None],
    run: Callable[[Path], Any],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The worker threshold: the whole run of the first N cards with workers = 1 and 2, in turn
    (so load on the machine falls on both alike)."""
    out: dict[str, Any] = {}
    for n in sizes:
        times: dict[int, list[float]] = {1: [], 2: []}
        for r in range(repeat):
            for w in (1, 2) if r % 2 == 0 else (2, 1):
                log(f"(t) N={n} workers = {w}: run {r + 1}/{repeat}")
                root = work / "scratch" / f"root-threshold-{w}"
                make_root(root, workers=w)
                fill_inbox(root, files[:n])
                child = run(root)
                if child.exit_code not in (0, 1):
                    raise RuntimeError(f"threshold run exited {child.exit_code}:\n{child.stderr}")
                times[w].append(child.seconds)
                shutil.rmtree(root, ignore_errors=True)
        out[str(n)] = {str(w): t for w, t in times.items()}
    return out
