"""A verdict table: one row per test, one column per model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from litmus.result import Result


def cell(result: Result | None) -> str:
    """The table word for one result: the observation with the model's flags that fired
    (`Sometimes (data-race)`), `n/m`, `error`, or empty when missing."""
    if result is None:
        return ""
    if result.not_meaningful is not None:
        return "n/m"
    if result.observation is None:
        return "error"
    return f"{result.observation} ({', '.join(result.flags)})" if result.flags else result.observation


def _model_name(model: object) -> str:
    return model if isinstance(model, str) else str(getattr(model, "name"))


def format_table(
    results: Iterable[Result], models: Sequence[object], tablefmt: str = "simple"
) -> str:
    """Rows are tests in first-seen order, columns the models (names or objects with `.name`)."""
    names = [_model_name(m) for m in models]
    rows: dict[tuple[str, str], dict[str, Result]] = {}
    for result in results:
        rows.setdefault((result.file, result.test), {})[result.model] = result
    body = [[test] + [cell(by_model.get(m)) for m in names] for (_, test), by_model in rows.items()]
    from tabulate import tabulate  # only when a table is printed: see cli.common.table_format

    return str(tabulate(body, headers=["test", *names], tablefmt=tablefmt))
