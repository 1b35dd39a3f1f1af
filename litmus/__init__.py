"""litmus: weak-memory litmus tests checked with z3.

Pipeline: syntax -> lower -> encode -> check -> report (cli on top).
"""

__version__ = "0.1.0"
