from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "gc",
        description="Remove objects no kept revision uses from the cache (and from the data remote, with -c). "
                    "What the workspace uses is always kept.",
        epilog="example: stagecore gc -w -a",
        help="remove unused objects from the cache (and remote, with -c)")
    p.add_argument("-w", "--workspace", action="store_true", help="keep what the workspace uses")
    p.add_argument("--rev", metavar="<commit>", help="also keep what this commit uses")
    p.add_argument("-n", "--num", type=int, metavar="<num>",
                   help="with --rev or -a: keep the last <num> commits from each (default 1)")
    p.add_argument("-a", "--all-branches", action="store_true", help="also keep what every branch tip uses")
    p.add_argument("-T", "--all-tags", action="store_true", help="also keep what every tag uses")
    p.add_argument("-A", "--all-commits", action="store_true", help="also keep what any commit uses")
    p.add_argument("--date", dest="commit_date", metavar="<yyyy-mm-dd>",
                   help="also keep what the commits made on or after that date use")
    p.add_argument("--not-in-remote", action="store_true",
                   help="keep only the used objects the remote lacks (the rest can be pulled again)")
    p.add_argument("-c", "--cloud", action="store_true", help="also remove unused objects from the remote")
    p.add_argument("-r", "--remote", metavar="<name>", help="remote for -c / --not-in-remote")
    p.add_argument("-f", "--force", action="store_true", help="do not ask for confirmation")
    p.add_argument("-j", "--jobs", type=int, metavar="<number>", help="parallel remote requests")
    p.add_argument("--dry", action="store_true", help="only print what would be removed")
    p.set_defaults(func=run)


def _scope(args):
    from stagecore.ops.gc import Scope

    return Scope(args.workspace, args.all_branches, args.all_tags, args.all_commits, args.rev, args.num,
                 args.commit_date)


def warning(args) -> str:
    """DVC's words for what is kept."""
    num = args.num or (1 if args.rev else None)
    msg = "This will remove all cache except items used in the workspace"
    if args.all_commits:
        msg += " and all git commits"
    else:
        if args.all_branches and args.all_tags:
            msg += (f" and last {num} commits from all git branches and all git tags" if num
                    else " and all git branches and tags")
        elif args.all_branches:
            msg += f" and last {num} commits from all git branches" if num else " and all git branches"
        elif args.all_tags:
            msg += " and all git tags"
        if args.commit_date:
            msg += f" and all git commits before date {args.commit_date}"
        if args.rev:
            msg += f" and last {num} commits from {args.rev}"
    if args.not_in_remote:
        msg += " that are not present in the DVC remote"
    return msg + " of the current repo."


def run(args) -> int:
    import sys

    from stagecore.cli.common import open_repo
    from stagecore.ops.gc import check_args, gc
    from stagecore.ui.progress import task

    check_args(_scope(args), cloud=args.cloud, not_in_remote=args.not_in_remote)
    with open_repo() as repo:
        if repo.scm is None and (args.rev or args.all_branches or args.all_tags or args.all_commits
                                 or args.commit_date):
            from stagecore.ops.revisions import gc_revisions

            gc_revisions(repo)  # refuses: revisions are read from git
    sys.stderr.write(f"WARNING: {warning(args)}\n")
    if not (args.force or args.dry):
        sys.stdout.write("Are you sure you want to proceed? [y/n]: ")  # DVC asks on stdout
        sys.stdout.flush()
        answer = sys.stdin.readline().strip().lower() if not sys.stdin.closed else ""
        if answer not in ("y", "yes"):
            sys.stderr.write("\nERROR: gc aborted (nothing removed)\nhint: pass -f to skip this question\n")
            return 1
    with open_repo() as repo, task("removing", "remove"):  # cache objects removed, their bytes
        result = gc(repo, _scope(args), cloud=args.cloud, remote=args.remote, not_in_remote=args.not_in_remote,
                    dry=args.dry, jobs=args.jobs)
    for path in result.removing:
        print(f"Removing {path}")
    for count, scheme in ((result.removed, "repo"), (result.removed_legacy, "legacy")):
        print(f"Removed {count} objects from {scheme} cache." if count else f"No unused '{scheme}' cache to remove.")
    for remote in result.remotes:
        for path in remote.removing:
            print(f"Removing {path}")
        print(f"Removed {remote.removed} objects from remote." if remote.removed
              else "No unused cache to remove from remote.")
    for path in result.unexpanded:
        sys.stderr.write(f"WARNING: the manifest of '{path}' is not in the cache; its files were kept\n")
    for path in result.strays:
        sys.stderr.write(f"WARNING: '{path}' in the cache is not a cache object: "
                         "left alone (remove it if it is not yours)\n")
    return 0
