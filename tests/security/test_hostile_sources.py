"""Hostile sources (task H): what another git repository, its data remote, a run-cache remote, an
http server or a committed `.dvc/` sub-tree can make `import`, `get`, `ls`, `update`,
`import-url`, `pull --run-cache`, the fast paths and the hooks do.

Every attack is run for real (git repositories in tmp dirs, crafted git trees, the real hooks
through `git clone`, an http server on 127.0.0.1 in a thread) and asserts: nothing beside the
work tree changed (a canary directory and a secret file), no marker file a command would have
`touch`ed exists, every refusal is one ERROR line with its exit code and no traceback, and
nothing was half written (no output, no `.dvc` file, no temp file left).
"""

from __future__ import annotations

import hashlib
import http.server
import marshal
import os
import shutil
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from stagecore.core.tree import manifest_bytes
from tests.helpers import clean_env, git, refused, run_cli

CANARY = b"canary\n"
SECRET = b"TOP SECRET: the victim's private key\n"
GOOD = b"good data\n"


class World(NamedTuple):
    base: Path
    outside: Path  # a canary directory beside everything: must never change
    secret: Path
    marker: Path  # a command run by an attack would create it


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def tree_state(top: Path) -> dict[str, tuple[bytes | None, int]]:
    found: dict[str, tuple[bytes | None, int]] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            data = path.read_bytes() if stat.S_ISREG(st.st_mode) else None
            found[str(path.relative_to(top))] = (data, st.st_mode)
    return found


def files_below(top: Path) -> list[str]:
    return sorted(str(p.relative_to(top)) for p in top.rglob("*") if not p.is_dir() or p.is_symlink())


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def plant(store: Path, data: bytes, name: str | None = None) -> str:
    value = name or md5(data)
    dest = store / "files/md5" / value[:2] / value[2:]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return value


def commit_all(repo: Path, message: str, *force: str) -> None:
    git("add", "-A", cwd=repo)
    if force:
        git("add", "-f", *force, cwd=repo)
    git("commit", "-qm", message, cwd=repo)


def new_repo(path: Path, *, dvc: bool = True) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", cwd=path)
    if dvc:
        ok("init", "-q", cwd=path)
    return path


def raw_tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A git tree object written as is (no name checks): entries of (mode, name, sha)."""
    data = b"".join(m.encode() + b" " + n.encode() + b"\0" + bytes.fromhex(s) for m, n, s in entries)
    proc = subprocess.run(
        ["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        cwd=repo,
        input=data,
        capture_output=True,
        env=clean_env(),
        check=True,
    )
    return proc.stdout.decode().strip()


def commit_tree(repo: Path, extra: list[tuple[str, str, str]]) -> None:
    """A new commit on main whose root tree is HEAD's plus `extra` entries (mode, name, sha)."""
    lines = git("ls-tree", "HEAD", cwd=repo)
    lines += "".join(
        f"{mode} {'tree' if mode == '40000' else 'blob'} {sha}\t{name}\n" for mode, name, sha in extra
    )
    proc = subprocess.run(
        ["git", "mktree", "--missing"],
        cwd=repo,
        input=lines,
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    sha = git("commit-tree", proc.stdout.strip(), "-p", "HEAD", "-m", "crafted", cwd=repo).strip()
    git("update-ref", "refs/heads/main", sha, cwd=repo)


@pytest.fixture
def world(tmp_path: Path) -> World:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "keep.txt").write_bytes(CANARY)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    return World(tmp_path, outside, secret, tmp_path / "PWNED")


def assert_untouched(world: World, before: dict) -> None:
    assert tree_state(world.outside) == before
    assert world.secret.read_bytes() == SECRET
    assert not world.marker.exists()


def registry(world: World, name: str = "registry", remote: str | None = None) -> Path:
    reg = new_repo(world.base / name)
    if remote is not None:
        (reg / ".dvc/config").write_text(
            f"[core]\n    remote = store\n['remote \"store\"']\n    url = {remote}\n"
        )
    (reg / "plain.txt").write_bytes(GOOD)
    commit_all(reg, "init")
    return reg


# ------------------------------------------------------------------ crafted git trees


def test_get_and_import_refuse_a_crafted_tree_with_dotdot_and_git_names(world: World) -> None:
    reg = registry(world)
    blob = (
        subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=reg,
            input=b"#!/bin/sh\ntouch PWNED\n",
            capture_output=True,
            env=clean_env(),
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    dotdot = raw_tree(reg, [("100644", "..", blob)])
    gitcfg = raw_tree(reg, [("100644", "config", blob)])
    dotgit = raw_tree(reg, [("40000", ".git", gitcfg), ("100644", "ok.txt", blob)])
    commit_tree(reg, [("40000", "evil1", dotdot), ("40000", "evil2", dotgit)])
    before = tree_state(world.outside)

    work = world.base / "work"
    work.mkdir()
    line = refused(run_cli("get", str(reg), "evil1", cwd=work), "cannot read 'evil1'", "'evil1/..'")
    assert "stagecore-objects" not in line  # names the repository's path, not a temp store
    refused(
        run_cli("get", str(reg), "evil2", cwd=work), "cannot read 'evil2'", "'evil2/.git/config' enters .git"
    )
    refused(run_cli("get", str(reg), "evil2/.git/config", cwd=work), "enters .git")
    refused(run_cli("get", "--force", str(reg), "evil1/..", cwd=work), "'evil1/..'")
    assert files_below(work) == []

    victim = new_repo(world.base / "victim")
    for path in ("evil1", "evil2"):
        refused(run_cli("import", str(reg), path, cwd=victim), f"cannot read '{path}'")
    assert files_below(victim / ".dvc/cache") == []  # refused before anything entered the cache
    assert not any(p.suffix == ".dvc" for p in victim.iterdir())
    proc = run_cli("ls", "-R", str(reg), cwd=work)  # a listing only shows names: no write, no crash
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert_untouched(world, before)


def test_get_and_import_refuse_symlinks_committed_in_the_registry(world: World) -> None:
    reg = registry(world)
    os.symlink(str(world.secret), reg / "link")
    (reg / "dir").mkdir()
    (reg / "dir/ok.txt").write_bytes(GOOD)
    os.symlink("../../outside", reg / "dir/out")
    commit_all(reg, "links")
    before = tree_state(world.outside)
    work = world.base / "work"
    work.mkdir()
    refused(run_cli("get", str(reg), "link", cwd=work), "'link' is a symlink: refused")
    refused(run_cli("get", str(reg), "dir", cwd=work), "'dir/out' is a symlink: refused")
    assert files_below(work) == []
    victim = new_repo(world.base / "victim")
    refused(run_cli("import", str(reg), "dir", cwd=victim), "'dir/out' is a symlink: refused")
    assert not (victim / "dir").exists() and not (victim / "dir.dvc").exists()
    assert not any(SECRET in p.read_bytes() for p in (victim / ".dvc/cache").rglob("*") if p.is_file())
    assert_untouched(world, before)


def test_a_registry_submodule_is_never_cloned_nor_its_url_run(world: World) -> None:
    reg = registry(world)
    (reg / ".gitmodules").write_text(
        f'[submodule "sub"]\n    path = sub\n    url = ext::sh -c touch% {world.marker}\n'
    )
    git("add", ".gitmodules", cwd=reg)
    head = git("rev-parse", "HEAD", cwd=reg).strip()
    git("update-index", "--add", "--cacheinfo", f"160000,{head},sub", cwd=reg)
    git("commit", "-qm", "submodule", cwd=reg)
    work = world.base / "work"
    work.mkdir()
    refused(run_cli("get", str(reg), "sub", cwd=work), "'sub' does not exist")
    refused(run_cli("get", str(reg), "sub/plain.txt", cwd=work), "does not exist")
    proc = ok("ls", str(reg), cwd=work)
    assert "plain.txt" in proc.stdout
    assert files_below(work) == []
    assert not world.marker.exists()


def test_a_local_source_repository_config_and_hooks_run_nothing(world: World) -> None:
    reg = registry(world)
    hooks = reg / "myhooks"
    hooks.mkdir()
    for name in ("post-checkout", "reference-transaction", "pre-auto-gc", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch {world.marker}\n")
        (hooks / name).chmod(0o755)
        (reg / ".git/hooks" / name).write_text(f"#!/bin/sh\ntouch {world.marker}\n")
        (reg / ".git/hooks" / name).chmod(0o755)
    for key, value in (
        ("core.hooksPath", str(hooks)),
        ("core.fsmonitor", f"touch {world.marker}"),
        ("uploadpack.packObjectsHook", f"touch {world.marker}"),
        ("core.sshCommand", f"touch {world.marker}"),
        ("core.pager", f"touch {world.marker}"),
    ):
        git("config", key, value, cwd=reg)
    for url in (str(reg), f"file://{reg}"):
        work = world.base / f"work{len(url)}"
        work.mkdir()
        ok("get", url, "plain.txt", cwd=work)
        assert (work / "plain.txt").read_bytes() == GOOD
        assert not world.marker.exists(), url


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% {marker}",
        "--upload-pack=touch {marker}",
        "-u",
        "ssh://-oProxyCommand=touch%20{marker}/x",
        "fd::17",
    ],
)
def test_repository_urls_that_would_run_a_command_are_refused(world: World, url: str) -> None:
    url = url.format(marker=world.marker)
    work = world.base / "work"
    work.mkdir()
    proc = run_cli("get", "--", url, "plain.txt", cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and len([x for x in proc.stderr.splitlines() if "ERROR" in x]) == 1
    assert files_below(work) == [] and not world.marker.exists()
    # the same URL in a committed import .dvc file: `update` (typed by the user) refuses it too
    victim = new_repo(world.base / "victim")
    (victim / "plain.txt.dvc").write_text(
        "md5: 0123456789abcdef0123456789abcdef\nfrozen: true\ndeps:\n- path: plain.txt\n  repo:\n"
        f"    url: '{url}'\n    rev_lock: {'a' * 40}\nouts:\n- md5: {md5(GOOD)}\n  size: 10\n"
        "  hash: md5\n  path: plain.txt\n"
    )
    proc = run_cli("update", "plain.txt.dvc", cwd=victim)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert not (victim / "plain.txt").exists() and not world.marker.exists()


def test_update_of_a_committed_import_never_writes_outside(world: World) -> None:
    reg = registry(world)
    sha = git("rev-parse", "HEAD", cwd=reg).strip()
    victim = new_repo(world.base / "victim")
    os.symlink("../outside", victim / "door")
    for name, out in (("escape", "../outside/x.txt"), ("door", "door/x.txt")):
        (victim / f"{name}.dvc").write_text(
            "frozen: true\ndeps:\n- path: plain.txt\n  repo:\n"
            f"    url: {reg}\n    rev_lock: {sha}\nouts:\n- md5: {md5(b'old')}\n  size: 3\n"
            f"  hash: md5\n  path: {out}\n"
        )
    commit_all(victim, "hostile imports")
    before = tree_state(world.outside)
    written = {name: (victim / f"{name}.dvc").read_bytes() for name in ("escape", "door")}
    refused(
        run_cli("update", "escape.dvc", cwd=victim), "'escape.dvc' has an output that leaves the repository"
    )
    refused(run_cli("update", "door.dvc", cwd=victim), "the symlink 'door' leads outside the work tree")
    assert {name: (victim / f"{name}.dvc").read_bytes() for name in written} == written
    assert_untouched(world, before)


def test_a_revision_that_is_an_option_is_refused(world: World) -> None:
    reg = registry(world)
    work = world.base / "work"
    work.mkdir()
    out = world.outside / "written"
    refused(run_cli("get", str(reg), "plain.txt", f"--rev=--output={out}", cwd=work), "unknown revision")
    victim = new_repo(world.base / "victim")
    (victim / "plain.txt.dvc").write_text(
        "frozen: true\ndeps:\n- path: plain.txt\n  repo:\n"
        f"    url: {reg}\n    rev: --output={out}\n    rev_lock: --git-dir=/etc\nouts:\n"
        f"- md5: {md5(GOOD)}\n  size: 10\n  hash: md5\n  path: plain.txt\n"
    )
    refused(run_cli("update", "plain.txt.dvc", cwd=victim), "unknown revision")
    assert not out.exists() and files_below(work) == [] and not (victim / "plain.txt").exists()


# ------------------------------------------------------------------ the registry's data remote


def test_a_registry_remote_outside_is_only_read_and_every_object_verified(world: World) -> None:
    """DVC opens the registry's default remote as its `.dvc/config` names it, a local path
    outside included; so does stagecore, but it only reads there and hashes what it reads."""
    store = world.outside / "store"
    reg = registry(world, remote=str(store))
    (reg / "data.txt").write_bytes(GOOD)
    ok("add", "-q", "data.txt", cwd=reg)
    commit_all(reg, "data")
    for obj in (reg / ".dvc/cache").rglob("*"):
        if obj.is_file():
            obj.chmod(0o644)
            obj.unlink()  # only the remote has it
    plant(store, b"not the good data\n", md5(GOOD))  # a lying remote
    before = tree_state(world.outside)
    work = world.base / "work"
    work.mkdir()
    proc = run_cli("get", str(reg), "data.txt", cwd=work)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert files_below(work) == []
    victim = new_repo(world.base / "victim")
    proc = run_cli("import", str(reg), "data.txt", cwd=victim)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert not (victim / "data.txt").exists() and not (victim / "data.txt.dvc").exists()
    assert files_below(victim / ".dvc/cache") == []
    assert tree_state(world.outside) == before  # nothing written, swept or created there

    plant(store, GOOD)  # the true object: fetched and verified
    before = tree_state(world.outside)
    ok("get", str(reg), "data.txt", cwd=work)
    assert (work / "data.txt").read_bytes() == GOOD
    assert tree_state(world.outside) == before


def test_a_registry_remote_that_does_not_exist_is_not_created(world: World) -> None:
    missing = world.outside / "nothere"
    reg = registry(world, remote=str(missing))
    (reg / "data.txt").write_bytes(GOOD)
    ok("add", "-q", "data.txt", cwd=reg)
    commit_all(reg, "data")
    for obj in (reg / ".dvc/cache").rglob("*"):
        if obj.is_file():
            obj.chmod(0o644)
            obj.unlink()
    before = tree_state(world.outside)
    work = world.base / "work"
    work.mkdir()
    refused(run_cli("get", str(reg), "data.txt", cwd=work), "neither in its cache nor on its default remote")
    assert not missing.exists() and files_below(work) == []
    assert_untouched(world, before)


def test_a_registry_manifest_escaping_its_directory_writes_nothing(world: World) -> None:
    store = world.base / "store"
    reg = registry(world, remote=str(store))
    tree = {"../../outside/pwn.txt": plant(store, b"pwned\n"), "ok.txt": plant(store, GOOD)}
    dir_md5 = plant(store, manifest_bytes(tree), md5(manifest_bytes(tree)) + ".dir")
    (reg / "data.dvc").write_text(f"outs:\n- md5: {dir_md5}\n  nfiles: 2\n  hash: md5\n  path: data\n")
    commit_all(reg, "hostile manifest")
    before = tree_state(world.outside)
    work = world.base / "work"
    work.mkdir()
    refused(run_cli("get", str(reg), "data", cwd=work), "not a safe directory manifest")
    assert files_below(work) == []
    victim = new_repo(world.base / "victim")
    refused(run_cli("import", str(reg), "data", cwd=victim), "not a safe directory manifest")
    assert not (victim / "data").exists() and not (victim / "data.dvc").exists()
    assert_untouched(world, before)


def test_a_big_registry_file_is_streamed_and_a_giant_config_is_not_read(world: World) -> None:
    store = world.base / "store"
    reg = registry(world, remote=str(store))
    big = os.urandom(3 << 20) + b"tail"  # several of the 1 MiB chunks git's output is read in
    (reg / "big.bin").write_bytes(big)
    (reg / "data.txt").write_bytes(GOOD)
    ok("add", "-q", "data.txt", cwd=reg)
    conf = (reg / ".dvc/config").read_text()
    (reg / ".dvc/config").write_text(conf + ("# padding" + " " * 90 + "\n") * 170_000)  # 17 MB
    commit_all(reg, "big")
    for obj in (reg / ".dvc/cache").rglob("*"):
        if obj.is_file():
            obj.chmod(0o644)
            obj.unlink()
    plant(store, GOOD)
    work = world.base / "work"
    work.mkdir()
    ok("get", str(reg), "big.bin", cwd=work)
    assert (work / "big.bin").read_bytes() == big
    refused(run_cli("get", str(reg), "data.txt", cwd=work), "its .dvc/config is larger than")
    assert not (work / "data.txt").exists()


def test_a_committed_config_pointing_into_git_is_refused(world: World) -> None:
    victim = new_repo(world.base / "victim")
    (victim / "d.txt").write_bytes(GOOD)
    ok("add", "-q", "d.txt", cwd=victim)
    config = victim / ".dvc/config"
    config.write_text("[core]\n    remote = s\n['remote \"s\"']\n    url = ../.git/hooks\n")
    commit_all(victim, "remote into .git")
    hooks = tree_state(victim / ".git/hooks")
    refused(run_cli("push", cwd=victim), "inside the repository's .git directory", code=251)
    config.write_text(config.read_text() + "[cache]\n    dir = ../.git/objects/x\n")
    refused(run_cli("status", cwd=victim), "cache.dir '../.git/objects/x'", "refused", code=251)
    assert tree_state(victim / ".git/hooks") == hooks
    assert not (victim / ".git/objects/x").exists()


def test_a_nested_project_remote_pointing_into_the_git_directory_is_refused(world: World) -> None:
    top = new_repo(world.base / "top", dvc=False)
    sub = top / "sub"
    sub.mkdir()
    ok("init", "-q", "--subdir", cwd=sub)
    (sub / "d.txt").write_bytes(GOOD)
    ok("add", "-q", "d.txt", cwd=sub)
    (sub / ".dvc/config").write_text("[core]\n    remote = s\n['remote \"s\"']\n    url = ../../.git/hooks\n")
    commit_all(top, "nested")
    hooks = tree_state(top / ".git/hooks")
    refused(run_cli("push", cwd=sub), "inside the repository's .git directory", code=251)
    assert tree_state(top / ".git/hooks") == hooks


# ------------------------------------------------------------------ the run cache


def _runcache_victim(world: World) -> tuple[Path, Path]:
    store = world.base / "store"
    victim = new_repo(world.base / "victim")
    (victim / ".dvc/config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {store}\n"
    )
    entry = store / "runs/ab/abkey/value1"
    entry.parent.mkdir(parents=True)
    entry.write_text("cmd: echo hi\nouts:\n- path: out.txt\n  md5: " + md5(GOOD) + "\n  hash: md5\n")
    linked = store / "runs/cd/cdkey/value2"  # a link on the remote to a file of its host
    linked.parent.mkdir(parents=True)
    os.symlink(world.secret, linked)
    (store / "runs/ef").mkdir()
    os.symlink(world.outside, store / "runs/ef/efkey")
    commit_all(victim, "init")
    return victim, store


def test_pull_run_cache_never_writes_through_a_committed_cache_link(world: World) -> None:
    victim, _store = _runcache_victim(world)
    runs = victim / ".dvc/cache/runs"
    runs.mkdir(parents=True)
    os.symlink(world.outside, runs / "ab")  # `.dvc/cache` is git-ignored, but `git add -f` commits it
    commit_all(victim, "link", ".dvc/cache/runs/ab")
    before = tree_state(world.outside)
    refused(run_cli("pull", "--run-cache", cwd=victim), "run-cache directory", "is a symlink: refused")
    assert_untouched(world, before)
    os.unlink(runs / "ab")
    runs.rmdir()
    os.symlink(world.outside, runs)  # the whole runs directory
    refused(run_cli("pull", "--run-cache", cwd=victim), "is a symlink: refused")
    assert_untouched(world, before)


def test_repro_never_reads_or_saves_the_run_cache_through_a_committed_link(world: World) -> None:
    victim = new_repo(world.base / "victim")
    (victim / "in.txt").write_bytes(GOOD)
    (victim / "dvc.yaml").write_text(
        f"stages:\n  s:\n    cmd: cp in.txt out.txt && touch {world.marker}\n    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    runs = victim / ".dvc/cache/runs"
    runs.mkdir(parents=True)
    os.symlink(world.outside, runs / "ab")
    commit_all(victim, "stage", ".dvc/cache/runs/ab")
    os.unlink(runs / "ab")
    runs.rmdir()
    os.symlink(world.outside, runs)  # the whole runs directory, as a checkout of such a commit leaves it
    before = tree_state(world.outside)
    proc = run_cli("repro", cwd=victim)
    assert proc.returncode != 0, proc.stderr
    refused(
        proc, "failed to reproduce 's': run-cache directory", "is a symlink: refused", code=proc.returncode
    )
    assert_untouched(world, before)  # refused before the command ran: no marker, nothing saved out there


def test_push_run_cache_never_sends_a_file_from_elsewhere(world: World) -> None:
    victim, store = _runcache_victim(world)
    runs = victim / ".dvc/cache/runs"
    (runs / "12/12key").mkdir(parents=True)
    (runs / "12/12key/v1").write_text("cmd: echo\n")
    os.symlink(world.secret, runs / "12/12key/v2")  # a link entry: never read
    (runs / "34").mkdir()
    os.symlink(world.outside, runs / "34/34key")  # a linked directory: never entered
    ok("push", "--run-cache", cwd=victim)
    sent = [p for p in store.rglob("*") if p.is_file() and not p.is_symlink()]
    assert (store / "runs/12/12key/v1").is_file() and not (store / "runs/12/12key/v2").exists()
    assert not any(SECRET in p.read_bytes() or CANARY in p.read_bytes() for p in sent)
    for path in (runs / "12/12key/v2", runs / "34/34key"):
        os.unlink(path)
    shutil.rmtree(runs)
    os.symlink(world.outside, runs)  # the whole runs directory: refused
    before = tree_state(world.outside)
    refused(run_cli("push", "--run-cache", cwd=victim), "run-cache directory", "is a symlink: refused")
    assert not (store / "runs/keep.txt").exists()
    assert_untouched(world, before)


def test_pull_run_cache_keeps_only_entries(world: World) -> None:
    victim, _store = _runcache_victim(world)
    before = tree_state(world.outside)
    ok("pull", "--run-cache", cwd=victim)
    runs = victim / ".dvc/cache/runs"
    assert (runs / "ab/abkey/value1").is_file()
    kept = [p for p in runs.rglob("*") if p.is_file()]
    assert all(SECRET not in p.read_bytes() and CANARY not in p.read_bytes() for p in kept), kept
    assert not any(p.is_symlink() for p in runs.rglob("*"))
    assert [p.name for p in kept] == ["value1"]
    assert_untouched(world, before)


# ------------------------------------------------------------------ fast-path records, nested projects


def _clone_with_hooks(
    world: World, source: Path, name: str = "victim"
) -> tuple[Path, subprocess.CompletedProcess]:
    hooks_home = world.base / "hookhome"
    if not hooks_home.exists():
        new_repo(hooks_home)
        ok("install", cwd=hooks_home)
    victim = world.base / name
    proc = subprocess.run(
        ["git", "-c", f"core.hooksPath={hooks_home / '.git/hooks'}", "clone", "-q", str(source), str(victim)],
        cwd=world.base,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return victim, proc


def test_a_committed_dvc_tmp_link_receives_nothing(world: World) -> None:
    att = registry(world, "attacker")
    (att / "data.txt").write_bytes(GOOD)
    ok("add", "-q", "data.txt", cwd=att)
    shutil.rmtree(att / ".dvc/tmp", ignore_errors=True)
    os.symlink(world.outside, att / ".dvc/tmp")
    commit_all(att, "tmp link", ".dvc/tmp")
    before = tree_state(world.outside)
    victim, proc = _clone_with_hooks(world, att)
    assert "'.dvc/tmp' is a symlink committed into git" in proc.stderr, proc.stderr
    for args in (("status",), ("checkout",), ("commit", "-f"), ("pull", "--run-cache")):
        proc = run_cli(*args, cwd=victim)
        refused(proc, "'.dvc/tmp' is a symlink committed into git", code=proc.returncode or -1)
    hooks = world.base / "hookhome/.git/hooks"
    proc = subprocess.run(
        ["git", "-c", f"core.hooksPath={hooks}", "commit", "-q", "--allow-empty", "-m", "x"],
        cwd=victim,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "stagecore pre-commit: ERROR: '.dvc/tmp' is a symlink committed into git" in proc.stderr
    assert_untouched(world, before)


def test_a_forged_fast_path_snapshot_does_not_pass_a_stale_commit(world: World) -> None:
    """A `.dvc/tmp/stagecore-fastpath-*` record committed (git add -f) that names no real file:
    the fast path must not take it for a clean verdict."""
    from stagecore import __version__
    from stagecore.fastpath.snapshot import VERSION

    att = registry(world, "attacker", remote=str(world.base / "store"))
    (att / "data.txt").write_bytes(GOOD)
    ok("add", "-q", "data.txt", cwd=att)
    ok("push", "-q", cwd=att)
    commit_all(att, "data")
    victim_root = str(world.base / "victim")
    for kind in ("pre-commit", "status"):
        forged = {
            "version": VERSION,
            "kind": kind,
            "stagecore": __version__,
            "root": victim_root,
            "groups": [],
            "follow": [],
            "follow_sigs": [],
        }
        (att / ".dvc/tmp").mkdir(exist_ok=True)
        (att / f".dvc/tmp/stagecore-fastpath-{kind}").write_bytes(marshal.dumps(forged))
    commit_all(att, "forged", ".dvc/tmp")
    victim, _proc = _clone_with_hooks(world, att)
    ok("install", cwd=victim)
    (victim / "data.txt").chmod(0o644)
    (victim / "data.txt").write_bytes(b"changed, not committed to the cache\n")
    proc = run_cli("status", cwd=victim)
    assert "modified" in proc.stdout, proc.stdout + proc.stderr
    git("add", "-A", cwd=victim)
    proc = subprocess.run(
        ["git", "commit", "-qm", "stale"], cwd=victim, env=clean_env(), capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "stagecore pre-commit" in proc.stderr and "Traceback" not in proc.stderr


def test_a_nested_project_config_cannot_move_its_cache_outside(world: World) -> None:
    store = world.base / "store"
    att = new_repo(world.base / "attacker", dvc=False)
    (att / "README").write_text("top\n")
    sub = att / "sub"
    sub.mkdir()
    ok("init", "-q", "--subdir", cwd=sub)
    (sub / "data.txt").write_bytes(GOOD)
    (sub / ".dvc/config").write_text(
        f"[core]\n    remote = store\n    hardlink_lock = true\n['remote \"store\"']\n    url = {store}\n"
    )
    ok("add", "-q", "data.txt", cwd=sub)
    ok("push", "-q", cwd=sub)
    (sub / ".dvc/config").write_text(
        f"[core]\n    remote = store\n    hardlink_lock = true\n['remote \"store\"']\n    url = {store}\n"
        f"[cache]\n    dir = {world.outside / 'cache'}\n"
    )
    commit_all(att, "nested project")
    before = tree_state(world.outside)
    victim, proc = _clone_with_hooks(world, att)
    assert "cache.dir" in proc.stderr and "outside the work tree" in proc.stderr, proc.stderr
    assert not (victim / "sub/data.txt").exists()
    refused(run_cli("pull", cwd=victim / "sub"), "cache.dir", "outside the work tree", code=251)
    assert_untouched(world, before)


# ------------------------------------------------------------------ import-url from an http server


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        code, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict]]:
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()


def test_import_url_refuses_a_redirect_to_a_local_file_and_dotdot_names(world: World, http_server) -> None:
    base, routes = http_server
    routes["/data"] = (302, {"Location": f"file://{world.secret}"}, b"")
    routes["/a/.."] = (200, {}, GOOD)
    victim = new_repo(world.base / "victim")
    commit_all(victim, "init")
    before = tree_state(world.outside)
    proc = run_cli("import-url", f"{base}/data", cwd=victim)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert not (victim / "data").exists() and not (victim / "data.dvc").exists()
    assert not any(SECRET in p.read_bytes() for p in (victim / ".dvc/cache").rglob("*") if p.is_file())
    for url in (f"{base}/a/..", f"{base}/a/%2e%2e"):
        proc = run_cli("import-url", url, cwd=victim)
        assert "Traceback" not in proc.stderr, proc.stderr
    assert files_below(world.base / "victim" / "..") == files_below(world.base)  # nothing beside it
    assert not (world.base / "a").exists() and not (world.base / "data").exists()
    assert_untouched(world, before)


def test_import_url_of_a_local_directory_follows_file_links_only_as_dvc(world: World) -> None:
    """DVC 3.67.1 imports a local directory's symlinked file by its content and skips a symlinked
    directory (checked by hand); stagecore the same: the source is the user's choice, read only."""
    src = world.base / "src"
    src.mkdir()
    (src / "ok.txt").write_bytes(GOOD)
    os.symlink(world.secret, src / "secret-link")
    os.symlink(world.outside, src / "dir-link")
    victim = new_repo(world.base / "victim")
    commit_all(victim, "init")
    before = tree_state(world.outside)
    ok("import-url", str(src), "data", cwd=victim)
    assert files_below(victim / "data") == ["ok.txt", "secret-link"]
    assert not (victim / "data/secret-link").is_symlink()  # a copy: no link out of the work tree
    assert not any(CANARY in p.read_bytes() for p in (victim / ".dvc/cache").rglob("*") if p.is_file())
    assert_untouched(world, before)


@pytest.fixture
def raw_server() -> Iterator[tuple[str, list[bytes]]]:
    """A socket server on 127.0.0.1 answering each connection with the next raw bytes of `answers`
    (the last one repeats), then closing: a truncated body, a garbage status line."""
    answers: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        count = 0
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    conn.recv(65536)
                    conn.sendall(answers[min(count, len(answers) - 1)])
                except OSError:
                    pass
            count += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", answers
    finally:
        stop.set()
        thread.join(5)
        sock.close()


@pytest.mark.parametrize(
    "answer, needle",
    [
        (
            b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nETag: "x"\r\n\r\n' + b"a" * 10,
            "10 of the 100000 bytes",
        ),
        (b"HELLO THERE\r\n\r\n", "cannot reach"),
    ],
)
def test_import_url_refuses_a_truncated_body_or_a_garbage_answer(
    world: World, raw_server, answer, needle
) -> None:
    base, answers = raw_server
    answers.append(answer)
    victim = new_repo(world.base / "victim")
    commit_all(victim, "init")
    proc = run_cli("import-url", f"{base}/file.bin", cwd=victim)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert needle in proc.stderr, proc.stderr
    assert not (victim / "file.bin").exists() and not (victim / "file.bin.dvc").exists()
    assert files_below(victim / ".dvc/cache") == []  # nothing half written, no temp left


# ------------------------------------------------------------------ install --global


def test_install_global_then_clone_of_a_hostile_repository(world: World) -> None:
    store = world.base / "store"
    att = registry(world, "attacker", remote=str(store))
    plant(store, b"#!/bin/sh\ntouch PWNED\n")
    (att / "evil.dvc").write_text(
        f"outs:\n- md5: {md5(b'#!/bin/sh' + bytes([10]) + b'touch PWNED' + bytes([10]))}\n"
        "  hash: md5\n  path: ../outside/evil.sh\n"
    )
    os.symlink("../outside", att / "door")
    (att / "door.dvc").write_text(f"outs:\n- md5: {md5(GOOD)}\n  hash: md5\n  path: door/x.txt\n")
    plant(store, GOOD)
    commit_all(att, "hostile")
    before = tree_state(world.outside)
    ok("install", "--global", cwd=world.base)
    victim = world.base / "victim"
    proc = subprocess.run(
        ["git", "clone", "-q", str(att), str(victim)],
        cwd=world.base,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "stagecore post-checkout" in proc.stderr, proc.stderr  # the template's hook ran, and refused
    assert_untouched(world, before)
    assert not (world.base / "PWNED").exists()
