"""Lowering: a parsed C litmus test -> a Program of guarded events, per target (the primitive
tables), or through a herd configuration's macro file."""

from __future__ import annotations

from litmus.lower.c import Lowerer
from litmus.lower.events import Program
from litmus.lower.macros import MacroLowerer
from litmus.lower.targets import TARGETS
from litmus.syntax import ast
from litmus.syntax.macros import MacroFile


def lower(test: ast.LitmusTest, target: str, macros: MacroFile | None = None) -> Program:
    """Lower `test` for the named target ('sc', 'tso', 'arm', 'lkmm'), or by a herd macro file."""
    if macros is not None:
        return MacroLowerer(test, TARGETS[target], macros).lower()
    return Lowerer(test, TARGETS[target]).lower()


__all__ = ["lower"]
