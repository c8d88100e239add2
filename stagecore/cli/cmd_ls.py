from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "list",
        aliases=["ls"],
        description="List what a git repository using DVC holds (files tracked by git and data tracked by DVC), "
        "at a revision, without cloning its data.",
        epilog="example: stagecore list https://github.com/iterative/dataset-registry get-started",
        help="list a DVC repository's files and data",
    )
    p.add_argument(
        "url", metavar="URL", help="the git repository (a local path, file://, http(s)://, ssh://)"
    )
    p.add_argument("path", nargs="?", metavar="PATH", help="directory (or file) inside it to list")
    p.add_argument("-R", "--recursive", action="store_true", help="list files in every sub-directory")
    p.add_argument("--dvc-only", action="store_true", help="show only data tracked by DVC")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--rev", help="git revision (branch, tag, commit; default: the repository's HEAD)")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import os

    from stagecore.cli import out
    from stagecore.ops.ls import ls

    rows = ls(args.url, args.path, args.rev, os.getcwd(), recursive=args.recursive, dvc_only=args.dvc_only)
    if args.json:
        out(json.dumps(rows))
    else:
        for row in rows:
            out(row["path"])
    return 0
