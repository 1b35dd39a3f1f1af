"""Comparing models and tests: where verdicts differ, which final states one allows and another not,
and whether one test's final states are included in another's.

Everything here works on Results (plain values), so callers can compare runs made elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from litmus.report.herd import format_state
from litmus.report.table import cell
from litmus.result import Result, State


@dataclass(frozen=True)
class StateDiff:
    """Final states `weaker` allows and `stronger` does not (for one test)."""

    weaker: str
    stronger: str
    states: tuple[State, ...]


@dataclass(frozen=True)
class Row:
    file: str
    test: str
    verdicts: tuple[tuple[str, str], ...]  # (model, table cell)
    differ: bool  # the models' verdicts disagree
    diffs: tuple[StateDiff, ...] = ()

    def verdict(self, model: str) -> str:
        return dict(self.verdicts).get(model, "")


def state_diffs(by_model: dict[str, Result], models: Sequence[str]) -> tuple[StateDiff, ...]:
    """For each pair of models with verdicts, the states one allows and the other not."""
    out = []
    have = [m for m in models if m in by_model and by_model[m].observation not in (None, "Unknown")]
    for k, a in enumerate(have):
        for b in have[k + 1 :]:
            sa, sb = set(by_model[a].states), set(by_model[b].states)
            if sb - sa:
                out.append(StateDiff(b, a, tuple(s for s in by_model[b].states if s not in sa)))
            if sa - sb:
                out.append(StateDiff(a, b, tuple(s for s in by_model[a].states if s not in sb)))
    return tuple(out)


def compare_results(results: Iterable[Result], models: Sequence[str]) -> list[Row]:
    """One row per test (first-seen order): verdict per model, disagreement, state differences."""
    grouped: dict[tuple[str, str], dict[str, Result]] = {}
    for r in results:
        grouped.setdefault((r.file, r.test), {})[r.model] = r
    rows = []
    for (file, test), by_model in grouped.items():
        verdicts = tuple((m, cell(by_model.get(m))) for m in models)
        words = {r.observation for r in by_model.values() if r.observation in ("Never", "Sometimes", "Always")}
        rows.append(Row(file, test, verdicts, len(words) > 1, state_diffs(by_model, models)))
    return rows


def _diff_text(row: Row) -> str:
    return "   ".join(
        f"{d.weaker} not {d.stronger}: " + " | ".join(format_state(s) for s in d.states) for d in row.diffs
    )


def format_compare(rows: Sequence[Row], models: Sequence[str], fmt: str = "table",
                   tablefmt: str = "simple", only_diff: bool = False) -> str:  # fmt: skip
    """The comparison as a table (any tabulate format), markdown, csv or json (one object per line)."""
    shown = [r for r in rows if r.differ or r.diffs] if only_diff else list(rows)
    if fmt == "json":
        return "".join(
            json.dumps({
                "file": r.file, "test": r.test, "verdicts": dict(r.verdicts), "differ": r.differ,
                "extra_states": [
                    {"weaker": d.weaker, "stronger": d.stronger,
                     "states": [{loc: val for loc, val in s} for s in d.states]}
                    for d in r.diffs
                ],
            }) + "\n"
            for r in shown
        )  # fmt: skip
    headers = ["test", *models, "differ", "allowed by one model, not another"]
    body = [[r.test, *(r.verdict(m) for m in models), "*" if r.differ else "", _diff_text(r)] for r in shown]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(body)
        return buffer.getvalue()
    table_fmt = "github" if fmt == "markdown" else tablefmt
    from tabulate import tabulate  # only when a table is printed: see cli.common.table_format

    return str(tabulate(body, headers=headers, tablefmt=table_fmt)) + "\n"


# -- state-set inclusion between two tests -------------------------------------------------


@dataclass(frozen=True)
class Inclusion:
    """Whether states(A) ⊆ states(B) over the locations both observe."""

    model: str
    a: str
    b: str
    locations: tuple[str, ...]  # the common observed locations
    included: bool
    extra: tuple[State, ...] = field(default=())  # states of A (projected) that B never reaches
    a_states: tuple[State, ...] = ()
    b_states: tuple[State, ...] = ()

    def text(self) -> str:
        where = ", ".join(self.locations) or "(no common location)"
        head = f"{self.a} {'⊆' if self.included else '⊄'} {self.b} under {self.model} over {where}"
        if self.included:
            return head + f": every one of {len(self.a_states)} states of {self.a} is a state of {self.b}\n"
        lines = [head + f": {len(self.extra)} state(s) of {self.a} not reached by {self.b}:"]
        lines += ["  " + format_state(s) for s in self.extra]
        return "\n".join(lines) + "\n"


def _project(states: Iterable[State], locations: Sequence[str]) -> list[State]:
    out: list[State] = []
    for state in states:
        values = dict(state)
        projected = tuple((loc, values[loc]) for loc in locations)
        if projected not in out:
            out.append(projected)
    return out


def inclusion(a: Result, b: Result) -> Inclusion:
    """states(a) ⊆ states(b) over the observed locations the two results share."""
    locs_b = {loc for s in b.states for loc, _ in s}
    locations: list[str] = []
    for s in a.states:
        for loc, _ in s:
            if loc in locs_b and loc not in locations:
                locations.append(loc)
    pa, pb = _project(a.states, locations), _project(b.states, locations)
    extra = tuple(s for s in pa if s not in pb)
    return Inclusion(a.model, a.test, b.test, tuple(locations), not extra, extra, tuple(pa), tuple(pb))


def check_inclusion(path_a: str, path_b: str, model: str = "sc", timeout: float | None = None) -> Inclusion:
    """Check two litmus files (paths or text) under one model; states(A) ⊆ states(B)?"""
    from litmus.api import check

    (ra,) = check(path_a, [model], timeout)
    (rb,) = check(path_b, [model], timeout)
    for r in (ra, rb):
        if r.observation in (None, "Unknown"):
            raise ValueError(f"{r.test} under {model}: no verdict ({r.error or r.not_meaningful})")
    return inclusion(ra, rb)


__all__ = ["Inclusion", "Row", "StateDiff", "check_inclusion", "compare_results", "format_compare", "inclusion"]
