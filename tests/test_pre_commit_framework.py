"""The same hook behaviours through the real `pre-commit` tool, with this repository as the
hook repository (`repo:` a local path, `rev:` a commit), for pre-commit, post-checkout,
post-merge and pre-push."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, clean_env, git, run_cli


def pre_commit_exe() -> str:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("pre-commit is a test dependency (pip install -e '.[test]')")
    return exe


def sh(*args, cwd, check=True):
    proc = subprocess.run(list(args), cwd=cwd, env=clean_env(), capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc


def test_hooks_through_pre_commit_framework(tmp_path):
    hook_repo = tmp_path / "hookrepo"  # a snapshot of this working tree, committed
    shutil.copytree(REPO_ROOT, hook_repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".venv-dvc", "__pycache__", "*.egg-info", ".pytest_cache", "bench"))
    git("init", "-q", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-qm", "snapshot", cwd=hook_repo)
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()

    repo, bare, store = tmp_path / "work", tmp_path / "origin.git", tmp_path / "store"
    repo.mkdir()
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("init", "-q", cwd=repo)
    assert run_cli("init", "-q", cwd=repo).returncode == 0
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {store}\n")
    (repo / ".pre-commit-config.yaml").write_text(
        "default_install_hook_types: [pre-commit, post-checkout, post-merge, pre-push]\n"
        "repos:\n"
        f"  - repo: {hook_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: stagecore-pre-commit\n"
        "      - id: stagecore-post-checkout\n"
        "      - id: stagecore-post-merge\n"
        "      - id: stagecore-pre-push\n"
    )
    exe = pre_commit_exe()
    sh(exe, "install", cwd=repo)
    sh(exe, "install-hooks", cwd=repo)

    (repo / "data.txt").write_text("main data\n")
    assert run_cli("add", "data.txt", cwd=repo).returncode == 0
    git("add", "-A", cwd=repo)
    sh("git", "commit", "-qm", "main", cwd=repo)

    (repo / "data.txt").write_text("edited\n")
    proc = sh("git", "commit", "--allow-empty", "-m", "refused", cwd=repo, check=False)
    assert proc.returncode == 1
    assert "commit refused" in proc.stdout + proc.stderr
    assert "'data.txt' was modified but not committed to the cache" in proc.stdout + proc.stderr
    (repo / "data.txt").write_text("main data\n")

    sh("git", "checkout", "-qb", "feature", cwd=repo)
    (repo / "data.txt").write_text("feature data\n")
    assert run_cli("commit", "-f", cwd=repo).returncode == 0
    sh("git", "commit", "-qam", "feature", cwd=repo)
    sh("git", "checkout", "-q", "main", cwd=repo)
    assert (repo / "data.txt").read_text() == "main data\n"

    git("remote", "add", "origin", str(bare), cwd=repo)
    sh("git", "push", "-q", "origin", "feature", cwd=repo)
    md5 = hashlib.md5(b"feature data\n").hexdigest()
    assert (store / "files/md5" / md5[:2] / md5[2:]).exists()

    sh("git", "merge", "-q", "--ff-only", "feature", cwd=repo)  # post-merge follows
    assert (repo / "data.txt").read_text() == "feature data\n"
