"""No-op commit time with the installed hooks, for a root project alone and for a root project
holding a nested `init --subdir` project (task B of issue 9): median of N `git commit
--allow-empty` after one untimed commit that leaves the fast path's snapshot in place, as wall
time and as CPU time (user + system of git and the hook: steadier on a loaded machine).

    python bench/nested_noop.py [LIB] [--rounds N]     LIB: the stagecore checkout to measure
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _env(lib: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "PYTHONPATH": lib, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b",
                "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"})
    env.update(extra or {})
    return env


def _run(args: list[str], cwd: str, env: dict[str, str]) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stdout}{proc.stderr}")


def _project(path: str, lib: str, subdir: bool, files: int) -> None:
    sc = [sys.executable, "-m", "stagecore"]
    os.makedirs(os.path.join(path, "data"), exist_ok=True)
    _run([*sc, "init", "-q", *(["--subdir"] if subdir else [])], path, _env(lib))
    for i in range(files):
        with open(os.path.join(path, "data", f"f{i}.txt"), "w") as fobj:
            fobj.write(f"{path} {i}\n")
    with open(os.path.join(path, "script.txt"), "w") as fobj:
        fobj.write("v1\n")
    with open(os.path.join(path, "dvc.yaml"), "w") as fobj:
        fobj.write("stages:\n  s:\n    cmd: cp script.txt out.txt\n    deps: [script.txt, data]\n    outs: [out.txt]\n")
    _run([*sc, "add", "-q", "data"], path, _env(lib))
    _run([*sc, "repro", "-q"], path, _env(lib))


def measure(lib: str, nested: bool, rounds: int, files: int, fastpath: bool = True) -> tuple[float, float]:
    top = tempfile.mkdtemp(prefix="nested-noop-")
    try:
        _run(["git", "init", "-q"], top, _env(lib))
        _project(top, lib, False, files)
        if nested:
            _project(os.path.join(top, "sub"), lib, True, files)
        _run([sys.executable, "-m", "stagecore", "install"], top, _env(lib))
        _run(["git", "add", "-A"], top, _env(lib))
        env = _env(lib, None if fastpath else {"STAGECORE_FASTPATH": "0"})
        _run(["git", "commit", "-qm", "init"], top, env)
        _run(["git", "commit", "-q", "--allow-empty", "-m", "warm"], top, env)
        times, cpu = [], []
        for i in range(rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            _run(["git", "commit", "-q", "--allow-empty", "-m", f"r{i}"], top, env)
            times.append((time.perf_counter() - start) * 1000.0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000.0)
        return statistics.median(times), statistics.median(cpu)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def main() -> None:
    args = sys.argv[1:]
    rounds = 15
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at:at + 2]
    lib = os.path.abspath(args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for nested in (False, True):
        for fastpath in (True, False):
            wall, cpu = measure(lib, nested, rounds, 200, fastpath)
            print(f"{'root+nested' if nested else 'root only  '} fastpath={'on ' if fastpath else 'off'}"
                  f" no-op commit: {wall:.1f} ms wall, {cpu:.1f} ms CPU (medians of {rounds})")


if __name__ == "__main__":
    main()
