from __future__ import annotations


def register(sub) -> None:
    from stagecore.cli.transfer_common import add_remote_args

    p = sub.add_parser("fetch", help="download tracked data into the cache (no checkout)")
    add_remote_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.cli.transfer_common import collect_refs, plural, progress_printer, report_problems
    from stagecore.ops.transfer import fetch

    with open_repo() as repo:
        if args.run_cache:
            from stagecore.ops.runcache_transfer import pull_run_cache

            pull_run_cache(repo, args.remote)
        result = fetch(repo, collect_refs(repo, args), remote=args.remote, jobs=args.jobs,
                       progress=progress_printer("fetching"))
    print(f"{plural(len(result.transferred))} fetched" if result.transferred else "Everything is up to date.")
    return report_problems(result, "fetch")
