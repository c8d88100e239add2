"""The engine behind the hooks, called as a library on real git repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pygit2
import pytest

from stagecore.ops.hookwork import follow, gate, push_commits
from stagecore.repo import Repo
from stagecore.scm.history import changed_dvc_files
from tests.helpers import git, run_cli


def ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def repo(git_repo: Path, tmp_path: Path) -> Path:
    ok("init", "-q", cwd=git_repo)
    (git_repo / "data.txt").write_text("v1\n")
    ok("add", "data.txt", cwd=git_repo)
    (git_repo / ".dvc/config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'remote'}\n")
    git("add", "-A", cwd=git_repo)
    git("commit", "-qm", "v1", cwd=git_repo)
    return git_repo


def drop_object(repo: Path, content: str) -> None:
    import hashlib

    md5 = hashlib.md5(content.encode()).hexdigest()
    (repo / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).unlink()


def messages(findings):
    return [f.message for f in findings]


def test_gate_passes_clean_repo(repo):
    with Repo(str(repo)) as r:
        assert gate(r, None, lambda: pygit2.Repository(str(repo))) == []


def test_gate_refuses_data_modified_but_not_committed(repo):
    (repo / "data.txt").write_text("v2\n")
    with Repo(str(repo)) as r:
        findings = gate(r, None, lambda: pygit2.Repository(str(repo)))
    assert [(f.message, f.hint, f.blocking) for f in findings] == [
        ("'data.txt' was modified but not committed to the cache", "stagecore commit -f data.txt.dvc", True)]


def test_gate_refuses_object_missing_from_cache(repo):
    shutil.rmtree(repo / ".dvc/cache")
    with Repo(str(repo)) as r:
        findings = gate(r, None, lambda: pygit2.Repository(str(repo)))
    assert len(findings) == 1 and findings[0].blocking
    assert "not in the cache" in findings[0].message


def test_gate_deleted_workspace_data_does_not_block(repo):
    (repo / "data.txt").unlink()
    with Repo(str(repo)) as r:
        findings = gate(r, None, lambda: pygit2.Repository(str(repo)))
    assert len(findings) == 1 and not findings[0].blocking


def test_follow_checks_out_changed_outputs_and_fetches(repo):
    ok("push", cwd=repo)
    first = git("rev-parse", "HEAD", cwd=repo).strip()
    (repo / "data.txt").write_text("v2\n")
    ok("commit", "-f", cwd=repo)
    ok("push", cwd=repo)
    git("commit", "-qam", "v2", cwd=repo)
    second = git("rev-parse", "HEAD", cwd=repo).strip()
    git("checkout", "-q", first, cwd=repo)
    drop_object(repo, "v1\n")  # v1 only on the remote now
    g = pygit2.Repository(str(repo))
    with Repo(str(repo)) as r:
        assert follow(r, changed_dvc_files(g, second, first), fetch=True, data_remote=None) == []
    assert (repo / "data.txt").read_text() == "v1\n"
    with Repo(str(repo)) as r:  # without fetching, a missing version leaves the old file in place
        git("checkout", "-q", second, cwd=repo)
        drop_object(repo, "v2\n")
        findings = follow(r, changed_dvc_files(g, first, second), fetch=False, data_remote=None)
    assert "previous version was left in place" in findings[0].message and "on the data remote" in findings[0].message
    assert (repo / "data.txt").read_text() == "v1\n"


def test_follow_keeps_modified_output(repo):
    first = git("rev-parse", "HEAD", cwd=repo).strip()
    (repo / "data.txt").write_text("v2\n")
    ok("commit", "-f", cwd=repo)
    git("commit", "-qam", "v2", cwd=repo)
    second = git("rev-parse", "HEAD", cwd=repo).strip()
    (repo / "data.txt").write_text("unsaved work\n")
    git("checkout", "-q", first, cwd=repo)
    g = pygit2.Repository(str(repo))
    with Repo(str(repo)) as r:
        findings = follow(r, changed_dvc_files(g, second, first), fetch=False, data_remote=None)
    assert "kept, not overwritten" in findings[0].message
    assert (repo / "data.txt").read_text() == "unsaved work\n"


def test_push_commits_uploads_exactly_their_data(repo, tmp_path):
    git("checkout", "-qb", "feature", cwd=repo)
    (repo / "data.txt").write_text("feature data\n")
    ok("commit", "-f", cwd=repo)
    git("commit", "-qam", "feature", cwd=repo)
    feature = git("rev-parse", "HEAD", cwd=repo).strip()
    git("checkout", "-q", "main", cwd=repo)
    ok("checkout", "--force", cwd=repo)
    with Repo(str(repo)) as r:
        assert push_commits(r, [feature], data_remote=None, allow_incomplete=False) == []
    import hashlib

    remote = tmp_path / "remote/files/md5"
    pushed = {p.parent.name + p.name for p in remote.glob("*/*")}
    assert pushed == {hashlib.md5(b"feature data\n").hexdigest()}


def test_push_commits_refuses_missing_objects_unless_allowed(repo):
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    shutil.rmtree(repo / ".dvc/cache")
    with Repo(str(repo)) as r:
        findings = push_commits(r, [head], data_remote=None, allow_incomplete=False)
        assert len(findings) == 1 and findings[0].blocking and "data.txt" in findings[0].message
        findings = push_commits(r, [head], data_remote=None, allow_incomplete=True)
        assert len(findings) == 1 and not findings[0].blocking


def test_push_commits_without_remote_warns(repo):
    (repo / ".dvc/config").write_text("")
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    with Repo(str(repo)) as r:
        findings = push_commits(r, [head], data_remote=None, allow_incomplete=False)
    assert len(findings) == 1 and not findings[0].blocking and "no data remote" in findings[0].message
