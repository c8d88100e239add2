from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "status",
        description="Show changed stages and data in the workspace, or (with -c) what the cache and a data remote differ in.",
        epilog="example: stagecore status -c",
        help="show changed stages and data (or, with -c, cache vs remote)")
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-q", "--quiet", action="store_true", help="no output; exit 1 when something changed")
    p.add_argument("-c", "--cloud", action="store_true", help="compare the cache with the remote")
    p.add_argument("-r", "--remote", help="remote to compare with (implies -c)")
    p.add_argument("-j", "--jobs", type=int, help="parallel remote checks (with -c)")
    p.add_argument("-a", "--all-branches", action="store_true", help="with -c: also the data of every branch tip")
    p.add_argument("-T", "--all-tags", action="store_true", help="with -c: also the data of every tag")
    p.add_argument("-A", "--all-commits", action="store_true", help="with -c: also the data of every commit")
    p.add_argument("-d", "--with-deps", action="store_true", help="also the stages the targets depend on")
    p.add_argument("-R", "--recursive", action="store_true",
                   help="every .dvc file and dvc.yaml under the target directories")
    p.set_defaults(func=run)


_REMOTE_ONLY = (("all_branches", "--all-branches"), ("all_tags", "--all-tags"), ("all_commits", "--all-commits"),
                ("jobs", "--jobs"))


def run(args) -> int:
    import time

    from stagecore.cli.cmd_checkout import select_targets
    from stagecore.cli.common import open_repo
    from stagecore.errors import StagecoreError

    cloud = args.cloud or args.remote
    meaningless = [flag for name, flag in _REMOTE_ONLY if getattr(args, name)]
    if meaningless and not cloud:  # DVC's words and exit code
        raise StagecoreError(f"The following options are meaningless for local status: {', '.join(meaningless)}",
                             hint="they choose the data `status -c` compares with a remote")
    since = time.time_ns()  # a snapshot of a clean result vouches for nothing changed after this
    with open_repo() as repo:
        stages = select_targets(repo, args, "status").stages
        if cloud and (args.all_branches or args.all_tags or args.all_commits):
            return _cloud_revisions(repo, stages, args)
        if cloud:
            from stagecore.cli.render_cloud import cloud_status

            return cloud_status(repo, stages, args)
        from stagecore.ops.status import status

        report = _status_recorded(repo, stages, args, since) if not args.targets else status(repo, stages)
    code = _report_problems(report.problems)
    if args.quiet:
        return 0 if report.clean and not code else 1
    for name in report.frozen:
        sys.stderr.write(
            f"WARNING: stage: '{name}' is frozen. Its dependencies are not going to be shown in the status output.\n"
        )
    if args.json:  # DVC warns of frozen stages with --json too
        sys.stdout.write(json.dumps(report.stages) + "\n")
        return code
    if not report.tracked_anything:
        print("There are no data or pipelines tracked in this project yet.")
        print("See <https://dvc.org/doc/start> to get started!")  # DVC's words: its guide is ours too
        return code
    if report.clean:
        if not code:
            print("Data and pipelines are up to date.")
        return code
    sys.stdout.write(render(report.stages))
    return code


def _status_recorded(repo, stages, args, since: int):
    """The status of every stage; a clean one, without warning, problem or frozen stage, is
    recorded for `stagecore status` to answer from next time (stagecore.fastpath.snapshot)."""
    import warnings

    from stagecore.fastpath.snapshot import forget
    from stagecore.ops.status import status

    forget(repo.root, "status")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = status(repo, stages)
    for item in caught:  # shown as without the snapshot
        warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    if report.clean and report.tracked_anything and not (report.problems or report.frozen or caught):
        if not (args.with_deps or args.recursive):
            from stagecore.fastpath.snapshot_record import record

            record(repo, stages, "status", since, with_index=False)
    return report


def _cloud_revisions(repo, stages, args) -> int:
    """`status -c -a/-T/-A`: the workspace's data plus that of the chosen revisions vs the remote."""
    from stagecore.ops.revisions import refs_of_revisions
    from stagecore.ops.transfer import cloud_status
    from stagecore.ops.used import refs_of_stages

    refs = refs_of_stages(stages) + refs_of_revisions(repo, branches=args.all_branches, tags=args.all_tags,
                                                      commits=args.all_commits)
    report = cloud_status(repo, refs, remote=args.remote)
    if args.quiet:
        return 1 if report.entries else 0
    if args.json:
        print(json.dumps(report.entries))
    elif not report.entries:
        print(f"Cache and remote '{report.remote}' are in sync.")
    for path, state in sorted(report.entries.items()) if not args.json else ():
        print(f"\t{state + ':':<20}{path}")
    return 0


def _report_problems(problems: list) -> int:
    """One ERROR line (and its hint) per output that could not be judged; exit code 1 if any."""
    for exc in problems:
        sys.stderr.write(f"ERROR: {exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"hint: {exc.hint}\n")
    return 1 if problems else 0


def _entries(mapping: dict, depth: int) -> list[str]:
    lines = []
    for path, status in mapping.items():
        if isinstance(status, dict):
            lines.append("\t" * depth + f"{path}:")
            lines.extend(_entries(status, depth + 1))
        else:
            lines.append("\t" * depth + f"{status + ':':<20}{path}")
    return lines


def render(stages: dict) -> str:
    lines = []
    for name, items in stages.items():
        lines.append(f"{name}:")
        for item in items:
            if isinstance(item, str):
                lines.append(f"\t{item}")
                continue
            for title, mapping in item.items():
                lines.append(f"\t{title}:")
                lines.extend(_entries(mapping, 2))
    return "\n".join(lines) + "\n"
