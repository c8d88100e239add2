"""init / add / status / commit / checkout / remove through the command line, on real git repos."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import git, run_cli


def ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, f"{args}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture
def repo(git_repo: Path) -> Path:
    ok("init", cwd=git_repo)
    return git_repo


def make_images(root: Path) -> None:
    files = {"Z.txt": "Z", "a.txt": "a", "cats-x.txt": "x\n", "cats/1.txt": "1\n", "cats/2.txt": "2\n",
             "dogs/sub/deep.bin": "deep", "with space/f é.txt": "e\n"}
    for rel, text in files.items():
        path = root / "images" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_init_writes_dvc_files_and_stages_them(git_repo):
    proc = ok("init", cwd=git_repo)
    assert "Initialized DVC repository." in proc.stdout
    assert (git_repo / ".dvc/.gitignore").read_text() == "/config.local\n/tmp\n/cache\n"
    assert (git_repo / ".dvc/config").read_text() == ""
    assert (git_repo / ".dvcignore").read_text().startswith("# Add patterns of files dvc should ignore")
    staged = git("status", "--porcelain", cwd=git_repo).splitlines()
    assert sorted(staged) == ["A  .dvc/.gitignore", "A  .dvc/config", "A  .dvcignore"]
    again = run_cli("init", cwd=git_repo)
    assert again.returncode == 1 and "'.dvc' exists" in again.stderr and "-f" in again.stderr


def test_init_outside_git_needs_no_scm(tmp_path):
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 1 and "--no-scm" in proc.stderr
    ok("init", "--no-scm", cwd=tmp_path)
    assert (tmp_path / ".dvc/config").read_text() == "[core]\n    no_scm = True\n"


def test_add_file_and_directory(repo):
    (repo / "data.txt").write_text("hello\n")
    make_images(repo)
    proc = ok("add", "data.txt", "images", cwd=repo)
    assert "git add" in proc.stdout and "data.txt.dvc" in proc.stdout
    assert (repo / "data.txt.dvc").read_text() == (
        "outs:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n  path: data.txt\n"
    )
    dvc = (repo / "images.dvc").read_text()
    assert "nfiles: 7\n" in dvc and ".dir\n" in dvc
    assert (repo / ".gitignore").read_text() == "/data.txt\n/images\n"
    obj = repo / ".dvc/cache/files/md5/b1/946ac92492d2347c6235b4d2611184"
    assert obj.read_bytes() == b"hello\n"
    assert stat.S_IMODE(obj.stat().st_mode) == 0o444
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"


def test_add_nested_file_writes_gitignore_in_parent(repo):
    (repo / "sub").mkdir()
    (repo / "sub/x.csv").write_text("1,2\n")
    ok("add", "sub/x.csv", cwd=repo)
    assert "path: x.csv\n" in (repo / "sub/x.csv.dvc").read_text()
    assert (repo / "sub/.gitignore").read_text() == "/x.csv\n"


def test_add_skips_gitignore_when_git_already_ignores(repo):
    (repo / ".gitignore").write_text("*.bin\n")
    (repo / "model.bin").write_bytes(b"\x00model")
    ok("add", "model.bin", cwd=repo)
    assert (repo / ".gitignore").read_text() == "*.bin\n"


def test_add_refuses_git_tracked_outside_and_dvc_dir(repo, tmp_path):
    (repo / "code.py").write_text("print(1)\n")
    git("add", "code.py", cwd=repo)
    proc = run_cli("add", "code.py", cwd=repo)
    assert proc.returncode == 1
    assert "already tracked by SCM" in proc.stderr and "git rm -r --cached 'code.py'" in proc.stderr
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    proc = run_cli("add", str(outside), cwd=repo)
    assert proc.returncode == 1 and "outside of the repository" in proc.stderr
    proc = run_cli("add", ".dvc/config", cwd=repo)
    assert proc.returncode == 1 and "inside `.dvc`" in proc.stderr
    proc = run_cli("add", "missing.txt", cwd=repo)
    assert proc.returncode == 1 and "'missing.txt' does not exist" in proc.stderr
    assert not (repo / "code.py.dvc").exists() and not (repo / "missing.txt.dvc").exists()


def test_dvcignore_excludes_files_and_refuses_ignored_target(repo):
    (repo / ".dvcignore").write_text("*.tmp\n!keep.tmp\n")
    (repo / "data").mkdir()
    for name in ("a.txt", "b.tmp", "keep.tmp"):
        (repo / "data" / name).write_text(name)
    ok("add", "data", cwd=repo)
    manifest_md5 = [ln for ln in (repo / "data.dvc").read_text().splitlines() if "md5:" in ln][0].split()[-1]
    obj = repo / ".dvc/cache/files/md5" / manifest_md5[:2] / manifest_md5[2:]
    assert [e["relpath"] for e in json.loads(obj.read_text())] == ["a.txt", "keep.tmp"]
    (repo / "x.tmp").write_text("t")
    proc = run_cli("add", "x.tmp", cwd=repo)
    assert proc.returncode == 1 and ".dvcignore:1:*.tmp" in proc.stderr


def test_status_reports_modified_deleted_and_not_in_cache(repo):
    (repo / "data.txt").write_text("hello\n")
    make_images(repo)
    ok("add", "data.txt", "images", cwd=repo)
    (repo / "data.txt").write_text("changed\n")
    (repo / "images/cats/1.txt").unlink()
    proc = ok("status", cwd=repo)
    assert proc.stdout == (
        "data.txt.dvc:\n\tchanged outs:\n\t\tmodified:           data.txt\n"
        "images.dvc:\n\tchanged outs:\n\t\tmodified:           images\n"
    )
    assert run_cli("status", "-q", cwd=repo).returncode == 1
    assert json.loads(ok("status", "--json", cwd=repo).stdout) == {
        "data.txt.dvc": [{"changed outs": {"data.txt": "modified"}}],
        "images.dvc": [{"changed outs": {"images": "modified"}}],
    }
    os.unlink(repo / "data.txt")
    assert "deleted:            data.txt" in ok("status", "data.txt.dvc", cwd=repo).stdout
    ok("checkout", "data.txt.dvc", cwd=repo)
    import shutil

    shutil.rmtree(repo / ".dvc/cache")
    assert "not in cache:       data.txt" in ok("status", "data.txt.dvc", cwd=repo).stdout


def test_status_paths_relative_to_cwd(repo):
    (repo / "sub").mkdir()
    (repo / "sub/x.csv").write_text("1\n")
    ok("add", "sub/x.csv", cwd=repo)
    (repo / "sub/x.csv").write_text("2\n")
    proc = ok("status", cwd=repo / "sub")
    assert proc.stdout == "x.csv.dvc:\n\tchanged outs:\n\t\tmodified:           x.csv\n"


def test_commit_records_new_version_and_checkout_swaps(repo):
    (repo / "data.txt").write_text("v1\n")
    ok("add", "data.txt", cwd=repo)
    v1 = (repo / "data.txt.dvc").read_text()
    (repo / "data.txt").write_text("v2\n")
    ok("commit", "-f", cwd=repo)
    v2 = (repo / "data.txt.dvc").read_text()
    assert v1 != v2 and ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "data.txt.dvc").write_text(v1)
    proc = ok("checkout", cwd=repo)
    assert proc.stdout == "M       data.txt\n"
    assert (repo / "data.txt").read_text() == "v1\n"


def test_checkout_restores_deleted_directory_and_prunes_extra_files(repo):
    make_images(repo)
    (repo / "images/empty").mkdir()
    ok("add", "images", cwd=repo)
    import shutil

    shutil.rmtree(repo / "images")
    assert ok("checkout", cwd=repo).stdout == "A       images/\n"
    assert (repo / "images/with space/f é.txt").read_text() == "e\n"
    assert ok("checkout", cwd=repo).stdout == ""
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"


def test_checkout_keeps_modified_data_unless_forced_and_then_saves_it(repo):
    (repo / "data.txt").write_text("committed\n")
    ok("add", "data.txt", cwd=repo)
    (repo / "data.txt").write_text("precious work\n")
    proc = run_cli("checkout", cwd=repo)
    assert proc.returncode == 1 and "kept modified workspace data" in proc.stderr
    assert (repo / "data.txt").read_text() == "precious work\n"
    proc = ok("checkout", "--force", cwd=repo)
    assert (repo / "data.txt").read_text() == "committed\n"
    import hashlib

    md5 = hashlib.md5(b"precious work\n").hexdigest()
    assert md5 in proc.stderr
    assert (repo / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).read_bytes() == b"precious work\n"


def test_checkout_missing_object_fails_and_leaves_file(repo):
    (repo / "data.txt").write_text("v1\n")
    ok("add", "data.txt", cwd=repo)
    dvc = repo / "data.txt.dvc"
    dvc.write_text(dvc.read_text().replace(text_md5(repo), "f" * 32))
    proc = run_cli("checkout", cwd=repo)
    assert proc.returncode == 255 and "Checkout failed" in proc.stderr and "data.txt" in proc.stderr
    assert (repo / "data.txt").read_text() == "v1\n"


def text_md5(repo, text=None):
    text = text or (repo / "data.txt.dvc").read_text()
    return [ln for ln in text.splitlines() if ln.lstrip("- ").startswith("md5:")][0].split()[-1]


@pytest.mark.parametrize("link", ["symlink", "hardlink", "copy"])
def test_link_types(repo, link):
    ok("config", "cache.type", link, cwd=repo)
    assert f"type = {link}" in (repo / ".dvc/config").read_text()
    (repo / "f.txt").write_text("linked\n")
    ok("add", "f.txt", cwd=repo)
    os.unlink(repo / "f.txt")
    ok("checkout", cwd=repo)
    path = repo / "f.txt"
    assert path.read_text() == "linked\n"
    if link == "symlink":
        assert path.is_symlink() and os.path.isabs(os.readlink(path))
    elif link == "hardlink":
        assert path.stat().st_nlink == 2
    else:
        assert not path.is_symlink() and path.stat().st_nlink == 1
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"


def test_remove_untracks_and_purge_deletes_outputs(repo):
    (repo / "a.txt").write_text("a\n")
    (repo / "b.txt").write_text("b\n")
    ok("add", "a.txt", "b.txt", cwd=repo)
    ok("remove", "a.txt.dvc", cwd=repo)
    assert not (repo / "a.txt.dvc").exists() and (repo / "a.txt").exists()
    assert (repo / ".gitignore").read_text() == "/b.txt\n"
    ok("remove", "-pf", "b.txt.dvc", cwd=repo)
    assert not (repo / "b.txt").exists() and not (repo / ".gitignore").exists()
    assert (repo / ".dvc/cache/files/md5/3b/5d5c3712955042212316173ccf37be").exists()  # md5("b\n")


def test_autostage(repo):
    ok("config", "core.autostage", "true", cwd=repo)
    (repo / "d.txt").write_text("d\n")
    proc = ok("add", "d.txt", cwd=repo)
    assert "git add" not in proc.stdout
    staged = git("diff", "--cached", "--name-only", cwd=repo).split()
    assert "d.txt.dvc" in staged and ".gitignore" in staged


def test_executable_file_keeps_exec_bit(repo):
    script = repo / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    ok("add", "run.sh", cwd=repo)
    assert "isexec: true\n" in (repo / "run.sh.dvc").read_text()
    script.unlink()
    ok("checkout", cwd=repo)
    assert os.access(script, os.X_OK)


def test_unchanged_files_are_not_rehashed(repo):
    from stagecore.repo import Repo

    (repo / "big").mkdir()
    for i in range(50):
        (repo / "big" / f"{i}.txt").write_text(str(i))
    ok("add", "big", cwd=repo)
    with Repo(str(repo)) as r:
        r.workspace.measure("big")  # state db is warm: nothing is read
        import stagecore.storage.workspace as ws

        calls = []
        orig = ws.file_md5
        ws.file_md5 = lambda *a, **k: calls.append(a) or orig(*a, **k)
        try:
            r.workspace.measure("big")
            (repo / "big/3.txt").write_text("changed")
            r.workspace.measure("big")
        finally:
            ws.file_md5 = orig
    assert len(calls) == 1 and calls[0][0].endswith("3.txt")


def test_symlinked_directory_loop_is_not_followed(repo):
    (repo / "d").mkdir()
    (repo / "d/f.txt").write_text("f\n")
    os.symlink("..", repo / "d/loop")  # would recurse forever if followed
    (repo / "target.txt").write_text("t\n")
    os.symlink("../target.txt", repo / "d/link.txt")  # a symlink to a file is content
    proc = ok("add", "d", cwd=repo)
    assert "nfiles: 2\n" in (repo / "d.dvc").read_text()
    assert proc.returncode == 0
