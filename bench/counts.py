"""herd's output (States and exact counts) against the verdict alone and against herd7, per test
(`python bench/counts.py [--herd7] [--only SUBSTRING]`).

The tests: every test of the shared corpora where herd7 7.58 needed more than 1 s (its recorded
time, tests/data/herd7-c/*.tsv), the coherence stress family (N threads each writing x twice and
reading it after each write), and the slow pageblock families of the scenario DSL. Each litmus
figure is one `python -m litmus check -m lkmm` process (start-up included), herd format and
`-f table`; herd7's is its recorded time, or with --herd7 a live run in the same session
(`../shared/tools/herd7/herd7-run lkmm`, one process per test, --herd7-timeout seconds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import CORPUS, timed  # noqa: E402
from bench.pageblock import family_at  # noqa: E402
from tests.test_count import coherence_stress  # noqa: E402

HERD7 = ROOT.parent / "shared" / "tools" / "herd7" / "herd7-run"
RECORDS = ROOT / "tests" / "data" / "herd7-c"
# (label, family, N, fixed parameters, question, flush): the slow pageblock tests
PAGEBLOCK = [
    ("race locked overlap 2", "race", 6, {"lock": "locked", "overlap": 2}, "both", None),
    ("race locked overlap 1", "race", 8, {"lock": "locked", "overlap": 1}, "both", None),
    ("race locked overlap 2", "race", 8, {"lock": "locked", "overlap": 2}, "both", None),
    ("order both locked", "order", 5, {"variant": "both_locked"}, "reordered", None),
    ("order both locked", "order", 6, {"variant": "both_locked"}, "reordered", None),
]


def recorded_slow() -> list[tuple[str, Path, str]]:
    """(name, path, herd7's recorded seconds) for each recorded test herd7 took over 1 s on."""
    out = []
    for tsv in sorted(RECORDS.glob("*.tsv")):
        lines = [line for line in tsv.read_text().splitlines() if not line.startswith("#")]
        header = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(header, line.split("\t")))
            if row["observation"] in ("timeout", "error") or float(row["herd_seconds"] or 0) <= 1.0:
                continue
            path = ROOT / row["file"] if row["file"].startswith("litmus_tests/") else CORPUS / row["file"]
            if path.is_file():
                out.append((Path(row["file"]).stem, path, row["herd_seconds"]))
    return out


def generated(folder: Path) -> list[tuple[str, Path, str]]:
    out = []
    for n in (2, 3, 4):
        path = folder / f"CoStress{n}.litmus"
        path.write_text(coherence_stress(n))
        out.append((f"coherence stress N={n}", path, ""))
    for label, family, n, fixed, question, flush in PAGEBLOCK:
        t = family_at(family, n, fixed, question, flush)
        path = folder / f"{t.name}.litmus"
        path.write_text(t.text)
        out.append((f"pageblock {label}, N={n}", path, ""))
    return out


def observation(stdout: str) -> str:
    return next((line.split(None, 2)[2] for line in stdout.splitlines() if line.startswith("Observation")), "-")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--herd7", action="store_true", help="run herd7 live (else its recorded times)")
    ap.add_argument("--herd7-timeout", type=float, default=180.0)
    ap.add_argument("--timeout", type=float, default=300.0, help="per litmus run")
    ap.add_argument("--only", default="", help="tests whose name contains this")
    ap.add_argument("--generated-only", action="store_true", help="the coherence stress and pageblock tests only")
    ap.add_argument("--corpus-only", action="store_true", help="the recorded corpus tests only")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tests = [t for t in generated(Path(tmp)) + recorded_slow() if args.only in t[0]]
        if args.generated_only:
            tests = [t for t in tests if not t[2]]
        if args.corpus_only:
            tests = [t for t in tests if t[2]]
        for name, path, herd_recorded in tests:
            herd_s: float | None = float(herd_recorded) if herd_recorded else None
            herd_obs = ""
            if args.herd7 and HERD7.exists():
                herd_s, out = timed([str(HERD7), "lkmm", str(path)], args.herd7_timeout)
                herd_obs = observation(out)
            full, out = timed([sys.executable, "-m", "litmus", "check", "-m", "lkmm", str(path)], args.timeout)
            verdict, _ = timed([sys.executable, "-m", "litmus", "check", "-m", "lkmm", "-f", "table", str(path)],
                               args.timeout)  # fmt: skip
            counts = observation(out)
            if herd_obs and herd_obs != counts:
                counts += f" (herd7: {herd_obs})"
            rows.append([
                name, _s(herd_s, args.herd7_timeout if args.herd7 else None), _s(full), _s(verdict),
                _ratio(herd_s, full), _ratio(full, verdict), counts,
            ])  # fmt: skip
            print(f"{name}: {rows[-1][1:]}", file=sys.stderr, flush=True)
    headers = ["test", "herd7 s", "litmus herd output s", "litmus verdict s", "herd7 / litmus", "output / verdict",
               "Observation"]  # fmt: skip
    print(tabulate(rows, headers, tablefmt="github"))


def _s(x: float | None, limit: float | None = None) -> str:
    if x is None:
        return f"> {limit:g}" if limit else "-"
    return f"{x:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.1f}x"


if __name__ == "__main__":
    main()
