from __future__ import annotations


def register(sub) -> None:
    from stagecore.cli.transfer_common import add_remote_args

    p = sub.add_parser(
        "pull",
        description="Download tracked data from a data remote and check it out into the workspace.",
        epilog="example: stagecore pull -r storage",
        help="fetch tracked data and check it out")
    add_remote_args(p)
    p.add_argument(
        "-f", "--force", action="store_true",
        help="replace modified workspace data (saved to the cache first)")
    p.add_argument("--allow-missing", action="store_true",
                   help="data missing from the cache and the remote is not an error (it is left out)")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore.cli.cmd_checkout import (
        print_changes,
        report_kept,
        report_refused,
        report_untracked,
        select_targets,
        summary,
    )
    from stagecore.cli.common import err, open_repo
    from stagecore.cli.transfer_common import fetch_for, report_problems
    from stagecore.ops.checkout import checkout

    cwd = os.getcwd()
    with open_repo() as repo:
        result = fetch_for(repo, args)
        chosen = select_targets(repo, args, "pull")  # a path inside a tracked directory: that part only
        done = checkout(repo, chosen.stages, force=args.force, only=chosen.only, prune=not args.targets)
        print_changes(repo, done.changes, cwd)
        report_untracked(repo, done.untracked_kept, cwd)
        report_refused(done.refused)
        report_kept(repo, done.kept, cwd, "pull")
        missing = done.missing and not args.allow_missing
        if missing:
            err("ERROR: not checked out (missing from the cache and the remote): " + ", ".join(done.missing))
        # DVC's line: 'N files fetched, N files modified, N files added and N files deleted'
        print(summary(done.stats, ("fetched", len(result.transferred))) or "Everything is up to date.")
    code = report_problems(result, "pull")
    return code or (1 if done.kept or missing or done.refused else 0)
