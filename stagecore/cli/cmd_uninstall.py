"""`stagecore uninstall [--hook NAME ...]`: remove stagecore's git hooks, restore the ones it replaced."""

from __future__ import annotations

from stagecore.hooks.install import HOOK_NAMES as HOOKS


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
    p.add_argument(
        "--global",
        dest="global_",
        action="store_true",
        help="undo `stagecore install --global` (repositories cloned meanwhile keep their hooks)",
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


_MESSAGES = {
    "removed": "removed",
    "restored": "removed; the previous hook is back",
    "restored-dvc": "removed; DVC's hook (`dvc install`) is back",
    "foreign-kept": "not stagecore's hook: left alone",
    "absent": "not installed",
}


def run(args) -> int:
    from stagecore.hooks.install import uninstall

    if getattr(args, "global_", False):
        return _run_global(args)
    result = uninstall(git_root(), args.hooks)
    return _render(result.changes, args, relative=True)


def _render(changes, args, relative: bool) -> int:
    import os

    if not getattr(args, "quiet", False):
        for change in changes:
            where = os.path.relpath(change.path) if relative else change.path
            print(f"{change.hook}: {_MESSAGES[change.action]} ({where})")
    return 0


def _run_global(args) -> int:
    from stagecore.hooks.install_global import uninstall_global

    result = uninstall_global(args.hooks)
    _render(result.changes, args, relative=False)
    if getattr(args, "quiet", False):
        return 0
    if result.left:
        print(f"kept {result.template_dir} (init.templateDir still names it): files there are not stagecore's: "
              + ", ".join(result.left))
    elif result.config_changed and result.chained:
        print(f"init.templateDir is yours again ({result.chained}): new clones no longer get stagecore's hooks")
    elif result.config_changed:
        print(f"unset git's init.templateDir ({result.template_dir}): new clones no longer get stagecore's hooks")
    return 0
