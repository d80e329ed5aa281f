"""The package's layering, read from the source with ``ast`` (nothing is imported or executed).

Stages, lowest first: the foundation (``errors``, ``findings``), ``japanese``, ``files``, ``plan``,
``card``, ``validate``, ``master``, ``report``, ``job``, ``analysis`` (pandas frames), ``console`` (the terminal), and the
command line at the top. A module
may import its own stage and the stages below it, never one above; and no chain of imports —
including imports inside functions and under ``TYPE_CHECKING`` — may lead back to where it began.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ubereport"

STAGES: tuple[tuple[str, ...], ...] = (
    ("errors", "findings"),
    ("japanese",),
    ("files",),
    ("plan",),
    ("card",),
    ("validate",),
    ("master",),
    ("report",),
    ("job",),
    ("analysis",),
    ("console",),
    ("__init__", "__main__", "cli", "commands", "report_commands"),
)
MAX_TOP_MODULES = 8


@dataclass(frozen=True, slots=True)
class Module:
    name: str  # dotted, e.g. "ubereport.card.reader"; a package is its own name
    path: Path
    is_package: bool


def discover(package: Path) -> dict[str, Module]:
    root = package.name
    found: dict[str, Module] = {}
    for path in sorted(package.rglob("*.py")):
        parts = [root, *path.relative_to(package).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        found[name] = Module(name, path, is_package)
    return found


def imports_of(module: Module, modules: dict[str, Module]) -> set[str]:
    """Every module of the package that ``module`` imports, wherever the import statement is."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in modules else base)
        elif isinstance(node, ast.Constant) and "." in str(node.value) and node.value in modules:
            targets.add(node.value)  # import_module("ubereport.x") and similar lazy imports
    resolved: set[str] = set()
    for target in targets:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != module.name:
            resolved.add(target)
    return resolved


def stage_of(name: str) -> int | None:
    parts = name.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    for index, stage in enumerate(STAGES):
        if head in stage:
            return index
    return None


def layering_problems(package: Path) -> list[str]:
    """Upward imports, circles and modules outside every stage, each naming the files."""
    modules = discover(package)
    graph = {name: imports_of(module, modules) for name, module in modules.items()}
    rel = {name: str(m.path.relative_to(package.parent)) for name, m in modules.items()}
    problems: list[str] = []
    for name in sorted(modules):
        mine = stage_of(name)
        if mine is None:
            problems.append(f"{rel[name]} belongs to no stage")
            continue
        for target in sorted(graph[name]):
            theirs = stage_of(target)
            if theirs is not None and theirs > mine:
                problems.append(f"{rel[name]} imports {rel[target]}, a higher stage")
    problems += [" -> ".join(rel[n] for n in cycle) for cycle in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One closed path per strongly connected component that has one (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(_closed_path(node, component, graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _closed_path(start: str, component: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from ``start`` back to itself inside ``component`` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no path back to {start}")


def test_the_package_is_layered_without_circles() -> None:
    assert layering_problems(PACKAGE) == []


def test_the_top_level_is_short_and_every_package_says_what_it_does() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    packages = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))
    assert [p.name for p in packages] == sorted(s for stage in STAGES[1:-1] for s in stage)
    for folder in packages:
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "use" in doc.lower(), (
            f"{folder.name}/__init__.py: say what it does and may use"
        )


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "ubereport"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "__init__.py": "",
                "card/__init__.py": "",
                "card/reader.py": "def f():\n    from ubereport.job.run import x\n",
                "job/__init__.py": "",
                "job/run.py": "from ubereport.card import reader\n",
            },
            [
                "ubereport/card/reader.py imports ubereport/job/run.py, a higher stage",
                "ubereport/card/reader.py -> ubereport/job/run.py -> ubereport/card/reader.py",
            ],
            id="upward import inside a function closes a circle",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "job/__init__.py": "",
                "job/run.py": "from ubereport.job.pipeline import process\n",
                "job/pipeline.py": "from . import filing\n",
                "job/filing.py": "from .run import helper\n",
            },
            [
                "ubereport/job/filing.py -> ubereport/job/run.py -> ubereport/job/pipeline.py"
                " -> ubereport/job/filing.py"
            ],
            id="circle through relative imports in one stage",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "plan/__init__.py": "",
                "plan/rating.py": "from ..japanese.values import v\n",
                "japanese/__init__.py": "",
                "japanese/values.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ubereport.plan.rating import r\n",
                "gadgets.py": "",
            },
            [
                "ubereport/gadgets.py belongs to no stage",
                "ubereport/japanese/values.py imports ubereport/plan/rating.py, a higher stage",
                "ubereport/japanese/values.py -> ubereport/plan/rating.py"
                " -> ubereport/japanese/values.py",
            ],
            id="type-checking import counts; a module outside the stages is named",
        ),
        pytest.param(
            {
                "__init__.py": 'HOME = {"Card": "ubereport.card.model"}\n',
                "card/__init__.py": "",
                "card/model.py": "import ubereport.errors\n",
                "errors.py": "",
            },
            [],
            id="the top may name any stage lazily; any stage may use the foundation",
        ),
    ],
)
def test_the_checker_names_both_files(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert layering_problems(_tree(tmp_path, files)) == expected
