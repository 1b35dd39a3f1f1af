"""JSON lines: one object per test and model, every field a plain JSON value."""

from __future__ import annotations

import json
from typing import Any

from litmus.result import Result


def result_to_dict(result: Result) -> dict[str, Any]:
    """The JSON object for one result; states are lists of {location: value} objects (strings)."""
    return {
        "file": result.file,
        "test": result.test,
        "model": result.model,
        "kind": result.kind,
        "condition": result.condition,
        "observation": result.observation,
        "ok": result.ok,
        "states": [{loc: val for loc, val in state} for state in result.states],
        "states_complete": result.states_complete,  # false: a --timeout cut the listing short
        # counts only where executions were counted (--no-counts, tables: the verdict alone)
        "positive": result.positive if result.counted else None,
        "negative": result.negative if result.counted else None,
        "flags": list(result.flags),
        "time_s": round(result.time_s, 6),
        "max_rss_mb": result.max_rss_mb,
        "error": result.error,
        "not_meaningful": result.not_meaningful,
        "forbidden_by": list(result.forbidden_by),
        "cycle": result.cycle,
    }


def format_json(result: Result) -> str:
    """One line of JSON (no trailing newline)."""
    return json.dumps(result_to_dict(result), ensure_ascii=False)
