"""Lock words as critical sections: the spinlocks of a C test, found in its lowered events.

A location that only spin_lock and spin_unlock touch, each CPU taking and releasing it in turn
on every path through its code, is held by one critical section at a time. Under a model that
makes an rmw atomic and coherence follow program order, the lock word's coherence order is the
sections one after another (each lock read finds the lock free, so it reads the unlock just
before its own lock write; an unlock comes after its own lock). engine/encode.py orders the
sections instead of the lock word's writes, and puts a lock read fr-before the writes of its
own section and of the sections after it: a term per pair, where `rf^-1 ; co` costs one per
read, source and write.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from litmus.lower.events import INIT_THREAD, Event, Program

LOCK, UNLOCK = "spin_lock", "spin_unlock"
# Per thread, the paths through its branches are enumerated to check that locks and unlocks
# alternate on each: past this many `if`s around lock events the lock word keeps its plain encoding
MAX_BRANCHES = 12


@dataclass(frozen=True)
class Section:
    """One spin_lock and the spin_unlocks that end its critical section (one per branch of
    the code after it; at most one executes, none while the lock is still held at the end)."""

    read: int  # the lock's read: finds the lock free (0)
    write: int  # the lock's write (1), in rmw with the read
    unlocks: tuple[int, ...]
    thread: int

    @property
    def writes(self) -> tuple[int, ...]:
        return (self.write, *self.unlocks)


def critical_sections(program: Program) -> dict[str, list[Section]]:
    """The lock words of `program` and their critical sections, by location name: the
    locations whose every access is a spin_lock or spin_unlock of that location alone, taken
    and released in turn on every path of every thread."""
    if program.model_locks:  # a herd configuration's lock.cat makes its own lock events
        return {}
    events = program.events
    touching: dict[str, list[Event]] = {}
    for e in events:
        for loc in e.locs:
            touching.setdefault(loc, []).append(e)
    rmw_read = {w: r for r, w in program.rmw}
    found: dict[str, list[Section]] = {}
    for loc, accesses in touching.items():
        sections = _sections_of(loc, [e for e in accesses if e.thread != INIT_THREAD], program, rmw_read)
        if sections:
            found[loc] = sections
    return found


def _sections_of(loc: str, accesses: list[Event], program: Program, rmw_read: dict[int, int]) -> list[Section] | None:
    events = program.events
    takes: list[int] = []
    for e in accesses:
        if e.static_loc != loc or e.primitive not in (LOCK, UNLOCK) or e.cond_tags:
            return None
        if e.primitive == UNLOCK and e.kind != "W":
            return None
        if e.primitive == LOCK and e.kind == "W":
            r = rmw_read.get(e.id)
            if r is None or events[r].static_loc != loc or events[r].branch != e.branch:
                return None
            takes.append(e.id)
    ids = {e.id for e in accesses}
    taken_reads = {rmw_read[w] for w in takes}
    if any(e.kind == "R" and e.id not in taken_reads for e in accesses):
        return None
    matched: dict[int, int] = {}  # unlock -> the lock write it ends
    for order in program.threads:
        own = [events[i] for i in order if i in ids and events[i].kind == "W"]
        pairs = _alternation(own)
        if pairs is None:
            return None
        matched.update(pairs)
    return [
        Section(read=rmw_read[w], write=w, unlocks=tuple(u for u, m in matched.items() if m == w),
                thread=events[w].thread)
        for w in takes
    ]  # fmt: skip


def _alternation(writes: list[Event]) -> dict[int, int] | None:
    """For one thread's lock and unlock writes in program order: each unlock's lock, the same
    on every path through the thread's branches; None unless on every path they alternate
    lock, unlock, lock, ... from a lock."""
    branches = sorted({k for e in writes for k, _ in e.branch})
    if len(branches) > MAX_BRANCHES:
        return None
    matched: dict[int, int] = {}
    for sides in itertools.product((False, True), repeat=len(branches)):
        path = dict(zip(branches, sides))
        run = [e for e in writes if all(path[k] == side for k, side in e.branch)]
        for k, e in enumerate(run):
            if (e.primitive == LOCK) != (k % 2 == 0):
                return None
            if k % 2 and matched.setdefault(e.id, run[k - 1].id) != run[k - 1].id:
                return None
    return matched
