"""The command line: `litmus check | show | compare | gen | serve`, one module per subcommand."""

from litmus.cli.main import main

__all__ = ["main"]
