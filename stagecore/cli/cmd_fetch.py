from __future__ import annotations


def register(sub) -> None:
    from stagecore.cli.transfer_common import add_remote_args

    p = sub.add_parser(
        "fetch",
        description="Download tracked data from a data remote into the cache, without touching the workspace.",
        epilog="example: stagecore fetch -r storage",
        help="download tracked data into the cache (no checkout)")
    add_remote_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.cli.transfer_common import fetch_for, plural, report_problems

    with open_repo() as repo:
        result = fetch_for(repo, args)
    print(f"{plural(len(result.transferred))} fetched" if result.transferred else "Everything is up to date.")
    return report_problems(result, "fetch")
