"""Report formats. The herd layouts follow herd7 7.58 output for the classic MP and 2+2W tests."""

from __future__ import annotations

import json

from litmus.report import format_herd, format_json, format_note, format_table, herd_hash
from litmus.result import ALWAYS, NEVER, SOMETIMES, UNKNOWN, Result
from tests.conftest import corpus

MP_STATES = (
    (("1:r0", "0"), ("1:r1", "0")),
    (("1:r0", "0"), ("1:r1", "1")),
    (("1:r0", "1"), ("1:r1", "0")),
    (("1:r0", "1"), ("1:r1", "1")),
)


def mp(**changes: object) -> Result:
    base = dict(
        file="MP+poonceonces.litmus",
        test="MP+poonceonces",
        model="lkmm",
        kind="Allowed",
        condition="exists (1:r0=1 /\\ 1:r1=0)",
        observation=SOMETIMES,
        ok=True,
        states=MP_STATES,
        positive=1,
        negative=3,
        time_s=0.004,
    )
    base.update(changes)
    return Result(**base)  # type: ignore[arg-type]


def test_herd_block_matches_herd7_layout() -> None:
    # herd7 -model linux-kernel.cat MP+poonceonces.litmus, Hash line aside.
    expected = (
        "Test MP+poonceonces Allowed\n"
        "States 4\n"
        "1:r0=0; 1:r1=0;\n"
        "1:r0=0; 1:r1=1;\n"
        "1:r0=1; 1:r1=0;\n"
        "1:r0=1; 1:r1=1;\n"
        "Ok\n"
        "Witnesses\n"
        "Positive: 1 Negative: 3\n"
        "Condition exists (1:r0=1 /\\ 1:r1=0)\n"
        "Observation MP+poonceonces Sometimes 1 3\n"
        "Time MP+poonceonces 0.00\n"
        f"Hash={herd_hash(mp())}\n"
        "\n"
    )
    assert format_herd(mp()) == expected


def test_herd_flag_lines_sit_between_witnesses_and_condition() -> None:
    # herd7 2+2W under sc.cat with bell: three states, Never, one flag.
    result = Result(
        file="2+2W.litmus",
        test="C-2+2W+o-o+o-o",
        model="sc",
        kind="Allowed",
        condition="exists ([x0]=1 /\\ [x1]=1)",
        observation=NEVER,
        ok=False,
        states=(
            (("[x0]", "1"), ("[x1]", "2")),
            (("[x0]", "2"), ("[x1]", "1")),
            (("[x0]", "2"), ("[x1]", "2")),
        ),
        positive=0,
        negative=3,
        flags=("this-model-requires-variant-higher-than-lkmmv1",),
    )
    lines = format_herd(result).splitlines()
    assert lines[:12] == [
        "Test C-2+2W+o-o+o-o Allowed",
        "States 3",
        "[x0]=1; [x1]=2;",
        "[x0]=2; [x1]=1;",
        "[x0]=2; [x1]=2;",
        "No",
        "Witnesses",
        "Positive: 0 Negative: 3",
        "Flag this-model-requires-variant-higher-than-lkmmv1",
        "Condition exists ([x0]=1 /\\ [x1]=1)",
        "Observation C-2+2W+o-o+o-o Never 0 3",
        "Time C-2+2W+o-o+o-o 0.00",
    ]
    assert lines[12].startswith("Hash=") and lines[13:] == [""]


def test_herd_flags_sorted_like_herds_flag_map() -> None:
    text = format_herd(mp(flags=("lock-misuse", "data-race")))
    assert "Positive: 1 Negative: 3\nFlag data-race\nFlag lock-misuse\nCondition" in text


def test_herd_forbidden_swaps_positive_line_only() -> None:
    # ~exists: 1 execution satisfies the proposition, 3 do not; herd prints the
    # Positive: line swapped and the Observation line as counted.
    result = mp(kind="Forbidden", condition="~exists (1:r0=1 /\\ 1:r1=0)", ok=False)
    text = format_herd(result)
    assert "Test MP+poonceonces Forbidden\n" in text
    assert "\nNo\nWitnesses\nPositive: 3 Negative: 1\n" in text
    assert "\nObservation MP+poonceonces Sometimes 1 3\n" in text


def test_herd_required_is_not_swapped() -> None:
    result = mp(kind="Required", condition="forall (1:r0=1)", observation=ALWAYS, positive=4, negative=0)
    text = format_herd(result)
    assert "Positive: 4 Negative: 0\n" in text
    assert "Observation MP+poonceonces Always 4 0\n" in text


def test_herd_no_execution_is_never_0_0_without_state_lines() -> None:
    # A deadlocking test: no complete execution; herd prints `States 0` and no state line.
    result = mp(observation=NEVER, ok=False, states=(), positive=0, negative=0)
    lines = format_herd(result).splitlines()
    assert lines[1:5] == ["States 0", "No", "Witnesses", "Positive: 0 Negative: 0"]
    assert "Observation MP+poonceonces Never 0 0" in lines


def test_herd_time_has_two_decimals() -> None:
    assert "\nTime MP+poonceonces 1.26\n" in format_herd(mp(time_s=1.256))


def test_hash_identifies_test_not_model_or_result() -> None:
    h = herd_hash(mp())
    assert len(h) == 32 and all(c in "0123456789abcdef" for c in h)
    assert herd_hash(mp(model="tso", observation=NEVER, positive=0, negative=4)) == h
    assert herd_hash(mp(test="MP+other")) != h


def test_herd_prints_nothing_for_error_and_not_meaningful() -> None:
    err = mp(observation=None, ok=None, error="unsupported primitive", states=())
    nm = mp(model="tso", observation=None, ok=None, not_meaningful="synchronize_rcu is not meaningful under tso")
    assert format_herd(err) == ""
    assert format_herd(nm) == ""
    assert format_note(nm) == "Test MP+poonceonces: synchronize_rcu is not meaningful under tso"
    assert format_note(err) == "MP+poonceonces.litmus: unsupported primitive"
    assert format_note(mp()) is None


def test_herd_unknown_has_no_observation_line() -> None:
    text = format_herd(mp(observation=UNKNOWN, ok=None, states=(), error="timeout after 5.00 s"))
    assert text == "Unknown MP+poonceonces timeout after 5.00 s\n\n"
    assert not any(line.startswith("Observation") for line in text.splitlines())
    default = format_herd(mp(observation=UNKNOWN, ok=None, states=(), time_s=2.0))
    assert default == "Unknown MP+poonceonces timeout after 2.00 s\n\n"


def test_table_rows_per_test_columns_per_model() -> None:
    results = [
        mp(model="sc", observation=NEVER),
        mp(model="tso", observation=NEVER),
        mp(model="lkmm"),
        mp(file="b.litmus", test="SB", model="sc", observation=UNKNOWN),
        mp(file="b.litmus", test="SB", model="tso", observation=None, not_meaningful="x"),
        mp(file="b.litmus", test="SB", model="lkmm", observation=None, error="boom"),
    ]
    text = format_table(results, ["sc", "tso", "lkmm"], tablefmt="plain")
    rows = [line.split() for line in text.splitlines()]
    assert rows == [
        ["test", "sc", "tso", "lkmm"],
        ["MP+poonceonces", "Never", "Never", "Sometimes"],
        ["SB", "Unknown", "n/m", "error"],
    ]


def test_table_passes_tablefmt_and_accepts_model_objects() -> None:
    class Model:
        def __init__(self, name: str) -> None:
            self.name = name

    text = format_table([mp(model="sc", observation=NEVER)], [Model("sc")], tablefmt="github")
    assert text.splitlines()[0].startswith("| test")
    assert "| Never" in text


def test_json_object_shape() -> None:
    line = format_json(mp(flags=("data-race",)))
    assert "\n" not in line
    obj = json.loads(line)
    assert obj == {
        "file": "MP+poonceonces.litmus",
        "test": "MP+poonceonces",
        "model": "lkmm",
        "kind": "Allowed",
        "condition": "exists (1:r0=1 /\\ 1:r1=0)",
        "observation": "Sometimes",
        "ok": True,
        "states": [
            {"1:r0": "0", "1:r1": "0"},
            {"1:r0": "0", "1:r1": "1"},
            {"1:r0": "1", "1:r1": "0"},
            {"1:r0": "1", "1:r1": "1"},
        ],
        "states_complete": True,
        "positive": 1,
        "negative": 3,
        "flags": ["data-race"],
        "time_s": 0.004,
        "max_rss_mb": None,
        "error": None,
        "not_meaningful": None,
        "forbidden_by": [],
        "cycle": None,
    }


def test_json_not_meaningful() -> None:
    obj = json.loads(format_json(mp(observation=None, ok=None, states=(), not_meaningful="why")))
    assert obj["observation"] is None and obj["not_meaningful"] == "why" and obj["states"] == []


def test_herd_block_equals_reference_output_but_hash() -> None:
    reference = (corpus("classic", "C", "herd7-out") / "MP.lkmm.out").read_text().splitlines()
    ours = format_herd(mp()).splitlines()
    assert [l for l in ours if not l.startswith("Hash=")] == [
        l for l in reference if not l.startswith("Hash=")
    ]


def _sb_checker(model: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from litmus import api
    from litmus.arch import lower, parse_file
    from litmus.engine.checker import TestChecker

    path = Path(__file__).resolve().parents[1] / "litmus_tests" / "SB" / "SB+poonceonces.litmus"
    spec = api.load_model(model)
    test = parse_file(str(path))
    return TestChecker(test, spec, lower(test, spec.target, spec.macros, registers=spec.catdep))


def test_a_timeout_while_listing_states_keeps_the_verdict(monkeypatch) -> None:
    """Counting may take only its share of the --timeout; cut there (here at once), the run
    still answers the verdict (a solver call per side of the condition not seen yet), the
    flags and the states found; the counts are unknown and the states marked incomplete
    (herd `States ?`, JSON states_complete false)."""
    import time

    from litmus.engine import checker as checker_module

    for model, verdict in (("sc", NEVER), ("lkmm", SOMETIMES)):  # SB: forbidden by SC only
        full = _sb_checker(model).run(deadline=None)
        monkeypatch.setattr(checker_module, "COUNT_SHARE", 0.0)
        cut = _sb_checker(model).run(deadline=time.perf_counter() + 3600)
        monkeypatch.undo()
        assert full.observation == cut.observation == verdict and full.states_complete and full.counted
        assert not cut.states_complete and not cut.counted and "timeout" in (cut.error or "")
        assert set(cut.states) <= set(full.states) and cut.flags == full.flags and cut.ok == full.ok
        assert (cut.witness is None) == (full.witness is None)
        block = format_herd(cut)
        assert "States ?\n" in block and f"Observation SB+poonceonces {verdict} ? ?" in block
        assert json.loads(format_json(cut))["states_complete"] is False
