"""S3 push parallelism against moto's server, started inside this process.

Only when `moto` is importable here. One repository per tool with `data` holding the first
N small files of the bench data (2,000; 300 with --small), added. Each round every push
goes to a fresh prefix of one bucket: stagecore `push -j 1`, stagecore `push` with its
default jobs, and DVC `push` with its default jobs (for reference). The floor is plain boto3
`put_object` of the same files from its own process (s3_floor.py) with 1 and with 4 x CPUs
threads (stagecore's and DVC's default): how much parallelism this server allows at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable

from common import HERE, WORK, Ctx, new_repo, run, write
from summary import Check, ratio

AREA = "s3"
BUCKET = "stagecore-bench"
J1 = "s3 push -j 1"
JDEFAULT = "s3 push (default jobs)"
THREADS = 4 * (os.cpu_count() or 1)
FLOOR1 = "s3 boto3 put_object, 1 thread"
FLOORN = f"s3 boto3 put_object, {THREADS} threads"


def unavailable() -> str | None:
    """Why this area cannot run here, or None."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        return f"s3 skipped: {exc} (pip install 'moto[server]' into {sys.prefix})"
    return None


def _dvc_has_s3(ctx: Ctx) -> bool:
    python = os.path.join(os.path.dirname(ctx.tools["dvc"][0]), "python")
    return subprocess.run([python, "-c", "import dvc_s3"], capture_output=True).returncode == 0


def _start_server(ctx: Ctx) -> str:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    ctx.fixtures["s3-server"] = server
    creds = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    ctx.env.update(creds)
    os.environ.update(creds)  # for the boto3 client of this process
    return f"http://{host}:{port}"


def _client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def _small_files(ctx: Ctx, count: int) -> list[str]:
    out: list[str] = []
    for dirpath, _, names in sorted(os.walk(os.path.join(ctx.src, "data"))):
        out.extend(os.path.join(dirpath, n) for n in sorted(names))
        if len(out) >= count:
            break
    return out[:count]


def setup(ctx: Ctx) -> None:
    endpoint = _start_server(ctx)
    _client(endpoint).create_bucket(Bucket=BUCKET)
    ctx.fixtures["s3-endpoint"] = endpoint
    files = _small_files(ctx, ctx.sizes.s3_objects)
    ctx.fixtures["s3-list"] = os.path.join(WORK, "s3-files.txt")
    write(ctx.fixtures["s3-list"], "\n".join(files))
    tools = dict(ctx.tools)
    if ctx.has_dvc and not _dvc_has_s3(ctx):
        ctx.note("s3: DVC has no dvc-s3 here, timing stagecore alone")
        tools.pop("dvc")
    for tool, exe in tools.items():
        env = ctx.env_for(tool)
        repo = new_repo(ctx, f"s3-{tool}", tool)
        os.makedirs(os.path.join(repo, "data"))
        for path in files:
            shutil.copyfile(path, os.path.join(repo, "data", os.path.basename(path)))
        run([*exe, "add", "data"], repo, env)
        run([*exe, "remote", "add", "-d", "s3", f"s3://{BUCKET}/none"], repo, env)
        run([*exe, "remote", "modify", "s3", "endpointurl", endpoint], repo, env)
        ctx.fixtures[f"s3-{tool}"] = repo


def teardown(ctx: Ctx) -> None:
    server = ctx.fixtures.pop("s3-server", None)
    if server is not None:
        server.stop()


def _count(ctx: Ctx, prefix: str) -> int:
    pages = _client(ctx.fixtures["s3-endpoint"]).get_paginator("list_objects_v2")
    return sum(page.get("KeyCount", 0) for page in pages.paginate(Bucket=BUCKET, Prefix=prefix + "/"))


def _push(ctx: Ctx, tool: str, what: str, jobs: list[str], rnd: int) -> None:
    repo, env, exe = ctx.fixtures[f"s3-{tool}"], ctx.env_for(tool), ctx.tools[tool]
    prefix = f"{tool}-{rnd}-{'j1' if jobs else 'jd'}"
    run([*exe, "remote", "modify", "s3", "url", f"s3://{BUCKET}/{prefix}"], repo, env)
    ctx.rec(tool, what, run([*exe, "push", *jobs], repo, env))
    got, want = _count(ctx, prefix), ctx.sizes.s3_objects + 1
    if got != want:
        ctx.note(f"{tool} {what}: {got} objects on the server, expected {want}")


def _floor(ctx: Ctx, what: str, jobs: int, rnd: int) -> None:
    prefix = f"floor-{rnd}-{jobs}"
    script = os.path.join(HERE, "s3_floor.py")
    cmd = [
        sys.executable,
        script,
        ctx.fixtures["s3-endpoint"],
        BUCKET,
        prefix,
        str(jobs),
        ctx.fixtures["s3-list"],
    ]
    ctx.rec("floor", what, run(cmd, WORK, ctx.env))


def round_(ctx: Ctx, rnd: int) -> None:
    runs: list[tuple[str, Callable[..., None], tuple]] = [
        ("s3 floor 1 thread", _floor, (ctx, FLOOR1, 1, rnd)),
        ("s3 push -j 1", _push, (ctx, "stagecore", J1, ["-j", "1"], rnd)),
        (f"s3 floor {THREADS} threads", _floor, (ctx, FLOORN, THREADS, rnd)),
        ("s3 push", _push, (ctx, "stagecore", JDEFAULT, [], rnd)),
    ]
    if "s3-dvc" in ctx.fixtures:
        runs.append(("dvc s3 push", _push, (ctx, "dvc", JDEFAULT, [], rnd)))
    for label, fn, args in runs if rnd % 2 == 0 else runs[::-1]:
        ctx.attempt(label, fn, *args)


def checks(ctx: Ctx) -> list[Check | None]:
    n = ctx.sizes.s3_objects
    sc_j1, sc_jd, dvc_jd = ("stagecore", J1), ("stagecore", JDEFAULT), ("dvc", JDEFAULT)
    floor1, floorn = ("floor", FLOOR1), ("floor", FLOORN)
    return [
        ratio(ctx, AREA, f"push -j 1 / push (default jobs), {n} objects", sc_j1, sc_jd, ">=", 5),
        ratio(
            ctx, AREA, f"floor: boto3 1 thread / {THREADS} threads (what the server allows)", floor1, floorn
        ),
        ratio(ctx, AREA, "push -j 1 / boto3 1 thread", sc_j1, floor1),
        ratio(ctx, AREA, f"push (default jobs) / boto3 {THREADS} threads", sc_jd, floorn),
        ratio(ctx, AREA, f"dvc push / stagecore push (default jobs), {n} objects", dvc_jd, sc_jd),
    ]
