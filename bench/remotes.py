"""Push and pull of the bench data through a local-directory remote, against `cp -r`.

Set up once per tool: a repository with `data` (small files) and `big` added. Each round,
per tool: `push` into an empty remote directory, `push` again when the remote has everything,
then `pull` into an empty cache and workspace. The floor is `cp -r data big` of the same data.
"""

from __future__ import annotations

import os

from common import WORK, Ctx, copy_data, median_of, new_repo, run, trash
from summary import Check, millis, ratio

AREA = "remotes"
CP = "cp -r data big"
PUSH = "push (empty local remote)"
NOOP = "push (remote has everything)"
PULL = "pull (empty cache and workspace)"


def _store(tool: str) -> str:
    return os.path.join(WORK, f"remote-store-{tool}")


def setup(ctx: Ctx) -> None:
    for tool, exe in ctx.tools.items():
        env = ctx.env_for(tool)
        repo = new_repo(ctx, f"remote-{tool}", tool)
        copy_data(ctx, repo)
        run([*exe, "add", "data", "big"], repo, env)
        run([*exe, "remote", "add", "-d", "loc", _store(tool)], repo, env)
        ctx.fixtures[f"remote-{tool}"] = repo


def _floor_cp(ctx: Ctx) -> None:
    dest = os.path.join(WORK, "floor-cp")
    trash(dest)
    os.makedirs(dest)
    ctx.rec(
        "floor",
        CP,
        run(
            ["cp", "-r", os.path.join(ctx.src, "data"), os.path.join(ctx.src, "big"), dest],
            WORK,
            ctx.env,
            settled=True,
        ),
    )
    trash(dest)


def _count_files(path: str) -> int:
    return sum(len(names) for _, _, names in os.walk(path))


def _push(ctx: Ctx, tool: str, exe: list[str]) -> None:
    repo, env = ctx.fixtures[f"remote-{tool}"], ctx.env_for(tool)
    trash(_store(tool))
    ctx.rec(tool, PUSH, run([*exe, "push"], repo, env, settled=True))
    objects = _count_files(_store(tool))
    expected = ctx.sizes.nsmall + ctx.sizes.nbig + 2  # + the two .dir manifests
    if objects != expected:
        ctx.note(f"{tool} push left {objects} objects in the remote, expected {expected}")
    ctx.rec(tool, NOOP, median_of(3, run, [*exe, "push"], repo, env))


def _pull(ctx: Ctx, tool: str, exe: list[str]) -> None:
    repo, env = ctx.fixtures[f"remote-{tool}"], ctx.env_for(tool)
    for name in (".dvc/cache", "data", "big"):
        trash(os.path.join(repo, name))
    ctx.rec(tool, PULL, run([*exe, "pull"], repo, env, settled=True))
    got = _count_files(os.path.join(repo, "data"))
    if got != ctx.sizes.nsmall:
        ctx.note(f"{tool} pull restored {got} files under data/, expected {ctx.sizes.nsmall}")


def round_(ctx: Ctx, rnd: int) -> None:
    _floor_cp(ctx)
    for tool, exe in ctx.order(rnd):
        ctx.attempt(f"push {tool}", _push, ctx, tool, exe)
    _floor_cp(ctx)
    for tool, exe in ctx.order(rnd + 1):
        ctx.attempt(f"pull {tool}", _pull, ctx, tool, exe)


def checks(ctx: Ctx) -> list[Check | None]:
    return [
        ratio(ctx, AREA, "push / cp -r", ("stagecore", PUSH), ("floor", CP), "<=", 1.5),
        ratio(ctx, AREA, "dvc push / stagecore push", ("dvc", PUSH), ("stagecore", PUSH), ">", 1),
        ratio(ctx, AREA, "pull / cp -r", ("stagecore", PULL), ("floor", CP), "<=", 1.5),
        ratio(ctx, AREA, "dvc pull / stagecore pull", ("dvc", PULL), ("stagecore", PULL), ">", 1),
        millis(ctx, AREA, f"push, remote has all {ctx.sizes.nsmall} objects", ("stagecore", NOOP), "<", 500),
        millis(ctx, AREA, f"dvc push, remote has all {ctx.sizes.nsmall} objects", ("dvc", NOOP)),
        ratio(
            ctx, AREA, "dvc push / stagecore push, remote has everything", ("dvc", NOOP), ("stagecore", NOOP)
        ),
    ]
