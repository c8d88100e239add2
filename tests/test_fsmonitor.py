"""The optional file-system monitor (stagecore.fastpath.fsmonitor) with a real watchman.

watchman runs in a temporary state directory (socket, state file, log), one server for the
module and one of its own for a test that stops it, shut down afterwards. The fast-path cases of tests/test_fast_path.py run here again with the
monitor on (imported below; this module's `template`/`repo` fixtures turn it on), so every
change they make must still be seen, now through watchman's answer; the tests of this module
check that the monitor really answers (`vouches`), that a change made while watched is seen,
and that a change made while watchman was down (no server, or a restarted one: a fresh
instance) falls back to the full walk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import test_fast_path as fast
from tests.conftest import _missing_tool
from tests.helpers import REPO_ROOT, clean_env, git
from tests.test_fast_path import (  # noqa: F401 - collected here, run with the monitor on
    test_config_change_is_seen,
    test_corrupt_or_hostile_snapshot_is_ignored,
    test_dvc_yaml_and_params_edits_are_refused,
    test_file_replaced_by_a_directory_is_refused,
    test_modification_keeping_size_and_mtime_is_refused,
    test_new_dvc_file_is_refused,
    test_status_answers_from_its_snapshot_and_sees_changes,
    test_symlink_swapped_or_its_target_edited_is_refused,
    test_unchanged_repo_answers_from_the_snapshot_without_heavy_imports,
    test_unstaged_lock_change_is_refused,
)

PRE_COMMIT, STATUS = "pre-commit", "status"


class Watchman:
    """A watchman server of its own: socket, state file and log in a short temp directory."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="scwm", dir="/tmp")  # unix socket paths are short
        self.sock = os.path.join(self.dir, "sock")

    def run(self, *args: str) -> dict:
        proc = subprocess.run(
            ["watchman", f"--sockname={self.sock}", f"--statefile={self.dir}/state", f"--logfile={self.dir}/log",
             f"--pidfile={self.dir}/pid", "--output-encoding=json", "--no-pretty", *args],
            capture_output=True, text=True, check=False, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def start(self) -> None:
        self.run("get-sockname")  # spawns the server

    def stop(self) -> None:
        try:
            pid = int(Path(self.dir, "pid").read_text(encoding="utf-8").split()[0])
        except (OSError, ValueError, IndexError):
            pid = None
        subprocess.run(["watchman", f"--sockname={self.sock}", "--no-spawn", "shutdown-server"],
                       capture_output=True, check=False, timeout=60)
        for _ in range(200):  # gone before the test goes on (a restart must be a new instance)
            try:
                if pid is None:
                    break
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.025)


@pytest.fixture(scope="module")
def server() -> Iterator[Watchman]:
    """One watchman for the module's tests (a test that stops watchman starts its own)."""
    if shutil.which("watchman") is None:
        _missing_tool("watchman is not installed (apt-get install watchman; `make test` does it as root)")
    started = Watchman()
    started.start()
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(started.dir, ignore_errors=True)


@pytest.fixture
def watchman(server: Watchman, monkeypatch: pytest.MonkeyPatch) -> Watchman:
    monkeypatch.setenv("WATCHMAN_SOCK", server.sock)
    return server


@pytest.fixture
def own_watchman(watchman: Watchman, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watchman]:
    """A watchman of the test's own (which the test may stop and start)."""
    started = Watchman()
    started.start()
    monkeypatch.setenv("WATCHMAN_SOCK", started.sock)
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(started.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/test_fast_path.py's repository with `git config stagecore.fsmonitor true`."""
    root = tmp_path_factory.mktemp("fsmonitor") / "template"
    fast._build(root)
    subprocess.run(["git", "config", "stagecore.fsmonitor", "true"], cwd=root, check=True,
                   env=clean_env())
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path, watchman: Watchman) -> Path:
    """A copy of the template, warmed: its pre-commit snapshot vouched for by watchman."""
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    fast.warm(root)
    assert (root / ".dvc" / "tmp" / "stagecore-fsmonitor-pre-commit").is_file()
    assert vouches(root, PRE_COMMIT)
    return root


def vouches(root: Path, kind: str) -> bool:
    from stagecore.fastpath.fsmonitor import doubt

    why = doubt(str(root), kind, clean_env())
    print(f"fsmonitor {kind}: {why or 'vouches'}")
    return why is None


def status(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagecore", "status", *args], cwd=repo,
                          env=clean_env({"PYTHONPATH": str(REPO_ROOT), "STAGECORE_TRACE": "1"}),
                          capture_output=True, text=True, check=False)


def full_status(repo: Path) -> subprocess.CompletedProcess[str]:
    """`stagecore status` by the full check (its snapshot removed first), which records anew."""
    (repo / ".dvc" / "tmp" / "stagecore-fastpath-status").unlink(missing_ok=True)
    time.sleep(0.15)  # the racy margin
    return status(repo)


def clean_status(repo: Path) -> None:
    """A full status, clean, that records the status snapshot and its watchman clock."""
    assert full_status(repo).stdout == "Data and pipelines are up to date.\n"
    assert vouches(repo, STATUS)


def test_unrelated_change_is_answered_by_watchman(repo: Path) -> None:
    (repo / "notes.txt").write_text("other notes\n", encoding="utf-8")
    (repo / "targets" / "t2.txt").write_text("TWO\n", encoding="utf-8")  # a file nothing reads
    assert vouches(repo, PRE_COMMIT)
    proc = fast.commit(repo)
    assert (proc.returncode, proc.stderr.count("passed (snapshot)")) == (0, 1), proc.stderr


@pytest.mark.parametrize("change", ["edit", "touch-r", "chmod", "new-file", "rename"])
def test_change_made_while_watched_is_seen(repo: Path, change: str) -> None:
    clean_status(repo)
    path = repo / "data" / "a.txt"
    before = path.stat()
    if change == "edit":
        path.write_text("changed\n", encoding="utf-8")
    elif change == "touch-r":
        path.write_text("ALPHA\n", encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "chmod":
        path.chmod(0o600)
    elif change == "new-file":
        (repo / "data" / "c.txt").write_text("charlie\n", encoding="utf-8")
    else:
        path.rename(repo / "data" / "z.txt")
    assert not vouches(repo, STATUS) and not vouches(repo, PRE_COMMIT)
    if change != "chmod":  # a mode change alone is no change of data
        assert "changed deps:" in status(repo).stdout


def test_change_made_while_watchman_was_down_falls_back_to_the_full_walk(repo: Path,
                                                                       own_watchman: Watchman) -> None:
    watchman = own_watchman
    clean_status(repo)
    watchman.stop()
    path = repo / "data" / "b.txt"
    before = path.stat()
    path.write_text("BRAVO\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime
    assert not vouches(repo, STATUS)  # no server: the full walk
    changed = status(repo)
    assert "(snapshot)" not in changed.stderr and "modified:           data" in changed.stdout
    path.write_text("bravo\n", encoding="utf-8")  # back as recorded in dvc files, new ctime
    watchman.start()  # the watch comes back from the state file, as a fresh instance
    assert not vouches(repo, STATUS)  # the recorded clock is of the old instance
    clean_status(repo)  # a new clean result is vouched for again
    fast.warm(repo)
    assert vouches(repo, PRE_COMMIT)
    side = repo / ".dvc" / "tmp" / "stagecore-fsmonitor-status"
    before = side.read_bytes()
    watchman.stop()
    watchman.start()  # restarted, nothing changed meanwhile
    assert vouches(repo, STATUS)  # re-armed: a new clock, every recorded signature checked once
    assert side.read_bytes() != before
    (repo / "data" / "a.txt").write_text("changed\n", encoding="utf-8")
    assert not vouches(repo, STATUS)  # the new clock sees the change


def test_answers_equal_those_without_the_monitor(repo: Path) -> None:
    clean_status(repo)
    (repo / "params.yaml").write_text("lr: 2\n", encoding="utf-8")
    with_monitor = status(repo, "--json")
    without = subprocess.run([sys.executable, "-m", "stagecore", "status", "--json"], cwd=repo,
                             env=clean_env({"PYTHONPATH": str(REPO_ROOT), "STAGECORE_FSMONITOR": "0"}),
                             capture_output=True, text=True, check=False)
    assert json.loads(with_monitor.stdout) == json.loads(without.stdout) == {
        "train": [{"changed deps": {"params.yaml": {"lr": "modified"}}}]}


def test_switch_off_or_no_watchman_records_nothing(repo: Path, own_watchman: Watchman,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    side = repo / ".dvc" / "tmp" / "stagecore-fsmonitor-status"
    clean_status(repo)
    git("config", "stagecore.fsmonitor", "false", cwd=repo)
    assert not vouches(repo, STATUS)  # the git config changed: not vouched until recorded again
    full_status(repo)
    assert not side.exists()
    assert not vouches(repo, STATUS)
    git("config", "stagecore.fsmonitor", "true", cwd=repo)
    clean_status(repo)
    assert side.exists()
    monkeypatch.setenv("STAGECORE_FSMONITOR", "0")  # the environment overrides git config
    assert not vouches(repo, STATUS)
    monkeypatch.setenv("STAGECORE_FSMONITOR", "1")
    own_watchman.stop()
    monkeypatch.setenv("WATCHMAN_SOCK", str(repo / "no-such-socket"))
    # a clean full check with watchman unreachable: no record, no error
    assert full_status(repo).stdout == "Data and pipelines are up to date.\n"
    assert not side.exists()


def test_watchmanconfig_hiding_paths_disables_the_monitor(repo: Path, watchman: Watchman) -> None:
    (repo / ".watchmanconfig").write_text('{"ignore_dirs": ["data"]}', encoding="utf-8")
    git("add", ".watchmanconfig", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", "hostile", cwd=repo)
    watchman.run("watch-del", str(repo))  # watchman reads .watchmanconfig when a watch starts
    assert full_status(repo).stdout == "Data and pipelines are up to date.\n"
    assert not (repo / ".dvc" / "tmp" / "stagecore-fsmonitor-status").exists()
    assert not vouches(repo, STATUS)
