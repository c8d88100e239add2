from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "get",
        description="Download a file or directory tracked by DVC (or git) in a git repository using DVC, "
        "without tracking it (works outside any project).",
        epilog="example: stagecore get https://github.com/iterative/dataset-registry get-started/data.xml",
        help="download data from a DVC repository (untracked)",
    )
    p.add_argument(
        "url", metavar="URL", help="the git repository (a local path, file://, http(s)://, ssh://)"
    )
    p.add_argument("path", metavar="PATH", help="path of the data inside that repository")
    p.add_argument("-o", "--out", help="destination path (default: the data's name)")
    p.add_argument("--rev", help="git revision of that repository (branch, tag, commit; default: its HEAD)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing file or directory")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore.ops.get import get

    get(args.url, args.path, args.out, args.rev, os.getcwd(), force=args.force)
    return 0
