"""The pre-commit snapshot leaves git-tracked dependencies to git's index (stagecore.fastpath.snapshot_tracked).

A stage whose dependency `src/` is tracked by git: the snapshot holds the signature of the
directory but not of its files (the index entries decide), and each case is still judged as the
full check judges it, through real `git commit` with the installed hooks.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, clean_env, git
from tests.test_fast_path import SNAP, commit, full_check, warm

DVC_YAML = """stages:
  train:
    cmd: cat src/a.txt src/b.txt > out.txt
    deps:
    - src
    outs:
    - out.txt
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tracked") / "template"
    env = clean_env({"HOME": str(root.parent / "home"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                     "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "PYTHONPATH": str(REPO_ROOT)})

    def run(*argv: str) -> None:
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    root.mkdir()
    run("git", "init", "-q", "-b", "main")
    run(sys.executable, "-m", "stagecore", "init", "-q")
    (root / "src" / "sub").mkdir(parents=True)
    for rel, text in (("src/a.txt", "alpha\n"), ("src/b.txt", "bravo\n"), ("src/sub/c.txt", "charlie\n")):
        (root / rel).write_text(text, encoding="utf-8")
    (root / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    (root / "notes.txt").write_text("notes\n", encoding="utf-8")
    run(sys.executable, "-m", "stagecore", "repro", "-q")
    run(sys.executable, "-m", "stagecore", "install")
    run("git", "add", "-A")
    run("git", "commit", "-q", "--no-verify", "-m", "base")
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    warm(root)
    return root


def recorded(repo: Path) -> set[str]:
    snap = marshal.loads((repo / SNAP).read_bytes())
    return {os.path.relpath(os.path.join(top, name), repo) for top, names, _ in snap["groups"] for name in names}


def test_tracked_dependency_files_are_left_to_the_index(repo: Path) -> None:
    paths = recorded(repo)
    assert {"src", "src/sub", "out.txt", "dvc.yaml", "dvc.lock"} <= paths
    assert not {"src/a.txt", "src/b.txt", "src/sub/c.txt"} & paths


def test_unstaged_edit_passes_as_the_full_check_does(repo: Path) -> None:
    # the commit holds the staged copy: nothing to judge. (An edit that also restores size and
    # mtime is invisible to git itself, which then commits the staged copy while the full check
    # measures the work tree: not a case either check can judge from the index.)
    (repo / "src" / "a.txt").write_text("ALPHA, edited\n", encoding="utf-8")
    fast = commit(repo)
    assert (fast.returncode, "passed (snapshot)" in fast.stderr) == (0, True), fast.stderr
    full = commit(repo, env={"STAGECORE_FASTPATH": "0"})
    assert full.returncode == 0 and "stagecore trace pre-commit: passed;" in full.stderr, full.stderr


def test_staged_edit_or_index_only_change_is_refused(repo: Path) -> None:
    (repo / "src" / "b.txt").write_text("BRAVO\n", encoding="utf-8")
    git("add", "src/b.txt", cwd=repo)
    proc = commit(repo)
    assert proc.returncode == 1
    assert "stage 'train' is not up to date (changed deps: src)" in full_check(proc)
    git("checkout", "-q", "HEAD", "--", "src/b.txt", cwd=repo)
    warm(repo)
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input="other\n", text=True,
                          capture_output=True, env=clean_env(), check=True).stdout.strip()
    git("update-index", "--cacheinfo", f"100644,{blob},src/sub/c.txt", cwd=repo)  # the work tree untouched
    proc = commit(repo)
    assert proc.returncode == 1
    assert "changed deps: src" in full_check(proc)


def test_new_file_below_the_dependency_is_seen(repo: Path) -> None:
    (repo / "src" / "sub" / "d.txt").write_text("delta\n", encoding="utf-8")
    git("add", "src/sub/d.txt", cwd=repo)
    proc = commit(repo)
    assert proc.returncode == 1
    assert "changed deps: src" in full_check(proc)


def test_untracked_file_or_dvcignore_keeps_every_stat(repo: Path) -> None:
    (repo / "src" / "scratch.txt").write_text("local\n", encoding="utf-8")  # untracked below the dependency
    warm(repo)  # the full check passes (the commit holds what git has), then answers from a new snapshot
    assert {"src/a.txt", "src/scratch.txt"} <= recorded(repo)
    (repo / "src" / "scratch.txt").unlink()
    (repo / ".dvcignore").write_text("*.tmp\n", encoding="utf-8")
    git("add", ".dvcignore", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", "ignore", cwd=repo)
    warm(repo)
    assert "src/a.txt" in recorded(repo)
