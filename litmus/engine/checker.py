"""The z3 problem of one test under one model -> verdict, final states, execution counts, flags, witness.

One solver per (test, model). Model checks are asserted under assumption literals (so a Never
verdict can later name the check that forbids it). Executions are enumerated with blocking
clauses over the terms that tell them apart (rf choices and coherence orders), which gives
herd's States, Positive/Negative counts and verdict in one pass. A long enumeration shares
the work with a forked helper on another core (one side of a key each: `_OtherHalf`), and
many executions go to the test's CNF (engine/count.py) in a child process.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable
from typing import Any

import z3

from litmus.cat.interp import CheckOutcome, Interpreter, _default_check_name
from litmus.cat.relations import OverBudget, PackedBools, and_, eval_bools, mk_not, mk_or, to_z3
from litmus.engine import count as counting
from litmus.engine.encode import (
    ConcreteExecution,
    NotDetermined,
    SymbolicExecution,
    WitnessCheckFailed,
)
from litmus.engine.lazy import BudgetedInterpreter, KeptValues, LazyChecks, LearningSolver, NotTraceable, raised_flags
from litmus.engine.model import ModelSpec, execution_relations, run_model
from litmus.errors import LitmusError
from litmus.lower.events import Program, bv
from litmus.result import (
    ALWAYS,
    NEVER,
    SOMETIMES,
    UNKNOWN,
    Result,
    State,
    Witness,
    WitnessEvent,
)
from litmus.syntax import ast
from litmus.syntax.printer import format_condition, format_location

KINDS = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}
# Executions enumerated one solver call each before the CNF of the test starts counting the
# rest, in a child process beside the enumeration (whichever finishes first counts): below it
# enumeration is cheaper than building the counter's problem
COUNTER_AFTER = 64
# ... or once enumerating has taken this many seconds and found this many executions: an
# 11-thread paulmck RCU chain (2,047 executions, deferred checks) needs a quarter of a second
# for 64, and its CNF lists them all in under a second. A zone-locked test, whose few
# executions each cost many lazy rounds, stays below the count (its CNF is too big to pay).
EARLY_COUNTER_S, EARLY_COUNTER_AFTER = 0.1, 32
# ... and once the enumeration has cost this many times the problem's build. The CNF costs 3 to
# 12 builds to make and simplify; beside the enumeration it costs the other core, not this one
CNF_AFTER_BUILDS = 1.0
# False: the enumeration stops and waits for the CNF's answer (tests that force the CNF path)
RACE_CNF = True
# Terms the determined encoding builds per second (this machine, LKMM's lock-heavy tests): the
# CNF's time budget as a cap on the terms it may build, so that a build too big stops promptly
WORK_PER_S = 200_000
# A test with deferred checks builds its determined encoding up to this many terms at most, and
# tries no more after (a zone-locked race at N=8, retried with ever bigger budgets, built for
# 130 s of a 193 s run before its CNF was found too big). Of the 505 tests with deferred checks
# in our corpora and pageblock families (lkmm), those whose CNF is small enough to use (under
# count.MAX_EXPRS) build at most 151,000 (pageblock order both locked N=4; paulmck's rings of
# 19 threads 131,000), and the zone-locked ones build about 3.4 terms per term of their CNF,
# so 200,000 is where they pass MAX_EXPRS. A higher cap only burnt the other core, which the
# enumeration's helper waits for: 1,000,000 let order both locked N=6 build 510,000 (3.3 s)
# for nothing (herd output 7.96 -> 6.51 s, race unlocked N=6 6.75 -> 6.24 s at 200,000)
LAZY_WORK_CAP = 200_000
# Enumerating and waiting for the model counter take turns of this many seconds ...
TURN_S = 0.05
# ... unless the counter has run for this share of the time since it started at least: it has
# a core of its own (or most of one), and waiting would only idle this one (coherence stress
# N=3: 0.26 s of 1.0)
PARALLEL_SHARE = 0.5
# The share of a --timeout that listing final states and counting executions may take: the
# rest is the verdict's (a test with more final states than can be listed in time, paulmck's
# rings of 17 to 19 threads, still gets its verdict, in about a second)
COUNT_SHARE = 0.75
# An enumeration still going after this many seconds hands the executions on one side of a key
# (a term telling executions apart, true in about half of those found so far) to a forked
# helper on another core (`_OtherHalf`), when the process may use one (count.walkers)
SPLIT_AFTER_S = 0.25
# Executions a deferred flag is asked of, one by one, before it is encoded (`_raised_lazily`):
# a raised flag is mostly raised by the first execution or two
LAZY_FLAG_EXECUTIONS = 4
# A final value out of thin air, justified by no write: herd prints a symbol of its own
# numbering (S16, S18 ...), which we do not reproduce
SYMBOLIC = "S"


class TestChecker:
    """Builds the z3 problem for one (test, model) and answers herd's questions."""

    def __init__(self, test: ast.LitmusTest, spec: ModelSpec, program: Program,
                 skip_checks: frozenset[str] = frozenset(), determined: bool = False,
                 work_cap: int | None = None) -> None:  # fmt: skip
        self.test = test
        started = time.perf_counter()
        self.skip_checks = frozenset(skip_checks)  # herd7's -skipchecks: never asserted
        self.state_models: dict[State, z3.ModelRef] = {}  # one execution per final state
        self.state_sides: dict[State, bool] = {}  # whether it satisfies the condition (counted by CNF)
        self.spec = spec
        self.program = program
        finals = {a.loc.name for a in ast.atoms(test.condition.prop) if isinstance(a.loc, ast.MemLoc)}
        finals |= {loc.name for loc in test.locations if isinstance(loc, ast.MemLoc)}
        # every location whose final value the condition, the filter or `locations` reads
        read_at_end = finals | {
            side.name for a in ast.atoms(test.condition.prop) + ast.atoms(test.filter)
            for side in (a.loc, a.value) if isinstance(side, ast.MemLoc)
        }  # fmt: skip
        tags = program.known_tags if program.known_tags is not None else spec.known_tags()
        # critical sections need both properties, and no check skipped (the executions they
        # leave out are those that break atomicity or coherence)
        sections = spec.sc_per_location and spec.atomic_rmw and not self.skip_checks
        self.execution = SymbolicExecution(program, tags, spec.sc_per_location, finals, determined, sections,
                                           final_memory=read_at_end)  # fmt: skip
        if work_cap is not None:  # OverBudget past this many terms (counting_cnf's budget)
            algebra = self.execution.algebra
            algebra.budget, algebra.budget_size, algebra.closed = work_cap, work_cap, True
        # the determined encoding (for counting) is eager throughout: no check may be deferred
        self.interp = run_model(spec, self.execution, _WithoutFlags if determined else BudgetedInterpreter)
        self.solver = LearningSolver(z3.Solver())
        # Counting reads one model per execution; not compacting it saves a third of the time.
        self.solver.set("model.compact", False)
        self.solver.add(self.execution.constraints)
        self.solver.add(self.execution.algebra.side_constraints)
        self.axioms: dict[str, z3.BoolRef] = {}
        self.flags: list[tuple[str, z3.BoolRef]] = []
        self.lazy_flags: dict[str, int] = {}  # flags past their budget, by name: their index (`_raised_lazily`)
        self._flag_values = KeptValues()  # the bit runs of `_raised_lazily`: their exact values
        deferred: dict[int, z3.BoolRef] = {}  # checks past the budget: checked lazily
        for k, outcome in enumerate(self.interp.checks):
            if outcome.name in self.skip_checks:
                continue
            if outcome.flag and outcome.lazy:
                self.lazy_flags[outcome.name] = k
                continue
            if outcome.flag:
                self.flags.append((outcome.name, to_z3(outcome.holds)))
                continue
            # checks of one name (a procedure called twice, say) hold under one literal: each
            # is enforced, and they are named (why forbidden) and skipped together, as in herd
            literal = self.axioms.get(outcome.name)
            if literal is None:
                literal = self.axioms[outcome.name] = z3.Bool(f"axiom{k}_{outcome.name}")
            if outcome.lazy:
                deferred[k] = literal
            else:
                self.solver.add(z3.Implies(literal, to_z3(outcome.holds)))
        self.lazy = LazyChecks(spec, self.execution, self.interp, deferred) if deferred else None
        if test.filter is not None:
            self.solver.add(self.prop(test.filter))
        self.condition = self.prop(test.condition.prop)
        self.observed = self._observed_locations()
        # before any execution is blocked; a deferred check encoded late joins them (`_check`)
        self.base_assertions: list[z3.BoolRef] = list(self.solver.assertions())
        self._checked: tuple[z3.Solver, z3.ModelRef] | None = None  # (solver, model) of _check's last sat
        self._packed_state: tuple[z3.BitVecRef, list[int], Callable[[tuple[int, ...]], State]] | None = None
        self.build_s = time.perf_counter() - started

    # -- the final state
    def location_term(self, loc: ast.Location) -> z3.BitVecRef:
        if isinstance(loc, ast.RegLoc):
            key = (loc.proc, loc.reg)
            if key in self.program.final_regs:
                return self.program.final_regs[key]
            if loc.proc in {t.proc for t in self.test.threads}:
                return bv(0)  # a register its thread never declares nor writes: 0, as herd says
            raise LitmusError(
                f"undefined thread in {format_location(loc)} (no P{loc.proc})",
                self.test.path, loc.span, self.test.source,
            )  # fmt: skip
        return self.execution.final_memory[loc.name]

    def grounded(self, loc) -> z3.BoolRef:  # type: ignore[no-untyped-def]
        """When a location's final value (or a register's) is justified by some write."""
        grounding = self.execution.grounding
        if grounding is None or not isinstance(loc, (ast.RegLoc, ast.MemLoc)):
            return z3.BoolVal(True)
        if isinstance(loc, ast.MemLoc):
            return grounding.memory_grounded.get(loc.name, z3.BoolVal(True))
        return grounding.term_grounded(self.location_term(loc))

    def value_term(self, value) -> z3.BitVecRef:  # type: ignore[no-untyped-def]
        if isinstance(value, ast.IntValue):
            return bv(value.value)
        if isinstance(value, (ast.RegLoc, ast.MemLoc)):  # `x=[y]`: equal contents
            return self.location_term(value)
        return bv(self.program.addresses[value.name])

    def prop(self, p: ast.Prop) -> z3.BoolRef:
        if isinstance(p, ast.PTrue):
            return z3.BoolVal(True)
        if isinstance(p, ast.PFalse):
            return z3.BoolVal(False)
        if isinstance(p, ast.PAtom):
            # a value out of thin air (herd's S..) equals no constant: the atom is false
            return z3.And(self.location_term(p.loc) == self.value_term(p.value), self.grounded(p.loc),
                          self.grounded(p.value))  # fmt: skip
        if isinstance(p, ast.PNot):
            return z3.Not(self.prop(p.prop))
        if isinstance(p, ast.PAnd):
            return z3.And(self.prop(p.left), self.prop(p.right))
        if isinstance(p, ast.POr):
            return z3.Or(self.prop(p.left), self.prop(p.right))
        if isinstance(p, ast.PImplies):
            return z3.Implies(self.prop(p.left), self.prop(p.right))
        raise LitmusError("unsupported proposition", self.test.path, getattr(p, "span", None), self.test.source)

    def _observed_locations(self) -> list[tuple[str, z3.BitVecRef]]:
        locs: dict[str, ast.Location] = {}
        for loc in [a.loc for a in ast.atoms(self.test.condition.prop)] + list(self.test.locations):
            locs.setdefault(format_location(loc), loc)
        for atom in ast.atoms(self.test.condition.prop):
            if isinstance(atom.value, (ast.RegLoc, ast.MemLoc)):
                locs.setdefault(format_location(atom.value), atom.value)
        ordered = sorted(locs.values(), key=lambda loc: _herd_location_order(loc, self.test.arch))
        self.observed_locations = ordered
        return [(format_location(loc), self.location_term(loc)) for loc in ordered]

    def _wide_locations(self) -> frozenset[str]:
        """The observed registers and locations only 64-bit writes make (their values order as
        signed integers)."""
        def wide(loc: ast.Location) -> bool:
            if isinstance(loc, ast.RegLoc):
                return (loc.proc, loc.reg) in self.program.wide_registers
            return loc.name in self.program.wide_locations

        return frozenset(format_location(loc) for loc in self.observed_locations if wide(loc))

    def show_value(self, value: int) -> str:
        name = self.program.location_of_address(value)
        return name if name is not None else str(value)

    def state_of(self, model: z3.ModelRef) -> State:
        """The final state of `model`'s execution, its values read in one evaluation: per
        observed location, its grounded bit above its value's bits, the first location highest
        (two evaluations per location were a twentieth of enumerating an RCU test's executions)."""
        if not self.observed:
            return ()
        if self._packed_state is None:
            one, zero = z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)
            parts: list[z3.BitVecRef] = []
            for (_, term), loc in zip(self.observed, self.observed_locations):
                parts += [z3.If(self.grounded(loc), one, zero), term]
            widths = [term.size() for _, term in self.observed]
            read = self._state_reader([(width, True) for width in widths])
            self._packed_state = (z3.Concat(parts), widths, read)
        packed, widths, read = self._packed_state
        number = model.eval(packed, model_completion=True).as_long()
        values = []
        for width in reversed(widths):
            values.append(number & ((2 << width) - 1))
            number >>= width + 1
        return read(tuple(reversed(values)))

    # -- questions
    def run(self, deadline: float | None, recheck: bool = False, count: bool = True,
            list_states: bool = False) -> Result:  # fmt: skip
        """herd's answer. With `count` False only the verdict: two solver calls (is some
        execution in the condition? out of it?) instead of enumerating every execution, for
        reports that show no States or counts (tables); with `list_states` too, one solver call
        per final state (the verdict follows from the states: the condition reads only them)."""
        start = time.perf_counter()
        assumptions = list(self.axioms.values())
        states: set[State] = set()
        positive = negative = 0
        witness_model = None
        self.solver.push()
        while not count and list_states:
            status = self._check(assumptions, deadline)
            if status == z3.unknown:
                self.solver.pop()
                return self._unknown(start, deadline)
            if status == z3.unsat:
                break
            model = self._model()
            state = self.state_of(model)
            states.add(state)
            self.state_models.setdefault(state, model)
            satisfied = z3.is_true(model.eval(self.condition, model_completion=True))
            positive, negative = positive | satisfied, negative | (not satisfied)
            if witness_model is None and satisfied == (self.test.condition.quantifier == "exists"):
                witness_model = model
            self.solver.add(z3.Not(self._same_state(model)))
        while not count and not list_states:
            found = self._sides(assumptions, deadline)
            if found is None:
                self.solver.pop()
                return self._unknown(start, deadline)
            positive, negative = int(True in found), int(False in found)
            wants = self.test.condition.quantifier == "exists"
            witness_model = found.get(wants)
            break
        # what tells executions apart: the blocking clause after each one enumerated (counting only)
        key_parts = self.execution.execution_key_parts() if count else []
        keys = [to_z3(and_(*parts)) for parts in key_parts]
        negated = [mk_not(k) for k in keys]
        key_values = PackedBools(keys)
        # a deferred checks' run on the execution has read every part of its key already
        key_from_run = self.lazy.key_reader(key_parts) if count and self.lazy is not None else None
        counts_unknown = None  # why the counts are missing (a timeout while counting)
        # when the enumeration may go to the CNF (seconds into the run; None: not any more)
        cnf_after = CNF_AFTER_BUILDS * self.build_s if count else None
        flags: list[str] | None = None
        # counting stops here, leaving the rest of the time for the verdict (too many
        # executions or final states to list in time: the verdict and what was found stand)
        cut = deadline if deadline is None or not count else start + COUNT_SHARE * (deadline - start)
        cut_short = False
        cnf_race: counting.Forked | None = None  # the CNF's count, in a child process
        # the executions on one side of a key, enumerated by a helper process (this one takes
        # the others): from SPLIT_AFTER_S on, when there is a core for it
        half: _OtherHalf | None = None
        split_at = start + SPLIT_AFTER_S if count and keys and not recheck and counting.walkers > 1 else None
        found_keys: list[list[bool]] = []  # the keys of the executions found before the split

        def drop_half() -> None:  # (the solver then answers for every execution again)
            nonlocal half
            if half is not None:
                half.cancel()
                self.solver.pop()
                half = None

        try:
            while count:
                enumerating = time.perf_counter() - start
                if (cnf_after is not None and not recheck and enumerating >= cnf_after
                        and (positive + negative >= COUNTER_AFTER
                             or enumerating >= EARLY_COUNTER_S and positive + negative >= EARLY_COUNTER_AFTER)):  # fmt: skip
                    cnf_after = None
                    # Many executions: the test's CNF counts them in a child process while the
                    # enumeration goes on here (engine/count.py); whichever finishes first counts.
                    # (Only now does the counter load: PySAT and Ganak are 12 ms of start-up.)
                    if counting.available():
                        count_on_cnf = functools.partial(self._count_by_cnf, positive + negative, assumptions, cut,
                                                         deadline)  # fmt: skip
                        cnf_race = counting.Forked(count_on_cnf)
                if cnf_race is not None:
                    counted = _cnf_answer(cnf_race, cut, half)
                    if counted is _CUT:  # the time is up: the verdict from what was found
                        cut_short = True
                        break
                    if counted is not _WORKING:
                        cnf_race = None
                        if counted is None and half is not None:  # no CNF: the helper goes on
                            half.resume()
                        if counted is not None:  # else no CNF for this problem: enumerate on
                            counts, listed, widths = counted
                            self._add_listed(states, listed, widths)
                            if counts is None:  # its final states cut short: the time is up here too
                                cut_short = True
                                break
                            positive, negative, flags, counts_unknown = counts
                            drop_half()  # (the CNF counted its executions too)
                            if witness_model is None:
                                witness_model = self._state_witness(states, deadline)
                            break
                status = self._check(assumptions, cut)
                if status == z3.unknown and _past(cut) and not _past(deadline):
                    cut_short = True
                    break
                if status == z3.unknown:
                    self.solver.pop()
                    return self._unknown(start, deadline, enumerated=positive + negative)
                if status == z3.unsat and half is not None and half.helper is not None:  # this side done
                    answer = half.answer(cut)
                    if answer is _CUT:
                        cut_short = True
                        break
                    if answer is None:  # the helper failed: its side is enumerated here
                        key = half.key
                        drop_half()
                        self.solver.push()
                        self.solver.add(key)
                        half = _OtherHalf(None, key)
                        continue
                    more_in, more_out, sides = answer
                    positive, negative = positive + more_in, negative + more_out
                    states.update(sides)
                    self.state_sides.update(sides)
                    break
                if status == z3.unsat:
                    break
                model = self._model()
                if recheck:
                    self.recheck(model)
                state = self.state_of(model)
                satisfied = self._side(model, state)
                states.add(state)
                self.state_models.setdefault(state, model)
                if satisfied:
                    positive += 1
                else:
                    negative += 1
                wants = satisfied if self.test.condition.quantifier == "exists" else not satisfied
                if witness_model is None and wants:
                    witness_model = model
                if not keys:
                    break
                values = self._block(model, keys, negated, key_values, key_from_run)
                if split_at is not None:
                    found_keys.append(values)
                    # (not beside the CNF's child: it has the other core, and where it counts it wins)
                    split = _split_key(found_keys) if time.perf_counter() >= split_at and cnf_race is None else None
                    if split is not None:  # (none with one execution found: every key has one value)
                        split_at = None
                        key = keys[split]
                        half = _OtherHalf(functools.partial(self._other_half, key, keys, negated, key_values,
                                                            key_from_run, assumptions, cut), key)  # fmt: skip
                        self.solver.push()
                        self.solver.add(negated[split])
        finally:  # the enumeration finished first, was cut, or gave up
            drop_half()
            if cnf_race is not None:
                cnf_race.cancel()
        if cut_short:
            seen = {True: positive > 0, False: negative > 0}
            for state in states:  # final states the CNF found
                if state in self.state_sides:
                    seen[self.state_sides[state]] = True
            found = self._sides(assumptions, deadline, seen)
            if found is None:
                self.solver.pop()
                return self._unknown(start, deadline, enumerated=positive + negative)
            for model in found.values():
                state = self.state_of(model)
                states.add(state)
                self.state_models.setdefault(state, model)
            positive, negative = int(seen[True] or True in found), int(seen[False] or False in found)
            wants = self.test.condition.quantifier == "exists"
            if witness_model is None:
                witness_model = found.get(wants)
            counts_unknown = "timeout while listing final states and counting executions"
        self.solver.pop()
        if flags is None:
            flags = self._flags(assumptions, deadline)
            if flags is None:
                return self._unknown(start, deadline)
        witness = None
        if witness_model is not None:  # re-checked, then shown from the same concrete run
            witness = self.witness(witness_model, self.recheck(witness_model))
        observation = NEVER if positive == 0 else ALWAYS if negative == 0 else SOMETIMES
        q = self.test.condition.quantifier
        ok = positive > 0 if q == "exists" else positive == 0 if q == "~exists" else negative == 0
        return Result(
            file=self.test.path, test=self.test.name, model=self.spec.name, kind=KINDS[q],
            condition=format_condition(self.test.condition), observation=observation, ok=ok,
            states=_herd_sorted(states, self.test.arch, self._wide_locations()), positive=int(positive),
            negative=int(negative), flags=tuple(sorted(set(flags))),
            witness=witness, solve_s=time.perf_counter() - start, counted=count and counts_unknown is None,
            error=counts_unknown, states_complete=(count or list_states) and not cut_short,
        )  # fmt: skip

    def _sides(self, assumptions: list[z3.BoolRef], deadline: float | None,
               seen: dict[bool, bool] | None = None) -> dict[bool, z3.ModelRef] | None:  # fmt: skip
        """Is some execution in the condition (True), out of it (False)? One solver call per
        side not `seen` already (after a cut: the executions blocked so far are all on the
        other side, so the blocking loses none of it); the model of each side found. None when
        the solver could not say in time."""
        found = {}
        for side, term in ((True, self.condition), (False, z3.Not(self.condition))):
            if seen is not None and seen[side]:
                continue
            status = self._check(assumptions + [term], deadline)
            if status == z3.unknown:
                return None
            if status == z3.sat:
                found[side] = self._model()
        return found

    def _side(self, model: z3.ModelRef, state: State) -> bool:
        """Whether the final state of `model`'s execution, `state`, satisfies the condition: the
        condition reads the final state only, so it is evaluated once per state."""
        satisfied = self.state_sides.get(state)
        if satisfied is None:
            satisfied = self.state_sides[state] = z3.is_true(model.eval(self.condition, model_completion=True))
        return satisfied

    def _block(self, model: z3.ModelRef, keys: list[z3.BoolRef], negated: list[z3.BoolRef], key_values: PackedBools,
               key_from_run: Callable[[z3.ModelRef], list[bool] | None] | None) -> list[bool]:  # fmt: skip
        """Blocks `model`'s execution: the next differs in some key (its rf, its co, or a choice
        of the model). The keys' values in it."""
        values = key_from_run(model) if key_from_run is not None else None
        if values is None:
            values = key_values.read(model)
        self.solver.add(mk_or([n if v else k for k, n, v in zip(keys, negated, values)]))
        return values

    def _other_half(self, key: z3.BoolRef, keys: list[z3.BoolRef], negated: list[z3.BoolRef], key_values: PackedBools,
                    key_from_run: Callable[[z3.ModelRef], list[bool] | None] | None, assumptions: list[z3.BoolRef],
                    cut: float | None):  # type: ignore[no-untyped-def]  # fmt: skip
        """Run in a helper process (`_OtherHalf`): the executions not yet blocked in which `key`
        holds, one solver call each, as `run` enumerates. (executions in the condition, out of
        it, each final state found with its side), or None when the `cut` came first. Plain data."""
        self.solver.push()
        self.solver.add(key)
        inside = outside = 0
        states: set[State] = set()
        while True:
            status = self._check(assumptions, cut)
            if status == z3.unknown:
                return None
            if status == z3.unsat:
                return inside, outside, {state: self.state_sides[state] for state in states}
            model = self._model()
            state = self.state_of(model)
            states.add(state)
            inside, outside = (inside + 1, outside) if self._side(model, state) else (inside, outside + 1)
            self._block(model, keys, negated, key_values, key_from_run)

    def _count_by_cnf(self, enumerated: int, assumptions: list[z3.BoolRef],
                      cut: float | None, deadline: float | None):  # type: ignore[no-untyped-def]  # fmt: skip
        """Run in a child process past COUNTER_AFTER executions (`enumerated` by the caller so
        far), while the caller enumerates on. The test's determined encoding as CNF: a SAT
        solver lists every final state (one call each), z3 says which flags some execution
        raises, and then a model counter (Ganak, in a child of its own, on the sides of the
        condition some state is on) races the SAT solver enumerating executions.

        (counts, the final states listed, their widths) where counts are (positive, negative,
        flags, why the counts are missing or None), or None when the states could not be
        finished by the `cut` (nor the flags by the deadline); the states as the listing reads
        them (per observed location an int, then the condition's bit: `_add_listed`), with
        the widths `_state_reader` takes. None when the problem does not go to CNF. Plain data:
        it goes back to the caller pickled (as ints: half a million final states of 19
        locations were 0.9 s to pickle as states, and as long again to unpickle)."""
        try:
            cnf, layout = self.counting_cnf(None if cut is None else cut - time.perf_counter())
        except counting.Unsupported:
            return None
        listed: list[tuple[int, ...]] = []
        widths = [(len(bits), grounded is not None) for bits, grounded in layout]
        counted = self._counts_on(cnf, layout, listed, enumerated, assumptions, cut, deadline)
        return counted, listed, widths

    def _add_listed(self, states: set[State], listed: list[tuple[int, ...]], widths: list[tuple[int, bool]]) -> None:
        """The final states `_count_by_cnf` listed, into `states` and their sides of the condition."""
        found = list(map(self._state_reader(widths), listed))
        states.update(found)
        self.state_sides.update(zip(found, [bool(values[-1]) for values in listed]))

    def _counts_on(self, cnf, layout, listed: list[tuple[int, ...]], enumerated: int, assumptions: list[z3.BoolRef],
                   cut: float | None, deadline: float | None):  # type: ignore[no-untyped-def]  # fmt: skip
        """_count_by_cnf's counts on the CNF, or None when cut short; the final states into `listed`."""
        condition = cnf.named["__condition"]
        race = None
        try:
            # per observed location, the variables of its value's bits and of its grounded literal
            groups = [[cnf.named[b] for b in bits + ([g] if g else [])] for bits, g in layout]
            state_vars = [v for group in groups for v in group]
            # one simplification of the CNF for all the listings below (a third of CoStress3's time)
            listing = counting.compact(cnf, [*state_vars, condition, *cnf.sampling])
            # what is left (states and executions listed by a SAT solver, a count by Ganak)
            # leaves the caller's enumeration far behind, which would only slow it down: the
            # caller may stop and wait
            counting.tell_parent_ready()
            # (the caller waits, Ganak has not started: a long listing may take a second core)
            for values in counting.solutions(listing, state_vars, cut, reads=[*groups, [condition]], helped=True):
                if values is None:
                    return None
                listed.append(values)
            # each final state once: a location out of thin air shows no value, whatever its bits
            symbolic = [1 << len(bits) if grounded else 0 for bits, grounded in layout] + [0]  # (the condition's)
            shown = listed
            if any(symbolic):
                shown = list({tuple(v if not g or v & g else 0 for v, g in zip(values, symbolic)) for values in listed})
            states_in = sum(values[-1] for values in shown)  # on the condition's side
            # the flags over every execution: not on this solver, which blocks the enumerated ones
            unblocked = z3.Solver()
            unblocked.add(self.base_assertions)
            flags = self._flags(assumptions, deadline, unblocked)
            if flags is None:
                return None
            # each final state reached by one execution only: the counts are the states' (not
            # when the caller has seen more executions than there are states: one repeats, and
            # the SAT call that would say so costs as much as simplifying the CNF)
            if enumerated <= len(shown) and counting.determines(listing, state_vars, cnf.sampling):
                return states_in, len(shown) - states_in, flags, None
            # the counter counts only the sides of the condition some final state is on
            sides_present = {side for side, some in ((True, states_in), (False, len(shown) - states_in)) if some}
            # on the simplified CNF, which keeps the sampling variables (Ganak: coherence stress
            # N=4's 5 million executions in 8.5 s instead of 9.2)
            counted_cnf = listing.as_cnf([listing.number[v] for v in cnf.sampling])
            at = listing.number[condition]
            race = counting.BackgroundCount(lambda: {
                side: counted_cnf.with_unit(at if side else -at).simplified() for side in sides_present
            })  # fmt: skip
            inside = outside = 0
            # On a busy machine enumerating takes turns with waiting for the counter (equal
            # slices), so that neither starves the other: whichever is the right tool wins in
            # at most about twice its own time. While the counter has a core of its own (it
            # ran through most of the slice) there is nothing to share: no waiting.
            slice_start = race_start = time.perf_counter()
            counter_cpu = race.cpu_seconds()
            for values in counting.solutions(listing, cnf.sampling, cut, reads=[[condition]]):
                if values is None:  # the verdict stands; the counts are not known
                    some_in, some_out = True in sides_present, False in sides_present
                    return int(some_in), int(some_out), flags, "timeout while counting executions"
                inside, outside = (inside + 1, outside) if values[0] else (inside, outside + 1)
                if race is None:  # the counter failed: the enumeration alone
                    continue
                spent = time.perf_counter() - slice_start
                wait = 0.0
                if spent >= TURN_S:  # (the CPU time since the race began: /proc counts in ticks)
                    ran = race.cpu_seconds() - counter_cpu
                    alone = ran >= PARALLEL_SHARE * (time.perf_counter() - race_start)
                    wait = 0.0 if alone else spent
                try:
                    counted = race.poll(wait=wait)
                except counting.CountFailed:
                    race = None
                    continue
                if counted is not None:
                    return counted.get(True, 0), counted.get(False, 0), flags, None
                if spent >= TURN_S:
                    slice_start = time.perf_counter()
            return inside, outside, flags, None
        finally:
            if race is not None:
                race.cancel()

    def counting_cnf(self, budget_s: float | None = None):  # type: ignore[no-untyped-def]
        """The test's determined encoding as CNF (counting.Unsupported when it does not go),
        with its condition and observed values named: the CNF, and per observed location the
        names of its value's bits (lowest first) and of its grounded literal (or None)."""
        started = time.perf_counter()
        if self.lazy is None:
            counting.check_size(self.base_assertions)  # the determined problem is about as big
        # with deferred checks the assertions say nothing of the size: the build is capped, by
        # the time budget and by LAZY_WORK_CAP
        cap = None if budget_s is None else int(budget_s * WORK_PER_S)
        lazy_cap = self.lazy is not None and (cap is None or cap >= LAZY_WORK_CAP)
        try:
            problem = TestChecker(self.test, self.spec, self.program, self.skip_checks, determined=True,
                                  work_cap=LAZY_WORK_CAP if lazy_cap else cap)  # fmt: skip
        except OverBudget:
            limit = LAZY_WORK_CAP if lazy_cap else cap
            raise counting.OverBudget(f"the determined encoding builds over {limit} terms") from None
        except NotDetermined:
            if self.lazy is not None:  # this problem lacks its deferred checks
                raise counting.Unsupported("a model generating coherence orders, with deferred checks") from None
            problem = self  # the clocks stay existential: the counts are the same, found slower
        if budget_s is not None:
            budget_s -= time.perf_counter() - started
            if budget_s <= 0:
                raise counting.OverBudget("the determined encoding alone took the budget")
        named = {"__condition": problem.condition}
        layout = []
        for k, ((_, term), loc) in enumerate(zip(problem.observed, problem.observed_locations)):
            bits = [f"__state{k}_{b}" for b in range(term.size())]
            named.update({name: z3.Extract(b, b, term) == 1 for b, name in enumerate(bits)})
            grounded = None
            if problem.execution.grounding is not None:
                grounded = f"__grounded{k}"
                named[grounded] = problem.grounded(loc)
            layout.append((bits, grounded))
        # the assertions before any execution was blocked: this checker's own solver (a model
        # generating co) blocks those it enumerated, and the CNF counts every execution
        formulas = list(problem.base_assertions) + list(problem.axioms.values())
        return counting.to_cnf(formulas, problem.execution.execution_key(), named, budget_s), layout

    def _state_reader(self, widths: list[tuple[int, bool]]) -> Callable[[tuple[int, ...]], State]:
        """The final state from an int per observed location, in order, whose bits are its
        value's (lowest first) and, when `widths` says it has one (value width, grounded), its
        grounded bit above them (ints past the locations' are not read). A location's value is
        decoded once per int: a test lists up to 524,288 final states of a handful of values each."""

        def shown(packed: int, width: int, grounded: bool) -> str:
            if grounded and not packed >> width & 1:
                return SYMBOLIC
            number = packed & ((1 << width) - 1)
            if number >= 1 << (width - 1):
                number -= 1 << width
            return self.show_value(number)

        # per location, its (location, value) pair per int: shared by every state with that
        # value (half a million states of 19 pairs, each made once, pickled once), and looked
        # up in C (map over the dicts) rather than a loop in Python per state
        seen = [_Pairs(text, functools.partial(shown, width=width, grounded=grounded))
                for (text, _), (width, grounded) in zip(self.observed, widths)]  # fmt: skip

        def read(values: tuple[int, ...]) -> State:
            return tuple(map(_PAIR_OF, seen, values))

        return read

    def _is_state(self, state: State) -> z3.BoolRef:
        """The executions whose final state is `state`."""
        parts = []
        for ((_, term), loc), (_, shown) in zip(zip(self.observed, self.observed_locations), state):
            grounded = self.grounded(loc)
            if shown == SYMBOLIC:
                parts.append(z3.Not(grounded))
                continue
            number = self.program.addresses[shown] if shown in self.program.addresses else int(shown)
            parts += [grounded, term == bv(number)]
        return z3.And(parts)

    def _flags(self, assumptions: list[z3.BoolRef], deadline: float | None,
               solver: z3.Solver | None = None) -> list[str] | None:  # fmt: skip
        """The model's flags some execution raises (None when the solver could not say)."""
        raised = self._raised_lazily(assumptions, deadline, solver) if self.lazy_flags else []
        if raised is None:
            return None
        for name, holds in self.flags:
            status = self._check(assumptions + [holds], deadline, solver)
            if status == z3.unknown:
                return None
            if status == z3.sat:
                raised.append(name)
        return raised

    def _raised_lazily(self, assumptions: list[z3.BoolRef], deadline: float | None,
                       solver: z3.Solver | None = None) -> list[str] | None:  # fmt: skip
        """The deferred flags some execution raises: the executions the solver proposes, each
        run on bits, until every flag is raised or none is left. Past LAZY_FLAG_EXECUTIONS the
        flags not raised yet are encoded (joining `flags`) and asked as the others are. None
        when the solver could not say."""
        solver = solver or self.solver
        left = dict(self.lazy_flags)
        raised: list[str] = []
        keys = [to_z3(and_(*parts)) for parts in self.execution.execution_key_parts()]
        solver.push()
        try:
            for _ in range(LAZY_FLAG_EXECUTIONS):
                status = self._check(assumptions, deadline, solver)
                if status == z3.unknown:
                    return None
                if status == z3.unsat:
                    return raised
                model = self._model(solver)
                found = raised_flags(self.spec, self.execution, model, frozenset(left.values()), self._flag_values)
                if found is None:  # (the model needs what a run on bits cannot do)
                    run = run_model(self.spec, ConcreteExecution(self.execution, model))
                    found = frozenset(k for k, c in enumerate(run.checks) if c.flag and c.holds is True)
                for name in [name for name, k in left.items() if k in found]:
                    raised.append(name)
                    del left[name]
                if not left or not keys:  # (no key: this was the one execution)
                    return raised
                solver.add(mk_or([mk_not(k) if v else k for k, v in zip(keys, eval_bools(model, keys))]))
        finally:
            solver.pop()
        # many executions and none raises them: asked of all at once, encoded
        for name, index in left.items():
            holds, side = self.interp.encode(index)
            self.solver.add(side)
            self.base_assertions.extend(side)
            if solver is not self.solver:
                solver.add(side)
            self.flags.append((name, to_z3(holds)))
            del self.lazy_flags[name]
        return raised

    def _state_witness(self, states: set[State], deadline: float | None) -> z3.ModelRef | None:
        """An execution on the side of the condition the test asks about: from the models the
        enumeration kept, else one solver call for the first such state."""
        wants = self.test.condition.quantifier == "exists"
        # the few states with a model first, then those the CNF says are on that side (sorting
        # only those: a ring of 19 threads has 524,288 states)
        kept = [state for state in self.state_models if state in states]
        for state in sorted(kept, key=_herd_state_order):
            model = self.state_models[state]
            if z3.is_true(model.eval(self.condition, model_completion=True)) == wants:
                return model
        # (the side first: a state's hash is its 19 pairs' again on every lookup, 0.45 s for
        # half a million states when each was looked up twice)
        sided = [
            s for s, side in self.state_sides.items() if side == wants and s in states and s not in self.state_models
        ]
        for state in sorted(sided, key=_herd_state_order):
            if self._check(list(self.axioms.values()) + [self._is_state(state)], deadline) != z3.sat:
                continue
            model = self._model()
            self.state_models[state] = model
            if z3.is_true(model.eval(self.condition, model_completion=True)) == wants:
                return model
        return None

    def _same_state(self, model: z3.ModelRef) -> z3.BoolRef:
        """Executions with the final state of `model` (the observed values, and whether each is
        out of thin air)."""
        same = []
        for (_, term), loc in zip(self.observed, self.observed_locations):
            grounded = self.grounded(loc)
            if z3.is_true(model.eval(grounded, model_completion=True)):
                same += [grounded, term == model.eval(term, model_completion=True)]
            else:  # any value out of thin air is the same symbol
                same.append(z3.Not(grounded))
        return z3.And(same)

    def _check(self, assumptions: list[z3.BoolRef], deadline: float | None,
               solver: z3.Solver | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
        solver = solver or self.solver
        self._checked = None
        while True:
            if deadline is not None:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return z3.unknown
                solver.set("timeout", max(1, int(remaining * 1000)))
            status = solver.check(*assumptions)
            if status != z3.sat or self.lazy is None:
                return status
            active = self.lazy.active(assumptions)
            if not active:
                return status
            # the deferred checks on this execution: consistent, or lemmas and again
            model = solver.model()
            try:
                lemmas = self.lazy.conflicts(model, active)
            except NotTraceable as err:
                indices = [err.check] if err.check is not None else list(self.lazy.axioms)
                lemmas = [c for k in indices for c in self.lazy.encode(k)]
                # part of the problem now, not a lemma: once no check is deferred the CNF and
                # the flags are built from base_assertions alone, and without these they counted
                # executions the check forbids (aarch64.cat: 154 for herd's 78)
                self.base_assertions.extend(lemmas)
                if not self.lazy.axioms:
                    self.lazy = None
            if not lemmas:
                self._checked = (solver, model)
                return status
            self.solver.learn(lemmas)
            if solver is not self.solver:
                solver.add(lemmas)

    def _model(self, solver: z3.Solver | None = None) -> z3.ModelRef:
        """The model of the last satisfiable check on `solver` (this checker's by default): the
        one the deferred checks judged, when they did (z3 builds a model afresh on each call:
        half a millisecond on a ring of eight threads)."""
        solver = solver or self.solver
        if self._checked is not None and self._checked[0] is solver:
            return self._checked[1]
        return solver.model()

    def _unknown(self, start: float, deadline: float | None, enumerated: int | None = None) -> Result:
        q = self.test.condition.quantifier
        why = self.solver.reason_unknown()
        # z3 stops at the timeout it was given, in whole milliseconds: up to one before the
        # deadline, and it may call that "canceled"
        stopped = deadline is not None and why in ("timeout", "canceled")
        reason = "timeout" if _past(deadline) or stopped else f"solver gave up: {why}"
        if enumerated is not None and reason == "timeout":
            # herd's counts need every execution; the verdict alone needs two solver calls
            reason += f" after counting {enumerated} executions (-f table asks only the verdict)"
        return Result(
            file=self.test.path, test=self.test.name, model=self.spec.name, kind=KINDS[q],
            condition=format_condition(self.test.condition), observation=UNKNOWN, ok=None,
            error=reason, solve_s=time.perf_counter() - start,
        )  # fmt: skip

    # -- witnesses
    def recheck(self, model: z3.ModelRef) -> Interpreter:
        """Run the model concretely on this execution; every axiom must hold. Returns the run."""
        interp = run_model(self.spec, ConcreteExecution(self.execution, model))
        failed = [
            c.name for c in interp.checks
            if not c.flag and c.holds is not True and c.name not in self.skip_checks
        ]  # fmt: skip
        if failed:
            raise WitnessCheckFailed(
                f"{self.test.path}: witness under {self.spec.name} fails {', '.join(failed)} when re-checked"
            )
        return interp

    def witness(self, model: z3.ModelRef, run: Interpreter | None = None) -> Witness:
        """The execution `model` as events and relations; `run`: the model already run
        concretely on it (a re-check, an explanation), else it is run here."""
        if run is None:
            run = run_model(self.spec, ConcreteExecution(self.execution, model))
        concrete = run.base
        events = []
        label = 0
        for eid in concrete.algebra.universe:
            e = self.program.events[eid]
            value = concrete.values.get(eid)
            loc = None
            if e.addr is not None:
                loc = self.program.location_of_address(model.eval(e.addr, model_completion=True).as_long())
            if e.thread < 0:
                name = f"i{eid}"
            else:
                name = _label(label)
                label += 1
            events.append(
                WitnessEvent(
                    id=eid, label=name, thread=e.thread, kind=e.kind, annot=e.annotation(),
                    location=loc, value=None if value is None else self.show_value(value),
                    instruction=e.primitive if e.instance is not None else None,
                )
            )
        edges = execution_relations(concrete, run)
        relations = {
            name: tuple(sorted(edges[name]))
            for name in ("po", "rf", "co", "fr", "addr", "data", "ctrl", "rmw")
        }  # fmt: skip
        return Witness(
            events=tuple(events), relations=tuple(relations.items()), state=self.state_of(model)
        )


_WORKING, _CUT = object(), object()


class _WithoutFlags(Interpreter):
    """The determined encoding's interpreter: the counted CNF holds the checks, and the flags
    are asked of the test's own problem (LKMM's data-race flag alone built 334,000 terms of a
    test with plain accesses under locks and RCU, and took its CNF past its cap). A flag keeps
    its place among the checks, never raised."""

    def check(self, stmt, env):  # type: ignore[no-untyped-def]
        if not stmt.flag:
            return super().check(stmt, env)
        name = stmt.name or _default_check_name(stmt)
        self.checks.append(CheckOutcome(name, stmt.test, True, False, None, stmt.negated, stmt.span))


def _cnf_answer(race: counting.Forked, cut: float | None, half: _OtherHalf | None):  # type: ignore[no-untyped-def]
    """The answer of the child counting on the CNF (`_count_by_cnf`), None if it failed,
    _WORKING, or _CUT once the `cut` has passed. Once it says what is left is quick (its SAT
    listings, Ganak beside them), it is waited for, up to the cut, and the enumeration's helper
    (`half`), if any, waits too: three processes on two cores slowed Ganak by half (coherence
    stress N=4 with the split before the CNF: 22.0 s, 11.7 paused). Not before: a CNF too big
    to use is found so only after building it, while the helper's half of the enumeration went
    on (order both locked N=6, 6.2 -> 7.1 s when paused from the CNF's start)."""
    try:
        answer = race.poll(wait=0.0)
        if (race.ready or not RACE_CNF) and not race.done:
            if half is not None:
                half.pause()
            answer = race.poll(wait=_until(cut))
    except counting.CountFailed:  # the enumeration alone
        return None
    if race.done:
        return answer
    return _CUT if _past(cut) else _WORKING


class _OtherHalf:
    """The executions in which `key` holds, enumerated by a forked helper (`_other_half`) while
    the caller enumerates the others under the key's negation."""

    def __init__(self, task: Callable[[], Any] | None, key: z3.BoolRef) -> None:
        """`task` None: the helper failed and the caller enumerates this side (under `key`) itself."""
        self.key = key
        self.helper = counting.Forked(task) if task is not None else None
        self.paused = False

    def answer(self, cut: float | None):  # type: ignore[no-untyped-def]
        """The helper's answer, waited for up to the cut: _CUT when the cut came first (here or
        in the helper), None when the helper failed."""
        assert self.helper is not None
        self.resume()  # (the caller's side is done: waiting for a paused helper would be forever)
        try:
            answer = self.helper.poll(wait=_until(cut))
        except counting.CountFailed:
            return None
        return _CUT if answer is None else answer

    def cancel(self) -> None:
        if self.helper is not None:
            self.helper.cancel()

    def pause(self) -> None:
        """The helper stops where it is, until `resume` (or `cancel`)."""
        if self.helper is not None and not self.paused:
            self.helper.pause()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.helper.resume()  # type: ignore[union-attr]
            self.paused = False


def _split_key(found: list[list[bool]]) -> int | None:
    """Of the keys of the executions `found`, the one true in the share of them nearest half
    (None when every key has one value in all of them)."""
    n = len(found)
    best, at = n, None
    for k, ones in enumerate(map(sum, zip(*found))):
        if 0 < ones < n and abs(2 * ones - n) < best:
            best, at = abs(2 * ones - n), k
    return at


class _Pairs(dict):  # type: ignore[type-arg]
    """A location's (location, value) pairs by the int its value is packed in, made on first use."""

    def __init__(self, location: str, value: Callable[[int], str]) -> None:
        super().__init__()
        self.location, self.value = location, value

    def __missing__(self, packed: int) -> tuple[str, str]:
        pair = self[packed] = (self.location, self.value(packed))
        return pair


_PAIR_OF = dict.__getitem__  # (a _Pairs, an int): its pair, __missing__ making it


def _until(cut: float | None) -> float | None:
    """Seconds left until `cut` (None: no cut, wait as long as it takes)."""
    return None if cut is None else max(0.0, cut - time.perf_counter())


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() >= deadline


def _label(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n] if n < 26 else letters[n // 26 - 1] + letters[n % 26]


# herd lists a thread's registers in its architecture's order of registers (AArch64's by number,
# X86's as below), a C thread's by name
_HERD_REGISTERS = {
    "X86": ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"),
    "X86_64": ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", *(f"r{n}" for n in range(8, 16))),
}


def _herd_location_order(loc: ast.Location, arch: str = "C") -> tuple:
    if isinstance(loc, ast.RegLoc):
        return (0, loc.proc, *_herd_register_order(loc.reg, arch))
    return (1, 0, 0, loc.name)


def _herd_register_order(reg: str, arch: str) -> tuple[int, str]:
    if arch == "AArch64" and reg[:1] in "XW" and reg[1:].isdigit():
        return (int(reg[1:]), "")
    order = _HERD_REGISTERS.get(arch, ())
    return (order.index(reg), "") if reg in order else (len(order) + 100, reg)


def _herd_state_order(state: State, arch: str = "C") -> tuple:
    return tuple(_herd_value_order(v, arch) for _, v in state)


def _herd_sorted(states: set[State], arch: str = "C", wide: frozenset[str] = frozenset()) -> tuple[State, ...]:
    """`states` in herd's order (`wide`: what only 64-bit writes make, as printed). With
    at most 256 distinct keys among their values, each state's key is the bytes of its values'
    ranks, compared as bytes: half a million states of 19 values (a ring of 19 threads) sort
    in 1.4 s instead of 2.4, most of it building the keys."""
    pairs = set(itertools.chain.from_iterable(states))  # (location, value), shared by the states
    keys = {pair: _herd_value_order(pair[1], arch, pair[0] in wide) for pair in pairs}
    ordered = sorted(set(keys.values()))
    if len(ordered) > 256:
        return tuple(sorted(states, key=lambda state: tuple(map(keys.__getitem__, state))))
    rank = {key: k for k, key in enumerate(ordered)}
    code = {pair: rank[key] for pair, key in keys.items()}.__getitem__
    return tuple(sorted(states, key=lambda state: bytes(map(code, state))))


@functools.lru_cache(maxsize=4096)  # a few values, in up to 65,535 states
def _herd_value_order(value: str, arch: str = "C", wide: bool = False) -> tuple:
    if value == SYMBOLIC:
        return (-1, 0, "")  # herd lists its symbolic values first
    try:
        number = int(value)
    except ValueError:
        return (1, 0, value)
    # herd compares C's and X86's values as signed integers (-10, -1, 1, 2), and X86_64's and
    # AArch64's too where only 64-bit writes make them (X registers, %rax, memory: `wide`); the
    # others (W registers, %eax, memory a 32-bit store writes) as unsigned words (1, 2, -10, -1)
    unsigned = arch in ("AArch64", "X86_64") and not wide
    return (0, number & 0xFFFFFFFF if unsigned else number, "")
