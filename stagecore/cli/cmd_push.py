from __future__ import annotations


def register(sub) -> None:
    from stagecore.cli.transfer_common import add_remote_args

    p = sub.add_parser(
        "push",
        description="Upload the tracked data a data remote does not have yet.",
        epilog="example: stagecore push -r storage",
        help="upload tracked data the remote lacks")
    add_remote_args(p, glob=True)
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.cli.transfer_common import collect_refs, plural, report_problems
    from stagecore.ops.transfer import push
    from stagecore.ui.progress import stderr_progress

    entries = 0
    with open_repo() as repo:
        refs = collect_refs(repo, args, for_push=True)
        if args.run_cache:  # first, as DVC; its entries count in DVC's 'N files pushed'
            from stagecore.ops.runcache_transfer import push_run_cache

            entries = push_run_cache(repo, args.remote)
        result = push(repo, refs, remote=args.remote, jobs=args.jobs, progress=stderr_progress("pushing"),
                      filter_remote=True)
    count = len(result.transferred) + entries
    print(f"{plural(count)} pushed" if count else "Everything is up to date.")
    return report_problems(result, "push")
