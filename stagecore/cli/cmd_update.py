from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "update",
        description="Re-import data written by import or import-url when its source changed "
        "(another revision of the repository with --rev).",
        epilog="example: stagecore update data.csv.dvc",
        help="update imported data from its source",
    )
    p.add_argument("targets", nargs="+", metavar="TARGET", help="import .dvc files to update")
    p.add_argument(
        "--rev", help="git revision of the source repository to import (imports from a repository)"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli import out
    from stagecore.cli.common import open_repo
    from stagecore.ops.update import update

    with open_repo() as repo:
        for target in update(repo, args.targets, args.rev, say=out):
            out(f"'{target}' didn't change, skipping")
    return 0
