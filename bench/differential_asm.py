"""Random X86, X86_64 and AArch64 tests for bench/differential.py (`--arch X86|X86_64|AArch64`).

Each test is drawn from a seed, as the C ones are: two to four threads of two to four
statements (fewer with more threads; a statement is one instruction or an idiom of a few) over x, y and maybe z,
and a final condition over the registers that read memory and over memory, most often
`exists`, sometimes `~exists` or `forall`. herd7 runs it under its own model for the
architecture (`herd7-run x86tso`, `herd7-run aarch64`); litmus runs it under herd's model file
from ../shared/tools/herd7/libdir and under ours (tso, arm): tests/test_asm.py expects both to
give herd7's block.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO

HERD = REPO.parent / "shared" / "tools" / "herd7"
LIBDIR = HERD / "libdir"
LOCATIONS = ["x", "y", "z"]
VALUES = [1, 2]
# statements per thread, at most, by the number of threads: herd7 takes minutes past a dozen
# memory accesses or so (an RMW is two)
MOST = {2: 4, 3: 3, 4: 2}


def _condition(rng: random.Random, registers: list[str], locations: list[str]) -> str:
    """`exists` (sometimes `~exists` or `forall`) over one to three atoms, joined by /\\ (or \\/)."""
    atoms = [f"{r}={rng.choice([0, *VALUES])}" for r in registers]
    atoms += [f"{loc}={rng.choice([0, *VALUES])}" for loc in locations]
    chosen = rng.sample(atoms, min(len(atoms), rng.randint(1, 3)))
    joiner = " \\/ " if rng.random() < 0.2 else " /\\ "
    quantifier = rng.choices(["exists", "~exists", "forall"], [70, 15, 15])[0]
    return f"{quantifier} ({joiner.join(chosen)})"


def _table(columns: list[list[str]]) -> list[str]:
    """The code table: one column per thread, `P0 | P1 ;` on top, cells padded."""
    height = max(len(c) for c in columns)
    cells = [[f"P{k}"] + c + [""] * (height - len(c)) for k, c in enumerate(columns)]
    widths = [max(len(s) for s in c) for c in cells]
    return [" " + " | ".join(c[row].ljust(w) for c, w in zip(cells, widths)) + " ;" for row in range(height + 1)]


# ---------------------------------------------------------------- X86 (Intel syntax, as herd's X86 tests)

X86_REGISTERS = ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI"]


class X86Thread:
    """One X86 thread being drawn: stores and loads (MOV), fences, XCHG (locked, either
    operand order, with or without LOCK), LOCK'd and plain INC/DEC/ADD/XOR of memory, a store of
    a loaded register (or of a register computed from it), and a CMP + JE/JNE over a loaded
    register that skips one statement."""

    def __init__(self, rng: random.Random, number: int, locations: list[str]) -> None:
        self.rng, self.number, self.locations = rng, number, locations
        self.used = 0
        self.loaded: list[str] = []  # registers holding what a load or an exchange read
        self.labels = 0

    def register(self) -> str:
        name = X86_REGISTERS[self.used]
        self.used += 1
        return name

    def statement(self, depth: int = 0) -> list[str]:
        rng = self.rng
        loc = rng.choice(self.locations)
        v = rng.choice(VALUES)
        kinds = ["store", "store", "load", "load", "load", "fence", "xchg", "locked", "plain"]
        if self.loaded:
            kinds += ["data"] + (["if"] if depth == 0 else [])
        kind = rng.choice(kinds)
        if kind == "store":
            return [f"MOV [{loc}],${v}"]
        if kind == "load":
            r = self.register()
            self.loaded.append(r)
            return [f"MOV {r},[{loc}]"]
        if kind == "fence":
            return [rng.choice(["MFENCE", "MFENCE", "MFENCE", "SFENCE", "LFENCE"])]
        if kind == "xchg":
            r = self.register()
            self.loaded.append(r)
            return [f"MOV {r},${v}", rng.choice([f"XCHG [{loc}],{r}", f"XCHG {r},[{loc}]", f"LOCK XCHG [{loc}],{r}"])]
        if kind == "locked":
            return [rng.choice([f"LOCK INC [{loc}]", f"LOCK DEC [{loc}]", f"LOCK ADD [{loc}],${v}",
                                f"LOCK XOR [{loc}],${v}"])]  # fmt: skip
        if kind == "plain":  # not locked: a read then a write, not atomic
            return [rng.choice([f"INC [{loc}]", f"ADD [{loc}],${v}"])]
        r = rng.choice(self.loaded)
        if kind == "data":
            how = rng.randrange(3)
            if how == 0:
                return [f"MOV [{loc}],{r}"]
            if how == 1:
                return [f"LOCK ADD [{loc}],{r}"]
            t = self.register()
            return [f"MOV {t},{r}", f"ADD {t},${v}", f"MOV [{loc}],{t}"]
        label = f"L{self.number}{self.labels}"
        self.labels += 1
        jump = rng.choice(["JE", "JNE"])
        return [f"CMP {r},${rng.choice([0, *VALUES])}", f"{jump} {label}", *self.statement(depth + 1), f"{label}:"]


def _threads(rng: random.Random, make) -> list:  # type: ignore[no-untyped-def]
    """Two to four threads made by `make(number)`, each with its statements drawn."""
    threads = []
    count = rng.choice([2, 2, 3, 3, 4])
    for number in range(count):
        t = make(number)
        body = [s for _ in range(rng.randint(2, MOST[count])) for s in t.statement()]
        threads.append((t, body))
    return threads


def draw_x86(seed: int) -> tuple[str, str]:
    """(name, text) of the X86 test drawn from `seed`."""
    rng = random.Random(seed)
    name = f"x86-{seed}"
    locations = LOCATIONS[: rng.choice([2, 2, 3])]
    threads = _threads(rng, lambda number: X86Thread(rng, number, locations))
    registers = [f"{t.number}:{r}" for t, _ in threads for r in t.loaded]
    lines = [f"X86 {name}", "{", "}", *_table([body for _, body in threads])]
    lines.append(_condition(rng, registers, locations))
    return name, "\n".join(lines) + "\n"



# ---------------------------------------------------------------- X86_64 (AT&T syntax, herd's x86tso-mixed.cat)

_ATT_REGISTERS = {"EAX": "ax", "EBX": "bx", "ECX": "cx", "EDX": "dx", "ESI": "si", "EDI": "di"}


def _att_operand(op: str, size: str) -> str:
    """An Intel operand (`[x]`, `$1`, `EAX`) in AT&T syntax at `size` (l: %eax, q: %rax)."""
    if op.startswith("["):
        return f"({op[1:-1]})"
    if op.startswith("$"):
        return op
    return f"%{'e' if size == 'l' else 'r'}{_ATT_REGISTERS[op]}"


def _att(line: str, size: str) -> str:
    """One drawn X86 line in AT&T syntax: source first, the size on the mnemonic."""
    if line.endswith(":"):
        return line
    lock = line.startswith("LOCK ")
    words = line[5:] if lock else line
    mnemonic, _, rest = words.partition(" ")
    if mnemonic in ("MFENCE", "SFENCE", "LFENCE", "JE", "JNE"):
        return f"{mnemonic.lower()} {rest}".rstrip()  # (a label keeps its case)
    ops = [_att_operand(op, size) for op in rest.split(",")] if rest else []
    return ("lock " if lock else "") + f"{mnemonic.lower()}{size} " + ",".join(reversed(ops))


def draw_x86_64(seed: int) -> tuple[str, str]:
    """(name, text) of the X86_64 test drawn from `seed`: the X86 drawing's statements in AT&T
    syntax, every access of the test 32-bit (movl, %eax) or 64-bit (movq, %rax), so that no
    location is accessed at two sizes (litmus does not model mixed-size memory)."""
    rng = random.Random(seed)
    name = f"x86_64-{seed}"
    size = rng.choice(["l", "q"])
    locations = LOCATIONS[: rng.choice([2, 2, 3])]
    threads = _threads(rng, lambda number: X86Thread(rng, number, locations))
    registers = [f"{t.number}:r{_ATT_REGISTERS[r]}" for t, _ in threads for r in t.loaded]  # (herd's names)
    columns = [[_att(line, size) for line in body] for _, body in threads]
    lines = [f"X86_64 {name}", "{", "}", *_table(columns)]
    lines.append(_condition(rng, registers, locations))
    return name, "\n".join(lines) + "\n"


# ---------------------------------------------------------------- AArch64

AARCH64_ADDRESS = {"x": 1, "y": 2, "z": 3}  # every thread holds x's address in X1, y's in X2, z's in X3


class AArch64Thread:
    """One AArch64 thread being drawn: LDR/LDAR/LDAPR loads and STR/STLR stores of a constant,
    DMB SY/LD/ST/ISH and ISB, exclusive pairs (LDXR or LDAXR, then STXR or STLXR, the status
    register in the condition), atomics (LDADD, SWP, CAS in their A/L/AL forms, STADD), and,
    from a loaded register, an address dependency (EOR Wk,Wr,Wr then [Xa,Wk,SXTW]), a data
    dependency (EOR then ADD or SUB of a constant, then STR) and a control dependency (CBZ/CBNZ over
    one statement or none, to a label, sometimes then ISB). A location is accessed with W
    registers or with X registers throughout the test (herd7 refuses a test mixing them)."""

    def __init__(self, rng: random.Random, number: int, width: dict[str, str]) -> None:
        self.rng, self.number, self.width = rng, number, width
        self.next = 4
        self.loaded: list[int] = []  # registers holding what memory gave (loads, atomics, status)
        self.labels = 0

    def register(self, loaded: bool = False) -> int:
        k = self.next
        self.next += 1
        if loaded:
            self.loaded.append(k)
        return k

    def access(self, loc: str, kind: str, index: int | None = None) -> list[str]:
        """A load or a store (of a constant) of `loc`, at [Xa] or [Xa,Wk,SXTW]."""
        rng, w = self.rng, self.width[loc]
        where = f"[X{AARCH64_ADDRESS[loc]}]" if index is None else f"[X{AARCH64_ADDRESS[loc]},W{index},SXTW]"
        if kind == "load":
            op = "LDR" if index is not None else rng.choice(["LDR", "LDR", "LDAR", "LDAPR"])
            return [f"{op} {w}{self.register(loaded=True)},{where}"]
        op = "STR" if index is not None else rng.choice(["STR", "STR", "STLR"])
        k = self.register()
        return [f"MOV {w}{k},#{rng.choice(VALUES)}", f"{op} {w}{k},{where}"]

    def statement(self, depth: int = 0) -> list[str]:
        rng = self.rng
        loc = rng.choice(list(self.width))
        w, a, v = self.width[loc], AARCH64_ADDRESS[loc], rng.choice(VALUES)
        kinds = ["store", "store", "load", "load", "load", "fence", "exclusive", "atomic"]
        if self.loaded:
            kinds += ["addr", "data"] + (["ctrl"] if depth == 0 else [])
        kind = rng.choice(kinds)
        if kind in ("store", "load"):
            return self.access(loc, kind)
        if kind == "fence":
            return [rng.choice(["DMB SY", "DMB SY", "DMB LD", "DMB ST", "DMB ISH", "ISB"])]
        if kind == "exclusive":
            k = self.register(loaded=True)
            n = self.register()
            s = self.register(loaded=True)
            load, store = rng.choice([("LDXR", "STXR"), ("LDXR", "STXR"), ("LDAXR", "STLXR"), ("LDXR", "STLXR")])
            return [f"{load} {w}{k},[X{a}]", f"MOV {w}{n},#{v}", f"{store} W{s},{w}{n},[X{a}]"]
        if kind == "atomic":
            op = rng.choice(["LDADD", "SWP", "CAS", "STADD"])
            n = self.register()
            if op == "STADD":
                return [f"MOV {w}{n},#{v}", f"STADD{rng.choice(['', 'L'])} {w}{n},[X{a}]"]
            suffix = rng.choice(["", "A", "L", "AL"])
            k = self.register(loaded=True)
            if op == "CAS":  # CAS Ws,Wt,[Xa]: compare with Ws, store Wt, Ws := old
                expected = rng.choice([0, *VALUES])
                return [f"MOV {w}{k},#{expected}", f"MOV {w}{n},#{v}", f"CAS{suffix} {w}{k},{w}{n},[X{a}]"]
            return [f"MOV {w}{n},#{v}", f"{op}{suffix} {w}{n},{w}{k},[X{a}]"]
        r = rng.choice(self.loaded)
        if kind == "addr":
            k = self.register()
            return [f"EOR W{k},W{r},W{r}", *self.access(loc, rng.choice(["load", "load", "store"]), index=k)]
        if kind == "data":
            k = self.register()
            return [f"EOR {w}{k},{w}{r},{w}{r}", f"{rng.choice(['ADD', 'ADD', 'SUB'])} {w}{k},{w}{k},#{v}",
                    f"{rng.choice(['STR', 'STR', 'STLR'])} {w}{k},[X{a}]"]  # fmt: skip
        label = f"LC{self.number}{self.labels}"
        self.labels += 1
        inner = self.statement(depth + 1) if rng.random() < 0.5 else []
        after = ["ISB"] if rng.random() < 0.4 else []
        return [f"{rng.choice(['CBZ', 'CBNZ'])} W{r},{label}", *inner, f"{label}:", *after]


class AArch64MoreThread(AArch64Thread):
    """An AArch64 thread drawing also (`--primitives more`): every atomic memory operation
    (LD and ST forms of ADD, CLR, EOR, SET, SMAX, SMIN, UMAX, UMIN in their A/L/AL forms), the
    other barriers (DMB ISHLD/ISHST/OSH/OSHLD/OSHST/NSH, DSB SY/ISH/LD/ST), LDUR,
    and, from a loaded register, CMP then CSEL/CSINC/CSINV/CSNEG (the zero register or the
    loaded one selected) whose result is stored or, zeroed by EOR, used as an index, CMP then
    B.cond over one statement, and MOV of it then its store."""

    LDOPS = ["ADD", "CLR", "EOR", "SET", "SMAX", "SMIN", "UMAX", "UMIN"]
    CONDITIONS = ["EQ", "NE", "GT", "LE", "HI", "LS"]

    def statement(self, depth: int = 0) -> list[str]:
        rng = self.rng
        kinds = ["classic"] * 5 + ["ldop", "ldop", "barrier", "unscaled"]
        if self.loaded:
            kinds += ["select", "select", "move"] + (["bcond"] if depth == 0 else [])
        kind = rng.choice(kinds)
        if kind == "classic":
            return super().statement(depth)
        loc = rng.choice(list(self.width))
        w, a, v = self.width[loc], AARCH64_ADDRESS[loc], rng.choice(VALUES)
        if kind == "ldop":
            op, n = rng.choice(self.LDOPS), self.register()
            if rng.random() < 0.3:
                return [f"MOV {w}{n},#{v}", f"ST{op}{rng.choice(['', 'L'])} {w}{n},[X{a}]"]
            k = self.register(loaded=True)
            return [f"MOV {w}{n},#{v}", f"LD{op}{rng.choice(['', 'A', 'L', 'AL'])} {w}{n},{w}{k},[X{a}]"]
        if kind == "barrier":
            return [rng.choice(["DMB ISHLD", "DMB ISHST", "DMB OSH", "DMB OSHLD", "DMB OSHST", "DMB NSH",
                                "DSB SY", "DSB ISH", "DSB LD", "DSB ST"])]  # fmt: skip
        if kind == "unscaled":
            return [f"LDUR {w}{self.register(loaded=True)},[X{a}]"]  # (herd7 7.58 reads no LDAPUR)
        r = rng.choice(self.loaded)
        compare = f"CMP W{r},#{rng.choice([0, *VALUES])}"
        if kind == "move":
            k = self.register()
            return [f"MOV {w}{k},{w}{r}", f"STR {w}{k},[X{a}]"]
        if kind == "bcond":
            label = f"LC{self.number}{self.labels}"
            self.labels += 1
            return [compare, f"B.{rng.choice(self.CONDITIONS)} {label}", *self.statement(depth + 1), f"{label}:"]
        k = self.register()
        first, second = rng.choice([(f"{w}{r}", f"{w}ZR"), (f"{w}ZR", f"{w}{r}"), (f"{w}ZR", f"{w}ZR")])
        select = f"{rng.choice(['CSEL', 'CSINC', 'CSINV', 'CSNEG'])} {w}{k},{first},{second},{rng.choice(self.CONDITIONS)}"
        if rng.random() < 0.6:  # (of the location's width: herd7 refuses a test mixing sizes)
            return [compare, select, f"STR {w}{k},[X{a}]"]
        j = self.register()  # (an index of 0 whatever was selected: an address dependency through it)
        return [compare, select, f"EOR W{j},W{k},W{k}", *self.access(loc, rng.choice(["load", "store"]), index=j)]


def draw_aarch64(seed: int, primitives: str = "classic") -> tuple[str, str]:
    """(name, text) of the AArch64 test drawn from `seed` (`primitives`: "classic", the draw of
    every seed recorded in bench/README, or "more": AArch64MoreThread's too, named
    aarch64m-SEED)."""
    rng = random.Random(seed)
    more = primitives == "more"
    name = f"aarch64{'m' if more else ''}-{seed}"
    locations = LOCATIONS[: rng.choice([2, 2, 3])]
    width = {loc: rng.choice("WWX") for loc in locations}
    threads = _threads(rng, lambda number: (AArch64MoreThread if more else AArch64Thread)(rng, number, width))
    init = " ".join(f"{t.number}:X{AARCH64_ADDRESS[loc]}={loc};" for t, _ in threads for loc in locations)
    registers = [f"{t.number}:X{k}" for t, _ in threads for k in t.loaded]
    lines = [f"AArch64 {name}", "{", init, "}", *_table([body for _, body in threads])]
    lines.append(_condition(rng, registers, locations))
    return name, "\n".join(lines) + "\n"


# ---------------------------------------------------------------- running

# --arch -> (the generator, herd7-run's model word, litmus's models: herd's file, then ours)
ARCHES = {
    "X86": (draw_x86, "x86tso", [str(LIBDIR / "x86tso.cat"), "tso"]),
    "AArch64": (draw_aarch64, "aarch64", [str(LIBDIR / "aarch64.cat"), "arm"]),
    "X86_64": (draw_x86_64, "x86_64", [str(LIBDIR / "x86tso-mixed.cat"), "tso"]),
}


def model_label(model: str) -> str:
    """`x86tso.cat (herd's)` for a file of herd's library, the name for ours."""
    return f"{Path(model).name} (herd's)" if model.endswith(".cat") else model


def run_herd(word: str, path: Path, cwd: Path, timeout: float) -> tuple[float, str, str]:
    """Wall seconds, stdout and stderr of `herd7-run WORD -timeout T` on one test (path given
    relative to cwd); a hung herd7 is killed."""
    start = time.perf_counter()
    try:
        command = [str(HERD / "herd7-run"), word, "-timeout", f"{timeout:g}", path.relative_to(cwd).as_posix()]
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout * 3, cwd=cwd)
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        out, err = "", f"killed after {timeout * 3:g} s"
    return time.perf_counter() - start, out, err


def litmus_run(paths: list[Path], model: str, keep: Path, timeout: float) -> tuple[float, str]:
    """One `litmus check -m MODEL -f herd --timeout T -j 1 @LIST` process on the tests: its wall
    time and stdout (kept in KEEP/litmus.<model>.{out,err})."""
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as lst:
        lst.write("".join(f"{p}\n" for p in paths))
    try:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "litmus", "check", "-m", model, "-f", "herd", "--timeout", f"{timeout:g}",
             "-j", "1", f"@{lst.name}"],
            check=False, capture_output=True, text=True, cwd=REPO, env=dict(os.environ),
        )  # fmt: skip
        seconds = time.perf_counter() - start
    finally:
        os.unlink(lst.name)
    stem = Path(model).name
    (keep / f"litmus.{stem}.out").write_text(done.stdout, encoding="utf-8")
    (keep / f"litmus.{stem}.err").write_text(done.stderr, encoding="utf-8")
    return seconds, done.stdout
