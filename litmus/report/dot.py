"""Witness executions as graphviz DOT, in herd7's style.

One cluster per thread with its events top to bottom in program order, labelled like herd
(`a: W[once]x=1`, `b: R x=0`, `c: F[mb]`); init writes hidden as with herd's
`showinitwrites=false` (a read from the initial value gets a small `init` point instead);
edges po (black), rf (red), co (blue), fr (orange), addr/data/ctrl (indigo), rmw (dark
green) and the model's shown relations (grey, dashed). For a forbidden outcome the failing
relation's cycle is drawn bold in magenta, and the caption says which check it violates.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from litmus.report.files import whole_file, write_whole
from litmus.result import Result, State, Witness, WitnessEvent

COLORS = {
    "po": "black", "rf": "red", "co": "blue", "fr": "#ffa040", "addr": "indigo",
    "data": "indigo", "ctrl": "indigo", "rmw": "darkgreen",
}  # fmt: skip
HIGHLIGHT = "magenta"
SHOWN = "gray40"
BASE = set(COLORS)


def event_label(e: WitnessEvent) -> str:
    """herd's label: `a: W[once]x=1`, `b: R x=0`, `c: F[mb]`."""
    annot = f"[{e.annot}]" if e.annot else ("" if e.kind == "F" else " ")
    below = f"\n{e.instruction}" if e.instruction else ""
    if e.kind == "F":
        return f"{e.label}: F{annot}{below}"
    if e.kind not in ("R", "W"):  # herd's register events and branch commits (catdep models)
        return f"{e.label}: {e.kind}{annot.rstrip()}{below}"
    loc = e.location if e.location is not None else "?"
    value = f"={e.value}" if e.value is not None else ""
    return f"{e.label}: {e.kind}{annot}{loc}{value}{below}"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _base_name(name: str) -> str:
    """rfe -> rf, coi -> co, fre -> fr, rf^-1 -> rf; anything else unchanged."""
    name = name.removesuffix("^-1")
    if name[:2] in ("rf", "co", "fr") and len(name) == 3 and name[2] in "ei":
        return name[:2]
    return name


def witness_dot(witness: Witness, title: str = "", show_init: bool = False,
                name: str = "witness") -> str:  # fmt: skip
    """The DOT text of one witness execution."""
    events = {e.id: e for e in witness.events}
    rels = {n: list(pairs) for n, pairs in witness.relations}
    init = {e.id for e in witness.events if e.thread < 0}
    shown = set() if show_init else init
    po = rels.get("po", [])
    threads: dict[int, list[int]] = {}
    for e in witness.events:
        if e.thread >= 0:
            threads.setdefault(e.thread, []).append(e.id)
    before = {eid: sum(1 for (i, j) in po if j == eid) for eid in events}
    lines = [f"digraph {_q(name)} {{", "  rankdir=TB; newrank=true; splines=true;",
             '  node [shape=none, fontname="Helvetica", fontsize=12];',
             '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.8];']  # fmt: skip
    caption = witness.caption or title
    if title and witness.caption:
        caption = f"{title}\n{witness.caption}"
    if caption:
        lines.append(f"  label={_q(caption)}; labelloc=b; fontname=\"Helvetica\";")
    cycle = set(witness.cycle)
    if show_init and init:
        lines.append('  subgraph cluster_init { label="init"; style=dotted;')
        for eid in sorted(init):
            lines.append(f"    e{eid} [label={_q(event_label(events[eid]))}];")
        lines.append("  }")
    chains: list[list[int]] = []
    for thread in sorted(threads):
        order = sorted(threads[thread], key=lambda i: (before[i], i))
        chains.append(order)
        lines.append(f'  subgraph cluster_P{thread} {{ label="P{thread}"; style=rounded; color=gray70; labelloc=t;')
        for eid in order:
            extra = ", fontcolor=magenta, fontname=\"Helvetica-Bold\"" if eid in cycle else ""
            lines.append(f"    e{eid} [label={_q(event_label(events[eid]))}{extra}];")
        lines.append("  }")
    forward = set(po)  # same thread, downwards: edges may constrain the layout
    hl: dict[tuple[str, int, int], bool] = {}
    for rel, i, j in witness.highlight:
        hl[(_base_name(rel), i, j)] = False

    def edge(rel: str, i: int, j: int, color: str, extra: str = "") -> None:
        key = (rel, i, j)
        style = extra
        if key in hl:
            hl[key] = True
            style += f", penwidth=3, color={_q(HIGHLIGHT)}, fontcolor={_q(HIGHLIGHT)}"
        else:
            style = f", color={_q(color)}, fontcolor={_q(color)}" + style
        src = f"e{i}" if i not in shown else f"init{j}"
        if (i, j) in forward or i in shown:  # graphviz's ranking trips on these unconstrained
            style = style.replace(", constraint=false", "")
        lines.append(f"  {src} -> e{j} [label={_q(rel)}{style}];")

    for order in chains:  # po: immediate successors only
        for i, j in zip(order, order[1:]):
            edge("po", i, j, COLORS["po"], ", weight=10")
    # po pairs to highlight that are not immediate: drawn as extra edges below
    for i, j in rels.get("rf", []):
        if i in shown:
            lines.append(f'  init{j} [shape=point, width=0.08, label="", xlabel="init"];')
        edge("rf", i, j, COLORS["rf"], ", constraint=false")
    co = rels.get("co", [])
    succ: dict[int, set[int]] = {}
    for i, j in co:
        succ.setdefault(i, set()).add(j)
    for i, j in co:  # immediate co only, none from hidden init writes
        if i in shown or j in shown:
            continue
        if any(j in succ.get(k, ()) for k in succ.get(i, ()) if k != j):
            continue
        edge("co", i, j, COLORS["co"], ", constraint=false")
    rf_src = {r: w for w, r in rels.get("rf", [])}
    for r, w in rels.get("fr", []):  # fr to the co-immediate successor of the read's source
        src = rf_src.get(r)
        if src is not None and any(w in succ.get(k, ()) for k in succ.get(src, ()) if k != w):
            if (("fr", r, w) not in hl):
                continue
        if w in shown:
            continue
        edge("fr", r, w, COLORS["fr"], ", constraint=false")
    for rel in ("addr", "data", "ctrl", "rmw"):
        for i, j in rels.get(rel, []):
            edge(rel, i, j, COLORS[rel], ", constraint=false")
    for rel, pairs in rels.items():  # the model's shown relations
        if rel in BASE:
            continue
        for i, j in pairs:
            if i in events and j in events and i not in shown and j not in shown:
                edge(rel, i, j, SHOWN, ", style=dashed, constraint=false")
    for (rel, i, j), drawn in hl.items():  # cycle steps not drawn yet (e.g. po across events)
        if drawn:
            continue
        if i in shown:
            lines.append(f'  init{j} [shape=point, width=0.08, label="", xlabel="init"];')
        src = f"e{i}" if i not in shown else f"init{j}"
        dst = f"e{j}" if j not in shown else f"e{i}"
        free = "" if (i, j) in forward or i in shown else ", constraint=false"
        lines.append(
            f"  {src} -> {dst} [label={_q(rel)}, penwidth=3, color={_q(HIGHLIGHT)}, "
            f"fontcolor={_q(HIGHLIGHT)}{free}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _state_text(state: State) -> str:
    return " ".join(f"{loc}={val};" for loc, val in state)


def result_dot(result: Result, state: State | None = None, show_init: bool = False) -> str | None:
    """DOT of the result's witness (of a given final state with --graph-all witnesses), or of
    its forbidden candidate execution for a Never verdict; None when there is none."""
    if state is not None:
        for w in result.state_witnesses:
            if w.state == state:
                return witness_dot(w, f"{result.test} under {result.model}: {_state_text(state)}",
                                   show_init, result.test)  # fmt: skip
        return None
    if result.observation == "Never" and result.counterexample is not None:
        title = f"{result.test} under {result.model}: forbidden"
        return witness_dot(result.counterexample, title, show_init, result.test)
    if result.witness is not None:
        title = f"{result.test} under {result.model}: {_state_text(result.witness.state)}"
        return witness_dot(result.witness, title, show_init, result.test)
    if result.example is not None:
        title = f"{result.test} under {result.model}: {_state_text(result.example.state)}"
        return witness_dot(result.example, title, show_init, result.test)
    if result.counterexample is not None:
        title = f"{result.test} under {result.model}: forbidden"
        return witness_dot(result.counterexample, title, show_init, result.test)
    return None


def have_graphviz() -> bool:
    return shutil.which("dot") is not None


def render(dot: str, fmt: str = "svg") -> str | None:
    """Run graphviz's `dot -T<fmt>`; the output as text (svg) or None without graphviz."""
    if not have_graphviz():
        return None
    done = subprocess.run(["dot", f"-T{fmt}"], input=dot.encode(), capture_output=True, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def write_graph(dot: str, base: Path, formats: Sequence[str] = ("svg", "png")) -> list[Path]:
    """Write base.dot, and base.svg/base.png when graphviz is installed; the files written."""
    base.parent.mkdir(parents=True, exist_ok=True)
    out = [base.with_name(base.name + ".dot")]
    write_whole(out[0], dot)  # each file whole or absent, even if the run is stopped here
    if have_graphviz():
        for fmt in formats:
            target = base.with_name(base.name + "." + fmt)
            with whole_file(target) as temporary:
                done = subprocess.run(["dot", f"-T{fmt}", "-o", str(temporary)], input=dot.encode(),
                                      capture_output=True, check=False)  # fmt: skip
                if done.returncode != 0:  # graphviz failed: no file
                    temporary.unlink()
            if done.returncode == 0:
                out.append(target)
    return out


def result_html(result: Result) -> str:
    """Jupyter's view: the verdict, the states, and the graph (SVG, or the DOT without graphviz)."""
    head = f"<b>{html.escape(result.test)}</b> under <b>{html.escape(result.model)}</b>: "
    head += html.escape(result.observation or result.not_meaningful or result.error or "no verdict")
    parts = [f"<div>{head}</div>"]
    if result.states:
        items = "".join(f"<li><code>{html.escape(_state_text(s))}</code></li>" for s in result.states)
        parts.append(f"<ul>{items}</ul>")
    if result.cycle:
        parts.append(f"<div><code>{html.escape(result.cycle)}</code></div>")
    dot = result_dot(result)
    if dot is not None:
        svg = render(dot, "svg")
        parts.append(svg if svg is not None else f"<pre>{html.escape(dot)}</pre>")
    return "\n".join(parts)


def result_svg(result: Result) -> str | None:
    """The witness graph as SVG (None without graphviz or without an execution to show)."""
    dot = result_dot(result)
    return render(dot, "svg") if dot is not None else None


def register_notebook_display() -> None:
    """In IPython/Jupyter, show a Result as its verdict, states and graph (a no-op elsewhere)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(Result, result_html)


def graph_files(result: Result, folder: Path, all_states: bool = False) -> list[tuple[str, str]]:
    """(file stem, DOT) pairs for --graph / --graph-all: `<test>.<model>` and, per state,
    `<test>.<model>.<n>` in `states` order."""
    stem = f"{result.test}.{result.model}"
    out: list[tuple[str, str]] = []
    dot = result_dot(result)
    if dot is not None:
        out.append((stem, dot))
    if all_states:
        for n, w in enumerate(result.state_witnesses, start=1):
            title = f"{result.test} under {result.model}: {_state_text(w.state)}"
            out.append((f"{stem}.{n}", witness_dot(w, title, name=result.test)))
    return out


__all__ = ["event_label", "graph_files", "have_graphviz", "register_notebook_display", "render", "result_dot",
           "result_html", "result_svg", "witness_dot", "write_graph"]  # fmt: skip
