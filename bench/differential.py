"""Random C tests under LKMM, litmus against herd7 block for block (`python3 bench/differential.py`).

The corpora are tests people wrote; these are tests nobody chose. Each is drawn from a seed:
two to four threads of two to five statements over a few locations, from the kernel's
primitives (ONCE accesses, acquire and release, the fences, xchg and cmpxchg in their orderings,
a spinlock's critical sections, RCU read-side sections and grace periods), with `if`s on
registers (control dependencies), registers written back (data dependencies), and an `exists`
(sometimes `forall`) over registers and memory. herd7 runs one process per test
(`herd7-run lkmm`), litmus one process on them all in herd's format, and the two blocks must be
equal field by field: States, Ok/No, Positive/Negative, Flags, Observation.

    python3 bench/differential.py [--tests 200] [--seed 1] [--keep DIR] [--primitives kernel]
    python3 bench/differential.py --arch X86|X86_64|AArch64 [...]

`--primitives kernel` draws from the kernel's other primitives too (KernelThread): plain
accesses, atomic_t operations, smp_store_mb, rcu_dereference and rcu_assign_pointer, SRCU,
spin_trylock, if-else, and `locations` and `filter` lines.

`--arch X86`, `X86_64` and `AArch64` draw hardware tests instead (bench/differential_asm.py
says what; with `--primitives more`, AArch64 tests of more instructions): herd7 runs its own model for the architecture (`herd7-run x86tso`, `x86_64`,
`aarch64`), litmus runs herd's model file and ours (tso, arm) in turn, and each is compared
with herd7.

A difference is printed with its test, which is kept in --keep with herd7's and litmus's output.
Needs ../shared/tools/herd7; nothing here is asserted (tests/ hold what a difference taught).
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
from pathlib import Path

from tabulate import tabulate

import differential_asm
from _common import fmt_s, herd_block
from herd7_c import FIELDS, HERD, difference, litmus_blocks, litmus_run, run_herd

LOCATIONS = ["x", "y", "z"]
VALUES = [1, 2]
XCHG = ["xchg", "xchg_relaxed", "xchg_acquire", "xchg_release"]
CMPXCHG = ["cmpxchg", "cmpxchg_relaxed", "cmpxchg_acquire", "cmpxchg_release"]
FENCES = ["smp_mb();", "smp_wmb();", "smp_rmb();"]


class Thread:
    """One thread being drawn: its statements, registers, and whether it may still nest."""

    def __init__(self, rng: random.Random, number: int, locations: list[str]) -> None:
        self.rng, self.number, self.locations = rng, number, locations
        self.registers: list[str] = []  # each loaded once, in order: later statements may read them

    def register(self) -> str:
        """A new register, loaded here."""
        name = f"r{len(self.registers)}"
        self.registers.append(name)
        return name

    def statement(self, depth: int = 0, locked: bool = False) -> list[str]:
        rng = self.rng
        loc = rng.choice(self.locations)
        v = rng.choice(VALUES)
        kinds = ["write", "write", "read", "read", "release", "acquire", "fence", "xchg", "cmpxchg"]
        if self.registers:
            kinds += ["data", "if"]
        if depth == 0 and not locked:
            kinds += ["lock", "rcu", "sync"]
        kind = rng.choice(kinds)
        if kind == "write":
            return [f"WRITE_ONCE(*{loc}, {v});"]
        if kind == "read":
            r = self.register()
            return [f"{r} = READ_ONCE(*{loc});"]
        if kind == "release":
            return [f"smp_store_release({loc}, {v});"]
        if kind == "acquire":
            r = self.register()
            return [f"{r} = smp_load_acquire({loc});"]
        if kind == "fence":
            return [rng.choice(FENCES)]
        if kind == "xchg":
            r = self.register()
            return [f"{r} = {rng.choice(XCHG)}({loc}, {v});"]
        if kind == "cmpxchg":
            r = self.register()
            return [f"{r} = {rng.choice(CMPXCHG)}({loc}, {rng.choice([0, *VALUES])}, {v});"]
        if kind == "data":
            return [f"WRITE_ONCE(*{loc}, {rng.choice(self.registers)});"]
        if kind == "if":
            cond = f"{rng.choice(self.registers)} == {rng.choice([0, *VALUES])}"
            return [f"if ({cond}) {{", *("\t" + s for s in self.statement(depth + 1, locked)), "}"]
        if kind == "lock":
            body = [s for _ in range(rng.randint(1, 2)) for s in self.statement(depth + 1, True)]
            return ["spin_lock(s);", *body, "spin_unlock(s);"]
        if kind == "rcu":
            body = [s for _ in range(rng.randint(1, 2)) for s in self.statement(depth + 1, True)]
            return ["rcu_read_lock();", *body, "rcu_read_unlock();"]
        return ["synchronize_rcu();"]


ATOMIC_ORDERS = ["", "_relaxed", "_acquire", "_release"]


class KernelThread(Thread):
    """A thread drawing also from the kernel's other primitives (`--primitives kernel`): plain
    accesses (data races), atomic_t operations in every ordering (and the _and_test and
    add_unless forms) with smp_mb__before_atomic and smp_mb__after_atomic, smp_store_mb,
    rcu_dereference and rcu_assign_pointer, synchronize_rcu_expedited, SRCU read-side sections
    (srcu_read_lock or srcu_down_read) and synchronize_srcu, spin_trylock, smp_mb__after_spinlock
    and smp_mb__after_unlock_lock, if-else. The atomic_t is `a`, the srcu_struct `ss`;
    registers holding an SRCU index or a trylock's answer are left out of the condition."""

    def __init__(self, rng: random.Random, number: int, locations: list[str]) -> None:
        super().__init__(rng, number, locations)
        self.indices: set[str] = set()
        self.uses: set[str] = set()  # "atomic_t", "srcu_struct", "spinlock_t": the parameters its statements need

    def statement(self, depth: int = 0, locked: bool = False) -> list[str]:
        rng = self.rng
        kind = rng.choice(["classic"] * 7 + ["plain", "atomic", "atomic", "store_mb", "rcu_pointer"]
                          + (["else"] if self.registers else [])
                          + (["srcu", "sync_srcu", "trylock", "expedited"] if depth == 0 and not locked else [])
                          + (["after_spinlock", "after_unlock_lock"] if locked else []))  # fmt: skip
        loc, v = rng.choice(self.locations), rng.choice(VALUES)
        if kind == "classic":
            return super().statement(depth, locked)
        if kind == "else":
            cond = f"{rng.choice(self.registers)} == {rng.choice([0, *VALUES])}"
            then, other = self.statement(depth + 1, locked), self.statement(depth + 1, locked)
            return [f"if ({cond}) {{", *("\t" + x for x in then), "} else {", *("\t" + x for x in other), "}"]
        if kind == "trylock":
            self.uses.add("spinlock_t")
            taken = self.register()
            self.indices.add(taken)
            body = [x for _ in range(rng.randint(1, 2)) for x in self.statement(depth + 1, True)]
            return [f"{taken} = spin_trylock(s);", f"if ({taken}) {{", *("\t" + x for x in body), "\tspin_unlock(s);", "}"]
        if kind == "expedited":
            return ["synchronize_rcu_expedited();"]
        if kind == "after_unlock_lock":
            return ["smp_mb__after_unlock_lock();"]
        if kind == "plain":
            return [f"*{loc} = {v};"] if rng.random() < 0.5 else [f"{self.register()} = *{loc};"]
        if kind == "store_mb":
            return [f"smp_store_mb(*{loc}, {v});"]
        if kind == "rcu_pointer":
            return [f"rcu_assign_pointer(*{loc}, {v});"] if rng.random() < 0.5 else [f"{self.register()} = rcu_dereference(*{loc});"]
        if kind == "after_spinlock":
            return ["smp_mb__after_spinlock();"]
        if kind in ("sync_srcu", "srcu"):
            self.uses.add("srcu_struct")
        if kind == "sync_srcu":
            return ["synchronize_srcu(ss);"]
        if kind == "srcu":
            index = self.register()
            self.indices.add(index)
            body = [x for _ in range(rng.randint(1, 2)) for x in self.statement(depth + 1, True)]
            lock, unlock = rng.choice([("srcu_read_lock", "srcu_read_unlock"), ("srcu_down_read", "srcu_up_read")])
            return [f"{index} = {lock}(ss);", *body, f"{unlock}(ss, {index});"]
        return self.atomic()

    def atomic(self) -> list[str]:
        rng = self.rng
        self.uses.add("atomic_t")
        v, order = rng.choice(VALUES), rng.choice(ATOMIC_ORDERS)
        op = rng.choice(["add", "add", "inc", "return", "fetch", "xchg", "cmpxchg", "read", "set", "test", "unless"])
        if op in ("add", "inc"):
            core = f"atomic_add({v}, a);" if op == "add" else "atomic_inc(a);"
            before = ["smp_mb__before_atomic();"] if rng.random() < 0.3 else []
            after = ["smp_mb__after_atomic();"] if rng.random() < 0.3 else []
            return [*before, core, *after]
        if op == "read":
            return [f"{self.register()} = atomic_read{rng.choice(['', '_acquire'])}(a);"]
        if op == "set":
            return [f"atomic_set{rng.choice(['', '_release'])}(a, {v});"]
        r = self.register()
        if op == "return":
            return [f"{r} = atomic_add_return{order}({v}, a);"]
        if op == "fetch":
            return [f"{r} = atomic_fetch_add{order}({v}, a);"]
        if op == "xchg":
            return [f"{r} = atomic_xchg{order}(a, {v});"]
        if op == "test":
            return [rng.choice([f"{r} = atomic_dec_and_test(a);", f"{r} = atomic_inc_and_test(a);",
                                f"{r} = atomic_sub_and_test({v}, a);"])]  # fmt: skip
        if op == "unless":
            return [f"{r} = atomic_add_unless(a, {v}, {rng.choice([0, *VALUES])});"]
        return [f"{r} = atomic_cmpxchg{order}(a, {rng.choice([0, *VALUES])}, {v});"]


def draw_test(seed: int, primitives: str = "classic") -> tuple[str, str]:
    """(name, text) of the test drawn from `seed` (`primitives`: "classic", the draw every
    seed recorded in bench/README used, or "kernel": KernelThread's too, named kdiff-SEED)."""
    rng = random.Random(seed)
    kernel = primitives == "kernel"
    name = f"{'kdiff' if kernel else 'diff'}-{seed}"
    locations = LOCATIONS[: rng.randint(2, 3)]
    threads = []
    for number in range(rng.choice([2, 2, 3, 3, 4])):
        t = (KernelThread if kernel else Thread)(rng, number, locations)
        body = [s for _ in range(rng.randint(2, 5 if number < 3 else 3)) for s in t.statement()]
        threads.append((t, body))
    uses = {use for t, _ in threads for use in getattr(t, "uses", ())}
    uses_lock = any("spin_lock(s);" in body for _, body in threads) or "spinlock_t" in uses
    params = ", ".join([f"int *{loc}" for loc in locations] + (["spinlock_t *s"] if uses_lock else [])
                       + (["atomic_t *a"] if "atomic_t" in uses else [])
                       + (["struct srcu_struct *ss"] if "srcu_struct" in uses else []))  # fmt: skip
    lines = [f"C {name}", "", "{}", ""]
    for t, body in threads:
        lines.append(f"P{t.number}({params})")
        lines.append("{")
        lines += [f"\tint {r};" for r in t.registers]
        lines += ["\t" + s for s in body]
        lines += ["}", ""]
    atoms = [f"{t.number}:{r}={rng.choice([0, *VALUES])}" for t, _ in threads for r in t.registers
             if r not in getattr(t, "indices", ())]  # fmt: skip
    atoms += [f"{loc}={rng.choice([0, *VALUES])}" for loc in locations + (["a"] if "atomic_t" in uses else [])]
    chosen = rng.sample(atoms, min(len(atoms), rng.randint(1, 3)))
    joiner = " \\/ " if rng.random() < 0.2 else " /\\ "
    if kernel and rng.random() < 0.2:  # shown beside the condition's locations
        shown = rng.sample(atoms, min(len(atoms), rng.randint(1, 2)))
        lines.append("locations [" + "; ".join(atom.split("=")[0] for atom in shown) + "]")
    if kernel and rng.random() < 0.2:  # executions outside the filter are not counted
        lines.append(f"filter ({rng.choice(atoms)})")
    quantifier = "forall" if rng.random() < 0.15 else "exists"
    lines.append(f"{quantifier} ({joiner.join(chosen)})")
    return name, "\n".join(lines) + "\n"


COUNTS = ["tests", "herd7 finished", "equal blocks", "differences", "litmus errors", "litmus Unknown",
          "herd7 no answer"]  # fmt: skip


def compare(paths: list[Path], herd_out: list[str], output: str) -> tuple[dict[str, int], list[str]]:
    """The counts and the lines describing each difference of litmus's output against herd7's."""
    counts = dict.fromkeys(COUNTS, 0)
    counts["tests"] = len(paths)
    details = []
    for path, out, ours in zip(paths, herd_out, litmus_blocks(paths, output)):
        theirs = herd_block(out)
        if theirs is None:
            counts["herd7 no answer"] += 1
            continue
        counts["herd7 finished"] += 1
        if ours is None:
            counts["litmus errors"] += 1
            details.append(f"{path}: herd7 {theirs['observation']}; litmus printed no block (see litmus.*.err)")
            continue
        if ours["observation"] == "Unknown" or ours.get("cut"):
            counts["litmus Unknown"] += 1
            details.append(f"{path}: herd7 {theirs['observation']}; litmus Unknown")
            continue
        diffs = [f for f in FIELDS if theirs[f] != ours[f]]
        if not diffs:
            counts["equal blocks"] += 1
            continue
        counts["differences"] += 1
        details.append(difference(str(path), diffs, theirs, ours))
    return counts, details


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", choices=["C", *differential_asm.ARCHES], default="C",
                    help="the dialect drawn: C under LKMM (default), or X86, X86_64, AArch64 under their models")  # fmt: skip
    ap.add_argument("--primitives", choices=["classic", "kernel", "more"], default="classic",
                    help="the classic draw, or for C tests the kernel's other primitives too (kernel: KernelThread), "
                         "for AArch64 more instructions (more: differential_asm.AArch64MoreThread)")  # fmt: skip
    ap.add_argument("--tests", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1, help="the first test's seed; the others follow")
    ap.add_argument("--keep", default="/tmp/litmus-differential", help="where the tests and outputs go")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per test, for herd7 and for litmus")
    ap.add_argument("--tablefmt", default="github")
    args = ap.parse_args()
    if not (HERD / "herd7-run").exists():
        sys.exit(f"herd7 not found at {HERD}")
    keep = Path(args.keep)
    keep.mkdir(parents=True, exist_ok=True)
    wider = {"C": "kernel", "AArch64": "more"}
    if args.primitives != "classic" and wider.get(args.arch) != args.primitives:
        sys.exit(f"--primitives {args.primitives} does not draw {args.arch} tests")
    draw = draw_test if args.arch == "C" else differential_asm.ARCHES[args.arch][0]
    if args.primitives != "classic":
        draw = functools.partial(draw, primitives=args.primitives)
    paths = []
    for seed in range(args.seed, args.seed + args.tests):
        name, text = draw(seed)
        path = keep / f"{name}.litmus"
        path.write_text(text, encoding="utf-8")
        paths.append(path)

    herd_s = 0.0
    herd_out: list[str] = []
    for k, path in enumerate(paths):
        if args.arch == "C":
            seconds, out, _ = run_herd(path, keep, args.timeout)
        else:
            word = differential_asm.ARCHES[args.arch][1]
            seconds, out, err = differential_asm.run_herd(word, path, keep, args.timeout)
            if err.strip():  # herd7 rejected the test: the generator's fault
                (keep / f"{path.stem}.herd7.err").write_text(err, encoding="utf-8")
        herd_s += seconds
        herd_out.append(out)
        (keep / f"{path.stem}.herd7").write_text(out, encoding="utf-8")
        if sys.stderr.isatty():
            print(f"\rherd7 {k + 1}/{len(paths)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    if args.arch == "C":
        litmus_s, output = litmus_run(paths, "herd", "litmus", keep, None, args.timeout)
        counts, details = compare(paths, herd_out, output)
        print(tabulate([[*counts.values(), fmt_s(herd_s), fmt_s(litmus_s)]],
                       headers=[*counts, "herd7 s", "litmus s"], tablefmt=args.tablefmt))  # fmt: skip
        for line in details:
            print(line)
        return
    rows, all_details = [], []
    for model in differential_asm.ARCHES[args.arch][2]:
        litmus_s, output = differential_asm.litmus_run(paths, model, keep, args.timeout)
        counts, details = compare(paths, herd_out, output)
        label = differential_asm.model_label(model)
        rows.append([label, *counts.values(), fmt_s(herd_s), fmt_s(litmus_s)])
        all_details += [f"[litmus -m {label}] {line}" for line in details]
    print(tabulate(rows, headers=["litmus model", *COUNTS, "herd7 s", "litmus s"], tablefmt=args.tablefmt))
    for line in all_details:
        print(line)


if __name__ == "__main__":
    main()
