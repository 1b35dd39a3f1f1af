"""Every C test (shared corpus and litmus_tests) under LKMM: litmus against herd7 7.58, block for block.

herd7's block is compared field by field: States, Ok/No, Positive/Negative, Flags, Observation.

    python3 bench/herd7_c.py --record [FOLDER...]   # rewrite tests/data/herd7-c/FOLDER.tsv from herd7
    python3 bench/herd7_c.py [FOLDER...]            # run litmus, compare with the recorded rows

FOLDER is one of lkmm-kernel, herd-linux, pageblock-sample, classic, litmus_tests, paulmck-dev
(default: all, in that order). Recording runs herd7 one process per test, one at a time
(`herd7-run lkmm -timeout 60 T.litmus`), and writes each row as soon as herd7 ends, so a
recording stopped by SIGTERM or Ctrl-C keeps what finished and lists the files not yet run as
`# not run:` comment lines. A row's observation is herd7's, or `timeout` (herd7 printed no
Observation line) or `error` (herd7 rejected the test: its Warning text in the last column).

Comparing runs litmus in one process per folder, as herd7 users would:
`litmus check -m lkmm --timeout 60 -j 1 @LIST` (herd's format, read block by block like herd7's
output) and `litmus check -m lkmm -f table` (the verdict alone). The recorded files are also the
expectation of tests/test_herd7_c.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

from _common import CORPUS, REPO, fmt_s, herd_block

HERD = REPO.parent / "shared" / "tools" / "herd7"
RECORD_DIR = REPO / "tests" / "data" / "herd7-c"
TIMEOUT = 60
SLOW = 20.0  # seconds: a test slower than this under litmus stays out of tests/test_herd7_c.py
HARDWARE = {"AArch64", "X86", "X86_64"}

# folder name (its TSV's name) -> its root: a folder of ../shared/corpus, or of the repository
FOLDERS: dict[str, tuple[Path, Path]] = {  # name -> (root searched, root paths are relative to)
    "lkmm-kernel": (CORPUS / "lkmm-kernel" / "tests", CORPUS),
    "herd-linux": (CORPUS / "herd-linux", CORPUS),
    "pageblock-sample": (CORPUS / "pageblock-sample", CORPUS),
    "classic": (CORPUS / "classic" / "C", CORPUS),
    "litmus_tests": (REPO / "litmus_tests", REPO),
    "paulmck-dev": (CORPUS / "paulmck-dev", CORPUS),
}
COLUMNS = ["file", "model", "observation", "positive", "negative", "ok", "flags", "states",
           "herd_seconds", "warning"]  # fmt: skip
FIELDS = ["observation", "positive", "negative", "ok", "flags", "states"]  # compared


def is_c_test(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as f:
        return f.readline().startswith("C ")


def files(folder: str) -> list[Path]:
    """The C tests of a folder, sorted (hardware folders of litmus_tests skipped)."""
    root, _ = FOLDERS[folder]
    if not root.is_dir():
        return []
    return [p for p in sorted(root.rglob("*.litmus"))
            if not HARDWARE & set(p.relative_to(root).parts) and is_c_test(p)]  # fmt: skip


def rel(folder: str, path: Path) -> str:
    return path.relative_to(FOLDERS[folder][1]).as_posix()


def abs_path(file: str) -> Path:
    return REPO / file if file.startswith("litmus_tests/") else CORPUS / file


def test_name(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as f:
        words = f.readline().split()
    return words[1] if len(words) > 1 else ""


# ---------------------------------------------------------------- recording


class Stop(Exception):
    """SIGTERM while recording: keep what finished."""


def _on_term(signum: int, frame: object) -> None:
    raise Stop


def herd_version() -> str:
    return subprocess.run([str(HERD / "herd7"), "-version"], check=False, capture_output=True, text=True).stdout.strip()


def run_herd(path: Path, cwd: Path, timeout: float = TIMEOUT) -> tuple[float, str, str]:
    """Wall seconds, stdout and stderr of herd7 on one test (`-timeout`), run from cwd with the
    path relative to it (herd's warnings name the file as given); a hung herd7 is killed."""
    start = time.perf_counter()
    try:
        done = subprocess.run([str(HERD / "herd7-run"), "lkmm", "-timeout", f"{timeout:g}", path.relative_to(cwd).as_posix()],
                              check=False, capture_output=True, text=True, timeout=timeout * 3, cwd=cwd)  # fmt: skip
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        out, err = "", f"killed after {timeout * 3:g} s"
    return time.perf_counter() - start, out, err


def herd_row(file: str, seconds: float, out: str, err: str) -> list[str]:
    block = herd_block(out)
    warning = " ".join(err.split())  # one line, no tabs
    if block is not None:
        return [file, "lkmm"] + [block[c] for c in FIELDS] + [f"{seconds:.2f}", ""]
    # herd7 prints nothing at its timeout; a rejected test gets `Warning: File ...: why (User error)`
    word = "error" if err.strip() and not err.startswith("killed after") else "timeout"
    return [file, "lkmm", word, "", "", "", "", "", f"{seconds:.2f}", warning]


def record(folder: str, version: str) -> bool:
    """herd7 on every C test of a folder; False when stopped (SIGTERM, Ctrl-C) before the end."""
    paths = files(folder)
    target = RECORD_DIR / f"{folder}.tsv"
    target.parent.mkdir(parents=True, exist_ok=True)
    command = (
        f"herd7-run lkmm -timeout {TIMEOUT} T.litmus (../shared/tools/herd7/herd7-run: "
        f"herd7 -I ../shared/corpus/lkmm-kernel/model -conf linux-kernel.cfg -timeout {TIMEOUT})"
    )
    start = time.perf_counter()
    done = 0
    counts = {"finished": 0, "timeout": 0, "error": 0}
    with target.open("w", encoding="utf-8") as out:
        out.write(f"# herd7 {version}; command: {command}; one process per test, one at a time; "
                  f"written by bench/herd7_c.py --record {folder}\n")  # fmt: skip
        out.write("\t".join(COLUMNS) + "\n")
        out.flush()
        try:
            for path in paths:
                seconds, stdout, stderr = run_herd(path, FOLDERS[folder][1])
                row = herd_row(rel(folder, path), seconds, stdout, stderr)
                out.write("\t".join(row) + "\n")
                out.flush()
                done += 1
                counts[row[2] if row[2] in ("timeout", "error") else "finished"] += 1
        except (Stop, KeyboardInterrupt):
            out.write(f"# recording stopped after {time.perf_counter() - start:.0f} s; "
                      f"{len(paths) - done} files not run:\n")  # fmt: skip
            for path in paths[done:]:
                out.write(f"# not run: {rel(folder, path)}\n")
            print(f"{folder}: stopped, {done}/{len(paths)} recorded", file=sys.stderr)
            return False
    print(f"{folder}: {len(paths)} tests in {time.perf_counter() - start:.0f} s "
          f"({counts['finished']} finished, {counts['timeout']} timeouts, {counts['error']} errors) "
          f"-> {target.relative_to(REPO)}")  # fmt: skip
    return True


def read_record(folder: str) -> tuple[list[dict[str, str]], list[str]]:
    """The recorded rows of a folder and the files its recording did not reach."""
    target = RECORD_DIR / f"{folder}.tsv"
    if not target.is_file():
        return [], []
    lines = target.read_text(encoding="utf-8").splitlines()
    not_run = [line.split(":", 1)[1].strip() for line in lines if line.startswith("# not run:")]
    body = [line for line in lines if not line.startswith("#")]
    header = body[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in body[1:]], not_run


# ---------------------------------------------------------------- comparing


def litmus_run(paths: list[Path], fmt: str, folder: str, keep: Path | None, reuse: Path | None,
               timeout: float = TIMEOUT, model: str = "lkmm") -> tuple[float, str]:  # fmt: skip
    """One `litmus check -m MODEL -f FMT --timeout T` process on the files (an @list): its wall
    time and stdout, kept in KEEP/FOLDER.FMT.{out,err,seconds} when asked, or read back from
    REUSE/ instead."""
    if reuse is not None:
        seconds = reuse / f"{folder}.{fmt}.seconds"
        wall = float(seconds.read_text()) if seconds.is_file() else float("nan")
        return wall, (reuse / f"{folder}.{fmt}.out").read_text(encoding="utf-8")
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as lst:
        lst.write("".join(f"{p}\n" for p in paths))
    try:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "litmus", "check", "-m", model, "-f", fmt, "--tablefmt", "tsv",
             "--timeout", f"{timeout:g}", "-j", "1", f"@{lst.name}"],
            check=False, capture_output=True, text=True, cwd=REPO, env=dict(os.environ),
        )  # fmt: skip
        seconds = time.perf_counter() - start
    finally:
        os.unlink(lst.name)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{folder}.{fmt}.out").write_text(done.stdout, encoding="utf-8")
        (keep / f"{folder}.{fmt}.err").write_text(done.stderr, encoding="utf-8")
        (keep / f"{folder}.{fmt}.seconds").write_text(f"{seconds:.3f}\n")
    return seconds, done.stdout


def litmus_blocks(paths: list[Path], output: str) -> list[dict[str, str] | None]:
    """One entry per file, in order: its block's fields, {"observation": "Unknown"} for an
    `Unknown` line, None when litmus printed nothing for it (error on stderr)."""
    items: list[tuple[str, dict[str, str]]] = []
    for chunk in output.split("\n\n"):
        chunk = chunk.strip("\n")
        if chunk.startswith("Unknown "):
            words = chunk.split(None, 2)
            items.append((words[1], {"observation": "Unknown", "reason": words[2] if len(words) > 2 else ""}))
        elif chunk.startswith("Test "):
            block = herd_block(chunk)
            if block is not None:
                times = [line.split()[2] for line in chunk.splitlines() if line.startswith("Time ")]
                block["seconds"] = times[0] if times else ""
                items.append((chunk.split()[1], block))
    out: list[dict[str, str] | None] = []
    k = 0
    for path in paths:
        # a worker killed at the timeout reports the file's stem, not the test's name
        names = {test_name(path), path.stem}
        if k + 1 < len(items) and items[k][0] not in names and items[k + 1][0] in names:
            print(f"litmus output: unexpected block {items[k][0]!r} skipped", file=sys.stderr)
            k += 1
        if k < len(items) and items[k][0] in names:
            out.append(items[k][1])
            k += 1
        else:
            out.append(None)
    return out


def litmus_table(paths: list[Path], output: str) -> list[tuple[str, str]]:
    """One (verdict, flags) per file from `-f table --tablefmt tsv` (a cell reads
    `Never (data-race, mixed-accesses)`); ("", "") for a missing row."""
    cells = [line.split("\t")[-1].strip() for line in output.splitlines()[1:] if line.strip()]
    out = []
    for cell in cells:
        word, _, flags = cell.partition(" (")
        out.append((word, ",".join(sorted(f.strip() for f in flags.rstrip(")").split(",") if f.strip()))))
    return out + [("", "")] * (len(paths) - len(out))


def states_diff(herd: str, ours: str) -> str:
    h, o = set(filter(None, herd.split(" | "))), set(filter(None, ours.split(" | ")))
    parts = []
    if h - o:
        parts.append("herd7 only: " + " | ".join(sorted(h - o)))
    if o - h:
        parts.append("litmus only: " + " | ".join(sorted(o - h)))
    if not parts:
        parts.append("same set, different order")
    return "; ".join(parts)


HEADERS = ["folder", "tests", "not recorded", "herd7 finished", "herd7 timeout", "herd7 error",
           "equal blocks", "differences", "litmus timeouts", "litmus errors", "both timed out",
           "table≠herd7", "table≠own block", "litmus s (herd)", "litmus s (table)"]  # fmt: skip


def difference(file: str, diffs: list[str], herd: dict[str, str], ours: dict[str, str], note: str = "") -> str:
    """How litmus's block for `file` differs from herd7's (`diffs`: the fields that differ)."""
    lines = [f"{file}  (differs in: {', '.join(diffs)}{note})"]
    for f in ("observation", "positive", "negative", "ok", "flags"):
        if f in diffs or f in ("observation", "positive", "negative"):
            lines.append(f"    {f:<11} herd7 {herd[f] or '-':<10} litmus {ours[f] or '-'}")
    if "states" in diffs:
        hs, ls = [list(filter(None, b.split(" | "))) for b in (herd["states"], ours["states"])]
        lines.append(f"    states      herd7 {len(hs)}, litmus {len(ls)}: {states_diff(herd['states'], ours['states'])}")
    return "\n".join(lines)


def _sorted_flags(flags: str) -> str:
    return ",".join(sorted(filter(None, flags.split(","))))


def compare_folder(folder: str, keep: Path | None, reuse: Path | None,
                   model: str = "lkmm") -> tuple[list[object], list[str], list[str]]:  # fmt: skip
    """The summary row of a folder, the lines describing each difference, the slow tests."""
    rows, not_run = read_record(folder)
    paths = [abs_path(r["file"]) for r in rows]
    blocks_s, output = litmus_run(paths, "herd", folder, keep, reuse, model=model)
    table_s, table_out = litmus_run(paths, "table", folder, keep, reuse, model=model)
    n = dict.fromkeys(HEADERS[3:13], 0)
    details: list[str] = []
    slow: list[str] = []
    for row, block, (word, tflags) in zip(rows, litmus_blocks(paths, output), litmus_table(paths, table_out)):
        file, obs = row["file"], row["observation"]
        own = block["observation"] if block else "error"
        if block is not None and block.get("cut"):  # the verdict only: its listing ran out of time
            own = "Unknown"
            block["reason"] = f"states and counts cut by --timeout (the verdict: {block['observation']})"
        if block is not None and block.get("seconds") and float(block["seconds"]) > SLOW:
            slow.append(f"{file}: litmus {block['seconds']} s, herd7 {row['herd_seconds']} s ({obs})")
        if (
            block is not None
            and "Unknown" not in (own, word)
            and (word, tflags) != (own, _sorted_flags(block["flags"]))
        ):
            n["table≠own block"] += 1
            details.append(f"{file}: litmus -f table says {word} ({tflags}), its herd block {own} ({block['flags']})")
        if obs in ("timeout", "error"):
            n["herd7 " + obs] += 1
            n["both timed out"] += obs == "timeout" and own == "Unknown"
            continue
        n["herd7 finished"] += 1
        if word != "Unknown" and (word, tflags) != (obs, _sorted_flags(row["flags"])):
            n["table≠herd7"] += 1
            details.append(f"{file}: litmus -f table says {word} ({tflags}), herd7 {obs} ({row['flags']})")
        if block is None:
            n["litmus errors"] += 1
            details.append(f"{file}: herd7 {obs} {row['positive']} {row['negative']}; litmus: error")
            continue
        if own == "Unknown":
            n["litmus timeouts"] += 1
            details.append(f"{file}: herd7 {obs} in {row['herd_seconds']} s; litmus: {block.get('reason')}")
            continue
        diffs = [f for f in FIELDS if row[f] != block[f]]
        if not diffs:
            n["equal blocks"] += 1
            continue
        n["differences"] += 1
        details.append(difference(file, diffs, row, block, f"; table: {word}"))
    summary = [folder, len(rows) + len(not_run), len(not_run), *n.values(), fmt_s(blocks_s), fmt_s(table_s)]
    return summary, details, slow


def compare(folders: list[str], tablefmt: str, keep: Path | None = None, reuse: Path | None = None,
            model: str = "lkmm") -> None:  # fmt: skip
    summary, details, slow = [], [], []
    start = time.perf_counter()
    for folder in folders:
        if not read_record(folder)[0]:
            print(f"{folder}: no recorded rows (run --record {folder})", file=sys.stderr)
            continue
        row, lines, slow_tests = compare_folder(folder, keep, reuse, model)
        summary.append(row)
        details += lines
        slow += slow_tests
    if len(summary) > 1:
        summary.append(["all"] + [sum(r[k] for r in summary) for k in range(1, len(HEADERS) - 2)]
                       + [fmt_s(sum(float(r[k]) for r in summary)) for k in (-2, -1)])  # fmt: skip
    print(tabulate(summary, headers=HEADERS, tablefmt=tablefmt))
    print(f"\n(compared in {time.perf_counter() - start:.0f} s. differences, litmus timeouts and errors, "
          f"table≠herd7: on tests herd7 finished; table≠herd7: `-f table`'s verdict and flags are not "
          f"herd7's, litmus timeouts left out; table≠own block: not litmus's own herd block)\n")  # fmt: skip
    for d in details:
        print(d)
    if slow:
        print(f"\nslower than {SLOW:.0f} s under litmus (left out of tests/test_herd7_c.py):")
        for line in slow:
            print("    " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="rewrite tests/data/herd7-c/FOLDER.tsv with herd7")
    parser.add_argument("folders", nargs="*", metavar="FOLDER", default=[], help=f"default: all ({', '.join(FOLDERS)})")
    parser.add_argument("--tablefmt", default="simple")
    parser.add_argument("--model", default="lkmm", help="compare: litmus's model (herd7 ran the kernel's own, "
                        "linux-kernel.cfg: give that file to check litmus under the same)")  # fmt: skip
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="compare: keep litmus's raw output in DIR/FOLDER.{herd,table}.{out,err,seconds}",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        metavar="DIR",
        help="compare: read litmus's output kept by --keep DIR instead of running litmus",
    )
    args = parser.parse_args()
    folders = args.folders or list(FOLDERS)
    for folder in folders:
        if folder not in FOLDERS:
            parser.error(f"unknown folder {folder!r} (one of {', '.join(FOLDERS)})")
    if args.record:
        if not (HERD / "herd7").is_file():
            sys.exit(f"herd7 not found at {HERD}")
        if not CORPUS.is_dir():
            sys.exit(f"reference corpus not found at {CORPUS}")
        signal.signal(signal.SIGTERM, _on_term)
        version = herd_version()
        for folder in folders:
            if not record(folder, version):
                break
    else:
        compare(folders, args.tablefmt, args.keep, args.reuse, args.model)


if __name__ == "__main__":
    main()
