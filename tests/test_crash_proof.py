"""Crash-proof batches (issue 17): a worker killed by a signal or out of memory costs only its
own file's unfinished rows (`Unknown`, with the reason), the run goes on; SIGTERM stops a run
as Ctrl-C does; files written by --graph and `litmus gen` appear whole or not at all."""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from litmus import api, batch, cli
from litmus.batch import Batch, Options
from litmus.report.files import whole_file, write_whole
from litmus.result import UNKNOWN
from tests.test_parallel import sb_ring

REPO = Path(__file__).resolve().parents[1]
SB = str(REPO / "litmus_tests" / "SB" / "SB+poonceonces.litmus")
MP = str(REPO / "litmus_tests" / "MP" / "MP+poonceonces.litmus")
LB = str(REPO / "litmus_tests" / "LB" / "LB+poonceonces.litmus")
MODELS = ["sc", "tso", "arm"]


def copy_of(path: str, folder: Path, name: str) -> str:
    target = folder / name
    target.write_text(Path(path).read_text())
    return str(target)


def die(how: str) -> None:
    if how == "SIGKILL":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "SIGSEGV":  # what a crash inside z3's native code looks like from outside
        faulthandler.disable()  # pytest's dump of the dying worker's stack would only be noise
        ctypes.string_at(0)
    else:
        os.abort()


@pytest.mark.parametrize("how, signal_name", [("SIGKILL", "SIGKILL"), ("SIGSEGV", "SIGSEGV"), ("abort", "SIGABRT")])
def test_a_worker_that_dies_costs_only_its_unfinished_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           how: str, signal_name: str) -> None:  # fmt: skip
    crash = copy_of(SB, tmp_path, "crash.litmus")
    real = batch.check_file

    def dies_after_one_model(path, specs, options, emit=None, per_model=True, **rest):  # type: ignore[no-untyped-def]
        if "crash" in path:
            real(path, specs[:1], options, emit, per_model, **rest)  # the first model's row is sent
            die(how)
        return real(path, specs, options, emit, per_model, **rest)

    monkeypatch.setattr(batch, "check_file", dies_after_one_model)  # the forked workers inherit it
    files = [MP, crash, LB, SB]
    outcomes = list(Batch(files, MODELS, Options(), jobs=2))
    assert [o.path for o in outcomes] == files
    crashed = outcomes[1].results
    assert [r.model for r in crashed] == MODELS
    assert crashed[0].observation == "Never"  # SB under sc: it finished before the crash
    assert [r.observation for r in crashed[1:]] == [UNKNOWN, UNKNOWN]
    assert all(r.error == f"worker crashed (killed by {signal_name})" for r in crashed[1:])
    for outcome in outcomes[:1] + outcomes[2:]:
        assert [r.model for r in outcome.results] == MODELS
        assert all(r.observation in ("Never", "Sometimes", "Always") for r in outcome.results)


def test_herd_output_names_the_crash_and_the_run_succeeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    crash = copy_of(SB, tmp_path, "crash.litmus")
    real = batch.check_file

    def killed(path, specs, options, emit=None, per_model=True, **rest):  # type: ignore[no-untyped-def]
        if "crash" in path:
            die("SIGKILL")
        return real(path, specs, options, emit, per_model, **rest)

    monkeypatch.setattr(batch, "check_file", killed)
    assert cli.main(["check", "-j", "2", MP, crash, LB]) == 0  # every test ran; one was cut short
    out = capsys.readouterr().out
    assert "Unknown SB+poonceonces worker crashed (killed by SIGKILL)" in out
    assert out.count("Observation ") == 2


def test_over_the_memory_limit_is_unknown_memory_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    hog = copy_of(SB, tmp_path, "hog.litmus")
    real = api.run_file

    def fills_memory(path, models, timeout=None, recheck=False, **options):  # type: ignore[no-untyped-def]
        if "hog" in path:
            bytearray(limit << 20)  # more than the whole limit: the allocation fails
        return real(path, models, timeout, recheck, **options)

    monkeypatch.setattr(api, "run_file", fills_memory)
    # a worker's address space includes what it inherits from this process, however big it has grown
    limit = int(batch._status_mb("VmSize") or 0) + 300
    code = cli.main(["check", "-j", "2", "--memory-limit", str(limit), "-m", "sc,tso", "-f", "json", MP, hog, LB, SB])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["test"], r["model"]) for r in rows] == [
        (t, m) for t in ("MP+poonceonces", "SB+poonceonces", "LB+poonceonces", "SB+poonceonces") for m in ("sc", "tso")
    ]
    assert [r["observation"] for r in rows[2:4]] == [UNKNOWN, UNKNOWN]
    assert all(r["error"] == f"memory: over the {limit} MB limit" for r in rows[2:4])
    # the worker that ran out is replaced; the files after it have their verdicts
    assert all(r["observation"] in ("Never", "Sometimes") for r in rows[:2] + rows[4:])
    assert all(r["max_rss_mb"] > 0 for r in rows[:2] + rows[4:])


def test_a_memory_limit_runs_even_one_job_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With -j 1 the check runs in this process, unless a limit asks for a worker to bound."""
    parent = os.getpid()
    seen: list[int] = []
    real = api.run_file

    def where(path, models, timeout=None, recheck=False, **options):  # type: ignore[no-untyped-def]
        seen.append(os.getpid())
        return real(path, models, timeout, recheck, **options)

    monkeypatch.setattr(api, "run_file", where)
    list(Batch([SB], ["sc"], Options(), jobs=1))
    assert seen == [parent]
    (outcome,) = Batch([SB], ["sc"], Options(memory_limit_mb=1024), jobs=1)
    assert outcome.results[0].observation == "Never" and seen == [parent]  # the call was in the worker


def test_json_reports_peak_memory_per_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "-j", "1", "-m", "sc,arm", "-f", "json", SB, MP]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4 and all(isinstance(r["max_rss_mb"], float) and r["max_rss_mb"] > 0 for r in rows)


def test_the_default_memory_limit_shares_the_machine() -> None:
    assert 256 <= batch.default_memory_limit(2) <= 4096
    assert batch.default_memory_limit(10_000) == 256  # never less than a worker needs to start


# ---------------------------------------------------------------- SIGTERM


def _litmus(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "litmus", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO)  # fmt: skip


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_prints_what_finished_and_says_so(tmp_path: Path, jobs: str) -> None:
    slow = sb_ring(tmp_path, 16)  # 2^16 executions to count under arm: far longer than the test waits
    run = _litmus("check", "-j", jobs, "-m", "arm", MP, SB, str(slow), LB)
    assert run.stdout is not None
    first = run.stdout.readline()  # MP's block has begun: the run is under way
    assert first.startswith("Test MP+poonceonces")
    lines = [first]
    while not lines[-1].startswith("Observation SB+poonceonces"):  # SB's block is out: the ring is running
        lines.append(run.stdout.readline())
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 143
    assert err.endswith("litmus: terminated\n") and "Traceback" not in err
    printed = "".join(lines) + out
    assert printed.count("Observation MP+poonceonces") == printed.count("Observation SB+poonceonces") == 1
    assert "SBring16" not in printed


def test_the_workers_ignore_a_sigterm_to_the_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kill -TERM -PGID` reaches the workers too: they leave the decision to the parent, so no
    file is reported as crashed because its worker was told to stop."""
    real = batch.check_file

    def terminated_midway(path, specs, options, emit=None, per_model=True, **rest):  # type: ignore[no-untyped-def]
        os.kill(os.getpid(), signal.SIGTERM)  # this worker only; ignored
        return real(path, specs, options, emit, per_model, **rest)

    monkeypatch.setattr(batch, "check_file", terminated_midway)
    outcomes = list(Batch([MP, SB, LB], ["sc"], Options(), jobs=2))
    assert all(o.results[0].observation == "Never" for o in outcomes)


# ---------------------------------------------------------------- whole files


def test_a_file_is_whole_or_absent(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    with pytest.raises(KeyboardInterrupt):
        with whole_file(target) as temporary:
            temporary.write_text("digraph {")  # half written when the run is stopped
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    write_whole(target, "digraph {}\n")
    assert target.read_text() == "digraph {}\n" and list(tmp_path.iterdir()) == [target]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_gen_stopped_half_way_leaves_only_whole_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[Path] = []
    real = Path.write_text

    def stop_on_the_third(self: Path, text: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        written.append(self)
        if len(written) == 3:
            real(self, text[: len(text) // 2], *args, **kwargs)
            raise KeyboardInterrupt
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", stop_on_the_third)
    out = tmp_path / "out"
    assert cli.main(["gen", str(REPO / "litmus_tests" / "pageblock" / "order.pb"), "-o", str(out)]) == 130
    monkeypatch.undo()
    files = sorted(out.iterdir())
    assert len(files) == 2 and all(f.suffix == ".litmus" for f in files)
    for f in files:
        api.check(str(f), ["sc"])  # each parses: whole


def test_graph_files_are_written_whole(tmp_path: Path) -> None:
    from litmus.report.dot import have_graphviz

    assert cli.main(["check", "-j", "1", "--graph", str(tmp_path), SB]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    expected = ["SB+poonceonces.sc.dot"] + (["SB+poonceonces.sc.png", "SB+poonceonces.sc.svg"] if have_graphviz() else [])
    assert names == expected  # and no temporary file left beside them


def test_workers_go_when_their_parent_is_killed_outright(tmp_path: Path) -> None:
    slow = sb_ring(tmp_path, 20)  # hours of counting under arm: a worker left alone would hang this test
    run = _litmus("check", "-j", "2", "-m", "arm", str(slow), str(slow))
    assert run.stdout is not None
    children: list[str] = []
    while len(children) < 2:  # both workers started
        try:
            children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
        except OSError:
            pytest.skip("no /proc here to find the workers in")
    run.kill()  # SIGKILL: the parent cannot stop its workers itself
    run.wait()
    for child in children:
        while Path(f"/proc/{child}").exists() and "Z" not in _state(child):
            time.sleep(0.05)  # gone (or a zombie waiting to be reaped) at once: PR_SET_PDEATHSIG


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"
