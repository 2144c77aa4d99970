"""`rounds completion bash|zsh`: a shell completion script, generated from the command line's own parser
by shtab, so that it names every command and option there is and can never drift from them.

    rounds completion bash > ~/.local/share/bash-completion/completions/rounds
    rounds completion zsh > ~/.zfunc/_rounds    # a folder on $fpath
"""

from __future__ import annotations

import sys

SHELLS = ("bash", "zsh")


def add_commands(sub, build_parser) -> None:
    """`build_parser`: tui.cli's, handed in (this module may not import tui.cli, which imports it)."""
    completion = sub.add_parser(
        "completion", help="print a shell completion script (bash or zsh)",
        description="Print a completion script for the shell. bash: save it as "
                    "~/.local/share/bash-completion/completions/rounds; zsh: as _rounds in a folder on $fpath.",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell: bash or zsh")
    completion.set_defaults(handler=cmd_completion, build_parser=build_parser)


def cmd_completion(args, ctx) -> int:
    import shtab

    sys.stdout.write(shtab.complete(args.build_parser(), shell=args.shell))
    return 0
