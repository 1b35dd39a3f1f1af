"""herd7's output block, line for line, so scripts written for herd7 read ours unchanged.

Choices where herd7 has no counterpart:

* A result with ``error`` set and no observation prints nothing here (herd prints nothing on
  stdout for a bad test); the CLI writes the error on stderr.
* A not-meaningful result (an RCU primitive under a hardware model) prints nothing here either;
  :func:`format_note` gives the one line the CLI writes on stderr, ``Test X: <reason>``.
* An ``Unknown`` observation (timeout, resource limit) prints a single line
  ``Unknown <name> <reason>`` and a blank line, and no ``Test`` block: no ``Observation`` line
  means "no verdict" to ``judgelitmus.sh`` and to anything grepping ``^Observation``, and no
  ``Test`` line keeps block parsers from reading a half-filled block.
* Counts a ``--timeout`` cut short while counting (the verdict and the states found first)
  print as ``?`` in the ``Positive:`` and ``Observation`` lines; when it cut the listing of
  final states short too, ``States ?`` heads the states found (a parser expecting a number
  fails rather than read a wrong one).
* ``Hash=`` is the md5 of the test's name and condition: stable across models and runs, so
  it identifies the test (herd hashes its own canonical form of the test, which we cannot match;
  tools comparing outputs ignore ``Time`` and ``Hash``).
"""

from __future__ import annotations

import hashlib

from litmus.result import UNKNOWN, Result, State


def format_state(state: State) -> str:
    """One final state as herd prints it: `1:r0=1; [x]=0;`."""
    return " ".join(map(_pair_text, state))


def _pair_text(pair: tuple[str, str]) -> str:
    return f"{pair[0]}={pair[1]};"


class _PairTexts(dict):
    """Each (location, value) pair's text, made once: a listing repeats a few pairs in every
    state (a 19-thread ring prints 524,288 states of 19 pairs: 1.06 s one f-string per pair,
    0.53 s through this)."""

    def __missing__(self, pair: tuple[str, str]) -> str:
        text = self[pair] = _pair_text(pair)
        return text


def herd_hash(result: Result) -> str:
    """32 hex digits identifying the test (name and condition), the same under every model."""
    key = f"{result.test}\n{result.condition}".encode()
    return hashlib.md5(key).hexdigest()


def format_herd(result: Result) -> str:
    """herd7's block for one test under one model, ending with a blank line ("" when no verdict)."""
    if result.not_meaningful is not None:
        return ""
    if result.observation is None:
        return ""
    name = result.test
    if result.observation == UNKNOWN:
        reason = result.error or f"timeout after {result.time_s:.2f} s"
        return f"Unknown {name} {reason}\n\n"
    # herd's `Positive:` line swaps the counts for ~exists; the Observation line never does.
    # Counts the run could not finish (a timeout while counting) are `?`: the verdict stands.
    positive, negative = (result.positive, result.negative) if result.counted else ("?", "?")
    if result.kind == "Forbidden":
        shown_pos, shown_neg = negative, positive
    else:
        shown_pos, shown_neg = positive, negative
    lines = [f"Test {name} {result.kind}", f"States {len(result.states) if result.states_complete else '?'}"]
    text = _PairTexts().__getitem__
    lines += [" ".join(map(text, state)) for state in result.states]
    lines.append("Ok" if result.ok else "No")
    lines.append("Witnesses")
    lines.append(f"Positive: {shown_pos} Negative: {shown_neg}")
    # herd iterates a map keyed by flag name, so flags come out sorted.
    lines += [f"Flag {flag}" for flag in sorted(set(result.flags))]
    lines.append(f"Condition {result.condition}")
    lines.append(f"Observation {name} {result.observation} {positive} {negative}")
    lines.append(f"Time {name} {result.time_s:.2f}")
    lines.append(f"Hash={herd_hash(result)}")
    return "\n".join(lines) + "\n\n"


def format_note(result: Result) -> str | None:
    """The stderr line for a result without a herd block (not meaningful, error); None otherwise."""
    if result.not_meaningful is not None:
        return f"Test {result.test}: {result.not_meaningful}"
    if result.observation is None:
        if result.error and "\n" in result.error:  # a rendered error names its own file and line
            return result.error
        where = result.file or result.test
        return f"{where}: {result.error or 'no verdict'}"
    return None


__all__ = ["format_herd", "format_note", "format_state", "herd_hash"]
