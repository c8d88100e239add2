"""Two writers at once on one repository: they serialize on `.dvc/tmp/lock` (or one gives up
with a message naming the holder), never a lost object or a corrupt one.

- `gc -w -f` in a loop while `add` runs with `cache.type symlink` (issue 8: gc deleted the
  objects add had just linked, leaving dangling symlinks and no copy of the data);
- `stagecore commit` racing a `git checkout` whose post-checkout hook checks data out.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import clean_env, git, run_cli

UP_TO_DATE = "Data and pipelines are up to date.\n"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, f"stagecore {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


def cache_objects(repo: Path) -> dict[str, Path]:
    """md5 value -> path of every cache object, each checked to match its name."""
    found = {}
    for path in (repo / ".dvc/cache/files/md5").rglob("*"):
        if path.is_file():
            value = path.parent.name + path.name
            assert not path.name.startswith("."), f"temp file left in the cache: {path}"
            want = value[:-4] if value.endswith(".dir") else value
            assert md5(path.read_bytes()) == want, f"corrupt object {path}"
            found[value] = path
    return found


def stagecore(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "stagecore", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_gc_loop_while_add_runs_with_symlinks_loses_nothing(git_repo: Path) -> None:
    repo = git_repo
    ok("init", "-q", cwd=repo)
    ok("config", "cache.type", "symlink", cwd=repo)
    files = {f"data/f{i:03d}.txt": f"file {i}\n".encode() * (i + 1) for i in range(200)}
    files["big1.bin"] = random.Random(1).randbytes(3 * 1024 * 1024)
    files["big2.bin"] = random.Random(2).randbytes(3 * 1024 * 1024)
    for rel, data in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    add = stagecore("add", "data", "big1.bin", "big2.bin", cwd=repo)
    runs: list[subprocess.CompletedProcess[str]] = []
    while add.poll() is None or not runs:
        runs.append(run_cli("gc", "-w", "-f", cwd=repo))
    out, err = add.communicate()
    assert add.returncode == 0, out + err
    for proc in runs:  # each gc either ran (before or after add) or gave up naming the holder
        if proc.returncode != 0:
            assert proc.returncode == 255, proc.stderr
            assert proc.stderr.startswith("ERROR: Unable to acquire lock."), proc.stderr
            assert f"held by process {add.pid}" in proc.stderr, proc.stderr
            assert "Traceback" not in proc.stderr
    objects = cache_objects(repo)
    for rel, data in files.items():
        path = repo / rel
        assert path.is_symlink(), rel
        assert path.read_bytes() == data, f"'{rel}' lost its content (dangling link?)"
        assert md5(data) in objects
    assert ok("status", cwd=repo).stdout == UP_TO_DATE
    ok("gc", "-w", "-f", cwd=repo)
    assert all((repo / rel).read_bytes() == data for rel, data in files.items())


def _manifest_of(repo: Path, dvc_text: str) -> dict[str, str]:
    value = next(line.split(":", 1)[1].strip() for line in dvc_text.splitlines() if "md5:" in line)
    path = repo / ".dvc/cache/files/md5" / value[:2] / value[2:]
    return {e["relpath"]: e["md5"] for e in json.loads(path.read_bytes())}


def _workspace(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo / "data")): p.read_bytes() for p in (repo / "data").rglob("*") if p.is_file()}


def test_commit_racing_git_checkout_with_hooks_serializes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    (repo / "data").mkdir()
    v1 = {f"f{i:02d}.txt": f"main {i}\n".encode() * 50 for i in range(60)}
    v2 = {f"f{i:02d}.txt": f"branch {i}\n".encode() * 50 for i in range(60)}
    for name, data in v1.items():
        (repo / "data" / name).write_bytes(data)
    ok("add", "data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", cwd=repo)
    git("checkout", "-qb", "other", cwd=repo)
    for name, data in v2.items():
        (repo / "data" / name).write_bytes(data)
    ok("commit", "-f", cwd=repo)
    git("commit", "-qam", "v2", cwd=repo)
    rng = random.Random(3)
    for trial in range(3):
        note = f"trial {trial}"
        git("checkout", "-q", "main" if trial % 2 == 0 else "other", cwd=repo)
        target = "other" if trial % 2 == 0 else "main"
        mine = {f"f{i:02d}.txt": f"uncommitted {trial} {i}\n".encode() for i in range(5)}
        for name, data in mine.items():  # work that is in no cache yet
            (repo / "data" / name).write_bytes(data)
        switch = subprocess.Popen(["git", "checkout", "-q", target], cwd=repo, env=clean_env(), text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0, 0.4))
        commit = stagecore("commit", "-f", cwd=repo)
        s_out, s_err = switch.communicate()
        c_out, c_err = commit.communicate()
        assert switch.returncode == 0, f"{note}: {s_err}"
        assert commit.returncode == 0, f"{note}: {c_out}{c_err}"
        for text in (s_err, c_err):
            assert "Traceback" not in text and "unexpected error" not in text, f"{note}: {text}"
        objects = cache_objects(repo)
        now = _workspace(repo)
        for data in [*v1.values(), *v2.values(), *mine.values()]:  # nothing lost
            assert md5(data) in objects or data in now.values(), f"{note}: content lost"
        # serialized: either commit recorded what the hook left (status clean), or the hook ran
        # last and the workspace is exactly the checked-out commit's data
        status = run_cli("status", cwd=repo)
        committed = _manifest_of(repo, git("show", "HEAD:data.dvc", cwd=repo))
        exact = {rel: md5(data) for rel, data in now.items()} == committed
        assert status.stdout == UP_TO_DATE or exact, f"{note}: a mix: {status.stdout}"
        git("checkout", "-q", "--", "data.dvc", cwd=repo)
        ok("checkout", "--force", cwd=repo)
