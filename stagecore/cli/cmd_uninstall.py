"""`stagecore uninstall [--hook NAME ...]`: remove stagecore's git hooks, restore the ones it replaced."""

from __future__ import annotations

from stagecore.ops.install import HOOK_NAMES as HOOKS


def register(sub) -> None:
    p = sub.add_parser(
        "uninstall",
        description="Remove stagecore's git hooks from this repository.",
        epilog="example: stagecore uninstall",
        help="remove stagecore's git hooks from this repository")
    p.add_argument(
        "--hook",
        dest="hooks",
        action="append",
        choices=HOOKS,
        metavar="NAME",
        help="remove only this hook (repeatable; default: all)",
    )
    p.set_defaults(func=run)


def git_root() -> str:
    import os

    from stagecore.scm import discover_root
    from stagecore.scm.history import NotAGitRepositoryError

    root = discover_root(os.getcwd())
    if root is None:
        raise NotAGitRepositoryError(os.getcwd())
    return root


def run(args) -> int:
    import os

    from stagecore.ops.install import uninstall

    result = uninstall(git_root(), args.hooks)
    messages = {
        "removed": "removed",
        "restored": "removed; the previous hook is back",
        "restored-dvc": "removed; DVC's hook (`dvc install`) is back",
        "foreign-kept": "not stagecore's hook: left alone",
        "absent": "not installed",
    }
    if not getattr(args, "quiet", False):
        for change in result.changes:
            print(f"{change.hook}: {messages[change.action]} ({os.path.relpath(change.path)})")
    return 0
