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
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore import targets
    from stagecore.cli.cmd_checkout import report_kept, report_refused
    from stagecore.cli.common import err, open_repo
    from stagecore.cli.transfer_common import fetch_for, plural, report_problems
    from stagecore.ops.checkout import checkout, display

    with open_repo() as repo:
        result = fetch_for(repo, args)
        done = checkout(repo, targets.resolve(repo, args.targets), force=args.force)
        for letter, path in done.changes:
            print(f"{letter:<8}{display(repo, path, os.getcwd())}")
        report_refused(done.refused)
        report_kept(repo, done.kept, os.getcwd(), "pull")
        if done.missing:
            err("ERROR: not checked out (missing from the cache and the remote): " + ", ".join(done.missing))
        added = sum(1 for c, _ in done.changes if c == "A")
        parts = []
        if result.transferred:
            parts.append(f"{plural(len(result.transferred))} fetched")
        if added:
            parts.append(f"{plural(added)} added")
        modified = len(done.changes) - added
        if modified:
            parts.append(f"{plural(modified)} modified")
        print(" and ".join(parts) if parts else "Everything is up to date.")
    code = report_problems(result, "pull")
    return code or (1 if done.kept or done.missing or done.refused else 0)
