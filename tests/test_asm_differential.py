"""What bench/differential.py --arch X86 / AArch64 (random tests, litmus against herd7) taught
about the assembly front ends: each test minimised from a difference, its expected block
herd7 7.58's own output on it (`herd7-run x86tso T.litmus`, `herd7-run aarch64 T.litmus`),
under our models and under herd's model files when ../shared/tools/herd7 is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from litmus import api
from tests.conftest import herd_fields

LIBDIR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "herd7" / "libdir"
OURS = {"x86tso.cat": "tso", "aarch64.cat": "arm"}

# herd holds the values of an X86 or AArch64 test (not mixed-size) as 32-bit signed integers,
# whatever the register's width: a decrement from 0 is -1 in EBX, in a W register and in
# memory, and arithmetic wraps at 32 bits even in X registers. litmus used to keep a 32-bit
# register zero-extended in 64 bits (4294967295 for -1), so these states differed and the
# conditions over -1 were Never.
CASES = {
    # minimised from x86-5 (seed 5): `LOCK DEC [z]` from 0, then loads of it
    "neg-x86": ("x86tso.cat", """X86 neg-x86
{
}
 P0           | P1          ;
 LOCK DEC [x] | MOV EAX,[x] ;
 MOV EBX,$0   |             ;
 DEC EBX      |             ;
exists (1:EAX=-1 /\\ 0:EBX=-1)
""", {
        # herd7 7.58: States 2 / 0:EBX=-1; 1:EAX=-1; / 0:EBX=-1; 1:EAX=0; / Ok /
        # Positive: 1 Negative: 1 / Observation neg-x86 Sometimes 1 1
        "observation": "Sometimes", "positive": "1", "negative": "1", "ok": "Ok", "flags": "",
        "states": "0:EBX=-1; 1:EAX=-1; | 0:EBX=-1; 1:EAX=0;",
    }),
    "wrap-x86": ("x86tso.cat", """X86 wrap-x86
{
}
 P0                   ;
 MOV EAX,$65535       ;
 MOV EBX,EAX          ;
 ADD EBX,EAX          ;
 ADD EBX,$2147418113  ;
 MOV ECX,EBX          ;
 ADD ECX,$1           ;
 MOV [x],ECX          ;
exists (0:EBX=-2147418113 /\\ 0:ECX=-2147418112 /\\ x=-2147418112)
""", {
        # herd7 7.58: States 1 / 0:EBX=-2147418113; 0:ECX=-2147418112; [x]=-2147418112; / Ok /
        # Positive: 1 Negative: 0 / Observation wrap-x86 Always 1 0
        "observation": "Always", "positive": "1", "negative": "0", "ok": "Ok", "flags": "",
        "states": "0:EBX=-2147418113; 0:ECX=-2147418112; [x]=-2147418112;",
    }),
    "neg-aarch64": ("aarch64.cat", """AArch64 neg-aarch64
{
0:X1=x; 1:X1=x;
}
 P0           | P1          ;
 MOV W7,#0    | LDR W5,[X1] ;
 SUB W7,W7,#1 |             ;
 STR W7,[X1]  |             ;
exists (1:X5=-1 /\\ 0:X7=-1 /\\ x=-1)
""", {
        # herd7 7.58: States 2 / 0:X7=-1; 1:X5=0; [x]=-1; / 0:X7=-1; 1:X5=-1; [x]=-1; / Ok /
        # Positive: 1 Negative: 1 / Observation neg-aarch64 Sometimes 1 1
        "observation": "Sometimes", "positive": "1", "negative": "1", "ok": "Ok", "flags": "",
        "states": "0:X7=-1; 1:X5=-1; [x]=-1; | 0:X7=-1; 1:X5=0; [x]=-1;",
    }),
    # X registers wrap at 32 bits too (65535 + 65535<<16 is -1, MOVK #1,LSL #32 is 0), and a
    # signed comparison of a W register sees -1 below 0
    "wrap-aarch64": ("aarch64.cat", """AArch64 wrap-aarch64
{
0:X1=x;
}
 P0                   ;
 MOV X4,#65535        ;
 ADD X5,X4,X4,LSL #16 ;
 ADD W6,W5,#1         ;
 ADD X7,X5,#1         ;
 MOVK X8,#1,LSL #32   ;
 STR W5,[X1]          ;
 CMP W5,#0            ;
 B.GE L0              ;
 MOV W9,#1            ;
 L0:                  ;
exists (0:X5=-1 /\\ 0:X6=0 /\\ 0:X7=0 /\\ 0:X8=0 /\\ x=-1 /\\ 0:X9=1)
""", {
        # herd7 7.58: States 1 / 0:X5=-1; 0:X6=0; 0:X7=0; 0:X8=0; 0:X9=1; [x]=-1; / Ok /
        # Positive: 1 Negative: 0 / Observation wrap-aarch64 Always 1 0
        "observation": "Always", "positive": "1", "negative": "0", "ok": "Ok", "flags": "",
        "states": "0:X5=-1; 0:X6=0; 0:X7=0; 0:X8=0; 0:X9=1; [x]=-1;",
    }),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("whose", ["ours", "herd's"])
def test_herd7s_block(name: str, whose: str) -> None:
    herd_model, text, expected = CASES[name]
    if whose == "ours":
        model = OURS[herd_model]
    else:
        if not (LIBDIR / herd_model).is_file():
            pytest.skip("herd7's model library not present")
        model = str(LIBDIR / herd_model)
    (result,) = api.check(text, [model])
    assert herd_fields(result) == expected

