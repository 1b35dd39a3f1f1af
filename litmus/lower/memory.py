"""A test's shared locations, their addresses and initial writes: the same for the C lowering and
the assembly machine (litmus/arch/machine.py)."""

from __future__ import annotations

from collections.abc import Iterable

import z3

from litmus.errors import LitmusError
from litmus.lower.events import INIT_THREAD, Event, bv
from litmus.syntax import ast

ADDRESS_BASE = 0x1000  # addresses are multiples of this: distinct from small integers


class Memory:
    """Locations in first-mention order (init block, the code's own names, locations, filter,
    condition), each at its address constant."""

    def __init__(self, test: ast.LitmusTest, code_names: Iterable[str]) -> None:
        self.test = test
        names: list[str] = []

        def add(name: str) -> None:
            if name not in names:
                names.append(name)

        for entry in test.init:
            if isinstance(entry.target, ast.MemLoc):
                add(entry.target.name)
            if isinstance(entry.value, ast.AddrValue):
                add(entry.value.name)
        for name in code_names:
            add(name)
        for loc in test.locations:
            if isinstance(loc, ast.MemLoc):
                add(loc.name)
        for prop in (test.filter, test.condition.prop):
            for atom in ast.atoms(prop):
                if isinstance(atom.loc, ast.MemLoc):
                    add(atom.loc.name)
                if isinstance(atom.value, (ast.MemLoc, ast.AddrValue)):
                    add(atom.value.name)
        self.addresses = {name: ADDRESS_BASE * (i + 1) for i, name in enumerate(names)}

    def value_of(self, value: ast.Value | None) -> z3.BitVecRef:
        """An init block's or condition's value: a number, or a location's address."""
        if value is None:
            return bv(0)
        if isinstance(value, ast.IntValue):
            return bv(value.value)
        if value.name not in self.addresses:
            raise LitmusError(f"unknown location '{value.name}'", self.test.path, value.span, self.test.source)
        return bv(self.addresses[value.name])

    def initial_writes(self, first_id: int) -> list[Event]:
        """One init write per location (IW), numbered from `first_id`."""
        values = {e.target.name: e for e in self.test.init if isinstance(e.target, ast.MemLoc)}
        writes = []
        for k, (name, address) in enumerate(self.addresses.items()):
            entry = values.get(name)
            writes.append(Event(
                id=first_id + k, thread=INIT_THREAD, kind="W", tags=frozenset({"IW"}), guard=True,
                addr=bv(address), value=self.value_of(entry.value if entry else None),
                locs=frozenset({name}), primitive="init",
            ))  # fmt: skip
        return writes

    def locations_of(self, addr: z3.BitVecRef) -> frozenset[str]:
        """The locations an address may denote: one when it is known, every one otherwise."""
        simplified = z3.simplify(addr)
        if z3.is_bv_value(simplified):
            for name, a in self.addresses.items():
                if a == simplified.as_long():
                    return frozenset({name})
            return frozenset()
        return frozenset(self.addresses)
