"""`status -c`: the cache against a remote, in DVC's words."""

from __future__ import annotations

import json


def cloud_status(repo, stages, args) -> int:
    from stagecore.ops.transfer import cloud_status as compute
    from stagecore.ops.used import refs_of_stages

    report = compute(repo, refs_of_stages(stages), remote=args.remote)
    if report.lost:
        import sys

        from stagecore.cli.transfer_common import MISSING_WARNING

        sys.stderr.write(MISSING_WARNING + "\n")
        sys.stderr.writelines(f"name: None, {hi.name}: {hi.value}\n" for hi in report.lost)  # DVC's words
    if args.quiet:
        return 1 if report.entries else 0
    if args.json:
        print(json.dumps(report.entries))
        return 0
    if not report.entries:
        print(f"Cache and remote '{report.remote}' are in sync.")
        return 0
    for path, status in report.entries.items():
        print(f"\t{status + ':':<20}{path}")
    return 0
