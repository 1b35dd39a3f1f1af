"""The AArch64 dialect: its cell grammar (cell.lark), the instructions' semantics
(semantics.py) and the tags herd's AArch64 models test for (tags.py)."""
