"""--cluster ADDRESS: the checks of `batch.py`, as tasks on a Dask distributed scheduler.

`ClusterBatch` is a drop-in for `batch.Batch`: iterate it to get one `Outcome` per file in input
order, as soon as it and every file before it are done; `finished` and `done_count` as there.

* ADDRESS is an existing scheduler (`tcp://host:8786`) or `local:N`, a `LocalCluster` of N
  worker processes with one thread each, started for the run and closed at its end.
* Workers need no shared file system: this process reads each test file and sends its text with
  its path (for messages); a built-in model goes by name, any other as the text of every file it
  reads (the .cat or .cfg's files, the files they include as this process resolves them).
* A task checks its files with `batch.check_one`, the local worker's own code, in a checking
  process beside the Dask worker (z3 is not safe on a worker's thread, see `_Checker`): every
  model under its own deadline (`--timeout` -> `Unknown`), a bad file as its error, a check
  silent for far longer than the deadline killed and `Unknown`, as with `-j`.
* A worker lost mid-task (killed, out of memory) costs the task one more run elsewhere; a second
  loss makes its rows `Unknown` (`worker lost`), or, for a task of several files, splits it: each
  file then gets two tries of its own, so one bad file does not take its neighbours with it. For
  a lost worker that count is the scheduler's `allowed-failures` setting: a local cluster gets
  1, a scheduler of your own keeps its own; a lost checking process is the task's failure,
  retried once.
* Ctrl-C cancels what is queued or running on the cluster; `finished` keeps what came back.

dask is imported only here, and only once a cluster is asked for: the core install has none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multiprocessing.connection import Connection

from litmus.batch import (
    Options, Outcome, check_one, die_with_parent, limit_memory, memory_exhausted, silent_after, unknown_outcome,
)  # fmt: skip
from litmus.errors import LitmusError, Span

if TYPE_CHECKING:
    from litmus.cat import ast as cat_ast
    from litmus.engine.model import ModelSpec

LOCAL = "local:"
CONNECT_TIMEOUT_S = 5.0  # an unreachable scheduler is reported after this, before any work
LOCAL_SETTINGS: dict[str, Any] = {
    # a task that loses its worker runs once more; lost again, its rows say so
    "distributed.scheduler.allowed-failures": 1,
    # a worker holds only the task it runs: one queued behind it would count as lost too when a
    # test kills the worker, and could be reported lost without ever having run
    "distributed.scheduler.worker-saturation": 1.0,
    # no dashboard here: its profiler samples every worker thread 100 times a second, and its
    # event-loop and system monitors run 50 and 2 times a second in every process
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
LOCAL_CLUSTER: dict[str, Any] = {
    # no dashboard; the scheduler's HTTP server (health, metrics) on a free port of this machine,
    # not on 8787, which another cluster may hold
    "dashboard_address": None, "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
    # our rows say what was lost; dask's own log lines about it would only repeat it
    "silence_logs": logging.CRITICAL,
}
if "forkserver" in multiprocessing.get_all_start_methods():
    # workers forked from one server process that imported dask once: quicker to start than
    # fresh interpreters, quicker to stop, and no fork of this multi-threaded process
    LOCAL_SETTINGS["distributed.worker.multiprocessing-method"] = "forkserver"
# A task costs the client, scheduler and worker some milliseconds whatever it does, as much as a
# small test's check (bench/cluster.py): a task takes a few files, but no fewer than
# TASKS_PER_THREAD tasks per worker thread, so that the last ones still spread over the workers.
MAX_FILES_PER_TASK = 8
TASKS_PER_THREAD = 4
IN_FLIGHT_PER_THREAD = 4  # tasks sent per worker thread: enough to keep it busy, few to cancel
MIN_IN_FLIGHT = 32
MISSING_EXTRA = "--cluster needs the cluster extra: pip install 'litmus[cluster]'"


class ClusterError(Exception):
    """The cluster cannot be used: dask is not installed, or the scheduler is out of reach."""


def parse_address(text: str) -> int | None:
    """`local:N` -> N (workers to start), a scheduler's address -> None; ValueError if neither."""
    if text.startswith(LOCAL):
        count = text[len(LOCAL):]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"{text!r}: local:N needs a whole number of workers, at least 1")
        return int(count)
    if "://" not in text or text.endswith("://"):
        raise ValueError(f"{text!r}: expected a scheduler address (tcp://HOST:PORT) or local:N")
    return None


# -- models as text


@dataclass(frozen=True)
class ShippedModel:
    """A model as a worker rebuilds it: a built-in by name; any other as its files' text."""

    name: str
    settings: tuple[tuple[str, Any], ...] = ()  # the ModelSpec's plain fields (name, target, ...)
    texts: tuple[tuple[str, str, str], ...] = ()  # (role, path, text): model, stdlib, bell, macros
    includes: tuple[tuple[str, str, str], ...] = ()  # (name in `include "..."`, path, text)
    unresolved: tuple[tuple[str, str, str | None, Span | None, str | None], ...] = ()  # name, error

    @property
    def spec_name(self) -> str:
        """The name its results carry (a .cat or .cfg file's stem)."""
        return str(dict(self.settings).get("name", self.name))


_PARSED = ("model", "stdlib", "bell", "macros", "loader")  # ModelSpec fields rebuilt from text


def ship_model(name: str, spec: ModelSpec) -> ShippedModel:
    """The model `name` (loaded here as `spec`) as text, for a worker without our files."""
    from litmus import api

    if name in api.BUILTIN_MODELS:
        return ShippedModel(name)
    settings = tuple((f.name, getattr(spec, f.name)) for f in dataclasses.fields(spec) if f.name not in _PARSED)
    texts = [(role, m.path, m.source) for role in ("model", "stdlib", "bell") if (m := getattr(spec, role)) is not None]
    if spec.macros is not None:
        try:
            texts.append(("macros", spec.macros.path, Path(spec.macros.path).read_text()))
        except OSError as err:
            raise ClusterError(f"cannot read macro file {spec.macros.path}: {err.strerror}") from None
    includes, unresolved = _resolve_includes(spec)
    return ShippedModel(name, settings, tuple(texts), includes, unresolved)


def _resolve_includes(spec: ModelSpec) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Every file the model's `include`s name, found as the model's own loader finds them (an
    include name resolves the same way wherever it appears), and the errors of those it cannot
    find, to be raised on the worker where and when they would be here."""
    found: dict[str, tuple[str, str, str]] = {}
    failed: dict[str, tuple[str, str, str | None, Span | None, str | None]] = {}
    todo: list[cat_ast.Model] = [m for m in (spec.stdlib, spec.bell, spec.model) if m is not None]
    while todo:
        for include in _includes(todo.pop()):
            name = include.filename
            if name in found or name in failed:
                continue
            try:
                model = spec.loader(name, include.span)
            except LitmusError as err:
                failed[name] = (name, err.message, err.path, err.span, err.source)
                continue
            found[name] = (name, model.path, model.source)
            todo.append(model)
    return tuple(found.values()), tuple(failed.values())


def _includes(model: cat_ast.Model) -> Iterator[cat_ast.Include]:
    """The include statements anywhere in a model (also inside if/match/procedure bodies)."""
    from litmus.cat import ast as cat_ast

    stack: list[Any] = [model]
    while stack:  # a stack, not recursion: expressions can nest deeper than Python's limit
        node = stack.pop()
        if isinstance(node, cat_ast.Include):
            yield node
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))


class _ShippedIncludes:
    """A worker's model loader: the included files as the client resolved them."""

    def __init__(self, models: dict[str, cat_ast.Model], unresolved: dict[str, tuple[Any, ...]]) -> None:
        self.models = models
        self.unresolved = unresolved

    def __call__(self, filename: str, span: Span | None) -> cat_ast.Model:
        if filename in self.models:
            return self.models[filename]
        _, message, path, where, source = self.unresolved.get(
            filename, (filename, f"cannot find included model file '{filename}'", None, None, None)
        )
        # an error inside the included file keeps its own place; "cannot find" points at this include
        raise LitmusError(message, path, where if path is not None else span, source)


def _rebuild(shipped: ShippedModel) -> ModelSpec:
    from litmus import api
    from litmus.cat.parser import parse_cat
    from litmus.engine.model import ModelSpec
    from litmus.syntax.macros import parse_macros

    if not shipped.texts:
        return api.load_model(shipped.name)
    parsed = {
        role: parse_macros(text, path) if role == "macros" else parse_cat(text, path)
        for role, path, text in shipped.texts
    }  # fmt: skip
    loader = _ShippedIncludes(
        {name: parse_cat(text, path) for name, path, text in shipped.includes},
        {entry[0]: entry for entry in shipped.unresolved},
    )  # fmt: skip
    return ModelSpec(
        **dict(shipped.settings), model=parsed["model"], stdlib=parsed["stdlib"], bell=parsed.get("bell"),
        macros=parsed.get("macros"), loader=loader,
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _worker_specs(models: tuple[ShippedModel, ...]) -> list[ModelSpec]:
    """Each worker process parses a run's models once."""
    return [_rebuild(m) for m in models]


# -- the task


class CheckerLost(Exception):
    """The checking process died mid-task (killed, out of memory): the task fails, so that Dask
    runs it once more."""


def check_files(models: tuple[ShippedModel, ...], options: Options,
                files: tuple[tuple[int, str, str], ...]) -> list[Outcome]:  # fmt: skip
    """What a Dask worker runs: each (index, path, text) under every model, in a checking process
    of its own beside the worker (one per task running at once, kept between tasks)."""
    with _idle_lock:
        checker = _idle.pop() if _idle else None
    if checker is not None and checker.process.poll() is not None:  # died while idle
        checker.stop()
        checker = None
    if checker is None:
        checker = _Checker()
    try:
        outcomes = checker.run(models, options, files)
    except BaseException:
        checker.stop()
        raise
    with _idle_lock:
        _idle.append(checker)
    return outcomes


_idle: list[_Checker] = []  # this Dask worker's checking processes between tasks
_idle_lock = threading.Lock()


class _Checker:
    """A process that checks files for a Dask worker, on its main thread. z3 cannot run on a
    worker thread: a garbage collection started by one of the worker's other threads runs z3's
    finalizers while a z3 call in the task's thread has released the GIL, and corrupts z3's
    memory. On its own main thread, the check also gets its deadline as a local worker does."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        here, there = socket.socketpair()
        # a Dask nanny sets MALLOC_TRIM_THRESHOLD_ low for its workers' memory; z3 under it runs
        # half again as long (bench/README.md)
        environment = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from litmus.cluster import serve_checks; serve_checks()", str(there.fileno())],
            pass_fds=(there.fileno(),), stdin=subprocess.DEVNULL, env=environment,
        )  # fmt: skip
        there.close()
        self.conn = Connection(here.detach())

    def run(self, models: tuple[ShippedModel, ...], options: Options,
            files: tuple[tuple[int, str, str], ...]) -> list[Outcome]:  # fmt: skip
        names = [m.spec_name for m in models]
        # one answer per file, so a file may be silent for its models' limits together (the
        # answer of a killed one is lost: all its models are Unknown)
        per_model = silent_after(options)
        quiet_limit = None if per_model is None else per_model * len(models)
        outcomes: list[Outcome] = []
        todo = list(files)
        while todo:
            try:
                self.conn.send((models, options, tuple(todo)))
            except OSError:
                raise CheckerLost(f"checking process died (exit status {self.process.wait()})") from None
            while todo:
                index, path, text = todo.pop(0)
                start = time.monotonic()
                if not self.conn.poll(quiet_limit):  # stuck in native code, as a local worker can be
                    reason = f"timeout after {time.monotonic() - start:.2f} s (worker killed)"
                    outcomes.append(unknown_outcome(index, path, names, reason, text=text))
                    self.stop()
                    self._start()  # a fresh process for the files after it
                    break
                outcome, spent = self._receive()
                outcomes.append(outcome)
                if spent:  # its memory ran out: not trusted further, as a local worker is not
                    self.stop()
                    self._start()
                    break
        return outcomes

    def _receive(self) -> tuple[Outcome, bool]:
        try:
            return self.conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            status = self.process.wait()
            raise CheckerLost(f"checking process died (exit status {status})") from None

    def stop(self) -> None:
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def serve_checks() -> None:
    """The checking process: requests (models, options, files) in; for each file, its Outcome
    and whether memory ran out (then this process ends: the worker starts another)."""
    # Ctrl-C at a local cluster's terminal ends this process at once and quietly (its client
    # cancels the task); it may be deep in z3, where no Python handler would run
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    die_with_parent()  # a worker killed outright takes this process with it
    from litmus import api

    api.one_core()  # a cluster's workers fill its cores
    conn = Connection(int(sys.argv[1]))
    try:
        while True:
            try:
                models, options, files = conn.recv()
            except EOFError:  # the worker went away
                return
            try:
                specs = _worker_specs(models)
            except LitmusError as err:  # loaded fine on the client: only a litmus version mismatch gets here
                for index, path, _ in files:
                    conn.send((Outcome(index, path, error=err.render(), message=err.message), False))
                continue
            limit_memory(options.memory_limit_mb)
            for index, path, text in files:
                conn.send((check_one(index, path, specs, options, text=text), memory_exhausted()))
                if memory_exhausted():
                    return
    except (BrokenPipeError, ConnectionResetError):  # the worker went away mid-file
        return


def litmus_version() -> str:
    """Run on each worker before any task: it can import litmus, and which version."""
    from litmus import __version__

    return __version__


# -- the client


def connect(address: str) -> tuple[Any, Any]:
    """(client, local cluster or None); ClusterError when dask is missing or nothing answers."""
    workers = parse_address(address)
    try:
        import dask
        import distributed
    except ImportError:
        raise ClusterError(MISSING_EXTRA) from None
    cluster = None
    try:
        if workers is not None:
            with dask.config.set(LOCAL_SETTINGS):
                cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, **LOCAL_CLUSTER,
                )  # fmt: skip
            client = distributed.Client(cluster, set_as_default=False)
            client.register_plugin(_ignore_ctrl_c())
        else:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError, RuntimeError) as err:  # refused, timed out, unreadable, failed to start
        if cluster is not None:
            cluster.close()
        if workers is not None:
            raise ClusterError(f"cannot start a local Dask cluster of {workers} workers: {err}") from None
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    try:
        _check_workers(client, address)
    except ClusterError:
        client.close()
        if cluster is not None:
            cluster.close()
        raise
    return client, cluster


def _ignore_ctrl_c() -> Any:
    """A plugin for the workers of a local cluster, restarted ones too: they share our terminal,
    and Ctrl-C is for this process to handle (it cancels their tasks), not for them to die of
    with a traceback each."""
    from distributed import WorkerPlugin

    class IgnoreCtrlC(WorkerPlugin):
        name = "litmus-ignore-ctrl-c"

        def setup(self, worker: Any) -> None:
            import signal
            import threading

            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return IgnoreCtrlC()


def _check_workers(client: Any, address: str) -> None:
    """Every worker there now can run our tasks: litmus imports, in this version."""
    from litmus import __version__

    for worker, version in sorted(client.run(litmus_version, on_error="return").items()):
        if isinstance(version, BaseException):
            raise ClusterError(
                f"worker {worker} of {address} cannot run litmus ({type(version).__name__}: {version}); "
                "each worker needs pip install 'litmus[cluster]'"
            )
        if version != __version__:
            raise ClusterError(f"worker {worker} of {address} runs litmus {version}, this is litmus {__version__}")


class ClusterBatch:
    """Runs files under models on a Dask cluster; iterate to get Outcomes in input order."""

    def __init__(self, files: Sequence[str], model_names: Sequence[str], options: Options, address: str,
                 files_per_task: int | None = None) -> None:  # fmt: skip
        from litmus import api

        self.files = list(files)
        self.options = options
        self.address = address
        self.files_per_task = files_per_task
        self.finished: dict[int, Outcome] = {}  # done, not yet yielded (after Ctrl-C: unprinted)
        self.done_count = 0
        self.specs = [api.load_model(n) for n in model_names]  # loaded already by the caller: cached
        self.spec_names = [spec.name for spec in self.specs]
        self.models = tuple(ship_model(n, spec) for n, spec in zip(model_names, self.specs))
        self.running: dict[Any, tuple[tuple[int, str, str], ...]] = {}  # future -> its files
        self.split: list[tuple[tuple[int, str, str], ...]] = []  # a lost task's files, one task each
        self.client, self.cluster = connect(address)
        self._threads = (0, 0.0)  # (worker threads, when counted)

    def __iter__(self) -> Iterator[Outcome]:
        try:
            yield from self._run()
        finally:
            self.close()

    def close(self) -> None:
        """Cancel what is still on the cluster; stop a local cluster."""
        if self.client is None:
            return
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        # shutting down after a lost scheduler fails too: nothing more to report then
        with contextlib.suppress(Exception):
            if self.running:
                client.cancel(list(self.running))
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()

    def _run(self) -> Iterator[Outcome]:
        from distributed import as_completed

        tasks = self._tasks()
        completed = as_completed(loop=self.client.loop)
        next_out = 0
        reason = "cluster lost"
        try:
            self._submit(tasks, completed)
            while True:
                while next_out in self.finished:
                    yield self.finished.pop(next_out)
                    next_out += 1
                if not self.running:
                    break
                future = next(completed)
                for outcome in self._outcomes(future, self.running.pop(future)):
                    self._finish(outcome)
                self._submit(tasks, completed)
        except Exception as err:  # noqa: BLE001 - e.g. the scheduler went away: every row still appears
            reason = f"cluster lost ({type(err).__name__}: {err})"
        for index in range(next_out, len(self.files)):
            if index not in self.finished:
                self._finish(unknown_outcome(index, self.files[index], self.spec_names, reason))
        while next_out in self.finished:
            yield self.finished.pop(next_out)
            next_out += 1

    def _tasks(self) -> Iterator[tuple[tuple[int, str, str], ...]]:
        """The files with their text, a few per task, read as they are submitted; a file that
        cannot be read is checked here, which reports it as the local run would."""
        if self.files_per_task is None:
            tasks = TASKS_PER_THREAD * max(1, self._thread_count())
            self.files_per_task = max(1, min(MAX_FILES_PER_TASK, len(self.files) // tasks))
        chunk: list[tuple[int, str, str]] = []
        for index, path in enumerate(self.files):
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._finish(check_one(index, path, self.specs, self.options))
                continue
            chunk.append((index, path, text))
            if len(chunk) == self.files_per_task:
                yield tuple(chunk)
                chunk = []
        if chunk:
            yield tuple(chunk)

    def _submit(self, tasks: Iterator[tuple[tuple[int, str, str], ...]], completed: Any) -> None:
        """Keep a few tasks per worker thread on the cluster: enough to keep every thread busy,
        few enough that a long run's files are not all held in memory at once."""
        window = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * self._thread_count())
        while len(self.running) < window:
            files = self.split.pop(0) if self.split else next(tasks, None)
            if files is None:
                return
            # retries: a task whose checking process died runs once more (a worker lost is
            # retried by the scheduler itself, allowed-failures)
            future = self.client.submit(check_files, self.models, self.options, files, pure=False, retries=1)
            self.running[future] = files
            completed.add(future)

    def _thread_count(self) -> int:
        """The cluster's worker threads, counted again at most once a second (workers come and go)."""
        count, when = self._threads
        now = time.monotonic()
        if now - when > 1.0:
            count = sum(self.client.nthreads().values())
            self._threads = (count, now)
        return count

    def _outcomes(self, future: Any, files: tuple[tuple[int, str, str], ...]) -> list[Outcome]:
        from distributed import KilledWorker

        try:
            return list(future.result())
        except (KilledWorker, CheckerLost):
            if len(files) > 1:  # lost twice: which file was to blame? each gets two tries of its own
                self.split.extend((one,) for one in files)
                return []
            reason = "worker lost"
        except Exception as err:  # noqa: BLE001 - the task itself failed on the worker: say so per file
            what = f"{type(err).__name__}: {err}"
            return [
                Outcome(index, path, error=f"{path}: cluster task failed: {what}", message=f"cluster task failed: {what}")
                for index, path, _ in files
            ]  # fmt: skip
        return [unknown_outcome(index, path, self.spec_names, reason) for index, path, _ in files]

    def _finish(self, outcome: Outcome) -> None:
        self.finished[outcome.index] = outcome
        self.done_count += 1


__all__ = ["ClusterBatch", "ClusterError", "ShippedModel", "check_files", "connect", "parse_address", "ship_model"]
