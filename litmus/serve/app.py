"""The web application of `litmus serve`: the page (static/), its JSON API, and the limits a shared
server needs. Starlette on uvicorn; checks run in the worker pool (pool.py), never in the server
process, and every request is bounded in size and in time.

    GET  /                   the page
    GET  /api/info           built-in models, includable library files, limits, graphviz
    GET  /api/tests          the shipped tests the page lists, by name
    GET  /api/tests/{name}   one of them (only names from that list: never a client's path)
    POST /api/check          a JSON list of `litmus check -f json` objects, one per test and model
    POST /api/run            what the page shows: those objects with graphs, the comparison rows
                             and table of `litmus compare`, the equivalent command line
    POST /api/cat            load uploaded .cat files without running anything: their errors
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import FormData, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from litmus import __version__
from litmus.api import BUILTIN_MODELS, library_models
from litmus.compare import compare_results, format_compare
from litmus.report.dot import have_graphviz
from litmus.report.jsonl import result_to_dict
from litmus.serve.pool import Answer, WorkerPool
from litmus.serve.request import (
    FIELDS, KIB, MAX_BODY, MAX_MODELS, MAX_TESTS, MAX_TEXT, MAX_UPLOADS, Admission, CheckRequest,
    RequestError, check_request, parse_json,
)  # fmt: skip

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
QUEUE_PER_WORKER = 16  # requests taken on per worker (running or waiting); beyond that, 503
# the page loads only its own script, style and data: no inline script, nothing from elsewhere
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
          "base-uri 'none'; frame-ancestors 'none'")  # fmt: skip


def default_tests_folder() -> Path | None:
    """The repository's litmus_tests/ beside the package (a source checkout or editable install)."""
    folder = Path(__file__).resolve().parents[2] / "litmus_tests"
    return folder if folder.is_dir() else None


class TestLibrary:
    """The tests the page offers, found once at start: name (path inside the folder) -> file."""

    __test__ = False  # not a pytest class

    def __init__(self, folder: Path | None) -> None:
        self.files: dict[str, Path] = {}
        if folder is None:
            return
        for path in sorted([*folder.rglob("*.litmus"), *folder.rglob("*.pb")]):
            if path.is_file() and path.stat().st_size <= MAX_TEXT:
                self.files[path.relative_to(folder).as_posix()] = path

    def listing(self) -> list[dict[str, str]]:
        return [{"name": name, "folder": name.rpartition("/")[0], "file": name.rpartition("/")[2]}
                for name in self.files]  # fmt: skip

    def text(self, name: str) -> str:
        path = self.files.get(name)
        if path is None:
            raise RequestError(404, f"no shipped test named {name!r} (GET /api/tests lists them)")
        return path.read_text(encoding="utf-8", errors="replace")


class SecurityHeaders:
    """Adds the content policy and no-sniffing headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AllowedHosts:
    """A server on the loopback answers only requests addressed to the loopback, so that a web
    page elsewhere cannot reach it by pointing its own host name at 127.0.0.1 (DNS rebinding)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]
            if name not in self.hosts:
                refusal = RequestError(421, f"this server answers only for {', '.join(self.hosts)}")
                response = JSONResponse(refusal.body(), refusal.status)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it is over MAX_BODY, before it is all read."""
    too_big = RequestError(413, f"the request body is over {MAX_BODY // KIB} KiB")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


async def _upload_text(value: UploadFile | str, field: str) -> str:
    if isinstance(value, str):
        return value
    data = await value.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, f"'{field}': {value.filename or 'the file'} is not UTF-8 text") from None


async def _form_request(request: Request, body: bytes) -> dict[str, Any]:
    """A multipart form (`curl -F test=@T.litmus -F models=sc,tso -F cat=@M.cat`) as the JSON
    object it stands for."""

    async def replay() -> Message:  # the body is already read (and size-checked)
        return {"type": "http.request", "body": body, "more_body": False}

    form_source = Request(request.scope, replay)
    try:
        form: FormData = await form_source.form(max_files=MAX_UPLOADS + 1, max_fields=4 * len(FIELDS) + MAX_MODELS,
                                                max_part_size=MAX_BODY)  # fmt: skip
    except HTTPException as err:
        raise RequestError(400, f"bad form: {err.detail}") from None
    try:
        data: dict[str, Any] = {}
        for key in form.keys():
            if key not in FIELDS:
                raise RequestError(400, f"unknown field '{key}' (fields: {', '.join(FIELDS)})")
        if "test" in form:
            test = form["test"]
            data["test"] = await _upload_text(test, "test")
            if isinstance(test, UploadFile) and test.filename:
                data["filename"] = test.filename
        if "filename" in form:
            data["filename"] = form["filename"]
        if "models" in form:
            data["models"] = ",".join(str(v) for v in form.getlist("models"))
        if "cat" in form:
            uploads: dict[str, str] = {}
            for item in form.getlist("cat"):
                if not isinstance(item, UploadFile):
                    raise RequestError(400, "'cat' must be a file upload (-F cat=@model.cat)")
                uploads[item.filename or "upload.cat"] = await _upload_text(item, "cat")
            data["cat"] = uploads
        if "timeout" in form:
            try:
                data["timeout"] = float(str(form["timeout"]))
            except ValueError:
                raise RequestError(400, "'timeout' must be a positive number of seconds") from None
        if "graphs" in form:
            data["graphs"] = str(form["graphs"]).lower() in ("1", "true", "yes", "on")
        return data
    finally:
        await form.close()


async def read_request(request: Request) -> Any:
    body = await _read_body(request)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _form_request(request, body)
    return parse_json(body)


def _objects(answer: Answer, graphs: bool) -> list[dict[str, Any]]:
    """The `-f json` objects, with each one's graph when asked for."""
    out = []
    for result, graph in answer.results:
        item = result_to_dict(result)
        if graphs:
            item["graph"] = graph
        out.append(item)
    return out


def _handles_errors(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except RequestError as err:
            return JSONResponse(err.body(), err.status)

    return wrapped


def create_app(jobs: int = 2, timeout: float = 10.0, tests_folder: Path | None = None,
               allowed_hosts: tuple[str, ...] | None = None,
               on_start: Callable[[WorkerPool], None] | None = None) -> ASGIApp:  # fmt: skip
    """The application: `jobs` worker processes, `timeout` seconds at most per request, the
    tests of `tests_folder` in the page's list; `allowed_hosts`: answer only those Host names;
    `on_start(pool)` once the workers run."""
    library = TestLibrary(tests_folder)
    running: dict[str, Any] = {}  # the pool, and a limiter of one waiting thread per worker
    admission = Admission(jobs * QUEUE_PER_WORKER)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        running["pool"] = await anyio.to_thread.run_sync(WorkerPool, jobs)
        running["limiter"] = anyio.CapacityLimiter(jobs)
        if on_start is not None:
            on_start(running["pool"])
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(running["pool"].close)

    async def answer_for(check: CheckRequest) -> Answer:
        pool, limiter = running["pool"], running["limiter"]
        admission.enter()
        try:
            answer: Answer = await anyio.to_thread.run_sync(pool.run, check, limiter=limiter)
        finally:
            admission.leave()
        if answer.error is not None:
            raise RequestError(answer.status, **_error_fields(answer.error))
        return answer

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def info(request: Request) -> Response:
        return JSONResponse({
            "version": __version__, "models": list(BUILTIN_MODELS), "library": library_models(),
            "graphviz": have_graphviz(), "timeout": timeout, "jobs": jobs, "pending": admission.pending,
            "limits": {"text_bytes": MAX_TEXT, "body_bytes": MAX_BODY, "uploads": MAX_UPLOADS,
                       "models": MAX_MODELS, "tests": MAX_TESTS},
        })  # fmt: skip

    async def tests(request: Request) -> Response:
        return JSONResponse({"tests": library.listing()})

    @_handles_errors
    async def one_test(request: Request) -> Response:
        name = request.path_params["name"]
        return JSONResponse({"name": name, "file": name.rpartition("/")[2], "text": library.text(name)})

    @_handles_errors
    async def check(request: Request) -> Response:
        checked = check_request(await read_request(request), timeout)
        return JSONResponse(_objects(await answer_for(checked), checked.graphs))

    @_handles_errors
    async def run(request: Request) -> Response:
        data = await read_request(request)
        if isinstance(data, dict):
            data.setdefault("graphs", True)
        checked = check_request(data, timeout)
        answer = await answer_for(checked)
        labels = [checked.model_label(name) for name in checked.models]
        rows = compare_results([r for r, _ in answer.results], labels)
        return JSONResponse({
            "models": labels, "results": _objects(answer, checked.graphs),
            "compare": [json.loads(line) for line in format_compare(rows, labels, "json").splitlines()],
            "table": format_compare(rows, labels, "table"), "command": checked.command(),
            "timeout": checked.timeout,
        })  # fmt: skip

    @_handles_errors
    async def cat(request: Request) -> Response:
        checked = check_request(await read_request(request), timeout, need_test=False)
        await answer_for(checked)
        return JSONResponse({"models": [{"file": name, "model": checked.model_label(name)}
                                        for name in checked.models]})  # fmt: skip

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(RequestError(exc.status_code, str(exc.detail)).body(), exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        return JSONResponse(RequestError(500, f"internal error: {type(exc).__name__}").body(), 500)

    app: ASGIApp = Starlette(
        routes=[
            Route("/", index), Route("/api/info", info), Route("/api/tests", tests),
            Route("/api/tests/{name:path}", one_test), Route("/api/check", check, methods=["POST"]),
            Route("/api/run", run, methods=["POST"]), Route("/api/cat", cat, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )  # fmt: skip
    app = SecurityHeaders(app)
    if allowed_hosts is not None:
        app = AllowedHosts(app, allowed_hosts)
    return app


def _error_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {"message": body["error"], "line": body.get("line"), "column": body.get("column"),
            "file": body.get("file"), "rendered": body.get("rendered")}  # fmt: skip


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); OSError when the address is taken or bad."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def serve(host: str, port: int, jobs: int, timeout: float, tests_folder: Path | None,
          out: TextIO = sys.stdout) -> None:  # fmt: skip
    """Run the server until Ctrl-C: `litmus serve`."""
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    loopback = host in LOOPBACK
    pools: list[WorkerPool] = []
    app = create_app(jobs, timeout, tests_folder, allowed_hosts=LOOPBACK if loopback else None, on_start=pools.append)
    shown = f"[{host}]" if ":" in host else host
    out.write(f"litmus serve: http://{shown}:{bound}/  ({jobs} worker{'s' if jobs != 1 else ''}, "
              f"{timeout:g} s per request)\n")  # fmt: skip
    if not loopback:
        out.write(f"litmus serve: listening on {host}: anyone who can reach this port can run checks here\n")
    out.flush()
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
    _Server(config, pools).run(sockets=[sock])


class _Server(uvicorn.Server):
    """uvicorn's server, stopping the workers as soon as it is asked to stop, so that the requests
    still running answer at once (Unknown: the server is shutting down) instead of being cut."""

    def __init__(self, config: uvicorn.Config, pools: list[WorkerPool]) -> None:
        super().__init__(config)
        self.pools = pools

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        for pool in self.pools:
            threading.Thread(target=pool.close, daemon=True).start()
