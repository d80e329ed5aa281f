#!/usr/bin/env python3
"""ubereport benchmark (issues 7, 18): read + validate, the whole run, the idle run, the master,
the incremental run.

    python bench/run.py                                  # the full set: N = 14, 200, 2000 (+ f, t)
    python bench/run.py --sizes 14,200 --repeat 1        # a quick run
    python bench/run.py --results bench/RESULTS.md       # also write the Markdown results

What it does (details in bench/README.md):

1. generates max(N) varied cards from the template with ``write_card`` (seeded; every 20th card,
   from the 8th on, is broken: a 「12?」 actual, a truncated zip, or a CSV renamed to .xlsx, in
   turn); the batch of size N is the first N of them;
2. (a) read + validate per card against two baselines, each approach in its own fresh worker
   process: the raw floor (zipfile + ElementTree of the named cells), ``validate_file``, and the
   naive clerk's script (openpyxl ``load_workbook`` of every file plus ``pandas.concat``);
3. (b) the whole ``ubereport run`` per N as a subprocess on a root made by ``ubereport init``;
4. (c) the idle ``ubereport run`` (nothing new) and whether pandas/openpyxl were imported;
5. (d) ``read_master`` + ``write_master`` of a master holding 20,000 KPI-year rows;
6. (e) one new card into a root whose master holds 100 / 5,000 / 20,000 submissions
   (``bench/incremental.py``);
7. (f) a 20,000-card batch over a generated 500-plan registry, optionally against another
   version's code in the same run (``bench/varied.py``, ``--baseline-code``);
8. (t) the worker threshold: the whole run of small batches with ``workers = 1`` and ``2``.

Times are medians of several runs; peak memory is the Python heap peak (``tracemalloc``, in one
extra untimed pass) and the worker's / child's peak RSS (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

GENERATOR_VERSION = "bench-cards-2"
PLAN_COUNT = 14
YEAR_COUNT = 5
FIRST_YEAR = 2022  # R4
BROKEN_EVERY = 20
BROKEN_OFFSET = 7
BROKEN_KINDS = ("value", "truncated", "csv")
APPROACHES = ("floor", "ubereport", "ubereport-read", "naive")
APPROACH_LABELS = {
    "floor": "raw floor (zipfile + ElementTree, named cells)",
    "ubereport": "ubereport `validate_file` (read + validate)",
    "ubereport-read": "ubereport `read_card` only",
    "naive": "naive (openpyxl `load_workbook` + `pandas.concat`)",
}
MB = 1024 * 1024

GOAL_RV_MS = 5.0
GOAL_RV_RATIO = 1.3  # issue 18 (issue 7 had 5×)
RV_READS = 6000  # (a) reads per approach and N at least: 429 passes at N=14, 30 at 200, 3 at 2,000
GOAL_RUN_S = 60.0
GOAL_RUN_MB = 500.0
GOAL_IDLE_MS = 150.0
GOAL_MASTER_S = 3.0
GOAL_INCREMENTAL_S = 1.0
GOAL_INCREMENTAL_RATIO = 1.5
GOAL_BATCH_MB = 250.0
INCREMENTAL_BASE = 200  # cards of the real run whose master part (e) scales


# ------------------------------------------------------------------------------------------
# card generation
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardSpec:
    index: int
    plan_no: str
    fiscal_year: int
    broken: str | None
    name: str


FILLERS = (
    "関係課と連携し、進捗状況を四半期ごとに確認した。",
    "市民アンケートの結果を踏まえ、取組内容を見直した。",
    "前年度の課題を整理し、実施手順を改善した。",
    "庁内の会議で情報を共有し、全庁的な取組として推進した。",
    "外部の専門家の助言を得て、効果検証の方法を検討した。",
    "次年度に向けて、予算と人員の配分を再検討した。",
)
FY_FORMATS = ("R{n}", "R{n}", "令和{n}年度", "{y}年度", "Ｒ{n}")
ASSESSMENTS = ("達成", "概ね達成", "未達成")
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
_DECIMALS = re.compile(r"[.．]([0-9０-９]+)")


def card_spec(index: int, divisions: Sequence[str]) -> CardSpec:
    """Card ``index`` of the pool: plan, year and brokenness depend on the index only."""
    plan = index % PLAN_COUNT
    year = FIRST_YEAR + (index // PLAN_COUNT + plan) % YEAR_COUNT
    broken = None
    if index % BROKEN_EVERY == BROKEN_OFFSET:
        broken = BROKEN_KINDS[(index // BROKEN_EVERY) % len(BROKEN_KINDS)]
    plan_no = f"{plan + 1:02d}"
    division = divisions[plan] or "担当課"
    name = f"{plan_no}_{division}_R{year - 2018}_{index:04d}.xlsx"
    return CardSpec(index, plan_no, year, broken, name)


_GEN: dict[str, Any] = {}


def _gen_state() -> dict[str, Any]:
    if not _GEN:
        from ubereport.card.sample import load_samples
        from ubereport.plan.registry import default_registry

        registry = default_registry()
        samples = load_samples()
        _GEN.update(
            registry=registry,
            samples=samples,
            by_plan={s["plan_no"]: s for s in samples},
        )
    return _GEN


def _vary_text(text: str, rng: random.Random) -> str:
    factor = rng.choice((0.4, 0.7, 1.0, 1.0, 1.3, 1.8))
    if not text or factor == 1.0:
        return text
    if factor < 1.0:
        return text[: max(1, int(len(text) * factor))]
    extra = []
    while len(text) + sum(map(len, extra)) < len(text) * factor:
        extra.append(rng.choice(FILLERS))
    return text + ("\n・" if "\n" in text else "") + "".join(extra)


def _decimals(text: str) -> int:
    m = _DECIMALS.search(text)
    return min(len(m.group(1)), 2) if m else 0


def _vary_value(text: object, rng: random.Random, kpi_unit: str = "") -> str | float | None:
    """A plausible actual near a number text (same unit), or None when it is not a number."""
    from ubereport.japanese.values import ValueKind, format_number, parse_value

    parsed = parse_value(text)
    if parsed.kind is not ValueKind.NUMBER or parsed.value is None:
        return None
    value = parsed.value * rng.uniform(0.8, 1.15)
    if "%" in (parsed.unit or "", kpi_unit):
        value = min(value, 100.0)
    digits = _decimals(str(text))
    value = round(value, digits) if digits else float(round(value))
    style = rng.random()
    if style < 0.12:
        return value  # a plain number cell
    out = format_number(value, parsed.unit)
    if style < 0.25:
        out = out.translate(FULL_WIDTH)
    return out


def _actual(kpi: dict[str, Any], y: int, sample_actual: str, rng: random.Random) -> object:
    from ubereport.japanese.values import ValueKind, parse_value

    targets = [str(t) for t in kpi["targets"]]
    unit = str(kpi.get("unit", ""))
    for candidate in [targets[y], *targets[y + 1 :], sample_actual, str(kpi.get("baseline", ""))]:
        varied = _vary_value(candidate, rng, unit)
        if varied is not None:
            return varied
    kind = parse_value(targets[y]).kind
    if kind is ValueKind.QUALITATIVE:
        return targets[y]
    return sample_actual if sample_actual else ""


def card_fields(
    spec: CardSpec, seed: int, registry: Any = None, source_plan: str | None = None
) -> dict[str, object]:
    """The defined-name -> value dict of one generated card (of ``registry``, the bundled one by
    default; its texts and KPIs from the sample card of ``source_plan``, by default its own)."""
    from ubereport.card.sample import sample_fields

    state = _gen_state()
    rng = random.Random(f"{seed}:{spec.index}")
    registry = registry or state["registry"]
    source = state["by_plan"].get(source_plan or spec.plan_no) or rng.choice(state["samples"])
    fields: dict[str, object] = dict(sample_fields(source))
    entry = registry.plan(spec.plan_no)
    n = spec.fiscal_year - 2018
    fields.update(
        plan_no=rng.choice((spec.plan_no, spec.plan_no, str(int(spec.plan_no)), int(spec.plan_no))),
        plan_name=entry.plan_name,
        policy=entry.policy,
        strategy=entry.strategy,
        lead_division=entry.lead_division or "行革推進課",
        fiscal_year=rng.choice(FY_FORMATS).format(n=n, y=spec.fiscal_year),
    )
    for key in ("outcome", "situation", "plan_actions", "achievements", "next_actions"):
        fields[key] = _vary_text(str(fields[key]), rng)
    fields["shortfall_reason"] = _vary_text(str(fields["shortfall_reason"]), rng) or FILLERS[2]
    for i in range(1, 5):
        fields[f"input_{i}"] = _vary_text(str(fields[f"input_{i}"]), rng)
        result = _vary_value(fields[f"output_{i}"], rng)
        if result is not None:
            fields[f"output_result_{i}"] = result
    reported = spec.fiscal_year - FIRST_YEAR
    for k, kpi in enumerate(source["kpis"], start=1):
        p = f"kpi{k}_"
        sample_actual = str(source["sample"]["kpi_actuals"][k - 1])
        for y in range(YEAR_COUNT):
            value = _actual(kpi, y, sample_actual, rng) if y <= reported else ""
            fields[f"{p}actual_y{y + 1}"] = value
        if rng.random() < 0.3:
            fields[p + "assessment"] = rng.choice(ASSESSMENTS)
            fields[p + "assessment_reason"] = rng.choice(FILLERS)
        else:
            fields[p + "assessment"] = ""
            fields[p + "assessment_reason"] = ""
    if spec.broken == "value":
        fields[f"kpi1_actual_y{reported + 1}"] = "12?"
    return fields


def _csv_bytes(fields: dict[str, object], index: int) -> bytes:
    """What Excel's 「CSV」 save of the card's data would look like (cp932), one per index."""
    out = io.StringIO()
    writer = csv.writer(out)
    keys = ["plan_no", "plan_name", "fiscal_year", "kpi1_name", "kpi1_actual_y1"]
    writer.writerow([*keys, "no"])
    writer.writerow([*(str(fields.get(k, "")) for k in keys), str(index)])
    return out.getvalue().encode("cp932", errors="replace")


def write_generated(job: tuple[int, int, str]) -> str:
    """Write pool card ``index`` into ``folder`` (runs in a worker process)."""
    index, seed, folder = job
    from ubereport.card.writer import CardOptions, write_card

    state = _gen_state()
    divisions = [p.lead_division for p in state["registry"].plans]
    spec = card_spec(index, divisions)
    path = Path(folder) / spec.name
    fields = card_fields(spec, seed)
    if spec.broken == "csv":
        path.write_bytes(_csv_bytes(fields, index))
        return spec.name
    write_card(path, fields, state["registry"], CardOptions(section4="4 報告年度の実施内容"))
    if spec.broken == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * 0.6)])
    return spec.name


def reuse_pool(folder: Path, wanted: dict[str, Any], names: list[str]) -> bool:
    """Whether ``folder`` already holds the pool ``wanted`` describes (its manifest and files);
    when it does not, ``folder`` is emptied for a new one."""
    manifest = folder / "manifest.json"
    if (
        manifest.exists()
        and json.loads(manifest.read_text()) == wanted
        and all((folder / name).exists() for name in names)
    ):
        return True
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return False


def generate_pool(folder: Path, count: int, seed: int) -> tuple[list[CardSpec], float]:
    """Generate (or reuse) the pool of ``count`` cards; returns the specs and seconds taken."""
    from ubereport.plan.registry import default_registry

    divisions = [p.lead_division for p in default_registry().plans]
    specs = [card_spec(i, divisions) for i in range(count)]
    manifest = folder / "manifest.json"
    wanted = {"generator": GENERATOR_VERSION, "seed": seed, "count": count}
    if reuse_pool(folder, wanted, [s.name for s in specs]):
        return specs, 0.0
    start = time.perf_counter()
    jobs = [(i, seed, str(folder)) for i in range(count)]
    workers = max(1, min(os.cpu_count() or 1, 8))
    if count < 50 or workers == 1:
        for job in jobs:
            write_generated(job)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(write_generated, jobs, chunksize=25))
    manifest.write_text(json.dumps(wanted))
    return specs, time.perf_counter() - start


def describe_batch(specs: Sequence[CardSpec]) -> dict[str, Any]:
    broken = Counter(s.broken for s in specs if s.broken)
    readable = [s for s in specs if s.broken not in ("truncated", "csv")]
    keys = {(s.plan_no, s.fiscal_year) for s in readable}
    years = Counter(f"R{s.fiscal_year - 2018}" for s in specs)
    return {
        "files": len(specs),
        "broken": dict(sorted(broken.items())),
        "broken_total": sum(broken.values()),
        "plans": len({s.plan_no for s in specs}),
        "years": dict(sorted(years.items())),
        "keys": len(keys),
    }


# ------------------------------------------------------------------------------------------
# (a) read + validate: the three approaches, each run in a worker process
# ------------------------------------------------------------------------------------------

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NAME_REF = re.compile(r"^'?(.+?)'?!\$?([A-Z]{1,3})\$?(\d+)$")


def floor_read(path: Path) -> dict[str, str | None] | None:
    """The raw floor: the named cells' values, straight from the XML; None if unreadable."""
    try:
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_NS}Relationship")}
            sheets = {
                s.get("name"): "xl/" + targets[s.get(f"{REL_NS}id")].lstrip("/").removeprefix("xl/")
                for s in book.iter(f"{NS}sheet")
            }
            wanted: dict[str, dict[str, str]] = {}
            for node in book.iter(f"{NS}definedName"):
                m = _NAME_REF.match(node.text or "")
                if m and node.get("localSheetId") is None:
                    wanted.setdefault(m.group(1), {})[m.group(2) + m.group(3)] = node.get(
                        "name", ""
                    )
            strings: list[str] = []
            if "xl/sharedStrings.xml" in z.NameToInfo:
                sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
                strings = ["".join(t.text or "" for t in si.iter(f"{NS}t")) for si in sst]
            out: dict[str, str | None] = {}
            for sheet, refs in wanted.items():
                root = ET.fromstring(z.read(sheets[sheet]))
                for c in root.iter(f"{NS}c"):
                    name = refs.get(c.get("r", ""))
                    if name is None:
                        continue
                    v = c.find(f"{NS}v")
                    text = v.text if v is not None else None
                    if c.get("t") == "s" and text is not None:
                        text = strings[int(text)]
                    out[name] = text
            return out
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError, IndexError):
        return None


def _rv_setup(approach: str) -> Callable[[list[Path]], tuple[Any, int]]:
    """Import what ``approach`` needs and return its batch function (result, failed count)."""
    if approach == "floor":

        def floor_batch(files: list[Path]) -> tuple[Any, int]:
            rows = [floor_read(f) for f in files]
            return rows, sum(r is None for r in rows)

        return floor_batch
    if approach in ("ubereport", "ubereport-read"):
        from ubereport.card.reader import read_card
        from ubereport.plan.registry import default_registry
        from ubereport.validate.run import validate_file

        registry = default_registry()
        if approach == "ubereport-read":

            def read_batch(files: list[Path]) -> tuple[Any, int]:
                results = [read_card(f, registry) for f in files]
                return results, sum(r.card is None for r in results)

            return read_batch

        def validate_batch(files: list[Path]) -> tuple[Any, int]:
            reports = [validate_file(f, registry) for f in files]
            return reports, sum(not r.valid for r in reports)

        return validate_batch
    if approach == "naive":
        import openpyxl
        import pandas as pd

        def naive_batch(files: list[Path]) -> tuple[Any, int]:
            frames = []
            failed = 0
            for f in files:
                try:
                    wb = openpyxl.load_workbook(f, data_only=True)
                except Exception:
                    failed += 1
                    continue
                row: dict[str, Any] = {"file": f.name}
                for name, dn in wb.defined_names.items():
                    for title, coord in dn.destinations:
                        row[name] = wb[title][coord.replace("$", "")].value
                frames.append(pd.DataFrame([row]))
                wb.close()
            return pd.concat(frames, ignore_index=True), failed

        return naive_batch
    raise ValueError(approach)


def worker_rv(spec: dict[str, Any]) -> dict[str, Any]:
    """Time each approach over the files, passes interleaved (A B C, B C A, …) against drift."""
    files = [Path(f) for f in spec["files"]]
    approaches: list[str] = spec["approaches"]
    batches = {}
    import_s = {}
    for approach in approaches:
        start = time.perf_counter()
        batches[approach] = _rv_setup(approach)
        import_s[approach] = time.perf_counter() - start
        batches[approach](files[:1])  # warm-up: lazy caches, regexes
    seconds: dict[str, list[float]] = {a: [] for a in approaches}
    cpu: dict[str, list[float]] = {a: [] for a in approaches}
    failed: dict[str, int] = {}
    for p in range(spec["passes"]):
        for approach in approaches[p % len(approaches) :] + approaches[: p % len(approaches)]:
            t0, c0 = time.perf_counter(), time.process_time()
            result, failed[approach] = batches[approach](files)
            seconds[approach].append(time.perf_counter() - t0)
            cpu[approach].append(time.process_time() - c0)
            del result
    out = {}
    for approach in approaches:
        tracemalloc.start()
        result, _ = batches[approach](files)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del result
        out[approach] = {
            "n": len(files),
            "seconds": seconds[approach],
            "cpu_seconds": cpu[approach],
            "failed": failed[approach],
            "import_s": import_s[approach],
            "traced_peak_mb": peak / MB,
        }
    return {"approaches": out, "maxrss_mb": _self_maxrss_mb()}


# ------------------------------------------------------------------------------------------
# (d) the master: read_master + write_master with 20,000 KPI-year rows
# ------------------------------------------------------------------------------------------

TARGET_TEXTS = ("99.05%", "4,200件", "10時間/月以下", "2,121,796千円", "約40名", "⇒", "規程策定")


def build_master(rows: int) -> Any:
    from ubereport.master.store import new_master
    from ubereport.plan.registry import default_registry

    rng = random.Random(7)
    data = new_master(default_registry())
    values = data.tables["kpi_values"]
    plans = math.ceil(rows / (2 * YEAR_COUNT))
    for p in range(plans):
        for k in (1, 2):
            for y in range(YEAR_COUNT):
                if len(values) >= rows:
                    break
                target = rng.choice(TARGET_TEXTS)
                actual = rng.choice((f"{rng.uniform(50, 100):.2f}%", f"{rng.randint(1, 9999):,}件"))
                values.append(
                    {
                        "plan_no": f"{p + 1:04d}",
                        "kpi_no": k,
                        "fiscal_year": f"R{4 + y}",
                        "target_text": target,
                        "actual_text": actual if y < 3 else None,
                        "assessment": rng.choice(ASSESSMENTS) if y < 3 else None,
                        "assessment_reason": rng.choice(FILLERS) if y < 3 else None,
                        "submission_id": f"S{rng.getrandbits(40):010x}",
                    }
                )
    return data


def worker_master(spec: dict[str, Any]) -> dict[str, Any]:
    from ubereport.master.store import read_master, write_master

    folder = Path(spec["dir"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "アクションプラン台帳.xlsx"
    t0 = time.perf_counter()
    write_master(path, build_master(spec["rows"]), backups=0)
    first_write = time.perf_counter() - t0
    reads, writes = [], []
    rows = 0
    for _ in range(spec["passes"]):
        t0 = time.perf_counter()
        data = read_master(path)
        t1 = time.perf_counter()
        write_master(path, data, backups=10)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        writes.append(t2 - t1)
        rows = len(data.tables["kpi_values"])
    tracemalloc.start()
    write_master(path, read_master(path), backups=10)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "first_write_s": first_write,
        "read_s": reads,
        "write_s": writes,
        "total_s": [r + w for r, w in zip(reads, writes, strict=True)],
        "file_mb": path.stat().st_size / MB,
        "traced_peak_mb": peak / MB,
        "maxrss_mb": _self_maxrss_mb(),
    }


# ------------------------------------------------------------------------------------------
# subprocesses
# ------------------------------------------------------------------------------------------


def _self_maxrss_mb() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


PYCACHE: list[Path] = []  # set by main(): children keep their byte code here, not in the repo


def _env(*, bytecode: bool = True, code: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode and PYCACHE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE[0])
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code or REPO), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@dataclass(slots=True)
class ChildRun:
    seconds: float
    exit_code: int
    maxrss_mb: float | None
    stdout: str
    stderr: str
    tree_rss_mb: float | None = None  # the child and its worker processes together (sampled)


# A child's ru_maxrss starts at its parent's RSS (the parent's memory image is accounted to the
# child up to its exec), so children are started by this tiny launcher — a bare interpreter whose
# own RSS (~10 MB) is the floor — instead of by the bench process, which grows as it runs.
LAUNCHER = """
import json, os, subprocess, sys, threading, time
args, cwd, out, err = json.loads(sys.argv[1])
peak = [0]
def tree_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(k) for k in f.read().split()]
    except (OSError, ValueError):
        return 0
    return rss + sum(tree_kib(k) for k in kids)
def sample(pid, done):
    while not done.wait(0.02):
        peak[0] = max(peak[0], tree_kib(pid))
with open(out, "wb") as o, open(err, "wb") as e:
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=o, stderr=e, cwd=cwd)
    done = threading.Event()
    sampler = threading.Thread(target=sample, args=(p.pid, done))
    sampler.start()
    _, status, usage = os.wait4(p.pid, 0)
    s = time.perf_counter() - t
    done.set()
    sampler.join()
print(json.dumps([s, os.waitstatus_to_exitcode(status), usage.ru_maxrss, peak[0]]))
"""


def run_child(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    bytecode: bool = True,
    code: Path | None = None,
) -> ChildRun:
    """Run one child process: wall time and its own peak RSS (where ``wait4`` exists); ``code``
    is the folder its ``ubereport`` is imported from (this checkout by default)."""
    env = _env(bytecode=bytecode, code=code)
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        maxrss: float | None = None
        tree: float | None = None
        if hasattr(os, "wait4"):
            job = json.dumps([list(args), str(cwd) if cwd else None, str(out), str(err)])
            launcher = subprocess.run(
                [sys.executable, "-I", "-S", "-c", LAUNCHER, job],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            seconds, code, rss_kib, tree_kib = json.loads(launcher.stdout)
            maxrss = rss_kib / 1024  # Linux: KiB
            tree = max(tree_kib / 1024, maxrss)
        else:
            start = time.perf_counter()
            with out.open("wb") as o, err.open("wb") as e:
                code = subprocess.run(list(args), stdout=o, stderr=e, cwd=cwd, env=env).returncode
            seconds = time.perf_counter() - start
        return ChildRun(
            seconds,
            int(code),
            maxrss,
            out.read_bytes().decode("utf-8", "replace"),
            err.read_bytes().decode("utf-8", "replace"),
            tree,
        )


def run_worker(kind: str, spec: dict[str, Any], scratch: Path) -> dict[str, Any]:
    spec_path = scratch / f"worker-{kind}-{time.monotonic_ns()}.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    child = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(spec_path)]
    )
    if child.exit_code != 0:
        raise RuntimeError(f"worker {kind} failed:\n{child.stderr}")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    result["worker_maxrss_mb"] = child.maxrss_mb
    return result


# ------------------------------------------------------------------------------------------
# (b) the whole run and (c) the idle run
# ------------------------------------------------------------------------------------------

_COUNTS = re.compile(r"(受理|要修正|処理済み|不採用|待機|対象外) (\d+) 件")
# 「帳票: outbox/R4/ に 18 件（…）」, once per plan of the root
_REPORTS = re.compile(r"帳票: .*? に (\d+) 件")


def make_root(root: Path, *, move_processed: bool = True, workers: int = 0) -> None:
    if root.exists():
        shutil.rmtree(root)
    child = run_child([sys.executable, "-m", "ubereport", "init", "--root", str(root)])
    if child.exit_code != 0:
        raise RuntimeError(f"ubereport init failed:\n{child.stdout}{child.stderr}")
    config = root / "ubereport.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^settle_seconds\s*=.*$", "settle_seconds = 0", text)
    if not move_processed:
        text = re.sub(r"(?m)^move_processed\s*=.*$", "move_processed = false", text)
    text = re.sub(r"(?m)^workers\s*=.*$", f"workers = {workers}", text)
    config.write_text(text, encoding="utf-8")


def fill_inbox(root: Path, files: Iterable[Path]) -> None:
    inbox = root / "inbox"
    for f in files:  # copied in batch order: a later index is the newer file
        shutil.copyfile(f, inbox / f.name)


def ubereport_run(
    root: Path, *extra: str, bytecode: bool = True, code: Path | None = None
) -> ChildRun:
    args = [sys.executable, *extra, "-m", "ubereport", "run", "--root", str(root)]
    if code is None:
        return run_child(args, bytecode=bytecode)
    return run_child(args, root, bytecode=bytecode, code=code)  # not from the repo's folder


def parse_summary(stdout: str) -> dict[str, Any]:
    total = next((line for line in stdout.splitlines() if line.startswith("合計:")), "")
    counts = {k: int(v) for k, v in _COUNTS.findall(total)}
    reports = sum(int(n) for n in _REPORTS.findall(stdout))
    return {"counts": counts, "reports": reports}


def master_rows(root: Path) -> dict[str, int]:
    from ubereport.master.store import read_master

    master = root / "outbox" / "アクションプラン台帳.xlsx"
    data = read_master(master)
    return {name: len(rows) for name, rows in data.tables.items()}


def output_files(root: Path) -> int:
    outbox = root / "outbox"
    return sum(1 for p in outbox.rglob("*") if p.is_file() and "backup" not in p.parts and p.suffix)


def bench_whole_run(
    n: int,
    files: list[Path],
    repeat: int,
    scratch: Path,
    keep_root: bool,
    workers: int = 0,
    code: Path | None = None,
) -> tuple[dict[str, Any], Path | None]:
    runs = []
    root = scratch / (f"root-{n}" if workers == 0 else f"root-{n}-workers-{workers}")
    info: dict[str, Any] = {}
    for r in range(repeat):
        make_root(root, workers=workers)
        fill_inbox(root, files)
        child = ubereport_run(root, code=code)
        if child.exit_code not in (0, 1):
            raise RuntimeError(f"ubereport run (N={n}) exited {child.exit_code}:\n{child.stderr}")
        runs.append(child)
        if r == repeat - 1:
            info = parse_summary(child.stdout)
            info["master_rows"] = master_rows(root)
            info["outputs"] = output_files(root)
            info["stderr_tail"] = child.stderr.strip().splitlines()[-3:]
    result = {
        "n": n,
        "workers": workers,
        "seconds": [c.seconds for c in runs],
        "maxrss_mb": [c.maxrss_mb for c in runs],
        "tree_rss_mb": [c.tree_rss_mb for c in runs],
        "exit_codes": [c.exit_code for c in runs],
        **info,
    }
    if keep_root:
        return result, root
    shutil.rmtree(root, ignore_errors=True)
    return result, None


def importtime(stderr: str) -> tuple[set[str], list[tuple[str, int]]]:
    """(top-level packages imported, the slowest top-level imports [(name, cumulative µs)])."""
    packages: set[str] = set()
    top: list[tuple[str, int]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        try:
            _, cumulative, name = line.split("|", 2)
            micros = int(cumulative.strip())
        except ValueError:
            continue
        packages.add(name.strip().split(".")[0])
        if not name.startswith("  "):  # one space: a top-level import of the process
            top.append((name.strip(), micros))
    top.sort(key=lambda t: -t[1])
    return packages, top[:8]


def bench_idle(root: Path, runs: int, inbox_note: str, *, bytecode: bool = True) -> dict[str, Any]:
    ubereport_run(root, bytecode=bytecode)  # warm the page cache (and the byte code) once
    children = [ubereport_run(root, bytecode=bytecode) for _ in range(runs)]
    traced = ubereport_run(root, "-X", "importtime", bytecode=bytecode)
    packages, slowest = importtime(traced.stderr)
    return {
        "inbox": inbox_note,
        "seconds": [c.seconds for c in children],
        "maxrss_mb": [c.maxrss_mb for c in children],
        "exit_codes": sorted({c.exit_code for c in children}),
        "stdout": children[-1].stdout.strip(),
        "idle": all(c.stdout.strip() == "新しい提出はありません。" for c in children),
        "pandas": "pandas" in packages,
        "openpyxl": "openpyxl" in packages,
        "xlsxwriter": "xlsxwriter" in packages,
        "slowest_imports": slowest,
        "modules": len(packages),
    }


def python_startup(runs: int) -> list[float]:
    run_child([sys.executable, "-c", "pass"])
    return [run_child([sys.executable, "-c", "pass"]).seconds for _ in range(runs)]


def warm_up(scratch: Path, files: list[Path]) -> None:
    """One untimed whole run: fills the byte-code cache and the page cache for every module."""
    root = scratch / "root-warmup"
    make_root(root)
    fill_inbox(root, files)
    ubereport_run(root)
    shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# reporting
# ------------------------------------------------------------------------------------------


def med(values: Sequence[float | None]) -> float:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else float("nan")


def _sh(args: Sequence[str]) -> str:
    try:
        return subprocess.run(list(args), capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def machine() -> dict[str, str]:
    import importlib.metadata as md

    lscpu = _sh(["lscpu"])
    fields = dict(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lscpu.splitlines())
    )
    mem = ""
    for line in _sh(["free", "-g"]).splitlines():
        if line.startswith("Mem:"):
            mem = f"{line.split()[1]} GiB"
    versions = []
    for dist in ("openpyxl", "pandas", "xlsxwriter", "defusedxml"):
        try:
            versions.append(f"{dist} {md.version(dist)}")
        except md.PackageNotFoundError:
            versions.append(f"{dist} -")
    commit = _sh(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).strip()
    dirty = _sh(["git", "-C", str(REPO), "status", "--porcelain", "--", "ubereport"]).strip()
    return {
        "cpu": fields.get("Model name", platform.processor() or platform.machine()),
        "cpus": fields.get("CPU(s)", str(os.cpu_count())),
        "hypervisor": fields.get("Hypervisor vendor", ""),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": ", ".join(versions),
        "commit": commit + (" + uncommitted changes in ubereport/" if dirty else ""),
        "report_package": "present"
        if (REPO / "ubereport" / "report" / "render.py").exists()
        else "incomplete (no ubereport/report/render.py: `run` renders no reports)",
    }


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def code_fingerprint() -> str:
    """A hash of the package's source, to notice code that changes while the bench runs."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "ubereport").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _ok(flag: bool) -> str:
    return "**met**" if flag else "**missed**"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "## Performance (issues 7 and 18)",
        "",
        f"Measured {results['date']} with `{results['command']}` "
        f"(generation: {results['generation_s']:.1f} s for {results['pool']} cards, seed "
        f"{results['seed']}).",
        "",
        f"Machine: {m['cpu']}, {m['cpus']} CPUs"
        + (f" ({m['hypervisor']} VM)" if m["hypervisor"] else "")
        + f", {m['memory']} RAM, {m['os']}, Python {m['python']}; {m['packages']}. "
        f"Code: {m['commit']} (source hash {results['code_before']}). Report package: {m['report_package']}.",
        "",
        "Load on the machine (1 / 5 / 15-minute load average; it is shared with other work): "
        f"{results.get('load_before', '?')} at the start, {results.get('load_after', '?')} at "
        "the end.",
        "",
        *(
            [
                "**Warning: the package's source changed while the benchmark ran "
                f"({results['code_before']} → {results['code_after']}); the rows mix two "
                "versions. Run it again.**",
                "",
            ]
            if results.get("code_after", results["code_before"]) != results["code_before"]
            else []
        ),
        "Every time is a median; peak memory is the Python heap peak of one extra pass "
        "(`tracemalloc`) and the peak RSS of the process (`ru_maxrss`).",
        "",
    ]
    batches = results["batches"]
    lines += [
        "### The generated batches",
        "",
        "| N | broken (value 「12?」 / truncated zip / CSV as .xlsx) | plans | fiscal years | "
        "distinct (plan, year) among readable cards |",
        "|---:|---|---:|---|---:|",
    ]
    for n, b in batches.items():
        br = b["broken"]
        years = " ".join(f"{k}:{v}" for k, v in b["years"].items())
        lines.append(
            f"| {n} | {b['broken_total']} ({br.get('value', 0)} / {br.get('truncated', 0)} / "
            f"{br.get('csv', 0)}) | {b['plans']} | {years} | {b['keys']} |"
        )
    lines.append("")
    if results.get("rv"):
        lines += [
            "### (a) Read + validate per card",
            "",
            "| N | approach | ms / card (min) | × floor | × floor, paired | × naive | CPU ms / card "
            "| × floor (CPU) | passes | failed files | heap peak MB | worker RSS MB |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n, by in results["rv"].items():
            floor = by.get("floor", {}).get("ms")
            floor_cpu = by.get("floor", {}).get("cpu_ms")
            naive = by.get("naive", {}).get("ms")
            for approach in APPROACHES:
                r = by.get(approach)
                if r is None:
                    continue
                label = APPROACH_LABELS[approach]
                if approach == "naive" and r["n"] < int(n):
                    label += f" (first {r['n']} files)"
                xf = f"{r['ms'] / floor:.2f}" if floor else "–"
                xp = f"{r['paired']:.2f}" if "paired" in r else "–"
                xn = f"{r['ms'] / naive:.2f}" if naive else "–"
                cpu_ms = r.get("cpu_ms")
                cpu = f"{cpu_ms:.2f}" if cpu_ms is not None else "–"
                xc = f"{cpu_ms / floor_cpu:.2f}" if cpu_ms is not None and floor_cpu else "–"
                lines.append(
                    f"| {n} | {label} | {r['ms']:.2f} ({r['min_ms']:.2f}) | {xf} | {xp} | {xn} | "
                    f"{cpu} | {xc} | "
                    f"{r['passes']} | {r['failed']} | {r['traced_peak_mb']:.1f} | "
                    f"{r['worker_maxrss_mb']:.0f} |"
                )
        lines += [
            "",
            "Failed files: 「12?」 is an エラー only for ubereport's validation; the floor and the "
            "naive script only fail on the truncated and CSV files. The floor and both ubereport "
            "rows run in one worker with interleaved passes (so they share its RSS); the naive "
            "script runs in its own. *CPU ms* is the worker's own CPU time per card (median of the "
            "passes, `time.process_time`): on a machine shared with other work it moves less than "
            "the wall time. *× floor, paired*: the median of each pass's own ratio to the floor's "
            "time in the same pass (the approaches take turns within every pass, so a slow spell of "
            "the shared machine slows both sides of a ratio); the goal is taken on it.",
            "",
        ]
    if results.get("run"):
        lines += [
            "### (b) The whole `ubereport run` (read, validate, merge, master write, reports)",
            "",
            "| N | wall s (min–max) | peak RSS MB: main / with workers | exit | decisions | "
            "master rows (提出 / 指摘 / 指標値 / 変更履歴) | report files |",
            "|---:|---:|---:|---:|---|---|---:|",
        ]
        for n, r in results["run"].items():
            counts = "・".join(f"{k} {v}" for k, v in r.get("counts", {}).items())
            rows = r.get("master_rows", {})
            mrows = " / ".join(
                str(rows.get(t, 0)) for t in ("submissions", "findings", "kpi_values", "history")
            )
            lines.append(
                f"| {n} | {med(r['seconds']):.2f} ({min(r['seconds']):.2f}–{max(r['seconds']):.2f}) | "
                f"{med(r['maxrss_mb']):.0f} / {med(r['tree_rss_mb']):.0f} | "
                f"{'/'.join(map(str, sorted(set(r['exit_codes']))))} | {counts} | {mrows} | "
                f"{r.get('reports', 0)} |"
            )
        lines += [
            "",
            f"Each of the {results['repeat']} runs per N starts from a fresh root (`ubereport init "
            "--root`, `settle_seconds = 0`, the N cards copied into `inbox/` in batch order) and "
            "runs `python -m ubereport run --root DIR` as a child process (wall time and the "
            "child's own `ru_maxrss` via `wait4`; *with workers* sums the RSS of the child and its "
            "worker processes, sampled every 20 ms from /proc). From 100 files on, the run reads "
            "the cards in worker processes (setting `workers = 0`, automatic); the last row is the "
            "largest batch again with `workers = 1`. Exit 1 is expected: the broken files are "
            "rejected. Same plan + year in one batch: only the newest file is merged, the older "
            "ones are 不採用 (correct behaviour, see the batch table).",
            "",
        ]
    if results.get("idle"):
        lines += [
            "### (c) The idle `ubereport run`",
            "",
            "| inbox | wall ms (min) | `python -c pass` ms | peak RSS MB | idle | pandas | openpyxl | "
            "xlsxwriter |",
            "|---|---:|---:|---:|---|---|---|---|",
        ]
        startup = med(results["python_startup"]) * 1000
        for r in results["idle"]:
            lines.append(
                f"| {r['inbox']} | {med(r['seconds']) * 1000:.0f} ({min(r['seconds']) * 1000:.0f}) | "
                f"{startup:.0f} | "
                f"{med(r['maxrss_mb']):.0f} | {'yes' if r['idle'] else 'no'} | "
                f"{'imported' if r['pandas'] else 'not imported'} | "
                f"{'imported' if r['openpyxl'] else 'not imported'} | "
                f"{'imported' if r['xlsxwriter'] else 'not imported'} |"
            )
        slow = results["idle"][0]["slowest_imports"]
        lines += [
            "",
            "Slowest imports of the idle run (`-X importtime`, cumulative): "
            + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in slow[:6])
            + f". Median of {results['idle_runs']} runs after one warm-up run. The child is the "
            "interpreter itself (`sys.executable`, not a launcher shim such as pyenv's, which "
            "adds ~50 ms) with its byte code cached (`PYTHONPYCACHEPREFIX` in the bench's "
            "work folder), as after a normal `pip install`.",
            "",
        ]
    if results.get("master"):
        r = results["master"]
        lines += [
            f"### (d) The master with {r['rows']:,} KPI-year rows",
            "",
            "| rows (指標値) | file MB | `read_master` s | `write_master` s | re-read + rewrite s "
            "| heap peak MB | worker RSS MB |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['rows']:,} | {r['file_mb']:.1f} | {med(r['read_s']):.2f} | "
            f"{med(r['write_s']):.2f} | {med(r['total_s']):.2f} | {r['traced_peak_mb']:.0f} | "
            f"{r['worker_maxrss_mb']:.0f} |",
            "",
            "The master also holds the 14 plans of the registry. Each pass: `read_master`, then "
            "`write_master(..., backups=10)` (recompute of 数値/単位/比較, sort, backup copy, "
            "xlsxwriter layout + data rows written into the package, atomic replace).",
            "",
        ]
    if results.get("incremental"):
        inc = results["incremental"]
        lines += [
            "### (e) One new card into a master of N submissions (the incremental run)",
            "",
            "| submissions before | 提出 / 指摘 / 変更履歴 rows before | master MB | wall s "
            "(min–max) | × smallest | peak RSS MB | summary |",
            "|---:|---|---:|---:|---:|---:|---|",
        ]
        smallest = med(inc[min(inc, key=int)]["seconds"])
        for n in sorted(inc, key=int):
            r = inc[n]
            b = r["rows_before"]
            secs = r["seconds"]
            lines.append(
                f"| {int(n):,} | {b['submissions']:,} / {b['findings']:,} / {b['history']:,} | "
                f"{r['master_mb']:.1f} | {med(secs):.2f} ({min(secs):.2f}–{max(secs):.2f}) | "
                f"{med(secs) / smallest:.2f} | {med(r['maxrss_mb']):.0f} | "
                f"{r['summary'].removeprefix('合計:').strip()} |"
            )
        lines += [
            "",
            "A base root is filled by a real run of the first "
            f"{INCREMENTAL_BASE} generated cards; its master is scaled to N submissions (its 提出 "
            "and 指摘 rows repeated under new hashes, older than the real ones; 変更履歴 as the "
            "base run made it, as in one large batch where only the newest card of each plan "
            "and year is merged) and "
            "settled by one `ubereport run` with a first new card, so the master, the reports and "
            "the cache are as the previous run left them. Each timed run starts from a copy of "
            "that root with one more new card (accepted: a resubmission of a plan and year) and "
            "runs `python -m ubereport run --root DIR`; the sizes take turns within each round.",
            "",
        ]
    lines += varied_markdown(results)
    lines += ["### Goals", "", "| goal | measured | |", "|---|---|---|"]
    lines += [f"| {g} | {v} | {_ok(ok)} |" for g, v, ok in results["goals"]]
    lines.append("")
    return "\n".join(lines)


def varied_markdown(results: dict[str, Any]) -> list[str]:
    """Parts (f) and (t)."""
    lines: list[str] = []
    varied = results.get("varied")
    if varied:
        b = varied["batch"]
        floor_ms = varied.get("floor_ms")
        lines += [
            f"### (f) A {b['files']:,}-card batch with realistic variety",
            "",
            f"{b['files']:,} files over {b['plans']} of the {b['registry_plans']} plans of a "
            f"generated registry × {len(b['years'])} years ({', '.join(f'{k}:{v}' for k, v in b['years'].items())}): "
            f"{b['keys']:,} distinct plans and years among the readable cards (at most "
            f"{b['per_key_max']} submissions of one); {b['broken_total']} broken "
            f"({' / '.join(f'{k} {v}' for k, v in b['broken'].items())}). Generation: "
            f"{varied['generation_s']:.0f} s (0 = reused).",
            "",
            "| code | wall s (min–max) | × floor·N | peak RSS MB: whole tree (sampled) / largest "
            "process | exit | decisions | master rows (提出 / 指摘 / 指標値 / 変更履歴) | feedback |",
            "|---|---:|---:|---:|---:|---|---|---:|",
        ]
        for label, r in varied["runs"].items():
            secs = r["seconds"]
            rows = r["master_rows"]
            ratio = f"{med(secs) / (floor_ms * b['files'] / 1000):.1f}" if floor_ms else "–"
            decisions = "・".join(f"{k} {v}" for k, v in r["counts"].items())
            lines.append(
                f"| {label} | {med(secs):.1f} ({min(secs):.1f}–{max(secs):.1f}) | {ratio} | "
                f"{max(r['tree_rss_mb']):.0f} / {max(r['maxrss_mb']):.0f} | "
                f"{'/'.join(str(c) for c in sorted(set(r['exit_codes'])))} | {decisions} | "
                f"{rows.get('submissions', 0):,} / {rows.get('findings', 0):,} / "
                f"{rows.get('kpi_values', 0):,} / {rows.get('history', 0):,} | {r['feedback']:,} |"
            )
        lines += [
            "",
            "Each run: a fresh root (`ubereport init --root`, `settle_seconds = 0`, `workers = 0`: "
            "automatic), the files copied into `inbox/` in batch order, `ubereport run --root "
            "DIR` as a child process with the generated registry (`bench/varied.py`). Peak RSS: "
            "the whole tree is the sum of the run's process and its workers, sampled every 20 ms "
            "from /proc (the highest of the runs); the largest process is `ru_maxrss` of the "
            "run's own process (`wait4`). × floor·N: the wall time against the raw floor "
            f"(zipfile + ElementTree, {floor_ms or 0:.2f} ms per card, measured in the same bench "
            "run on the first 2,000 files of this batch) times the number of files.",
            "",
        ]
    thr = results.get("threshold")
    if thr:
        lines += [
            "### (t) The worker threshold: whole run, one process against two workers",
            "",
            "| N | workers = 1: wall s | workers = 2: wall s | 2 workers / 1 |",
            "|---:|---:|---:|---:|",
        ]
        for n, t in sorted(thr.items(), key=lambda kv: int(kv[0])):
            one, two = med(t["1"]), med(t["2"])
            lines.append(f"| {int(n):,} | {one:.2f} | {two:.2f} | {two / one:.2f} |")
        lines += [
            "",
            "The first N cards of part (b)'s pool (bundled registry); both settings take turns "
            "within each round. `PARALLEL_MIN_FILES` in `ubereport/validate/parallel.py` is set "
            "from this table: the smallest N from which two workers are faster.",
            "",
        ]
    return lines


def goals(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    rv = results.get("rv", {})
    for n, by in rv.items():
        u = by.get("ubereport")
        if u is None:
            continue
        out.append(
            (
                f"read + validate ≤ {GOAL_RV_MS:g} ms / card (N={n})",
                f"{u['ms']:.2f} ms",
                u["ms"] <= GOAL_RV_MS,
            )
        )
        floor = by.get("floor")
        if floor:
            ratio = u["ms"] / floor["ms"]
            paired = u.get("paired", ratio)
            out.append(
                (
                    f"read + validate ≤ {GOAL_RV_RATIO:g}× the raw floor (N={n})",
                    f"{paired:.2f}× (median of the passes' ratios; of the medians {ratio:.2f}×)",
                    paired <= GOAL_RV_RATIO,
                )
            )
    run = results.get("run", {})
    if run:
        n = max((k for k in run if k.isdigit()), key=int)
        r = run[n]
        wall, rss = med(r["seconds"]), med(r["tree_rss_mb"])
        out.append((f"whole run ≤ {GOAL_RUN_S:g} s (N={n})", f"{wall:.1f} s", wall <= GOAL_RUN_S))
        out.append(
            (
                f"whole run peak RSS ≤ {GOAL_RUN_MB:g} MB (N={n})",
                f"{rss:.0f} MB",
                rss <= GOAL_RUN_MB,
            )
        )
    for r in results.get("idle", [])[:1]:
        ms = med(r["seconds"]) * 1000
        idle = bool(r["idle"])
        shown = f"{ms:.0f} ms" if idle else f"{ms:.0f} ms, but the run was not idle"
        out.append((f"idle run ≤ {GOAL_IDLE_MS:g} ms wall", shown, idle and ms <= GOAL_IDLE_MS))
        imported = [p for p in ("pandas", "openpyxl") if r[p]]
        text = "imports " + ", ".join(imported) if imported else "neither imported"
        out.append(
            (
                "idle run imports neither pandas nor openpyxl",
                text if idle else f"{text}, but the run was not idle",
                idle and not imported,
            )
        )
    master = results.get("master")
    if master:
        total = med(master["total_s"])
        out.append(
            (
                f"{master['rows']:,}-row master re-read + rewrite ≤ {GOAL_MASTER_S:g} s",
                f"{total:.2f} s",
                total <= GOAL_MASTER_S,
            )
        )
    varied = results.get("varied")
    if varied:
        n = varied["batch"]["files"]
        runs = varied["runs"]
        this = runs["this code"]
        rss = max(this["tree_rss_mb"])
        out.append(
            (
                f"{n:,}-card varied batch: peak RSS of the whole tree ≤ {GOAL_BATCH_MB:g} MB",
                f"{rss:.0f} MB",
                rss <= GOAL_BATCH_MB,
            )
        )
        base = next((r for label, r in runs.items() if label != "this code"), None)
        if base is not None:
            ratio = med(this["seconds"]) / med(base["seconds"])
            out.append(
                (
                    "… wall time no worse than the code before (same bench run)",
                    f"{med(this['seconds']):.1f} s against {med(base['seconds']):.1f} s "
                    f"({ratio:.2f}×)",
                    ratio <= 1.0,
                )
            )
    inc = results.get("incremental")
    if inc:
        big, small = max(inc, key=int), min(inc, key=int)
        wall, base = med(inc[big]["seconds"]), med(inc[small]["seconds"])
        out.append(
            (
                f"one new card into {int(big):,} submissions ≤ {GOAL_INCREMENTAL_S:g} s",
                f"{wall:.2f} s",
                wall <= GOAL_INCREMENTAL_S,
            )
        )
        out.append(
            (
                f"… within {GOAL_INCREMENTAL_RATIO:g}× the run on {int(small):,} submissions "
                "(same bench run)",
                f"{wall / base:.2f}× ({base:.2f} s)",
                wall / base <= GOAL_INCREMENTAL_RATIO,
            )
        )
    return out


# ------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="14,200,2000", help="batch sizes N (default 14,200,2000)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    p.add_argument(
        "--parts", default="abcdeft", help="which parts to run: a b c d e f t (default all)"
    )
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument(
        "--naive-limit",
        type=int,
        default=200,
        help="naive baseline reads at most this many files per pass (0: all)",
    )
    p.add_argument("--master-rows", type=int, default=20_000)
    p.add_argument(
        "--incremental",
        default="100,5000,20000",
        help="(e) submissions in the master before one new card (default 100,5000,20000)",
    )
    p.add_argument("--idle-runs", type=int, default=10)
    p.add_argument("--varied", type=int, default=20_000, help="(f) cards in the varied batch")
    p.add_argument("--varied-plans", type=int, default=500, help="(f) plans of its registry")
    p.add_argument(
        "--baseline-code",
        type=Path,
        default=None,
        help="(b, f) also run the largest batch with the ubereport package in this folder "
        "(e.g. `git archive <commit> ubereport | tar -x -C DIR`)",
    )
    p.add_argument(
        "--threshold",
        default="50,100,150,200,300",
        help="(t) batch sizes for the worker threshold (default 50,100,150,200,300)",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep generated cards and roots here (reused when it matches)",
    )
    p.add_argument("--results", type=Path, default=None, help="also write the Markdown here")
    p.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    p.add_argument("--worker", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        kind, spec_path = args.worker
        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        result = worker_rv(spec) if kind == "rv" else worker_master(spec)
        print(json.dumps(result))
        return 0

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    parts = set(args.parts)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ubereport-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    PYCACHE[:] = [work / "pycache"]
    command = "python bench/run.py" + "".join(
        f" {shlex.quote(a)}" for a in (argv if argv is not None else sys.argv[1:])
    )
    results: dict[str, Any] = {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": command,
        "seed": args.seed,
        "repeat": args.repeat,
        "machine": machine(),
        "code_before": code_fingerprint(),
        "load_before": _load(),
    }
    try:
        pool_dir = work / "pool"
        thr_sizes = sorted({int(s) for s in args.threshold.split(",") if s.strip()})
        pool = max(sizes)
        if "e" in parts:
            pool = max(pool, INCREMENTAL_BASE + 2 * PLAN_COUNT)
        if "t" in parts:
            pool = max(pool, *thr_sizes)
        log(f"generating {pool} cards into {pool_dir}")
        specs, gen_s = generate_pool(pool_dir, pool, args.seed)
        results.update(generation_s=gen_s, pool=pool)
        results["batches"] = {str(n): describe_batch(specs[:n]) for n in sizes}
        batch_files = {n: [pool_dir / s.name for s in specs[:n]] for n in sizes}

        if "a" in parts:
            results["rv"] = {}
            for n in sizes:
                files = batch_files[n]
                by: dict[str, Any] = {}
                naive_files = files[: args.naive_limit] if args.naive_limit else files
                for approaches, chosen, reads in (
                    (list(APPROACHES[:3]), files, RV_READS),
                    (["naive"], naive_files, 200),
                ):
                    passes = max(args.repeat, math.ceil(reads / len(chosen)))
                    log(f"(a) N={n} {'/'.join(approaches)}: {passes} passes, {len(chosen)} files")
                    spec = {
                        "approaches": approaches,
                        "files": [str(f) for f in chosen],
                        "passes": passes,
                    }
                    r = run_worker("rv", spec, scratch)
                    floor_s = r["approaches"].get("floor", {}).get("seconds")
                    for approach, a in r["approaches"].items():
                        if floor_s:  # the passes' own ratios: each pass runs every approach once
                            a["paired"] = med(
                                [t / f for t, f in zip(a["seconds"], floor_s, strict=True)]
                            )
                        a["ms"] = med(a["seconds"]) / a["n"] * 1000
                        a["min_ms"] = min(a["seconds"]) / a["n"] * 1000
                        a["cpu_ms"] = med(a["cpu_seconds"]) / a["n"] * 1000
                        a["passes"] = passes
                        a["worker_maxrss_mb"] = r["worker_maxrss_mb"]
                        by[approach] = a
                results["rv"][str(n)] = by

        idle_root: Path | None = None
        if parts & {"b", "c"}:
            log("warm-up: one untimed whole run")
            warm_up(scratch, batch_files[min(sizes)])
        if "b" in parts:
            results["run"] = {}
            for n in sizes:
                log(f"(b) N={n}: {args.repeat} whole runs")
                keep = n == max(sizes) and "c" in parts
                r, root = bench_whole_run(n, batch_files[n], args.repeat, scratch, keep)
                results["run"][str(n)] = r
                idle_root = root or idle_root
            from ubereport.validate.parallel import PARALLEL_MIN_FILES

            n = max(sizes)
            if n >= PARALLEL_MIN_FILES:
                log(f"(b) N={n}: {args.repeat} whole runs with workers = 1 (no worker processes)")
                r, _ = bench_whole_run(n, batch_files[n], args.repeat, scratch, False, workers=1)
                results["run"][f"{n} (workers = 1)"] = r
            if args.baseline_code:
                log(f"(b) N={n}: {args.repeat} whole runs with the code in {args.baseline_code}")
                r, _ = bench_whole_run(
                    n, batch_files[n], args.repeat, scratch, False, code=args.baseline_code
                )
                results["run"][f"{n} (code in {args.baseline_code.name}/)"] = r

        if "c" in parts:
            log(f"(c) idle runs ×{args.idle_runs}")
            results["idle_runs"] = args.idle_runs
            results["python_startup"] = python_startup(args.idle_runs)
            if idle_root is None:
                idle_root = scratch / "root-idle"
                make_root(idle_root)
            note = "empty (after the whole run)" if "b" in parts else "empty (fresh root)"
            results["idle"] = [bench_idle(idle_root, args.idle_runs, note)]
            demo = scratch / "root-demo"
            make_root(demo, move_processed=False)
            fill_inbox(demo, batch_files[min(sizes)])
            ubereport_run(demo)
            note = f"{min(sizes)} processed cards left in place (`move_processed = false`)"
            results["idle"].append(bench_idle(demo, args.idle_runs, note))
            if os.environ.get("PYTHONDONTWRITEBYTECODE"):
                note = "empty, without byte-code cache (`PYTHONDONTWRITEBYTECODE=1`, as set here)"
                results["idle"].append(bench_idle(idle_root, args.idle_runs, note, bytecode=False))

        if "d" in parts:
            log(f"(d) master with {args.master_rows:,} KPI-year rows")
            r = run_worker(
                "master",
                {"dir": str(scratch / "master"), "rows": args.master_rows, "passes": args.repeat},
                scratch,
            )
            results["master"] = r

        if "e" in parts:
            from incremental import bench_incremental

            inc_sizes = sorted({int(s) for s in args.incremental.split(",") if s.strip()})
            fresh = [s for s in specs[INCREMENTAL_BASE:] if s.broken is None][:2]
            results["incremental"] = bench_incremental(
                inc_sizes,
                [pool_dir / s.name for s in specs[:INCREMENTAL_BASE]],
                [pool_dir / s.name for s in fresh],
                args.repeat,
                scratch,
                make_root=make_root,
                run=ubereport_run,
                log=log,
            )

        if "t" in parts:
            from varied import bench_threshold

            results["threshold"] = bench_threshold(
                thr_sizes,
                [pool_dir / s.name for s in specs],
                args.repeat,
                work,
                make_root=make_root,
                fill_inbox=fill_inbox,
                run=ubereport_run,
                log=log,
            )

        if "f" in parts:
            from varied import bench_varied

            codes: list[tuple[str, Path | None]] = [("this code", None)]
            if args.baseline_code:
                codes.append((f"baseline ({args.baseline_code.name})", args.baseline_code))
            varied = bench_varied(
                args.varied,
                args.varied_plans,
                args.seed,
                args.repeat,
                work,
                make_root=make_root,
                fill_inbox=fill_inbox,
                run_child=partial(run_child, cwd=work),
                master_rows=master_rows,
                parse_summary=parse_summary,
                log=log,
                codes=codes,
            )
            files = varied.pop("files")
            log("(f) the raw floor on the first 2,000 files of the batch")
            floor = run_worker(
                "rv", {"approaches": ["floor"], "files": files[:2000], "passes": 3}, scratch
            )["approaches"]["floor"]
            varied["floor_ms"] = med(floor["seconds"]) / floor["n"] * 1000
            results["varied"] = varied

        results["code_after"] = code_fingerprint()
        results["load_after"] = _load()
        results["goals"] = goals(results)
        text = markdown(results)
        print(text)
        if args.results:
            args.results.write_text(text, encoding="utf-8")
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
