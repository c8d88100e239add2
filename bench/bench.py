#!/usr/bin/env python3
"""Side-by-side benchmark: stagecore vs real DVC (when installed) vs the disk's floors.

    python bench/bench.py [--small] [--rounds N] [--dvc PATH] [--only add,status,checkout,version]

Builds deterministic data once (default: 20,000 files of 1-8 KiB and 20 files of 50 MiB;
`--small`: 2,000 files and 2 files of 8 MiB), then for each round and each tool, in
interleaved order, times `add` into an empty cache, `status` with nothing changed, and
`checkout` after deleting the data (copy links). Floors: a Python `os.stat` walk, read+md5+copy
on 2 threads, and `cp -r`. Prints medians and the ratios the issues set targets on. Seconds
move 2-3x with machine load here; ratios measured in one run are what to compare.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work")


def sh(cmd: list[str], cwd: str, env: dict | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}: {proc.stderr.strip()}")
    return took


def build_data(src: str, nsmall: int, nbig: int, bigsize: int) -> None:
    stamp = os.path.join(src, f".done-{nsmall}-{nbig}-{bigsize}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(src, ignore_errors=True)
    rnd = random.Random(42)
    for i in range(nsmall):
        d = os.path.join(src, "data", f"d{i // 500:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as fobj:
            fobj.write(rnd.randbytes(rnd.randint(1024, 8192)))
    os.makedirs(os.path.join(src, "big"), exist_ok=True)
    block = rnd.randbytes(1 << 20)
    for i in range(nbig):
        with open(os.path.join(src, "big", f"big{i:02d}.bin"), "wb") as fobj:
            for j in range(bigsize >> 20):
                fobj.write(block[j % 7:] + block[: j % 7] if j else bytes([i]) + block[1:])
    open(stamp, "w").close()


def trash(path: str) -> None:
    """Move a tree aside now, delete it later (ext4 here is slow to reuse freed inodes)."""
    if os.path.exists(path):
        os.rename(path, os.path.join(WORK, "trash", f"{time.time_ns()}"))


def fresh_repo(tool: str, exe: list[str], src: str, env: dict) -> str:
    repo = os.path.join(WORK, f"repo-{tool}")
    trash(repo)
    os.makedirs(repo)
    sh(["git", "init", "-q"], repo, env)
    sh([*exe, "init", "-q"], repo, env)
    for name in ("data", "big"):
        sh(["cp", "-r", os.path.join(src, name), name], repo, env)
    return repo


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
    files = []
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
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dvc", default=os.environ.get("STAGECORE_DVC") or shutil.which("dvc")
                    or next((p for p in (os.path.join(HERE, "..", ".venv-dvc/bin/dvc"), "/tmp/dvcvenv/bin/dvc")
                             if os.path.exists(p)), None))
    ap.add_argument("--only", default="version,add,status,checkout")
    args = ap.parse_args()
    only = set(args.only.split(","))
    nsmall, nbig, bigsize = (2000, 2, 8 << 20) if args.small else (20000, 20, 50 << 20)
    os.makedirs(os.path.join(WORK, "trash"), exist_ok=True)
    src = os.path.join(WORK, "src")
    print(f"building data: {nsmall} small files, {nbig} x {bigsize >> 20} MiB ...", flush=True)
    build_data(src, nsmall, nbig, bigsize)

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(DVC_NO_ANALYTICS="1", GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@b")
    stagecore = shutil.which("stagecore", path=os.path.dirname(sys.executable)) or "stagecore"
    tools = {"stagecore": [stagecore]}
    if args.dvc and os.path.exists(args.dvc):
        tools["dvc"] = [args.dvc]
    else:
        print("real DVC not found: timing stagecore alone (pass --dvc PATH)")
    times: dict[tuple[str, str], list[float]] = {}

    def rec(tool: str, what: str, took: float) -> None:
        times.setdefault((tool, what), []).append(took)

    for rnd in range(args.rounds):
        print(f"round {rnd + 1}/{args.rounds}", flush=True)
        if "version" in only:
            for tool, exe in tools.items():
                rec(tool, "--version", min(sh([*exe, "--version"], WORK, env) for _ in range(5)))
        rec("floor", "os.stat walk", floor_stat(src))
        dest = os.path.join(WORK, "floor-copy")
        trash(dest)
        rec("floor", "read+md5+copy (2 threads)", floor_md5_copy(src, dest))
        trash(dest)
        rec("floor", "cp -r", sh(["cp", "-r", src, dest], WORK, env))
        trash(dest)
        order = list(tools.items()) if rnd % 2 == 0 else list(reversed(tools.items()))
        for tool, exe in order:
            if not only & {"add", "status", "checkout"}:
                break
            repo = fresh_repo(tool, exe, src, env)
            if tool == "dvc":
                sh([*exe, "config", "cache.type", "copy"], repo, env)
            rec(tool, "add", sh([*exe, "add", "data", "big"], repo, env))
            if "status" in only:
                rec(tool, "status", statistics.median(sh([*exe, "status"], repo, env) for _ in range(3)))
            if "checkout" in only:
                for name in ("data", "big"):
                    trash(os.path.join(repo, name))
                rec(tool, "checkout", sh([*exe, "checkout"], repo, env))
        shutil.rmtree(os.path.join(WORK, "trash"), ignore_errors=True)
        os.makedirs(os.path.join(WORK, "trash"), exist_ok=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nmedians over {args.rounds} rounds ({nsmall} small files + {nbig} x {bigsize >> 20} MiB):")
    for (tool, what), value in sorted(med.items()):
        print(f"  {tool:10} {what:28} {value * 1000:9.0f} ms")
    print("\nratios (targets from the issues in brackets):")

    def ratio(label: str, num: tuple[str, str], den: tuple[str, str], target: str) -> None:
        if num in med and den in med:
            print(f"  {label:48} {med[num] / med[den]:6.2f}x   [{target}]")

    ratio("status / os.stat floor", ("stagecore", "status"), ("floor", "os.stat walk"), "<= 2")
    ratio("dvc status / stagecore status", ("dvc", "status"), ("stagecore", "status"), ">= 7")
    ratio("add / read+md5+copy floor", ("stagecore", "add"), ("floor", "read+md5+copy (2 threads)"), "<= 1.5")
    ratio("dvc add / stagecore add", ("dvc", "add"), ("stagecore", "add"), "> 1")
    ratio("checkout / cp -r", ("stagecore", "checkout"), ("floor", "cp -r"), "<= 1.5")
    ratio("dvc checkout / stagecore checkout", ("dvc", "checkout"), ("stagecore", "checkout"), ">= 3")
    if ("stagecore", "--version") in med:
        print(f"  {'stagecore --version (ms)':48} {med[('stagecore', '--version')] * 1000:6.0f}     [< 150]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
