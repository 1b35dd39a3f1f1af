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
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
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
    memory_limit_mb: int | None = None  # address space of each worker process (RLIMIT_AS)


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


def default_memory_limit(jobs: int) -> int:
    """--memory-limit's default, in MB: an equal share of the machine's memory per worker, at
    most 4 GB."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
    except (ValueError, OSError, AttributeError):
        return 4096
    return max(256, min(4096, total_mb // max(1, jobs)))


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

        _reset_peak_rss()
        _fresh_z3_context()
        try:
            done = _limited(run, path, group, options, text)
        except Exception as exc:
            if not _out_of_memory(exc, options.memory_limit_mb):
                raise
            done = []  # the rows are made below, once the traceback (and what filled memory) is gone
        if not done:
            _worker_state["exhausted"] = True
            limit = f"the {options.memory_limit_mb} MB limit" if options.memory_limit_mb else "the machine's memory"
            done = [_unknown(path, _test_name(path, text), spec.name, f"memory: over {limit}") for spec in group]
        peak = _peak_rss_mb()
        for r in done:
            r = replace(r, max_rss_mb=peak)
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
            _quiet_half_built_z3()
            signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, limit * len(specs) + 0.25)  # z3 stops first
        return list(run())
    except Exception as exc:
        if not _cut_by_timer(exc):
            raise
        elapsed = time.perf_counter() - start
        test = _test_name(path, text)
        return [_unknown(path, test, spec.name, f"timeout after {elapsed:.2f} s", elapsed) for spec in specs]
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _cut_by_timer(exc: BaseException) -> bool:
    """The timer's _Timeout, also as ctypes reports it when it lands while z3's wrapper converts
    an argument (`ctypes.ArgumentError: argument 2: _Timeout`)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _Timeout) or type(seen).__name__ == "ArgumentError" and "_Timeout" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _quiet_half_built_z3() -> None:
    """The timer can cut a z3 object's constructor before it has its context; the finalizer of
    that half-built object then fails, harmlessly, and Python would print its traceback on
    stderr. Such failures (z3's own finalizers only) are dropped. The timer can also fire inside
    some finalizer, which swallows the timeout (printing it): it fires again at once instead."""
    previous = sys.unraisablehook
    if getattr(previous, "drops_z3_finalizers", False):
        return

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is _Timeout:
            signal.setitimer(signal.ITIMER_REAL, 0.01)  # raised where it can stop the check
        elif not str(getattr(unraisable.object, "__module__", "")).startswith("z3"):
            previous(unraisable)

    hook.drops_z3_finalizers = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


# What a worker learns while checking: memory ran out once (its z3 state is then not trusted:
# the worker is replaced once it has sent the file's results)
_worker_state = {"exhausted": False}


def memory_exhausted() -> bool:
    """Whether memory ran out in this process while it checked: a worker that says so is
    replaced once it has sent that file's results."""
    return _worker_state["exhausted"]


def _out_of_memory(exc: BaseException, limit_mb: int | None) -> bool:
    """Python's MemoryError, z3 saying so, or any failure once this process's address space
    has come close to its limit: z3 answers an allocation that failed with `unknown`, and
    what follows (no model to read) would otherwise pass for a bug in litmus."""
    if isinstance(exc, MemoryError) or type(exc).__module__.startswith("z3") and "memory" in str(exc).lower():
        return True
    try:
        peak = _status_mb("VmPeak")
    except MemoryError:  # not even room to read it
        return True
    return limit_mb is not None and peak is not None and peak >= 0.9 * limit_mb


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space (a worker's, before it checks anything): past it an
    allocation fails (MemoryError, z3's out of memory) instead of the machine swapping."""
    if megabytes is None:
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = megabytes << 20
    resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _reset_peak_rss() -> None:
    """Start a new peak of resident memory for this process (Linux: /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # no reset: the peak stays the process's peak since it started


def _status_mb(field: str) -> float | None:
    """A memory figure of /proc/self/status (VmHWM, VmPeak ...) in MB; None where there is none."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory since the last reset, in MB (VmHWM; else getrusage's
    maximum over the process's life)."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    except (ImportError, OSError):
        return None


def _fresh_z3_context() -> None:
    """Check each (test, model) in a new z3 context: the terms z3 has made before (other models,
    files this process checked earlier) change the order it explores, and so which execution
    explains a Never verdict. With a fresh context the output depends on the test and the model
    alone, whatever -j is."""
    import z3

    z3.z3._main_ctx = None  # z3.main_ctx() makes the next one; the old one goes with its last term


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def silent_after(options: Options) -> float | None:
    """How long a worker may say nothing (no result of any model) before it is taken for hung
    in native code, where its own timer cannot reach, and killed."""
    return None if options.timeout is None else options.timeout + GRACE_S + 0.5 * options.timeout


def _worker(conn: Connection, model_names: Sequence[str], options: Options, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # and what a SIGTERM to the process group does
    die_with_parent(parent)
    from litmus import api

    # the other workers have the other cores; a lone worker runs under a memory limit, which
    # a helper process would get round
    api.one_core()

    specs = [api.load_model(n) for n in model_names]
    limit_memory(options.memory_limit_mb)
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
        if _worker_state["exhausted"]:  # said first, so that the parent sends nothing more here
            conn.send(("retire", index, None, None))
        if outcome.error is None:
            conn.send(("done", index, None, None))
        else:
            conn.send(("error", index, outcome.error, outcome.message))
        if _worker_state["exhausted"]:
            return


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: tuple[int, str] | None = None
    last: float = 0.0
    retiring: bool = False  # its memory ran out once: replace it when its file is done


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
        if self.jobs == 1 and self.options.memory_limit_mb is None:  # a limit needs a worker to bound
            return self._in_process()
        return self._parallel()

    # -- one process
    def _in_process(self) -> Iterator[Outcome]:
        from litmus import api

        specs = [api.load_model(n) for n in self.model_names]
        for index, path in enumerate(self.files):
            outcome = check_one(index, path, specs, self.options)  # as a worker does: a bug is that file's error
            self.done_count += 1
            yield outcome

    # -- worker processes
    def _spawn(self, ctx: Any) -> _Slot:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child, self.model_names, self.options, os.getpid()), daemon=True)
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
                for k, slot in enumerate(slots):
                    if slot.task is None and pending:
                        if not slot.process.is_alive():  # it died between two files
                            self._stop(slot)
                            slots[k] = slot = self._spawn(ctx)
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
                        self._read(slot, partial, now)
                    dead = slot.task is not None and not slot.process.is_alive()
                    if dead:  # what it sent before it died counts: read it all first
                        self._read(slot, partial, now)
                    if slot.task is None:
                        if slot.retiring:
                            self._stop(slot, graceful=True)
                            slots[k] = self._spawn(ctx)
                        continue
                    quiet_limit = silent_after(self.options)
                    silent = quiet_limit is not None and now - slot.last > quiet_limit
                    if dead or silent:
                        reason = (
                            f"timeout after {now - slot.last:.2f} s (worker killed)" if silent and not dead
                            else _crash_reason(slot.process.exitcode)
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

    def _read(self, slot: _Slot, partial: dict[int, list[Result]], now: float) -> None:
        """Take what the worker has sent: results as they come, then its file's end."""
        assert slot.task is not None
        path = slot.task[1]
        try:
            while slot.conn.poll():
                kind, idx, a, b = _unpack(slot.conn.recv())
                slot.last = now
                if kind == "result":
                    partial[idx].append(a)
                    continue
                if kind == "interrupt":
                    raise KeyboardInterrupt
                if kind == "retire":
                    slot.retiring = True
                    continue
                if kind == "done":
                    self._finish(Outcome(idx, path, partial.pop(idx)))
                else:
                    partial.pop(idx, None)
                    self._finish(Outcome(idx, path, error=a, message=b))
                slot.task = None
                return
        except (EOFError, OSError):
            pass

    def _finish(self, outcome: Outcome) -> None:
        self.finished[outcome.index] = outcome
        self.done_count += 1

    @staticmethod
    def _stop(slot: _Slot, graceful: bool = False) -> None:
        stop_process(slot.process, slot.conn, graceful)


def stop_process(process: Any, conn: Connection, graceful: bool = False, grace_s: float = 0.5) -> None:
    """Stop a worker process: asked to (a None on its connection) and given `grace_s` when
    `graceful`, else (or then) killed; its connection closed."""
    if graceful and process.is_alive():
        try:
            conn.send(None)
        except OSError:  # BrokenPipeError among them
            pass
        process.join(timeout=grace_s)
    if process.is_alive():
        process.kill()
        process.join(timeout=2)
    conn.close()


def die_with_parent(parent: int | None = None) -> None:
    """A worker whose parent is killed outright (SIGKILL: no chance to stop it) goes too, rather
    than finish its file for nobody (Linux's PR_SET_PDEATHSIG; elsewhere it ends at its next recv).
    `parent`: the pid that started it, if known; killed before this ran, it would never say."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was asked for


def _crash_reason(exitcode: int | None) -> str:
    """`worker crashed (killed by SIGKILL)`: why a worker process ended without a word."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"worker crashed (killed by {signal.Signals(-exitcode).name})"
        except ValueError:
            return f"worker crashed (killed by signal {-exitcode})"
    return f"worker crashed (exit status {exitcode})"


def _unpack(message: tuple) -> tuple[str, int, Any, Any]:
    if message[0] == "result":
        return message[0], message[1], message[2], None
    return message  # type: ignore[return-value]


__all__ = [
    "Batch", "Options", "Outcome", "check_file", "check_one", "die_with_parent", "limit_memory", "memory_exhausted",
    "silent_after", "unknown_outcome",
]
