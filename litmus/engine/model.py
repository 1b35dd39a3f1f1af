"""A memory model ready to run on an execution: its parsed files, the target its events are
lowered for, and how it is run (our standard library, the bell file, the model)."""

from __future__ import annotations

from dataclasses import dataclass

from litmus.cat import ast as cat_ast
from litmus.cat.interp import Env, Interpreter, ModelLoader, builtins
from litmus.cat.relations import Relation
from litmus.engine.encode import ConcreteExecution
from litmus.errors import LitmusError
from litmus.lower.events import KERNEL_LOCK_TAGS
from litmus.lower.targets import SRCU_TAGS, TARGETS
from litmus.syntax.macros import MacroFile


@dataclass(frozen=True)
class ModelSpec:
    """A memory model ready to run: its parsed text, the target its events are lowered for."""

    name: str
    model: cat_ast.Model
    target: str
    stdlib: cat_ast.Model
    loader: ModelLoader
    sc_per_location: bool = False  # True when the model is known to enforce it (prunes rf)
    # True when the model is known to make every rmw atomic: with sc_per_location, spinlocks
    # are encoded as critical sections in turn (engine/locks.py)
    atomic_rmw: bool = False
    variants: frozenset[str] = frozenset()
    bell: cat_ast.Model | None = None  # a herd configuration's bell file, run before the model
    macros: MacroFile | None = None  # a herd configuration's .def: how primitives lower
    catdep: bool = False  # the model computes dependencies from register events (herd's catdep)

    def known_tags(self) -> set[str]:
        t = TARGETS[self.target]
        tags: set[str] = {"IW"}
        for table in (t.load, t.store, t.fence):
            for value in table.values():
                tags.update(value or ())
        for rmw in t.rmw.values():
            for part in (rmw.read, rmw.write, rmw.fence_after, rmw.fence_before):
                tags.update(part or ())
        tags.update(t.store_mb_fence or ())
        tags.update(t.machine_tags)
        if t.kernel_locks:
            tags.update(KERNEL_LOCK_TAGS)
        if t.srcu:
            tags.update(SRCU_TAGS)
        if t.rmw_tag:
            tags.add(t.rmw_tag)
        return tags


def run_model(spec: ModelSpec, base, interpreter=Interpreter) -> Interpreter:  # type: ignore[no-untyped-def]
    """Our standard library, then the model's bell file if it has one, then the model."""
    interp = interpreter(base, spec.loader, spec.variants)
    env = interp.run_model(spec.stdlib, Env(builtins(base, interp)))
    if spec.bell is not None:
        env = interp.run_model(spec.bell, env)
    interp.final_env = interp.run_model(spec.model, env)
    return interp


def execution_relations(concrete: ConcreteExecution, interp: Interpreter) -> dict[str, set[tuple[int, int]]]:
    """po, rf, co, fr, dependencies and rmw of one execution, as its model sees them: a model
    that builds rf or co itself (herd's lock.cat, cos.cat) has the final say on those."""
    out: dict[str, set[tuple[int, int]]] = {}
    for name in ("po", "rf", "co", "addr", "data", "ctrl", "rmw"):
        out[name] = set(concrete.primitive(name).entries)
    for name in ("rf", "co", "rmw"):
        try:
            value = interp.final_env.lookup(name)
        except (KeyError, LitmusError):
            continue
        if isinstance(value, Relation):
            out[name] = {k for k, c in value.entries.items() if c is True}
    out["fr"] = {(r, w2) for (w, r) in out["rf"] for (w1, w2) in out["co"] if w1 == w}
    return out
