"""litmus: weak-memory litmus tests checked with z3.

Pipeline: syntax -> lower -> engine (encode, check, explain) -> report; cli and api on top.
"""

__version__ = "0.1.0"


def check(path_or_text, models=None, timeout=None, recheck=False):  # type: ignore[no-untyped-def]
    """`litmus.check("t.litmus", models=["sc", "tso"])` -> list of Results (see litmus.api.check).

    Imported lazily, so `import litmus` (and the command line's --help) stays free of z3. In
    Jupyter the Results display themselves (verdict, states, graph).
    """
    from litmus.api import check as _check
    from litmus.report.dot import register_notebook_display

    register_notebook_display()
    return _check(path_or_text, models, timeout, recheck)


def graph(result, state=None):  # type: ignore[no-untyped-def]
    """DOT text of a Result's witness (for a Never verdict: the forbidden candidate)."""
    from litmus.report.dot import result_dot

    return result_dot(result, state)
