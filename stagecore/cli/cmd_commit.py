from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "commit",
        description="Save changed outputs to the cache and record their new hashes in .dvc files or dvc.lock.",
        epilog="example: stagecore commit -f train",
        help="save changed outputs to the cache and record them")
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("-f", "--force", action="store_true",
                   help="commit changed stages without asking (without a terminal they are refused otherwise)")
    p.add_argument("-d", "--with-deps", action="store_true", help="also commit the stages the targets depend on")
    p.add_argument("-R", "--recursive", action="store_true",
                   help="a directory target means every stage whose dvc file is inside it")
    p.set_defaults(func=run)


def run(args) -> int:
    from contextlib import nullcontext

    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops import targets
    from stagecore.ops.commit import commit
    from stagecore.ui.progress import task

    with open_repo() as repo:
        stages = targets.resolve_scoped(repo, args.targets, with_deps=args.with_deps, recursive=args.recursive)
        target = args.targets[0] if len(args.targets) == 1 else None
        parts = [repo.relpath(t) for t in args.targets if not t.endswith(".dvc") and ":" not in t]
        interactive = _interactive()
        with task("committing", "hash", "store") if not interactive else nullcontext():  # no bar over the prompt
            result = commit(repo, stages, force=args.force, confirm=_confirm if interactive else None,
                            target=target, parts=parts)
        git_add_hint(repo, result.to_git_add)
    return 0


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def _confirm(stage, changes) -> bool:
    """DVC's prompt: what changed, then 'Are you sure you want to commit it? [y/n]'."""
    from stagecore.cli import out

    out(f"{stage.addressing}: {changes}")
    answer = input(f"Are you sure you want to commit '{stage.addressing}'? [y/n] ").strip().lower()
    return answer in ("y", "yes")
