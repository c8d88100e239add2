"""`stagecore hook NAME [args...]`: run a git hook the way `python -m githooks NAME` does.

This is the entry of `.pre-commit-hooks.yaml` (the pre-commit framework needs an executable
of the hook environment): arguments are forwarded untouched to the same code path.
"""

from __future__ import annotations

import argparse

HOOKS = ("pre-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")


def register(sub) -> None:
    p = sub.add_parser(
        "hook",
        description="Run one of stagecore's git hooks by name; the pre-commit framework calls this.",
        epilog="example: stagecore hook post-checkout",
        help="run one of stagecore's git hooks (used by the pre-commit framework)")
    p.add_argument("name", choices=HOOKS, help="the git hook to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the arguments git passes to that hook")
    p.set_defaults(func=run)


def run(args) -> int:
    from githooks._entry import run_hook

    return run_hook(args.name, args.args)
