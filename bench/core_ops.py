"""`--version`, `add`, `status` and `checkout` of the bench data, against the disk's floors.

Each round: the floors (an `os.stat` walk, read+md5+copy on 2 threads, `cp -r`), then per tool
a fresh repository: `add data big` into an empty cache, `status` with nothing changed, and
`checkout` after the data was moved away (copies, no links).
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

from common import WORK, Ctx, best_of, copy_data, median_of, new_repo, run, settle, trash
from summary import Check, millis, ratio

AREA = "core"
PARTS = {"version", "add", "status", "checkout"}


def floor_stat(src: str) -> float:
    start = time.perf_counter()
    stack = [src]
    while stack:
        for entry in os.scandir(stack.pop()):
            if entry.is_dir():
                stack.append(entry.path)
            else:
                entry.stat()
    return time.perf_counter() - start


def floor_md5_copy(src: str, dest: str) -> float:
    files: list[str] = []
    for dirpath, _, names in os.walk(src):
        files.extend(os.path.join(dirpath, n) for n in names if not n.startswith(".done"))

    def one(path: str) -> None:
        out = os.path.join(dest, hashlib.md5(path.encode()).hexdigest())
        with open(path, "rb") as fin:
            data_md5 = hashlib.md5()
            with open(out, "wb") as fout:
                while chunk := fin.read(1 << 20):
                    data_md5.update(chunk)
                    fout.write(chunk)

    os.makedirs(dest)
    settle()
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def _floors(ctx: Ctx) -> None:
    ctx.rec("floor", "os.stat walk", floor_stat(ctx.src))
    dest = os.path.join(WORK, "floor-copy")
    trash(dest)
    ctx.rec("floor", "read+md5+copy (2 threads)", floor_md5_copy(ctx.src, dest))
    trash(dest)
    ctx.rec("floor", "cp -r", run(["cp", "-r", ctx.src, dest], WORK, ctx.env, settled=True))
    trash(dest)


def _one_tool(ctx: Ctx, tool: str, exe: list[str], only: set[str]) -> None:
    env = ctx.env_for(tool)
    repo = new_repo(ctx, f"repo-{tool}", tool)
    copy_data(ctx, repo)
    ctx.rec(tool, "add", run([*exe, "add", "data", "big"], repo, env, settled=True))
    if "status" in only:
        settle()
        ctx.rec(tool, "status", median_of(3, run, [*exe, "status"], repo, env))
    if "checkout" in only:
        for name in ("data", "big"):
            trash(os.path.join(repo, name))
        ctx.rec(tool, "checkout", run([*exe, "checkout"], repo, env, settled=True))


def round_(ctx: Ctx, rnd: int, only: set[str]) -> None:
    if "version" in only:
        for tool, exe in ctx.order(rnd):
            ctx.rec(tool, "--version", best_of(5, run, [*exe, "--version"], WORK, ctx.env_for(tool)))
    if not only & {"add", "status", "checkout"}:
        return
    _floors(ctx)
    for tool, exe in ctx.order(rnd):
        ctx.attempt(f"core {tool}", _one_tool, ctx, tool, exe, only)


def checks(ctx: Ctx, parts: set[str]) -> list[Check | None]:
    sc, dvc = "stagecore", "dvc"
    md5copy = ("floor", "read+md5+copy (2 threads)")
    by_part = {
        "status": [
            ratio(ctx, AREA, "status / os.stat floor", (sc, "status"), ("floor", "os.stat walk"), "<=", 2),
            ratio(ctx, AREA, "dvc status / stagecore status", (dvc, "status"), (sc, "status"), ">=", 7),
        ],
        "add": [
            ratio(ctx, AREA, "add / read+md5+copy floor", (sc, "add"), md5copy, "<=", 1.5),
            ratio(ctx, AREA, "dvc add / stagecore add", (dvc, "add"), (sc, "add"), ">", 1),
        ],
        "checkout": [
            ratio(ctx, AREA, "checkout / cp -r", (sc, "checkout"), ("floor", "cp -r"), "<=", 1.5),
            ratio(
                ctx, AREA, "dvc checkout / stagecore checkout", (dvc, "checkout"), (sc, "checkout"), ">=", 3
            ),
        ],
        "version": [
            millis(ctx, AREA, "stagecore --version (best of 5)", (sc, "--version"), "<", 150),
            millis(ctx, AREA, "dvc --version (best of 5)", (dvc, "--version")),
        ],
    }
    return [
        check for part in ("status", "add", "checkout", "version") if part in parts for check in by_part[part]
    ]
