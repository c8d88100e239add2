"""The fast path (stagecore.fastpath.snapshot): a clean pre-commit verdict cached with stat signatures.

Each change below must still be seen by the real pre-commit hook run by `git commit` after a
snapshot was in use (the trace says `passed (snapshot)` first, so the test would notice a fast
path that never runs); corrupt or hostile snapshot files are ignored (the full check runs), and
a forged snapshot that would pass a stale repository is refused in every broken form.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, clean_env, git

SNAP = Path(".dvc") / "tmp" / "stagecore-fastpath-pre-commit"
DVC_YAML = """stages:
  train:
    cmd: cp data/a.txt out.txt
    deps:
    - data
    params:
    - lr
    outs:
    - out.txt
"""


def commit(repo: Path, text: str = "x\n", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`git commit` of an unrelated file through the installed hooks, traced."""
    with open(repo / "notes.txt", "a", encoding="utf-8") as fobj:
        fobj.write(text)
    git("add", "notes.txt", cwd=repo)
    return subprocess.run(
        ["git", "commit", "-q", "-m", "notes"], cwd=repo, capture_output=True, text=True, check=False,
        env=clean_env({"STAGECORE_TRACE": "1", **(env or {})}),
    )


def warm(repo: Path) -> None:
    """A full check that records the snapshot, then a commit answered from it."""
    time.sleep(0.15)  # every file older than the check's start by the racy margin
    first = commit(repo)
    assert first.returncode == 0, first.stderr
    assert "stagecore trace pre-commit: passed;" in first.stderr
    assert (repo / SNAP).is_file()
    second = commit(repo)
    assert (second.returncode, second.stderr.count("passed (snapshot)")) == (0, 1), second.stderr


def full_check(proc: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a commit that went through the full check (never a traceback)."""
    assert "passed (snapshot)" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


def _build(root: Path) -> None:
    env = clean_env({"HOME": str(root.parent / "home"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                     "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "PYTHONPATH": str(REPO_ROOT)})

    def run(*argv: str) -> None:
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    root.mkdir()
    run("git", "init", "-q", "-b", "main")
    run(sys.executable, "-m", "stagecore", "init", "-q")
    (root / "data").mkdir()
    (root / "data" / "a.txt").write_text("alpha\n", encoding="utf-8")
    (root / "data" / "b.txt").write_text("bravo\n", encoding="utf-8")
    (root / "targets").mkdir()
    (root / "targets" / "t1.txt").write_text("one\n", encoding="utf-8")
    (root / "targets" / "t2.txt").write_text("two\n", encoding="utf-8")
    os.symlink("../targets/t1.txt", root / "data" / "link.txt")
    (root / "params.yaml").write_text("lr: 1\n", encoding="utf-8")
    (root / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    (root / "notes.txt").write_text("notes\n", encoding="utf-8")
    run(sys.executable, "-m", "stagecore", "add", "-q", "data")
    run(sys.executable, "-m", "stagecore", "repro", "-q")
    run(sys.executable, "-m", "stagecore", "install")
    run("git", "add", "-A")
    run("git", "commit", "-q", "--no-verify", "-m", "base")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: data/ (a symlink inside) tracked by stagecore, stage train (deps data and
    params lr, out out.txt) reproduced, hooks installed, committed."""
    root = tmp_path_factory.mktemp("fastpath") / "template"
    _build(root)
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    warm(root)
    return root


def test_unchanged_repo_answers_from_the_snapshot_without_heavy_imports(repo: Path) -> None:
    proc = commit(repo)
    assert proc.returncode == 0
    assert "passed (snapshot)" in proc.stderr and "heavy imports: none" in proc.stderr


def test_modification_keeping_size_and_mtime_is_refused(repo: Path) -> None:
    path = repo / "data" / "a.txt"
    before = path.stat()
    path.write_text("ALPHA\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r: same size, same mtime
    proc = commit(repo)
    assert proc.returncode == 1
    assert "stage 'train' is not up to date (changed deps: data)" in full_check(proc)


def test_file_replaced_by_a_directory_is_refused(repo: Path) -> None:
    (repo / "out.txt").unlink()
    (repo / "out.txt").mkdir()
    (repo / "out.txt" / "inner").write_text("alpha\n", encoding="utf-8")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "'out.txt' was modified but not committed to the cache" in full_check(proc)


def test_symlink_swapped_or_its_target_edited_is_refused(repo: Path) -> None:
    link = repo / "data" / "link.txt"
    link.unlink()
    os.symlink("../targets/t2.txt", link)  # same length, other content
    proc = commit(repo)
    assert proc.returncode == 1
    assert "changed deps: data" in full_check(proc)
    link.unlink()
    os.symlink("../targets/t1.txt", link)
    git("commit", "-q", "--no-verify", "--allow-empty", "-m", "back", cwd=repo)
    warm(repo)
    target = repo / "targets" / "t1.txt"
    before = target.stat()
    target.write_text("ONE\n", encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    proc = commit(repo)
    assert proc.returncode == 1
    assert "changed deps: data" in full_check(proc)


def test_dvc_yaml_and_params_edits_are_refused(repo: Path) -> None:
    (repo / "params.yaml").write_text("lr: 2\n", encoding="utf-8")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "stage 'train' is not up to date (changed deps: params.yaml)" in full_check(proc)
    (repo / "params.yaml").write_text("lr: 1\n", encoding="utf-8")
    (repo / "dvc.yaml").write_text(DVC_YAML.replace("cp data/a.txt", "cp  data/a.txt"), encoding="utf-8")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "stage 'train' is not up to date (its command changed)" in full_check(proc)


def test_config_change_is_seen(repo: Path) -> None:
    with open(repo / ".dvc" / "config", "a", encoding="utf-8") as fobj:
        fobj.write("[cache]\n    dir = ../elsewhere-cache\n")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "the recorded version of 'out.txt' is not in the cache" in full_check(proc)


def test_deleted_output_is_reported(repo: Path) -> None:
    (repo / "out.txt").unlink()
    proc = commit(repo)
    assert proc.returncode == 0  # not blocking, as before the fast path: but said
    assert "'out.txt' is missing from the workspace" in full_check(proc)


def test_new_dvc_file_is_refused(repo: Path) -> None:
    (repo / "new.dvc").write_text("outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: new.txt\n", encoding="utf-8")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "'new.dvc' is not tracked by git" in full_check(proc)


def test_unstaged_lock_change_is_refused(repo: Path) -> None:
    lock = repo / "dvc.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    proc = commit(repo)
    assert proc.returncode == 1
    assert "'dvc.lock' changed but the change is not staged" in full_check(proc)


def test_racy_or_concurrent_change_writes_no_snapshot(repo: Path) -> None:
    """A file written at (or after) the instant the check started: no snapshot is written."""
    from stagecore.fastpath.snapshot_record import record
    from stagecore.files.index import collect_stages
    from stagecore.repo import Repo

    path = repo / "data" / "b.txt"
    with Repo(str(repo)) as handle:
        stages = collect_stages(handle)
        since = time.time_ns()
        path.write_text("BRAVO\n", encoding="utf-8")  # changed while the snapshot is being taken
        assert record(handle, stages, "pre-commit", since, with_index=True) is False
        path.write_text("bravo\n", encoding="utf-8")
        racy = path.stat().st_ctime_ns  # a check that started in the same instant as that write
        assert record(handle, stages, "pre-commit", racy, with_index=True) is False
        assert record(handle, stages, "pre-commit", racy + 10**9, with_index=True) is True


def test_snapshot_file_is_ignored_by_git(repo: Path) -> None:
    assert git("status", "--porcelain", cwd=repo) == ""
    git("add", "-A", cwd=repo)
    assert git("ls-files", ".dvc/tmp", cwd=repo) == ""
    assert git("check-ignore", str(SNAP), cwd=repo).strip() == str(SNAP)


def _forge(repo: Path) -> bytes:
    """A snapshot vouching for the repository as it is now, clean or not (what an attacker
    or a bug could leave behind)."""
    from stagecore.fastpath.snapshot_record import record
    from stagecore.files.index import collect_stages
    from stagecore.repo import Repo

    with Repo(str(repo)) as handle:
        assert record(handle, collect_stages(handle), "pre-commit", time.time_ns() + 10**10, with_index=True)
    return (repo / SNAP).read_bytes()


def test_corrupt_or_hostile_snapshot_is_ignored(repo: Path, tmp_path: Path) -> None:
    (repo / "params.yaml").write_text("lr: 3\n", encoding="utf-8")  # stale
    _forge(repo)
    control = commit(repo)  # a forged snapshot, intact, would pass the stale repository ...
    assert (control.returncode, "passed (snapshot)" in control.stderr) == (0, True)
    snap = repo / SNAP
    outside = tmp_path / "outside-snapshot"
    for form in ("truncated", "huge", "version", "junk", "symlink", "committed", "tmp-symlink"):
        forged = _forge(repo)
        if form == "truncated":
            snap.write_bytes(forged[: len(forged) // 2])
        elif form == "huge":
            os.truncate(snap, 65 << 20)  # sparse: over the size limit
        elif form == "version":
            data = marshal.loads(forged)
            data["version"] = 99
            snap.write_bytes(marshal.dumps(data))
        elif form == "junk":
            snap.write_bytes(b"\xff" * 1000)
        elif form == "symlink":
            snap.rename(outside)
            os.symlink(outside, snap)
        elif form == "committed":
            git("add", "-f", str(SNAP), cwd=repo)
        else:
            shutil.move(repo / ".dvc" / "tmp", tmp_path / "tmp-elsewhere")
            os.symlink(tmp_path / "tmp-elsewhere", repo / ".dvc" / "tmp")
            assert (tmp_path / "tmp-elsewhere" / SNAP.name).exists()
        proc = commit(repo)  # ... so each broken form must send the commit to the full check
        assert proc.returncode == 1, form
        assert "stage 'train' is not up to date (changed deps: params.yaml)" in full_check(proc), form
        if form == "symlink":
            snap.unlink(missing_ok=True)
        if form == "committed":
            git("rm", "-q", "--cached", str(SNAP), cwd=repo)


def test_post_checkout_without_dvc_change_starts_no_python(repo: Path, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "githooks"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise SystemExit('python started')\n", encoding="utf-8")
    env = clean_env({"PYTHONPATH": str(shadow.parent)})
    git("checkout", "-q", "-b", "other", cwd=repo)
    proc = subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, env=env, capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (0, "")  # no dvc file differs: the shim exits in sh
    (repo / "params.yaml").write_text("lr: 1\n", encoding="utf-8")
    git("checkout", "-q", "other", cwd=repo)
    lock = repo / "dvc.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace("lr: 1", "lr: 1 "), encoding="utf-8")
    git("commit", "-q", "--no-verify", "-am", "lock", cwd=repo)
    proc = subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, env=env, capture_output=True, text=True)
    assert "python started" in proc.stderr  # a dvc file differs: Python runs the hook


def test_push_with_data_already_on_the_remote_is_a_lookup(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=repo)
    (repo / ".dvc" / "config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n", encoding="utf-8")
    git("commit", "-q", "--no-verify", "-am", "remote", cwd=repo)
    env = clean_env({"STAGECORE_TRACE": "1"})

    def push() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo, env=env, capture_output=True,
                              text=True, check=False)

    first = push()  # the full hook uploads, then records the dvc files it pushed
    assert first.returncode == 0, first.stderr
    assert "files pushed to 'store'" in first.stderr and "(record)" not in first.stderr
    commit(repo)
    again = push()
    assert again.returncode == 0
    assert "stagecore trace pre-push: data already on the remote (record)" in again.stderr
    (repo / "data" / "b.txt").write_text("bravo two\n", encoding="utf-8")  # new data: the full hook
    ok_proc = subprocess.run([sys.executable, "-m", "stagecore", "add", "-q", "data"], cwd=repo,
                             env=clean_env({"PYTHONPATH": str(REPO_ROOT)}), capture_output=True, text=True)
    assert ok_proc.returncode == 0, ok_proc.stderr
    git("add", "data.dvc", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", "b2", cwd=repo)
    third = push()
    assert third.returncode == 0
    assert "stagecore: 2 files pushed to 'store'" in third.stderr  # the file and its .dir and "(record)" not in third.stderr
    with open(repo / ".dvc" / "config", "a", encoding="utf-8") as fobj:  # another data remote: full hook
        fobj.write(f"['remote \"other\"']\n    url = {tmp_path / 'other'}\n")
    git("commit", "-q", "--no-verify", "-am", "other remote", cwd=repo)
    fourth = push()
    assert fourth.returncode == 0
    assert "(record)" not in fourth.stderr and "stagecore trace pre-push:" in fourth.stderr


def test_status_answers_from_its_snapshot_and_sees_changes(repo: Path) -> None:
    env = clean_env({"STAGECORE_TRACE": "1", "PYTHONPATH": str(REPO_ROOT)})

    def status(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stagecore", "status", *args], cwd=repo, env=env,
                              capture_output=True, text=True, check=False)

    first = status()
    assert (first.returncode, first.stdout, first.stderr) == (0, "Data and pipelines are up to date.\n", "")
    second = status()
    assert (second.returncode, second.stdout) == (0, "Data and pipelines are up to date.\n")
    assert second.stderr == "stagecore trace status: up to date (snapshot)\n"
    assert status("-q").returncode == 0
    path = repo / "data" / "b.txt"
    before = path.stat()
    path.write_text("BRAVO\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime
    changed = status()
    assert changed.returncode == 0 and "(snapshot)" not in changed.stderr
    assert "changed deps:" in changed.stdout and "modified:           data" in changed.stdout
    assert status("-q").returncode == 1
