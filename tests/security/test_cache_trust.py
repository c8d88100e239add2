"""The cache trusts nothing it did not verify (issue 8), `stagecore fsck`, and the remote-side rules.

A cache object changed in place (same size or not) is refused by checkout and by the real
post-checkout hook with one line naming the object, and its bytes never reach the workspace;
`fsck` finds it, `fsck --repair` removes it and fetches it again from the remote; `push` keeps
a `.dir` manifest back when one of its files failed to upload; empty and inside-the-repository
remote urls are refused; a remote's wrong bytes are never used, and a remote manifest with `../`
relpaths writes nothing outside.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_cli

BAD = b"evil!\n"  # same length as b"hello\n"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, f"{args}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "ERROR" in line]


def obj_path(root: Path, data: bytes, cache: bool = True) -> Path:
    value = md5(data)
    return (root / ".dvc/cache" if cache else root) / "files/md5" / value[:2] / value[2:]


def overwrite(path: Path, data: bytes) -> None:
    path.chmod(0o644)
    path.write_bytes(data)
    path.chmod(0o444)


def set_remote(repo: Path, url: str) -> None:
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {url}\n")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """hello.txt and a directory d/ added (2 files), a directory remote configured."""
    repo, store = tmp_path / "repo", tmp_path / "store"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    set_remote(repo, str(store))
    (repo / "hello.txt").write_bytes(b"hello\n")
    (repo / "d").mkdir()
    (repo / "d/one.txt").write_bytes(b"one\n")
    (repo / "d/two.txt").write_bytes(b"two\n")
    ok("add", "hello.txt", "d", cwd=repo)
    return repo, store


@pytest.mark.parametrize("bad", [BAD, b"a different size\n"], ids=["same-size", "other-size"])
def test_checkout_refuses_a_corrupt_object(project, bad):
    repo, _ = project
    (repo / "hello.txt").unlink()
    target = obj_path(repo, b"hello\n")
    overwrite(target, bad)
    proc = run_cli("checkout", "hello.txt", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert f"cache object '{target}' is corrupt" in lines[0]
    assert ("holds" in lines[0]) == (len(bad) != 6)  # another size is refused without hashing
    assert "hint: run `stagecore fsck --repair`" in proc.stderr and "stagecore pull" in proc.stderr
    assert not (repo / "hello.txt").exists()  # the user never gets the bytes


def test_untrusted_object_is_hashed_once_then_trusted(project):
    """An object that was not written by stagecore (the trust table dropped, e.g. DVC wrote it)
    is hashed at checkout and trusted afterwards; a corrupt one is refused."""
    repo, _ = project
    with sqlite3.connect(repo / ".dvc/tmp/stagecore-state.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM objects").fetchone()[0] == 4  # 3 files + 1 manifest
        conn.execute("DELETE FROM objects")
    (repo / "hello.txt").unlink()
    assert ok("checkout", cwd=repo).stdout == "A       hello.txt\n"
    with sqlite3.connect(repo / ".dvc/tmp/stagecore-state.sqlite") as conn:
        rows = {row[0] for row in conn.execute("SELECT path FROM objects")}
    assert str(obj_path(repo, b"hello\n")) in rows


def test_corrupt_file_inside_a_directory_writes_nothing_of_it(project):
    repo, _ = project
    import shutil

    shutil.rmtree(repo / "d")
    target = obj_path(repo, b"two\n")
    overwrite(target, b"TWO\n")
    proc = run_cli("checkout", "d", cwd=repo)
    assert proc.returncode == 1
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and f"cache object '{target}' is corrupt" in lines[0]
    assert not (repo / "d/two.txt").exists() and not (repo / "d/one.txt").exists()


def test_corrupt_manifest_is_refused(project):
    repo, _ = project
    import shutil

    shutil.rmtree(repo / "d")
    manifest = next((repo / ".dvc/cache/files/md5").glob("*/*.dir"))
    data = manifest.read_bytes().replace(b"one.txt", b"../x.txt")
    overwrite(manifest, data)
    proc = run_cli("checkout", "d", cwd=repo)
    assert proc.returncode == 1
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "is corrupt" in lines[0] and manifest.name in lines[0]
    assert not (repo / "d").exists() and not (repo / "x.txt").exists()


def test_post_checkout_hook_refuses_a_corrupt_object(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    (repo / "data.txt").write_bytes(b"main\n")
    ok("add", "data.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    assert gitp("commit", "-qm", "main", cwd=repo).returncode == 0
    git("checkout", "-qb", "other", cwd=repo)
    (repo / "data.txt").write_bytes(b"other\n")
    ok("add", "data.txt", cwd=repo)
    assert gitp("commit", "-qam", "other", cwd=repo).returncode == 0
    assert gitp("checkout", "-q", "main", cwd=repo).returncode == 0
    assert (repo / "data.txt").read_bytes() == b"main\n"
    target = obj_path(repo, b"other\n")
    overwrite(target, b"EVIL!\n")
    proc = gitp("checkout", "other", cwd=repo)
    assert proc.returncode == 0  # git has moved; the hook reports
    lines = [line for line in proc.stderr.splitlines() if "is corrupt" in line]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert f"'data.txt': cache object '{target}' is corrupt: its content does not match its name" in lines[0]
    assert "hint: run `stagecore fsck --repair`" in proc.stderr
    assert (repo / "data.txt").read_bytes() == b"main\n"  # never the corrupt bytes
    assert b"EVIL" not in (repo / "data.txt").read_bytes()


def test_fsck_finds_and_repair_refetches_from_the_remote(project):
    repo, store = project
    assert ok("push", cwd=repo).stdout == "4 files pushed\n"
    assert ok("fsck", cwd=repo).stdout == "4 objects checked in the cache: no problems found.\n"
    target = obj_path(repo, b"hello\n")
    overwrite(target, BAD)
    junk = repo / ".dvc/cache/files/md5/ab/not-an-object"
    junk.parent.mkdir(exist_ok=True)
    junk.write_bytes(b"x")
    proc = run_cli("fsck", cwd=repo)
    assert proc.returncode == 1
    assert f"corrupt: {target}: its content does not match its name" in proc.stdout
    assert f"corrupt: {junk}: not a cache object name" in proc.stdout
    assert "4 objects checked in the cache: 2 problems found." in proc.stdout
    assert "hint: `stagecore fsck --repair`" in proc.stderr
    junk.unlink()
    proc = run_cli("fsck", "--repair", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert f"removed: {target}" in proc.stdout and f"fetched again: {target}" in proc.stdout
    assert target.read_bytes() == b"hello\n"
    (repo / "hello.txt").unlink()
    assert ok("checkout", cwd=repo).stdout == "A       hello.txt\n"
    assert (repo / "hello.txt").read_bytes() == b"hello\n"


def test_fsck_repair_without_a_copy_on_the_remote_says_so(project):
    repo, _ = project
    manifest = next((repo / ".dvc/cache/files/md5").glob("*/*.dir"))
    overwrite(manifest, b"[not json")
    proc = run_cli("fsck", "--repair", cwd=repo)
    assert proc.returncode == 1
    assert f"corrupt: {manifest}: its content does not match its name" in proc.stdout
    assert f"ERROR: {manifest}: removed; not on remote 'store'" in proc.stderr
    assert not manifest.exists()


def test_fsck_remote_reports_and_deletes_only_with_force(project):
    repo, store = project
    ok("push", cwd=repo)
    remote_obj = obj_path(store, b"one\n", cache=False)
    overwrite(remote_obj, b"ONE\n")
    value = md5(b"one\n")
    key = f"files/md5/{value[:2]}/{value[2:]}"
    proc = run_cli("fsck", "--remote-only", cwd=repo)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"corrupt: {key} on remote 'store': its content does not match its name",
        "4 objects on remote 'store': 1 problem found.",
    ]
    proc = run_cli("fsck", "--repair", "-r", "store", cwd=repo)
    assert proc.returncode == 1
    assert "not deleted (deleting remote objects needs `--repair -r store -f`)" in proc.stderr
    assert remote_obj.exists()
    proc = run_cli("fsck", "--repair", "--remote-only", "-r", "store", "-f", "-j", "2", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert f"removed: store:{key}" in proc.stdout
    assert not remote_obj.exists()
    assert ok("fsck", "-r", "store", cwd=repo).stdout == (
        "4 objects checked in the cache, 3 objects on remote 'store': no problems found.\n")


def test_push_keeps_the_manifest_back_when_a_file_fails(project):
    repo, store = project
    blocked = md5(b"two\n")
    (store / "files/md5").mkdir(parents=True)
    (store / "files/md5" / blocked[:2]).write_bytes(b"a file where a shard directory should be")
    proc = run_cli("push", cwd=repo)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    manifest = next((repo / ".dvc/cache/files/md5").glob("*/*.dir"))
    value = manifest.parent.name + manifest.name
    assert f"\t{blocked}: cannot " in proc.stderr
    assert f"\t{value}: manifest not uploaded: 1 of its files did not reach the remote (first: {blocked})" \
        in proc.stderr
    assert not (store / "files/md5" / value[:2] / value[2:]).exists()
    assert obj_path(store, b"one\n", cache=False).exists() and obj_path(store, b"hello\n", cache=False).exists()
    (store / "files/md5" / blocked[:2]).unlink()
    assert ok("push", cwd=repo).stdout == "2 files pushed\n"  # the file, then its manifest
    assert (store / "files/md5" / value[:2] / value[2:]).exists()


@pytest.mark.parametrize("url,problem", [
    ('""', "has an empty url"),
    ("'   '", "has an empty url"),
    (".", "inside the repository's .dvc directory"),
    ("cache", "inside the cache"),
    ("../.git/store", "inside the repository's .git directory"),
    ("nosuch://host/path", "has a url of unknown type 'nosuch://'"),
])
def test_bad_remote_urls_are_refused(project, url, problem):
    repo, _ = project
    before = sorted(p for p in (repo / ".dvc").rglob("*") if "tmp" not in p.parts)
    set_remote(repo, url)
    for args in (("push",), ("fetch",), ("fsck", "-r", "store")):
        proc = run_cli(*args, cwd=repo)
        assert proc.returncode == 251, (args, proc.stderr)
        lines = error_lines(proc.stderr)
        assert len(lines) == 1 and "Traceback" not in proc.stderr
        assert f"'{repo / '.dvc/config'}': remote 'store' " in lines[0] and problem in lines[0]
        assert "hint: " in proc.stderr and "stagecore remote modify store url" in proc.stderr
    assert sorted(p for p in (repo / ".dvc").rglob("*") if "tmp" not in p.parts) == before
    assert not (repo / ".dvc/files").exists() and not (repo / ".git/store").exists()


def test_remote_add_refuses_an_empty_url(project):
    repo, _ = project
    proc = run_cli("remote", "add", "blank", "", cwd=repo)
    assert proc.returncode == 251
    assert "remote 'blank' has an empty url" in proc.stderr and "Traceback" not in proc.stderr
    assert "blank" not in (repo / ".dvc/config").read_text()


def test_hostile_remote_wrong_bytes_are_never_used(project, tmp_path):
    """A clone whose remote holds wrong bytes under a valid name: pull and the post-checkout hook
    refuse them, the workspace never gets them, the cache never holds them."""
    repo, store = project
    ok("push", cwd=repo)
    overwrite(obj_path(store, b"hello\n", cache=False), BAD)
    git("commit", "-q", "--allow-empty", "-m", "before the data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    clone = tmp_path / "clone"
    git("clone", "-q", str(repo), str(clone), cwd=tmp_path)
    ok("install", cwd=clone)
    assert gitp("checkout", "-q", "HEAD~1", cwd=clone).returncode == 0
    proc = gitp("checkout", "-q", "main", cwd=clone)  # the hook fetches and checks out
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "is corrupt" in line]
    assert len(lines) == 1 and md5(b"hello\n") in lines[0], proc.stderr
    assert not (clone / "hello.txt").exists()
    assert (clone / "d/one.txt").read_bytes() == b"one\n"
    proc = run_cli("pull", cwd=clone)
    assert proc.returncode == 1
    assert "is corrupt" in proc.stderr and md5(b"hello\n") in proc.stderr
    assert not (clone / "hello.txt").exists()
    assert not obj_path(clone, b"hello\n").exists()
    assert (clone / "d/one.txt").read_bytes() == b"one\n"


def test_hostile_remote_manifest_with_parent_relpaths_writes_nothing_outside(tmp_path):
    repo, store = tmp_path / "repo", tmp_path / "store"
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_bytes(b"keep\n")
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    set_remote(repo, str(store))
    payload = b"pwned\n"
    entries = [{"md5": md5(payload), "relpath": "../../canary/pwn.txt"}, {"md5": md5(payload), "relpath": "ok.txt"}]
    manifest = json.dumps(entries, sort_keys=True).encode()
    value = md5(manifest) + ".dir"
    for data, name in ((payload, md5(payload)), (manifest, value)):
        dest = store / "files/md5" / name[:2] / name[2:]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    (repo / "d.dvc").write_text(f"outs:\n- md5: {value}\n  nfiles: 2\n  path: d\n  hash: md5\n")
    proc = run_cli("pull", cwd=repo)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "d" in lines[0]
    assert sorted(os.listdir(canary)) == ["keep.txt"]
    assert not (repo / "d").exists()
    proc = run_cli("fsck", cwd=repo)  # the fetched manifest matches its name but is not valid
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{value[2:]}: manifest " in proc.stdout and "../../canary/pwn.txt" in proc.stdout
