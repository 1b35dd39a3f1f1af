"""litmus in herd7's place: `litmus herd7` (and `litmus-herd7`) under herd7's command line, and
the kernel's own tools/memory-model scripts, unchanged, judging the kernel's tests with litmus
as `herd7` on PATH (from a copy of the model folder laid out as tools/memory-model is)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from litmus.cli import herd7
from tests.conftest import CORPUS

KERNEL = CORPUS / "lkmm-kernel"
MODEL = KERNEL / "model"
HERD_LINUX = CORPUS / "herd-linux"


def _run(argv: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        code = herd7.run(argv, out, err)
    finally:
        os.chdir(saved)
    return code, out.getvalue(), err.getvalue()


def _without_time(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("Time ", "Hash="))]


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip("reference corpus not present")


# ---------------------------------------------------------------- the command line


def test_version_and_unsupported_options() -> None:
    assert _run(["-version"])[:2] == (0, f"{herd7.HERD_VERSION}, Rev: litmus " + __import__("litmus").__version__ + "\n")
    code, out, err = _run(["-dumpes", "true", "T.litmus"])
    assert code == 2 and out == "" and "-dumpes" in err
    code, _, err = _run(["-speedcheck", "fast", "T.litmus"])
    assert code == 2 and "-speedcheck fast" in err


@pytest.mark.parametrize("via_include", [False, True], ids=["from-cfg-folder", "via-I"])
def test_herd_linux_blocks_equal_herd7s(via_include: bool, tmp_path: Path) -> None:
    """The 79 catalogue tests: herd7's recorded output (`.litmus.expected`, herd7 7.58 with the
    kernel's cfg) line for line but Time/Hash, run from the cfg's folder and with -I."""
    _need(HERD_LINUX)
    tests = sorted(HERD_LINUX.glob("*.litmus"))
    args = ["-I", str(MODEL), "-conf", "linux-kernel.cfg"] if via_include else ["-conf", "linux-kernel.cfg"]
    code, out, err = _run(args + [str(t) for t in tests], cwd=tmp_path if via_include else MODEL)
    assert code == 0 and err == ""
    expected = []
    for t in tests:
        expected += _without_time(t.with_name(t.name + ".expected").read_text(encoding="utf-8"))
    assert _without_time(out) == expected


def test_errors_as_herd_prints_them(tmp_path: Path) -> None:
    _need(MODEL)
    bad = tmp_path / "bad.litmus"
    bad.write_text("C bad\n{}\nP0(int *x)\n{\n\tWRITE_TWICE(*x, 1);\n}\nexists (x=1)\n")
    syntax = tmp_path / "syntax.litmus"
    syntax.write_text("C syntax\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x 1);\n}\nexists (x=1)\n")
    code, out, err = _run(["-conf", "linux-kernel.cfg", str(bad), str(syntax)], cwd=MODEL)
    # herd7 7.58: exit 0, nothing on stdout, and these two lines (its own message for the second)
    assert code == 0 and out == ""
    lines = err.splitlines()
    assert lines[0] == f'Warning: File "{bad}": Unknown macro WRITE_TWICE (User error)'
    assert lines[1].startswith(f'Warning: File "{syntax}", line 5, characters 15-16: ')
    assert lines[1].endswith(" (User error)")


# ---------------------------------------------------------------- the kernel's scripts


def _memory_model_folder(tmp_path: Path, tests: list[Path]) -> tuple[Path, dict[str, str]]:
    """tools/memory-model as the scripts expect it, and an environment with litmus as herd7."""
    if shutil.which("bash") is None or not Path("/usr/bin/time").exists():
        pytest.skip("the kernel's scripts need bash and /usr/bin/time")
    _need(KERNEL / "scripts")
    root = tmp_path / "memory-model"
    shutil.copytree(KERNEL / "scripts", root / "scripts")
    for f in MODEL.iterdir():
        shutil.copy(f, root / f.name)
    (root / "litmus-tests").mkdir()
    for t in tests:
        shutil.copy(t, root / "litmus-tests" / t.name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "herd7"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m litmus herd7 "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return root, env


def test_checkalllitmus_judges_every_kernel_test(tmp_path: Path) -> None:
    tests = sorted((KERNEL / "tests").glob("*.litmus")) if (KERNEL / "tests").is_dir() else []
    root, env = _memory_model_folder(tmp_path, tests)
    done = subprocess.run(["bash", "scripts/checkalllitmus.sh"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert "All litmus tests verified as was expected." in done.stderr, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0
    assert done.stdout.count("Observation ") == len(tests) == 47


def test_scripts_report_unknown_macro_timeout_and_options(tmp_path: Path) -> None:
    tests = [KERNEL / "tests" / "MP+pooncerelease+poacquireonce.litmus"]
    root, env = _memory_model_folder(tmp_path, tests)
    macro = root / "litmus-tests" / "MP+unknown-macro.litmus"
    macro.write_text(tests[0].read_text().replace("smp_store_release(flag, 1)", "smp_store_twice(flag, 1)"))
    done = subprocess.run(["bash", "scripts/checktheselitmus.sh", "--", "litmus-tests/MP+unknown-macro.litmus"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert 'Current LKMM version does not know "smp_store_twice"' in done.stdout
    assert done.returncode != 0
    # LKMM_HERD_OPTIONS with an extra option, and a herd7 -timeout the test outlives: no verdict
    ring = root / "litmus-tests" / "big.litmus"
    ring.write_text(_coherence_stress(5))
    env_slow = dict(env, LKMM_HERD_OPTIONS="-conf linux-kernel.cfg -timeout 0.5")
    done = subprocess.run(["bash", "scripts/checktheselitmus.sh", "--", "litmus-tests/big.litmus"],
                          cwd=root, env=env_slow, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert "Observation" not in (root / "litmus-tests" / "big.litmus.out").read_text()
    assert done.returncode != 0
    # the scripts' own timeout (LKMM_TIMEOUT, `timeout 1s herd7 ...`): reported as a timeout
    done = subprocess.run(["bash", "scripts/checktheselitmus.sh", "--timeout", "1s", "--", "litmus-tests/big.litmus"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert "Timeout" in done.stdout and done.returncode != 0


def _coherence_stress(threads: int) -> str:
    """N threads each write x twice then read it: more executions than a second affords."""
    procs = "".join(
        f"P{i}(int *x)\n{{\n\tint r0;\n\tWRITE_ONCE(*x, {2 * i + 1});\n\tWRITE_ONCE(*x, {2 * i + 2});\n"
        f"\tr0 = READ_ONCE(*x);\n}}\n\n"
        for i in range(threads)
    )
    cond = " /\\ ".join(f"{i}:r0=0" for i in range(threads))
    return f"C big\n(*\n * Result: Never\n *)\n{{}}\n\n{procs}exists ({cond})\n"


# ---------------------------------------------------------------- the two gaps: flags in tables, JSON without counts


def test_table_shows_flags_and_json_without_counts(tmp_path: Path, capsys) -> None:
    """A data race is not a bare verdict in a table; `--no-counts` JSON has the states, no counts.
    (herd7 7.58 on this test: `Flag data-race`, Never 0 7, States [b]=S16; [b]=0.)"""
    from litmus import cli

    test = Path(__file__).resolve().parent / "data" / "fidelity" / "LB+oota-plain-copies.litmus"
    assert cli.main(["check", "-m", "lkmm,sc", "-f", "table", str(test)]) == 0
    out = capsys.readouterr().out
    assert "Never (data-race)" in out.splitlines()[-1]
    assert cli.main(["check", "-m", "lkmm", "-f", "json", "--no-counts", str(test)]) == 0
    obj = __import__("json").loads(capsys.readouterr().out)
    assert (obj["observation"], obj["flags"], obj["positive"], obj["negative"]) == ("Never", ["data-race"], None, None)
    assert obj["states"] == [{"[b]": "S"}, {"[b]": "0"}]
    assert cli.main(["check", "-m", "lkmm", "--no-counts", str(test)]) == 2  # herd's block needs counts
