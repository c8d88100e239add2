from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "commit",
        description="Save changed outputs to the cache and record their new hashes in .dvc files or dvc.lock.",
        epilog="example: stagecore commit train",
        help="save changed outputs to the cache and record them")
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("-f", "--force", action="store_true", help="commit even if deps changed")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore import targets
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.commit import commit

    with open_repo() as repo:
        result = commit(repo, targets.resolve(repo, args.targets), force=args.force)
        git_add_hint(repo, result.to_git_add)
    return 0
