"""The tags AArch64 events carry, as herd's AArch64 models (aarch64.cat and its includes) and
our models/arm.cat name them: event sets that exist for every AArch64 test, empty when no event
carries them."""

from litmus.lower.targets import AARCH64_TAGS

# herd's register-level events, made for models that compute dependencies themselves (catdep):
# register reads (DATA: those giving a written value) and writes, branch commits (BCC: of a
# conditional branch instruction)
REGISTER_TAGS = frozenset({"Rreg", "Wreg", "DATA", "B", "BCC"})

# what herd's AArch64 model speaks of beyond explicit accesses -- implicit accesses, MTE tags,
# page tables, cache maintenance, exceptions: no test of ours has them, the sets are empty
OUT_OF_SCOPE = frozenset({
    "NExp", "T", "TagCheck", "FAULT", "EXC-ENTRY", "EXC-RET", "TLBI", "TLBIIS", "TLBInXS", "DC.CVAU",
    "IC.IVAU", "IC.IALLU", "IC.IALLUIS", "SPURIOUS", "MMU", "AF", "DB", "Translation", "AccessFlag",
})  # fmt: skip

KNOWN_TAGS = AARCH64_TAGS | REGISTER_TAGS | OUT_OF_SCOPE
