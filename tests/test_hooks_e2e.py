"""The hooks through real git: installed shims, real commits, checkouts, merges, rebases,
worktrees, clones and pushes to a bare repository. Every test asserts exit code and message."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_cli


def ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def gitp(*args, cwd, input=None):  # noqa: A002
    """git that may fail: the CompletedProcess, for asserting exit codes and hook messages."""
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, input=input)


def obj(root: Path, content: str) -> Path:
    md5 = hashlib.md5(content.encode()).hexdigest()
    return root / "files/md5" / md5[:2] / md5[2:]


@pytest.fixture
def env(tmp_path):
    """A project with hooks installed, a data remote and a bare git remote."""
    repo, bare, store = tmp_path / "repo", tmp_path / "origin.git", tmp_path / "store"
    repo.mkdir()
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {store}\n")
    ok("install", cwd=repo)
    (repo / "data.txt").write_text("main data\n")
    ok("add", "data.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    proc = gitp("commit", "-qm", "main data", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    git("remote", "add", "origin", str(bare), cwd=repo)
    return repo, bare, store


def branch_with(repo: Path, branch: str, content: str) -> None:
    git("checkout", "-qb", branch, cwd=repo)
    (repo / "data.txt").write_text(content)
    ok("commit", "-f", cwd=repo)
    proc = gitp("commit", "-qam", f"{branch} data", cwd=repo)
    assert proc.returncode == 0, proc.stderr


def test_commit_refused_with_uncommitted_data_then_fixed(env):
    repo, _, _ = env
    (repo / "data.txt").write_text("edited\n")
    (repo / "notes.md").write_text("n\n")
    git("add", "notes.md", cwd=repo)
    proc = gitp("commit", "-m", "notes", cwd=repo)
    assert proc.returncode == 1
    assert "commit refused" in proc.stderr
    assert "'data.txt' was modified but not committed to the cache" in proc.stderr
    assert "hint: stagecore commit -f data.txt.dvc" in proc.stderr
    ok("commit", "-f", cwd=repo)
    proc = gitp("commit", "-m", "notes", cwd=repo)  # data.txt.dvc changed but is not staged
    assert proc.returncode == 1 and "'data.txt.dvc' changed but the change is not staged" in proc.stderr
    assert "git add data.txt.dvc" in proc.stderr
    git("add", "data.txt.dvc", cwd=repo)
    proc = gitp("commit", "-m", "notes", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    proc = gitp("commit", "--allow-empty", "--no-verify", "-m", "escape hatch", cwd=repo)
    assert proc.returncode == 0


def test_policy_warn_lets_commit_through(env):
    repo, _, _ = env
    git("config", "stagecore.precommit", "warn", cwd=repo)
    (repo / "data.txt").write_text("edited\n")
    proc = gitp("commit", "--allow-empty", "-m", "x", cwd=repo)
    assert proc.returncode == 0 and "warning" in proc.stderr and "data.txt" in proc.stderr


def test_branch_switch_swaps_data_and_keeps_modified_output(env):
    repo, _, _ = env
    branch_with(repo, "feature", "feature data\n")
    proc = gitp("checkout", "main", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "data.txt").read_text() == "main data\n"
    gitp("switch", "feature", cwd=repo)
    assert (repo / "data.txt").read_text() == "feature data\n"
    (repo / "data.txt").write_text("unsaved experiment\n")
    proc = gitp("checkout", "main", cwd=repo)
    assert proc.returncode == 0
    assert "kept, not overwritten" in proc.stderr
    assert (repo / "data.txt").read_text() == "unsaved experiment\n"


def test_skip_variable_disables_post_checkout(env):
    repo, _, _ = env
    branch_with(repo, "feature", "feature data\n")
    proc = subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, capture_output=True, text=True,
                          env=clean_env({"STAGECORE_SKIP_HOOKS": "post-checkout"}))
    assert proc.returncode == 0
    assert (repo / "data.txt").read_text() == "feature data\n"


def test_push_of_other_branch_pushes_that_branchs_data(env):
    repo, bare, store = env
    branch_with(repo, "feature", "feature data\n")
    gitp("checkout", "-q", "main", cwd=repo)
    proc = gitp("push", "-q", "origin", "feature", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert obj(store, "feature data\n").exists()
    assert obj(store, "main data\n").exists()  # main's commit is an ancestor of feature: pushed too
    git("checkout", "-qb", "other", "main", cwd=repo)
    (repo / "data.txt").write_text("other data\n")
    ok("commit", "-f", cwd=repo)
    gitp("commit", "-qam", "other", cwd=repo)
    gitp("checkout", "-q", "feature", cwd=repo)
    assert not obj(store, "other data\n").exists()


def test_push_two_branches_at_once(env):
    repo, _, store = env
    branch_with(repo, "b1", "b1 data\n")
    gitp("checkout", "-q", "main", cwd=repo)
    branch_with(repo, "b2", "b2 data\n")
    proc = gitp("push", "-q", "origin", "b1", "b2", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert obj(store, "b1 data\n").exists() and obj(store, "b2 data\n").exists()


def test_push_refused_when_data_missing_everywhere(env):
    repo, bare, store = env
    o = obj(repo / ".dvc/cache", "main data\n")
    o.chmod(0o644)
    o.unlink()
    proc = gitp("push", "origin", "main", cwd=repo)
    assert proc.returncode != 0
    assert "refused" in proc.stderr and "data.txt" in proc.stderr and "hint:" in proc.stderr
    assert gitp("rev-parse", "--verify", "-q", "refs/heads/main", cwd=bare).returncode != 0
    git("config", "stagecore.allowIncompletePush", "true", cwd=repo)
    proc = gitp("push", "origin", "main", cwd=repo)
    assert proc.returncode == 0, proc.stderr


def test_checkout_fetches_data_only_on_the_remote(env):
    repo, _, store = env
    first = git("rev-parse", "HEAD", cwd=repo).strip()
    branch_with(repo, "feature", "feature data\n")
    assert gitp("push", "-q", "origin", "main", "feature", cwd=repo).returncode == 0
    gitp("checkout", "-q", "main", cwd=repo)
    o = obj(repo / ".dvc/cache", "feature data\n")
    o.chmod(0o644)
    o.unlink()
    proc = gitp("checkout", "feature", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "data.txt").read_text() == "feature data\n"
    assert o.exists()
    assert first


def test_clone_gets_its_data_through_the_hook(env, tmp_path):
    repo, bare, store = env
    assert gitp("push", "-q", "origin", "main", cwd=repo).returncode == 0
    hooks = repo / ".git/hooks"
    clone = tmp_path / "clone"
    proc = subprocess.run(["git", "-c", f"core.hooksPath={hooks}", "clone", "-q", str(bare), str(clone)],
                          cwd=tmp_path, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (clone / "data.txt").read_text() == "main data\n"


def test_pull_merge_and_rebase_follow(env, tmp_path):
    repo, bare, store = env
    assert gitp("push", "-q", "origin", "main", cwd=repo).returncode == 0
    other = tmp_path / "other"
    git("clone", "-q", str(bare), str(other), cwd=tmp_path)
    ok("install", cwd=other)
    ok("pull", cwd=other)
    (other / "data.txt").write_text("teammate data\n")
    ok("commit", "-f", cwd=other)
    assert gitp("commit", "-qam", "teammate", cwd=other).returncode == 0
    assert gitp("push", "-q", "origin", "main", cwd=other).returncode == 0
    proc = gitp("pull", "-q", "--no-rebase", "origin", "main", cwd=repo)  # fast-forward: post-merge
    assert proc.returncode == 0, proc.stderr
    assert (repo / "data.txt").read_text() == "teammate data\n"
    # a local commit rebased onto a new upstream data version: post-rewrite
    (repo / "notes.md").write_text("mine\n")
    git("add", "notes.md", cwd=repo)
    assert gitp("commit", "-qm", "notes", cwd=repo).returncode == 0
    (other / "data.txt").write_text("third version\n")
    ok("commit", "-f", cwd=other)
    assert gitp("commit", "-qam", "third", cwd=other).returncode == 0
    assert gitp("push", "-q", "origin", "main", cwd=other).returncode == 0
    proc = gitp("pull", "-q", "--rebase", "origin", "main", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "data.txt").read_text() == "third version\n"


def test_worktree_add_checks_out_data(env, tmp_path):
    repo, _, _ = env
    branch_with(repo, "feature", "feature data\n")
    gitp("checkout", "-q", "main", cwd=repo)
    wt = tmp_path / "wt"
    proc = gitp("worktree", "add", "-q", str(wt), "feature", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (wt / "data.txt").read_text() == "feature data\n"


def test_hooks_path_and_foreign_hook_keep_working(tmp_path):
    repo = tmp_path / "hp"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    hooks = tmp_path / "shared-hooks"
    hooks.mkdir()
    marker = tmp_path / "foreign-ran"
    (hooks / "pre-commit").write_text(f"#!/bin/sh\necho ran >> {marker}\n")
    (hooks / "pre-commit").chmod(0o755)
    git("config", "core.hooksPath", str(hooks), cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    assert (hooks / "pre-commit.legacy").exists()
    (repo / "d.txt").write_text("d\n")
    ok("add", "d.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    assert gitp("commit", "-qm", "ok", cwd=repo).returncode == 0
    assert marker.read_text() == "ran\n"
    (repo / "d.txt").write_text("changed\n")
    proc = gitp("commit", "--allow-empty", "-m", "refused", cwd=repo)
    assert proc.returncode == 1 and "d.txt" in proc.stderr
    assert marker.read_text() == "ran\nran\n"


def test_nothing_to_do_hook_is_fast_path(env):
    """An unrelated commit goes through the hook without importing pygit2 (no dvc changes)."""
    repo, _, _ = env
    (repo / "README").write_text("r\n")
    git("add", "README", cwd=repo)
    proc = subprocess.run(["git", "commit", "-qm", "readme"], cwd=repo, capture_output=True, text=True,
                          env=clean_env({"STAGECORE_TRACE": "1"}))
    assert proc.returncode == 0, proc.stderr
    assert "pre-commit" in proc.stderr
    assert os.path.exists(repo / "README")


def test_gate_judges_staged_content_of_git_tracked_deps(env):
    repo, _, _ = env
    (repo / "train.py").write_text("print('v1')\n")
    git("add", "train.py", cwd=repo)
    ok("run", "-n", "train", "-d", "train.py", "-o", "model.txt", "python3 train.py > model.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    assert gitp("commit", "-qm", "stage", cwd=repo).returncode == 0
    (repo / "train.py").write_text("print('v2, not staged')\n")
    (repo / "notes.md").write_text("n\n")
    git("add", "notes.md", cwd=repo)
    proc = gitp("commit", "-qm", "notes only", cwd=repo)  # the commit holds train.py v1: up to date
    assert proc.returncode == 0, proc.stderr
    git("add", "train.py", cwd=repo)
    proc = gitp("commit", "-m", "staged change", cwd=repo)
    assert proc.returncode == 1
    assert "stage 'train' is not up to date (changed deps: train.py)" in proc.stderr
    assert "hint: stagecore repro train" in proc.stderr
    git("reset", "-q", "train.py", cwd=repo)
    proc = gitp("commit", "-a", "-m", "commit -a takes the change", cwd=repo)  # a temporary index
    assert proc.returncode == 1 and "changed deps: train.py" in proc.stderr
