"""The package's layers are one-way: no import cycle between modules, and each folder imports
only the stages below it (docs/ARCHITECTURE.md draws the same picture). Imports inside functions
count: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

from litmus.cat.relations import strongly_connected

PACKAGE = Path(__file__).resolve().parents[1] / "litmus"

# What each stage may import besides itself, lowest stages first. `litmus` is the package's
# own __init__ (its version string and the two lazy conveniences, check and graph).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "result": set(),
    "syntax": {"errors"},
    "scenario": {"errors"},
    "lower": {"errors", "syntax"},
    "arch": {"errors", "syntax", "lower"},
    "cat": {"errors"},
    "engine": {"errors", "result", "syntax", "lower", "arch", "cat"},
    "report": {"errors", "result"},
    "api": {"errors", "result", "syntax", "lower", "arch", "cat", "engine"},
    "compare": {"errors", "result", "api", "report"},
    "batch": {"errors", "result", "api"},
    # batch's checks on a Dask cluster: a model goes to a worker as text and is parsed there (cat,
    # syntax) into a ModelSpec (engine); the package's version is checked on every worker
    "cluster": {"litmus", "errors", "result", "syntax", "cat", "engine", "api", "batch"},
    # the web page and API: requests read and bounded, checked in worker processes (api), answered
    # as report's JSON objects and compare's rows
    "serve": {"litmus", "errors", "result", "syntax", "arch", "scenario", "report", "api", "compare", "batch"},
    "cli": {
        "litmus", "errors", "result", "syntax", "arch", "scenario", "engine", "report", "api", "compare", "batch",
        "cluster", "serve",
    },
    "litmus": {"api", "report"},
    "__main__": {"cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (`from litmus.cli import check` is litmus.cli.check
    when that is a module, else litmus.cli)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("litmus"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("litmus"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module."""
    succ = {v: [(w, True) for w in sorted(ws)] for v, ws in graph.items()}
    return sorted(sorted(c) for c in strongly_connected(succ) if len(c) > 1)  # type: ignore[arg-type]


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "litmus"


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_stage_imports_only_stages_below_it() -> None:
    wrong = []
    for module, imported in sorted(_graph().items()):
        stage = _stage(module)
        assert stage in ALLOWED, f"{module}: a new top-level module or folder; give it a place in ALLOWED"
        for target in sorted(imported):
            other = _stage(target)
            if other != stage and other not in ALLOWED[stage]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_every_folder_says_its_job() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init.relative_to(PACKAGE.parent)} has no docstring"


def test_the_top_level_stays_small() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top  # the front doors: api, compare, batch, cluster; errors, result; the package
