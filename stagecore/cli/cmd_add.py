from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "add",
        description="Track data files or directories: store them in the cache and write PATH.dvc.",
        epilog="example: stagecore add data/images",
        help="track files or directories (writes PATH.dvc)")
    p.add_argument("targets", nargs="+", metavar="PATH", help="files or directories to track")
    p.add_argument("--no-commit", action="store_true", help="record the hashes but do not put the data in the cache")
    p.add_argument("--glob", action="store_true", help="targets are shell-style patterns (`**` recurses)")
    p.add_argument("-o", "--out", metavar="PATH", help="copy the (one) target to PATH in the repository and track it there")
    p.add_argument("-f", "--force", action="store_true", help="with -o: replace what is at PATH")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.add import AddOptions, add
    from stagecore.ui.progress import task

    options = AddOptions(no_commit=args.no_commit, glob=args.glob, out=args.out, force=args.force)
    with open_repo() as repo:
        with task("adding", "hash", "store"):  # files hashed, then copied into the cache
            result = add(repo, args.targets, options=options)
        git_add_hint(repo, result.to_git_add)
    return 0
