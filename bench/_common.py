"""Shared helpers for the bench scripts: where things are, timing, summaries (no asserts)."""

from __future__ import annotations

import hashlib
import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
MODELS = ["sc", "tso", "arm"]


def corpus_dir(*parts: str) -> Path:
    """A folder of ../shared/corpus, or exit with a message when it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.is_dir():
        sys.exit(f"reference corpus not found at {path}")
    return path


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall time and exit status of `python -m litmus ARGS` (interpreter start-up included)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "litmus", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=dict(os.environ),
    )  # fmt: skip
    return time.perf_counter() - start, proc.returncode


def timed(command: list[str], timeout: float) -> tuple[float | None, str]:
    """Wall time and stdout of a command run from the repository root; (None, "") past timeout."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return None, ""
    return time.perf_counter() - start, proc.stdout


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x: float) -> str:
    return f"{x:.3f}"


# A States list longer than this is recorded as its hash and count (a few RCU rings list
# thousands of states: megabytes of text that say no more than the hash)
LONG_STATES = 20000


def compact_states(states: list[str]) -> str:
    """herd's States lines joined with ` | `, or `sha1:HEX (N states)` when very long."""
    text = " | ".join(states)
    if len(text) <= LONG_STATES:
        return text
    return f"sha1:{hashlib.sha1(text.encode()).hexdigest()} ({len(states)} states)"


def herd_block(output: str) -> dict[str, str] | None:
    """The fields of a herd7-format block that we compare (None when it has no Observation):
    observation, positive, negative, ok, flags (comma-joined), states (compact_states), and
    `cut` when --timeout cut the listing short (`States ?`)."""
    lines = output.splitlines()
    states: list[str] = []
    fields: dict[str, str] = {"flags": "", "ok": ""}
    for k, line in enumerate(lines):
        if line.startswith("States "):
            count = line.split()[1]
            if count == "?":  # cut by --timeout: the states found so far, then Ok or No
                fields["cut"] = "yes"
                states = [s.strip() for s in itertools.takewhile(lambda s: s not in ("Ok", "No"), lines[k + 1 :])]
            else:
                states = [s.strip() for s in lines[k + 1 : k + 1 + int(count)]]
        elif line in ("Ok", "No"):
            fields["ok"] = line
        elif line.startswith("Positive:"):
            words = line.split()
            fields["positive"], fields["negative"] = words[1], words[3]
        elif line.startswith("Flag "):
            fields["flags"] = ",".join(filter(None, [fields["flags"], line.split(None, 1)[1]]))
        elif line.startswith("Observation "):
            fields["observation"] = line.split()[2]
    if "observation" not in fields:
        return None
    fields["states"] = compact_states(states)
    return fields
