"""Text of locations, values and conditions exactly as herd7 prints them (States and Condition lines).

herd prints registers as `P:reg` and memory as `[x]`; a value that is an address prints as the bare
location name. Propositions print with `/\\`, `\\/`, `=>` and `not (...)`; a conjunction nested
inside a disjunction needs no parentheses, while any other change of connective does.
"""

from __future__ import annotations

from litmus.syntax.ast import (
    AddrValue,
    Condition,
    IntValue,
    MemLoc,
    PAnd,
    PAtom,
    PFalse,
    PImplies,
    PNot,
    POr,
    PTrue,
    RegLoc,
)

__all__ = ["format_location", "format_value", "format_prop", "format_condition"]


def format_location(loc) -> str:
    """`1:r0` for a register, `[x]` for a shared location."""
    if isinstance(loc, RegLoc):
        return f"{loc.proc}:{loc.reg}"
    if isinstance(loc, MemLoc):
        return f"[{loc.name}]"
    raise TypeError(f"not a location: {loc!r}")


def format_value(v) -> str:
    """A value as herd prints it: decimal integers, addresses as the bare location name.

    A location used as the right-hand side of an atom (`x=[y]`, `0:r1=1:r2`) prints as a location.
    Plain ints are accepted too.
    """
    if isinstance(v, IntValue):
        return str(v.value)
    if isinstance(v, AddrValue):
        return v.name
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (MemLoc, RegLoc)):
        return format_location(v)
    raise TypeError(f"not a value: {v!r}")


# Connectives, used to decide parentheses the way herd does.
_TOP, _AND, _OR, _IMPLIES = "top", "and", "or", "implies"


def _needs_parens(above: str, here: str) -> bool:
    if above == _TOP:
        return False
    if above == _IMPLIES:
        return here != _IMPLIES
    if above == _AND:
        return here != _AND
    # above is `\/`: a conjunction or disjunction below needs none, an implication does
    return here == _IMPLIES


def _wrap(above: str, here: str, text: str) -> str:
    return f"({text})" if _needs_parens(above, here) else text


def _pp(p, above: str) -> str:
    if isinstance(p, PAtom):
        return f"{format_location(p.loc)}={format_value(p.value)}"
    if isinstance(p, PNot):
        return f"not ({_pp(p.prop, _TOP)})"
    if isinstance(p, PTrue):
        return "true"
    if isinstance(p, PFalse):
        return "false"
    if isinstance(p, PAnd):
        return _wrap(above, _AND, f"{_pp(p.left, _AND)} /\\ {_pp(p.right, _AND)}")
    if isinstance(p, POr):
        return _wrap(above, _OR, f"{_pp(p.left, _OR)} \\/ {_pp(p.right, _OR)}")
    if isinstance(p, PImplies):
        return _wrap(above, _IMPLIES, f"{_pp(p.left, _IMPLIES)} => {_pp(p.right, _IMPLIES)}")
    raise TypeError(f"not a proposition: {p!r}")


def format_prop(prop) -> str:
    """A proposition as herd prints it (no outer parentheses)."""
    return _pp(prop, _TOP)


def format_condition(cond: Condition) -> str:
    """The text after `Condition ` in herd's output: `exists (...)`, `~exists (...)`, `forall (...)`."""
    return f"{cond.quantifier} ({format_prop(cond.prop)})"
