"""Batch runs: many tests, many models, in parallel worker processes, results in input order.

`run_batch` yields one `Outcome` per file in the order given, as soon as it and every file
before it are done. With one job and no timeout everything runs in this process. Otherwise each
worker process checks one file at a time and sends each (test, model) result as it finishes:

* a worker enforces `--timeout` itself (z3 gets the deadline; Python-side building is cut by
  an interval timer) and reports `Unknown` with the reason;
* the parent kills a worker that has said nothing for the timeout plus a grace period (a hang
  inside native code), reports the models it had not finished as `Unknown`, and starts another;
* Ctrl-C (SIGINT goes to the whole process group; workers ignore it) kills the workers; what
  finished stays available through `Batch.finished`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from litmus.errors import LitmusError
from litmus.result import UNKNOWN, Result

GRACE_S = 2.0  # beyond the timeout, before the parent kills a silent worker


@dataclass(frozen=True)
class Options:
    """What every (test, model) check is asked for."""

    timeout: float | None = None
    skip_checks: tuple[str, ...] = ()
    graph_all: bool = False
    explain: bool = True
    count: bool = True  # herd's States and counts; tables need only the verdict
    list_states: bool = False  # without counts: the final states still (JSON --no-counts)


@dataclass
class Outcome:
    """One file: its results (one per model), or the error that stopped it (rendered, message)."""

    index: int
    path: str
    results: list[Result] = field(default_factory=list)
    error: str | None = None  # rendered for stderr (file:line:col, caret)
    message: str | None = None  # one line, for stand-in results


def default_jobs() -> int:
    """-j's default: every core."""
    return os.cpu_count() or 1


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def _test_name(path: str, text: str | None = None) -> str:
    """A test's name as its first line gives it (`C MP+...`), without parsing the file (it may be
    what could not finish); the file's stem when that line says nothing usable."""
    if text is not None:
        words = text.split("\n", 1)[0].split()
    else:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                words = f.readline().split()
        except OSError:
            words = []
    return words[1] if len(words) > 1 and words[1] != "--" else Path(path).stem


def _unknown(path: str, test: str, model: str, reason: str, elapsed: float = 0.0) -> Result:
    return Result(
        file=path, test=test, model=model, kind="", condition="", observation=UNKNOWN, ok=None,
        error=reason, time_s=elapsed,
    )  # fmt: skip


def unknown_outcome(index: int, path: str, model_names: Sequence[str], reason: str,
                    done: Sequence[Result] = (), text: str | None = None) -> Outcome:  # fmt: skip
    """A file whose check was lost (its worker died or went silent): the models that finished,
    then `Unknown` with the reason for the rest (`text`: the file's, when it is not here)."""
    test = done[0].test if done else _test_name(path, text)
    rest = [_unknown(path, test, m, reason) for m in model_names[len(done):]]
    return Outcome(index, path, list(done) + rest)


def check_one(index: int, path: str, specs: Sequence[Any], options: Options, emit: Any = None,
              text: str | None = None) -> Outcome:  # fmt: skip
    """What a worker does with one file, wherever it runs (a local worker process, the checking
    process beside a Dask worker): every model under its own time limit, a bad file or a bug in
    litmus as its error."""
    try:
        return Outcome(index, path, check_file(path, specs, options, emit, text=text))
    except LitmusError as err:
        return Outcome(index, path, error=err.render(), message=err.message)
    except Exception as exc:  # noqa: BLE001 - a bug in litmus: report it, keep going
        what = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return Outcome(index, path, error=f"{path}: internal error: {what}", message=f"internal error: {what}")


def check_file(path: str, specs: Sequence[Any], options: Options, emit: Any = None,
               per_model: bool = True, text: str | None = None) -> list[Result]:  # fmt: skip
    """Check one file under each model (LitmusError for a bad file); `emit(result)` as each ends.

    With `per_model`, each model runs under its own time limit, so each result can be sent as
    it ends. `text`: the file's contents, read elsewhere (a cluster worker has no copy of the
    file; `path` still names it in messages).
    """
    from litmus import api

    groups = [[spec] for spec in specs] if per_model else [list(specs)]
    results: list[Result] = []
    for group in groups:
        def run(group: list[Any] = group) -> list[Result]:
            settings = dict(
                explain=options.explain, skip_checks=options.skip_checks, graph_all=options.graph_all,
                count=options.count, list_states=options.list_states,
            )  # fmt: skip
            if text is None:
                return api.run_file(path, group, options.timeout, **settings)
            return api.run_test(api.parse_litmus(text, path), group, options.timeout, **settings)

        for r in _limited(run, path, group, options, text):
            results.append(r)
            if emit is not None:
                emit(r)
    return results


def _limited(run: Any, path: str, specs: Sequence[Any], options: Options, text: str | None = None) -> list[Result]:
    """run(), cut by an interval timer shortly after the z3 deadline (Python-side work too)."""
    limit = options.timeout
    armed = limit is not None and hasattr(signal, "setitimer") and _main_thread()
    start = time.perf_counter()
    try:
        if armed:
            signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, limit * len(specs) + 0.25)  # z3 stops first
        return list(run())
    except _Timeout:
        elapsed = time.perf_counter() - start
        test = _test_name(path, text)
        return [_unknown(path, test, spec.name, f"timeout after {elapsed:.2f} s", elapsed) for spec in specs]
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def silent_after(options: Options) -> float | None:
    """How long a worker may say nothing (no result of any model) before it is taken for hung
    in native code, where its own timer cannot reach, and killed."""
    return None if options.timeout is None else options.timeout + GRACE_S + 0.5 * options.timeout


def _worker(conn: Connection, model_names: Sequence[str], options: Options) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    from litmus import api

    specs = [api.load_model(n) for n in model_names]
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, path = task
        try:
            outcome = check_one(index, path, specs, options, emit=lambda r: conn.send(("result", index, r)))
        except KeyboardInterrupt:
            conn.send(("interrupt", index, None, None))
            continue
        if outcome.error is None:
            conn.send(("done", index, None, None))
        else:
            conn.send(("error", index, outcome.error, outcome.message))


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: tuple[int, str] | None = None
    last: float = 0.0


class Batch:
    """Runs files under models with `jobs` processes; iterate to get Outcomes in input order."""

    def __init__(self, files: Sequence[str], model_names: Sequence[str], options: Options,
                 jobs: int | None = None) -> None:  # fmt: skip
        self.files = list(files)
        self.model_names = list(model_names)
        self.options = options
        self.jobs = max(1, min(jobs or default_jobs(), len(self.files) or 1))
        self.finished: dict[int, Outcome] = {}  # done, not yet yielded (after Ctrl-C: unprinted)
        self.done_count = 0

    def __iter__(self) -> Iterator[Outcome]:
        if self.jobs == 1:
            return self._in_process()
        return self._parallel()

    # -- one process
    def _in_process(self) -> Iterator[Outcome]:
        from litmus import api

        specs = [api.load_model(n) for n in self.model_names]
        for index, path in enumerate(self.files):
            try:
                results = check_file(path, specs, self.options, per_model=False)
                outcome = Outcome(index, path, results)
            except LitmusError as err:
                outcome = Outcome(index, path, error=err.render(), message=err.message)
            self.done_count += 1
            yield outcome

    # -- worker processes
    def _spawn(self, ctx: Any) -> _Slot:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child, self.model_names, self.options), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def _parallel(self) -> Iterator[Outcome]:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        slots = [self._spawn(ctx) for _ in range(self.jobs)]
        pending = list(enumerate(self.files))[::-1]
        partial: dict[int, list[Result]] = {}
        next_out = 0
        try:
            while next_out < len(self.files):
                for slot in slots:
                    if slot.task is None and pending:
                        slot.task = pending.pop()
                        slot.last = time.monotonic()
                        partial[slot.task[0]] = []
                        slot.conn.send(slot.task)
                busy = [s for s in slots if s.task is not None]
                ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=0.2)
                now = time.monotonic()
                for k, slot in enumerate(slots):
                    if slot.task is None:
                        continue
                    index, path = slot.task
                    if slot.conn in ready:
                        try:
                            while slot.conn.poll():
                                kind, idx, a, b = _unpack(slot.conn.recv())
                                slot.last = now
                                if kind == "result":
                                    partial[idx].append(a)
                                    continue
                                if kind == "interrupt":
                                    raise KeyboardInterrupt
                                if kind == "done":
                                    self._finish(Outcome(idx, path, partial.pop(idx)))
                                else:
                                    partial.pop(idx, None)
                                    self._finish(Outcome(idx, path, error=a, message=b))
                                slot.task = None
                                break
                        except (EOFError, OSError):
                            pass
                    if slot.task is None:
                        continue
                    dead = not slot.process.is_alive()
                    quiet_limit = silent_after(self.options)
                    silent = quiet_limit is not None and now - slot.last > quiet_limit
                    if dead or silent:
                        reason = (
                            f"timeout after {now - slot.last:.2f} s (worker killed)" if silent and not dead
                            else f"worker process died (exit status {slot.process.exitcode})"
                        )  # fmt: skip
                        self._stop(slot)
                        self._finish(unknown_outcome(index, path, self.model_names, reason, partial.pop(index, [])))
                        slots[k] = self._spawn(ctx)
                while next_out in self.finished:
                    yield self.finished.pop(next_out)
                    next_out += 1
        finally:
            for slot in slots:
                self._stop(slot, graceful=slot.task is None)

    def _finish(self, outcome: Outcome) -> None:
        self.finished[outcome.index] = outcome
        self.done_count += 1

    @staticmethod
    def _stop(slot: _Slot, graceful: bool = False) -> None:
        if graceful and slot.process.is_alive():
            try:
                slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            slot.process.join(timeout=0.5)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join(timeout=2)
        slot.conn.close()


def _unpack(message: tuple) -> tuple[str, int, Any, Any]:
    if message[0] == "result":
        return message[0], message[1], message[2], None
    return message  # type: ignore[return-value]


__all__ = ["Batch", "Options", "Outcome", "check_file", "check_one", "silent_after", "unknown_outcome"]
