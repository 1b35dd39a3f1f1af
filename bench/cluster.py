"""`-j N` against `--cluster local:N` on the paulmck-dev tests under one model, verdict table only.

    python3 bench/cluster.py [--limit 1000] [--model lkmm] [--workers 2] [--runs 3]

Each run is one `litmus check -f table` process (start-up, and for the cluster the LocalCluster's
start and stop, included), timed in wall and in CPU (every process of the run); the two ways
alternate so that other load on the machine falls on both. A one-file run of each tells the fixed
cost (start-up) from the cost per test. The outputs must be identical (the table has no Time
column); a difference is printed and the run counts as failed. Needs the cluster extra
(`pip install -e '.[cluster]'`, psutil comes with it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

from tabulate import tabulate

from _common import REPO, corpus_dir, median


def run(args: list[str]) -> tuple[float, float, int, str]:
    """Wall time, CPU time (every process of the run: litmus, its workers, a local cluster's
    scheduler, workers and checking processes), exit status and stdout of `python -m litmus ARGS`.
    On a machine shared with other work the CPU time is the steadier measure of what a way costs."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "litmus", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=REPO, env=dict(os.environ), text=True, start_new_session=True,  # its session: its processes
    )  # fmt: skip
    answer: list[tuple[str, str]] = []
    reader = threading.Thread(target=lambda: answer.append(proc.communicate()))
    reader.start()
    cpu: dict[int, float] = {}
    while reader.is_alive():
        for p in psutil.process_iter():
            try:
                if os.getsid(p.pid) == proc.pid:
                    times = p.cpu_times()
                    cpu[p.pid] = times.user + times.system
            except (psutil.Error, OSError):
                pass
        reader.join(0.05)
    wall = time.perf_counter() - start
    out, err = answer[0]
    if proc.returncode != 0:
        print(f"exit {proc.returncode}: litmus {' '.join(args[:8])} ...\n{err[-2000:]}", file=sys.stderr)
    return wall, sum(cpu.values()), proc.returncode, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1000, help="the first N tests (sorted)")
    parser.add_argument("--model", default="lkmm")
    parser.add_argument("--workers", type=int, default=2, help="N of -j N and of local:N")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tablefmt", default="simple")
    args = parser.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        sys.exit("needs the cluster extra: pip install -e '.[cluster]'")

    files = [str(p) for p in sorted(corpus_dir("paulmck-dev").rglob("*.litmus"))[: args.limit]]
    ways = {
        f"-j {args.workers}": ["-j", str(args.workers)],
        f"--cluster local:{args.workers}": ["--cluster", f"local:{args.workers}"],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as listing:
        listing.write("\n".join(files) + "\n")
    measured: dict[tuple[str, str], list[tuple[float, float]]] = {}  # (way, one|all) -> [(wall, cpu)]
    outputs: dict[str, set[str]] = {way: set() for way in ways}
    try:
        common = ["check", "-m", args.model, "-f", "table"]
        for _ in range(args.runs):
            for way, flags in ways.items():
                for size, paths in (("one", [files[0]]), ("all", [f"@{listing.name}"])):
                    wall, cpu, status, out = run([*common, *flags, *paths])
                    measured.setdefault((way, size), []).append((wall, cpu))
                    if size == "all":
                        outputs[way].add(f"exit {status}\n{out}")
    finally:
        os.unlink(listing.name)

    def med(way: str, size: str, k: int) -> float:
        return median([m[k] for m in measured[(way, size)]])

    same = len(set().union(*outputs.values())) == 1
    local, cluster = ways
    print(f"{len(files)} paulmck-dev tests under {args.model}, -f table, {args.runs} runs each (medians), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; "
          f"outputs identical: {'yes' if same else 'NO'}")  # fmt: skip
    rows = [
        [way, f"{med(way, 'one', 0):.2f}", f"{med(way, 'one', 1):.2f}", f"{med(way, 'all', 0):.2f}",
         f"{med(way, 'all', 1):.2f}", f"{min(m[0] for m in measured[(way, 'all')]):.2f}"]
        for way in ways
    ]  # fmt: skip
    print(tabulate(rows, headers=["way", "1 test wall s", "1 test CPU s", "all wall s", "all CPU s", "all wall s (min)"],
                   tablefmt=args.tablefmt))  # fmt: skip
    tests = max(1, len(files) - 1)
    fixed_wall = med(cluster, "one", 0) - med(local, "one", 0)
    fixed_cpu = med(cluster, "one", 1) - med(local, "one", 1)
    print()
    print(tabulate([
        ["total wall, cluster / -j", f"{med(cluster, 'all', 0) / med(local, 'all', 0):.3f}"],
        ["total CPU, cluster / -j", f"{med(cluster, 'all', 1) / med(local, 'all', 1):.3f}"],
        ["cluster's extra fixed cost: wall s / CPU s (start, stop)", f"{fixed_wall:.2f} / {fixed_cpu:.2f}"],
        ["cluster's extra cost per test: wall ms / CPU ms (beyond the fixed)",
         f"{1000 * (med(cluster, 'all', 0) - med(local, 'all', 0) - fixed_wall) / tests:.2f} / "
         f"{1000 * (med(cluster, 'all', 1) - med(local, 'all', 1) - fixed_cpu) / tests:.2f}"],
    ], headers=["", ""], tablefmt=args.tablefmt))  # fmt: skip
    if not same:
        for way, seen in outputs.items():
            print(f"\n{way}: {len(seen)} distinct outputs")
        sys.exit(1)


if __name__ == "__main__":
    main()
