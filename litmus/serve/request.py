"""What a client may ask the server for, read from a JSON object (or a form turned into one) and
bounded as a shared server needs: one test as text (a `.litmus` test of any dialect or a `.pb`
scenario), built-in or uploaded models, a time budget. No file-system path is ever taken from
the client: a file name only labels its text. Anything wrong is a RequestError, which the app
answers with its HTTP status and a JSON body `{"error", "line", "column", "file", "rendered"}`."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from litmus.api import BUILTIN_MODELS
from litmus.errors import LitmusError

KIB = 1024
MAX_TEXT = 256 * KIB  # one test, one model file
MAX_UPLOADS = 8  # uploaded .cat files per request
MAX_MODELS = 16  # models per request
MAX_TESTS = 200  # tests a scenario may expand to in one request
MAX_BODY = 4 * 1024 * KIB  # the whole request: the test and every upload, JSON-escaped
FIELDS = ("test", "models", "cat", "filename", "timeout", "graphs")

# a label, not a path: no folder, no leading dot
_FILE_NAME = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9._+-]{0,119}")


class Admission:
    """Counts the requests a server has taken on (running or waiting for a worker) and turns
    away those beyond `limit` (503), so that a flood waits in no unbounded line."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0

    def enter(self) -> None:
        if self.pending >= self.limit:
            raise RequestError(503, f"the server is busy ({self.pending} requests running or waiting): try again soon")
        self.pending += 1

    def leave(self) -> None:
        self.pending -= 1


class RequestError(Exception):
    """A request the server will not run, with the HTTP status that says why."""

    def __init__(self, status: int, message: str, line: int | None = None, column: int | None = None,
                 file: str | None = None, rendered: str | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.message = message
        self.line = line
        self.column = column
        self.file = file
        self.rendered = rendered

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "line": self.line, "column": self.column, "file": self.file,
                "rendered": self.rendered or self.message}  # fmt: skip


def located_error(err: LitmusError, status: int = 422) -> RequestError:
    """A bad test or model: its message, where it is, and the rendered caret text."""
    span = err.span
    return RequestError(status, err.message, span.line if span else None, span.column if span else None,
                        err.path, err.render())  # fmt: skip


@dataclass(frozen=True)
class CheckRequest:
    """One validated request: run `test` (None: only load the models) under `models`."""

    test: str | None
    filename: str  # labels the test in results and errors: `name.litmus` or `name.pb`
    models: tuple[str, ...]  # built-in names, or file names among `uploads`
    uploads: tuple[tuple[str, str], ...]  # (file name, .cat text)
    timeout: float  # seconds for the whole request
    graphs: bool  # add each result's witness graph (DOT, and SVG when graphviz is installed)

    @property
    def scenario(self) -> bool:
        return self.filename.endswith(".pb")

    def model_label(self, name: str) -> str:
        """The name results carry: a built-in name, or an upload's stem."""
        return name if name in BUILTIN_MODELS else name.rsplit(".", 1)[0]

    def command(self) -> str:
        """The `litmus check` command line that gives the same objects from the files."""
        return f"litmus check -m {','.join(self.models)} -f json {self.filename}"


def parse_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RequestError(400, f"the request body is not UTF-8 (byte {err.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise RequestError(400, f"bad JSON: {err.msg}", err.lineno, err.colno) from None
    except RecursionError:
        raise RequestError(400, "bad JSON: nested too deeply") from None


def _size_check(what: str, text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT:
        raise RequestError(413, f"{what} is {size // KIB} KiB; the server takes at most {MAX_TEXT // KIB} KiB")


def file_name(raw: Any, field: str) -> str:
    """A client's file name, used as a label only: its last path component, plain characters."""
    if not isinstance(raw, str):
        raise RequestError(400, f"'{field}' must be a file name (a string)")
    name = re.split(r"[/\\]", raw)[-1]
    if not _FILE_NAME.fullmatch(name):
        raise RequestError(400, f"'{field}': {raw!r} is not a plain file name (letters, digits, . _ + -)")
    return name


def looks_like_scenario(text: str) -> bool:
    """A .pb scenario opens (after comments) with `scenario NAME`; a litmus test with its arch."""
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            return words[0] == "scenario"
    return False


def _test_file_name(raw: Any, text: str | None) -> str:
    scenario = text is not None and looks_like_scenario(text)
    if raw is None:
        return "input.pb" if scenario else "input.litmus"
    name = file_name(raw, "filename")
    if name.endswith((".litmus", ".pb")):
        return name
    if "." not in name:
        return name + (".pb" if scenario else ".litmus")
    raise RequestError(400, f"'filename': {name!r} should end in .litmus (a test) or .pb (a scenario)")


def _uploads(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise RequestError(400, "'cat' must be an object of file name -> .cat text")
    if len(raw) > MAX_UPLOADS:
        raise RequestError(413, f"{len(raw)} uploaded models; the server takes at most {MAX_UPLOADS}")
    uploads: dict[str, str] = {}
    for raw_name, text in raw.items():
        name = file_name(raw_name, "cat")
        if not name.endswith(".cat"):
            raise RequestError(400, f"'cat': {name!r} should end in .cat")
        _size_check(f"model {name}", text)
        uploads[name] = text
    return uploads


def _models(raw: Any, uploads: dict[str, str]) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [m.strip() for m in raw.split(",") if m.strip()]
    if not isinstance(raw, list) or not raw or not all(isinstance(m, str) for m in raw):
        raise RequestError(400, "'models' must be a non-empty list of model names, e.g. [\"sc\", \"tso\"]")
    if len(raw) > MAX_MODELS:
        raise RequestError(413, f"{len(raw)} models; the server runs at most {MAX_MODELS} per request")
    names: list[str] = []
    for name in raw:
        if name not in BUILTIN_MODELS and name not in uploads and name + ".cat" in uploads:
            name += ".cat"  # an upload named by its stem, as results name it
        if name not in BUILTIN_MODELS and name not in uploads:
            raise RequestError(400, f"unknown model '{name}' (built-in: {', '.join(BUILTIN_MODELS)}; "
                               f"uploaded: {', '.join(uploads) or 'none'})")  # fmt: skip
        if name not in names:
            names.append(name)
    stems = [n if n in BUILTIN_MODELS else n[: -len(".cat")] for n in names]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise RequestError(400, f"two models named '{clash[0]}' (a built-in and an upload): rename the upload")
    return tuple(names)


def _timeout(raw: Any, server_timeout: float) -> float:
    if raw is None:
        return server_timeout
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw <= 0:
        raise RequestError(400, "'timeout' must be a positive number of seconds")
    return min(float(raw), server_timeout)  # a client may ask for less time, never more


def check_request(data: Any, server_timeout: float, need_test: bool = True) -> CheckRequest:
    """Validate a decoded request (a JSON object, or a form read as one)."""
    if not isinstance(data, dict):
        raise RequestError(400, "the request must be a JSON object: {\"test\": ..., \"models\": [...]}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise RequestError(400, f"unknown field '{unknown[0]}' (fields: {', '.join(FIELDS)})")
    test = data.get("test")
    if need_test or test is not None:
        if not isinstance(test, str) or not test.strip():
            raise RequestError(400, "'test' must be the text of a litmus test or a .pb scenario")
        _size_check("the test", test)
    uploads = _uploads(data.get("cat"))
    if not need_test and not uploads:
        raise RequestError(400, "'cat' must hold the .cat files to load: {\"cat\": {\"m.cat\": \"...\"}}")
    graphs = data.get("graphs", False)
    if not isinstance(graphs, bool):
        raise RequestError(400, "'graphs' must be true or false")
    return CheckRequest(
        test=test, filename=_test_file_name(data.get("filename"), test),
        models=_models(data.get("models"), uploads) if need_test else tuple(uploads),
        uploads=tuple(uploads.items()), timeout=_timeout(data.get("timeout"), server_timeout), graphs=graphs,
    )  # fmt: skip
