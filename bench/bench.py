#!/usr/bin/env python3
"""Side-by-side benchmark: stagecore vs real DVC (when installed) vs the floors of disk and git.

    python bench/bench.py [--small] [--rounds N] [--dvc PATH] [--only AREA,...] [--keep]
    python bench/bench.py --from-json bench/.work/results.json     # the summary again, no timing

Areas (`--only`, default all): version, add, status, checkout (core_ops.py); remotes
(push/pull through a local directory, remotes.py); s3 (push parallelism against moto's
server, s3.py, when moto is importable); pipelines (30-stage chain and 30 stages on one big
directory, pipelines.py); hooks (git commit/checkout through the installed hooks, hooks.py);
fastpath (issue 11's per-commit operations at 5,000 and 20,000 files against git alone, DVC,
git-lfs and git-annex, fastpath.py; also runs alone: python bench/fastpath.py).

Data: 20,000 files of 1-8 KiB and 20 files of 50 MiB (`--small`: 2,000 and 2 x 8 MiB), built
once under bench/.work/src-full (src-small). Each round times every tool in interleaved order
(the first tool alternates); DVC's slowest runs (tens of seconds) are taken in the first round
only. Steps that write a lot start after an os.sync(), so that none pays for the writes of the
step before it. Prints medians, then every ratio with its target and PASS/MISS (n/a: not
measured, see the notes); a ratio is the median of per-round ratios (both sides timed in the
same round). Writes them to bench/.work/results.json. Repositories are deleted
afterwards unless --keep. Seconds move 2-3x with machine load here: compare ratios measured in
one run. Run it with a virtualenv's python (the base interpreter here adds ~100 ms per start).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

import core_ops
import fastpath
import hooks
import pipelines
import remotes
import s3
import summary
from common import (
    HERE,
    WORK,
    Ctx,
    Sizes,
    base_env,
    build_data,
    purge_trash,
    purge_trash_if_disk_low,
    trash_fixtures,
)

AREAS = ["core", "remotes", "s3", "pipelines", "hooks", "fastpath"]
MODULES = {"remotes": remotes, "s3": s3, "pipelines": pipelines, "hooks": hooks, "fastpath": fastpath}


def find_dvc() -> str | None:
    candidates = (
        os.environ.get("STAGECORE_DVC"),
        shutil.which("dvc"),
        os.path.join(HERE, "..", ".venv-dvc/bin/dvc"),
        "/tmp/dvcvenv/bin/dvc",
    )
    return next((p for p in candidates if p and os.path.exists(p)), None)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="2,000 small files, 2 x 8 MiB, 300 S3 objects")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the repositories under bench/.work afterwards")
    ap.add_argument(
        "--from-json", metavar="FILE", help="print the summary of an earlier run's results.json again"
    )
    ap.add_argument(
        "--dvc", default=find_dvc(), help="real DVC's executable (default: found on PATH or /tmp)"
    )
    ap.add_argument(
        "--only",
        default=",".join(sorted(core_ops.PARTS)) + "," + ",".join(AREAS[1:]),
        help="comma list of: version, add, status, checkout, core (= those four), " + ", ".join(AREAS[1:]),
    )
    return ap.parse_args()


def selected(only_arg: str) -> tuple[set[str], list[str]]:
    """(core parts, other areas) named by --only."""
    only = set(only_arg.split(","))
    if "core" in only:
        only |= core_ops.PARTS
    unknown = only - core_ops.PARTS - set(AREAS)
    if unknown:
        raise SystemExit(f"--only: unknown {', '.join(sorted(unknown))}")
    return only & core_ops.PARTS, [a for a in AREAS[1:] if a in only]


def make_ctx(args: argparse.Namespace) -> Ctx:
    stagecore = shutil.which("stagecore", path=os.path.dirname(sys.executable)) or shutil.which("stagecore")
    if not stagecore:
        raise SystemExit("stagecore's console script is not next to this python nor on PATH")
    tools = {"stagecore": [stagecore]}
    if args.dvc and os.path.exists(args.dvc):
        tools["dvc"] = [os.path.abspath(args.dvc)]
    else:
        print("real DVC not found: timing stagecore alone (pass --dvc PATH)")
    return Ctx(
        small=args.small, rounds=args.rounds, sizes=Sizes.pick(args.small), tools=tools, env=base_env()
    )


def timed(ctx: Ctx, label: str, fn, *fn_args) -> bool:
    """Run one set-up or round of an area; a failed command is noted and the area dropped, not the run."""
    start = time.perf_counter()
    print(f"  {label} ...", flush=True)
    try:
        fn(ctx, *fn_args)
    except SystemExit as exc:
        ctx.note(f"{label} failed, area dropped from here on: {exc}")
        return False
    print(f"  {label}: {time.perf_counter() - start:.0f} s", flush=True)
    return True


def report(ctx: Ctx, core_parts: set[str], areas: list[str], out: str | None) -> None:
    checks = core_ops.checks(ctx, core_parts)
    for area in areas:
        checks += MODULES[area].checks(ctx)
    done = [c for c in checks if c is not None]
    summary.print_medians(ctx)
    summary.print_summary(ctx, done)
    if out:
        summary.write_json(ctx, done, out, sorted(core_parts) + areas)
        print(f"\nwritten to {os.path.relpath(out)}")


def rerun_report(path: str) -> int:
    """--from-json: the summary of an earlier run, recomputed by this version of the checks."""
    ctx, parts = summary.load_json(path)
    core_parts, areas = selected(",".join(parts))
    report(ctx, core_parts, areas, None)
    return 0


def main() -> int:
    args = parse_args()
    if args.from_json:
        return rerun_report(args.from_json)
    core_parts, areas = selected(args.only)
    if sys.prefix == sys.base_prefix:
        print("warning: not a virtualenv's python; interpreter start-ups will be slower than users see")
    if "s3" in areas and (why := s3.unavailable()):
        print(why)
        areas.remove("s3")
    ctx = make_ctx(args)
    os.makedirs(WORK, exist_ok=True)
    print(f"building data: {ctx.sizes.describe()} ...", flush=True)
    build_data(ctx.src, ctx.sizes)
    started = time.perf_counter()
    try:
        running = [a for a in areas if timed(ctx, f"setting up {a}", MODULES[a].setup)]
        core_ok = bool(core_parts)
        for rnd in range(ctx.rounds):
            print(f"round {rnd + 1}/{ctx.rounds}", flush=True)
            ctx.round = rnd
            core_ok = core_ok and timed(ctx, "core", core_ops.round_, rnd, core_parts)
            running = [a for a in running if timed(ctx, a, MODULES[a].round_, rnd)]
            purge_trash_if_disk_low()
    finally:
        s3.teardown(ctx)
    print(
        f"set-up and rounds took {time.perf_counter() - started:.0f} s; deleting scratch trees ...",
        flush=True,
    )
    if not args.keep:
        trash_fixtures()
    purge_trash()
    report(ctx, core_parts, areas, os.path.join(WORK, "results.json"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
