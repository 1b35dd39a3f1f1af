"""Exact execution counts by projected model counting, for tests with many executions.

herd's Positive/Negative are numbers of executions. Enumerating them costs one solver call each,
which is exponential where herd's own enumeration is too. Here the test's problem, encoded so
that nothing but the execution can vary (the checker's `determined` mode: Boolean coherence
order, closures as circuits), becomes CNF through z3's bit-blasting and Tseitin transformation,
and Ganak counts the distinct assignments of the execution key (rf choices, coherence pairs, the
model's own choices): exactly the executions, each once, whatever variables are left existential.

All of this runs in a forked child (`Forked`) while the checker goes on enumerating with z3,
and Ganak in a child of that child, racing its SAT listing: Ganak cannot be interrupted from
Python, it prints on stdout, and a crash or a deadline then costs a child only (the caller
keeps its verdict and states).

Listings (final states, executions) run on CaDiCaL's simplification of the CNF with the
variables they read frozen (`compact`), and where a final state fixes its execution
(`determines`) the states are the executions: no count is needed. A long listing of final
states (a SAT call each) takes a second core when it may: a forked helper walks half of it.
"""

from __future__ import annotations

import gc
import itertools
import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import z3

# Ganak and PySAT, imported on first use (`_load`): a verdict never needs them, and they were
# 10-15 ms of every process's start-up
pyganak: Any = None
sat: Any = None
Processor: Any = None
_loaded = False


def _load() -> None:
    global pyganak, sat, Processor, _loaded
    if _loaded:
        return
    _loaded = True
    try:
        import pyganak as counter
        from pysat import solvers
    except ImportError:  # no wheel for this platform: counts come from enumeration
        return
    pyganak, sat = counter, solvers
    try:
        from pysat.process import Processor as processor
    except ImportError:  # an older PySAT: listings run on the CNF as it is
        return
    Processor = processor

_COMPARISONS = {
    z3.Z3_OP_LT: z3.ULT, z3.Z3_OP_LE: z3.ULE, z3.Z3_OP_GT: z3.UGT, z3.Z3_OP_GE: z3.UGE,
    z3.Z3_OP_EQ: lambda a, b: a == b, z3.Z3_OP_DISTINCT: lambda a, b: a != b,
}  # fmt: skip
# card2bv: an AtMost left as it is would go into the DIMACS as a free variable, not a constraint
_TO_CNF = ("simplify", "card2bv", "bit-blast", "tseitin-cnf")
MAX_CLAUSES = 1_000_000
# Problems beyond this many distinct terms are not translated (a lock-heavy pageblock test under
# LKMM: 136,000 terms, 3 million clauses, 18 s to translate; the corpora's counting-heavy tests
# stay under 25,000)
MAX_EXPRS = 60_000
# Solutions listed before the variables every remaining solution fixes are left out of the
# blocking clauses: a final state's 32-bit values are mostly constant bits, and a ring of 8
# threads lists 65,535 states (clauses of 528 literals, a third of the listing's time)
PRUNE_AFTER = 64
# Once this many variables at most tell the solutions left apart, listings walk their values
# instead of reading a model per solution (a walk costs up to this many calls per solution)
DFS_VARIABLES = 24
# Conflicts the SAT solver may spend on `determines` before the listing counts on its own
DETERMINES_CONFLICTS = 200_000
# Rounds of CaDiCaL's simplification for a CNF about to be solved many times over (CaDiCaL
# stops earlier at its fixpoint): a listing of thousands of final states, a count by Ganak.
# A ring of 18 threads lists its 262,143 final states in 8.2 s on that CNF (16,400 clauses,
# renumbered) instead of 26.8 s on one round's (35,400), a SAT call each; but the rounds cost
# more than they save on a small listing (coherence stress N=3: 0.91 s -> 1.04 s when every
# listing had them), which stays on one round's
DENSE_ROUNDS = 50
# ... once a listing has this many variables left to walk
DENSE_WALK = 12
# A walk still going after this long hands half of what is left to a forked helper on another
# core (the caller waits on the listing meanwhile): a ring of 19 threads lists 524,287 final
# states, a SAT call each, in 20-40 s on one core
SPLIT_AFTER_S = 0.5
# Processes a listing's walk, or the checker's enumeration of executions, may use. A batch's, a
# server's or a cluster's workers fill the cores themselves: each calls `one_core()` (api's)
walkers = min(2, os.cpu_count() or 1) if hasattr(os, "fork") else 1


def one_core() -> None:
    """Listings and enumerations in this process keep to one core (a worker among others)."""
    global walkers
    walkers = 1


def available() -> bool:
    """A counter to run, and a child process to run it in."""
    _load()
    return pyganak is not None and sat is not None and hasattr(os, "fork")


@dataclass(frozen=True)
class Cnf:
    clauses: list[list[int]]
    variables: int
    sampling: list[int]  # the key literals' variables
    named: dict[str, int]  # the variable of each named literal asked for

    def with_unit(self, literal: int) -> Cnf:
        return Cnf(self.clauses + [[literal]], self.variables, self.sampling, self.named)

    def simplified(self) -> Cnf:
        """This CNF simplified to CaDiCaL's fixpoint, its sampling variables kept, for the
        counter (coherence stress N=4: 0.7 s, then Ganak 5.4 s instead of 8.4)."""
        clauses = _simplified(self.clauses, self.sampling, DENSE_ROUNDS)
        return Cnf([[]] if clauses is None else clauses, self.variables, self.sampling, self.named)


class Unsupported(Exception):
    """A term this translation does not take to CNF (the caller enumerates instead)."""


class OverBudget(Unsupported):
    """The translation needed more time or terms than its budget."""


def to_cnf(formulas: Sequence[z3.BoolRef], keys: Sequence[z3.BoolRef],
           named: dict[str, z3.BoolRef] | None = None, budget_s: float | None = None) -> Cnf:  # fmt: skip
    """CNF of the conjunction of `formulas`, the variables of `keys` (each named by a fresh
    literal equal to it, so the counter projects on exactly these) and of the `named` terms.
    Unsupported when the translation needs longer than `budget_s` (a problem that big is not
    worth it: enumerating it is usually cheaper)."""
    started = time.perf_counter()
    goal = z3.Goal()
    names = [z3.Bool(f"__key{i}") for i in range(len(keys))]
    given = {name: z3.Bool(name) for name in named or {}}
    parts = list(formulas) + [n == k for n, k in zip(names, keys)]
    parts += [given[name] == term for name, term in (named or {}).items()]
    goal.add(*parts)
    if z3.Probe("num-arith-consts")(goal):  # clocks or ranks: walking the terms is slow in Python
        goal = z3.Goal()
        goal.add(*_without_integers(parts))
    check_size(list(goal))
    tactic = z3.Then(*_TO_CNF)
    if budget_s is not None:
        tactic = z3.TryFor(tactic, max(1, int(budget_s * 1000)))
    try:
        (cnf,) = tactic(goal)
    except z3.Z3Exception as e:
        raise OverBudget(f"no CNF within {budget_s} s: {e}") from None
    # z3 heeds its timeout only now and then: past the budget, or too big to read back in
    # Python (millions of clauses), the CNF is not worth it
    if budget_s is not None and time.perf_counter() - started > budget_s:
        raise OverBudget(f"no CNF within {budget_s} s")
    if len(cnf) > MAX_CLAUSES:
        raise Unsupported(f"{len(cnf)} clauses")
    variables, clauses, index = _read_dimacs(cnf.dimacs(True))
    if any(not _is_bool_atom(name) for name in index):
        raise Unsupported("a non-Boolean atom survived the translation")
    # a key the simplifier fixed everywhere is gone from the CNF: it tells no executions apart
    sampling = [index[str(n)] for n in names if str(n) in index]
    missing = [name for name in given if name not in index]
    if missing:  # a named literal the simplifier took away: its value cannot be read back
        raise Unsupported(f"{missing[0]} is not in the CNF")
    return Cnf(clauses, variables, sampling, {name: index[name] for name in given})


def _read_dimacs(text: str) -> tuple[int, list[list[int]], dict[str, int]]:
    """z3's DIMACS (the problem line, the clause lines, then a comment line naming each atom's
    variable): how many variables, the clauses, and the variable of each name. The clauses'
    numbers are read in one split and one map (coherence stress N=4: 84,000 clauses, 0.17 s ->
    0.14 s; 0.11 s without the cyclic collector, as in the counting child)."""
    problem, _, rest = text.partition("\n")
    variables = int(problem.split()[2])
    names_at = 0 if rest.startswith("c ") else rest.find("\nc ") + 1 or len(rest)  # the first comment line
    body, names = rest[:names_at], rest[names_at:]
    numbers = list(map(int, body.split()))
    clauses, start = [], 0
    for end in [k for k, n in enumerate(numbers) if not n]:  # each clause ends in a 0
        clauses.append(numbers[start:end])
        start = end + 1
    index = {}
    for line in names.splitlines():
        _, number, name = line.split(None, 2)
        index[name] = int(number)
    return variables, clauses, index


def check_size(formulas: Sequence[z3.BoolRef]) -> None:
    """Unsupported when the formulas are too big for their CNF to pay: it would run to millions
    of clauses, and z3 would not stop translating in time."""
    goal = z3.Goal()
    goal.add(*formulas)
    size = z3.Probe("num-exprs")(goal)
    if size > MAX_EXPRS:
        raise Unsupported(f"{size:.0f} terms")


def solutions(cnf: Compact, distinct: Sequence[int], deadline: float | None,
              reads: Sequence[Sequence[int]] = (), helped: bool = False) -> Iterator[tuple[int, ...] | None]:  # fmt: skip
    """The assignments of a CNF (`compact`ed, `distinct` and `reads` kept) that differ on the
    variables `distinct`, one each, from a SAT solver (CaDiCaL, through PySAT): of each, per
    group of variables in `reads`, their values as the bits of an int (the group's first
    variable the lowest bit). A variable read outside `distinct` must be a function of
    `distinct` (a test's condition of its final state, say). Yields None, and stops, once the
    deadline has passed. `helped`: a long walk may take a second core (nothing else needs it:
    not while Ganak counts beside it); the order of the solutions is then not fixed."""
    _load()
    if not cnf.satisfiable:
        return
    clauses, number, size = cnf.clauses, cnf.number, cnf.size
    variables = [number[v] for v in distinct]
    # each variable read: its group, its bit there, and its place in a model
    places = [(g, b, number[v] - 1) for g, group in enumerate(reads) for b, v in enumerate(group)]
    varying = places  # the reads that may differ from the last solution's
    values = [0] * len(reads)
    blocked: list[list[int]] = []
    with sat.Solver(name="cadical195", bootstrap_with=clauses) as solver:
        for found in itertools.count(1):
            if deadline is not None and time.perf_counter() >= deadline:
                yield None
                return
            if not solver.solve():
                return
            model = solver.get_model()
            if len(model) < size:  # variables in no clause: false
                model += [-v for v in range(len(model) + 1, size + 1)]
            for g, b, i in varying:
                if model[i] > 0:
                    values[g] |= 1 << b
                else:
                    values[g] &= ~(1 << b)
            yield tuple(values)
            clause = [-model[v - 1] for v in variables]
            solver.add_clause(clause)
            if found <= PRUNE_AFTER:  # (for the walk's smaller CNF, which starts after these)
                blocked.append(clause)
            if found == PRUNE_AFTER:
                variables = _unfixed(solver, variables, model, deadline)
                fixed = {number[v] for v in distinct} - set(variables)
                varying = [(g, b, i) for g, b, i in places if i + 1 not in fixed]
                if DENSE_WALK <= len(variables) <= DFS_VARIABLES:
                    # thousands of solutions left, a call each: on a smaller CNF (the kept
                    # variables are the compact CNF's first)
                    kept = range(1, len(number) + 1)
                    denser = _simplified(clauses + blocked, kept, DENSE_ROUNDS)
                    if denser is None:
                        return
                    denser, _ = _renumbered(denser, {v: v for v in kept})
                    with sat.Solver(name="cadical195", bootstrap_with=denser) as walker:
                        yield from _assignments(walker, variables, values, varying, deadline, helped)
                    return
                if len(variables) <= DFS_VARIABLES:
                    yield from _assignments(solver, variables, values, varying, deadline, helped)
                    return
            if not variables:  # every solution left agrees with this one on `distinct`
                return


def _assignments(solver, variables: list[int], values: list[int], varying: list[tuple[int, int, int]],
                 deadline: float | None, helped: bool = False) -> Iterator[tuple[int, ...] | None]:  # type: ignore[no-untyped-def]  # fmt: skip
    """The rest of `solutions`, once few variables tell the solutions left apart: a depth-first
    walk over their values, a SAT call under assumptions per node and no model read back (a
    model is every variable of the CNF: reading 524,288 of them took 12 s of a 19-thread
    ring's 48). The reads outside `variables` are walked first: functions of them, they split
    the solutions without adding any. `helped`: past SPLIT_AFTER_S, half of the nodes left go
    to a forked helper (see `solutions`)."""
    walked = set(variables)
    walk = list(dict.fromkeys([i + 1 for _, _, i in varying if i + 1 not in walked] + variables))
    bits: list[list[tuple[int, int]]] = [[] for _ in walk]  # per walked variable, the reads it sets
    place = {v: k for k, v in enumerate(walk)}
    for g, b, i in varying:
        bits[place[i + 1]].append((g, 1 << b))
    # each node: its assumptions and the reads' values so far, set as the walk goes down (each
    # leaf used to set all of them again; with the checker's state reader in C, the 19-thread
    # ring's listing of 524,288 states went from 6.4-6.7 s to 5.1-5.9 s)
    stack: list[tuple[list[int], tuple[int, ...]]] = [([], tuple(values))]
    pause = time.perf_counter() + SPLIT_AFTER_S if helped and walkers > 1 else None
    yield from _walked(solver.solve, stack, walk, bits, deadline, pause)
    if not stack:
        return
    stack[:], theirs = _halves(stack, len(walk))
    if not theirs:
        yield from _walked(solver.solve, stack, walk, bits, deadline)
        return
    helper = Forked(lambda: list(_walked(solver.solve, theirs, walk, bits, deadline)))
    try:
        yield from _walked(solver.solve, stack, walk, bits, deadline)
        try:
            yield from helper.poll(wait=None)
        except CountFailed:  # the helper crashed: its half is walked here after all
            yield from _walked(solver.solve, theirs, walk, bits, deadline)
    finally:
        helper.cancel()


def _walked(solve: Callable[[list[int]], bool], stack: list[tuple[list[int], tuple[int, ...]]],
            walk: list[int], bits: list[list[tuple[int, int]]], deadline: float | None,
            pause: float | None = None) -> Iterator[tuple[int, ...] | None]:  # fmt: skip
    """`_assignments`' walk of the nodes on `stack`, taken off it as they are walked: the reads
    of each solution below them. Past `pause` it returns with the nodes not yet walked left on
    the stack; past the deadline it yields None and leaves none."""
    calls = 0
    leaf = len(walk)
    while stack:
        calls += 1
        if calls % 256 == 0 and (deadline is not None or pause is not None):
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                stack.clear()
                yield None
                return
            if pause is not None and now >= pause:
                return
        prefix, reads = stack.pop()
        depth = len(prefix)
        # The two levels above the leaves are not asked: with every leaf below asked anyway,
        # a dense listing costs 9 calls per 8 leaves instead of 15, and a sparse one at most
        # 9 instead of 7 (a 19-thread ring's 524,287 states: 48 s, 41 us a call)
        if (depth == leaf or depth < leaf - 2) and not solve(prefix):
            continue
        if depth == leaf:
            yield reads
            continue
        v = walk[depth]
        on, off = list(reads), list(reads)
        for g, bit in bits[depth]:
            on[g] |= bit
            off[g] &= ~bit
        stack += [(prefix + [-v], tuple(off)), (prefix + [v], tuple(on))]


def _halves(stack: list[tuple[list[int], tuple[int, ...]]], leaf: int):  # type: ignore[no-untyped-def]
    """The nodes of a walk's stack in two parts of about equal work, the part kept first: a
    node `depth` levels down has up to 2 ** (leaf - depth) leaves, and shallow nodes (the
    biggest) are dealt first, each to the lighter part."""
    parts: tuple[list, list] = ([], [])
    work = [0, 0]
    for node in sorted(stack, key=lambda node: len(node[0])):
        lighter = 0 if work[0] <= work[1] else 1
        parts[lighter].append(node)
        work[lighter] += 1 << (leaf - len(node[0]))
    return parts


@dataclass(frozen=True)
class Compact:
    """A CNF simplified for listings, some variables kept: its clauses, each kept variable's
    number in them, and how many variables they have."""

    clauses: list[list[int]]
    number: dict[int, int]
    size: int
    satisfiable: bool = True

    def as_cnf(self, sampling: list[int]) -> Cnf:
        """This CNF for the counter, counting the assignments of `sampling` (its own numbers)."""
        return Cnf(self.clauses if self.satisfiable else [[]], self.size, sampling, {})


def compact(cnf: Cnf, keep: Sequence[int]) -> Compact:
    """The CNF simplified by CaDiCaL's preprocessor with the variables `keep` frozen, and
    renumbered with those first. Variable elimination and the rest keep the assignments of
    frozen variables that extend to solutions, which is all a listing reads: a 385,000-clause
    CNF of paulmck's (8 threads) became 1,900, and a solution's model, read back whole, a tenth
    as long."""
    keep = list(dict.fromkeys(keep))
    clauses = _simplified(cnf.clauses, keep, 1)
    if clauses is None:
        return Compact([], {}, 0, satisfiable=False)
    number = {v: k for k, v in enumerate(keep, 1)}
    renumbered, size = _renumbered(clauses, number)
    return Compact(renumbered, {v: number[v] for v in keep}, size)


def _renumbered(clauses: list[list[int]], number: dict[int, int]) -> tuple[list[list[int]], int]:
    """`clauses` with their variables numbered 1, 2, ... without gaps: those in `number` as it
    says (the first), the others in order of appearance; and how many there are. A SAT solver
    assigns every variable up to the highest, in a clause or not (a ring of 17 threads: 41 us a
    call on its simplified CNF as it was numbered, 16 renumbered)."""
    number = dict(number)
    for clause in clauses:
        for lit in clause:
            if abs(lit) not in number:
                number[abs(lit)] = len(number) + 1
    return [[number[lit] if lit > 0 else -number[-lit] for lit in clause] for clause in clauses], len(number)


def _simplified(clauses: list[list[int]], freeze: Sequence[int], rounds: int) -> list[list[int]] | None:
    """`clauses` after `rounds` of CaDiCaL's simplification with the variables `freeze` kept (the
    same numbers); None when they are unsatisfiable. As they are without PySAT's processor."""
    _load()
    if Processor is None or not clauses:
        return clauses
    processed = Processor(bootstrap_with=clauses).process(rounds=rounds, freeze=list(freeze))
    return processed.clauses if processed.status else None


def determines(cnf: Compact, given: Sequence[int], keys: Sequence[int]) -> bool | None:
    """Whether the variables `given` fix the variables `keys` in every solution of a CNF
    (`compact`ed, both kept): no two solutions agree on `given` and differ on `keys`. One SAT
    call on two copies of the CNF sharing `given`; None when it needs more than
    DETERMINES_CONFLICTS conflicts. When a test's final state fixes its execution, its
    executions are its final states, counted as they are listed."""
    _load()
    if not cnf.satisfiable:
        return True
    clauses, number, size = cnf.clauses, cnf.number, cnf.size
    shared = {number[v] for v in given}

    def twin(lit: int) -> int:
        v = abs(lit)
        w = v if v in shared else v + size
        return w if lit > 0 else -w

    fresh = 2 * size
    differ: list[int] = []  # per key outside `given`: a literal that implies the copies differ
    links: list[list[int]] = []
    for v in keys:
        a = number[v]
        if a in shared:
            continue
        fresh += 1
        differ.append(fresh)
        links += [[-fresh, a, twin(a)], [-fresh, -a, -twin(a)]]
    if not differ:
        return True
    with sat.Solver(name="cadical195", bootstrap_with=clauses) as solver:
        solver.append_formula([[twin(lit) for lit in clause] for clause in clauses])
        solver.append_formula(links + [differ])
        solver.conf_budget(DETERMINES_CONFLICTS)
        answer = solver.solve_limited()
    return None if answer is None else not answer


def _unfixed(solver, variables: list[int], model: list[int], deadline: float | None) -> list[int]:  # type: ignore[no-untyped-def]
    """Of `variables`, those that some solution the solver still allows (the blocking clauses
    so far added) sets otherwise than `model`: the solutions left all agree with `model` on the
    others, so only these tell them apart. All of them past the deadline."""
    out = []
    for k, v in enumerate(variables):
        if deadline is not None and time.perf_counter() >= deadline:
            return out + variables[k:]
        if solver.solve(assumptions=[-model[v - 1]]):
            out.append(v)
    return out


def _is_bool_atom(name: str) -> bool:
    return not any(ch in name for ch in " ()")


def _without_integers(formulas: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """The same formulas with every integer variable a bit-vector. Integers here are clocks and
    ranks, compared with each other and with small constants; an order on n of them never needs
    values beyond n + 1, so unsigned bit-vectors of that width keep every answer."""
    variables: dict[int, z3.ArithRef] = {}
    atoms: dict[int, z3.BoolRef] = {}
    seen: set[int] = set()
    stack: list[z3.ExprRef] = list(formulas)
    while stack:
        e = stack.pop()
        key = e.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_arith(e):
            if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED and e.is_int():
                variables[key] = e
                continue
            if z3.is_int_value(e):
                continue
            raise Unsupported(f"arithmetic term {e}")
        if z3.is_app(e) and e.num_args() and z3.is_arith(e.arg(0)):
            if e.decl().kind() not in _COMPARISONS or e.num_args() != 2:
                raise Unsupported(f"arithmetic atom {e}")
            atoms[key] = e
        stack.extend(e.children())
    if not atoms:
        return formulas
    largest = max([len(variables) + 1] + [abs(a.arg(i).as_long()) for a in atoms.values() for i in (0, 1)
                                          if z3.is_int_value(a.arg(i))])  # fmt: skip
    width = largest.bit_length() + 1
    vectors = {k: z3.BitVec(f"__int_{v}", width) for k, v in variables.items()}

    def vector(t: z3.ArithRef) -> z3.BitVecRef:
        if z3.is_int_value(t):
            if t.as_long() < 0:
                raise Unsupported(f"negative constant {t}")
            return z3.BitVecVal(t.as_long(), width)
        return vectors[t.get_id()]

    pairs = [(a, _COMPARISONS[a.decl().kind()](vector(a.arg(0)), vector(a.arg(1)))) for a in atoms.values()]
    # z3.substitute checks every pair's sorts in Python on every call: 20 s for the 1,667
    # formulas and 360 clock comparisons of an 8-thread RCU ring. The pairs' arrays once, the C
    # call per formula.
    sources, targets = (z3.Ast * len(pairs))(), (z3.Ast * len(pairs))()
    for k, (a, b) in enumerate(pairs):
        sources[k], targets[k] = a.as_ast(), b.as_ast()
    ctx = formulas[0].ctx
    return [z3.BoolRef(z3.Z3_substitute(ctx.ref(), f.as_ast(), len(pairs), sources, targets), ctx) for f in formulas]


class CountFailed(Exception):
    """A child process gave no answer (its task failed, or it crashed)."""


class Forked:
    """A task run in a forked child while the caller goes on: the child works on the memory it
    shares with the caller at the fork, prints nothing, and answers on a pipe with the task's
    result, pickled (plain data only). A crash, a deadline or a kill then costs the child
    alone."""

    def __init__(self, task: Callable[[], Any]) -> None:
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            _child(read_end, write_end, task, parent)
        os.close(write_end)
        self.pid: int | None = pid
        self.fd = read_end
        self.chunks: list[bytes] = []
        self.done = False
        self.ready = False  # the task said so (`tell_parent_ready`): what is left is quick

    def poll(self, wait: float | None = 0.0) -> Any:
        """The task's result once the child has answered (`done` is then True); None while it
        works (waiting up to `wait` seconds; None: until it answers). CountFailed when it
        answered nothing (it failed or crashed)."""
        while select.select([self.fd], [], [], wait)[0]:
            chunk = os.read(self.fd, 1 << 16)
            if not self.chunks and chunk[:1] == _READY:
                self.ready, chunk = True, chunk[1:]
                if not chunk:
                    continue
            if not chunk:
                self._reap()
                self.done = True
                try:
                    return pickle.loads(b"".join(self.chunks))
                except (pickle.UnpicklingError, EOFError):  # an empty or cut answer: it failed
                    raise CountFailed("the child process gave no answer") from None
            self.chunks.append(chunk)
        return None

    def cpu_seconds(self) -> float:
        """The CPU time the child has used so far, from Linux's /proc (elsewhere 0.0: as if it
        never had a core of its own, and turns are taken)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        except (OSError, ValueError, IndexError, TypeError):
            return 0.0

    def cancel(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def pause(self) -> None:
        """Stop the child where it is (SIGSTOP), its state kept, until `resume`; a paused
        child can still be cancelled."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGCONT)

    def _reap(self) -> None:
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.pid = None


class BackgroundCount(Forked):
    """Ganak counting in a forked child while the caller goes on enumerating: whichever
    finishes first gives the counts (the counter wins on many executions, enumeration on a big
    problem with few). `make_cnfs` (side of the condition -> CNF) runs in the child; the answer
    is the count of each side."""

    def __init__(self, make_cnfs: Callable[[], dict[bool, Cnf]]) -> None:
        super().__init__(lambda: {side: _ganak(cnf) for side, cnf in make_cnfs().items()})


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_READY = b"\x00"  # before the answer (a pickle starts otherwise)
_to_parent: int | None = None  # in a Forked child: the pipe to its parent


def tell_parent_ready() -> None:
    """In a Forked task: the rest of the work is quick, the parent may stop racing it and wait
    (a SAT solver listing executions is far faster than z3 enumerating them). Elsewhere nothing."""
    global _to_parent
    if _to_parent is not None:
        os.write(_to_parent, _READY)
        _to_parent = None


def _child(read_end: int, write_end: int, task: Callable[[], Any], parent: int) -> None:
    global _to_parent
    status = 1
    try:
        os.close(read_end)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)  # Ganak reports on stdout
        os.dup2(quiet, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _die_with_parent(parent)
        # The cyclic collector would walk every object shared with the parent (copying their
        # pages) and, counting the listing's tuples, run every few hundred of them: the child
        # lives seconds, and what it makes is freed by reference counting (lazy.py's runs too)
        gc.disable()
        _to_parent = write_end
        answer = memoryview(pickle.dumps(task(), protocol=pickle.HIGHEST_PROTOCOL))
        while answer:
            answer = answer[os.write(write_end, answer):]
        status = 0
    finally:  # never back into the caller's code
        os._exit(status)


def _die_with_parent(parent: int) -> None:
    """On Linux, a child whose parent is killed (a batch worker past its deadline) is killed too,
    instead of counting on for no one. (batch.py has its own copy: engine cannot import it.)"""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # killed before the signal was asked for: it would never come
        os._exit(1)


def _ganak(cnf: Cnf) -> int:
    _load()
    if not cnf.clauses:
        return 2 ** len(cnf.sampling)
    if any(not clause for clause in cnf.clauses):
        return 0
    counter = pyganak.Counter()
    counter.new_vars(cnf.variables)
    counter.add_clauses(cnf.clauses)
    counter.set_sampling_set(cnf.sampling)
    return counter.count()
