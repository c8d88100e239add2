from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "unprotect",
        description="Replace the cache links of tracked files or directories by writable copies "
                    "(with cache.type hardlink or symlink), so they can be edited safely.",
        epilog="example: stagecore unprotect data/images",
        help="make tracked files writable copies instead of cache links")
    p.add_argument("targets", nargs="+", metavar="PATH", help="files or directories to unprotect")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.ops.unprotect import unprotect

    with open_repo() as repo:
        unprotect(repo, args.targets)
    return 0
