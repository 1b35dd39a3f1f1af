"""`python -m litmus` runs the command line."""

from litmus.cli import main

raise SystemExit(main())
