from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "move",
        aliases=["mv"],
        description="Rename or move a tracked file or directory, with its .dvc file and .gitignore entries.",
        epilog="example: stagecore move data.csv data/raw.csv",
        help="rename or move tracked data")
    p.add_argument("src", metavar="SRC", help="a tracked file or directory (an output of a .dvc file)")
    p.add_argument("dst", metavar="DST", help="its new path (an existing directory: moved into it)")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.move import move

    with open_repo() as repo:
        result = move(repo, args.src, args.dst)
        git_add_hint(repo, result.to_git_add)
    return 0
