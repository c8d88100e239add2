"""Rendering shared by push / fetch / pull / status -c: progress, summaries, problems."""

from __future__ import annotations

import sys

from stagecore.progress import stderr_progress


def plural(n: int, word: str = "file") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def report_problems(result, verb: str) -> int:
    """Print failed and missing objects; the exit code they imply."""
    code = 0
    if result.failed:
        sys.stderr.write(f"ERROR: {plural(len(result.failed), 'object')} failed to {verb}:\n")
        for hi, reason in sorted(result.failed.items()):
            sys.stderr.write(f"\t{hi.value}: {reason}\n")
        sys.stderr.write("hint: run the command again; transient errors are retried, corrupt objects are never used\n")
        code = 1
    if result.missing:
        sys.stderr.write(
            f"ERROR: {plural(len(result.missing), 'object')} neither in the cache nor on remote '{result.remote}':\n"
        )
        for hi, path in sorted(result.missing.items(), key=lambda kv: kv[1]):
            sys.stderr.write(f"\t{path} (md5: {hi.value})\n")
        sys.stderr.write(
            "hint: the data was never committed here; run `stagecore commit` where it exists, then push from there\n"
        )
        code = 1
    return code


def add_remote_args(p) -> None:
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("-r", "--remote", help="remote name (default: core.remote)")
    p.add_argument("-j", "--jobs", type=int, help="parallel transfers")
    p.add_argument("-a", "--all-branches", action="store_true", help="data of every branch tip")
    p.add_argument("-T", "--all-tags", action="store_true", help="data of every tag")
    p.add_argument("-A", "--all-commits", action="store_true", help="data of every commit")
    p.add_argument("--run-cache", action="store_true", help="also transfer the run cache")


def collect_refs(repo, args, *, for_push: bool = False):
    """Refs of the workspace (or targets) plus the revisions chosen by -a/-T/-A."""
    from stagecore import targets
    from stagecore.ops.revisions import refs_of_revisions
    from stagecore.ops.used import refs_of_stages

    refs = refs_of_stages(targets.resolve(repo, args.targets), for_push=for_push)
    if args.all_branches or args.all_tags or args.all_commits:
        refs += refs_of_revisions(repo, branches=args.all_branches, tags=args.all_tags,
                                  commits=args.all_commits, for_push=for_push)
    return refs


def fetch_for(repo, args):
    """The fetch step of `fetch` and `pull`: the run cache when asked, then the data objects."""
    from stagecore.ops.transfer import fetch, remote_name

    remote = remote_name(repo, args.remote, args.command)  # a missing remote's hint names this command
    if args.run_cache:
        from stagecore.ops.runcache_transfer import pull_run_cache

        pull_run_cache(repo, remote)
    return fetch(repo, collect_refs(repo, args), remote=remote, jobs=args.jobs,
                 progress=stderr_progress("fetching"))
