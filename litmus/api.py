"""The Python API: load models, check files or text, get plain-Python Results."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from litmus.cat import ast as cat_ast
from litmus.cat.parser import parse_cat, parse_cat_file
from litmus.engine.check import check_test
from litmus.engine.checker import KINDS
from litmus.engine import count as counting
from litmus.engine.model import ModelSpec
from litmus.errors import LitmusError, Span
from litmus.result import Result
from litmus.syntax.ast import LitmusTest
from litmus.syntax.printer import format_condition
from litmus.arch import parse_file, parse_litmus
from litmus.syntax.macros import parse_macro_file

MODELS_DIR = Path(__file__).resolve().parent / "models"
if not MODELS_DIR.is_dir():  # running from a source checkout: models/ sits beside the package
    MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

# Built-in models: name -> (file, target of the primitive table)
BUILTIN_MODELS = {
    "sc": ("sc.cat", "sc"),
    "tso": ("tso.cat", "tso"),
    "arm": ("arm.cat", "arm"),
    "lkmm": ("lkmm.cat", "lkmm"),
}


@functools.lru_cache(maxsize=None)
def _parse_cat_cached(path: str) -> cat_ast.Model:
    return parse_cat_file(path)


# herd library files whose functions litmus provides natively (their cat text would list the
# candidates one by one, e.g. every linearisation of every location's writes): ours always win
NATIVE_LIBRARY = {"cross.cat"}


def _loader_for(directory: Path, search: tuple[Path, ...] = ()):  # type: ignore[no-untyped-def]
    """Resolve `include "f.cat"` beside the including model first, then in the search folders
    (herd's -I), then in our models/."""

    def load(filename: str, span: Span | None) -> cat_ast.Model:
        folders = (MODELS_DIR,) if filename in NATIVE_LIBRARY else (directory, *search, MODELS_DIR)
        for folder in folders:
            candidate = folder / filename
            if _is_file(candidate):
                return _parse_cat_cached(str(candidate))
        raise LitmusError(f"cannot find included model file '{filename}'", None, span)

    return load


@functools.lru_cache(maxsize=None)
def load_model(name_or_path: str) -> ModelSpec:
    """A built-in model by name (`sc`, `tso`, `arm`) or a `.cat` file by path."""
    stdlib = _parse_cat_cached(str(MODELS_DIR / "stdlib.cat"))
    if name_or_path in BUILTIN_MODELS:
        filename, target = BUILTIN_MODELS[name_or_path]
        model = _parse_cat_cached(str(MODELS_DIR / filename))
        return ModelSpec(
            name=name_or_path, model=model, target=target, stdlib=stdlib,
            loader=_loader_for(MODELS_DIR), sc_per_location=True, atomic_rmw=True,
        )  # fmt: skip
    path = Path(name_or_path)
    if path.suffix == ".cfg":
        return herd_model(conf=path, stdlib=stdlib)  # herd's -conf file, found beside it
    if path.suffix != ".cat" and not path.exists():
        known = ", ".join(sorted(BUILTIN_MODELS))
        raise LitmusError(f"unknown model '{name_or_path}' (built-in models: {known}; or give a .cat file)")
    if not path.is_file():
        raise LitmusError(f"model file not found: {name_or_path}")
    model = parse_cat_file(str(path))
    return ModelSpec(
        name=path.stem, model=model, target="c", stdlib=stdlib, loader=_loader_for(path.parent),
        catdep="catdep" in model.options,
    )  # fmt: skip


def one_core() -> None:
    """Checks in this process keep to one core: for a worker among others (batch, serve,
    cluster), whose fellows have the other cores. Elsewhere a long enumeration or listing
    shares its work with a forked helper."""
    counting.one_core()


def library_models() -> list[str]:
    """The file names an uploaded model may include: our models/ folder's .cat files."""
    return sorted(p.name for p in MODELS_DIR.glob("*.cat") if p.is_file())


def _includes(model: cat_ast.Model) -> list[cat_ast.Include]:
    """Every `include` of a parsed model, wherever it sits (top level, variants, procedures)."""
    found: list[cat_ast.Include] = []
    pending: list[object] = list(model.stmts)
    while pending:
        node = pending.pop()
        if isinstance(node, cat_ast.Include):
            found.append(node)
        elif isinstance(node, (tuple, list)):
            pending.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            pending.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return sorted(found, key=lambda inc: (inc.span.line, inc.span.column))


def model_from_text(filename: str, uploaded: Mapping[str, str]) -> ModelSpec:
    """The model `uploaded[filename]`, a .cat text that came without a file (a web upload).

    Nothing is read from the file system on its behalf: its `include`s resolve among the other
    uploaded texts, then among the built-in models (`library_models()`). They are all resolved
    here, before the model runs, so that a missing file or an include cycle is a located error
    now rather than in some test's cell."""
    library = set(library_models())
    if filename not in uploaded:
        raise LitmusError(f"no uploaded model named '{filename}'")

    def parse(name: str) -> cat_ast.Model:
        if name in library and (name in NATIVE_LIBRARY or name not in uploaded):
            return _parse_cat_cached(str(MODELS_DIR / name))
        return parse_cat(uploaded[name], name)

    def load(name: str, span: Span | None) -> cat_ast.Model:
        if name not in uploaded and name not in library:
            choices = ", ".join(sorted(set(uploaded) | library))
            raise LitmusError(f"cannot include '{name}': an uploaded model may include {choices}", None, span)
        return parse(name)

    def check_includes(model: cat_ast.Model, chain: tuple[str, ...]) -> None:
        for inc in _includes(model):
            try:
                if inc.filename in chain:
                    raise LitmusError(f"include cycle: {' -> '.join((*chain, inc.filename))}", None, inc.span)
                included = load(inc.filename, inc.span)
            except LitmusError as err:
                raise err.located(model.path, model.source) from None
            check_includes(included, (*chain, inc.filename))

    model = parse(filename)
    check_includes(model, (filename,))
    return ModelSpec(
        name=Path(filename).stem, model=model, target="c", stdlib=_parse_cat_cached(str(MODELS_DIR / "stdlib.cat")),
        loader=load, catdep="catdep" in model.options,
    )  # fmt: skip


# herd configuration keys that only style its graphs or pick its own output: accepted, unused
_CFG_DISPLAY_KEYS = {
    "graph", "squished", "showevents", "movelabel", "fontsize", "xscale", "yscale", "arrowsize",
    "showinitrf", "showfinalrf", "showinitwrites", "splines", "pad", "edgeattr", "doshow",
    "unshow", "showkind", "showthread", "shift", "mono", "dotmode", "dotcom", "showlegend",
    "nodeattr", "penwidth", "scale", "showpo", "condensed", "speedcheck", "through", "show",
    "badexecs", "badflag", "nshow", "showflag", "showcutoff",
}  # fmt: skip


def read_herd_config(path: Path) -> tuple[dict[str, str], set[str]]:
    """The file names (`macros`, `bell`, `model`) and variants a herd configuration gives."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")  # a bad byte is a located error later
    except OSError as err:
        raise LitmusError(f"cannot read model configuration {path}: {err.strerror}") from None
    files: dict[str, str] = {}
    variants: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, value = line.partition(" ")
        value = value.strip()
        if key in ("macros", "bell", "model", "cat"):
            files["model" if key == "cat" else key] = value
        elif key == "variant":
            variants.update(v.strip() for v in value.split(",") if v.strip())
        elif key not in _CFG_DISPLAY_KEYS:
            raise LitmusError(
                f"unknown configuration key '{key}' (expected macros, bell, model, variant, or "
                "one of herd's display options)", str(path), Span(number, 1), text,
            )  # fmt: skip
    return files, variants


def herd_model(conf: Path | None = None, search: Sequence[Path] = (), model: str | None = None,
               bell: str | None = None, macros: str | None = None, variants: Iterable[str] = (),
               stdlib: cat_ast.Model | None = None) -> ModelSpec:  # fmt: skip
    """A model as herd7's command line gives it: a configuration file and/or -model, -bell,
    -macros, -variant (which override it). Files are found beside the configuration, then in
    the `search` folders (herd's -I), in that order."""
    stdlib = stdlib or _parse_cat_cached(str(MODELS_DIR / "stdlib.cat"))
    files: dict[str, str] = {}
    all_variants: set[str] = set()
    folders: list[Path] = []
    if conf is not None:
        files, all_variants = read_herd_config(conf)
        folders.append(conf.parent)
    folders.extend(search)
    for key, value in (("model", model), ("bell", bell), ("macros", macros)):
        if value is not None:
            files[key] = value
    all_variants.update(variants)
    given = {"model": model, "bell": bell, "macros": macros}
    if "model" not in files:
        raise _config_error("no model (a `model FILE.cat` line, or -model FILE.cat)", conf)
    found: dict[str, Path] = {}
    for key, name in files.items():
        candidates = [Path(name)] if Path(name).is_absolute() else [f / name for f in folders]
        path = next((c for c in candidates if _is_file(c)), None)
        if path is None:
            raise _config_error(f"{key} file not found: {name}", None if given[key] else conf, key)
        found[key] = path
    model_ast = _parse_cat_cached(str(found["model"]))
    return ModelSpec(
        name=(conf or found["model"]).stem, model=model_ast, target="c", stdlib=stdlib,
        loader=_loader_for(found["model"].parent, tuple(folders)), variants=frozenset(all_variants),
        bell=_parse_cat_cached(str(found["bell"])) if "bell" in found else None,
        macros=parse_macro_file(str(found["macros"])) if "macros" in found else None,
        catdep="catdep" in model_ast.options,
    )  # fmt: skip


def _is_file(path: Path) -> bool:
    """Path.is_file, False also for a name the system refuses (too long, a NUL byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _config_error(message: str, conf: Path | None, key: str | None = None) -> LitmusError:
    """An error in a herd configuration, at the line that sets `key` (else its first line); one
    about the command line's -model, -bell, -macros when `conf` is None."""
    if conf is None:
        return LitmusError(f"the command line: {message}")
    text = conf.read_text(encoding="utf-8", errors="replace")
    keys = {"model": ("model", "cat")}.get(key or "", (key,))
    number = next((n for n, line in enumerate(text.splitlines(), start=1) if line.split()[:1] and
                   line.split()[0] in keys), 1)  # fmt: skip
    return LitmusError(message, str(conf), Span(number, 1), text)


def run_file(path: str, models: list[ModelSpec], timeout: float | None = None,
             recheck: bool = False, **options: Any) -> list[Result]:  # fmt: skip
    """Check one litmus file under each model; LitmusError for a bad or missing file."""
    return run_test(parse_file(path), models, timeout, recheck, **options)


def run_test(test: LitmusTest, models: list[ModelSpec], timeout: float | None = None,
             recheck: bool = False, *, explain: bool = True, skip_checks: Iterable[str] = (),
             graph_all: bool = False, count: bool = True, list_states: bool = False) -> list[Result]:  # fmt: skip
    """Check a parsed test under each model. `explain`: say why Never verdicts are forbidden;
    `skip_checks`: model checks to drop (herd's -skipchecks); `graph_all`: one witness per state;
    `count`: enumerate executions (herd's States and counts), else the verdict only (with the
    final states when `list_states`: one solver call per state)."""
    results = []
    for spec in models:
        try:
            results.append(check_test(
                test, spec, timeout, recheck, skip_checks=skip_checks, graph_all=graph_all,
                explain=explain, count=count, list_states=list_states,
            ))  # fmt: skip
        except LitmusError as err:
            if err.path is None or err.path == test.path:
                raise err.located(test.path, test.source)
            # the model cannot run on this test (a name it needs that this test's events do not
            # have, e.g. aarch64.cat on X86 code): that cell is an error, the other models run
            results.append(Result(
                file=test.path, test=test.name, model=spec.name, kind=KINDS[test.condition.quantifier],
                condition=format_condition(test.condition), observation=None, ok=None, error=err.render(),
            ))  # fmt: skip
    return results


def check(path_or_text: str | os.PathLike[str], models: list[str] | None = None,
          timeout: float | None = None, recheck: bool = False) -> list[Result]:  # fmt: skip
    """Check a litmus test (a path, or the text itself) under the named models (default: sc)."""
    specs = [load_model(m) for m in (models or ["sc"])]
    text = str(path_or_text)
    if "\n" in text or "{" in text:
        test = parse_litmus(text, "<input>")
    else:
        test = parse_file(text)
    return run_test(test, specs, timeout, recheck)
