"""-j: parallel runs give the same results in input order; timeouts give Unknown; hung workers
are killed and reported; the run goes on."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from litmus import api, batch, cli
from litmus.batch import Batch, Options
from litmus.result import UNKNOWN
from litmus.syntax.c_parser import parse_file

REPO = Path(__file__).resolve().parents[1]
FILES = sorted(str(p) for p in (REPO / "litmus_tests").rglob("*.litmus"))[:24]


def _strip(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines()]
    for row in rows:
        row.pop("time_s")
        row.pop("max_rss_mb")  # a measurement, like the time
        row.pop("cycle")  # the explaining execution may differ between solver runs
        row.pop("forbidden_by")
    return rows


def test_parallel_matches_sequential(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "-m", "sc,tso", "-f", "json", "-j", "1", *FILES]) == 0
    one = _strip(capsys.readouterr().out)
    assert cli.main(["check", "-m", "sc,tso", "-f", "json", "-j", "3", *FILES]) == 0
    three = _strip(capsys.readouterr().out)
    assert one == three and len(one) == 2 * len(FILES)


def test_herd_output_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "-j", "2", *FILES[:8]]) == 0
    names = [line.split()[1] for line in capsys.readouterr().out.splitlines() if line.startswith("Test ")]
    assert names == [Path(f).stem for f in FILES[:8]]


def _slow_run_file(path, models, timeout):  # type: ignore[no-untyped-def]
    if "hang" in path:
        time.sleep(60)  # a hang the worker's own timer cannot see (signals blocked below)
    from litmus import api

    return api.run_file.__wrapped__(path, models, timeout)  # type: ignore[attr-defined]


def test_hung_worker_is_killed_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hang = tmp_path / "hang.litmus"
    hang.write_text((REPO / "litmus_tests/SB/SB+poonceonces.litmus").read_text())

    def stuck(path, specs, options, emit=None, per_model=True, **rest):  # type: ignore[no-untyped-def]
        if "hang" in path:
            import signal

            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        return real(path, specs, options, emit, per_model, **rest)

    real = batch.check_file
    monkeypatch.setattr(batch, "check_file", stuck)
    monkeypatch.setattr(batch, "GRACE_S", 0.5)
    # a hung worker is killed (not waited for: it would sleep 60 s and then answer normally)
    outcomes = list(Batch([FILES[0], str(hang), FILES[1]], ["sc", "tso"], Options(timeout=0.5), jobs=2))
    assert [o.path for o in outcomes] == [FILES[0], str(hang), FILES[1]]
    killed = outcomes[1].results
    assert [r.observation for r in killed] == [UNKNOWN, UNKNOWN]
    assert "killed" in (killed[0].error or "")
    assert all(r.observation != UNKNOWN for o in (outcomes[0], outcomes[2]) for r in o.results)


def sb_ring(folder: Path, threads: int) -> Path:
    """A store-buffering ring: thread k writes x_k, then reads x_{k+1}; exists every read 0."""
    body = []
    for k in range(threads):
        a, b = f"x{k}", f"x{(k + 1) % threads}"
        body.append(f"P{k}(int *{a}, int *{b}) {{ int r0; WRITE_ONCE(*{a}, 1); r0 = READ_ONCE(*{b}); }}")
    cond = " /\\ ".join(f"{k}:r0=0" for k in range(threads))
    path = folder / f"SBring{threads}.litmus"
    path.write_text(f"C SBring{threads}\n{{}}\n" + "\n".join(body) + f"\nexists ({cond})\n")
    return path


def test_timeout_gives_unknown_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    big = sb_ring(tmp_path, 20)
    real = api.run_file

    def never_ends(path, models, timeout=None, recheck=False, **options):  # type: ignore[no-untyped-def]
        while "SBring" in path:  # Python-side work that never ends: only the worker's timer stops it
            pass
        return real(path, models, timeout, recheck, **options)

    monkeypatch.setattr(api, "run_file", never_ends)
    code = cli.main(["check", "-m", "arm", "-j", "2", "--timeout", "1", "-f", "json", str(big), FILES[0]])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["observation"] == UNKNOWN and "timeout" in rows[0]["error"]
    assert rows[1]["observation"] in ("Never", "Sometimes", "Always")


def test_counting_timeout_says_so_and_keeps_the_verdict(tmp_path: Path) -> None:
    """herd's states and counts need all 2^20 executions of a 20-thread SB ring, far more than
    three quarters of the timeout list (16 s in all here); the verdict then needs two solver
    calls (TSO allows the all-zero outcome: every store may sit in its buffer)."""
    ring = sb_ring(tmp_path, 20)
    spec = api.load_model("tso")
    (counted,) = api.run_test(parse_file(str(ring)), [spec], timeout=3)
    assert counted.observation == "Sometimes" and not counted.counted and not counted.states_complete
    assert "timeout" in (counted.error or "") and 0 < len(counted.states) < 2**20
    (verdict,) = api.run_test(parse_file(str(ring)), [spec], timeout=60, count=False)
    assert verdict.observation == "Sometimes"
