from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "gc",
        description="Remove objects no kept revision uses from the cache (and from the data remote, with -c).",
        epilog="example: stagecore gc -w -a",
        help="remove unused objects from the cache (and remote, with -c)")
    p.add_argument("-w", "--workspace", action="store_true", help="keep what the workspace uses")
    p.add_argument("-a", "--all-branches", action="store_true", help="also keep what every branch tip uses")
    p.add_argument("-T", "--all-tags", action="store_true", help="also keep what every tag uses")
    p.add_argument("-A", "--all-commits", action="store_true", help="also keep what any commit uses")
    p.add_argument("-c", "--cloud", action="store_true", help="also remove unused objects from the remote")
    p.add_argument("-r", "--remote", help="remote for -c")
    p.add_argument("-f", "--force", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from stagecore.cli.common import open_repo
    from stagecore.ops.gc import gc

    scope = args.workspace or args.all_branches or args.all_tags or args.all_commits
    if scope and not args.force:
        revisions = args.all_branches or args.all_tags or args.all_commits
        what = "the workspace" if args.workspace and not revisions else "the chosen revisions"
        where = "cache and remote" if args.cloud else "cache"
        sys.stderr.write(f"WARNING: This will remove all {where} objects except those used in {what}.\n")
        sys.stderr.write("Are you sure you want to proceed? [y/n]: ")
        sys.stderr.flush()
        answer = sys.stdin.readline().strip().lower() if not sys.stdin.closed else ""
        if answer not in ("y", "yes"):
            sys.stderr.write("\nERROR: gc aborted (nothing removed)\nhint: pass -f to skip this question\n")
            return 1
    with open_repo() as repo:
        result = gc(repo, workspace=args.workspace, branches=args.all_branches, tags=args.all_tags,
                    commits=args.all_commits, cloud=args.cloud, remote=args.remote)
    print(f"Removed {result.removed} objects from repo cache." if result.removed
          else "No unused 'repo' cache to remove.")
    if result.removed_legacy:
        print(f"Removed {result.removed_legacy} objects from legacy cache.")
    if args.cloud:
        print(f"Removed {result.removed_remote} objects from remote." if result.removed_remote
              else "No unused cache to remove from remote.")
    for path in result.unexpanded:
        sys.stderr.write(f"WARNING: the manifest of '{path}' is not in the cache; its files were kept\n")
    for path in result.strays:
        sys.stderr.write(f"WARNING: '{path}' in the cache is not a cache object: "
                         "left alone (remove it if it is not yours)\n")
    return 0
