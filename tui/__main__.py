"""`python -m tui`: the same as the `rounds` command."""

from tui.cli import run

run()
