"""Encoding: a Program's candidate executions as a z3 problem, and its base relations for cat.

rf is one Bool per (write, read) pair that may share a location; co is a clock per write
(init writes first), or per critical section on a lock word (engine/locks.py); final memory
values follow the co-last write. Everything outside the static may-sets is absent, never built.
`ConcreteExecution` offers the same base relations for one execution read off a z3 model, so
the cat interpreter can re-check witnesses concretely.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import z3

from litmus.cat.choices import OrdersV, SymbolicChooser, is_element
from litmus.cat.relations import Algebra, Cond, EventSet, Relation, and_, not_, strongly_connected, to_z3
from litmus.engine.locks import Section, critical_sections
from litmus.lower.events import INIT_THREAD, KERNEL_LOCK_TAGS, WORD, Event, Program, bv, exclusive


class WitnessCheckFailed(AssertionError):
    """A solver execution that fails its own model when re-checked concretely: a bug in litmus."""


def base_kind(event: Event, program: Program) -> str:
    """R, W or F as the base relations see it. Under a herd macro file lock events are none of
    these: herd leaves them out of R, W, rf and co, and the model's lock.cat puts them in."""
    if program.model_locks and (event.tags | event.cond_tags.keys()) & KERNEL_LOCK_TAGS:
        return "lock"
    return event.kind


def same_instance(a: Event, b: Event) -> bool:
    """Two events of one assembly instruction instance."""
    return a.instance is not None and a.instance == b.instance


def tag_matches(tag: str, name: str) -> bool:
    """A bell tag 't names the event set `T` (first letter capitalised) and itself."""
    return tag == name or tag[:1].upper() + tag[1:] == name


class _BaseRelations:
    """Base sets and relations shared by the symbolic and the concrete view."""

    program: Program
    events: list[Event]
    algebra: Algebra
    known_tags: frozenset[str]

    def _static_sets(self) -> dict[str, EventSet]:
        ev = self.events
        ids = self.algebra.universe
        kind = {e: base_kind(ev[e], self.program) for e in ids}
        sets = {
            "R": [e for e in ids if kind[e] == "R"],
            "W": [e for e in ids if kind[e] == "W"],
            "F": [e for e in ids if kind[e] == "F"],
            "M": [e for e in ids if kind[e] in ("R", "W")],
            "IW": [e for e in ids if ev[e].thread == INIT_THREAD],
        }
        return {name: EventSet({e: True for e in members}) for name, members in sets.items()}

    def _static_relations(self) -> dict[str, Relation]:
        ev = self.events

        def kind_of(event: Event) -> str:
            return base_kind(event, self.program)

        ids = self.algebra.universe
        present = set(ids)
        po: dict[tuple[int, int], Cond] = {}
        for thread in self.program.threads:
            order = [e for e in thread if e in present]
            for a, i in enumerate(order):
                for j in order[a + 1 :]:
                    if not exclusive(ev[i], ev[j]) and not same_instance(ev[i], ev[j]):
                        po[(i, j)] = True
        same_thread = {
            (i, j): True for i in ids for j in ids
            if ev[i].thread == ev[j].thread and ev[i].thread != INIT_THREAD and not exclusive(ev[i], ev[j])
        }  # fmt: skip
        for i in ids:  # herd's int is reflexive on every event
            same_thread[(i, i)] = True
        # Init writes belong to no thread, so every pair with one of them is external.
        ext = {
            (i, j): True for i in ids for j in ids
            if i != j and (ev[i].thread != ev[j].thread or ev[i].thread == INIT_THREAD)
        }  # fmt: skip
        deps = {"addr": "addr_deps", "data": "data_deps", "ctrl": "ctrl_deps",
                "pick-addr": "pick_addr_deps", "pick-data": "pick_data_deps"}
        relations = {
            name: Relation({(r, e): True for e in ids for r in getattr(ev[e], field) if r in present})
            for name, field in deps.items()
        }
        rmw = {(r, w): True for r, w in self.program.rmw if r in present and w in present}
        amo = {pair: True for pair in self.program.amo if pair in rmw}

        def pairs(listed: list[tuple[int, int]]) -> Relation:
            return Relation({(i, j): True for i, j in listed if i in present and j in present})

        # stxn: pairs of events of the same batch (litmus_batch_begin/end), static; empty without
        batches: dict[tuple[int, int], list[int]] = {}
        for e in ids:
            if getattr(ev[e], "batch", None) is not None:
                batches.setdefault((ev[e].thread, ev[e].batch), []).append(e)
        stxn = {
            (i, j): True for group in batches.values() for i in group for j in group
            if not exclusive(ev[i], ev[j])
        }  # fmt: skip
        relations.update(
            po=Relation(po), int=Relation(same_thread), ext=Relation(ext), rmw=Relation(rmw),
            amo=Relation(amo), lxsx=Relation({pair: True for pair in rmw if pair not in amo}),
            stxn=Relation(stxn),
            id=Relation({(i, i): True for i in ids}),
            # herd's si and sm (the events of one access): without mixed sizes each access is one event
            si=Relation({(i, i): True for i in ids if kind_of(ev[i]) in ("R", "W")}),
            sm=Relation({(i, i): True for i in ids if kind_of(ev[i]) in ("R", "W")}),
            iico_data=pairs(self.program.iico_data), iico_ctrl=pairs(self.program.iico_ctrl),
            iico_order=pairs(self.program.iico_order), **{"rf-reg": pairs(self.program.rf_reg)},
            **{"same-instance": Relation({
                (i, j): True for i in ids for j in ids if same_instance(ev[i], ev[j]) and not exclusive(ev[i], ev[j])
            })},
            **{"same-low-order-bits": Relation({})},  # between translation faults: none here
        )  # fmt: skip
        return relations

    def tag_condition(self, event: Event, name: str) -> Cond:
        """When `event` carries the tag that `name` denotes: always, never, or a z3 condition."""
        if any(tag_matches(t, name) for t in event.tags):
            return True
        for tag, cond in event.cond_tags.items():
            if tag_matches(tag, name):
                return cond
        return False

    def tag_set(self, name: str) -> EventSet | None:
        members: dict[int, Cond] = {}
        for e in self.algebra.universe:
            c = self.tag_condition(self.events[e], name)
            if c is not False:
                members[e] = c
        if members or any(tag_matches(t, name) for t in self.known_tags):
            return EventSet(members)
        return None

    def values_differ(self, i: int, j: int) -> Cond:
        a, b = self.events[i].value, self.events[j].value
        if a is None or b is None:
            return False
        return self._differ(a, b)

    def _differ(self, a: z3.BitVecRef, b: z3.BitVecRef) -> Cond:
        return a != b

    def declare_tags(self, tags: Iterable[str]) -> None:
        """A bell's `enum`: these tags name event sets even when no event carries them."""
        self.known_tags = self.known_tags | frozenset(tags)
        for name in [n for n, v in self.base.items() if v is None]:
            del self.base[name]

    # whether `removable` may find any (cat/interp.py asks it of each strongly connected part)
    construction_orders = False
    # whether `choose` reads the `with`'s source (a run on one execution the solver proposed
    # takes the solver's choice as it is: the source, maps and crosses over the events, is
    # not built)
    choice_reads_source = True

    def removable(self, members: list[int], succ: dict[int, list[tuple[int, Cond]]]) -> set[tuple[int, int]]:
        """Edges among `members` that no cycle needs, by how the encoding orders events."""
        return set()

    def primitive(self, name: str):
        if name not in self.base:  # memoised: models name tag sets often
            self.base[name] = self._from_reads() if name == "fr" else self.tag_set(name)
        return self.base[name]

    def _from_reads(self) -> Relation:
        """herd's fr: a read is fr-before every write co-after the write it reads from."""
        return self.algebra.seq(self.algebra.inverse(self.primitive("rf")), self.primitive("co"))


class NotDetermined(Exception):
    """The determined encoding cannot express this model (counting falls back to the clocks)."""


class SymbolicExecution(_BaseRelations):
    """All candidate executions of a program at once, as z3 constraints."""

    symbolic = True

    def __init__(self, program: Program, known_tags: Iterable[str], sc_per_location: bool,
                 final_locations: Iterable[str] = (), determined: bool = False,
                 lock_sections: bool = False, final_memory: Iterable[str] | None = None) -> None:  # fmt: skip
        """`lock_sections`: the model makes an rmw atomic and coherence follow program order,
        and skips neither: lock words are encoded as critical sections in turn. `final_memory`:
        the locations whose final value the test reads (None: every location)."""
        self.program = program
        # coherence as Boolean order literals and closures as circuits: no variable left free
        # once the execution is fixed (for model counting; see engine/count.py)
        self.determined = determined
        # herd's FW: the co-last write of each location the test's final state observes
        self.final_locations = frozenset(final_locations)
        self.final_writes: dict[int, z3.BoolRef] = {}
        # what `with x from ...` chose, in the order the model asked (to re-check witnesses)
        self.choices: list[Relation] = []
        self.chooser: SymbolicChooser | None = None
        self.events = program.events
        self.known_tags = frozenset(known_tags)
        ids = [e.id for e in self.events]
        self.algebra = Algebra(ids, {e.id: e.guard for e in self.events}, determined)
        self.constraints: list[z3.BoolRef] = list(program.constraints)
        self.rf_vars: dict[tuple[int, int], z3.BoolRef] = {}
        self.co_clock: dict[int, z3.ArithRef] = {}
        self.co: dict[tuple[int, int], Cond] = {}
        self.final_memory: dict[str, z3.BitVecRef] = {}
        self.last_write_conditions: dict[str, list[tuple[int, z3.BoolRef]]] = {}  # when w is co-last
        self.sections: list[Section] = []
        if lock_sections:
            self.sections = [s for found in critical_sections(program).values() for s in found]
        self._section_of = {w: k for k, s in enumerate(self.sections) for w in s.writes}
        self._section_reads = {s.read: k for k, s in enumerate(self.sections)}
        self._lock_writes = {s.write for s in self.sections}
        # a lock word's events in the order the sections put them: (location, section, place)
        self._lock_rank: dict[int, tuple[str, int, int]] = {}
        for k, s in enumerate(self.sections):
            loc = program.events[s.write].static_loc or ""
            self._lock_rank.update({s.read: (loc, k, 0), s.write: (loc, k, 1)})
            self._lock_rank.update({u: (loc, k, 2) for u in s.unlocks})
        locks = {loc for loc, _, _ in self._lock_rank.values()}
        for e in program.events:
            if e.thread == INIT_THREAD and e.static_loc in locks:
                self._lock_rank[e.id] = (e.static_loc, -1, 0)
        self.construction_orders = bool(self.sections)
        # section k before section l on their lock word (both take the lock)
        self.section_before: dict[tuple[int, int], Cond] = {}
        self._build_rf(sc_per_location)
        self._build_sections()
        self._build_co()
        self._build_handovers()
        self._build_final_memory(None if final_memory is None else frozenset(final_memory))
        self.grounding = Grounding(self) if _has_value_cycle(self) else None
        self.base = {**self._static_sets(), **self._static_relations()}
        self.base["loc"] = Relation(self._loc())
        self.base["rf"] = Relation(dict(self.rf_vars))
        self.base["co"] = Relation(dict(self.co))
        self.base["FW"] = EventSet(dict(self.final_writes))

    # -- helpers
    def same_location(self, a: Event, b: Event) -> Cond:
        if not (a.locs & b.locs):
            return False
        if a.static_loc is not None and b.static_loc is not None:
            return True
        return a.addr == b.addr

    def _loc(self) -> dict[tuple[int, int], Cond]:
        mem = [e for e in self.events if e.addr is not None]  # accesses, and sync-srcu
        out: dict[tuple[int, int], Cond] = {}
        for a in mem:
            for b in mem:
                c = True if a is b else self.same_location(a, b)
                if c is not False and not exclusive(a, b):
                    out[(a.id, b.id)] = c
        return out

    def _accesses(self, kind: str) -> list[Event]:
        return [e for e in self.events if base_kind(e, self.program) == kind]

    def _build_rf(self, sc_per_location: bool) -> None:
        writes = self._accesses("W")
        position = {eid: k for thread in self.program.threads for k, eid in enumerate(thread)}
        for r in self._accesses("R"):
            sources = []
            for w in writes:
                if w.id == r.id or exclusive(w, r) or same_instance(w, r):
                    continue  # an instruction's read never sees the write it makes itself
                if r.id in self._section_reads and w.id in self._lock_writes:
                    continue  # a lock finds the lock free (0): never reading another lock's 1
                same = self.same_location(w, r)
                if same is False:
                    continue
                if sc_per_location and w.thread == r.thread and position[w.id] > position[r.id]:
                    continue  # reading a po-later write breaks SC per location in every model
                var = z3.Bool(f"rf_{w.id}_{r.id}")
                self.rf_vars[(w.id, r.id)] = var
                sources.append(var)
                self.constraints.append(
                    z3.Implies(var, to_z3(and_(w.guard, r.guard, same, r.value == w.value)))
                )
            self.constraints.append(z3.Implies(to_z3(r.guard), z3.Or(sources) if sources else z3.BoolVal(False)))
            if len(sources) > 1:
                self.constraints.append(z3.AtMost(*sources, 1))

    def _build_co(self) -> None:
        if self.determined:
            return self._build_co_order()
        writes = self._accesses("W")
        for w in writes:
            if w.thread != INIT_THREAD and w.id not in self._section_of:
                self.co_clock[w.id] = z3.Int(f"co_{w.id}")
                self.constraints.append(self.co_clock[w.id] > 0)
        for w, k in self._section_of.items():  # a critical section's writes share its clock
            self.co_clock[w] = self._section_clock[k]
        for a in writes:
            for b in writes:
                if a.id >= b.id or exclusive(a, b):
                    continue
                same = self.same_location(a, b)
                if same is False:
                    continue
                if a.thread == INIT_THREAD and b.thread == INIT_THREAD:
                    continue
                if a.thread == INIT_THREAD:
                    self.co[(a.id, b.id)] = same
                    continue
                if b.thread == INIT_THREAD:
                    self.co[(b.id, a.id)] = same
                    continue
                if a.id in self._section_of and b.id in self._section_of:
                    self._co_in_sections(a.id, b.id)
                    continue
                ca, cb = self.co_clock[a.id], self.co_clock[b.id]
                self.co[(a.id, b.id)] = and_(same, ca < cb)
                self.co[(b.id, a.id)] = and_(same, cb < ca)
                both = to_z3(and_(a.guard, b.guard, same))
                self.constraints.append(z3.Implies(both, ca != cb))

    def _build_co_order(self) -> None:
        """co as one literal per pair of writes (a before b), false unless both execute at one
        location, with transitivity: a total order per location that nothing else can vary."""
        writes = self._accesses("W")
        before: dict[tuple[int, int], Cond] = {}  # executed, same location, a co-before b
        for a in writes:
            for b in writes:
                if a.id >= b.id or exclusive(a, b):
                    continue
                same = self.same_location(a, b)
                if same is False or (a.thread == INIT_THREAD and b.thread == INIT_THREAD):
                    continue
                if INIT_THREAD in (a.thread, b.thread):
                    first, then = (a, b) if a.thread == INIT_THREAD else (b, a)
                    self.co[(first.id, then.id)] = same
                    continue
                if a.id in self._section_of and b.id in self._section_of:
                    self._co_in_sections(a.id, b.id)
                    continue
                both = and_(a.guard, b.guard, same)
                order = z3.Bool(f"co_{a.id}_{b.id}")
                self.constraints.append(z3.Implies(order, to_z3(both)))
                self.co[(a.id, b.id)] = and_(same, order)
                self.co[(b.id, a.id)] = and_(same, not_(order))
                before[(a.id, b.id)] = order
                before[(b.id, a.id)] = and_(both, not_(order))
        self.constraints += _transitive(before)

    def _build_sections(self) -> None:
        """The order of the critical sections of each lock word: a clock per section, or (for
        counting) a literal per pair of sections of different threads, transitive. A thread's
        own sections follow its program order (coherence)."""
        sections, events = self.sections, self.events
        self._section_clock = [] if self.determined else [z3.Int(f"cs_{k}") for k in range(len(sections))]
        self.constraints += [clock > 0 for clock in self._section_clock]
        before = self.section_before
        for k, a in enumerate(sections):
            for m in range(k + 1, len(sections)):
                b = sections[m]
                la, lb = events[a.write], events[b.write]
                if exclusive(la, lb) or la.locs != lb.locs:
                    continue
                both = and_(la.guard, lb.guard)
                if self.determined and a.thread == b.thread:  # k is po-before m
                    before[(k, m)] = both
                elif self.determined:
                    order = z3.Bool(f"cs_{k}_{m}")
                    self.constraints.append(z3.Implies(order, to_z3(both)))
                    before[(k, m)], before[(m, k)] = order, and_(both, not_(order))
                else:
                    ck, cm = self._section_clock[k], self._section_clock[m]
                    before[(k, m)], before[(m, k)] = ck < cm, cm < ck
                    self.constraints.append(z3.Implies(to_z3(both), ck < cm if a.thread == b.thread else ck != cm))
        if self.determined:
            self.constraints += _transitive(before)

    def _co_in_sections(self, a: int, b: int) -> None:
        """co between two writes of a lock word: a section's lock before its unlock, and each
        before the writes of the sections after it."""
        ka, kb = self._section_of[a], self._section_of[b]
        if ka == kb:  # a lock and its unlock (two unlocks of one section never both execute)
            first, then = (a, b) if a == self.sections[ka].write else (b, a)
            self.co[(first, then)] = True
            return
        for x, y, kx, ky in ((a, b, ka, kb), (b, a, kb, ka)):
            order = self.section_before.get((kx, ky))
            if order is not None:
                self.co[(x, y)] = order

    def _build_handovers(self) -> None:
        """A lock reads the unlock of an earlier section (or the initial 0), and no unlock is
        read by two locks: each section hands the lock to one section after it, so the
        sections form one chain and each lock reads the unlock just before its own section.
        What this leaves out breaks atomicity or coherence."""
        readers: dict[int, list[z3.BoolRef]] = {}
        for (w, r), var in self.rf_vars.items():
            c = self._section_reads.get(r)
            if c is None:
                continue
            readers.setdefault(w, []).append(var)
            d = self._section_of.get(w)
            if d is not None:
                order = self.section_before.get((d, c))
                self.constraints.append(z3.Implies(var, to_z3(order) if order is not None else z3.BoolVal(False)))
        for vars_ in readers.values():
            if len(vars_) > 1:
                self.constraints.append(z3.AtMost(*vars_, 1))

    def removable(self, members: list[int], succ: dict[int, list[tuple[int, Cond]]]) -> set[tuple[int, int]]:
        """Edges among `members` (a strongly connected part of a relation's may-graph) that no
        cycle needs: those between events of one lock word, when they all go forward in the
        order its critical sections put them in (_forward). With nothing else among `members`
        there is no cycle at all. Otherwise such an edge is a short cut of a path the relation
        has in every execution (the chain: a section's read, lock and unlock, then the rf of
        the handover to the next section's read), which stays: a cycle through the edge goes
        along the chain instead."""
        rank, inside = self._lock_rank, set(members)
        among = {(i, j): c for i in members for j, c in succ.get(i, ()) if j in inside}
        lock_edges = {(i, j) for i, j in among if i in rank and j in rank}
        if not lock_edges or not all(self._forward(i, j, among[(i, j)]) for i, j in lock_edges):
            return set()
        if all(m in rank for m in members):
            return lock_edges
        locks = {rank[m][0] for m in members if m in rank}
        if any(loc in locks and k != -1 and e not in inside for e, (loc, k, _) in rank.items()):
            return set()  # a lock event the chain may pass through is not among them
        chain = self._chain(locks)
        # (the initial write, when not among them, comes before anything a cycle could use)
        if any(not _implied_by(among.get((i, j), False), cond)
               for (i, j), cond in chain.items() if i in inside and j in inside):  # fmt: skip
            return set()
        return lock_edges - chain.keys()

    def _chain(self, locks: set[str]) -> dict[tuple[int, int], Cond]:
        """The edges that put the events of the lock words `locks` in order in every execution,
        and when each is there: a section's read before its lock and its lock before each of
        its unlocks (always), an unlock or initial write before the read of the section it
        hands the lock to (when that read reads it)."""
        chain: dict[tuple[int, int], Cond] = {}
        for s in self.sections:
            if self._lock_rank[s.write][0] in locks:
                chain[(s.read, s.write)] = True
                chain.update({(s.write, u): True for u in s.unlocks})
        for (w, r), var in self.rf_vars.items():
            if r in self._section_reads and self._lock_rank[r][0] in locks:
                chain[(w, r)] = var
        return chain

    def _forward(self, i: int, j: int, c: Cond) -> bool:
        (li, ki, pi), (lj, kj, pj) = self._lock_rank[i], self._lock_rank[j]
        if li != lj or kj == -1:
            return False
        if ki == -1 or ki == kj:
            return ki != kj or pi < pj
        if self.events[i].thread == self.events[j].thread and i < j:
            return True  # sections of one thread in program order (coherence, encoded)
        atoms = (self.section_before.get((ki, kj)), self.rf_vars.get((i, j)))
        return _implies_one_of(c, {t.get_id() for t in atoms if t is not None and t is not True})

    def _from_reads(self) -> Relation:
        """fr; from a lock's read, the writes of its own section and of the sections after it
        (it reads the unlock just before its section): a term per pair."""
        if not self.sections:
            return super()._from_reads()
        rf = self.primitive("rf")
        others = Relation({k: c for k, c in rf.entries.items() if k[1] not in self._section_reads})
        entries = dict(self.algebra.seq(self.algebra.inverse(others), self.primitive("co")).entries)
        for s in self.sections:
            entries.update({(s.read, w): True for w in s.writes})
        for (k, m), order in self.section_before.items():
            entries.update({(self.sections[k].read, w): order for w in self.sections[m].writes})
        return Relation(entries)

    def _build_final_memory(self, wanted: frozenset[str] | None) -> None:
        """Each location's final value, for those in `wanted` (None: all)."""
        writes = self._accesses("W")
        for name, address in self.program.addresses.items():
            if wanted is not None and name not in wanted:
                # no final value to constrain: a zone-locked pageblock test's lock word has
                # dozens of writes, a term per pair of them
                continue
            final = z3.BitVec(f"final_{name}", WORD)
            self.final_memory[name] = final
            here = bv(address)
            for w in writes:
                if name not in w.locs:
                    continue
                later = [
                    to_z3(and_(o.guard, self.co[(w.id, o.id)], o.addr == here))
                    for o in writes
                    if (w.id, o.id) in self.co and name in o.locs
                ]
                is_last = and_(w.guard, w.addr == here if w.static_loc is None else True)
                cond = to_z3(is_last)
                if later:
                    cond = z3.And(cond, z3.Not(z3.Or(later)))
                self.constraints.append(z3.Implies(cond, final == w.value))
                self.last_write_conditions.setdefault(name, []).append((w.id, cond))
                if name in self.final_locations:
                    self.final_writes[w.id] = cond

    def choose(self, source: Any) -> Relation:
        """`with x from source`: fresh choice variables, constrained (see cat/choices.py)."""
        if self.determined and isinstance(source, OrdersV):
            raise NotDetermined("a model generating coherence orders (`with co from ...`) orders by clocks")
        if self.chooser is None:
            init = {e.id for e in self.events if e.thread == INIT_THREAD}
            self.chooser = SymbolicChooser(
                self.base["loc"], dict(self.co_clock), init, self.algebra.executes
            )
        chosen = self.chooser.choose(source)
        self.algebra.side_constraints.extend(self.chooser.constraints)
        self.chooser.constraints = []
        self.choices.append(chosen)
        return chosen

    def execution_key(self) -> list[z3.BoolRef]:
        """Terms that tell executions apart (herd counts executions by rf and co, and by what
        the model itself chose)."""
        return [to_z3(and_(*parts)) for parts in self.execution_key_parts()]

    def execution_key_parts(self) -> list[list[Cond]]:
        """execution_key's terms, each as the conditions it is the conjunction of."""
        keys: list[list[Cond]] = [[v] for v in self.rf_vars.values()]
        keys += [[*_when_chosen(c, self.events), c] for c in self.program.choices]
        if self.chooser is not None:
            keys += [[k] for k in self.chooser.keys]
        ev = self.events
        for (a, b), c in self.co.items():
            if ev[a].thread != INIT_THREAD and a < b:
                keys.append([ev[a].guard, ev[b].guard, c])
        return keys


def _mentions(term: Any, atom: z3.BoolRef, seen: dict[int, bool]) -> bool:
    """Whether z3 `term` has `atom` among its subterms (`seen`: memo by id)."""
    if not isinstance(term, z3.ExprRef):
        return False
    key = term.get_id()
    if key not in seen:
        seen[key] = term.eq(atom) or any(_mentions(t, atom, seen) for t in term.children())
    return seen[key]


def _when_chosen(choice: z3.BoolRef, events: list[Event]) -> list[Cond]:
    """When the lowering's free `choice` (a store-exclusive succeeding, a trylock taking the lock)
    tells executions apart: its path runs, i.e. some event that reads the choice may execute
    either way. On a path not taken it is free, and as a bare key each value of it counted the
    same execution again (a CAS's five ways before LDXR/STXR: 16 times herd's count). [] when no
    event reads it (the key stays the bare choice)."""
    seen: dict[int, bool] = {}
    ways: list[Cond] = []
    for e in events:
        guard = e.guard
        if isinstance(guard, z3.ExprRef) and _mentions(guard, choice, seen):
            rest = [g for g in guard.children() if not g.eq(choice)] if z3.is_and(guard) else None
            if rest is not None and len(rest) == len(guard.children()) - 1 and not any(
                _mentions(g, choice, seen) for g in rest
            ):  # the usual shape, And(path, choice): the path's own term (a run reads it)
                ways.append(rest[0] if len(rest) == 1 else z3.And(rest))
            else:
                either = z3.simplify(z3.Or(z3.substitute(guard, (choice, z3.BoolVal(True))),
                                           z3.substitute(guard, (choice, z3.BoolVal(False)))))  # fmt: skip
                ways.append(True if z3.is_true(either) else either)
        elif any(_mentions(t, choice, seen) for t in (e.value, e.addr, *e.cond_tags.values())):
            ways.append(guard)
    if not ways or any(w is True for w in ways):
        return []
    return [ways[0] if len(ways) == 1 else z3.Or(ways)]


def _transitive(before: dict[tuple[int, int], Cond]) -> list[z3.BoolRef]:
    """That an order given as a condition per pair is transitive: a before b before c puts a
    before c. (When a before b before c can hold, a and c both execute at one location, so
    (a, c) is among the pairs.)"""
    ids = sorted({a for a, _ in before})
    return [
        z3.Implies(to_z3(and_(before[(a, b)], before[(b, c)])), to_z3(before[(a, c)]))
        for a in ids for b in ids if (a, b) in before
        for c in ids if c != a and (b, c) in before and (a, c) in before
    ]  # fmt: skip


def _implied_by(c: Cond, cause: Cond) -> bool:
    """Whether `c` is `cause`, True, or a disjunction with one of these."""
    if c is True or c is cause:
        return True
    if c is False:
        return False
    if cause is not True and c.get_id() == cause.get_id():
        return True
    return z3.is_or(c) and any(_implied_by(part, cause) for part in c.children())


def _implies_one_of(c: Cond, atoms: set[int]) -> bool:
    """Whether `c` is, or is a conjunction with, one of the terms `atoms` (by id), or a
    disjunction of such."""
    if c is True or c is False:
        return c is False
    if c.get_id() in atoms:
        return True
    if z3.is_and(c):
        return any(_implies_one_of(part, atoms) for part in c.children())
    if z3.is_or(c):
        return all(_implies_one_of(part, atoms) for part in c.children())
    return False


def _has_value_cycle(execution: SymbolicExecution) -> bool:
    """Can a value flow in a circle: a read into a write's value (data), that write into a read
    (a possible rf)? Only then may a value be justified by no write (out of thin air)."""
    succ: dict[int, list[tuple[int, Cond]]] = {}
    for e in execution.events:
        for r in e.data_deps:
            succ.setdefault(r, []).append((e.id, True))
    for (w, r) in execution.rf_vars:
        succ.setdefault(w, []).append((r, True))
    return any(len(c) > 1 for c in strongly_connected(succ))


class Grounding:
    """herd's values out of thin air. herd solves each execution's value equations: a value
    that only a circle of copies justifies (`*a = *b` and `*b = *a` reading each other) stays
    symbolic (printed `S..`, equal to no constant in the condition); a circle through a
    computation (`*a = 2 & *b`, ...) has no solution herd finds, and herd drops the execution.

    grounded(r) for a read: it reads from a grounded write, as a least fixpoint (ranks, so a
    circle cannot justify itself); a write is grounded when every read its value depends on is.
    """

    def __init__(self, execution: SymbolicExecution) -> None:
        ev = execution.events
        reads = [e for e in ev if base_kind(e, execution.program) == "R"]
        self.read_grounded = {r.id: z3.Bool(f"ground_{r.id}") for r in reads}
        # a read that does not execute grounds everything (a merged value takes the other side)
        self.read_ok = {r.id: z3.Or(z3.Not(to_z3(r.guard)), self.read_grounded[r.id]) for r in reads}
        rank = {r.id: z3.Int(f"ground_rank_{r.id}") for r in reads}
        constraints = execution.constraints
        justified: dict[int, list[z3.BoolRef]] = {r.id: [] for r in reads}
        for (w, r), rf in execution.rf_vars.items():
            g_w = self.write_grounded(ev[w])
            constraints.append(z3.Implies(z3.And(rf, g_w), self.read_grounded[r]))
            earlier = [rank[d] < rank[r] for d in ev[w].data_deps if d in rank]
            justified[r].append(z3.And(rf, g_w, *earlier))
            if not self._copy(ev[w], execution):  # a circle through a computation: no execution
                constraints.append(z3.Implies(rf, g_w))
        for r, ways in justified.items():
            constraints.append(z3.Implies(self.read_grounded[r], z3.Or(ways) if ways else z3.BoolVal(False)))
        # the final value of each location is grounded when its co-last write is
        self.memory_grounded: dict[str, z3.BoolRef] = {}
        for name, final in execution.final_memory.items():
            g = z3.Bool(f"ground_final_{name}")
            self.memory_grounded[name] = g
            for w, last in execution.last_write_conditions.get(name, []):
                constraints.append(z3.Implies(last, g == self.write_grounded(ev[w])))

    def write_grounded(self, w: Event) -> z3.BoolRef:
        return z3.And([self.read_ok[r] for r in w.data_deps if r in self.read_ok])

    @staticmethod
    def _copy(w: Event, execution: SymbolicExecution) -> bool:
        """The written value is a read's value as it is (`*a = *b`), or depends on no read."""
        if not w.data_deps or w.value is None:
            return True
        return len(w.data_deps) == 1 and w.value.eq(execution.events[next(iter(w.data_deps))].value)

    def term_grounded(self, term: z3.ExprRef) -> z3.BoolRef:
        """A register's final value is grounded when every read value in it is."""
        names = {str(v) for v in _free_constants(term)}
        return z3.And([ok for r, ok in self.read_ok.items() if f"v{r}" in names])


def _free_constants(term: z3.ExprRef) -> list[z3.ExprRef]:
    out: list[z3.ExprRef] = []
    seen: set[int] = set()
    stack = [term]
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(t)
        stack.extend(t.children())
    return out


class ConcreteExecution(_BaseRelations):
    """One execution read off a z3 model: only executed events, every relation static."""

    symbolic = False

    def __init__(self, symbolic: SymbolicExecution, model: z3.ModelRef) -> None:
        self.program = symbolic.program
        self.events = symbolic.events
        self.known_tags = symbolic.known_tags

        def holds(c: Cond) -> bool:
            return c is True or z3.is_true(model.eval(to_z3(c), model_completion=True))

        self._holds = holds
        executed = [e.id for e in self.events if holds(e.guard)]
        present = set(executed)
        self.algebra = Algebra(executed, {e: True for e in executed})

        def concrete(rel: Relation) -> Relation:
            return Relation(
                {k: True for k, c in rel.entries.items() if k[0] in present and k[1] in present and holds(c)}
            )

        self._concrete = concrete
        self._choices = iter(symbolic.choices)
        self.base = {**self._static_sets(), **self._static_relations()}
        for name in ("loc", "rf", "co"):
            self.base[name] = concrete(symbolic.base[name])
        self.base["FW"] = EventSet({e: True for e, c in symbolic.base["FW"].entries.items() if e in present and holds(c)})
        self.values = {
            e: model.eval(self.events[e].value, model_completion=True).as_signed_long()
            for e in executed
            if self.events[e].value is not None
        }

    def choose(self, source: Any) -> Relation:
        """The solver's choice for this `with`, checked to be an element of `source` here."""
        chosen = self._concrete(next(self._choices))
        if not is_element(source, chosen, self.base["loc"]):
            raise WitnessCheckFailed("the solver chose a relation that `with ... from` does not offer")
        return chosen

    def tag_condition(self, event: Event, name: str) -> Cond:
        c = super().tag_condition(event, name)
        return c is True or (c is not False and self._holds(c))

    def _differ(self, a: z3.BitVecRef, b: z3.BitVecRef) -> Cond:
        return self._holds(a != b)
