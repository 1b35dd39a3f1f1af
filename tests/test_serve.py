"""`litmus serve`: the JSON API (Starlette's TestClient, and a real server for concurrency), its
limits and errors, the worker pool's timeouts and dead workers. Expected verdicts come from
litmus_tests/expected.tsv (hand arguments checked against herd7) and the kernel's own tests."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 here; httpx is what the registry has
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from litmus import cli  # noqa: E402
from litmus.serve import worker  # noqa: E402
from litmus.serve.app import create_app, default_tests_folder  # noqa: E402
from litmus.serve.pool import WorkerPool  # noqa: E402
from litmus.serve.request import MAX_BODY, MAX_TEXT, Admission, RequestError, check_request  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "litmus_tests"
MP = TESTS / "MP" / "MP+poonceonces.litmus"
MODELS = ["sc", "tso", "arm", "lkmm"]
SC_MODEL = "acyclic po | rf | co | fr as sc\n"  # Lamport's SC, in cat


def heavy_test(threads: int = 5) -> str:
    """Each thread writes x twice and reads it back: a coherence stress test that takes herd7
    over 300 s under LKMM at 5 threads, and litmus far longer than the tiny limits used here."""
    procs = [
        f"P{i}(int *x)\n{{\n\tint r0;\n\tWRITE_ONCE(*x, {2 * i + 1});\n\tWRITE_ONCE(*x, {2 * i + 2});\n"
        f"\tr0 = READ_ONCE(*x);\n}}\n"
        for i in range(threads)
    ]
    condition = " /\\ ".join(f"{i}:r0={2 * i + 1}" for i in range(threads))
    return f"C coherence-stress-{threads}\n\n{{}}\n\n" + "\n".join(procs) + f"\nexists ({condition})\n"


def expected_verdicts(table: Path, key: str) -> dict[str, str]:
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["test"] == key:
                return row
    raise KeyError(key)


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(create_app(jobs=2, timeout=30.0, tests_folder=TESTS)) as test_client:
        yield test_client


def post(client: Any, body: Any, path: str = "/api/check") -> Any:
    return client.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


# -- answers -------------------------------------------------------------------------------


def test_check_gives_the_objects_of_check_f_json(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    answer = post(client, {"test": MP.read_text(), "models": MODELS, "filename": MP.name})
    assert answer.status_code == 200
    served = answer.json()
    assert cli.main(["check", "-m", ",".join(MODELS), "-f", "json", "-j", "1", str(MP)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(served) == len(printed) == 4
    for ours, theirs in zip(served, printed):
        assert ours["file"] == MP.name and theirs["file"] == str(MP)
        for key in ("file", "time_s", "max_rss_mb"):
            ours.pop(key), theirs.pop(key)
        assert ours == theirs
    expected = expected_verdicts(TESTS / "expected.tsv", "MP/MP+poonceonces.litmus")
    # LKMM: the kernel's tools/memory-model/litmus-tests/MP+poonceonces.litmus says Result: Sometimes
    expected["lkmm"] = "Sometimes"
    assert {o["model"]: o["observation"] for o in served} == {m: expected[m] for m in MODELS}


def test_run_gives_the_comparison_graphs_and_command(client: Any) -> None:
    answer = post(client, {"test": MP.read_text(), "models": ["sc", "arm"], "filename": MP.name}, "/api/run")
    assert answer.status_code == 200
    body = answer.json()
    assert body["models"] == ["sc", "arm"]
    (row,) = body["compare"]
    assert row["verdicts"] == {"sc": "Never", "arm": "Sometimes"} and row["differ"] is True
    assert row["extra_states"] == [{"weaker": "arm", "stronger": "sc", "states": [{"1:r0": "1", "1:r1": "0"}]}]
    assert "MP+poonceonces  Never  Sometimes  *" in body["table"]
    assert body["command"] == "litmus check -m sc,arm -f json MP+poonceonces.litmus"
    sc, arm = body["results"]
    assert sc["forbidden_by"] == ["sc"] and "violates sc" in sc["cycle"]
    for result in (sc, arm):
        graph = result["graph"]
        assert graph["dot"].startswith("digraph")
        assert (graph["svg"] is not None) != (graph["note"] is not None)


def test_a_form_upload_is_read_like_json(client: Any) -> None:
    answer = client.post("/api/check", files={"test": (MP.name, MP.read_bytes())},
                         data={"models": "sc,arm"})  # fmt: skip
    assert answer.status_code == 200
    assert [(o["file"], o["model"], o["observation"]) for o in answer.json()] == [
        (MP.name, "sc", "Never"), (MP.name, "arm", "Sometimes"),
    ]  # fmt: skip


def test_an_uploaded_model_runs_and_includes_only_the_library(client: Any) -> None:
    uploads = {"lamport.cat": SC_MODEL, "again.cat": 'include "sc.cat"\n'}
    answer = post(client, {"test": MP.read_text(), "models": ["lamport", "again.cat"], "cat": uploads})
    assert answer.status_code == 200
    assert [(o["model"], o["observation"]) for o in answer.json()] == [("lamport", "Never"), ("again", "Never")]
    for name in ("../pyproject.toml", "/etc/passwd", "x86tso.cat"):
        answer = post(client, {"test": MP.read_text(), "models": ["m.cat"], "cat": {"m.cat": f'include "{name}"\n'}})
        assert answer.status_code == 422
        body = answer.json()
        assert body["error"].startswith(f"cannot include '{name}'")
        assert (body["file"], body["line"], body["column"]) == ("m.cat", 1, 1)
    cycle = {"a.cat": 'include "b.cat"\n', "b.cat": 'include "a.cat"\n'}
    answer = post(client, {"test": MP.read_text(), "models": ["a.cat"], "cat": cycle})
    assert answer.status_code == 422 and "include cycle: a.cat -> b.cat -> a.cat" in answer.json()["error"]


def test_a_scenario_gives_its_family(client: Any) -> None:
    text = (TESTS / "pageblock" / "order.pb").read_text().replace("param N = 2..8", "param N = 2..2")
    answer = post(client, {"test": text, "models": ["sc", "arm"], "filename": "order.pb"})
    assert answer.status_code == 200
    served = answer.json()
    assert len(served) == 16
    for result in served:
        expected = expected_verdicts(TESTS / "pageblock" / "expected.tsv", result["file"])
        assert result["observation"] == expected[result["model"]], result["file"]


def test_shipped_tests_are_served_by_name_only(client: Any) -> None:
    listing = client.get("/api/tests").json()["tests"]
    assert {"name": "MP/MP+poonceonces.litmus", "folder": "MP", "file": "MP+poonceonces.litmus"} in listing
    assert any(t["name"] == "pageblock/order.pb" for t in listing)
    one = client.get("/api/tests/MP/MP+poonceonces.litmus").json()
    assert one["text"] == MP.read_text()
    for name in ("../pyproject.toml", "%2e%2e/pyproject.toml", "/etc/passwd", "MP/../../pyproject.toml"):
        answer = client.get(f"/api/tests/{name}")
        assert answer.status_code == 404 and "error" in answer.json()


def test_the_page_and_its_files_are_served(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<textarea id="source"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    info = client.get("/api/info").json()
    assert info["models"] == MODELS and "sc.cat" in info["library"] and info["timeout"] == 30.0


# -- errors ------------------------------------------------------------------------------


def test_bad_json_is_a_400_with_its_place(client: Any) -> None:
    answer = client.post("/api/check", content=b'{"test": "C x",\n  "models": [sc]}',
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("bad JSON") and (answer.json()["line"], answer.json()["column"]) == (2, 14)
    for body, words in [
        ([1, 2], "must be a JSON object"),
        ({"test": "C x", "models": ["sc"], "modles": 1}, "unknown field 'modles'"),
        ({"test": "C x", "models": []}, "'models' must be a non-empty list"),
        ({"test": "C x", "models": [3]}, "'models' must be a non-empty list"),
        ({"test": "C x", "models": ["sc"], "timeout": -1}, "'timeout' must be a positive number"),
        ({"models": ["sc"]}, "'test' must be the text"),
        ({"test": "C x", "models": ["sc"], "filename": "../../etc/x.litmus", "cat": {"a/../b": ""}}, "'cat'"),
    ]:
        answer = post(client, body)
        assert answer.status_code == 400 and words in answer.json()["error"], answer.json()


def test_an_unknown_model_is_a_400(client: Any) -> None:
    answer = post(client, {"test": MP.read_text(), "models": ["sc", "power"]})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unknown model 'power' (built-in: sc, tso, arm, lkmm; uploaded: none)"


def test_oversized_input_is_a_413(client: Any) -> None:
    big = "(*" + "x" * MAX_TEXT + "*)"
    for body, words in [
        ({"test": MP.read_text() + big, "models": ["sc"]}, "the test is 256 KiB"),
        ({"test": MP.read_text(), "models": ["m.cat"], "cat": {"m.cat": big}}, "model m.cat is 256 KiB"),
        ({"test": MP.read_text(), "models": ["sc"], "cat": {f"m{i}.cat": "" for i in range(9)}}, "9 uploaded"),
    ]:
        answer = post(client, body)
        assert answer.status_code == 413 and words in answer.json()["error"], answer.json()
    answer = client.post("/api/check", content=b" " * (MAX_BODY + 1), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"] == "the request body is over 4096 KiB"


def test_a_parse_error_is_a_422_at_its_line_and_column(client: Any) -> None:
    lines = MP.read_text().split("\n")
    lines.insert(11, "this is not C;")  # line 12
    answer = post(client, {"test": "\n".join(lines), "models": ["sc"], "filename": MP.name})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["file"], body["line"], body["column"]) == (MP.name, 12, 6)
    assert body["rendered"].startswith(f"{MP.name}:12:6: ") and "this is not C;" in body["rendered"]


def test_a_cat_model_with_an_error_is_a_422_at_its_line_and_column(client: Any) -> None:
    broken = {"broken.cat": "let hb = po |\nacyclic hb as order\n"}
    for path, body in [("/api/check", {"test": MP.read_text(), "models": ["broken.cat"], "cat": broken}),
                       ("/api/cat", {"cat": broken})]:  # fmt: skip
        answer = post(client, body, path)
        assert answer.status_code == 422
        error = answer.json()
        assert (error["file"], error["line"], error["column"]) == ("broken.cat", 2, 1)
        assert error["error"] == "expected an expression after '|', found 'acyclic'"
    assert post(client, {"cat": {"fine.cat": SC_MODEL}}, "/api/cat").json() == {
        "models": [{"file": "fine.cat", "model": "fine"}]
    }


def test_a_scenario_error_is_located_in_the_scenario(client: Any) -> None:
    text = (TESTS / "pageblock" / "order.pb").read_text().replace("pageblocks N", "pageblocks N +")
    answer = post(client, {"test": text, "models": ["sc"], "filename": "order.pb"})
    assert answer.status_code == 422 and answer.json()["file"] == "order.pb" and answer.json()["line"]


# -- time ----------------------------------------------------------------------------------


def cut_by_timeout(answer: dict[str, Any], verdict: str) -> bool:
    """The timeout cut the run short: no verdict, or the verdict with the counts unknown
    (millions of executions: they never finish in time)."""
    if "timeout" not in (answer["error"] or ""):
        return False
    return answer["observation"] == "Unknown" or (answer["observation"] == verdict and answer["positive"] is None)


def test_a_heavy_test_with_a_tiny_timeout_is_cut_short(client: Any) -> None:
    answer = post(client, {"test": heavy_test(), "models": ["lkmm", "sc"], "timeout": 0.5})
    assert answer.status_code == 200
    lkmm, sc = answer.json()
    assert (lkmm["test"], lkmm["model"]) == ("coherence-stress-5", "lkmm")
    # x=1 at the end would put P0's first write co-after its second: Never under both
    assert cut_by_timeout(lkmm, "Never") and cut_by_timeout(sc, "Never")
    # the pool goes on: the next request is answered
    assert post(client, {"test": MP.read_text(), "models": ["sc"]}).json()[0]["observation"] == "Never"


def test_a_dead_worker_gives_unknown_and_is_replaced() -> None:
    pool = WorkerPool(1)
    try:
        (pid,) = pool.pids()
        slow = check_request({"test": heavy_test(), "models": ["lkmm", "tso"]}, server_timeout=60.0)
        answers: list[Any] = []
        runner = threading.Thread(target=lambda: answers.append(pool.run(slow)))
        runner.start()
        os.kill(pid, signal.SIGKILL)
        runner.join()
        (answer,) = answers
        assert answer.error is None
        assert [(r.model, r.observation) for r, _ in answer.results] == [("lkmm", "Unknown"), ("tso", "Unknown")]
        assert all(r.error.startswith("worker process died") for r, _ in answer.results)
        assert pool.pids() != [pid]
        fast = check_request({"test": MP.read_text(), "models": ["sc"]}, server_timeout=60.0)
        assert pool.run(fast).results[0][0].observation == "Never"
    finally:
        pool.close()
    assert pool.pids() == []
    with pytest.raises(RequestError) as closed:
        pool.run(fast)
    assert closed.value.status == 503


def test_graphs_without_graphviz_come_as_dot_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    from litmus import api

    (result,) = api.check(str(MP), ["arm"])
    monkeypatch.setenv("PATH", "")
    graph = worker.graph_view(result)
    assert graph is not None and graph["svg"] is None
    assert graph["dot"].startswith("digraph") and "graphviz" in (graph["note"] or "")


def test_a_graph_past_the_deadline_is_dot_with_a_note() -> None:
    from litmus import api

    (result,) = api.check(str(MP), ["sc"])
    graph = worker.graph_view(result, deadline=time.monotonic() - 1)
    assert graph is not None and graph["svg"] is None and graph["dot"].startswith("digraph")
    assert graph["note"] in (worker.NO_TIME_TO_DRAW, worker.NO_GRAPHVIZ)


# -- the server itself -------------------------------------------------------------------


def test_only_loopback_host_names_are_answered_on_the_loopback() -> None:
    app = create_app(jobs=1, timeout=5.0, tests_folder=None, allowed_hosts=("127.0.0.1", "localhost", "::1"))
    with TestClient(app, base_url="http://localhost:8000") as local:
        assert local.get("/api/tests").json() == {"tests": []}
        answer = local.get("/api/info", headers={"Host": "attacker.example"})
        assert answer.status_code == 421


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "starlette", None)  # makes `import starlette` fail
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == "litmus serve needs the serve extra: pip install 'litmus[serve]'\n"


def test_the_core_never_imports_the_web_stack() -> None:
    code = ("import sys, litmus.serve.pool, litmus.serve.request; from litmus.cli.main import main; "
            "assert main(['serve', '--help']) == 0; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'python_multipart', 'multipart') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_serve_on_a_taken_port_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    from litmus.serve.app import listen

    taken = listen("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port), "-j", "1"]) == 1
        assert capsys.readouterr().err.startswith(f"litmus: error: cannot listen on 127.0.0.1:{port}: ")
    finally:
        taken.close()


def test_requests_beyond_the_line_are_turned_away() -> None:
    line = Admission(2)
    line.enter()
    line.enter()
    with pytest.raises(RequestError) as busy:
        line.enter()
    assert busy.value.status == 503
    line.leave()
    line.enter()  # room again


def test_loading_models_needs_models(client: Any) -> None:
    answer = post(client, {"test": None}, "/api/cat")
    assert answer.status_code == 400 and "'cat' must hold the .cat files" in answer.json()["error"]


def test_the_default_tests_folder_is_the_repositorys() -> None:
    assert default_tests_folder() == TESTS


@pytest.fixture
def real_server() -> Any:
    """`litmus serve` as a user starts it, on a free port; its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "litmus", "serve", "--port", "0", "-j", "2", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.match(r"litmus serve: (http://127\.0\.0\.1:\d+/) ", first)
        assert match, first + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield match.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_twenty_concurrent_requests_one_slow(real_server: str) -> None:
    import httpx

    fast = {"test": MP.read_text(), "models": ["sc", "tso"]}
    slow = {"test": heavy_test(), "models": ["lkmm"], "timeout": 1}
    bodies = [fast] * 9 + [slow] + [fast] * 10
    answers: dict[int, Any] = {}

    def ask(index: int, body: dict[str, Any]) -> None:
        answers[index] = httpx.post(real_server + "api/check", json=body, timeout=120)

    threads = [threading.Thread(target=ask, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(20))
    assert all(answer.status_code == 200 for answer in answers.values())
    for index, answer in answers.items():
        verdicts = [(o["model"], o["observation"]) for o in answer.json()]
        if index == 9:
            assert len(verdicts) == 1 and cut_by_timeout(answer.json()[0], "Never"), answer.json()[0]
        else:
            assert verdicts == [("sc", "Never"), ("tso", "Never")]
    assert httpx.get(real_server + "api/info").status_code == 200  # still up
