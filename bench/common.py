"""Shared plumbing of the benchmark: the run context, timing, scratch trees, the test data.

Every area module (core_ops, remotes, s3, pipelines, hooks) gets one `Ctx`. Timings go
into `ctx.times[(tool, what)]`, each with the round it was taken in; the summary pairs them
by round (a ratio is the median of the per-round ratios) and prints medians.
Tools are "stagecore", "dvc" (when installed) and "floor" (what the disk or git alone costs).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work")
TRASH = os.path.join(WORK, "trash")


@dataclass(frozen=True)
class Sizes:
    nsmall: int  # files of 1-8 KiB under data/
    nbig: int  # big files under big/
    bigsize: int  # bytes per big file
    s3_objects: int  # small objects pushed to the S3 server
    stage_out: int  # bytes of the one stage output a hooks switch changes

    @classmethod
    def pick(cls, small: bool) -> Sizes:
        if small:
            return cls(nsmall=2000, nbig=2, bigsize=8 << 20, s3_objects=300, stage_out=8 << 20)
        return cls(nsmall=20000, nbig=20, bigsize=50 << 20, s3_objects=2000, stage_out=50 << 20)

    def describe(self) -> str:
        return f"{self.nsmall} small files + {self.nbig} x {self.bigsize >> 20} MiB"


@dataclass
class Ctx:
    small: bool
    rounds: int
    sizes: Sizes
    tools: dict[str, list[str]]  # tool name -> argv prefix (absolute executable)
    env: dict[str, str]
    src: str = ""  # the data, bench/.work/src-small or src-full
    round: int = 0  # the round being timed
    times: dict[tuple[str, str], list[tuple[int, float]]] = field(default_factory=dict)  # (round, seconds)
    notes: list[str] = field(default_factory=list)
    fixtures: dict[str, Any] = field(default_factory=dict)  # repositories, the S3 server

    def __post_init__(self) -> None:
        self.src = self.src or os.path.join(WORK, "src-small" if self.small else "src-full")

    # ---- timings
    def rec(self, tool: str, what: str, took: float) -> None:
        self.times.setdefault((tool, what), []).append((self.round, took))

    def values(self, tool: str, what: str) -> list[float]:
        return [took for _, took in self.times.get((tool, what), [])]

    def med(self, tool: str, what: str) -> float | None:
        values = self.values(tool, what)
        return statistics.median(values) if values else None

    def by_round(self, tool: str, what: str) -> dict[int, float]:
        """The median of each round's values."""
        rounds: dict[int, list[float]] = {}
        for rnd, took in self.times.get((tool, what), []):
            rounds.setdefault(rnd, []).append(took)
        return {rnd: statistics.median(values) for rnd, values in rounds.items()}

    def note(self, text: str) -> None:
        print(f"  note: {text}", flush=True)
        self.notes.append(text)

    def attempt(self, label: str, fn: Callable[..., object], *args: Any) -> bool:
        """Run one tool's part of a round; a failed command is noted, the other tools still run."""
        try:
            fn(*args)
        except SystemExit as exc:
            self.note(f"{label} failed: {exc}")
            return False
        return True

    # ---- tools
    @property
    def has_dvc(self) -> bool:
        return "dvc" in self.tools

    def order(self, rnd: int) -> list[tuple[str, list[str]]]:
        """The tools, alternating which goes first from one round to the next."""
        items = list(self.tools.items())
        return items if rnd % 2 == 0 else items[::-1]

    def env_for(self, tool: str) -> dict[str, str]:
        """The environment with the tool's bin directory first on PATH (DVC's hooks call `dvc`)."""
        exe = self.tools.get(tool, [sys.executable])[0]
        env = dict(self.env)
        env["PATH"] = os.path.dirname(exe) + os.pathsep + env.get("PATH", "")
        return env


def base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "STAGECORE_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    # Compiled modules, as an installed package has them, but kept under bench/.work: without
    # them (PYTHONDONTWRITEBYTECODE is set on this machine) every start recompiles stagecore.
    env["PYTHONPYCACHEPREFIX"] = os.path.join(WORK, "pycache")
    env.update(
        DVC_NO_ANALYTICS="1",
        DVC_NO_UPDATER="1",
        GIT_AUTHOR_NAME="b",
        GIT_AUTHOR_EMAIL="b@b",
        GIT_COMMITTER_NAME="b",
        GIT_COMMITTER_EMAIL="b@b",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return env


# ---- running commands


def settle() -> None:
    """Write dirty pages back now, so a timing does not pay for the writes of the step before it."""
    os.sync()


def run(
    cmd: Sequence[str],
    cwd: str,
    env: dict[str, str],
    *,
    ok: Sequence[int] = (0,),
    stdin: str | None = None,
    settled: bool = False,
) -> float:
    """Run `cmd`, return its wall time; abort the benchmark when it exits with a code not in `ok`.

    `settled`: first write back what earlier steps left dirty (for steps that write a lot).
    """
    if settled:
        settle()
    start = time.perf_counter()
    proc = subprocess.run(
        list(cmd), cwd=cwd, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    took = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode} in {cwd}:\n{proc.stderr.strip()[-3000:]}")
    return took


def output(cmd: Sequence[str], cwd: str, env: dict[str, str]) -> str:
    return subprocess.run(
        list(cmd), cwd=cwd, env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout.strip()


def best_of(n: int, fn: Callable[..., float], *args: Any) -> float:
    return min(fn(*args) for _ in range(n))


def median_of(n: int, fn: Callable[..., float], *args: Any) -> float:
    return statistics.median(fn(*args) for _ in range(n))


# ---- scratch trees


def trash(path: str) -> None:
    """Move a tree aside now, delete it later (ext4 here is slow to reuse freed inodes)."""
    if os.path.lexists(path):
        os.makedirs(TRASH, exist_ok=True)
        os.rename(path, os.path.join(TRASH, f"{time.time_ns()}"))


def purge_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)
    os.makedirs(TRASH, exist_ok=True)


def trash_fixtures() -> None:
    """Move the repositories, remotes and scratch trees of a run to the trash (data and results stay)."""
    for name in os.listdir(WORK):
        if not name.startswith("src-") and name not in ("pycache", "results.json", "trash"):
            trash(os.path.join(WORK, name))


def purge_trash_if_disk_low(min_free_gib: float = 30) -> None:
    """Between rounds: delete the trash only when the disk runs short (deleting early slows later creates)."""
    free = shutil.disk_usage(WORK).free / (1 << 30)
    if free < min_free_gib:
        print(f"  (only {free:.0f} GiB free: deleting the trash now)", flush=True)
        purge_trash()


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as fobj:
        fobj.write(text)


def git_init(path: str, env: dict[str, str]) -> None:
    os.makedirs(path)
    run(["git", "init", "-q", "-b", "main"], path, env)


def new_repo(ctx: Ctx, name: str, tool: str) -> str:
    """A fresh git + DVC/stagecore repository under WORK (an older one is moved to the trash)."""
    repo = os.path.join(WORK, name)
    trash(repo)
    env = ctx.env_for(tool)
    git_init(repo, env)
    run([*ctx.tools[tool], "init", "-q"], repo, env)
    if tool == "dvc":  # no reflink on this ext4; stagecore stops trying after its first failure
        run([*ctx.tools[tool], "config", "cache.type", "copy"], repo, env)
    return repo


def copy_data(ctx: Ctx, repo: str, names: Sequence[str] = ("data", "big")) -> None:
    for name in names:
        run(["cp", "-r", os.path.join(ctx.src, name), name], repo, ctx.env)


# ---- the data


def build_data(src: str, sizes: Sizes) -> None:
    """Deterministic data: data/dNNN/fNNNNN.bin (1-8 KiB, 500 per directory), big/bigNN.bin."""
    stamp = os.path.join(src, f".done-{sizes.nsmall}-{sizes.nbig}-{sizes.bigsize}")
    if os.path.exists(stamp):
        return
    trash(src)
    rnd = random.Random(42)
    for i in range(sizes.nsmall):
        d = os.path.join(src, "data", f"d{i // 500:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as fobj:
            fobj.write(rnd.randbytes(rnd.randint(1024, 8192)))
    os.makedirs(os.path.join(src, "big"), exist_ok=True)
    block = rnd.randbytes(1 << 20)
    for i in range(sizes.nbig):
        with open(os.path.join(src, "big", f"big{i:02d}.bin"), "wb") as fobj:
            for j in range(sizes.bigsize >> 20):
                fobj.write(block[j % 7 :] + block[: j % 7] if j else bytes([i]) + block[1:])
    open(stamp, "w").close()


def tree_bytes(path: str) -> int:
    total = 0
    for dirpath, _, names in os.walk(path):
        total += sum(os.path.getsize(os.path.join(dirpath, n)) for n in names)
    return total
