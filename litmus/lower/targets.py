"""What the kernel's primitives mean, as data: PRIMITIVES says what each primitive does (load,
store, fence, read-modify-write, lock ...) independent of any machine, and TARGETS says, per
memory model, which events and tags each ordering becomes (the kernel's own mapping for x86 and
arm64)."""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------- what primitives do


@dataclass(frozen=True)
class Prim:
    """Machine-independent meaning of a primitive.

    op: 'load' | 'store' | 'fence' | 'rmw' | 'lock' | 'unlock' | 'trylock' | 'islocked'
    order: 'once' | 'acquire' | 'release' | 'mb' | 'relaxed' | 'noreturn' (rmw) or the fence name
    rmw: for op 'rmw', the update: 'xchg' | 'cmpxchg' | 'add' | 'sub' | 'and' | 'or' | 'xor' |
         'andnot' | 'inc' | 'dec' | 'add_unless'
    returns: 'none' | 'old' | 'new' | 'new_is_zero' | 'new_is_negative' | 'did_update'
    args: argument layout: 'p' pointer, 'v' value ('p' in position of the location)
    """

    op: str
    order: str = "once"
    rmw: str | None = None
    returns: str = "none"
    args: str = ""


def _rmw_families() -> dict[str, Prim]:
    table: dict[str, Prim] = {}
    suffixes = {"": "mb", "_relaxed": "relaxed", "_acquire": "acquire", "_release": "release"}
    for suffix, order in suffixes.items():
        table[f"xchg{suffix}"] = Prim("rmw", order, "xchg", "old", "pv")
        table[f"cmpxchg{suffix}"] = Prim("rmw", order, "cmpxchg", "old", "pvv")
        table[f"atomic_xchg{suffix}"] = Prim("rmw", order, "xchg", "old", "pv")
        table[f"atomic_cmpxchg{suffix}"] = Prim("rmw", order, "cmpxchg", "old", "pvv")
        for op in ("add", "sub"):
            table[f"atomic_{op}_return{suffix}"] = Prim("rmw", order, op, "new", "vp")
        for op in ("inc", "dec"):
            table[f"atomic_{op}_return{suffix}"] = Prim("rmw", order, op, "new", "p")
        for op in ("add", "sub", "and", "or", "xor", "andnot"):
            table[f"atomic_fetch_{op}{suffix}"] = Prim("rmw", order, op, "old", "vp")
        for op in ("inc", "dec"):
            table[f"atomic_fetch_{op}{suffix}"] = Prim("rmw", order, op, "old", "p")
    for op in ("add", "sub", "and", "or", "xor", "andnot"):
        table[f"atomic_{op}"] = Prim("rmw", "noreturn", op, "none", "vp")
    for op in ("inc", "dec"):
        table[f"atomic_{op}"] = Prim("rmw", "noreturn", op, "none", "p")
    table["atomic_sub_and_test"] = Prim("rmw", "mb", "sub", "new_is_zero", "vp")
    table["atomic_dec_and_test"] = Prim("rmw", "mb", "dec", "new_is_zero", "p")
    table["atomic_inc_and_test"] = Prim("rmw", "mb", "inc", "new_is_zero", "p")
    table["atomic_add_negative"] = Prim("rmw", "mb", "add", "new_is_negative", "vp")
    table["atomic_add_unless"] = Prim("rmw", "mb", "add_unless", "did_update", "pvv")
    return table


FENCES = (
    "smp_mb", "smp_rmb", "smp_wmb", "barrier",
    "smp_mb__before_atomic", "smp_mb__after_atomic", "smp_mb__after_spinlock",
    "smp_mb__after_unlock_lock", "smp_mb__after_srcu_read_unlock",
    "rcu_read_lock", "rcu_read_unlock", "synchronize_rcu", "synchronize_rcu_expedited",
)  # fmt: skip

PRIMITIVES: dict[str, Prim] = {
    "READ_ONCE": Prim("load", "once", args="p"),
    "WRITE_ONCE": Prim("store", "once", args="pv"),
    "smp_load_acquire": Prim("load", "acquire", args="p"),
    "smp_store_release": Prim("store", "release", args="pv"),
    "rcu_dereference": Prim("load", "once", args="p"),
    "rcu_assign_pointer": Prim("store", "release", args="pv"),
    "smp_store_mb": Prim("store", "mb", args="pv"),
    "atomic_read": Prim("load", "once", args="p"),
    "atomic_read_acquire": Prim("load", "acquire", args="p"),
    "atomic_set": Prim("store", "once", args="pv"),
    "atomic_set_release": Prim("store", "release", args="pv"),
    "spin_lock": Prim("lock", args="p"),
    "spin_unlock": Prim("unlock", args="p"),
    "spin_trylock": Prim("trylock", returns="did_update", args="p"),
    "spin_is_locked": Prim("islocked", returns="old", args="p"),
    **{name: Prim("fence", name) for name in FENCES},
    **_rmw_families(),
    # Our extension, unknown to herd7: the events between begin and end form one batch (a
    # batched flush), atomic to every observer (strong isolation; see models/stdlib.cat).
    "litmus_batch_begin": Prim("batch_begin"),
    "litmus_batch_end": Prim("batch_end"),
}

# Primitives whose location argument is an lvalue (`READ_ONCE(*x)`); the kernel's .def
# dereferences every other one itself (`smp_load_acquire(X) __load{ACQUIRE}(*X)`)
LVALUE_PRIMITIVES = frozenset({"READ_ONCE", "WRITE_ONCE", "rcu_dereference", "rcu_assign_pointer", "smp_store_mb"})

# SRCU has no meaning on the hardware models (its grace periods are an LKMM notion).
SRCU_PRIMITIVES = (
    "srcu_read_lock", "srcu_read_unlock", "srcu_down_read", "srcu_up_read", "synchronize_srcu",
    "synchronize_srcu_expedited",
)  # fmt: skip

# ---------------------------------------------------------------- what they become, per target


@dataclass(frozen=True)
class RmwTags:
    read: tuple[str, ...]
    write: tuple[str, ...]
    fence_after: tuple[str, ...] | None = None  # fence event after a successful update
    fence_before: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Target:
    """How one memory model sees the kernel's primitives (tags per ordering; fences as events)."""

    name: str
    load: dict[str, tuple[str, ...]]
    store: dict[str, tuple[str, ...]]
    fence: dict[str, tuple[str, ...] | None]  # None: compiles to nothing on this target
    rmw: dict[str, RmwTags]
    not_meaningful: frozenset[str] = frozenset()
    store_mb_fence: tuple[str, ...] | None = None  # smp_store_mb = store + this fence
    plain: tuple[str, ...] = ()
    # LKMM: locks are their own events (LKR/LKW/UL, LF for a failed trylock, RL/RU for
    # spin_is_locked) and SRCU is meaningful; RMW events carry this tag (the bell's RMW set)
    kernel_locks: bool = False
    srcu: bool = False
    rmw_tag: str | None = None
    # every tag of the machine (tags.py's vocabulary): named by the model, empty when unused
    machine_tags: frozenset[str] = frozenset()


# The tags of each machine's events as herd's models and ours name them: the C mappings below
# use some, the assembly dialects (litmus/arch/) all.
X86_TAGS = frozenset({"X", "MFENCE", "LFENCE", "SFENCE"})
ARM_BARRIER_OPTIONS = (
    "SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "OSH", "OSHST", "OSHLD", "NSH", "NSHST", "NSHLD",
)  # fmt: skip
AARCH64_TAGS = frozenset(
    {"Exp", "A", "L", "Q", "X", "NoRet", "ISB"}
    | {f"{barrier}.{option}" for barrier in ("DMB", "DSB") for option in ARM_BARRIER_OPTIONS}
)

_NO_FENCES = {name: None for name in FENCES}
_GRACE_PERIODS = frozenset(
    {"synchronize_rcu", "synchronize_rcu_expedited", *SRCU_PRIMITIVES}
)

TARGETS: dict[str, Target] = {
    # SC orders everything: no tags needed; an RMW is still an atomic read+write pair.
    "sc": Target(
        name="sc",
        load={o: () for o in ("once", "acquire", "mb")},
        store={o: () for o in ("once", "release", "mb")},
        fence=dict(_NO_FENCES),
        rmw={o: RmwTags((), ()) for o in ("mb", "relaxed", "acquire", "release", "noreturn")},
        not_meaningful=_GRACE_PERIODS,
    ),
    # x86 (arch/x86): loads and stores are plain MOVs (TSO gives acquire/release), smp_mb is
    # MFENCE (the kernel uses a locked add; same ordering), rmb/wmb are compiler barriers, every
    # atomic RMW is LOCK-prefixed whatever its suffix, and so is spin_lock; smp_store_mb is xchg.
    "tso": Target(
        name="tso",
        load={o: () for o in ("once", "acquire", "mb")},
        store={o: () for o in ("once", "release")},
        fence={**_NO_FENCES, "smp_mb": ("MFENCE",)},
        rmw={o: RmwTags(("X",), ("X",)) for o in ("mb", "relaxed", "acquire", "release", "noreturn")},
        not_meaningful=_GRACE_PERIODS,
        store_mb_fence=("MFENCE",),
        machine_tags=X86_TAGS,
    ),
    # arm64: READ_ONCE/WRITE_ONCE are LDR/STR, acquire/release are LDAR/STLR, smp_mb is DMB ISH,
    # smp_rmb DMB ISHLD, smp_wmb DMB ISHST, smp_mb__{before,after}_atomic and
    # smp_mb__after_spinlock are smp_mb. RMWs are LL/SC: relaxed LDXR/STXR, _acquire LDAXR,
    # _release STLXR, fully ordered LDXR/STLXR + DMB ISH (skipped when a cmpxchg fails).
    "arm": Target(
        name="arm",
        load={"once": (), "acquire": ("A",), "mb": ()},
        store={"once": (), "release": ("L",), "mb": ()},
        fence={
            **_NO_FENCES,
            "smp_mb": ("DMB.ISH",),
            "smp_rmb": ("DMB.ISHLD",),
            "smp_wmb": ("DMB.ISHST",),
            "smp_mb__before_atomic": ("DMB.ISH",),
            "smp_mb__after_atomic": ("DMB.ISH",),
            "smp_mb__after_spinlock": ("DMB.ISH",),
        },
        rmw={
            "relaxed": RmwTags(("X",), ("X",)),
            "noreturn": RmwTags(("X",), ("X",)),
            "acquire": RmwTags(("X", "A"), ("X",)),
            "release": RmwTags(("X",), ("X", "L")),
            "mb": RmwTags(("X",), ("X", "L"), fence_after=("DMB.ISH",)),
        },
        not_meaningful=_GRACE_PERIODS,
        store_mb_fence=("DMB.ISH",),
        machine_tags=AARCH64_TAGS,
    ),
}

# The Linux kernel memory model, and a user's own cat model: herd's C events with the
# annotations of the kernel's bell file (`'ONCE`, `'ACQUIRE`, `'RELEASE`, `'MB`, `'NORETURN` on
# accesses; fences named after their primitive), so a model can say `Acquire`, `Mb`, `Rmb`,
# `Before-atomic` ...; locks and SRCU as the kernel model's own events.
TARGETS["lkmm"] = Target(
    name="lkmm",
    load={"once": ("ONCE",), "acquire": ("ACQUIRE",), "mb": ("MB",)},
    store={"once": ("ONCE",), "release": ("RELEASE",), "mb": ("ONCE",)},
    fence={
        **_NO_FENCES,
        "smp_mb": ("MB",),
        "smp_rmb": ("rmb",),
        "smp_wmb": ("wmb",),
        "barrier": ("barrier",),
        "smp_mb__before_atomic": ("before-atomic",),
        "smp_mb__after_atomic": ("after-atomic",),
        "smp_mb__after_spinlock": ("after-spinlock",),
        "smp_mb__after_unlock_lock": ("after-unlock-lock",),
        "smp_mb__after_srcu_read_unlock": ("after-srcu-read-unlock",),
        "rcu_read_lock": ("rcu-lock",),
        "rcu_read_unlock": ("rcu-unlock",),
        "synchronize_rcu": ("sync-rcu",),
        "synchronize_rcu_expedited": ("sync-rcu",),
    },
    rmw={
        "mb": RmwTags(("MB",), ("MB",)),
        "relaxed": RmwTags(("ONCE",), ("ONCE",)),
        "acquire": RmwTags(("ACQUIRE",), ("ONCE",)),
        "release": RmwTags(("ONCE",), ("RELEASE",)),
        "noreturn": RmwTags(("NORETURN",), ("NORETURN",)),
    },
    store_mb_fence=("MB",),
    kernel_locks=True,
    srcu=True,
    rmw_tag="RMW",
)
TARGETS["c"] = TARGETS["lkmm"]

SRCU_TAGS = ("srcu-lock", "srcu-unlock", "sync-srcu")

# Locks, per target, as RMW orderings: spin_lock is an acquiring RMW that must read 0 and
# writes 1; spin_unlock is a releasing store of 0; spin_trylock a cmpxchg_acquire(l, 0, 1).
LOCK_ORDER = "acquire"
UNLOCK_ORDER = "release"

