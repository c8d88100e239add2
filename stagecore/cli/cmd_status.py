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
    p.add_argument("-j", "--jobs", type=int, help="parallel remote checks")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore import targets
    from stagecore.cli.common import open_repo

    with open_repo() as repo:
        stages = targets.resolve(repo, args.targets)
        if args.cloud or args.remote:
            from stagecore.cli.render_cloud import cloud_status

            return cloud_status(repo, stages, args)
        from stagecore.ops.status import status

        report = status(repo, stages)
    code = _report_problems(report.problems)
    if args.quiet:
        return 0 if report.clean and not code else 1
    if args.json:
        sys.stdout.write(json.dumps(report.stages) + "\n")
        return code
    for name in report.frozen:
        sys.stderr.write(
            f"WARNING: stage: '{name}' is frozen. Its dependencies are not going to be shown in the status output.\n"
        )
    if not report.tracked_anything:
        print("There are no data or pipelines tracked in this project yet.")
        return code
    if report.clean:
        if not code:
            print("Data and pipelines are up to date.")
        return code
    sys.stdout.write(render(report.stages))
    return code


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
