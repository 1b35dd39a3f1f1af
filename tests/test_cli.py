"""Command line, with `litmus.api` replaced by fakes (no parsing, no z3)."""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import litmus
from litmus import cli
from litmus.errors import LitmusError, Span
from litmus.result import NEVER, SOMETIMES, UNKNOWN, Result


@dataclass
class FakeModel:
    name: str


class FakeApi:
    """Records calls; `bad` files raise LitmusError, `slow` ones time out, `rcu` ones are n/m."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], float | None]] = []
        self.interrupt_at: str | None = None

    def load_model(self, name: str) -> FakeModel:
        if name not in ("sc", "tso", "lkmm"):
            raise LitmusError(f"unknown model {name!r} (known: sc, tso, lkmm)")
        return FakeModel(name)

    def run_file(self, path: str, models: list[FakeModel], timeout: float | None, **options: object) -> list[Result]:
        self.calls.append((path, [m.name for m in models], timeout))
        stem = Path(path).stem
        if self.interrupt_at == stem:
            raise KeyboardInterrupt
        if "bad" in stem:
            raise LitmusError("unexpected token", path=path, span=Span(3, 5), source="C x\n{}\nP0(@\n")
        return [self._result(path, stem, m.name) for m in models]

    @staticmethod
    def _result(path: str, stem: str, model: str) -> Result:
        common = dict(file=path, test=stem, model=model, kind="Allowed", condition="exists (0:r0=1)")
        if "slow" in stem:
            return Result(**common, observation=UNKNOWN, ok=None, error="timeout after 1.00 s")  # type: ignore[arg-type]
        if "rcu" in stem and model != "lkmm":
            return Result(
                **common, observation=None, ok=None,  # type: ignore[arg-type]
                not_meaningful=f"synchronize_rcu is not meaningful under {model}",
            )
        obs = NEVER if model == "sc" else SOMETIMES
        pos = 0 if obs == NEVER else 1
        return Result(
            **common, observation=obs, ok=pos > 0,  # type: ignore[arg-type]
            states=((("0:r0", "0"),),), positive=pos, negative=1,
        )


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    fake = FakeApi()
    module = types.ModuleType("litmus.api")
    module.load_model = fake.load_model  # type: ignore[attr-defined]
    module.run_file = fake.run_file  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "litmus.api", module)
    monkeypatch.setattr(litmus, "api", module, raising=False)
    from litmus import batch

    monkeypatch.setattr(batch, "default_jobs", lambda: 1)  # the fake API lives in this process
    return fake


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("C t\n{}\nP0() {}\nexists (0:r0=1)\n")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"litmus {litmus.__version__}"


def test_usage_errors_exit_2(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([], capsys)[0] == 2
    assert run(["check"], capsys)[0] == 2
    assert run(["check", "-f", "xml", str(touch(tmp_path / "a.litmus"))], capsys)[0] == 2
    assert run(["check", "--timeout", "-1", str(tmp_path / "a.litmus")], capsys)[0] == 2
    code, out, err = run(["check", str(tmp_path / "missing.litmus")], capsys)
    assert code == 2 and out == ""
    assert "no such file or directory" in err and "missing.litmus" in err
    assert "Traceback" not in err
    assert api.calls == []


def test_unknown_model_exit_2_with_model_message(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "-m", "sc,power", str(touch(tmp_path / "a.litmus"))], capsys)
    assert code == 2 and out == ""
    assert "unknown model 'power'" in err
    assert api.calls == []


def test_default_model_sc_and_herd_format(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = touch(tmp_path / "MP.litmus")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 0 and err == ""
    assert api.calls == [(str(path), ["sc"], None)]
    assert out.startswith("Test MP Allowed\nStates 1\n0:r0=0;\nNo\n")
    assert "\nObservation MP Never 0 1\n" in out and out.endswith("\n\n")


def test_models_repeat_and_comma_separate(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = touch(tmp_path / "MP.litmus")
    code, out, _ = run(["check", "-m", "sc,tso", "-m", "lkmm", "-m", "sc", "--timeout", "2.5", str(path)], capsys)
    assert code == 0
    # each model under its own time limit, in a fresh z3 context (as a worker runs them)
    assert api.calls == [(str(path), ["sc"], 2.5), (str(path), ["tso"], 2.5), (str(path), ["lkmm"], 2.5)]
    # several models: a table by default
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["test", "sc", "tso", "lkmm"]
    assert rows[2] == ["MP", "Never", "Sometimes", "Sometimes"]


def test_herd_format_forced_with_several_models(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = touch(tmp_path / "MP.litmus")
    _, out, _ = run(["check", "-m", "sc,tso", "-f", "herd", str(path)], capsys)
    assert out.count("Test MP Allowed\n") == 2


def test_tablefmt_passed_through(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = touch(tmp_path / "MP.litmus")
    _, out, _ = run(["check", "-f", "table", "--tablefmt", "github", str(path)], capsys)
    assert out.splitlines()[0].startswith("| test")


def test_directory_recursion_sorted(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(tmp_path / "d" / "b.litmus")
    touch(tmp_path / "d" / "a.litmus")
    touch(tmp_path / "d" / "sub" / "c.litmus")
    (tmp_path / "d" / "notes.txt").write_text("not a test")
    code, _, _ = run(["check", "-f", "json", str(tmp_path / "d")], capsys)
    assert code == 0
    assert [Path(p).relative_to(tmp_path / "d").as_posix() for p, _, _ in api.calls] == [
        "a.litmus", "b.litmus", "sub/c.litmus",
    ]


def test_empty_directory_is_usage_error(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(["check", str(tmp_path / "empty")], capsys)
    assert code == 2 and "no .litmus files" in err


def test_at_list_relative_to_list_folder(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(tmp_path / "tests" / "x.litmus")
    touch(tmp_path / "tests" / "more" / "y.litmus")
    touch(tmp_path / "tests" / "z.litmus")
    (tmp_path / "tests" / "inner.lst").write_text("z.litmus\n")
    lst = tmp_path / "tests" / "all.lst"
    lst.write_text("# catalogue\n\nx.litmus   # first\n  more  \n@inner.lst\n")
    code, _, _ = run(["check", "-f", "json", "@" + str(lst)], capsys)
    assert code == 0
    assert [Path(p).name for p, _, _ in api.calls] == ["x.litmus", "y.litmus", "z.litmus"]


def test_at_list_missing_entry_names_list_line(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lst = tmp_path / "l.txt"
    lst.write_text("# c\nnope.litmus\n")
    code, _, err = run(["check", "@" + str(lst)], capsys)
    assert code == 2 and f"{lst}:2:" in err and "nope.litmus" in err
    code, _, err = run(["check", "@" + str(tmp_path / "absent.txt")], capsys)
    assert code == 2 and "cannot read list" in err


def test_at_list_cycle(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.lst").write_text("@b.lst\n")
    (tmp_path / "b.lst").write_text("@a.lst\n")
    code, _, err = run(["check", "@" + str(tmp_path / "a.lst")], capsys)
    assert code == 2 and "includes itself" in err


def test_bad_file_on_stderr_others_still_run(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, bad, c = (touch(tmp_path / n) for n in ("a.litmus", "bad.litmus", "c.litmus"))
    code, out, err = run(["check", str(a), str(bad), str(c)], capsys)
    assert code == 1
    assert [Path(p).name for p, _, _ in api.calls] == ["a.litmus", "bad.litmus", "c.litmus"]
    assert out.count("Observation") == 2
    assert f"{bad}:3:5: unexpected token\n    P0(@\n        ^\n" in err
    assert "Traceback" not in err


def test_bad_file_in_table_and_json(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, bad = touch(tmp_path / "a.litmus"), touch(tmp_path / "bad.litmus")
    code, out, _ = run(["check", "-m", "sc,tso", str(a), str(bad)], capsys)
    assert code == 1
    assert [line.split() for line in out.splitlines()][-1] == ["bad", "error", "error"]
    code, out, _ = run(["check", "-f", "json", str(a), str(bad)], capsys)
    objs = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [o["error"] for o in objs] == [None, "unexpected token"]


def test_timeout_and_not_meaningful_are_not_failures(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slow, rcu = touch(tmp_path / "slow.litmus"), touch(tmp_path / "rcu.litmus")
    code, out, err = run(["check", "-m", "tso", str(slow), str(rcu)], capsys)
    assert code == 0
    assert "Unknown slow timeout after 1.00 s" in out and "Observation" not in out
    assert "Test rcu: synchronize_rcu is not meaningful under tso" in err
    code, out, _ = run(["check", "-m", "tso,lkmm", str(slow), str(rcu)], capsys)
    rows = [line.split() for line in out.splitlines()]
    assert rows[2:] == [["slow", "Unknown", "Unknown"], ["rcu", "n/m", "Sometimes"]]


def test_json_one_object_per_result_line(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = touch(tmp_path / "MP.litmus")
    _, out, _ = run(["check", "-f", "json", "-m", "sc,tso", str(path)], capsys)
    objs = [json.loads(line) for line in out.splitlines()]
    assert [(o["test"], o["model"], o["observation"]) for o in objs] == [
        ("MP", "sc", "Never"), ("MP", "tso", "Sometimes"),
    ]


def test_interrupt_prints_finished_and_exits_130(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(touch(tmp_path / n)) for n in ("a.litmus", "b.litmus", "c.litmus")]
    api.interrupt_at = "b"
    code, out, err = run(["check", "-m", "sc,tso", *files], capsys)
    assert code == 130 and "interrupted" in err
    rows = [line.split()[0] for line in out.splitlines()[2:]]
    assert rows == ["a"]
    code, out, _ = run(["check", *files], capsys)
    assert code == 130 and out.count("Test a Allowed") == 1 and "Test c" not in out


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(
    api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(touch(tmp_path / n)) for n in ("SB.litmus", "MP.litmus")]
    _, _, err = run(["check", *files], capsys)
    assert err == ""  # not a tty
    tty = TtyStream()
    monkeypatch.setattr(sys, "stderr", tty)
    code = cli.main(["check", *files])
    shown = tty.getvalue()
    assert code == 0
    assert "[1/2] SB" in shown and "[2/2] MP" in shown
    assert shown.endswith("\r\033[K")
    # one file: no progress even on a terminal
    tty.seek(0)
    tty.truncate()
    cli.main(["check", files[0]])
    assert tty.getvalue() == ""


def _exit_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """os._exit (the console scripts' end) as SystemExit, so that pytest lives on."""

    def fake_exit(status: int) -> None:
        raise SystemExit(status)

    monkeypatch.setattr(os, "_exit", fake_exit)


def test_module_entry_point(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    _exit_raises(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["litmus", "--version"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_module("litmus", run_name="__main__")
    assert stop.value.code == 0


def test_console_flushes_then_exits_with_main_status(monkeypatch: pytest.MonkeyPatch) -> None:
    from litmus.cli import herd7 as herd7_cli
    main_cli = importlib.import_module("litmus.cli.main")  # (litmus.cli.main is also the function)

    _exit_raises(monkeypatch)
    flushed: list[str] = []

    class Stream(io.StringIO):
        def flush(self) -> None:
            flushed.append(self.name)

    for name in ("stdout", "stderr"):
        stream = Stream()
        stream.name = name
        monkeypatch.setattr(sys, name, stream)
    monkeypatch.setattr(main_cli, "main", lambda: 7)
    with pytest.raises(SystemExit) as stop:
        main_cli.console()
    assert stop.value.code == 7 and flushed == ["stdout", "stderr"]
    monkeypatch.setattr(herd7_cli, "main", lambda: 3)
    with pytest.raises(SystemExit) as stop:
        herd7_cli.console()
    assert stop.value.code == 3


def test_console_reader_gone_before_the_last_flush_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    main_cli = importlib.import_module("litmus.cli.main")  # (litmus.cli.main is also the function)

    _exit_raises(monkeypatch)

    class Gone(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())
    monkeypatch.setattr(main_cli, "main", lambda: 0)
    with pytest.raises(SystemExit) as stop:
        main_cli.console()
    assert stop.value.code == 1  # as a broken pipe during the run


def test_console_output_arrives_whole_through_a_pipe(tmp_path: Path) -> None:
    """The scripts leave by os._exit: what was printed must be flushed first (a pipe is block-buffered)."""
    import subprocess

    test = Path(__file__).parent.parent / "litmus_tests" / "SB" / "SB+poonceonces.litmus"
    done = subprocess.run([sys.executable, "-m", "litmus", "check", "-m", "sc", "-f", "json", str(test)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["test"] == "SB+poonceonces"  # all of it: it parses
