"""The engine: events to a z3 problem (encode), verdicts, states and counts (checker), why a verdict is Never (explain), one test end to end (check)."""
