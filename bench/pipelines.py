"""Pipelines: a 30-stage chain (`repro` up to date, `repro` after changing its root) and
`status` on 30 stages sharing one big directory (the `bigrepo` fixture).

The chain: seed.txt -> s00 -> o00.txt -> s01 -> ... -> o29.txt, each stage a `python -c`
(this venv's interpreter) appending its number to its input. The floor for a changed root is
the same 30 commands back to back in `sh`. DVC's status on the big repository is slow
(tens of seconds), so it is timed in the first round only.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import bigrepo
from common import WORK, Ctx, median_of, new_repo, run, trash, write
from summary import Check, millis, ratio

AREA = "pipelines"
CHAIN = 30
NOOP = "repro, 30-stage chain up to date"
CHANGED = "repro, 30-stage chain after changing its root"
FLOOR = "sh: the 30 chain commands back to back"


def chain_cmd(i: int) -> str:
    src = "seed.txt" if i == 0 else f"o{i - 1:02d}.txt"
    return f"{sys.executable} -c \"open('o{i:02d}.txt','w').write(open('{src}').read()+'{i},')\""


def setup(ctx: Ctx) -> None:
    for tool, exe in ctx.tools.items():
        env = ctx.env_for(tool)
        repo = new_repo(ctx, f"chain-{tool}", tool)
        write(os.path.join(repo, "seed.txt"), "seed\n")
        for i in range(CHAIN):
            dep = "seed.txt" if i == 0 else f"o{i - 1:02d}.txt"
            run(
                [*exe, "stage", "add", "-n", f"s{i:02d}", "-d", dep, "-o", f"o{i:02d}.txt", chain_cmd(i)],
                repo,
                env,
            )
        run([*exe, "repro"], repo, env)
        ctx.fixtures[f"chain-{tool}"] = repo
    floor = os.path.join(WORK, "chain-floor")
    trash(floor)
    os.makedirs(floor)
    ctx.fixtures["chain-floor"] = floor


def _expected_last(seed: str) -> str:
    return seed + "".join(f"{i}," for i in range(CHAIN))


def _check_chain(ctx: Ctx, tool: str, repo: str, seed: str) -> None:
    with open(os.path.join(repo, f"o{CHAIN - 1:02d}.txt")) as fobj:
        if fobj.read() != _expected_last(seed):
            ctx.note(f"{tool}: after repro the last output of the chain is not what the commands make")


def _chain_round(ctx: Ctx, rnd: int) -> None:
    seed = f"seed {time.time_ns()}\n"  # new each time: no run-cache hit, every stage runs
    floor = ctx.fixtures["chain-floor"]
    write(os.path.join(floor, "seed.txt"), seed)
    ctx.rec(
        "floor", FLOOR, run(["sh", "-c", " && ".join(chain_cmd(i) for i in range(CHAIN))], floor, ctx.env)
    )
    for tool, _ in ctx.order(rnd):
        ctx.attempt(f"chain {tool}", _chain_one, ctx, tool, seed)


def _chain_one(ctx: Ctx, tool: str, seed: str) -> None:
    exe, repo, env = ctx.tools[tool], ctx.fixtures[f"chain-{tool}"], ctx.env_for(tool)
    ctx.rec(tool, NOOP, median_of(3, run, [*exe, "repro"], repo, env))
    write(os.path.join(repo, "seed.txt"), seed)
    ctx.rec(tool, CHANGED, run([*exe, "repro"], repo, env))
    _check_chain(ctx, tool, repo, seed)


def status_what(n: int) -> tuple[str, str]:
    return (f"status, 30 stages sharing a {n}-file dir", f"status t00 (1 stage on that {n}-file dir)")


def _status_round(ctx: Ctx, rnd: int) -> None:
    for tool, _ in ctx.order(rnd):
        if tool == "dvc" and rnd > 0:
            continue  # tens of seconds each: one run is enough
        ctx.attempt(f"status {tool}", _status_one, ctx, tool)


def _status_one(ctx: Ctx, tool: str) -> None:
    all_stages, one_stage = status_what(ctx.sizes.nsmall)
    exe, repo, env = ctx.tools[tool], bigrepo.ensure(ctx, tool), ctx.env_for(tool)
    times = 1 if tool == "dvc" else 3
    ctx.rec(tool, all_stages, median_of(times, run, [*exe, "status"], repo, env))
    ctx.rec(tool, one_stage, median_of(times, run, [*exe, "status", "t00"], repo, env))


def round_(ctx: Ctx, rnd: int) -> None:
    _chain_round(ctx, rnd)
    _status_round(ctx, rnd)


def _overhead_per_stage(ctx: Ctx) -> Check | None:
    """(repro - the commands in sh) / 30, paired by round."""
    repro, floor = ctx.by_round("stagecore", CHANGED), ctx.by_round("floor", FLOOR)
    rounds = sorted(repro.keys() & floor.keys())
    if not rounds:
        return None
    value = statistics.median((repro[r] - floor[r]) / CHAIN for r in rounds) * 1000
    detail = ", ".join(
        f"r{r + 1} ({repro[r] * 1000:.0f} - {floor[r] * 1000:.0f} ms) / {CHAIN}" for r in rounds
    )
    return Check(AREA, "repro overhead per stage beyond its command", value, "ms", "", "info", detail)


def checks(ctx: Ctx) -> list[Check | None]:
    all_stages, one_stage = status_what(ctx.sizes.nsmall)
    return [
        ratio(
            ctx,
            AREA,
            "dvc repro / stagecore repro, 30 stages up to date",
            ("dvc", NOOP),
            ("stagecore", NOOP),
            ">=",
            10,
        ),
        millis(ctx, AREA, "repro, 30-stage chain up to date", ("stagecore", NOOP)),
        ratio(
            ctx,
            AREA,
            "dvc status / stagecore status, 30 stages on one dir",
            ("dvc", all_stages),
            ("stagecore", all_stages),
            ">=",
            10,
        ),
        ratio(
            ctx,
            AREA,
            "status 30 stages / status 1 stage, same dir (1 = one walk)",
            ("stagecore", all_stages),
            ("stagecore", one_stage),
        ),
        ratio(ctx, AREA, "dvc: status 30 stages / status 1 stage", ("dvc", all_stages), ("dvc", one_stage)),
        ratio(
            ctx,
            AREA,
            "repro after root change / 30 commands in sh",
            ("stagecore", CHANGED),
            ("floor", FLOOR),
            "<=",
            2,
        ),
        _overhead_per_stage(ctx),
        ratio(
            ctx, AREA, "dvc repro / stagecore repro, root changed", ("dvc", CHANGED), ("stagecore", CHANGED)
        ),
    ]
