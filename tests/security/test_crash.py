"""Crash consistency and concurrency: kill -9 at deterministic points, then re-run.

Each operation (add, commit, checkout --force, push, pull, gc, the post-checkout hook) runs on
~200 small files and two 3 MiB files and is killed by SIGKILL: `STAGECORE_CRASH_AT=<n>:<ms>`
makes stagecore kill itself <ms> after it names its n-th temp file (mid-write when ms > 0),
and gc, which writes no temp file, is killed after a seeded random delay. After the kill every
workspace file is its old or its new content; after the re-run the cache objects all match
their names, no temp file is left in the workspace, the cache or the remote, every version
is recoverable from the cache, the workspace is exactly the target and status is clean.

STAGECORE_CRASH_TRIALS trials per operation (default 2, so the file stays under 90 s on a
loaded 2-core box); `make crash-test` runs many more and STAGECORE_CRASH_REPORT collects the
figures (trials and kills per operation). STAGECORE_CRASH_SEED picks the seed.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_cli

TRIALS = int(os.environ.get("STAGECORE_CRASH_TRIALS", "2"))
SEED = int(os.environ.get("STAGECORE_CRASH_SEED", "8"))
SMALL = 200
BIG = 3 * 1024 * 1024
UP_TO_DATE = "Data and pipelines are up to date.\n"
REPORT = os.environ.get("STAGECORE_CRASH_REPORT")  # a file to append "operation trials kills" to


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def version(tag: str) -> dict[str, bytes]:
    """The content of every data file in version `tag` (v1: the base; v2: 60 changed, 5 removed,
    10 added, one big file changed)."""
    rng = random.Random(tag)
    files = {f"data/f{i:03d}.txt": f"v1 {i} ".encode() * rng.randint(1, 40) for i in range(SMALL)}
    files["big1.bin"] = random.Random("big1").randbytes(BIG)
    files["big2.bin"] = random.Random("big2").randbytes(BIG)
    if tag == "v2":
        for i in range(0, 120, 2):
            files[f"data/f{i:03d}.txt"] = f"v2 {i}\n".encode() * rng.randint(1, 40)
        for i in range(195, SMALL):
            del files[f"data/f{i:03d}.txt"]
        for i in range(10):
            files[f"data/sub/new{i}.txt"] = f"new {i}\n".encode()
        files["big1.bin"] = random.Random("big1v2").randbytes(BIG)
    return files


def write_version(repo: Path, files: dict[str, bytes]) -> None:
    if (repo / "data").exists():
        shutil.rmtree(repo / "data")
    for rel, data in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        path.write_bytes(data)


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, f"stagecore {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


def gitp(*args: str, cwd: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(extra), capture_output=True, text=True)


# -- the checks ---------------------------------------------------------------------------------
def workspace_files(repo: Path) -> dict[str, bytes]:
    """The data files (temp files aside: `temps_under` reports those)."""
    found = {}
    for top in ("data", "big1.bin", "big2.bin"):
        path = repo / top
        if path.is_file():
            found[top] = path.read_bytes()
        elif path.is_dir():
            for dirpath, _dirs, names in os.walk(path):
                for name in names:
                    if name.startswith(".stagecore-tmp-"):
                        continue
                    full = Path(dirpath) / name
                    found[str(full.relative_to(repo))] = full.read_bytes()
    return found


def temps_under(*roots: Path) -> list[str]:
    """Every leftover temp file: our scheme, and the suffixes of older versions."""
    found = []
    for root in roots:
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]
            found += [os.path.join(dirpath, n) for n in names if n.startswith(".stagecore-tmp-") or n.endswith(".tmp")]
    return found


def object_values(root: Path) -> dict[str, Path]:
    """md5 value -> path of every object below `root/files/md5`, each checked against its name."""
    values = {}
    base = root / "files" / "md5"
    for path in base.rglob("*") if base.exists() else []:
        if path.is_dir():
            continue
        value = path.parent.name + path.name
        data = path.read_bytes()
        want = value[:-4] if value.endswith(".dir") else value
        assert md5(data) == want, f"corrupt object {path}"
        values[value] = path
    return values


def assert_between(repo: Path, old: dict[str, bytes], new: dict[str, bytes], note: str) -> None:
    """After a kill: each data file is its old or its new content (or not there yet/any more)."""
    for rel, data in workspace_files(repo).items():
        assert data in (old.get(rel), new.get(rel)), f"{note}: '{rel}' is neither old nor new content"


def assert_exact(repo: Path, want: dict[str, bytes], remote: Path | None, keep: list[bytes], note: str) -> None:
    proc = run_cli("status", cwd=repo)
    assert (proc.returncode, proc.stdout) == (0, UP_TO_DATE), f"{note}: {proc.stdout}{proc.stderr}"
    assert workspace_files(repo) == want, f"{note}: workspace differs from the target"
    objects = object_values(repo / ".dvc" / "cache")
    missing = [md5(d) for d in [*want.values(), *keep] if md5(d) not in objects]
    assert not missing, f"{note}: content lost (not in the cache): {missing[:3]}"
    roots = [repo] + ([remote] if remote is not None and remote.exists() else [])
    assert temps_under(*roots) == [], f"{note}: temp files left: {temps_under(*roots)[:3]}"
    if remote is not None and remote.exists():
        object_values(remote)


# -- the scenarios ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository (hooks installed) whose git history has v1 on `main` and v2 on `v2`, both in
    the cache and on the directory remote `../remote`; the workspace is v2 (branch v2)."""
    top = tmp_path_factory.mktemp("crash-base")
    home = tmp_path_factory.mktemp("crash-home")  # the per-test isolation is not set up yet here
    (home / ".gitconfig").write_text("[user]\n\tname = Crash Test\n\temail = crash@stagecore.invalid\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        _build_base(top / "repo")
    return top


def _build_base(repo: Path) -> None:
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("remote", "add", "-d", "r", "../remote", cwd=repo)  # relative: copies of the base keep their own
    ok("install", cwd=repo)
    write_version(repo, version("v1"))
    ok("add", "data", "big1.bin", "big2.bin", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", cwd=repo)
    git("checkout", "-qb", "v2", cwd=repo)
    write_version(repo, version("v2"))
    ok("commit", "-f", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v2", cwd=repo)
    ok("push", cwd=repo)
    assert ok("status", cwd=repo).stdout == UP_TO_DATE


def trial_copy(base: Path, dest: Path) -> tuple[Path, Path]:
    shutil.copytree(base, dest, symlinks=True)
    return dest / "repo", dest / "remote"


def killed(args: list[str], cwd: Path, crash_at: str, note: str) -> bool:
    proc = subprocess.run([sys.executable, "-m", "stagecore", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, STAGECORE_CRASH_AT=crash_at))
    assert proc.returncode == -signal.SIGKILL, f"{note}: not killed (exit {proc.returncode}): {proc.stderr}"
    return True


def crash_point(rng: random.Random, temps: int) -> str:
    """Kill at one of the first 80% of the operation's temp names, at once or a few ms later."""
    return f"{rng.randint(1, int(temps * 0.8))}:{rng.choice([0, 0, 0.5, 1, 2])}"


def scenario(name: str, base: Path, tmp_path: Path, run) -> None:
    rng = random.Random(f"{SEED}-{name}")
    kills = 0
    for trial in range(TRIALS):
        note = f"{name} trial {trial} (seed {SEED})"
        repo, remote = trial_copy(base, tmp_path / f"t{trial}")
        kills += int(run(repo, remote, rng, note))
        shutil.rmtree(tmp_path / f"t{trial}", ignore_errors=True)
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as fobj:
            fobj.write(f"{name} trials={TRIALS} kills={kills} seed={SEED}\n")


def test_kill_add_then_rerun(base: Path, tmp_path: Path) -> None:
    v1 = version("v1")

    def run(repo, remote, rng, note):
        shutil.rmtree(repo / ".dvc" / "cache")
        for dvcfile in ("data.dvc", "big1.bin.dvc", "big2.bin.dvc"):
            (repo / dvcfile).unlink()
        write_version(repo, v1)
        killed(["add", "data", "big1.bin", "big2.bin"], repo, crash_point(rng, SMALL), note)
        assert_between(repo, v1, v1, note)
        ok("add", "data", "big1.bin", "big2.bin", cwd=repo)
        assert_exact(repo, v1, None, [], note)
        return True

    scenario("add", base, tmp_path, run)


def test_kill_commit_then_rerun(base: Path, tmp_path: Path) -> None:
    v2 = version("v2")

    def run(repo, remote, rng, note):
        shutil.rmtree(repo / ".dvc" / "cache")  # v2 is only in the workspace: commit must save it
        killed(["commit", "-f"], repo, crash_point(rng, SMALL), note)
        assert_between(repo, v2, v2, note)
        ok("commit", "-f", cwd=repo)
        assert_exact(repo, v2, None, [], note)
        return True

    scenario("commit", base, tmp_path, run)


def test_kill_checkout_force_then_rerun(base: Path, tmp_path: Path) -> None:
    v1, v2 = version("v1"), version("v2")
    mine = b"uncommitted work that only exists in the workspace\n"

    def run(repo, remote, rng, note):
        for dvcfile in ("data.dvc", "big1.bin.dvc", "big2.bin.dvc"):  # the dvc files of v1, data of v2
            (repo / dvcfile).write_text(git("show", f"main:{dvcfile}", cwd=repo))
        (repo / "data/f000.txt").write_bytes(mine)
        current = dict(v2, **{"data/f000.txt": mine})
        killed(["checkout", "--force"], repo, crash_point(rng, 50), note)
        assert_between(repo, current, v1, note)
        if (repo / "data/f000.txt").read_bytes() != mine:  # replaced: only after it was saved
            assert md5(mine) in object_values(repo / ".dvc" / "cache"), f"{note}: uncommitted work lost"
        ok("checkout", "--force", cwd=repo)
        assert_exact(repo, v1, None, [mine, *v2.values()], note)
        return True

    scenario("checkout", base, tmp_path, run)


def test_kill_push_then_rerun(base: Path, tmp_path: Path) -> None:
    v2 = version("v2")

    def run(repo, remote, rng, note):
        shutil.rmtree(remote)
        killed(["push"], repo, crash_point(rng, SMALL), note)
        ok("push", cwd=repo)
        assert_exact(repo, v2, remote, [], note)
        assert set(object_values(remote)) >= {md5(d) for d in v2.values()}, f"{note}: remote incomplete"
        return True

    scenario("push", base, tmp_path, run)


def test_kill_pull_then_rerun(base: Path, tmp_path: Path) -> None:
    v2 = version("v2")

    def run(repo, remote, rng, note):
        shutil.rmtree(repo / ".dvc" / "cache")
        shutil.rmtree(repo / "data")
        (repo / "big1.bin").unlink()
        killed(["pull"], repo, crash_point(rng, SMALL), note)
        assert_between(repo, {}, v2, note)
        ok("pull", cwd=repo)
        assert_exact(repo, v2, remote, [], note)
        return True

    scenario("pull", base, tmp_path, run)


def test_kill_gc_then_rerun(base: Path, tmp_path: Path) -> None:
    v2 = version("v2")

    def run(repo, remote, rng, note):
        cache = repo / ".dvc" / "cache" / "files" / "md5"
        count = lambda: sum(len(os.listdir(cache / d)) for d in os.listdir(cache))  # noqa: E731
        target = count() - rng.randint(1, 60)  # kill once gc has removed that many of ~100 unused objects
        proc = subprocess.Popen([sys.executable, "-m", "stagecore", "gc", "-w", "-f"], cwd=repo,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # gc runs in short slices between SIGSTOP/SIGCONT, the count checked between them: on a
        # loaded machine a free-running gc could remove everything between two polls of the count
        deadline = time.monotonic() + 60
        proc.send_signal(signal.SIGSTOP)
        while proc.poll() is None and count() > target and time.monotonic() < deadline:
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.0005)
            proc.send_signal(signal.SIGSTOP)
        proc.send_signal(signal.SIGKILL)
        was_killed = proc.wait() == -signal.SIGKILL
        assert was_killed, f"{note}: gc finished before the kill"
        ok("gc", "-w", "-f", cwd=repo)
        assert_exact(repo, v2, None, [], note)
        gone = md5(version("v1")["big1.bin"])
        assert gone not in object_values(repo / ".dvc" / "cache"), f"{note}: gc did not finish"
        return was_killed

    scenario("gc", base, tmp_path, run)


def test_kill_post_checkout_hook_then_rerun(base: Path, tmp_path: Path) -> None:
    v1, v2 = version("v1"), version("v2")

    def run(repo, remote, rng, note):
        proc = gitp("checkout", "-q", "main", cwd=repo, extra={"STAGECORE_CRASH_AT": crash_point(rng, 50)})
        assert proc.returncode != 0, f"{note}: the hook was not killed: {proc.stderr}"
        assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo).strip() == "main"
        assert_between(repo, v2, v1, note)
        ok("checkout", cwd=repo)
        assert_exact(repo, v1, None, list(v2.values()), note)
        return True

    scenario("post-checkout", base, tmp_path, run)


def test_leftover_temp_files_are_never_data_and_stale_ones_are_swept(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    (repo / "data").mkdir()
    (repo / "data/a.txt").write_text("a\n")
    ok("add", "data", cwd=repo)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = repo / "data" / f".stagecore-tmp-{int(dead.stdout)}.0123456789ab.tmp"  # its writer is gone
    live = repo / "data" / f".stagecore-tmp-{os.getpid()}.0123456789ac.tmp"  # a writer still running
    for path in (stale, live):
        path.write_bytes(b"partial")
    assert ok("status", cwd=repo).stdout == UP_TO_DATE  # not "modified": a temp file is no data
    before = (repo / "data.dvc").read_text()
    ok("commit", cwd=repo)
    assert (repo / "data.dvc").read_text() == before  # nothing recorded
    assert not stale.exists() and live.exists()  # the stale one swept, the live writer's kept
    live.unlink()
    (repo / ".stagecore-tmp-1.0123456789ad.tmp").write_bytes(b"")  # pid 1 is alive: kept until old
    os.utime(repo / ".stagecore-tmp-1.0123456789ad.tmp", (time.time() - 7200, time.time() - 7200))
    runs = repo / ".dvc/cache/runs/ab/abcd"  # a run-cache entry a killed repro was writing
    runs.mkdir(parents=True)
    (runs / stale.name).write_bytes(b"partial")
    (repo / ".dvc/cache/files/md5/00").mkdir(parents=True, exist_ok=True)
    (repo / ".dvc/cache/files/md5/00" / stale.name).write_bytes(b"partial")  # a killed add's object
    ok("gc", "-w", "-f", cwd=repo)
    assert temps_under(repo) == []


def test_names_of_255_bytes_in_a_tracked_directory_check_out(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    names = ["n" * (size - 4) + ".txt" for size in (237, 250, 255)]
    (repo / "data").mkdir()
    for name in names:
        (repo / "data" / name).write_text(f"{len(name)}\n")
    ok("add", "data", cwd=repo)
    shutil.rmtree(repo / "data")
    proc = ok("checkout", cwd=repo)
    assert proc.stdout == "A       data/\n", proc.stdout
    (repo / "data" / names[-1]).write_text("changed\n")
    ok("checkout", "--force", cwd=repo)
    assert sorted(os.listdir(repo / "data")) == sorted(names)
    assert [(repo / "data" / n).read_text() for n in names] == [f"{len(n)}\n" for n in names]
    assert ok("status", cwd=repo).stdout == UP_TO_DATE


def test_gc_cloud_sweeps_unfinished_uploads_on_the_remote(tmp_path: Path) -> None:
    from stagecore.storage.fsutil import _host_id

    repo, store = tmp_path / "repo", tmp_path / "store"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("remote", "add", "-d", "store", str(store), cwd=repo)
    (repo / "a.txt").write_text("a\n")
    ok("add", "a.txt", cwd=repo)
    ok("push", cwd=repo)
    shard = next((store / "files" / "md5").iterdir())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ours_dead = shard / f".stagecore-tmp-{int(dead.stdout)}@{_host_id()}.0123456789ab.tmp"  # this machine, gone
    other_fresh = shard / ".stagecore-tmp-1@00000000.0123456789ac.tmp"  # another machine, uploading now
    other_old = shard / ".stagecore-tmp-1@00000000.0123456789ad.tmp"  # another machine, two hours ago
    legacy_old = shard / f"{next(p.name for p in shard.iterdir())}.0123456789ae.tmp"  # older versions' key.<hex>.tmp
    for path in (ours_dead, other_fresh, other_old, legacy_old):
        path.write_bytes(b"partial")
    for path in (other_old, legacy_old):
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    proc = ok("gc", "-w", "-c", "-f", cwd=repo)
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in shard.iterdir() if ".tmp" in p.name) == [other_fresh.name]
    assert ok("status", "-c", cwd=repo).returncode == 0
