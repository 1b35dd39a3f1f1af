"""The dialects of herd's litmus format: C (syntax/ and lower/) and the assembly dialects, one
folder each (a cell grammar, the instructions' semantics, the architecture's tags). Reading any
test and lowering it to events for a model's target both start here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from litmus.errors import LitmusError, NotMeaningful
from litmus.lower import lower as lower_c
from litmus.lower.events import Program, bv
from litmus.syntax import ast
from litmus.syntax import c_parser
from litmus.syntax.macros import MacroFile

if TYPE_CHECKING:
    from litmus.arch import asm


@dataclass(frozen=True)
class Dialect:
    """An assembly dialect: how to read a cell, what an instruction does, which tags exist, and
    which of our built-in targets speak about its machine."""

    parse_cell: Callable[[str], list[asm.Line]]
    execute: Callable
    canonical: Callable[[str], str]  # a register as the test's init block or condition names it
    known_tags: frozenset[str]
    targets: frozenset[str]  # our models for this machine ('c': a user's or herd's .cat file)
    # herd holds every value as a 32-bit signed integer (machine.int32) in X86, X86_64 and AArch64
    # tests: `movq $4294967295,%r8` gives -1, and 64-bit arithmetic wraps at 32 bits (herd7 7.58)
    signed32: bool = False
    # a load depends on what the po-earlier store to its location depended on (herd's lrs):
    # AArch64's dependencies go through memory, herd's X86 ones (intra-instruction) never do
    memory_deps: bool = True


ASM_ARCHS = ("X86", "X86_64", "AArch64")


@lru_cache(maxsize=None)
def dialect(arch: str) -> Dialect:
    """The assembly dialect of the architecture `arch` (one of ASM_ARCHS), its modules loaded on
    first use: a C test never needs them, and they were 17 ms of every run's start-up."""
    if arch in ("X86", "X86_64"):
        from litmus.arch.x86 import semantics, syntax, tags

        intel = arch == "X86"  # (X86_64 tests are in AT&T syntax)
        return Dialect(syntax.parse_intel_cell if intel else syntax.parse_att_cell, semantics.execute,
                       syntax.intel_canonical if intel else syntax.att_canonical, tags.KNOWN_TAGS,
                       frozenset({"sc", "tso", "c"}), signed32=True, memory_deps=False)  # fmt: skip
    if arch == "AArch64":
        from litmus.arch.aarch64 import semantics, syntax, tags

        return Dialect(syntax.parse_cell, semantics.execute, syntax.canonical, tags.KNOWN_TAGS,
                       frozenset({"sc", "arm", "c"}), signed32=True)  # fmt: skip
    raise KeyError(arch)


def parse_litmus(text: str, path: str = "<input>") -> ast.LitmusTest:
    """Parse a litmus test of any supported dialect (the first line names it)."""
    text = text.replace("\r\n", "\n")
    header = c_parser.read_header(text, path)
    if header.arch == "C":
        return c_parser.parse_litmus(text, path)
    if header.arch not in ASM_ARCHS:
        known = ", ".join(["C", *ASM_ARCHS])
        raise LitmusError(f"{header.arch} litmus tests are not supported (supported: {known})", path,
                          header.arch_span, source=text)  # fmt: skip
    from litmus.arch import asm

    return asm.parse_asm(text, path, header, dialect(header.arch).parse_cell)


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
    from litmus.arch.machine import Machine

    machine = dialect(test.arch)
    if target not in machine.targets:
        raise NotMeaningful(f"{test.arch} code", _MACHINES.get(target, target))
    program = Machine(test, machine.execute, machine.canonical, registers=registers,
                      signed32=machine.signed32, memory_deps=machine.memory_deps).lower()  # fmt: skip
    program.known_tags = machine.known_tags
    _alias_registers(test, program, machine.canonical)
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
                if key in program.wide_registers:
                    program.wide_registers |= {(loc.proc, loc.reg)}
            elif loc.proc in {t.proc for t in test.threads}:
                program.final_regs[(loc.proc, loc.reg)] = bv(0)  # a register never written: 0


__all__ = ["ASM_ARCHS", "Dialect", "dialect", "lower", "parse_file", "parse_litmus"]
