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
    from stagecore.errors import RemoteError
    from stagecore.ops.checkout import checkout
    from stagecore.ui.progress import task

    cwd = os.getcwd()
    with open_repo() as repo:
        chosen = select_targets(repo, args, "pull")  # a path inside a tracked directory: that part only
        try:
            result = _fetch(repo, args, chosen.only) if _parts(chosen) else fetch_for(repo, args)
        except RemoteError as exc:
            if args.remote or not exc.message.startswith("no remote specified"):
                raise
            err("No remote provided and no default remote set.")  # DVC's words: check out what the cache has
            if exc.hint:
                err(f"hint: {exc.hint}")
            result = None
        with task("checking out", "link"):  # pull's checkout phase
            done = checkout(repo, chosen.stages, force=args.force, only=chosen.only, prune=not args.targets)
        print_changes(repo, done.changes, cwd)
        report_untracked(repo, done.untracked_kept, cwd)
        report_refused(done.refused)
        report_kept(repo, done.kept, cwd, "pull")
        missing = done.missing and not args.allow_missing
        if missing:
            err("ERROR: not checked out (missing from the cache and the remote): " + ", ".join(done.missing))
        # DVC's line: 'N files fetched, N files modified, N files added and N files deleted'
        fetched = len(result.transferred) if result is not None else 0
        print(summary(done.stats, ("fetched", fetched)) or "Everything is up to date.")
    code = report_problems(result, "pull") if result is not None else 0
    return code or (1 if done.kept or missing or done.refused else 0)


def _parts(chosen) -> bool:
    """Whether a target is a path inside a tracked directory (not a whole output)."""
    if chosen.only is None:
        return False
    outs = {stage.out_path(out) for stage in chosen.stages for out in stage.outs}
    return any(path not in outs for path in chosen.only)


def _fetch(repo, args, within: set[str]):
    """fetch_for's data step limited to the chosen parts: a tracked directory's manifest and the
    files of the part only (DVC's `pull data/file` fetches two objects, not the directory)."""
    from stagecore.cli.transfer_common import collect_refs
    from stagecore.ops.transfer import fetch, remote_name
    from stagecore.ui.progress import stderr_progress

    refs = collect_refs(repo, args)
    if args.run_cache:
        from stagecore.ops.runcache_transfer import pull_run_cache

        pull_run_cache(repo, remote_name(repo, args.remote, args.command))
    revisions = args.all_branches or args.all_tags or args.all_commits
    return fetch(repo, refs, remote=args.remote, jobs=args.jobs, progress=stderr_progress("fetching"),
                 filter_remote=True, command=args.command, within=None if revisions else within)
