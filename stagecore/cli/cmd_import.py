from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        description="Download a file or directory tracked by DVC (or git) in another git repository, and "
        "track it here (writes OUT.dvc naming the repository and the commit; `update` re-imports it).",
        epilog="example: stagecore import https://github.com/iterative/dataset-registry get-started/data.xml",
        help="import data from another DVC repository",
    )
    p.add_argument(
        "url", metavar="URL", help="the git repository (a local path, file://, http(s)://, ssh://)"
    )
    p.add_argument("path", metavar="PATH", help="path of the data inside that repository")
    p.add_argument("-o", "--out", help="destination path (default: the data's name)")
    p.add_argument("--rev", help="git revision of that repository (branch, tag, commit; default: its HEAD)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli import out
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.import_repo import import_repo

    with open_repo() as repo:
        result = import_repo(repo, args.url, args.path, args.out, args.rev, force=args.force, say=out)
        git_add_hint(repo, result.to_git_add)
    return 0
