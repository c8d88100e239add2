"""Bad input: one clear line naming the file and the fix, a documented exit code, no traceback,
and nothing written or lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run_cli


@pytest.fixture
def repo(git_repo: Path) -> Path:
    assert run_cli("init", "-q", cwd=git_repo).returncode == 0
    (git_repo / "a.txt").write_text("a\n")
    assert run_cli("add", "a.txt", cwd=git_repo).returncode == 0
    return git_repo


def fails(proc, code: int, *needles: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ERROR: ")
    for needle in needles:
        assert needle in proc.stderr


def test_malformed_yaml_in_dvc_file(repo):
    (repo / "bad.dvc").write_text("outs:\n- md5: [x\n")
    before = (repo / "a.txt.dvc").read_bytes()
    fails(run_cli("status", cwd=repo), 1, "'bad.dvc' is invalid YAML", "line 3")
    fails(run_cli("commit", cwd=repo), 1, "'bad.dvc'")
    assert (repo / "a.txt.dvc").read_bytes() == before


def test_schema_error_in_dvc_file(repo):
    (repo / "bad.dvc").write_text("outs:\n- md5: abc\n  path: x\nbogus: 1\n")
    fails(run_cli("status", cwd=repo), 1, "'bad.dvc' validation failed: extra keys not allowed, in bogus")
    (repo / "bad.dvc").write_text("outs:\n- size: 3\n")
    fails(run_cli("status", cwd=repo), 1, "required key not provided", "path")


def test_undecodable_dvc_file(repo):
    (repo / "bin.dvc").write_bytes(b"\xff\xfe\x00garbage")
    fails(run_cli("status", cwd=repo), 1, "'bin.dvc' cannot be read")


def test_malformed_config(repo):
    (repo / ".dvc/config").write_text("[core\nremote\n")
    fails(run_cli("status", cwd=repo), 251, ".dvc/config' cannot be parsed", "hint:")
    (repo / ".dvc/config").write_text("[core]\n    bogus = 1\n")
    fails(run_cli("status", cwd=repo), 251, "extra keys not allowed @ data['core']['bogus']")


def test_unknown_target(repo):
    fails(run_cli("status", "nope.dvc", cwd=repo), 1, "'nope.dvc' does not exist or is not tracked", "hint:")
    fails(run_cli("checkout", "nope", cwd=repo), 255, "Did you mean `git checkout nope`?", "'nope'")  # DVC: 255


def test_not_inside_a_repository(tmp_path):
    fails(run_cli("status", cwd=tmp_path), 253, "not inside of a DVC repository", "stagecore init")


def test_unknown_command_and_flag(repo):
    proc = run_cli("frobnicate", cwd=repo)
    assert proc.returncode == 254 and "invalid choice" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("status", "--bogus", cwd=repo)
    assert proc.returncode == 254


def test_output_escaping_repository_is_refused(repo):
    (repo / "esc.dvc").write_text("outs:\n- md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  path: ../../etc/evil\n")
    fails(run_cli("checkout", cwd=repo), 1, "'esc.dvc' has an output that leaves the repository")
    assert not (repo.parent.parent / "etc").exists()


def test_output_behind_symlink_leaving_repository_is_refused(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, repo / "link")
    (repo / "link.dvc").unlink(missing_ok=True)
    md5 = "60b725f10c9c85c70d97880dfe8191b3"  # md5("a\n"), in the cache
    (repo / "x.dvc").write_text(f"outs:\n- md5: {md5}\n  size: 2\n  hash: md5\n  path: link/stolen.txt\n")
    fails(run_cli("checkout", "x.dvc", cwd=repo), 1, "output 'link/stolen.txt'", "leads outside the work tree")
    assert list(outside.iterdir()) == []


def test_corrupt_manifest_in_cache_is_reported(repo):
    (repo / "d").mkdir()
    (repo / "d/f.txt").write_text("f\n")
    assert run_cli("add", "d", cwd=repo).returncode == 0
    md5 = [ln for ln in (repo / "d.dvc").read_text().splitlines() if "md5:" in ln][0].split()[-1]
    obj = repo / ".dvc/cache/files/md5" / md5[:2] / md5[2:]
    obj.chmod(0o644)
    obj.write_text('[{"md5": "x", "relpath": "../../escape"}]')
    import shutil

    shutil.rmtree(repo / "d")
    (repo / "a.txt").unlink()
    fails(run_cli("checkout", cwd=repo), 1, f"cache object '{obj}' is corrupt", "fsck --repair")
    assert not (repo.parent / "escape").exists()
    assert not (repo / "d").exists()
    assert (repo / "a.txt").read_text() == "a\n"  # the other outputs are still checked out


def test_revision_flags_without_git(tmp_path):
    assert run_cli("init", "--no-scm", "-q", cwd=tmp_path).returncode == 0
    (tmp_path / "a.txt").write_text("a\n")
    assert run_cli("add", "a.txt", cwd=tmp_path).returncode == 0
    fails(run_cli("gc", "-a", "-f", cwd=tmp_path), 1, "this repository has no git", "hint:")
    fails(run_cli("push", "-a", cwd=tmp_path), 1, "this repository has no git")


def test_huge_dvc_file_is_refused_without_reading_it_whole(repo):
    with open(repo / "huge.dvc", "w") as fobj:  # 17 MiB of comment: small in git, costly to parse
        fobj.write("#" * (17 * 1024 * 1024))
    fails(run_cli("status", cwd=repo), 1, "'huge.dvc' is larger than 16,777,216 characters")
