"""Hooks and status at git's speed (issue 11): the per-commit operations, side by side.

At 5,000 and 20,000 files (`--small`: 1,000 and 5,000) of 1-4 KiB under data/ plus one 1 MiB
output model.bin, for stagecore, DVC, git-lfs and git-annex (each one that is installed; a
missing peer is skipped and said so) and git alone (the floor, hooks off):

    commit      `git commit` of an unrelated file, hooks installed     floor: same, hooks off
    switch      `git checkout` between two commits with the same data  floor: same, hooks off
    switch1     `git checkout` where model.bin differs                 floor: `cp` of model.bin
    push        `git push` of a commit with no new data                floor: same, hooks off
    status      `<tool> status`, nothing changed                       floor: one Python os.lstat walk
    commit1     one data file changed, recorded, `git commit`          floor: `git commit` of one file

Each timed step runs in the steady state (after an untimed one that leaves nothing to do); the
one data change is committed on a scratch branch, so main's data never changes between rounds.

Run through bench.py (`--only fastpath`) or alone: `python bench/fastpath.py [--small] [--rounds N]`.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys

from common import WORK, Ctx, output, run, trash, write
from summary import Check, millis, ratio

AREA = "fastpath"
OPS = ("commit", "switch", "switch1", "push", "status", "commit1")
WALK = (
    "import os,sys\n"
    "for top, dirs, files in os.walk(sys.argv[1]):\n"
    "    for name in files: os.lstat(os.path.join(top, name))\n"
)


def counts(ctx: Ctx) -> tuple[int, int]:
    return (1000, 5000) if ctx.small else (5000, 20000)


ONLY: set[str] | None = None  # --tools: the tools to time (stagecore always), None: every one installed


def peers(ctx: Ctx) -> dict[str, list[str]]:
    found = {name: exe for name, exe in ctx.tools.items() if ONLY is None or name in ONLY}
    for name, exe in (("lfs", "git-lfs"), ("annex", "git-annex")):
        if ONLY is not None and name not in ONLY:
            continue
        if shutil.which(exe):
            found[name] = [exe]
        elif not any(name in note for note in ctx.notes):
            ctx.note(f"{exe} not installed: {name} skipped (apt-get install {exe})")
    return found


def _source(n: int) -> str:
    src = os.path.join(WORK, f"fastpath-src-{n}")
    if not os.path.exists(os.path.join(src, ".done")):
        trash(src)
        rnd = random.Random(n)
        for i in range(n):
            d = os.path.join(src, "data", f"d{i // 500:03d}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as fobj:
                fobj.write(rnd.randbytes(rnd.randint(1024, 4096)))
        open(os.path.join(src, ".done"), "w").close()
    return src


def _model(repo: str, byte: bytes) -> None:
    with open(os.path.join(repo, "model.bin"), "wb") as fobj:
        fobj.write(byte * (1 << 20))


def _git(repo: str, env: dict[str, str], *args: str) -> float:
    return run(["git", *args], repo, env)


def _record(tool: str, exe: list[str], repo: str, env: dict[str, str], *paths: str) -> None:
    """What each tool does to record new data (before `git commit`)."""
    if tool in ("stagecore", "dvc"):
        run([*exe, "add", "-q", *paths], repo, env)
        _git(repo, env, "add", *[f"{p}.dvc" for p in paths])
    elif tool == "annex":
        run(["git", "annex", "add", "--quiet", *paths], repo, env)
    else:
        _git(repo, env, "add", *paths)


def _build(ctx: Ctx, tool: str, exe: list[str], n: int) -> str:
    env = ctx.env_for(tool)
    repo, bare = os.path.join(WORK, f"fp-{tool}-{n}"), os.path.join(WORK, f"fp-{tool}-{n}.git")
    for path in (repo, bare):
        trash(path)
    run(["git", "init", "-q", "--bare", "-b", "main", bare], WORK, env)
    run(["git", "init", "-q", "-b", "main", repo], WORK, env)
    run(["cp", "-r", os.path.join(_source(n), "data"), "data"], repo, env)
    write(os.path.join(repo, "README.md"), "bench\n")
    _model(repo, b"1")
    if tool in ("stagecore", "dvc"):
        run([*exe, "init", "-q"], repo, env)
        if tool == "dvc":
            run([*exe, "config", "cache.type", "copy"], repo, env)
        run([*exe, "remote", "add", "-d", "store", os.path.join(WORK, f"fp-{tool}-{n}.store")], repo, env)
    elif tool == "lfs":
        _git(repo, env, "lfs", "install", "--local")
        _git(repo, env, "lfs", "track", "data/**", "model.bin")
    else:
        _git(repo, env, "annex", "init", "-q", "bench")
    _record(tool, exe, repo, env, "data", "model.bin")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "base")
    _git(repo, env, "remote", "add", "origin", bare)
    if tool in ("stagecore", "dvc"):
        run([*exe, "push", "-q"], repo, env)
        run([*exe, "install"], repo, env)
    _git(repo, env, "push", "-q", "origin", "main")
    _git(repo, env, "checkout", "-q", "-b", "same")
    _readme(repo, env)
    _git(repo, env, "checkout", "-q", "-b", "knob", "main")
    if tool == "annex":
        _git(repo, env, "annex", "unlock", "model.bin")
    _model(repo, b"2")
    _record(tool, exe, repo, env, "model.bin")
    _git(repo, env, "commit", "-q", "-m", "knob")
    _git(repo, env, "checkout", "-q", "main")
    return repo


def _branches(tool: str, exe: list[str], repo: str, env: dict[str, str]) -> None:
    """`same` (main + a README edit) and `knob` (main + another model.bin) made from main as it is."""
    _git(repo, env, "checkout", "-q", "-B", "same", "main")
    _readme(repo, env)
    _git(repo, env, "checkout", "-q", "-B", "knob", "main")
    if tool == "annex":
        _git(repo, env, "annex", "unlock", "model.bin")
    _model(repo, b"3")
    _record(tool, exe, repo, env, "model.bin")
    _git(repo, env, "commit", "-q", "-m", "knob")
    _git(repo, env, "checkout", "-q", "main")


def _readme(repo: str, env: dict[str, str], *flags: str) -> float:
    with open(os.path.join(repo, "README.md"), "a") as fobj:
        fobj.write("one more line\n")
    _git(repo, env, "add", "README.md")
    return _git(repo, env, *flags, "commit", "-q", "-m", "README")


def _built(ctx: Ctx, tool: str, n: int) -> str | None:
    """A repository an earlier run (--keep) finished building, on branch main."""
    repo = os.path.join(WORK, f"fp-{tool}-{n}")
    env = ctx.env_for(tool)
    try:
        if output(["git", "rev-parse", "--abbrev-ref", "HEAD"], repo, env) == "main":
            output(["git", "rev-parse", "-q", "--verify", "refs/heads/knob"], repo, env)
            return repo
    except (OSError, subprocess.CalledProcessError):
        pass
    return None


def setup(ctx: Ctx) -> None:
    for n in counts(ctx):
        for tool, exe in peers(ctx).items():
            repo = _built(ctx, tool, n)
            try:
                if repo is None:
                    print(f"  building {tool} at {n} files ...", flush=True)
                    repo = _build(ctx, tool, exe, n)
                env = ctx.env_for(tool)  # warm-up, not timed: stagecore's snapshot and push record
                _branches(tool, exe, repo, env)
                _readme(repo, env)
                _git(repo, env, "push", "-q", "origin", "main")
            except SystemExit as exc:
                ctx.note(f"{tool} at {n} files could not be set up, skipped: {str(exc)[:300]}")
                continue
            ctx.fixtures[f"fp-{tool}-{n}"] = repo


NOHOOKS = ("-c", "core.hooksPath=/dev/null")


def _status(tool: str, exe: list[str], repo: str, env: dict[str, str]) -> float:
    if tool in ("stagecore", "dvc"):
        return run([*exe, "status", "-q"], repo, env, ok=(0, 1))
    return _git(repo, env, "status", "--porcelain")


def _round_one(ctx: Ctx, tool: str, exe: list[str], n: int) -> None:
    """Steady state: each timed step follows an untimed one that leaves nothing to do, and the
    one data change (commit1) is made on a scratch branch, main's data left as it was."""
    repo, env = ctx.fixtures[f"fp-{tool}-{n}"], ctx.env_for(tool)
    rec = lambda op, took: ctx.rec(tool, f"{op} @{n}", took)  # noqa: E731
    _readme(repo, env)  # not timed
    rec("commit", _readme(repo, env))
    rec("switch", _git(repo, env, "checkout", "-q", "same"))
    rec("switch", _git(repo, env, "checkout", "-q", "main"))
    rec("switch1", _git(repo, env, "checkout", "-q", "knob"))
    rec("switch1", _git(repo, env, "checkout", "-q", "main"))
    _git(repo, env, "push", "-q", "origin", "main")  # not timed
    _readme(repo, env)
    rec("push", _git(repo, env, "push", "-q", "origin", "main"))
    _status(tool, exe, repo, env)  # not timed
    rec("status", _status(tool, exe, repo, env))
    scratch = f"scratch-{ctx.round}"
    _git(repo, env, "checkout", "-q", "-b", scratch)
    path = os.path.join("data", "d000", f"f{ctx.round:05d}.bin")
    if tool == "annex":
        _git(repo, env, "annex", "unlock", path)
    with open(os.path.join(repo, path), "ab") as fobj:
        fobj.write(b"x")
    took = 0.0
    if tool in ("stagecore", "dvc"):
        took += run([*exe, "add", "-q", "data"], repo, env)
        took += _git(repo, env, "add", "data.dvc")
    elif tool == "annex":
        took += run(["git", "annex", "add", "--quiet", path], repo, env)
    else:
        took += _git(repo, env, "add", path)
    rec("commit1", took + _git(repo, env, "commit", "-q", "-m", "one file"))
    _git(repo, env, "checkout", "-q", "main")  # the hooks put main's data back
    _git(repo, env, "branch", "-q", "-D", scratch)


def _floors(ctx: Ctx, n: int) -> None:
    repo, env = ctx.fixtures[f"fp-stagecore-{n}"], ctx.env
    rec = lambda op, took: ctx.rec("floor", f"{op} @{n}", took)  # noqa: E731
    rec("commit", _readme(repo, env, *NOHOOKS))
    rec("switch", _git(repo, env, *NOHOOKS, "checkout", "-q", "same"))
    rec("switch", _git(repo, env, *NOHOOKS, "checkout", "-q", "main"))
    dest = os.path.join(WORK, "fp-floor-model.bin")
    rec("switch1", run(["cp", "model.bin", dest], repo, env))
    rec("push", _git(repo, env, *NOHOOKS, "push", "-q", "origin", "main"))
    rec("status", run([sys.executable, "-c", WALK, "data"], repo, env))
    rec("commit1", _readme(repo, env, *NOHOOKS))


def round_(ctx: Ctx, rnd: int) -> None:
    tools = list(peers(ctx).items())
    for n in counts(ctx):
        _floors(ctx, n)
        for tool, exe in tools if rnd % 2 == 0 else tools[::-1]:
            if f"fp-{tool}-{n}" not in ctx.fixtures:
                continue
            ctx.attempt(f"fastpath {tool} @{n}", _round_one, ctx, tool, exe, n)
        _floors(ctx, n)


GOALS = {"commit": ("<", 30), "switch": ("<", 20), "push": ("<", 50)}  # ms over git without hooks


def checks(ctx: Ctx) -> list[Check | None]:
    rows: list[Check | None] = []
    for n in counts(ctx):
        for op in OPS:
            what = f"{op} @{n}"
            rows.append(millis(ctx, AREA, f"{what}: stagecore", ("stagecore", what)))
            rows.append(millis(ctx, AREA, f"{what}: floor (git alone / walk / cp)", ("floor", what)))
            limit = {"status": 1.3, "switch1": 1.5}.get(op)
            rows.append(ratio(ctx, AREA, f"{what}: stagecore / floor", ("stagecore", what), ("floor", what),
                              "<=", limit))
            if op in GOALS and ctx.med("stagecore", what) is not None and ctx.med("floor", what) is not None:
                extra = (ctx.med("stagecore", what) - ctx.med("floor", what)) * 1000  # type: ignore[operator]
                cmp, limit_ms = GOALS[op]
                status = "PASS" if extra < limit_ms else "MISS"
                rows.append(Check(AREA, f"{what}: stagecore minus floor", extra, "ms", f"{cmp} {limit_ms}", status))
            for peer in ("dvc", "lfs", "annex"):
                rows.append(ratio(ctx, AREA, f"{what}: {peer} / stagecore", (peer, what), ("stagecore", what)))
    return rows


if __name__ == "__main__":
    import argparse

    from common import Sizes, base_env, purge_trash, trash_fixtures
    from summary import print_medians, print_summary

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dvc", default=os.path.join(os.path.dirname(__file__), "..", ".venv-dvc", "bin", "dvc"))
    ap.add_argument("--no-dvc", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--tools", help="comma-separated subset of dvc,lfs,annex to time besides stagecore")
    args = ap.parse_args()
    if args.tools is not None:
        ONLY = {"stagecore", *filter(None, args.tools.split(","))}
    stagecore = shutil.which("stagecore", path=os.path.dirname(sys.executable)) or "stagecore"
    tools = {"stagecore": [stagecore]}
    if not args.no_dvc and os.path.exists(args.dvc):
        tools["dvc"] = [os.path.abspath(args.dvc)]
    context = Ctx(small=args.small, rounds=args.rounds, sizes=Sizes.pick(args.small), tools=tools, env=base_env())
    os.makedirs(WORK, exist_ok=True)
    setup(context)
    for number in range(args.rounds):
        print(f"round {number + 1}/{args.rounds}", flush=True)
        context.round = number
        round_(context, number)
    print_medians(context)
    print_summary(context, [c for c in checks(context) if c is not None])
    if not args.keep:
        trash_fixtures()
        purge_trash()
