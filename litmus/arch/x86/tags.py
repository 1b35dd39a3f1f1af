"""The tags x86 events carry, as herd's x86 models (x86tso.cat, x86tso-mixed.cat) and our
models/tso.cat name them: X on both events of a locked read-modify-write, MFENCE, LFENCE and
SFENCE on fences."""

from litmus.lower.targets import X86_TAGS

KNOWN_TAGS = X86_TAGS
