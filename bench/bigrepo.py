"""The big pipeline repository that `pipelines` and `hooks` share, built once per run per tool.

- `data/`: the bench's small files (20,000; 2,000 with --small), added (`data.dvc`);
- 30 stages t00..t29, each `-d data -o oNN` with a tiny `python -c` command; t07 also
  depends on `knob.txt` and writes a big output (50 MiB; 8 MiB with --small);
- git branches: `main`; `same` = main + a README edit (same data); `knob2` = main with
  knob.txt changed and t07 reproduced, so only o07 differs.

Built with the tool itself (twin repositories), hooks not installed; `hooks` installs them.
"""

from __future__ import annotations

import os
import sys

from common import Ctx, copy_data, new_repo, run, write

STAGES = 30
CHANGING = 7  # the stage whose output differs between main and knob2


def out_name(i: int) -> str:
    return f"o{i:02d}.bin" if i == CHANGING else f"o{i:02d}.txt"


def stage_cmd(i: int, big: int) -> str:
    out = out_name(i)
    if i == CHANGING:
        body = f"open('{out}','wb').write(open('knob.txt','rb').read(1)*{big})"
    else:
        body = f"open('{out}','w').write('{i}')"
    return f'{sys.executable} -c "{body}"'


def _git(repo: str, env: dict[str, str], *args: str) -> None:
    run(["git", *args], repo, env)


def _build(ctx: Ctx, tool: str) -> str:
    exe, env = ctx.tools[tool], ctx.env_for(tool)
    repo = new_repo(ctx, f"big-{tool}", tool)
    copy_data(ctx, repo, ("data",))
    write(os.path.join(repo, "README.md"), "bench\n")
    write(os.path.join(repo, "knob.txt"), "1\n")
    run([*exe, "add", "data"], repo, env)
    for i in range(STAGES):
        deps = ["-d", "data"] + (["-d", "knob.txt"] if i == CHANGING else [])
        run(
            [
                *exe,
                "stage",
                "add",
                "-n",
                f"t{i:02d}",
                *deps,
                "-o",
                out_name(i),
                stage_cmd(i, ctx.sizes.stage_out),
            ],
            repo,
            env,
        )
    run([*exe, "repro"], repo, env)
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "base")
    _same_branch(repo, env)
    _knob_branch(ctx, repo, tool)
    return repo


def _same_branch(repo: str, env: dict[str, str]) -> None:
    _git(repo, env, "checkout", "-q", "-b", "same")
    with open(os.path.join(repo, "README.md"), "a") as fobj:
        fobj.write("same data, other README\n")
    _git(repo, env, "commit", "-q", "-am", "README only")
    _git(repo, env, "checkout", "-q", "main")


def _knob_branch(ctx: Ctx, repo: str, tool: str) -> None:
    exe, env = ctx.tools[tool], ctx.env_for(tool)
    _git(repo, env, "checkout", "-q", "-b", "knob2")
    write(os.path.join(repo, "knob.txt"), "2\n")
    run([*exe, "repro", f"t{CHANGING:02d}"], repo, env)
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "knob 2")
    _git(repo, env, "checkout", "-q", "main")
    run([*exe, "checkout"], repo, env)
    if knob_byte(repo) != b"1":
        raise SystemExit(
            f"{tool} checkout left {out_name(CHANGING)} at {knob_byte(repo)!r} on main in {repo}"
        )


def knob_byte(repo: str) -> bytes:
    with open(os.path.join(repo, out_name(CHANGING)), "rb") as fobj:
        return fobj.read(1)


def ensure(ctx: Ctx, tool: str) -> str:
    key = f"big-{tool}"
    if key not in ctx.fixtures:
        print(f"  building the {STAGES}-stage repository for {tool} ...", flush=True)
        ctx.fixtures[key] = _build(ctx, tool)
    return ctx.fixtures[key]
