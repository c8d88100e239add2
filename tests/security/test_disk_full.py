"""A full disk during add, commit, checkout and pull: one clear line naming the path and the
cause (exit 1), nothing half-written (no temp file, no partial object, the workspace intact),
pull blames the local disk and not the remote, and the command succeeds once there is room.

The repository lives on a 12 MiB tmpfs (ENOSPC) when this machine lets us mount one (root in
CI does); otherwise the commands run under a 4 MiB file-size limit (RLIMIT_FSIZE, SIGXFSZ
ignored: EFBIG), which exercises the same code paths with another errno. Which one ran is in
the test id, and neither is a skip.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import git

BIG = 5 * 1024 * 1024


def _can_mount() -> bool:
    probe = Path(f"/tmp/stagecore-tmpfs-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    except OSError:
        return False
    finally:
        probe.rmdir()


# STAGECORE_DISKFULL_MODE=rlimit-efbig runs the fallback on a machine that could mount
MODE = os.environ.get("STAGECORE_DISKFULL_MODE") or ("tmpfs-enospc" if _can_mount() else "rlimit-efbig")
CAUSE = "no space left on device" if MODE == "tmpfs-enospc" else "file too large"


@pytest.fixture(params=[MODE])
def space(request, tmp_path: Path) -> Iterator[Path]:
    """A directory on which big writes fail: a small tmpfs, or (see `run`) a file-size limit."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if request.param == "tmpfs-enospc":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        if request.param == "tmpfs-enospc":
            subprocess.run(["umount", "-l", str(mnt)], check=True)


def _limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 1024 * 1024, resource.RLIM_INFINITY))


def run(*args: str, cwd: Path, limited: bool = True) -> subprocess.CompletedProcess[str]:
    preexec = _limit if limited and MODE == "rlimit-efbig" else None
    return subprocess.run([sys.executable, "-m", "stagecore", *args], cwd=cwd, capture_output=True, text=True,
                          preexec_fn=preexec)


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run(*args, cwd=cwd, limited=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def fill(where: Path, leave: int) -> Path:
    """Leave about `leave` bytes free on the tmpfs (nothing to do under a file-size limit)."""
    filler = where / "filler"
    if MODE == "tmpfs-enospc":
        st = os.statvfs(where)
        filler.write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    return filler


def assert_refused(proc: subprocess.CompletedProcess[str], path_part: str) -> None:
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert lines[0].startswith(f"ERROR: {CAUSE} while writing"), proc.stderr
    assert path_part in lines[0], proc.stderr
    assert lines[1].startswith("hint: "), proc.stderr
    assert "unexpected" not in proc.stderr and "Traceback" not in proc.stderr and "remote" not in proc.stderr


def assert_clean(repo: Path) -> None:
    """No temp file anywhere, every cache object matches its name."""
    for dirpath, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        temps = [n for n in names if n.startswith(".stagecore-tmp-") or n.endswith(".tmp")]
        assert not temps, f"temp files left in {dirpath}: {temps}"
    for path in (repo / ".dvc/cache/files/md5").rglob("*"):
        if path.is_file():
            want = (path.parent.name + path.name).removesuffix(".dir")
            assert hashlib.md5(path.read_bytes()).hexdigest() == want, f"partial object {path}"


def new_repo(where: Path) -> Path:
    repo = where / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    return repo


def test_add_and_commit_on_a_full_disk(space: Path) -> None:
    repo = new_repo(space)
    big = random.Random(1).randbytes(BIG)
    (repo / "big.bin").write_bytes(b"small first\n")
    ok("add", "big.bin", cwd=repo)
    (repo / "big.bin").write_bytes(big)
    filler = fill(space, 3 * 1024 * 1024)
    assert_refused(run("commit", "-f", cwd=repo), ".dvc/cache/files/md5/")
    assert_clean(repo)
    assert (repo / "big.bin").read_bytes() == big
    filler.unlink(missing_ok=True)
    (repo / "two.bin").write_bytes(big[::-1])
    filler = fill(space, 3 * 1024 * 1024)
    assert_refused(run("add", "two.bin", cwd=repo), ".dvc/cache/files/md5/")
    assert_clean(repo)
    assert not (repo / "two.bin.dvc").exists()
    filler.unlink(missing_ok=True)
    (repo / "two.bin").unlink()
    ok("commit", "-f", cwd=repo)
    assert run("status", cwd=repo, limited=False).stdout == "Data and pipelines are up to date.\n"
    if MODE == "tmpfs-enospc":  # the same file system read-only: the lock file is the first write
        (repo / "three.bin").write_bytes(b"three\n")
        subprocess.run(["mount", "-o", "remount,ro", str(space)], check=True)
        proc = run("add", "three.bin", cwd=repo)
        subprocess.run(["mount", "-o", "remount,rw", str(space)], check=True)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.startswith("ERROR: read-only file system while writing '"), proc.stderr
        assert "Traceback" not in proc.stderr and not (repo / "three.bin.dvc").exists()


def test_checkout_and_pull_on_a_full_disk(space: Path, tmp_path: Path) -> None:
    repo = new_repo(space)
    store = tmp_path / "store"  # the remote is on the roomy disk: only the local one is full
    ok("remote", "add", "-d", "store", str(store), cwd=repo)
    big = random.Random(2).randbytes(BIG)
    (repo / "big.bin").write_bytes(big)
    ok("add", "big.bin", cwd=repo)
    ok("push", cwd=repo)
    (repo / "big.bin").unlink()
    filler = fill(space, 3 * 1024 * 1024)
    assert_refused(run("checkout", cwd=repo), "big.bin")
    assert_clean(repo)
    assert not (repo / "big.bin").exists()  # nothing half-written
    shutil.rmtree(repo / ".dvc/cache")
    filler.unlink(missing_ok=True)
    filler = fill(space, 3 * 1024 * 1024)
    proc = run("pull", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{CAUSE} while writing" in proc.stderr and ".dvc/cache/files/md5" in proc.stderr, proc.stderr
    assert "remote's disk" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert_clean(repo)
    filler.unlink(missing_ok=True)
    ok("pull", cwd=repo)
    assert (repo / "big.bin").read_bytes() == big
