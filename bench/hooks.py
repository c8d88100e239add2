"""Git hooks (`stagecore install` / `dvc install` in twin repositories), timed through git.

(a) `git commit` of an unrelated file in a small repository (50 files, 1 stage): with the
    hooks vs `--no-verify`;
(b) `git checkout` between two commits with the same data (big repository: 20,000 files,
    30 stages), with the hooks vs without (`-c core.hooksPath=/dev/null`);
(c) `git commit` of an unrelated file in the big repository, nothing changed;
(d) the post-checkout hook alone, run by hand after a hook-less `git checkout` that changes
    one output among 30 (o07, 50 MiB), next to a `cp` of that file.
DVC's runs on the big repository take seconds to tens of seconds: first round only.
"""

from __future__ import annotations

import os
import shutil

import bigrepo
from common import WORK, Ctx, median_of, new_repo, output, run, trash, write
from summary import Check, millis, ratio

AREA = "hooks"
NOHOOKS = ["-c", "core.hooksPath=/dev/null"]
SMALL_FILES = 50
COMMIT_SMALL = "git commit, hooks, unrelated file (1 stage)"
FLOOR_SMALL = "git commit --no-verify (1-stage repo)"
CHECKOUT_SAME = "git checkout, hooks, same data (big repo)"
FLOOR_CHECKOUT = "git checkout, no hooks (big repo)"


def names(ctx: Ctx) -> dict[str, str]:
    n, mib = ctx.sizes.nsmall, ctx.sizes.stage_out >> 20
    return {
        "commit_big": f"git commit, hooks, {n} files x 30 stages unchanged",
        "floor_big": "git commit --no-verify (big repo)",
        "switch": f"post-checkout alone, 1 of 30 outputs changed ({mib} MiB)",
        "floor_cp": f"cp of that one {mib} MiB output",
    }


# ---- fixtures


def _small_repo(ctx: Ctx, tool: str) -> str:
    exe, env = ctx.tools[tool], ctx.env_for(tool)
    repo = new_repo(ctx, f"hooks-small-{tool}", tool)
    first = os.path.join(ctx.src, "data", "d000")
    os.makedirs(os.path.join(repo, "data"))
    for name in sorted(os.listdir(first))[:SMALL_FILES]:
        shutil.copyfile(os.path.join(first, name), os.path.join(repo, "data", name))
    write(os.path.join(repo, "README.md"), "bench\n")
    run([*exe, "add", "data"], repo, env)
    run(
        [*exe, "stage", "add", "-n", "t00", "-d", "data", "-o", "o00.txt", bigrepo.stage_cmd(0, 0)], repo, env
    )
    run([*exe, "repro"], repo, env)
    run(["git", "add", "-A"], repo, env)
    run(["git", "commit", "-q", "-m", "base"], repo, env)
    return repo


def setup(ctx: Ctx) -> None:
    for tool, exe in ctx.tools.items():
        env = ctx.env_for(tool)
        small = _small_repo(ctx, tool)
        big = bigrepo.ensure(ctx, tool)
        for repo in (small, big):
            run([*exe, "install"], repo, env)
        ctx.fixtures[f"hooks-small-{tool}"] = small


# ---- timed steps


def _commit(repo: str, env: dict[str, str], *flags: str) -> float:
    with open(os.path.join(repo, "README.md"), "a") as fobj:
        fobj.write("one more line\n")
    run(["git", "add", "README.md"], repo, env)
    return run(["git", "commit", "-q", *flags, "-m", "README"], repo, env)


def _checkout(repo: str, env: dict[str, str], branch: str, *git_flags: str) -> float:
    return run(["git", *git_flags, "checkout", "-q", branch], repo, env)


def _switch_by_hand(ctx: Ctx, tool: str, repo: str, branch: str, want: bytes) -> float:
    """Hook-less `git checkout branch`, then the post-checkout hook alone, timed."""
    env = ctx.env_for(tool)
    prev = output(["git", "rev-parse", "HEAD"], repo, env)
    _checkout(repo, env, branch, *NOHOOKS)
    new = output(["git", "rev-parse", "HEAD"], repo, env)
    took = run([os.path.join(repo, ".git", "hooks", "post-checkout"), prev, new, "1"], repo, env)
    if bigrepo.knob_byte(repo) != want:
        ctx.note(
            f"{tool} post-checkout to {branch} left {bigrepo.out_name(bigrepo.CHANGING)} "
            f"at {bigrepo.knob_byte(repo)!r}, expected {want!r}"
        )
    return took


def _floor_cp(ctx: Ctx, repo: str) -> None:
    dest = os.path.join(WORK, "floor-one-output")
    trash(dest)
    took = run(["cp", bigrepo.out_name(bigrepo.CHANGING), dest], repo, ctx.env)
    ctx.rec("floor", names(ctx)["floor_cp"], took)
    trash(dest)


def _small_round(ctx: Ctx, rnd: int) -> None:
    for tool, _ in ctx.order(rnd):
        ctx.attempt(f"hooks (a) {tool}", _small_one, ctx, tool)


def _small_one(ctx: Ctx, tool: str) -> None:
    repo, env = ctx.fixtures[f"hooks-small-{tool}"], ctx.env_for(tool)
    ctx.rec(tool, COMMIT_SMALL, median_of(3, _commit, repo, env))
    if tool == "stagecore":
        ctx.rec("floor", FLOOR_SMALL, median_of(3, _commit, repo, env, "--no-verify"))


def _big_floors(ctx: Ctx) -> None:
    repo, env, n = ctx.fixtures["big-stagecore"], ctx.env, names(ctx)
    ctx.rec("floor", n["floor_big"], median_of(3, _commit, repo, env, "--no-verify"))
    for branch in ("same", "main"):
        ctx.rec("floor", FLOOR_CHECKOUT, _checkout(repo, env, branch, *NOHOOKS))
    _floor_cp(ctx, repo)


def _big_round(ctx: Ctx, rnd: int) -> None:
    _big_floors(ctx)
    for tool, _ in ctx.order(rnd):
        if tool == "dvc" and rnd > 0:
            continue  # DVC's hooks here take seconds to tens of seconds: one run each
        ctx.attempt(f"hooks (b-d) {tool}", _big_one, ctx, tool)


def _big_one(ctx: Ctx, tool: str) -> None:
    n, repo, env = names(ctx), ctx.fixtures[f"big-{tool}"], ctx.env_for(tool)
    times = 3 if tool == "stagecore" else 1
    ctx.rec(tool, n["commit_big"], median_of(times, _commit, repo, env))
    for branch in ("same", "main"):
        ctx.rec(tool, CHECKOUT_SAME, _checkout(repo, env, branch))
    ctx.rec(tool, n["switch"], _switch_by_hand(ctx, tool, repo, "knob2", b"2"))
    ctx.rec(tool, n["switch"], _switch_by_hand(ctx, tool, repo, "main", b"1"))


def round_(ctx: Ctx, rnd: int) -> None:
    _small_round(ctx, rnd)
    _big_round(ctx, rnd)


def checks(ctx: Ctx) -> list[Check | None]:
    n = names(ctx)
    return [
        millis(
            ctx, AREA, "(a) git commit, nothing to do (1-stage repo)", ("stagecore", COMMIT_SMALL), "<", 100
        ),
        millis(ctx, AREA, "(a) dvc: git commit, nothing to do (1-stage repo)", ("dvc", COMMIT_SMALL)),
        millis(ctx, AREA, "(a) floor: git commit --no-verify", ("floor", FLOOR_SMALL)),
        ratio(
            ctx,
            AREA,
            "(a) dvc / stagecore, git commit with hooks",
            ("dvc", COMMIT_SMALL),
            ("stagecore", COMMIT_SMALL),
        ),
        millis(
            ctx,
            AREA,
            f"(b) git checkout, same data ({ctx.sizes.nsmall} files, 30 stages)",
            ("stagecore", CHECKOUT_SAME),
            "<",
            100,
        ),
        millis(ctx, AREA, "(b) dvc: git checkout, same data", ("dvc", CHECKOUT_SAME)),
        millis(ctx, AREA, "(b) floor: git checkout without hooks", ("floor", FLOOR_CHECKOUT)),
        millis(
            ctx,
            AREA,
            f"(c) git commit, {ctx.sizes.nsmall} files x 30 stages unchanged",
            ("stagecore", n["commit_big"]),
            "<",
            500,
        ),
        millis(ctx, AREA, "(c) dvc: the same (1 run)", ("dvc", n["commit_big"])),
        millis(ctx, AREA, "(c) floor: git commit --no-verify", ("floor", n["floor_big"])),
        ratio(
            ctx,
            AREA,
            "(c) dvc / stagecore, pre-commit on the big repo",
            ("dvc", n["commit_big"]),
            ("stagecore", n["commit_big"]),
        ),
        millis(ctx, AREA, f"(d) {n['switch']}", ("stagecore", n["switch"])),
        millis(ctx, AREA, "(d) dvc: the same", ("dvc", n["switch"])),
        millis(ctx, AREA, f"(d) floor: {n['floor_cp']}", ("floor", n["floor_cp"])),
        ratio(
            ctx,
            AREA,
            "(d) post-checkout / cp of the changed output",
            ("stagecore", n["switch"]),
            ("floor", n["floor_cp"]),
        ),
    ]
