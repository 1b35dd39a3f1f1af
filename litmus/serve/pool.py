"""The server's bounded set of worker processes. Each worker runs one request at a time
(`worker.py`); the caller blocks in a thread until the answer is complete. A worker still busy
when its request's time and a grace period are over is killed and replaced, and a worker that
dies is replaced: either way the checks it had not finished come back `Unknown` with the reason,
as a killed worker's do in `litmus check`, and the server goes on. With `jobs` workers at most
`jobs` requests run at once; the others wait for a free worker, so one heavy test holds one
worker for at most its time limit and cannot starve the rest."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from litmus.batch import stop_process
from litmus.result import Result
from litmus.serve.request import CheckRequest, RequestError
from litmus.serve.worker import first_line_name, serve_requests, unknown

GRACE_S = 2.0  # beyond the request's time (and half of it again) before a silent worker is killed
RECYCLE_AFTER = 500  # requests a worker answers before a fresh one takes over (caches, z3's memory)


@dataclass
class Answer:
    """What a worker answered: results with their graphs, or the error that stopped the request."""

    results: list[tuple[Result, dict[str, Any] | None]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    status: int = 200


@dataclass
class _Worker:
    process: Any
    conn: Any
    answered: int = 0


def _context() -> Any:
    """A forkserver where there is one: workers start from a clean single-threaded process with
    the checker already imported (forking the threaded server itself is unsafe); spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["litmus.serve.worker"])
        return ctx
    return multiprocessing.get_context("spawn")


class WorkerPool:
    """`jobs` worker processes; `run(request)` from any thread."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._ctx = _context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._live: list[_Worker] = []
        self._closed = False
        for _ in range(jobs):
            self._idle.put(self._spawn())

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._live]

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=serve_requests, args=(child,), daemon=True, name="litmus-serve-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._live.append(worker)
        return worker

    def _stop(self, worker: _Worker, graceful: bool = False) -> None:
        stop_process(worker.process, worker.conn, graceful, grace_s=1.0)
        with self._lock:
            if worker in self._live:
                self._live.remove(worker)

    def run(self, request: CheckRequest) -> Answer:
        """Run one request on a free worker (waiting for one); never raises for a worker's death.
        After close(): RequestError 503."""
        worker = None
        while worker is None:
            if self._closed:
                raise RequestError(503, "the server is shutting down")
            try:
                worker = self._idle.get(timeout=0.2)
            except queue.Empty:
                continue
        healthy = False
        try:
            answer, healthy = self._drive(worker, request)
            return answer
        finally:
            worker.answered += 1
            if not healthy or worker.answered >= RECYCLE_AFTER:
                self._stop(worker, graceful=healthy)
                if not self._closed:
                    worker = self._spawn()
            if not self._closed:
                self._idle.put(worker)

    def _drive(self, worker: _Worker, request: CheckRequest) -> tuple[Answer, bool]:
        """Send the request, collect messages until done; (answer, whether the worker is reusable)."""
        started = time.monotonic()
        deadline = started + request.timeout * 1.5 + GRACE_S
        answer = Answer()
        plan: list[tuple[str, str]] | None = None
        try:
            worker.conn.send(request)
        except OSError:
            return self._unfinished(answer, plan, request, "worker process died before the request"), False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                reason = f"timeout after {time.monotonic() - started:.2f} s (worker killed)"
                return self._unfinished(answer, plan, request, reason), False
            ready = wait([worker.conn, worker.process.sentinel], timeout=left)
            if worker.conn in ready:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    message = None
                if message is not None:
                    kind = message[0]
                    if kind == "plan":
                        plan = message[1]
                    elif kind == "result":
                        answer.results.append((message[1], message[2]))
                    elif kind == "graph":
                        index, graph = message[1], message[2]
                        answer.results[index] = (answer.results[index][0], graph)
                    elif kind == "done":
                        return answer, True
                    elif kind == "error":
                        answer.error, answer.status = message[1], message[2]
                        return answer, True
                    continue
            elif not ready:
                continue
            worker.process.join(timeout=1.0)
            reason = ("the server is shutting down" if self._closed
                      else f"worker process died (exit status {worker.process.exitcode})")  # fmt: skip
            return self._unfinished(answer, plan, request, reason), False

    @staticmethod
    def _unfinished(answer: Answer, plan: list[tuple[str, str]] | None, request: CheckRequest,
                    reason: str) -> Answer:  # fmt: skip
        """The answer so far, with `Unknown` for every (test, model) that did not finish."""
        tests = plan or [(request.filename, first_line_name(request.test, request.filename))]
        done = {(r.file, r.model) for r, _ in answer.results}
        for file, test in tests:
            for name in request.models:
                label = request.model_label(name)
                if (file, label) not in done:
                    answer.results.append((unknown(file, test, label, reason), None))
        return answer

    def close(self) -> None:
        """Stop every worker now: a request still running ends with `Unknown` for what it had not
        finished, one still waiting with a 503."""
        self._closed = True
        with self._lock:
            workers = list(self._live)
        for worker in workers:
            self._stop(worker)
