"""Cost that follows what changed (issue 11): post-checkout's standard-library fast path for
single-file outputs (stagecore.fastpath.followfast), and the state db answering one file without
loading its tables. Real git, real installed hooks; the full hook (STAGECORE_FASTPATH=0) is
the reference for every result, and each case the fast path must not handle is shown to
fall back to the full hook, whose message and care for the workspace stay as they were."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from stagecore.fastpath.followfast import _read_dvcfile, follow_fast
from stagecore.storage.state import State, stamp_of
from tests.helpers import clean_env, git, ok

FAST = "followed (fast path)"


def gitp(*args: str, cwd: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(extra), capture_output=True, text=True)


def switch(repo: Path, branch: str, fast: bool = True) -> subprocess.CompletedProcess[str]:
    extra = {"STAGECORE_TRACE": "1"} if fast else {"STAGECORE_TRACE": "1", "STAGECORE_FASTPATH": "0"}
    proc = gitp("checkout", "-q", branch, cwd=repo, extra=extra)
    assert proc.returncode == 0, proc.stderr
    return proc


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """main: model.bin = v1, sub/weights.bin = w1; branch knob: model.bin = v2, sub/weights.bin = w2."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    (repo / "sub").mkdir()
    (repo / "model.bin").write_bytes(b"v1\n" * 1000)
    (repo / "sub/weights.bin").write_bytes(b"w1\n")
    ok("add", "-q", "model.bin", "sub/weights.bin", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", "--no-verify", cwd=repo)
    git("checkout", "-qb", "knob", cwd=repo)
    (repo / "model.bin").write_bytes(b"v2\n" * 1000)
    (repo / "sub/weights.bin").write_bytes(b"w2\n")
    ok("add", "-q", "model.bin", "sub/weights.bin", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v2", "--no-verify", cwd=repo)
    switch(repo, "main", fast=False)
    return repo


def test_switch_of_one_file_outputs_takes_the_fast_path_and_matches_the_full_hook(project: Path) -> None:
    fast = switch(project, "knob")
    assert FAST in fast.stderr and "heavy imports: none" in fast.stderr
    assert "M       model.bin\nM       sub/weights.bin\n" in fast.stderr
    assert (project / "model.bin").read_bytes() == b"v2\n" * 1000
    assert (project / "sub/weights.bin").read_bytes() == b"w2\n"
    mode_fast = (project / "model.bin").stat().st_mode
    state = State(str(project / ".dvc/tmp"))  # the state db knows the new file and the links table its version
    assert state.peek("model.bin", "md5", stamp_of((project / "model.bin").stat())) == md5(b"v2\n" * 1000)
    assert state.get_dir("", "stagecore:links")["model.bin"][1] == "md5:" + md5(b"v2\n" * 1000)
    back = switch(project, "main")
    assert FAST in back.stderr and (project / "model.bin").read_bytes() == b"v1\n" * 1000
    full = switch(project, "knob", fast=False)  # the reference: same lines, same file, same mode
    assert FAST not in full.stderr and "followed 2 dvc files" in full.stderr
    assert [ln for ln in full.stderr.splitlines() if ln.startswith("M ")] == \
        [ln for ln in fast.stderr.splitlines() if ln.startswith("M ")]
    assert (project / "model.bin").stat().st_mode == mode_fast
    status = ok("status", cwd=project)
    assert "up to date" in status.stdout.lower() or status.stdout.strip() == "", status.stdout


def test_workspace_edit_not_in_cache_falls_back_and_is_kept(project: Path) -> None:
    (project / "model.bin").write_bytes(b"my edit\n")  # not committed to the cache
    proc = switch(project, "knob")
    assert FAST not in proc.stderr
    assert "'model.bin' has changes not committed to the cache: kept, not overwritten" in proc.stderr
    assert (project / "model.bin").read_bytes() == b"my edit\n"
    assert (project / "sub/weights.bin").read_bytes() == b"w2\n"


def test_corrupt_cache_object_falls_back_and_is_refused(project: Path) -> None:
    obj = project / ".dvc/cache/files/md5" / md5(b"v2\n" * 1000)[:2] / md5(b"v2\n" * 1000)[2:]
    os.chmod(obj, 0o644)
    obj.write_bytes(b"v3\n" * 1000)  # same size, wrong content: its stamp no longer trusted
    proc = switch(project, "knob")
    assert FAST not in proc.stderr
    assert "is corrupt" in proc.stderr
    assert (project / "model.bin").read_bytes() == b"v1\n" * 1000


def test_missing_object_falls_back_to_the_full_hook(project: Path) -> None:
    obj = project / ".dvc/cache/files/md5" / md5(b"v2\n" * 1000)[:2] / md5(b"v2\n" * 1000)[2:]
    obj.unlink()
    proc = switch(project, "knob")
    assert FAST not in proc.stderr
    assert "'model.bin': the new version is not in the cache" in proc.stderr
    assert (project / "model.bin").read_bytes() == b"v1\n" * 1000


def test_symlinked_directory_on_the_way_falls_back(project: Path, tmp_path: Path) -> None:
    """git replaces a symlink where it writes a tracked file, so the link is swapped in after
    git moved (hooks off) and before the hook's work: nothing is written through it."""
    head, knob = git("rev-parse", "main", cwd=project).strip(), git("rev-parse", "knob", cwd=project).strip()
    proc = gitp("-c", "core.hooksPath=/dev/null", "checkout", "-q", "knob", cwd=project)
    assert proc.returncode == 0, proc.stderr
    outside = tmp_path / "outside"
    os.rename(project / "sub", outside)
    os.symlink(outside, project / "sub")
    reason, lines = follow_fast(str(project), [head, knob, "1"], clean_env())
    assert reason == "'sub/weights.bin': 'sub' is not a plain directory" and lines == []
    assert (outside / "weights.bin").read_bytes() == b"w1\n"  # nothing written through the link
    assert (project / "model.bin").read_bytes() == b"v1\n" * 1000  # every check before any write


def test_cache_settings_and_git_settings_fall_back(project: Path) -> None:
    head, knob = git("rev-parse", "main", cwd=project).strip(), git("rev-parse", "knob", cwd=project).strip()
    with open(project / ".dvc/config", "a") as fobj:
        fobj.write("[cache]\n    type = copy\n")
    assert follow_fast(str(project), [head, knob, "1"], clean_env())[0] == f"cache settings in {project}/.dvc/config"
    git("checkout", "-q", ".dvc/config", cwd=project)
    git("config", "stagecore.fetch", "false", cwd=project)
    assert follow_fast(str(project), [head, knob, "1"], clean_env())[0] == "stagecore.* git settings"
    git("config", "--unset", "stagecore.fetch", cwd=project)
    assert follow_fast(str(project), [head, knob, "0"], clean_env())[0] == "not a branch switch"
    assert follow_fast(str(project), [head, head, "1"], clean_env())[0] == "not a branch switch"
    (project / ".git/MERGE_HEAD").write_text(knob + "\n")
    assert follow_fast(str(project), [head, knob, "1"], clean_env())[0] == "git operation in progress"


def test_held_lock_and_killed_writer_fall_back(project: Path) -> None:
    head, knob = git("rev-parse", "main", cwd=project).strip(), git("rev-parse", "knob", cwd=project).strip()
    lock = project / ".dvc/tmp/lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert follow_fast(str(project), [head, knob, "1"], clean_env())[0] == "the repository lock is held"
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    lock.write_text(" 999999999 stagecore\n")  # a stagecore writer killed while holding it
    assert follow_fast(str(project), [head, knob, "1"], clean_env())[0] == "a killed writer left the lock"
    assert lock.read_text() == " 999999999 stagecore\n"  # left for the full hook's recovery
    assert (project / "model.bin").read_bytes() == b"v1\n" * 1000


def test_pipeline_and_directory_changes_fall_back(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    (repo / "data").mkdir()
    (repo / "data/a.txt").write_text("a1\n")
    ok("add", "-q", "data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "d1", "--no-verify", cwd=repo)
    git("checkout", "-qb", "other", cwd=repo)
    (repo / "data/a.txt").write_text("a2\n")
    ok("add", "-q", "data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "d2", "--no-verify", cwd=repo)
    proc = switch(repo, "main")
    assert FAST not in proc.stderr and "M       data/" in proc.stderr
    assert (repo / "data/a.txt").read_text() == "a1\n"


@pytest.mark.parametrize("text", [
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  hash: md5\n  path: x.bin\n  isexec: true\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 3\n  nfiles: 1\n  hash: md5\n  path: d\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  path: x.bin\n",  # legacy md5-dos2unix
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: ../x.bin\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: .git/x\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: 'x.bin'\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: x.bin\n- md5: "
    "0123456789abcdef0123456789abcdef\n  hash: md5\n  path: y.bin\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: x.bin\n  path: y.bin\n",
    "md5: 0123\nouts:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: x.bin\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\r\n  hash: md5\r\n  path: x.bin\r\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: 1e3\n",  # YAML: a float
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: true\n",
    "outs:\n- md5: 0123456789ABCDEF0123456789abcdef\n  hash: md5\n  path: x.bin\n",
    "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  hash: md5\n  path: d\u00e9j\u00e0.bin\n",
])
def test_reader_takes_only_the_plain_one_file_form(text: str) -> None:
    assert _read_dvcfile("x.bin.dvc", text.encode()) is None


def test_reader_reads_the_plain_form_relative_to_its_dvc_file() -> None:
    out = _read_dvcfile("sub/w.bin.dvc", b"outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n"
                                          b"  hash: md5\n  path: w.bin\n")
    assert out is not None and (out.path, out.md5, out.size) == ("sub/w.bin", "0123456789abcdef0123456789abcdef", 3)


def test_state_answers_one_row_without_loading_and_keeps_puts_made_before_loading(tmp_path: Path) -> None:
    state = State(str(tmp_path))
    state.put("a", "md5", (1, 2, 3), "x" * 32)
    state.trust_object("/obj", (4, 5, 6))
    state.flush()
    fresh = State(str(tmp_path))
    assert fresh.peek("a", "md5", (1, 2, 3)) == "x" * 32 and fresh.peek("a", "md5", (1, 2, 4)) is None
    assert fresh.peek_object("/obj", (4, 5, 6)) and not fresh.peek_object("/obj", (4, 5, 7))
    assert fresh._rows is None and fresh._objects is None  # nothing loaded in bulk
    fresh.put("b", "md5", (7, 8, 9), "y" * 32)  # put before the table is loaded ...
    fresh.trust_object("/obj2", (1, 1, 1))
    assert fresh.get("b", "md5", (7, 8, 9)) == "y" * 32  # ... is seen once it is
    assert fresh.get("a", "md5", (1, 2, 3)) == "x" * 32
    assert fresh.object_trusted("/obj2", (1, 1, 1)) and fresh.object_trusted("/obj", (4, 5, 6))


def test_params_cache_sees_a_rewrite_that_keeps_size_and_mtime(tmp_path: Path) -> None:
    from stagecore.files.params import read_params

    path = tmp_path / "params.yaml"
    path.write_text("lr: 1\n")
    assert read_params(str(tmp_path), "params.yaml") == {"lr": 1}
    st = path.stat()
    with open(path, "r+") as fobj:  # same inode, same size, mtime set back (`touch -r`): only the ctime moved
        fobj.write("lr: 2\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_size == st.st_size
    assert read_params(str(tmp_path), "params.yaml") == {"lr": 2}


def test_directory_checkout_snapshot_uses_ctime_and_commit_copies_only_new_content(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    ok("init", "-q", cwd=repo)
    (repo / "data").mkdir()
    for i in range(80):  # above the 64 objects where the cache is listed rather than stat'ed
        (repo / f"data/f{i:02d}.txt").write_text(f"file {i}\n")
    ok("add", "-q", "data", cwd=repo)
    cache = repo / ".dvc/cache/files/md5"
    before = {p: p.stat().st_ino for p in cache.rglob("*") if p.is_file()}
    (repo / "data/f07.txt").write_text("changed\n")
    ok("commit", "-f", "-q", "data.dvc", cwd=repo)
    after = {p: p.stat().st_ino for p in cache.rglob("*") if p.is_file()}
    new = set(after) - set(before)
    assert {p.name for p in new} == {md5(b"changed\n")[2:], *(p.name for p in new if p.name.endswith(".dir"))}
    assert len(new) == 2 and all(after[p] == ino for p, ino in before.items())  # one file + one manifest
    (repo / "data/f07.txt").unlink()
    ok("checkout", "-q", "data.dvc", cwd=repo)
    state = State(str(repo / ".dvc/tmp"))
    row = state.get_dir("data", "md5")["f07.txt"]
    st = (repo / "data/f07.txt").stat()
    assert row[1] == md5(b"changed\n") and row[0] in (None, stamp_of(st))  # ctime stamp, or none while racy
    with open(repo / "data/f07.txt", "r+") as fobj:  # same size, mtime set back: status still sees it
        fobj.write("chonged\n")
    os.utime(repo / "data/f07.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    proc = subprocess.run([*_cli(), "status"], cwd=repo, capture_output=True, text=True, env=clean_env())
    assert "modified" in proc.stdout, proc.stdout + proc.stderr


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "stagecore"]


def test_dvc_file_of_a_nested_project_falls_back(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    ok("init", "-q", cwd=repo)
    (repo / "sub/.dvc").mkdir(parents=True)
    (repo / "sub/.dvc/config").write_text("")
    text = "outs:\n- md5: {}\n  size: 2\n  hash: md5\n  path: x.bin\n"
    (repo / "sub/x.bin.dvc").write_text(text.format(md5(b"1\n")))
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "one", "--no-verify", cwd=repo)
    (repo / "sub/x.bin.dvc").write_text(text.format(md5(b"2\n")))
    git("commit", "-qam", "two", "--no-verify", cwd=repo)
    one, two = git("rev-parse", "HEAD~1", cwd=repo).strip(), git("rev-parse", "HEAD", cwd=repo).strip()
    assert follow_fast(str(repo), [one, two, "1"], clean_env()) == ("a nested project's dvc file changed", [])
    git("rm", "-q", "-r", "--cached", "sub/.dvc", cwd=repo)  # no nested project on either side any more:
    git("commit", "-qm", "three", "--no-verify", cwd=repo)  # the file is the root project's
    (repo / "sub/.dvc/config").unlink()
    (repo / "sub/.dvc").rmdir()
    (repo / "sub/x.bin.dvc").write_text(text.format(md5(b"3\n")))
    git("commit", "-qam", "four", "--no-verify", cwd=repo)
    three, four = git("rev-parse", "HEAD~1", cwd=repo).strip(), git("rev-parse", "HEAD", cwd=repo).strip()
    reason, _ = follow_fast(str(repo), [three, four, "1"], clean_env())
    assert reason == "'sub/x.bin': the new version is not in the cache"  # past the nested check


def test_merge_that_brings_a_new_version_takes_the_fast_path(project: Path) -> None:
    proc = gitp("merge", "-q", "--ff-only", "knob", cwd=project, extra={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "stagecore trace post-merge: followed (fast path)" in proc.stderr
    assert "M       model.bin\nM       sub/weights.bin\n" in proc.stderr
    assert (project / "model.bin").read_bytes() == b"v2\n" * 1000
    assert (project / "sub/weights.bin").read_bytes() == b"w2\n"
