"""litmus: weak-memory litmus tests checked with z3.

Pipeline: syntax -> lower -> encode -> check -> report (cli on top).
"""

__version__ = "0.1.0"


def check(path_or_text, models=None, timeout=None, recheck=False):  # type: ignore[no-untyped-def]
    """`litmus.check("t.litmus", models=["sc", "tso"])` -> list of Results (see litmus.api.check).

    Imported lazily, so `import litmus` (and the command line's --help) stays free of z3.
    """
    from litmus.api import check as _check

    return _check(path_or_text, models, timeout, recheck)
