"""The dialects of herd's litmus format: C (syntax/ and lower/) and the assembly dialects, one
folder each (a cell grammar, the instructions' semantics, the architecture's tags). Reading any
test and lowering it to events for a model's target both start here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from litmus.arch import asm
from litmus.arch.aarch64 import semantics as aarch64_semantics
from litmus.arch.aarch64.syntax import canonical as aarch64_canonical
from litmus.arch.aarch64.syntax import parse_cell as aarch64_cell
from litmus.arch.aarch64.tags import KNOWN_TAGS as AARCH64_TAGS
from litmus.arch.machine import Machine
from litmus.arch.x86 import semantics as x86_semantics
from litmus.arch.x86.tags import KNOWN_TAGS as X86_TAGS
from litmus.arch.x86.syntax import att_canonical, intel_canonical, parse_att_cell, parse_intel_cell
from litmus.errors import LitmusError, NotMeaningful
from litmus.lower import lower as lower_c
from litmus.lower.events import Program, bv
from litmus.syntax import ast
from litmus.syntax import c_parser
from litmus.syntax.macros import MacroFile


@dataclass(frozen=True)
class Dialect:
    """An assembly dialect: how to read a cell, what an instruction does, which tags exist, and
    which of our built-in targets speak about its machine."""

    parse_cell: Callable[[str], list[asm.Line]]
    execute: Callable
    canonical: Callable[[str], str]  # a register as the test's init block or condition names it
    known_tags: frozenset[str]
    targets: frozenset[str]  # our models for this machine ('c': a user's or herd's .cat file)


_X86_TARGETS = frozenset({"sc", "tso", "c"})
DIALECTS: dict[str, Dialect] = {
    "X86": Dialect(parse_intel_cell, x86_semantics.execute, intel_canonical, X86_TAGS, _X86_TARGETS),
    "X86_64": Dialect(parse_att_cell, x86_semantics.execute, att_canonical, X86_TAGS, _X86_TARGETS),
    "AArch64": Dialect(aarch64_cell, aarch64_semantics.execute, aarch64_canonical, AARCH64_TAGS,
                       frozenset({"sc", "arm", "c"})),
}  # fmt: skip


def parse_litmus(text: str, path: str = "<input>") -> ast.LitmusTest:
    """Parse a litmus test of any supported dialect (the first line names it)."""
    text = text.replace("\r\n", "\n")
    header = c_parser.read_header(text, path)
    if header.arch == "C":
        return c_parser.parse_litmus(text, path)
    dialect = DIALECTS.get(header.arch)
    if dialect is None:
        known = ", ".join(["C", *DIALECTS])
        raise LitmusError(f"{header.arch} litmus tests are not supported (supported: {known})", path,
                          header.arch_span, source=text)  # fmt: skip
    return asm.parse_asm(text, path, header, dialect.parse_cell)


def parse_file(path: str) -> ast.LitmusTest:
    """Read and parse a litmus file of any supported dialect."""
    return parse_litmus(c_parser.read_file(path), path)


def lower(test: ast.LitmusTest, target: str, macros: MacroFile | None = None, registers: bool = False) -> Program:
    """Events of `test` for a model of the named target: C through the target's primitive table,
    assembly through its architecture's semantics (the same for every model that speaks of that
    machine; NotMeaningful for one that does not, e.g. LKMM on AArch64 code). `registers`:
    herd's register events too, for a model that computes dependencies itself (catdep)."""
    if test.arch == "C":
        return lower_c(test, target, macros)
    dialect = DIALECTS[test.arch]
    if target not in dialect.targets:
        raise NotMeaningful(f"{test.arch} code", _MACHINES.get(target, target))
    program = Machine(test, dialect.execute, dialect.canonical, registers=registers).lower()
    program.known_tags = dialect.known_tags
    _alias_registers(test, program, dialect.canonical)
    return program


_MACHINES = {"tso": "tso (a model of x86)", "arm": "arm (a model of ARMv8)", "lkmm": "lkmm (a model of the kernel's C)"}


def _alias_registers(test: ast.LitmusTest, program: Program, canonical: Callable[[str], str]) -> None:
    """Registers named in the condition, filter or locations as written (`1:W0`, `0:eax`)."""
    locations = [a.loc for p in (test.condition.prop, test.filter) for a in ast.atoms(p)]
    locations += [a.value for p in (test.condition.prop, test.filter) for a in ast.atoms(p)]
    locations += list(test.locations)
    for loc in locations:
        if isinstance(loc, ast.RegLoc) and (loc.proc, loc.reg) not in program.final_regs:
            key = (loc.proc, canonical(loc.reg))
            if key in program.final_regs:
                program.final_regs[(loc.proc, loc.reg)] = program.final_regs[key]
            elif loc.proc in {t.proc for t in test.threads}:
                program.final_regs[(loc.proc, loc.reg)] = bv(0)  # a register never written: 0


__all__ = ["DIALECTS", "Dialect", "lower", "parse_file", "parse_litmus"]
