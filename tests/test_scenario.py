"""Pageblock scenarios (.pb): parser, expansion, generated text, errors, verdicts, batch inclusion.

litmus_tests/pageblock/expected.tsv holds the expected verdict of every generated test under sc,
tso, arm and lkmm with its argument (hand arguments, never this tool's output).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from litmus.errors import LitmusError
from litmus.scenario import ast
from litmus.scenario.expand import expand, expand_file
from litmus.scenario.parser import parse_scenario
from tests.conftest import corpus

ROOT = Path(__file__).resolve().parent.parent / "litmus_tests" / "pageblock"
FAMILIES = ("order", "batch", "race")
MODELS = ("sc", "tso", "arm", "lkmm")


def _rows() -> list[dict[str, str]]:
    with (ROOT / "expected.tsv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


# ---------------------------------------------------------------- parser


SMALL = """\
# a writer and a reader
scenario small "a small one"
param N = 2..3
param fence = none, wmb
pageblocks N
cpu W { set 0..N-1 (fence smp_wmb when fence == wmb) }
cpu R { read [N-1, 0] }
ask reordered R
"""


def test_parse_small():
    sc = parse_scenario(SMALL, "small.pb")
    assert sc.name == "small" and sc.title == "a small one"
    assert [p.name for p in sc.params] == ["N", "fence"]
    assert [c.name for c in sc.cpus] == ["W", "R"]
    action = sc.cpus[0].body[0]
    assert isinstance(action, ast.Action) and action.verb == "set"
    assert action.modifiers[0].kind == "fence" and action.modifiers[0].arg == "smp_wmb"
    assert action.modifiers[0].when is not None
    assert action.span.line == 6
    assert isinstance(sc.cpus[1].body[0].pbs, ast.PbList)
    assert sc.questions[0].kind == "reordered" and sc.questions[0].cpu == "R"


def test_expand_small_family():
    tests = expand(parse_scenario(SMALL, "small.pb"))
    assert [t.name for t in tests] == [
        "pageblock-small-none-reordered-N2", "pageblock-small-wmb-reordered-N2",
        "pageblock-small-none-reordered-N3", "pageblock-small-wmb-reordered-N3",
    ]  # fmt: skip
    assert "smp_wmb();" in tests[1].text and "smp_wmb();" not in tests[0].text
    # reads pb2 then pb0: the only "later seen, earlier missed" pair is (pb2, pb0)
    assert tests[2].text.endswith("locations [1:r0; 1:r2]\nexists (1:r2=1 /\\ 1:r0=0)\n")


GOLDEN_RACE = """\
P0(int *pb0, int *pb1, spinlock_t *zone)
{
\tint r0;
\tint r1;
\tint fail = 0;

\tspin_lock(zone);
\tr0 = READ_ONCE(*pb0);
\tif (r0 == 0) {
\t\tWRITE_ONCE(*pb0, 1);
\t\tspin_unlock(zone);
\t\tspin_lock(zone);
\t\tr1 = READ_ONCE(*pb1);
\t\tif (r1 == 0) {
\t\t\tWRITE_ONCE(*pb1, 1);
\t\t\tspin_unlock(zone);
\t\t} else {
\t\t\tspin_unlock(zone);
\t\t\tspin_lock(zone);
\t\t\tWRITE_ONCE(*pb0, 0);
\t\t\tspin_unlock(zone);
\t\t\tfail = 1;
\t\t}
\t} else {
\t\tspin_unlock(zone);
\t\tfail = 1;
\t}
}

P1(int *pb1, spinlock_t *zone)
{
\tint r1;
\tint fail = 0;

\tspin_lock(zone);
\tr1 = READ_ONCE(*pb1);
\tif (r1 == 0) {
\t\tWRITE_ONCE(*pb1, 1);
\t\tspin_unlock(zone);
\t} else {
\t\tspin_unlock(zone);
\t\tfail = 1;
\t}
}

locations [pb0; pb1; 0:fail; 1:fail]
exists (0:fail=0 /\\ 1:fail=0)
"""


def test_golden_race_locked_check_then_set_with_undo():
    tests = {t.name: t for t in expand_file(str(ROOT / "race.pb"))}
    text = tests["pageblock-race-locked-o1-both-N2"].text
    assert text.startswith("C pageblock-race-locked-o1-both-N2\n")
    assert text.endswith(GOLDEN_RACE)


def test_golden_conditions():
    tests = {t.name: t for t in expand_file(str(ROOT / "race.pb"))}
    assert tests["pageblock-race-unlocked-o1-leak-N2"].text.endswith(
        "exists ((pb0=1 /\\ 0:fail=1) \\/ (pb1=1 /\\ 0:fail=1 /\\ 1:fail=1))\n"
    )
    assert tests["pageblock-race-unlocked-o1-lost-N2"].text.endswith(
        "exists ((pb0=0 /\\ 0:fail=0) \\/ (pb1=0 /\\ (0:fail=0 \\/ 1:fail=0)))\n"
    )


def test_batch_three_forms():
    tests = {t.name: t for t in expand_file(str(ROOT / "batch.pb"))}
    atomic = tests["pageblock-batch-flush-reader-plain-torn-N2"]
    cs = tests["pageblock-batch-flush-reader-plain-torn-N2-cs"]
    seq = tests["pageblock-batch-flush-reader-plain-torn-N2-seq"]
    assert atomic.flush == "atomic" and atomic.twin == seq.name
    body = "\tWRITE_ONCE(*pb0, 1);\n\tWRITE_ONCE(*pb1, 1);\n"
    assert "\tlitmus_batch_begin(); /* litmus extension, unknown to herd7: a batched flush */\n" + body in atomic.text
    assert "herd7" in atomic.text.split("*)")[0]  # the header says herd7 does not know them
    assert "P0(int *pb0, int *pb1, spinlock_t *batch)\n{\n\tspin_lock(batch);\n" + body + "\tspin_unlock(batch);\n}" in cs.text
    assert "P0(int *pb0, int *pb1)\n{\n" + body + "}" in seq.text
    assert "litmus_batch" not in cs.text and "litmus_batch" not in seq.text


def test_generated_files_are_up_to_date():
    for family in FAMILIES:
        tests = expand_file(str(ROOT / f"{family}.pb"))
        on_disk = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / family).glob("*.litmus")}
        assert sorted(on_disk) == sorted(t.name for t in tests), f"run: litmus gen {family}.pb -o {family}"
        for t in tests:
            assert on_disk[t.name] == t.text, t.name


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("scenario s\npageblocks 2\ncpu A { set 0..1 frobnicate }\nask lost\n", "3:18", "expected"),
        ("scenario s\npageblocks 2\ncpu A { set 0..1 }\nask reordered B\n", "4:1", "unknown CPU 'B'"),
        ("scenario s\npageblocks 2\ncpu A { set 0..5 }\ncpu B { read 0..1 reverse }\nask reordered B\n", "3:13",
         "pageblock 2 out of range"),
        ("scenario s\npageblocks 2\ncpu A { set 0..1 }\n", "1:1", "needs at least one 'ask"),
        ("scenario s\npageblocks 2\ncpu A { batch { isolate 0..1 } }\nask lost\n", "3:17", "cannot be part of a batched"),
        ("scenario s\npageblocks M + 1\ncpu A { set 0 }\ncpu B { read 0 }\nask torn B\n", "2:12", "'M' is not a number"),
    ],
)  # fmt: skip
def test_errors_have_file_line_column(text: str, where: str, message: str):
    with pytest.raises(LitmusError) as info:
        expand(parse_scenario(text, "bad.pb"))
    rendered = info.value.render()
    assert rendered.startswith(f"bad.pb:{where}: "), rendered
    assert message in rendered, rendered


def test_cli_errors_and_gen(tmp_path, capsys):
    from litmus.cli import main

    bad = tmp_path / "bad.pb"
    bad.write_text("scenario s\npageblocks 2\ncpu A { set 0..1 ( }\nask lost\n")
    assert main(["gen", str(bad), "-o", str(tmp_path / "out")]) == 1
    assert f"{bad}:3:20: " in capsys.readouterr().err
    assert main(["check", str(bad)]) == 1
    assert f"{bad}:3:20: " in capsys.readouterr().err
    assert main(["gen", str(ROOT / "order.pb"), "-o", str(tmp_path / "order")]) == 0
    assert (tmp_path / "order" / "pageblock-order-plain-N2.litmus").is_file()


# ---------------------------------------------------------------- verdicts from the table


def _cases() -> list:
    return [pytest.param(row, id=row["test"].split("/")[-1][: -len(".litmus")]) for row in _rows()]


def test_table_is_complete():
    rows = {row["test"] for row in _rows()}
    files = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.litmus")}
    assert rows == files
    for row in _rows():
        assert all(row[m] in ("Never", "Sometimes", "Always") for m in MODELS), row
        assert row["reason"].strip(), row


@pytest.mark.parametrize("row", _cases())
def test_pageblock_verdict(row: dict[str, str]):
    from litmus import api

    results = api.check(str(ROOT / row["test"]), models=list(MODELS))
    assert [r.model for r in results] == list(MODELS)  # one result per model, in order: zip drops none
    assert all(r.test == Path(row["test"]).stem for r in results)
    for model, r in zip(MODELS, results):
        assert r.error is None, (row["test"], model, r.error)
        assert r.observation == row[model], f"{row['test']} under {model}: {r.observation}, expected {row[model]}"


# ---------------------------------------------------------------- batching removes outcomes


def test_batched_states_are_included_in_the_sequential_twins():
    from litmus import api
    from litmus.cli.scenarios import inclusion
    from litmus.syntax.c_parser import parse_litmus

    specs = [api.load_model(m) for m in MODELS]
    tests = {t.name: t for t in expand_file(str(ROOT / "batch.pb")) if dict(t.params)["N"] <= 4}
    results = []
    twins = {}
    for t in tests.values():
        if t.flush in ("atomic", "seq"):
            results += api.run_test(parse_litmus(t.text, t.name), specs)
            if t.twin:
                twins[t.name] = t.twin
    rows = inclusion(results, twins)
    assert len(rows) == len(twins) * len(MODELS)
    assert all(ok for _, _, ok in rows), [r for r in rows if not r[2]]
    # and batching does remove outcomes: the torn view under SC
    by = {(r.test, r.model): r for r in results}
    torn = by[("pageblock-batch-flush-reader-plain-torn-N2", "sc")]
    seq = by[("pageblock-batch-flush-reader-plain-torn-N2-seq", "sc")]
    assert set(torn.states) < set(seq.states)


def test_check_reports_inclusion(tmp_path, capsys):
    from litmus.cli import main

    small = tmp_path / "tiny.pb"
    small.write_text("scenario tiny\npageblocks 2\ncpu W { batch { set 0..1 } }\ncpu R { read 0..1 }\nask torn R\n")
    assert main(["check", "-m", "sc,tso", str(small)]) == 0
    out = capsys.readouterr().out
    assert "inclusion: pageblock-tiny-torn ⊆ pageblock-tiny-torn-seq (batched ⊆ sequential) under tso: yes" in out


# ---------------------------------------------------------------- herd7's verdicts on the sample shapes


SAMPLE = {
    **{f"pageblock-order-{v}-N2": f"order/pageblock-order-{v}-N2.litmus"
       for v in ("plain", "wmb-rmb", "writer-locked", "both-locked")},
    **{f"pageblock-batch-reader-{r}-{q}-N2": f"batch/pageblock-batch-zone-locked-reader-{r}-{mine}-N2.litmus"
       for r in ("plain", "locked") for q, mine in (("torn10", "torn"), ("torn01", "straddle"))},
    **{f"pageblock-race-{lk}-o{o}-{q}-N2": f"race/pageblock-race-{lk}-o{o}-{q}-N2.litmus"
       for lk in ("locked", "unlocked") for o in (1, 2) for q in ("both", "leak", "lost")},
}  # fmt: skip


def _sample_rows() -> list[dict[str, str]]:
    """herd7's rows for ../shared/corpus/pageblock-sample (test, model, observation, states)."""
    with (corpus("pageblock-sample") / "expected.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_sample_shapes_match_herd_under_sc():
    from litmus import api

    # our locks always have semantics: take herd's sc + lock.cat row where there is one
    want: dict[str, dict[str, str]] = {}
    for row in _sample_rows():
        if row["model"] == "sc (herd sc.cat + the kernel lock.cat)":
            want[row["test"]] = row
        elif row["model"].startswith("sc (herd sc.cat: no lock") and row["test"] not in want:
            want[row["test"]] = row
    assert sorted(want) == sorted(SAMPLE)
    for name, mine in SAMPLE.items():
        r = api.check(str(ROOT / mine), models=["sc"])[0]
        assert (r.observation, len(r.states)) == (want[name]["observation"], int(want[name]["states"])), name


@pytest.mark.parametrize("official", [False, True], ids=["lkmm", "linux-kernel.cfg"])
def test_sample_files_and_our_shapes_match_herd_under_lkmm(official: bool):
    """herd7's LKMM verdicts on the sample, for the sample files themselves and for the files our
    scenarios generate for the same shapes."""
    from litmus import api

    model = str(corpus("lkmm-kernel", "model") / "linux-kernel.cfg") if official else "lkmm"
    want = {row["test"]: row for row in _sample_rows() if row["model"] == "lkmm"}
    assert sorted(want) == sorted(SAMPLE)
    folder = corpus("pageblock-sample")
    for name, mine in SAMPLE.items():
        expected = (want[name]["observation"], int(want[name]["states"]))
        for path in (folder / f"{name}.litmus", ROOT / mine):
            r = api.check(str(path), models=[model])[0]
            assert (r.observation, len(r.states)) == expected, (name, path.name)


def test_hand_arguments_agree_with_herd7() -> None:
    """expected.tsv's sc and lkmm verdicts (argued by hand) beside herd7 7.58's own answers on
    the same files: `herd7-run sc+lock` (sc.cat with the kernel's lock.cat) and `herd7-run lkmm`,
    both `-timeout 30`/`60`, recorded as `Observation p n`. herd7 rejects the batch primitives,
    our extension: those rows keep their argument alone."""
    checked = 0
    for row in _rows():
        for model, column in (("sc", "herd7_sc_lock"), ("lkmm", "herd7_lkmm")):
            herd = row[column]
            if herd.startswith("rejected"):
                assert "batch" in row["test"], row["test"]
                continue
            assert herd.split()[0] == row[model], f"{row['test']} under {model}: herd7 {herd}"
            checked += 1
    assert checked == 2 * 186
