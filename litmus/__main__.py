"""`python -m litmus` runs the command line."""

from litmus.cli.main import console

console()
