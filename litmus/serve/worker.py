"""One request, run inside a worker process: load its models, read its test (or expand its
scenario into tests), check each (test, model) within what is left of the request's time, and
send each result the moment it ends. z3 gets the deadline itself; an interval timer cuts the
Python-side work (lowering, building, explaining) shortly after; a worker that neither can stop
(a hang in native code) is the pool's to kill.

Messages to the parent, in order: ("plan", [(file, test)]) once the tests are known, then
("result", Result, None) per test and model, then, when graphs were asked for, ("graph", n,
graph) for the n-th result (drawn with the time the checks left), then ("done",); or ("error",
body, status) for a request that cannot run (a located error in the test or in an uploaded
model)."""

from __future__ import annotations

import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any

from litmus import api
from litmus.arch import parse_litmus
from litmus.errors import LitmusError
from litmus.report.dot import have_graphviz, render, result_dot
from litmus.result import UNKNOWN, Result
from litmus.scenario.expand import expand
from litmus.scenario.parser import parse_scenario
from litmus.serve.request import MAX_TESTS, CheckRequest, RequestError, located_error

CUT_S = 0.25  # the interval timer fires this long after z3's deadline, so z3 stops first
NO_GRAPHVIZ = ("graphviz's `dot` is not installed on the server, so here is the graph as DOT text "
               "(render it with `dot -Tsvg`, or install graphviz and restart `litmus serve`)")  # fmt: skip

NO_TIME_TO_DRAW = "the request's time ran out before this graph was drawn, so here is its DOT text"

Send = Callable[[tuple[Any, ...]], None]


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def unknown(file: str, test: str, model: str, reason: str, elapsed: float = 0.0) -> Result:
    """A (test, model) with no verdict because time ran out, as `--timeout` reports it."""
    return Result(file=file, test=test, model=model, kind="", condition="", observation=UNKNOWN, ok=None,
                  error=reason, time_s=elapsed)  # fmt: skip


def first_line_name(text: str | None, filename: str) -> str:
    """The test's name as its first line gives it (`C MP+...`), without parsing what may be the
    very thing that could not finish; the file's stem otherwise."""
    words = (text or "").lstrip().split("\n", 1)[0].split()
    if len(words) > 1 and not filename.endswith(".pb"):
        return words[1]
    return PurePosixPath(filename).stem


def graph_view(result: Result, deadline: float | None = None) -> dict[str, str | None] | None:
    """The result's witness graph: its DOT, and SVG when graphviz is installed and there is time
    before `deadline` (in a worker) to draw it; otherwise a note saying why not."""
    dot = result_dot(result)
    if dot is None:
        return None
    if not have_graphviz():
        return {"dot": dot, "svg": None, "note": NO_GRAPHVIZ}
    if deadline is None:
        svg = render(dot, "svg")
    elif deadline <= time.monotonic():
        return {"dot": dot, "svg": None, "note": NO_TIME_TO_DRAW}
    else:
        try:
            with _time_limit(deadline - time.monotonic()):
                svg = render(dot, "svg")
        except _Timeout:
            return {"dot": dot, "svg": None, "note": NO_TIME_TO_DRAW}
    if svg is None:
        return {"dot": dot, "svg": None, "note": "graphviz's `dot` could not draw this graph, so here is its DOT text"}
    return {"dot": dot, "svg": svg, "note": None}


def load_models(request: CheckRequest) -> list[Any]:
    uploads = dict(request.uploads)
    return [api.load_model(name) if name in api.BUILTIN_MODELS else api.model_from_text(name, uploads)
            for name in request.models]  # fmt: skip


def read_tests(request: CheckRequest) -> list[Any]:
    """The request's test, or its scenario's family (each labelled `<scenario>/<test>.litmus`)."""
    assert request.test is not None
    if not request.scenario:
        return [parse_litmus(request.test, request.filename)]
    family = expand(parse_scenario(request.test, request.filename))
    if len(family) > MAX_TESTS:
        raise RequestError(413, f"the scenario expands to {len(family)} tests; the server runs at most "
                           f"{MAX_TESTS} per request (use `litmus check` on your machine)")  # fmt: skip
    folder = request.filename.removesuffix(".pb")
    return [parse_litmus(t.text, f"{folder}/{t.name}.litmus") for t in family]


def run_request(request: CheckRequest, send: Send) -> None:
    """Answer one request through `send` (see the module's message list)."""
    start = time.monotonic()
    deadline = start + request.timeout
    labels = [request.model_label(name) for name in request.models]
    try:
        with _time_limit(request.timeout + CUT_S):
            specs = load_models(request)
            tests = read_tests(request) if request.test is not None else []
    except LitmusError as err:
        send(("error", located_error(err).body(), 422))
        return
    except RequestError as err:
        send(("error", err.body(), err.status))
        return
    except _Timeout:
        name = first_line_name(request.test, request.filename)
        send(("plan", [(request.filename, name)]))
        reason = f"timeout after {time.monotonic() - start:.2f} s (still reading the test)"
        for label in labels:
            send(("result", unknown(request.filename, name, label, reason), None))
        send(("done",))
        return
    send(("plan", [(t.path, t.name) for t in tests]))
    results = []
    for test in tests:
        for spec in specs:
            result = _check_one(request, test, spec, deadline)
            if isinstance(result, LitmusError):
                send(("error", located_error(result).body(), 422))
                return
            send(("result", result, None))
            results.append(result)
    if request.graphs:  # verdicts first: graphs are drawn with the time the checks left over
        for index, result in enumerate(results):
            graph = graph_view(result, deadline)
            if graph is not None:
                send(("graph", index, graph))
    send(("done",))


def _check_one(request: CheckRequest, test: Any, spec: Any, deadline: float) -> Result | LitmusError:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        reason = f"timeout: the request's {request.timeout:g} s were used up"
        return unknown(test.path, test.name, spec.name, reason)
    started = time.monotonic()
    try:
        with _time_limit(remaining + CUT_S):
            (result,) = api.run_test(test, [spec], remaining)
    except LitmusError as err:  # the test itself is wrong (raised before any verdict)
        return err
    except _Timeout:
        elapsed = time.monotonic() - started
        return unknown(test.path, test.name, spec.name, f"timeout after {elapsed:.2f} s", elapsed)
    return result


def serve_requests(conn: Any) -> None:
    """A worker process's loop: one CheckRequest at a time from `conn` until None or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGALRM, _on_alarm)
    api.one_core()  # requests run side by side, on the other workers' cores
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            run_request(request, conn.send)
        except Exception as exc:  # noqa: BLE001 - a bug in litmus: answer it, keep serving
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            conn.send(("error", RequestError(500, f"internal error: {text}").body(), 500))
