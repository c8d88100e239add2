from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "import-url",
        description="Download a file or directory from a local path or an http(s) URL into the workspace "
        "and track it (writes OUT.dvc with the source as its dependency; `update` re-imports it).",
        epilog="example: stagecore import-url https://example.com/data.csv data/data.csv",
        help="import data from a local path or an http(s) URL",
    )
    p.add_argument("url", metavar="URL", help="source: a local path or an http(s) URL")
    p.add_argument("out", nargs="?", metavar="OUT", help="destination path (default: the source's name)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli import out
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.import_url import import_url

    with open_repo() as repo:
        result = import_url(repo, args.url, args.out, force=args.force, say=out)
        git_add_hint(repo, result.to_git_add)
    return 0
