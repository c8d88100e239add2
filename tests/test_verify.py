"""`stagecore verify`: the CI twin of the gate, on a revision, without a checkout."""

from __future__ import annotations

import json

import pytest

from tests.helpers import git, run_cli


def ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def project(git_repo, tmp_path):
    repo = git_repo
    ok("init", "-q", cwd=repo)
    ok("remote", "add", "-d", "store", str(tmp_path / "store"), cwd=repo)
    (repo / "params.yaml").write_text("lr: 0.1\n")
    (repo / "prep.py").write_text('open("out.txt", "w").write(open("in.txt").read().upper())\n')
    (repo / "in.txt").write_text("hello\n")
    ok("add", "in.txt", cwd=repo)
    ok("run", "-n", "prep", "-d", "prep.py", "-d", "in.txt", "-p", "lr", "-o", "out.txt", "python3 prep.py", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "one", cwd=repo)
    return repo


def test_verify_reports_data_missing_on_remote_then_passes(project):
    proc = run_cli("verify", cwd=project)
    assert proc.returncode == 1
    assert "missing on remote 'store':" in proc.stdout and "in.txt" in proc.stdout and "out.txt" in proc.stdout
    ok("push", cwd=project)
    report = json.loads(ok("verify", "--json", cwd=project).stdout)
    assert report["ok"] is True and report["stages"] == {} and report["remote"] == "store"


def test_verify_finds_stale_stage_at_revision_without_checkout(project):
    ok("push", cwd=project)
    (project / "prep.py").write_text("# changed without repro\n")
    (project / "params.yaml").write_text("lr: 0.2\n")
    git("commit", "-qam", "stale", cwd=project)
    git("checkout", "-q", "HEAD~1", "--", ".", cwd=project)  # the work tree is consistent again
    proc = run_cli("verify", "--json", cwd=project)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["stages"] == {"prep": [{"changed deps": {"prep.py": "modified",
                                                            "params.yaml": {"lr": "modified"}}}]}
    assert ok("verify", "--rev", "HEAD~1", cwd=project).stdout.endswith("its data is on remote 'store'.\n")


def test_verify_unknown_revision(project):
    proc = run_cli("verify", "--rev", "nope", cwd=project)
    assert proc.returncode == 1 and "unknown revision 'nope'" in proc.stderr and "Traceback" not in proc.stderr
