"""`stagecore status` with nothing changed, with and without the watchman monitor (stagecore.fastpath.fsmonitor).

    python bench/fsmonitor_bench.py [FILES ...] [--rounds N]

For each size: a scratch repository with FILES small files in `data/` (1,000 per directory),
tracked by `stagecore add`, a watchman of its own (temporary socket and state). Then, in
interleaved rounds: `stagecore status` as a process (the command a user runs; answered from the
clean snapshot both ways) with STAGECORE_FSMONITOR=0 and =1, and the in-process check alone
(`stagecore.fastpath.snapshot.holds`), plus an `os.lstat` walk of the tracked files as the yardstick.
Prints medians (ms) and the ratios. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv, cwd, env, check=True):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"{argv}: {proc.stdout}{proc.stderr}")
    return proc


def build(base: str, files: int, env: dict) -> str:
    root = os.path.join(base, "repo")
    os.makedirs(root)
    run(["git", "init", "-q"], root, env)
    run([sys.executable, "-m", "stagecore", "init", "-q"], root, env)
    for start in range(0, files, 1000):
        folder = os.path.join(root, "data", f"d{start // 1000:04d}")
        os.makedirs(folder)
        for i in range(start, min(files, start + 1000)):
            with open(os.path.join(folder, f"f{i}.txt"), "w", encoding="utf-8") as fobj:
                fobj.write(f"file {i}\n")
    run([sys.executable, "-m", "stagecore", "add", "-q", "data"], root, env)
    run(["git", "add", "-A"], root, env)
    run(["git", "commit", "-q", "-m", "data"], root, env)
    return root


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def walk(root: str) -> None:
    stack = [os.path.join(root, "data")]
    while stack:
        top = stack.pop()
        with os.scandir(top) as entries:
            for entry in entries:
                st = os.lstat(entry.path)
                if st.st_mode & 0o040000:
                    stack.append(entry.path)


def bench(files: int, rounds: int) -> dict:
    base = tempfile.mkdtemp(prefix="scfmb", dir="/tmp")
    wm = os.path.join(base, "wm")
    os.makedirs(wm)
    sock = os.path.join(wm, "sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": base, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
                "GIT_COMMITTER_EMAIL": "b@b", "PYTHONPATH": REPO, "WATCHMAN_SOCK": sock})
    wargs = ["watchman", f"--sockname={sock}", f"--statefile={wm}/state", f"--logfile={wm}/log",
             f"--pidfile={wm}/pid"]
    run([*wargs, "get-sockname"], base, env)
    try:
        made = time.perf_counter()
        root = build(base, files, env)
        made = time.perf_counter() - made
        status = [sys.executable, "-m", "stagecore", "status"]
        off, on = {**env, "STAGECORE_FSMONITOR": "0"}, {**env, "STAGECORE_FSMONITOR": "1"}
        time.sleep(0.2)
        run(status, root, on)  # the full check: records the snapshot and the watchman clock
        sys.path.insert(0, REPO)
        from stagecore.fastpath.fsmonitor import doubt
        from stagecore.fastpath.snapshot import holds

        assert doubt(root, "status", on) is None, doubt(root, "status", on)
        assert holds(root, "status", off) is None
        series: dict[str, list[float]] = {k: [] for k in ("cli_off", "cli_on", "holds_off", "holds_on", "walk")}
        for _ in range(rounds):
            series["cli_off"].append(timed(lambda: run(status, root, off)))
            series["cli_on"].append(timed(lambda: run(status, root, on)))
            series["holds_off"].append(timed(lambda: holds(root, "status", off)))
            series["holds_on"].append(timed(lambda: holds(root, "status", on)))
            series["walk"].append(timed(lambda: walk(root)))
        med = {k: statistics.median(v) for k, v in series.items()}
        result = {"files": files, "rounds": rounds, "build_s": round(made, 1),
                **{k: round(v, 2) for k, v in med.items()},
                "cli_on/off": round(med["cli_on"] / med["cli_off"], 3),
                "holds_on/off": round(med["holds_on"] / med["holds_off"], 4),
                "holds_off/walk": round(med["holds_off"] / med["walk"], 2),
                "holds_on/walk": round(med["holds_on"] / med["walk"], 4),
                "snapshot_bytes": os.path.getsize(os.path.join(root, ".dvc", "tmp", "stagecore-fastpath-status")),
                "record_bytes": os.path.getsize(os.path.join(root, ".dvc", "tmp", "stagecore-fsmonitor-status"))}
        print(json.dumps(result), flush=True)  # before the (long) removal of the scratch tree
        return result
    finally:
        subprocess.run(["watchman", f"--sockname={sock}", "--no-spawn", "shutdown-server"],
                       capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=int, default=[20000])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for files in args.files:
        bench(files, args.rounds)


if __name__ == "__main__":
    main()
