"""--cluster: the same rows as -j from a Dask cluster, models and tests sent as text, lost workers
retried once and then reported, a scheduler out of reach or dask missing said in one line."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, corpus
from litmus import api, cli, cluster
from litmus.batch import Options
from litmus.cluster import CheckerLost, ClusterBatch, _Checker, check_files, ship_model

OWN = sorted(str(p) for p in (REPO / "litmus_tests" / "SB").glob("*.litmus"))[:4]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


# -- no cluster needed


def test_bad_addresses_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for address in ("local:0", "local:two", "somewhere", "tcp://"):
        code, out, err = run(["check", "--cluster", address, OWN[0]], capsys)
        assert code == 2 and out == "" and "--cluster" in err and "Traceback" not in err, address
    code, _, err = run(["check", "-j", "2", "--cluster", "local:2", OWN[0]], capsys)
    assert code == 2 and "not allowed with" in err


def test_without_the_extra_a_clear_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code, out, err = run(["check", "--cluster", "local:2", OWN[0]], capsys)
    assert (code, out) == (2, "")
    assert err == "litmus: error: --cluster needs the cluster extra: pip install 'litmus[cluster]'\n"


def test_the_core_does_not_import_dask() -> None:
    import subprocess

    probe = "import sys; from litmus.cli import main; main(['check', sys.argv[1]]); print('dask' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe, OWN[0]], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"


def _same_results(a: list, b: list) -> None:
    assert [(r.model, r.observation, r.states, r.positive, r.negative, r.flags) for r in a] == [
        (r.model, r.observation, r.states, r.positive, r.negative, r.flags) for r in b
    ]


def test_a_model_travels_as_text_and_needs_no_files_there(tmp_path: Path) -> None:
    """A .cfg with its bell, cat, def and includes, and a .cat including a file beside it, rebuilt
    from their text after the files are gone, give the results of the models loaded from disk."""
    folder = tmp_path / "model"
    shutil.copytree(corpus("lkmm-kernel", "model"), folder)
    (folder / "mine.cat").write_text('"mine"\ninclude "helper.cat"\nacyclic po | rf | co | fr as sc\n')
    (folder / "helper.cat").write_text("let fr = rf^-1 ; co\n")
    names = [str(folder / "linux-kernel.cfg"), str(folder / "mine.cat"), "lkmm"]
    loaded = [api.load_model(n) for n in names]
    shipped = tuple(ship_model(n, spec) for n, spec in zip(names, loaded))
    tests = [*OWN, str(REPO / "litmus_tests" / "SB" / "SB+locks.litmus")]
    expected = [api.run_file(t, loaded) for t in tests]
    shutil.rmtree(folder)
    rebuilt = [cluster._rebuild(m) for m in shipped]
    for test, want in zip(tests, expected):
        _same_results(api.run_file(test, rebuilt), want)
    assert [m.spec_name for m in shipped] == ["linux-kernel", "mine", "lkmm"]


def test_an_include_missing_here_is_the_same_error_there(tmp_path: Path) -> None:
    model = tmp_path / "broken.cat"
    model.write_text('"broken"\ninclude "nowhere.cat"\n')
    spec = api.load_model(str(model))
    (here,) = api.run_file(OWN[0], [spec])
    rebuilt = cluster._rebuild(ship_model(str(model), spec))
    model.unlink()
    (there,) = api.run_file(OWN[0], [rebuilt])
    assert there.error == here.error and "cannot find included model file 'nowhere.cat'" in (there.error or "")


def _task_files(paths: list[str]) -> tuple[tuple[int, str, str], ...]:
    return tuple((k, p, Path(p).read_text()) for k, p in enumerate(paths))


def test_the_task_checks_in_a_process_of_its_own() -> None:
    """What a worker runs, here: the same results as checking here; a checking process that
    died while idle is replaced; one that dies under a task fails the task (for Dask's retry)."""
    models = (ship_model("sc", api.load_model("sc")), ship_model("tso", api.load_model("tso")))
    options = Options(count=False, explain=False)
    outcomes = check_files(models, options, _task_files(OWN))
    assert [o.path for o in outcomes] == OWN
    for outcome in outcomes:
        here = api.run_file(outcome.path, [api.load_model("sc"), api.load_model("tso")], count=False, explain=False)
        _same_results(outcome.results, here)
    cluster._idle[-1].process.kill()
    cluster._idle[-1].process.wait()
    assert len(check_files(models, options, _task_files(OWN[:1]))) == 1
    checker = _Checker()
    checker.process.kill()
    checker.process.wait()
    with pytest.raises(CheckerLost):
        checker.run(models, options, _task_files(OWN[:1]))
    checker.stop()


def test_a_silent_checking_process_is_killed_and_the_rest_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a local worker stuck in native code: past its silence limit the process is killed, its
    file is Unknown, and the files after it run in a fresh process."""
    models = (ship_model("sc", api.load_model("sc")),)
    monkeypatch.setattr(cluster, "silent_after", lambda options: 0.0)  # nothing answers that fast
    outcomes = check_files(models, Options(timeout=5.0), _task_files(OWN[:2]))
    assert [o.path for o in outcomes] == OWN[:2]
    for outcome in outcomes:
        assert [r.observation for r in outcome.results] == ["Unknown"]
        assert "worker killed" in (outcome.results[0].error or "")
        assert outcome.results[0].test == Path(outcome.path).stem


# -- on a cluster


@pytest.fixture(scope="module")
def scheduler() -> str:
    """A local cluster started here, reached by its address as a remote one would be; with the
    settings `local:N` gets (one retry of a task whose worker is lost)."""
    pytest.importorskip("distributed")
    import dask
    import distributed

    with dask.config.set(cluster.LOCAL_SETTINGS):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **cluster.LOCAL_CLUSTER)
    yield local.scheduler_address
    local.close()


def test_an_unreachable_scheduler_fails_before_any_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    code, out, err = run(["check", "-f", "json", "--cluster", "tcp://127.0.0.1:1", *OWN], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("litmus: error: cannot reach the Dask scheduler at tcp://127.0.0.1:1: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_worker_of_another_version_is_refused_before_any_work(
    scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cluster, "litmus_version", lambda: "0.0.0")  # what each worker answers
    code, out, err = run(["check", "--cluster", scheduler, OWN[0]], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("litmus: error: worker tcp://") and "runs litmus 0.0.0, this is litmus" in err
    assert err.count("\n") == 1


def test_first_200_paulmck_tests_as_with_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    files = [str(p) for p in sorted(corpus("paulmck-dev").rglob("*.litmus"))[:200]]
    local = run(["check", "-m", "lkmm", "-f", "table", "-j", "2", *files], capsys)
    remote = run(["check", "-m", "lkmm", "-f", "table", "--cluster", "local:2", *files], capsys)
    assert remote == local
    assert len(local[1].splitlines()) == 2 + len(files)


def test_json_rows_in_input_order(scheduler: str, capsys: pytest.CaptureFixture[str]) -> None:
    local = run(["check", "-m", "sc,tso", "-f", "json", "-j", "2", *OWN], capsys)
    remote = run(["check", "-m", "sc,tso", "-f", "json", "--cluster", scheduler, *OWN], capsys)
    assert remote[0] == local[0] == 0
    strip = ("time_s", "max_rss_mb", "cycle", "forbidden_by")  # the explaining execution may differ between runs
    assert [{k: v for k, v in r.items() if k not in strip} for r in rows(remote[1])] == [
        {k: v for k, v in r.items() if k not in strip} for r in rows(local[1])
    ]


def _killing_task():  # type: ignore[no-untyped-def]
    """check_files, but a task with `victim` kills its worker the first time, one with `doomed`
    every time (a nested function: sent to the workers by value, this module need not be there)."""

    def killing(models, options, files):  # type: ignore[no-untyped-def]
        import os
        import signal
        from pathlib import Path

        from litmus.cluster import check_files  # on the worker: the real one

        for _, path, _ in files:
            once = Path(path + ".killed")
            if path.endswith("doomed.litmus") or (path.endswith("victim.litmus") and not once.exists()):
                once.touch()
                os.kill(os.getpid(), signal.SIGKILL)  # the Dask worker itself: the task runs on its thread
        return check_files(models, options, files)

    return killing


def _victim_and_doomed(folder: Path) -> tuple[str, str]:
    sb = Path(OWN[0]).read_text()
    for name in ("victim", "doomed"):
        (folder / f"{name}.litmus").write_text(sb)
    return str(folder / "victim.litmus"), str(folder / "doomed.litmus")


def test_lost_workers(tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """A task whose worker is killed once runs again and gives its verdict; one that kills its
    worker every time is Unknown (worker lost) after the second loss; every row is there, in
    order, and the run's status is that of a run where every test ran."""
    victim, doomed = _victim_and_doomed(tmp_path)
    monkeypatch.setattr(cluster, "check_files", _killing_task())
    files = [OWN[1], victim, OWN[2], doomed, OWN[3]]
    code, out, err = run(["check", "-m", "sc", "-f", "json", "--cluster", scheduler, *files], capsys)
    found = rows(out)
    assert code == 0
    assert [r["file"] for r in found] == files
    assert (tmp_path / "victim.litmus.killed").exists()  # killed once, then checked
    assert [r["observation"] == "Unknown" for r in found] == [False, False, False, True, False]
    assert found[3]["error"] == "worker lost" and found[3]["test"] == "SB+fencembonceonce+poonceonce"


def test_a_lost_task_of_several_files_is_split(tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lost twice, a task of three files becomes three tasks: the two good files are checked,
    the bad one is lost twice more and is Unknown (worker lost)."""
    _, doomed = _victim_and_doomed(tmp_path)
    monkeypatch.setattr(cluster, "check_files", _killing_task())
    files = [OWN[1], doomed, OWN[2]]
    outcomes = list(ClusterBatch(files, ["sc"], Options(count=False), scheduler, files_per_task=3))
    assert [o.path for o in outcomes] == files
    assert [o.results[0].observation == "Unknown" for o in outcomes] == [False, True, False]
    assert outcomes[1].results[0].error == "worker lost"


def test_timeout_gives_unknown_and_goes_on(tmp_path: Path, scheduler: str, capsys: pytest.CaptureFixture[str]) -> None:
    ring = tmp_path / "SBring20.litmus"  # a store-buffering ring of 20 threads: far more than 1 s of work
    body = [f"P{k}(int *x{k}, int *x{(k + 1) % 20}) {{ int r0; WRITE_ONCE(*x{k}, 1); r0 = READ_ONCE(*x{(k + 1) % 20}); }}"
            for k in range(20)]  # fmt: skip
    ring.write_text("C SBring20\n{}\n" + "\n".join(body) + "\nexists (" + " /\\ ".join(f"{k}:r0=0" for k in range(20)) + ")\n")
    code, out, _ = run(["check", "-m", "arm", "--timeout", "1", "-f", "json", "--cluster", scheduler, str(ring), OWN[0]], capsys)
    found = rows(out)
    assert code == 0
    # Unknown, or the verdict with a note when only the counting ran out of time: as with -j
    assert "timeout" in found[0]["error"] and found[0]["test"] == "SBring20"
    assert found[1]["observation"] in ("Never", "Sometimes", "Always")


def test_ctrl_c_cancels_and_prints_what_finished(scheduler: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    calls: list[int] = []
    closed: list[int] = []
    real_outcomes, real_close = ClusterBatch._outcomes, ClusterBatch.close

    def interrupted(self, future, files):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_outcomes(self, future, files)

    def close(self) -> None:  # type: ignore[no-untyped-def]
        closed.append(len(self.running))
        real_close(self)
        assert self.client is None

    monkeypatch.setattr(ClusterBatch, "_outcomes", interrupted)
    monkeypatch.setattr(ClusterBatch, "close", close)
    files = [*OWN, *sorted(str(p) for p in (REPO / "litmus_tests" / "MP").glob("*.litmus"))[:4]]
    code, out, err = run(["check", "-m", "sc", "-f", "json", "--cluster", scheduler, *files], capsys)
    assert code == 130 and err.endswith("litmus: interrupted\n")
    printed = [r["file"] for r in rows(out)]  # what came back, each once, in input order
    assert 1 <= len(printed) < len(files) and printed == sorted(set(printed), key=files.index)
    assert closed and closed[0] >= 1  # what was still out there was cancelled
