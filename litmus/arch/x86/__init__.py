"""The X86 (herd's Intel syntax) and X86_64 (AT&T syntax) dialects: one cell grammar each
(intel.lark, att.lark), one semantics (semantics.py), the tags herd's x86 models test for."""
