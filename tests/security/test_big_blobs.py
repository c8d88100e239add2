"""A dvc file or params file that is huge in git (a blob of zeros compresses to almost nothing)
is refused by its size before it is inflated: in the hooks and in `params diff`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, run_cli

HUGE = 17 * 1024 * 1024  # past the 16 MiB bound of a dvc or params file


def _repo(git_repo: Path) -> Path:
    assert run_cli("init", cwd=git_repo).returncode == 0
    (git_repo / "params.yaml").write_text("lr: 1\n")
    (git_repo / "a.txt").write_text("a\n")
    assert run_cli("add", "a.txt", cwd=git_repo).returncode == 0
    git("add", "-A", cwd=git_repo)
    git("commit", "-qm", "base", cwd=git_repo)
    return git_repo


def test_post_checkout_refuses_a_huge_dvc_file_in_one_line(git_repo: Path) -> None:
    repo = _repo(git_repo)
    assert run_cli("install", cwd=repo).returncode == 0
    git("checkout", "-qb", "attack", cwd=repo)
    (repo / "b.txt.dvc").write_bytes(b"#" * HUGE)
    git("add", "b.txt.dvc", cwd=repo)
    git("commit", "-qm", "huge", "--no-verify", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    proc = __import__("subprocess").run(["git", "checkout", "attack"], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "b.txt.dvc" in ln]
    assert len(lines) == 1 and "larger than 16,777,216" in lines[0], proc.stderr


def test_params_diff_refuses_a_huge_params_blob(git_repo: Path) -> None:
    repo = _repo(git_repo)
    (repo / "params.yaml").write_bytes(b"#" * HUGE)
    git("commit", "-qam", "huge params", "--no-verify", cwd=repo)
    (repo / "params.yaml").write_text("lr: 2\n")
    proc = run_cli("params", "diff", "HEAD", cwd=repo)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ERROR: ") and "'params.yaml' is 17,825,792 bytes in git" in proc.stderr
