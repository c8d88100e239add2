"""`stagecore install [--hook NAME ...] [--use-pre-commit-tool]`: put stagecore's git hooks in place."""

from __future__ import annotations

from stagecore.hooks.install import HOOK_NAMES as HOOKS


def register(sub) -> None:
    p = sub.add_parser(
        "install",
        description="Install stagecore's git hooks, which keep data in step with git checkouts, commits and pushes.",
        epilog="example: stagecore install",
        help="install stagecore's git hooks in this repository")
    p.add_argument(
        "--hook",
        dest="hooks",
        action="append",
        choices=HOOKS,
        metavar="NAME",
        help=f"install only this hook (repeatable; default: all of {', '.join(HOOKS)})",
    )
    p.add_argument(
        "--use-pre-commit-tool",
        action="store_true",
        help="add stagecore to .pre-commit-config.yaml instead of writing hooks (then run `pre-commit install`)",
    )
    p.add_argument(
        "--global",
        dest="global_",
        action="store_true",
        help="once per machine: every later `git clone` / `git init` gets the hooks (git's init.templateDir)",
    )
    p.add_argument(
        "--pre-commit-repo", metavar="URL", help="repository URL for the .pre-commit-config.yaml entry"
    )
    p.add_argument("--pre-commit-rev", metavar="REV", help="revision for the .pre-commit-config.yaml entry")
    p.set_defaults(func=run)


def run(args) -> int:
    import os
    import sys

    from stagecore import __version__
    from stagecore.cli.cmd_uninstall import git_root
    from stagecore.hooks.install import PRE_COMMIT_REPO_URL, install

    if args.global_:
        return _run_global(args)
    root = git_root()
    result = install(
        root,
        args.hooks,
        use_pre_commit_tool=args.use_pre_commit_tool,
        pre_commit_repo=args.pre_commit_repo or PRE_COMMIT_REPO_URL,
        pre_commit_rev=args.pre_commit_rev,
    )
    quiet = getattr(args, "quiet", False)
    if result.pre_commit_config:
        if not quiet:
            print(f"Added stagecore's hooks to {os.path.relpath(result.pre_commit_config)}.")
            choice = result.pre_commit_rev
            if choice is not None and choice.how == "commit":
                print(f"rev: {choice.rev} (a commit: {args.pre_commit_repo or PRE_COMMIT_REPO_URL} has no tag "
                      f"v{__version__}; `pre-commit autoupdate` moves it to the newest tag once there is one)")
            print("Activate them with: pre-commit install")
        return 0
    for change in result.changes:
        if quiet:
            break
        where = os.path.relpath(change.path)
        if change.action == "unchanged":
            print(f"{change.hook}: already installed at {where}")
        elif change.action == "replaced-dvc":
            print(f"{change.hook}: installed at {where}")
        else:
            print(f"{change.hook}: {change.action} at {where}")
        if change.legacy and change.action != "replaced-dvc":
            print(f"  the existing hook was kept as {os.path.relpath(change.legacy)} and runs first")
    replaced = [change.hook for change in result.changes if change.action == "replaced-dvc"]
    if replaced and not quiet:
        print(
            f"replaced DVC's hooks ({', '.join(replaced)}; `dvc install`) with stagecore's, which do their job: "
            f"kept as <hook>.dvc-hook, `stagecore uninstall` restores them"
        )
    if not result.dvc_repo:
        sys.stderr.write("WARNING: no .dvc directory here yet: the hooks do nothing until `stagecore init`\n")
    return 0


def _run_global(args) -> int:
    from stagecore.errors import UsageError
    from stagecore.hooks.install_global import install_global

    if args.use_pre_commit_tool:
        raise UsageError(
            "--global and --use-pre-commit-tool cannot be combined",
            hint="the framework is set up per repository: `stagecore install --use-pre-commit-tool` there",
        )
    result = install_global(args.hooks)
    if getattr(args, "quiet", False):
        return 0
    for change in result.changes:
        state = "already installed" if change.action == "unchanged" else change.action
        print(f"{change.hook}: {state} at {change.path}")
        if change.legacy:
            print(f"  the existing hook was kept as {change.legacy} and runs first")
    if result.chained:
        print(
            f"init.templateDir was set to {result.chained} (yours): it is copied into {result.template_dir}, "
            "your hooks there run first; yours is left as it was and comes back with `stagecore uninstall --global` "
            "(after changing yours, run `stagecore install --global` again)"
        )
    print(
        f"git's init.templateDir is {result.template_dir}: every later `git clone` / `git init` gets "
        "stagecore's hooks (they do nothing in repositories without .dvc/); undo with `stagecore uninstall --global`"
    )
    return 0
