"""Rendering shared by push / fetch / pull / status -c: progress, summaries, problems."""

from __future__ import annotations

import argparse
import sys

from stagecore.ui.progress import stderr_progress


def plural(n: int, word: str = "file") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


MISSING_WARNING = ("WARNING: Some of the cache files do not exist neither locally nor on remote. "
                   "Missing cache files:")


def report_problems(result, verb: str) -> int:
    """Print failed and missing objects; the exit code they imply. Objects missing everywhere are
    DVC's warning (one `md5: <hash>` line each) and exit 0, as DVC 3.x: the rest was transferred.
    (The pre-push hook keeps refusing them: it renders the result itself.)"""
    code = 0
    if result.failed:
        sys.stderr.write(f"ERROR: {plural(len(result.failed), 'object')} failed to {verb}:\n")
        for hi, reason in sorted(result.failed.items()):
            sys.stderr.write(f"\t{hi.value}: {reason}\n")
        sys.stderr.write("hint: run the command again; transient errors are retried, corrupt objects are never used\n")
        code = 1
    if result.missing:
        sys.stderr.write(MISSING_WARNING + "\n")
        for hi in sorted(result.missing, key=lambda hi: (not hi.isdir, hi.value)):
            sys.stderr.write(f"{hi.name}: {hi.value}\n")
    return code


def add_remote_args(p, *, glob: bool = False) -> None:
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("-r", "--remote", help="remote name (default: core.remote); outputs that name "
                   "another remote in their `remote:` field are left out")
    p.add_argument("-j", "--jobs", type=int, metavar="<number>", help="parallel transfers")
    p.add_argument("-a", "--all-branches", action="store_true", help="data of every branch tip")
    p.add_argument("-T", "--all-tags", action="store_true", help="data of every tag")
    p.add_argument("-A", "--all-commits", action="store_true", help="data of every commit")
    p.add_argument("-d", "--with-deps", action="store_true",
                   help="also the data of the stages the targets depend on")
    p.add_argument("-R", "--recursive", action="store_true",
                   help="a directory target means every stage whose dvc file is inside it")
    p.add_argument("--run-cache", action=argparse.BooleanOptionalAction, default=False,
                   help="also transfer the run cache (--no-run-cache: not; the default)")
    if glob:
        p.add_argument("--glob", action="store_true", help="targets may hold shell-style wildcards")


def collect_refs(repo, args, *, for_push: bool = False):
    """Refs of the workspace (or targets) plus the revisions chosen by -a/-T/-A."""
    from stagecore.ops import targets
    from stagecore.ops.revisions import refs_of_revisions
    from stagecore.ops.used import refs_of_stages

    stages = targets.resolve_scoped(repo, args.targets, with_deps=args.with_deps, recursive=args.recursive,
                                    glob=getattr(args, "glob", False))
    refs = refs_of_stages(stages, for_push=for_push)
    if args.all_branches or args.all_tags or args.all_commits:
        refs += refs_of_revisions(repo, branches=args.all_branches, tags=args.all_tags,
                                  commits=args.all_commits, for_push=for_push)
    return refs


def fetch_for(repo, args):
    """The fetch step of `fetch` and `pull`: the run cache when asked, then the data objects."""
    from stagecore.ops.transfer import fetch, remote_name

    refs = collect_refs(repo, args)
    if args.run_cache:
        from stagecore.ops.runcache_transfer import pull_run_cache

        pull_run_cache(repo, remote_name(repo, args.remote, args.command))
    # a missing remote's hint names this command
    return fetch(repo, refs, remote=args.remote, jobs=args.jobs, progress=stderr_progress("fetching"),
                 filter_remote=True, command=args.command)
