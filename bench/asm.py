"""The shared hardware tests (herd-x86_64, herd-aarch64, classic/X86, classic/AArch64) and our
own (litmus_tests/X86, X86_64, AArch64) side by side with herd7: herd7 one process per test under its own model; litmus in one `litmus check
-f table` process per model family, under herd's model files and under ours; a ratio.

    python3 bench/asm.py                # timing table (herd7 column when ../shared/tools/herd7 is there)
    python3 bench/asm.py --record       # rewrite tests/data/herd7-asm.tsv from herd7's own output

The recorded file is the expectation of tests/test_asm.py: herd7's blocks (States, Ok/No,
Positive/Negative, Flags, Observation), one row per test and model, with herd7's version.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

from _common import CORPUS, REPO, corpus_dir, fmt_s, herd_block, run_cli

HERD = REPO.parent / "shared" / "tools" / "herd7"
LIBDIR = HERD / "libdir"
RECORD = REPO / "tests" / "data" / "herd7-asm.tsv"

# folder (of ../shared/corpus, or of the project: litmus_tests/...) -> (herd7-run model word,
# herd's model file, our model)
FAMILIES = {
    "classic/X86": ("x86tso", "x86tso.cat", "tso"),
    "herd-x86_64": ("x86_64", "x86tso-mixed.cat", "tso"),
    "classic/AArch64": ("aarch64", "aarch64.cat", "arm"),
    "herd-aarch64": ("aarch64", "aarch64.cat", "arm"),
    "litmus_tests/X86": ("x86tso", "x86tso.cat", "tso"),
    "litmus_tests/X86_64": ("x86_64", "x86tso-mixed.cat", "tso"),
    "litmus_tests/AArch64": ("aarch64", "aarch64.cat", "arm"),
}


def folder_path(folder: str) -> Path:
    return REPO / folder if folder.startswith("litmus_tests/") else corpus_dir(*folder.split("/"))
COLUMNS = ["file", "model", "observation", "positive", "negative", "ok", "flags", "states"]


def files() -> list[tuple[str, Path]]:
    out = []
    for folder in FAMILIES:
        out += [(folder, p) for p in sorted(folder_path(folder).glob("*.litmus"))]
    return out


def run_herd(word: str, path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([str(HERD / "herd7-run"), word, str(path)], capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def record() -> None:
    version = subprocess.run([str(HERD / "herd7"), "-version"], capture_output=True, text=True).stdout.strip()
    rows = []
    for folder, path in files():
        word, model_file, _ = FAMILIES[folder]
        for herd_word, model in ((word, model_file), ("sc.cat", "sc.cat")):  # its model, and SC
            _, output = run_herd(herd_word, path)
            block = herd_block(output)
            if block is None:
                print(f"herd7 gave no verdict on {path} under {model}", file=sys.stderr)
                continue
            rel = str(path.relative_to(REPO if folder.startswith("litmus_tests/") else CORPUS))
            rows.append([rel, model] + [block[c] for c in COLUMNS[2:]])
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    with RECORD.open("w", encoding="utf-8") as out:
        out.write(f"# herd7 output on the shared hardware tests: {version}; written by bench/asm.py --record\n")
        out.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    print(f"{len(rows)} rows written to {RECORD}")


def timing(tablefmt: str) -> None:
    have_herd = (HERD / "herd7").is_file()
    rows = []
    total = {"herd7": 0.0, "litmus herd's model": 0.0, "litmus ours": 0.0}
    for folder, (word, model_file, ours) in FAMILIES.items():
        paths = [p for f, p in files() if f == folder]
        herd_s = sum(run_herd(word, p)[0] for p in paths) if have_herd else float("nan")
        theirs_s, _ = run_cli(["check", "-f", "table", "-m", str(LIBDIR / model_file), str(folder_path(folder))])
        ours_s, _ = run_cli(["check", "-f", "table", "-m", ours, str(folder_path(folder))])
        total["herd7"] += herd_s
        total["litmus herd's model"] += theirs_s
        total["litmus ours"] += ours_s
        rows.append([folder, len(paths), fmt_s(herd_s), fmt_s(theirs_s), fmt_s(ours_s),
                     f"{theirs_s / herd_s:.2f}" if have_herd else "-"])  # fmt: skip
    rows.append(["all", len(files()), fmt_s(total["herd7"]), fmt_s(total["litmus herd's model"]),
                 fmt_s(total["litmus ours"]),
                 f"{total['litmus herd' + chr(39) + 's model'] / total['herd7']:.2f}" if have_herd else "-"])  # fmt: skip
    print("wall seconds: herd7 one process per test (start-up included); litmus one `check -f table` "
          "process per folder and model (start-up included)\n")  # fmt: skip
    print(tabulate(rows, headers=["tests", "n", "herd7", "litmus, herd's model", "litmus, ours",
                                  "ratio litmus/herd7 (herd's model)"], tablefmt=tablefmt))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="rewrite tests/data/herd7-asm.tsv with herd7")
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()
    if args.record:
        if not (HERD / "herd7").is_file():
            sys.exit(f"herd7 not found at {HERD}")
        record()
    else:
        timing(args.tablefmt)


if __name__ == "__main__":
    main()
