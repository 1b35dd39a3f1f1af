"""Expand a parsed scenario into its family of herd7 C litmus tests (text).

Every combination of the parameters (in declaration order; later ranges may use earlier values),
filtered by `require`, times every question asked, gives one test. herd's C has no loops: the
per-pageblock actions are unrolled, and the check-then-set with undo of `isolate` (the loop of
start_isolate_page_range) becomes nested `if`s whose `else` undoes the pageblocks set so far; the
rest of the CPU's program runs in the innermost success branch (a failed isolation returns).

A test with a `batch { ... }` comes in three forms: the batched flush itself, with our
`litmus_batch_begin()/litmus_batch_end()` extension (herd7 does not know them); its nearest
herd-compatible form, the same writes in one critical section of a dedicated lock `batch`
(suffix `-cs`); and its sequential twin without either (suffix `-seq`), against which the batched
form's states must be a subset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from litmus.errors import LitmusError, Span
from litmus.scenario import ast

Value = Union[int, str]

FLUSH_FORMS = ("atomic", "cs", "seq")
FLUSH_SUFFIX = {"atomic": "", "cs": "-cs", "seq": "-seq"}
ZONE = "zone"
BATCH_LOCK = "batch"

QUESTION_TEXT = {
    "reordered": "{cpu} saw a later pageblock isolated but an earlier one not",
    "torn": "{cpu} saw the writes in one of its reads and missed them in a later read (torn view)",
    "saw_missed": "{cpu} saw {saw} isolated but not {missed}",
    "both_succeeded": "every CPU succeeded (mutual exclusion on the overlap broken)",
    "leaked": "a pageblock is isolated at the end although no CPU that succeeded covers it",
    "lost": "a CPU succeeded but one of its pageblocks is not isolated at the end",
}
DEFAULT_LABEL = {
    "reordered": "reordered", "torn": "torn", "saw_missed": "saw-missed",
    "both_succeeded": "both", "leaked": "leak", "lost": "lost",
}  # fmt: skip


@dataclass(frozen=True)
class GeneratedTest:
    """One member of a scenario's family."""

    name: str  # test name (also the file stem)
    text: str  # herd7 C litmus source
    params: tuple[tuple[str, Value], ...]
    question: str  # the question's label
    flush: str | None = None  # 'atomic' | 'cs' | 'seq' for tests with a batch, else None
    twin: str | None = None  # for the atomic form: the name of its sequential twin


# Bounds on a family, far beyond what any checker run could take, so that a typo (N = 2..8000)
# is an error at once rather than a machine's memory filled with text
MAX_RANGE = 256  # values of one ranged parameter
MAX_COMBINATIONS = 100_000  # parameter combinations looked at (most may fail a `require`)
MAX_PAGEBLOCKS = 64
MAX_TESTS = 5_000  # tests in one family
MAX_TEXT = 100_000_000  # characters of litmus text in one family


class _Error(Exception):
    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


# ---------------------------------------------------------------- parameters and conditions


def _eval(expr: ast.Expr, env: dict[str, Value]) -> Value:
    if isinstance(expr, ast.Int):
        return expr.value
    if isinstance(expr, ast.Name):
        return env.get(expr.name, expr.name)  # an unknown name is a symbolic value
    a, b = _eval(expr.left, env), _eval(expr.right, env)
    if not isinstance(a, int) or not isinstance(b, int):
        bad = expr.left if not isinstance(a, int) else expr.right
        raise _Error(f"'{a if not isinstance(a, int) else b}' is not a number (no such parameter)", bad.span)
    if expr.op in "/%" and b == 0:
        raise _Error("division by zero", expr.span)
    return {"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0, "%": a % b if b else 0}[expr.op]


def _int(expr: ast.Expr, env: dict[str, Value]) -> int:
    v = _eval(expr, env)
    if not isinstance(v, int):
        raise _Error(f"'{v}' is not a number (no such parameter)", expr.span)
    return v


def _holds(cond: ast.Cond | None, env: dict[str, Value]) -> bool:
    if cond is None:
        return True
    if isinstance(cond, ast.BoolOp):
        if cond.op == "not":
            return not _holds(cond.args[0], env)
        if cond.op == "and":
            return all(_holds(c, env) for c in cond.args)
        return any(_holds(c, env) for c in cond.args)
    if isinstance(cond, ast.In):
        v = _eval(cond.value, env)
        return any(v == _eval(c, env) for c in cond.choices)
    a, b = _eval(cond.left, env), _eval(cond.right, env)
    if cond.op == "==":
        return a == b
    if cond.op == "!=":
        return a != b
    if not isinstance(a, int) or not isinstance(b, int):
        raise _Error(f"'{cond.op}' compares numbers", cond.span)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[cond.op]


def _combinations(params: tuple[ast.Param, ...], env: dict[str, Value]):  # type: ignore[no-untyped-def]
    if not params:
        yield dict(env)
        return
    p, rest = params[0], params[1:]
    if p.lo is not None and p.hi is not None:
        lo, hi = _int(p.lo, env), _int(p.hi, env)
        if hi - lo >= MAX_RANGE:
            raise _Error(f"a range of {hi - lo + 1} values: a parameter takes at most {MAX_RANGE}", p.span)
        values: list[Value] = list(range(lo, hi + 1))
    else:
        values = []
        for e in p.values:
            v = _eval(e, env)
            if v not in values:
                values.append(v)
    for v in values:
        yield from _combinations(rest, {**env, p.name: v})


def _pbs(sel: ast.Pbs, env: dict[str, Value], count: int) -> list[int]:
    if isinstance(sel, ast.PbRange):
        lo, hi = _int(sel.lo, env), _int(sel.hi, env)
        if lo <= hi and not 0 <= lo <= hi < count:  # before the list: hi may be huge
            bad = lo if not 0 <= lo < count else count  # the first one past the end
            raise _Error(f"pageblock {bad} out of range (the run has pageblocks 0..{count - 1})", sel.span)
        out = list(range(lo, hi + 1))
    else:
        out = [_int(e, env) for e in sel.items]
    for pb in out:
        if not 0 <= pb < count:
            raise _Error(f"pageblock {pb} out of range (the run has pageblocks 0..{count - 1})", sel.span)
    return out


# ---------------------------------------------------------------- code for one CPU


@dataclass
class _Cpu:
    proc: int
    name: str
    lines: list[str] = field(default_factory=list)
    regs: list[str] = field(default_factory=list)
    pbs: set[int] = field(default_factory=set)
    locks: list[str] = field(default_factory=list)
    reads: list[tuple[int, str]] = field(default_factory=list)  # (pageblock, register), po order
    covers: set[int] = field(default_factory=set)  # pageblocks of its isolate actions
    has_fail: bool = False
    has_batch: bool = False

    def use_lock(self, lock: str) -> None:
        if lock not in self.locks:
            self.locks.append(lock)

    def new_reg(self, pb: int) -> str:
        name = f"r{pb}"
        k = 1
        while name in self.regs:
            name = f"r{pb}_{k}"
            k += 1
        self.regs.append(name)
        return name


class _Marker:
    """Opens or closes a block in the flattened statement list."""

    def __init__(self, kind: str, open_: bool, span: Span) -> None:
        self.kind = kind
        self.open = open_
        self.span = span


class _CpuGen:
    def __init__(self, cpu: _Cpu, env: dict[str, Value], count: int, flush: str) -> None:
        self.cpu = cpu
        self.env = env
        self.count = count
        self.flush = flush

    def emit(self, indent: int, line: str) -> None:
        self.cpu.lines.append("\t" * indent + line)

    def flatten(self, stmts: tuple[ast.Stmt, ...], in_batch: bool = False) -> list:
        out: list = []
        for s in stmts:
            if not _holds(s.guard, self.env):
                continue
            if isinstance(s, ast.Block):
                if s.kind == "batch" and in_batch:
                    raise _Error("batches do not nest", s.span)
                out.append(_Marker(s.kind, True, s.span))
                out.extend(self.flatten(s.body, in_batch or s.kind == "batch"))
                out.append(_Marker(s.kind, False, s.span))
            else:
                if in_batch and isinstance(s, ast.Action) and s.verb == "isolate":
                    raise _Error("'isolate' branches, so it cannot be part of a batched flush", s.span)
                out.append(s)
        return out

    def lock(self, indent: int, lock: str) -> None:
        self.cpu.use_lock(lock)
        self.emit(indent, f"spin_lock({lock});")

    def unlock(self, indent: int, lock: str) -> None:
        self.emit(indent, f"spin_unlock({lock});")

    def run(self, stmts: list, k: int, indent: int, held: list[str]) -> None:
        while k < len(stmts):
            s = stmts[k]
            if isinstance(s, _Marker):
                self.marker(s, indent, held)
                held = self._held_after(s, held)
            elif isinstance(s, ast.Fence):
                self.emit(indent, f"{s.name}();")
            elif s.verb == "isolate":
                self.isolate(s, stmts, k + 1, indent, held)
                return
            else:
                self.straight(s, indent, held)
            k += 1

    @staticmethod
    def _held_after(m: _Marker, held: list[str]) -> list[str]:
        lock = {"locked": ZONE, "batch": BATCH_LOCK}.get(m.kind)
        if lock is None:
            return held
        return held + [lock] if m.open else [h for h in held if h != lock]

    def marker(self, m: _Marker, indent: int, held: list[str]) -> None:
        if m.kind == "locked":
            if m.open and ZONE in held:
                raise _Error("already holding the zone lock here", m.span)
            (self.lock if m.open else self.unlock)(indent, ZONE)
        elif m.kind == "batch":
            self.cpu.has_batch = True
            if self.flush == "atomic":
                if m.open:
                    self.emit(indent, "litmus_batch_begin(); /* litmus extension, unknown to herd7: a batched flush */")
                else:
                    self.emit(indent, "litmus_batch_end(); /* litmus extension: end of the batched flush */")
            elif self.flush == "cs":
                (self.lock if m.open else self.unlock)(indent, BATCH_LOCK)

    def _mods(self, action: ast.Action, held: list[str]) -> dict:
        mods = {"reverse": False, "access": "once", "fence": None, "locked": None}
        for m in action.modifiers:
            if not _holds(m.when, self.env):
                continue
            if m.kind == "reverse":
                mods["reverse"] = True
            elif m.kind in ("once", "release", "acquire"):
                mods["access"] = m.kind
            elif m.kind == "fence":
                mods["fence"] = m.arg
            elif m.kind == "locked":
                if ZONE in held:
                    raise _Error("already holding the zone lock here (inside 'locked { }')", m.span)
                mods["locked"] = m.arg
        return mods

    def _read(self, indent: int, pb: int, acquire: bool) -> str:
        reg = self.cpu.new_reg(pb)
        self.cpu.pbs.add(pb)
        self.cpu.reads.append((pb, reg))
        if acquire:  # smp_load_acquire takes the pointer, READ_ONCE the location
            self.emit(indent, f"{reg} = smp_load_acquire(pb{pb});")
        else:
            self.emit(indent, f"{reg} = READ_ONCE(*pb{pb});")
        return reg

    def _write(self, indent: int, pb: int, value: int, release: bool) -> None:
        self.cpu.pbs.add(pb)
        if release:
            self.emit(indent, f"smp_store_release(pb{pb}, {value});")
        else:
            self.emit(indent, f"WRITE_ONCE(*pb{pb}, {value});")

    def straight(self, action: ast.Action, indent: int, held: list[str]) -> None:
        mods = self._mods(action, held)
        pbs = _pbs(action.pbs, self.env, self.count)
        if mods["reverse"]:
            pbs = pbs[::-1]
        each, group = mods["locked"] == "each", mods["locked"] == "group"
        if group:
            self.lock(indent, ZONE)
        for k, pb in enumerate(pbs):
            if k and mods["fence"]:
                self.emit(indent, f"{mods['fence']}();")
            if each:
                self.lock(indent, ZONE)
            if action.verb == "read":
                self._read(indent, pb, mods["access"] == "acquire")
            else:
                self._write(indent, pb, 1 if action.verb == "set" else 0, mods["access"] == "release")
            if each:
                self.unlock(indent, ZONE)
        if group:
            self.unlock(indent, ZONE)

    def isolate(self, action: ast.Action, rest: list, k_rest: int, indent: int, held: list[str]) -> None:
        mods = self._mods(action, held)
        pbs = _pbs(action.pbs, self.env, self.count)
        if mods["reverse"]:
            pbs = pbs[::-1]
        self.cpu.covers.update(pbs)
        self.cpu.has_fail = True
        each, group = mods["locked"] == "each", mods["locked"] == "group"
        release = mods["access"] == "release"
        if group:
            self.lock(indent, ZONE)

        def step(k: int, done: list[int], ind: int) -> None:
            pb = pbs[k]
            if k and mods["fence"]:
                self.emit(ind, f"{mods['fence']}();")
            if each:
                self.lock(ind, ZONE)
            reg = self._read(ind, pb, mods["access"] == "acquire")
            self.emit(ind, f"if ({reg} == 0) {{")
            self._write(ind + 1, pb, 1, release)
            if each:
                self.unlock(ind + 1, ZONE)
            if k + 1 < len(pbs):
                step(k + 1, done + [pb], ind + 1)
            else:
                if group:
                    self.unlock(ind + 1, ZONE)
                self.run(rest, k_rest, ind + 1, held)
            self.emit(ind, "} else {")
            if each:
                self.unlock(ind + 1, ZONE)
            for undo in sorted(done):  # give back what this CPU set, in pfn order
                if each:
                    self.lock(ind + 1, ZONE)
                self._write(ind + 1, undo, 0, release)
                if each:
                    self.unlock(ind + 1, ZONE)
            if group:
                self.unlock(ind + 1, ZONE)
            for lock in reversed(held):  # a failed isolation returns: leave every critical section
                self.unlock(ind + 1, lock)
            self.emit(ind + 1, "fail = 1;")
            self.emit(ind, "}")

        if not pbs:
            self.run(rest, k_rest, indent, held)
            return
        step(0, [], indent)


# ---------------------------------------------------------------- conditions


def _render(node, top: bool = False) -> str:  # type: ignore[no-untyped-def]
    """('and'|'or', [children]) or an atom string; herd's /\\ and \\/ with parentheses as needed."""
    if isinstance(node, str):
        return node
    op, kids = node
    if len(kids) == 1:
        return _render(kids[0], top)
    sep = " /\\ " if op == "and" else " \\/ "
    return sep.join(_render(k) if isinstance(k, str) or len(k[1]) == 1 else f"({_render(k)})" for k in kids)


def _question(q: ast.Question, cpus: list[_Cpu], env: dict[str, Value], count: int):  # type: ignore[no-untyped-def]
    """(condition tree, locations, description) for the question on this test."""
    by_name = {c.name: c for c in cpus}
    if q.kind in ("reordered", "torn", "saw_missed"):
        cpu = by_name[q.cpu or ""]
        first: dict[int, str] = {}
        order: list[int] = []
        for pb, reg in cpu.reads:
            if pb not in first:
                first[pb] = reg
                order.append(pb)
        locations = [f"{cpu.proc}:{first[pb]}" for pb in sorted(order)]

        def atom(pb: int, v: int) -> str:
            return f"{cpu.proc}:{first[pb]}={v}"

        pairs = []
        for a, x in enumerate(order):
            for y in order[a + 1 :]:
                if q.kind == "reordered" and x > y:  # read the later pageblock first
                    pairs.append(("and", [atom(x, 1), atom(y, 0)]))
                elif q.kind == "torn":
                    pairs.append(("and", [atom(x, 1), atom(y, 0)]))
        if q.kind == "saw_missed":
            saw = _pbs(q.saw, env, count) if q.saw else []
            missed = _pbs(q.missed, env, count) if q.missed else []
            for pb in saw + missed:
                if pb not in first:
                    raise _Error(f"{cpu.name} does not read pageblock {pb}", q.span)
            want = {**{pb: 0 for pb in missed}, **{pb: 1 for pb in saw}}
            pairs = [("and", [atom(pb, want[pb]) for pb in order if pb in want])]
            desc = QUESTION_TEXT["saw_missed"].format(
                cpu=cpu.name, saw=", ".join(f"pb{p}" for p in saw), missed=", ".join(f"pb{p}" for p in missed)
            )
        else:
            desc = QUESTION_TEXT[q.kind].format(cpu=cpu.name)
        if not pairs:
            raise _Error(f"nothing to ask: {cpu.name}'s reads give no such pair of pageblocks", q.span)
        return ("or", pairs), locations, desc
    owners = [c for c in cpus if c.has_fail]
    if not owners:
        raise _Error("this question needs a CPU that runs 'isolate'", q.span)
    covered = sorted(set().union(*(c.covers for c in owners)))
    locations = [f"pb{pb}" for pb in covered] + [f"{c.proc}:fail" for c in owners]
    if q.kind == "both_succeeded":
        tree = ("and", [f"{c.proc}:fail=0" for c in owners])
    elif q.kind == "leaked":
        tree = ("or", [
            ("and", [f"pb{pb}=1"] + [f"{c.proc}:fail=1" for c in owners if pb in c.covers]) for pb in covered
        ])  # fmt: skip
    else:
        tree = ("or", [
            ("and", [f"pb{pb}=0", ("or", [f"{c.proc}:fail=0" for c in owners if pb in c.covers])]) for pb in covered
        ])  # fmt: skip
    return tree, locations, QUESTION_TEXT[q.kind]


# ---------------------------------------------------------------- whole tests


def _value_text(v: Value) -> str:
    return str(v).replace("_", "-")


def _test_name(sc: ast.Scenario, env: dict[str, Value], label: str) -> str:
    if sc.name_template:
        fields = {k: _value_text(v) for k, v in env.items()}
        fields.update(ask=label, scenario=sc.name)
        try:
            body = sc.name_template.format(**fields)
        except (KeyError, IndexError) as e:
            raise _Error(f"unknown field {e} in the name template", None) from None
    else:
        parts = [sc.name] + [_value_text(v) for k, v in env.items() if k != "N"] + [label]
        if "N" in env:
            parts.append(f"N{env['N']}")
        body = "-".join(parts)
    return "pageblock-" + body


def _one(sc: ast.Scenario, env: dict[str, Value], q: ast.Question, flush: str, name: str) -> tuple[str, bool]:
    count = _int(sc.pageblocks, env)
    if not 1 <= count <= MAX_PAGEBLOCKS:
        raise _Error(f"a run needs 1 to {MAX_PAGEBLOCKS} pageblocks (got {count})", sc.pageblocks.span)
    cpus: list[_Cpu] = []
    for proc, c in enumerate(sc.cpus):
        cpu = _Cpu(proc, c.name)
        gen = _CpuGen(cpu, env, count, flush)
        gen.run(gen.flatten(c.body), 0, 1, [])
        cpus.append(cpu)
    tree, locations, desc = _question(q, cpus, env, count)
    has_batch = any(c.has_batch for c in cpus)
    label = q.label or DEFAULT_LABEL[q.kind]

    out = [f"C {name}", "", "(*"]
    out.append(f" * Generated by `litmus gen` from scenario '{sc.name}'" + (f": {sc.title}" if sc.title else "."))
    if env:
        out.append(" * Parameters: " + ", ".join(f"{k}={v}" for k, v in env.items()) + ".")
    for c in cpus:
        out.append(f" * P{c.proc} is {c.name}.")
    out.append(f" * Question '{label}': {desc}.")
    if has_batch and flush == "atomic":
        out += [
            " * litmus_batch_begin()/litmus_batch_end() are a litmus extension that herd7",
            " * does not know: the writes between them become visible as one atomic group.",
            " * The -cs file is the nearest herd-compatible form (one critical section).",
        ]
    elif has_batch and flush == "cs":
        out.append(" * Herd-compatible form of a batched flush: one critical section on lock 'batch'.")
    elif has_batch:
        out.append(" * Sequential twin of a batched flush: the same writes, no batch.")
    out += [" *)", "", "{}", ""]
    for c in cpus:
        params = [f"int *pb{pb}" for pb in sorted(c.pbs)] + [f"spinlock_t *{lock}" for lock in c.locks]
        out.append(f"P{c.proc}({', '.join(params)})")
        out.append("{")
        decls = [f"\tint {r};" for r in c.regs] + (["\tint fail = 0;"] if c.has_fail else [])
        out += decls
        if decls and c.lines:
            out.append("")
        out += c.lines
        out += ["}", ""]
    out.append(f"locations [{'; '.join(locations)}]")
    out.append(f"exists ({_render(tree, top=True)})")
    return "\n".join(out) + "\n", has_batch


def expand(sc: ast.Scenario) -> list[GeneratedTest]:
    """The scenario's family, in parameter order; LitmusError (file:line:col) when it is wrong."""
    try:
        return _expand(sc)
    except _Error as e:
        raise LitmusError(e.message, sc.path, e.span, sc.source) from None


def _expand(sc: ast.Scenario) -> list[GeneratedTest]:
    tests: list[GeneratedTest] = []
    seen: dict[str, tuple] = {}
    size = 0
    for looked, env in enumerate(_combinations(sc.params, {})):
        if looked == MAX_COMBINATIONS:
            raise _Error(f"more than {MAX_COMBINATIONS} combinations of parameters: narrow their ranges", sc.span)
        if not all(_holds(r, env) for r in sc.requires):
            continue
        for q in sc.questions:
            if not _holds(q.guard, env):
                continue
            label = q.label or DEFAULT_LABEL[q.kind]
            base = _test_name(sc, env, label)
            text, has_batch = _one(sc, env, q, "atomic", base)
            forms = [("atomic", base, text)]
            if has_batch:
                for flush in ("cs", "seq"):
                    name = base + FLUSH_SUFFIX[flush]
                    forms.append((flush, name, _one(sc, env, q, flush, name)[0]))
            size += sum(len(body) for _, _, body in forms)
            if len(tests) + len(forms) > MAX_TESTS or size > MAX_TEXT:
                raise _Error(f"a family of more than {min(MAX_TESTS, len(tests) + len(forms))} tests "
                             f"({size // 1_000_000} MB): narrow the parameters' ranges", q.span)  # fmt: skip
            for flush, name, body in forms:
                if name in seen:
                    raise _Error(
                        f"two tests named {name}: add parameters to the 'name' template", q.span
                    )
                seen[name] = ()
                tests.append(GeneratedTest(
                    name=name, text=body, params=tuple(env.items()), question=label,
                    flush=flush if has_batch else None,
                    twin=base + FLUSH_SUFFIX["seq"] if has_batch and flush == "atomic" else None,
                ))  # fmt: skip
    return tests


def expand_file(path: str) -> list[GeneratedTest]:
    from litmus.scenario.parser import parse_scenario_file

    return expand(parse_scenario_file(path))
