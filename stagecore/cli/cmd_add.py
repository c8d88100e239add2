from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "add",
        description="Track data files or directories: store them in the cache and write PATH.dvc.",
        epilog="example: stagecore add data/images",
        help="track files or directories (writes PATH.dvc)")
    p.add_argument("targets", nargs="+", metavar="PATH", help="files or directories to track")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.add import add

    with open_repo() as repo:
        result = add(repo, args.targets)
        git_add_hint(repo, result.to_git_add)
    return 0
