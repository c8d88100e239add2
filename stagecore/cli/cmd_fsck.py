"""`fsck [--repair] [-r REMOTE] [--remote-only] [-j N] [-f]`: find objects that do not match their name.

Exit 0 when everything checked is valid (or, with --repair, every problem was repaired),
1 when a problem was found and remains.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "fsck",
        description="Check that every cache object (and, with -c, remote object) matches the hash it is named by.",
        epilog="example: stagecore fsck --repair",
        help="check that cache (and remote) objects match their names")
    p.add_argument("--repair", action="store_true",
                   help="remove corrupt cache objects and fetch them again from the data remote")
    p.add_argument("-r", "--remote", help="also check every object on this data remote")
    p.add_argument("--remote-only", action="store_true",
                   help="check only the data remote (the default one unless -r is given)")
    p.add_argument("-j", "--jobs", type=int, help="objects checked at once (downloads for a remote)")
    p.add_argument("-f", "--force", action="store_true",
                   help="with --repair -r: really delete corrupt objects from the remote")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from stagecore.cli.common import open_repo
    from stagecore.cli.transfer_common import plural
    from stagecore.ops.fsck import fsck
    from stagecore.ui.progress import stderr_progress

    with open_repo() as repo:
        result = fsck(repo, repair=args.repair, remote=args.remote, remote_only=args.remote_only,
                      force=args.force, jobs=args.jobs, progress=stderr_progress("checking"))
    for problem in result.problems:
        where = "" if problem.where == "cache" else f" on remote '{problem.where}'"
        sys.stdout.write(f"corrupt: {problem.path}{where}: {problem.reason}\n")
    for path in result.removed:
        sys.stdout.write(f"removed: {path}\n")
    for path in result.refetched:
        sys.stdout.write(f"fetched again: {path}\n")
    parts = []
    if not args.remote_only:
        parts.append(f"{plural(result.checked, 'object')} checked in the cache")
    if result.remote is not None:
        parts.append(f"{plural(result.remote_checked, 'object')} on remote '{result.remote}'")
    summary = ", ".join(parts)
    if not result.problems:
        sys.stdout.write(f"{summary}: no problems found.\n")
        return 0
    sys.stdout.write(f"{summary}: {plural(len(result.problems), 'problem')} found.\n")
    if args.repair and not result.unrepaired:
        return 0
    for line in result.unrepaired:
        sys.stderr.write(f"ERROR: {line}\n")
    if not args.repair:
        sys.stderr.write("hint: `stagecore fsck --repair` removes corrupt cache objects and fetches them "
                         "again from the data remote\n")
    return 1
