"""Plain-Python results of checking one test under one model: plain data, no z3 object and no
rendering (that is report/'s job)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Observation words, as herd prints them; UNKNOWN when a timeout or resource limit stopped us.
NEVER = "Never"
SOMETIMES = "Sometimes"
ALWAYS = "Always"
UNKNOWN = "Unknown"

# One final state: (location as herd prints it, value as herd prints it), in herd's order,
# e.g. (("1:r0", "1"), ("[x]", "0")) printed as `1:r0=1; [x]=0;`.
State = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WitnessEvent:
    """One event of a witness execution, labelled like herd (`a: W[once]x=1`)."""

    id: int
    label: str  # short name: a, b, c ... (init writes: i0, i1 ...)
    thread: int  # -1 for init writes
    kind: str  # 'R' | 'W' | 'F'
    annot: str  # e.g. 'once', 'acquire', 'mb'
    location: str | None
    value: str | None
    instruction: str | None = None  # assembly: the instruction the event comes from


@dataclass(frozen=True)
class Witness:
    """A concrete execution: its events and named relations as lists of (event id, event id)."""

    events: tuple[WitnessEvent, ...]
    relations: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    state: State
    # Why-forbidden executions: the failing relation's cycle/pair as event ids in order, its
    # edges to highlight, and a caption (`a -po-> b -fre-> a  violates tso`).
    cycle: tuple[int, ...] = ()
    highlight: tuple[tuple[str, int, int], ...] = ()  # (base relation name, event id, event id)
    caption: str = ""


@dataclass(frozen=True)
class Result:
    file: str
    test: str
    model: str
    kind: str  # 'Allowed' | 'Forbidden' | 'Required' (from the quantifier, as herd)
    condition: str  # as herd prints it: 'exists (1:r0=1 /\ 1:r1=0)'
    observation: str | None  # NEVER / SOMETIMES / ALWAYS / UNKNOWN; None when error/not meaningful
    ok: bool | None
    states: tuple[State, ...] = ()
    positive: int = 0
    negative: int = 0
    flags: tuple[str, ...] = ()
    time_s: float = 0.0
    error: str | None = None  # one-line reason when no verdict (bad input, timeout reason)
    not_meaningful: str | None = None  # e.g. 'synchronize_rcu is not meaningful under tso'
    witness: Witness | None = field(default=None, compare=False)
    # False when only the verdict was asked for (tables): states, positive and negative are then
    # not herd's lists and counts but whether some execution is in / out of the condition
    counted: bool = True
    # whether `states` are every final state: False when only the verdict was asked for, or
    # when a --timeout cut their listing short (`states` are then the ones found)
    states_complete: bool = True
    build_s: float = 0.0  # time spent building the z3 problem (bench)
    solve_s: float = 0.0  # time spent in the solver (bench)
    # peak resident memory of the process that checked it, in MB, during this (test, model)
    # (a batch measures it; a measurement like time_s, so not compared)
    max_rss_mb: float | None = field(default=None, compare=False)
    # Why forbidden (a Never verdict): the model checks that rule the outcome
    # out (a minimal unsat core), the failing relation's cycle as text, and the execution shown.
    forbidden_by: tuple[str, ...] = ()
    cycle: str | None = None
    counterexample: Witness | None = field(default=None, compare=False)
    # One witness per reachable final state, in `states` order (only when asked: --graph-all).
    state_witnesses: tuple[Witness, ...] = field(default=(), compare=False)
    # An execution satisfying the condition when `witness` is None (a `~exists`/`forall` test
    # whose condition always holds has no counterexample): what its graph shows.
    example: Witness | None = field(default=None, compare=False)
