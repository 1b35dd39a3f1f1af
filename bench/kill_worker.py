"""A batch with a worker killed mid-run (`python bench/kill_worker.py`): every row is still there.

Runs `litmus check -j 2 -m MODELS -f json` on litmus_tests/ (or the given paths), kills one of
its worker processes with SIGKILL once some rows are out (and again later, --kills times), and
prints a table: files, rows expected (files x models), rows printed, rows `Unknown (worker
crashed ...)`, the exit status. Linux only (the workers are found in /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def workers(pid: int) -> list[int]:
    """The child processes of `pid` (litmus's workers)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(w) for w in text.split()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", default=[str(ROOT / "litmus_tests")])
    ap.add_argument("-m", "--models", default="sc,tso,arm")
    ap.add_argument("--kills", type=int, default=3, help="workers to kill, one after another")
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()

    from tabulate import tabulate

    from litmus.cli.common import expand_paths

    files = expand_paths(args.paths)
    models = args.models.split(",")
    run = subprocess.Popen([sys.executable, "-m", "litmus", "check", "-j", "2", "-m", args.models, "-f", "json",
                            *args.paths], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert run.stdout is not None
    rows, killed = [], []
    start = time.perf_counter()
    for line in run.stdout:
        rows.append(json.loads(line))
        due = len(rows) >= (len(killed) + 1) * len(files) * len(models) // (args.kills + 2)
        if due and len(killed) < args.kills:
            alive = workers(run.pid)
            if alive:
                os.kill(alive[0], signal.SIGKILL)
                killed.append(alive[0])
    _, err = run.communicate()
    wall = time.perf_counter() - start
    crashed = [r for r in rows if r["observation"] == "Unknown" and (r["error"] or "").startswith("worker crashed")]
    expected = [(f, m) for f in files for m in models]
    table = [[len(files), len(expected), len(rows), len(killed), len(crashed),
              [(r["file"], r["model"]) for r in rows] == expected, run.returncode, f"{wall:.0f}"]]  # fmt: skip
    print(tabulate(table, headers=["files", "rows expected", "rows printed", "workers killed", "rows Unknown (crashed)",
                                   "every row, in order", "exit status", "wall s"], tablefmt=args.tablefmt))  # fmt: skip
    for r in crashed:
        print(f"{r['test']} {r['model']}: Unknown ({r['error']})")
    if "Traceback" in err:
        print("stderr has a traceback:\n" + err)


if __name__ == "__main__":
    main()
