"""Output formats for results: herd7's text block, a verdict table, JSON lines."""

from litmus.report.herd import format_herd, format_note, herd_hash
from litmus.report.jsonl import format_json, result_to_dict
from litmus.report.table import cell, format_table

__all__ = [
    "cell",
    "format_herd",
    "format_json",
    "format_note",
    "format_table",
    "result_to_dict",
    "herd_hash",
]
