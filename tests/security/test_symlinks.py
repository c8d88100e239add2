"""Symlinks committed into a repository are data, never a door (issue 8).

An "attacker" repository, with committed symlinks and objects planted on a local directory
data remote, is cloned, pulled, checked out and rebased by a victim whose hooks are
installed; the victim also runs the CLI on it. A canary directory and a secret file lie
beside the work tree: nothing outside may change (names, bytes, modes), nothing outside may
be deleted, nothing from outside may enter the cache, every refusal is one clear line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from stagecore.core.tree import manifest_bytes, manifest_hash
from tests.helpers import clean_env, git, refused, run_cli

SECRET = b"TOP SECRET: the victim's private key\n"
CANARY = b"canary\n"


class World(NamedTuple):
    base: Path
    attacker: Path
    bare: Path
    store: Path
    outside: Path
    hooks: Path


def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def snapshot(top: Path) -> dict[str, tuple[bytes | None, int]]:
    found: dict[str, tuple[bytes | None, int]] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            found[str(path.relative_to(top))] = (
                path.read_bytes() if stat.S_ISREG(st.st_mode) else None,
                st.st_mode,
            )
    return found


def cached(root: Path, data: bytes) -> bool:
    md5 = hashlib.md5(data).hexdigest()
    return (root / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).exists()


def plant(store: Path, data: bytes, suffix: str = "") -> str:
    md5 = hashlib.md5(data).hexdigest() + suffix
    dest = store / "files/md5" / md5[:2] / md5[2:]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return md5


def plant_dir(store: Path, files: dict[str, bytes]) -> str:
    tree = {rel: plant(store, data) for rel, data in files.items()}
    data = manifest_bytes(tree)
    assert manifest_hash(data, "md5").value == plant(store, data, ".dir")
    return hashlib.md5(data).hexdigest() + ".dir"


def dvc_file(path: str, md5: str, nfiles: int | None = None) -> str:
    extra = f"  nfiles: {nfiles}\n" if nfiles is not None else ""
    return f"outs:\n- md5: {md5}\n{extra}  hash: md5\n  path: {path}\n"


def commit_all(repo: Path, message: str, *force: str) -> None:
    git("add", "-A", cwd=repo)
    if force:
        git("add", "-f", *force, cwd=repo)
    proc = gitp("commit", "-qm", message, cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def world(tmp_path: Path) -> World:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "keep.txt").write_bytes(CANARY)
    (outside / "sub/deep.txt").write_bytes(b"deep canary\n")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    store, bare, attacker, home = (tmp_path / n for n in ("store", "origin.git", "attacker", "hookhome"))
    store.mkdir()
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    for repo in (attacker, home):
        repo.mkdir()
        git("init", "-q", cwd=repo)
        ok("init", "-q", cwd=repo)
    ok("install", cwd=home)  # real hook shims, used by the victim's `git clone`
    (attacker / ".dvc/config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {store}\n"
    )
    (attacker / "README").write_text("a harmless project\n")
    commit_all(attacker, "init")
    git("remote", "add", "origin", str(bare), cwd=attacker)
    git("push", "-q", "origin", "main", cwd=attacker)
    return World(tmp_path, attacker, bare, store, outside, home / ".git/hooks")


def clone(world: World, name: str = "victim") -> tuple[Path, subprocess.CompletedProcess[str]]:
    victim = world.base / name
    proc = subprocess.run(
        ["git", "-c", f"core.hooksPath={world.hooks}", "clone", "-q", str(world.bare), str(victim)],
        cwd=world.base,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return victim, proc


def hook_refusal(proc: subprocess.CompletedProcess[str], hook: str, *needles: str) -> None:
    """A post-* hook reports the refusal in one ERROR line and lets git finish (exit 0)."""
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert f"stagecore {hook}:" in proc.stderr, proc.stderr
    hits = [line for line in proc.stderr.splitlines() if all(needle in line for needle in needles)]
    assert len(hits) == 1, proc.stderr


# ------------------------------------------------------------------ writes through symlinks


def test_clone_pull_checkout_never_write_through_a_symlinked_output(world: World) -> None:
    before = snapshot(world.outside)
    os.symlink("../outside", world.attacker / "data")  # a directory output whose root is a link out
    md5 = plant_dir(world.store, {"pwn.txt": b"pwned\n", "keep.txt": b"attacker\n", "sub/deep.txt": b"x\n"})
    (world.attacker / "data.dvc").write_text(dvc_file("data", md5, 3))
    commit_all(world.attacker, "data", "data")
    git("push", "-q", "origin", "main", cwd=world.attacker)

    victim, proc = clone(world)  # post-checkout runs on the new work tree
    hook_refusal(proc, "post-checkout", "output 'data'", "symlink 'data'", "outside the work tree")
    assert snapshot(world.outside) == before
    refused(run_cli("pull", cwd=victim), "output 'data'", "symlink 'data'", "outside the work tree")
    # --force would once stash the canary files into the cache and delete them outside
    proc = run_cli("checkout", "--force", cwd=victim)
    line = refused(proc, "output 'data'", "symlink 'data'")
    assert "hint: remove or replace the symlink 'data'" in proc.stderr, line
    assert snapshot(world.outside) == before
    assert not cached(victim, CANARY) and not cached(victim, b"deep canary\n")


def test_git_pull_never_writes_below_a_symlink_inside_a_tracked_directory(world: World) -> None:
    before = snapshot(world.outside)
    (world.attacker / "data").mkdir()
    md5 = plant_dir(world.store, {"a.txt": b"fine\n"})
    (world.attacker / "data.dvc").write_text(dvc_file("data", md5, 1))
    (world.attacker / ".gitignore").write_text("/data\n")
    commit_all(world.attacker, "benign data")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    victim, proc = clone(world)
    assert (victim / "data/a.txt").read_bytes() == b"fine\n", proc.stderr
    ok("install", cwd=victim)

    os.symlink("../../outside", world.attacker / "data/sub")
    md5 = plant_dir(
        world.store, {"a.txt": b"fine v2\n", "sub/pwn.txt": b"pwned\n", "sub/keep.txt": b"attacker\n"}
    )
    (world.attacker / "data.dvc").write_text(dvc_file("data", md5, 3))
    commit_all(world.attacker, "hostile data", "data/sub")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    proc = gitp("pull", "-q", "--no-rebase", "origin", "main", cwd=victim)  # post-merge
    hook_refusal(proc, "post-merge", "output 'data'", "2 file(s) below the symlink 'data/sub'")
    assert (victim / "data/a.txt").read_bytes() == b"fine v2\n"  # the rest was checked out
    assert snapshot(world.outside) == before
    proc = run_cli("checkout", "--force", cwd=victim)
    refused(proc, "below the symlink 'data/sub' inside the tracked directory", "'data/sub/keep.txt'")
    assert snapshot(world.outside) == before
    assert not cached(victim, CANARY)


def test_git_checkout_never_writes_into_git_through_a_symlink(world: World) -> None:
    victim, _ = clone(world)
    ok("install", cwd=victim)
    hooks_before = snapshot(victim / ".git/hooks")
    git("checkout", "-qb", "evil", cwd=world.attacker)
    os.symlink(".git/hooks", world.attacker / "tools")  # a file output below a link into .git
    md5 = plant(world.store, b"#!/bin/sh\ntouch PLANTED\n")
    (world.attacker / "tools.dvc").write_text(
        dvc_file("tools/post-commit", md5).replace("hash: md5", "isexec: true\n  hash: md5")
    )
    commit_all(world.attacker, "evil", "tools")
    git("push", "-q", "origin", "evil", cwd=world.attacker)
    git("fetch", "-q", "origin", cwd=victim)
    proc = gitp("checkout", "-q", "evil", cwd=victim)
    hook_refusal(proc, "post-checkout", "output 'tools/post-commit'", "symlink 'tools'", "into .git")
    assert snapshot(victim / ".git/hooks") == hooks_before
    assert not (victim / ".git/hooks/post-commit").exists()
    refused(run_cli("checkout", "--force", cwd=victim), "output 'tools/post-commit'", "symlink 'tools'")
    assert snapshot(victim / ".git/hooks") == hooks_before


def test_rebase_with_a_committed_cache_dir_outside_writes_nothing_there(world: World) -> None:
    md5 = plant(world.store, b"model v1\n")
    (world.attacker / "model.bin.dvc").write_text(dvc_file("model.bin", md5))
    (world.attacker / ".gitignore").write_text("/model.bin\n")
    commit_all(world.attacker, "model")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    victim, _ = clone(world)
    ok("install", cwd=victim)
    (victim / "notes.md").write_text("mine\n")
    commit_all(victim, "notes")

    config = world.attacker / ".dvc/config"
    config.write_text(config.read_text() + "[cache]\n    dir = ../../outside/cache\n")
    (world.attacker / "model.bin.dvc").write_text(dvc_file("model.bin", plant(world.store, b"model v2\n")))
    commit_all(world.attacker, "cache elsewhere")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    before = snapshot(world.outside)
    proc = gitp("pull", "-q", "--rebase", "origin", "main", cwd=victim)  # post-rewrite
    hook_refusal(proc, "post-rewrite", "cache.dir '../../outside/cache'", "outside the work tree")
    assert "stagecore config --local cache.dir" in proc.stderr
    assert snapshot(world.outside) == before
    proc = run_cli("pull", cwd=victim)
    refused(proc, "cache.dir '../../outside/cache'", "committed config", code=251)
    assert (
        f"hint: if you meant to use that cache, confirm it locally: stagecore config --local cache.dir "
        f"{world.outside.resolve() / 'cache'}" in proc.stderr
    )
    assert snapshot(world.outside) == before
    # the user who does share that cache says so locally: then it is used
    ok("config", "--local", "cache.dir", str(world.outside / "cache"), cwd=victim)
    ok("pull", "--force", cwd=victim)  # v1 is not in that cache yet: saved there, then replaced
    assert (victim / "model.bin").read_bytes() == b"model v2\n"
    assert (world.outside / "cache/files/md5").is_dir()


# ------------------------------------------------------------------ reads through symlinks


@pytest.fixture
def victim(world: World) -> Path:
    victim, _ = clone(world)
    return victim


def test_add_commit_status_refuse_reading_through_links_out(victim: Path, world: World) -> None:
    data = victim / "data"
    data.mkdir()
    (data / "a.txt").write_text("mine\n")
    (victim / "real.txt").write_text("inside content\n")
    os.symlink("../real.txt", data / "alias")  # a link to a file inside the tree stays content
    ok("add", "data", cwd=victim)
    assert cached(victim, b"inside content\n")
    os.symlink("../../secret.txt", data / "leak")
    refused(run_cli("commit", "-f", cwd=victim), "'data/leak' is a symlink to", "secret.txt", "not read")
    refused(run_cli("status", cwd=victim), "'data/leak' is a symlink to")
    (data / "leak").unlink()
    os.symlink("../.git/config", data / "leak")  # into .git: refused as well
    refused(run_cli("add", "data", cwd=victim), "'data/leak' is a symlink to", ".git/config")
    os.symlink("../secret.txt", victim / "key.txt")
    refused(run_cli("add", "key.txt", cwd=victim), "'key.txt' is a symlink to", "secret.txt")
    assert not cached(victim, SECRET)
    assert not (victim / "key.txt.dvc").exists()


def test_params_and_vars_files_linked_out_are_never_read(victim: Path, world: World) -> None:
    (world.base / "params-out.yaml").write_text("token: hunter2\n")
    os.symlink("../params-out.yaml", victim / "params.yaml")
    (victim / "dvc.yaml").write_text("stages:\n  train:\n    cmd: echo hi\n    params:\n    - token\n")
    for args, code in ((("params", "diff"), 1), (("repro", "--dry"), 255), (("status",), 1)):
        proc = run_cli(*args, cwd=victim)
        line = refused(proc, "parameters file 'params.yaml' is a symlink to", "params-out.yaml", code=code)
        assert "hunter2" not in proc.stdout + proc.stderr, line
    (victim / "params.yaml").unlink()
    (victim / "params.yaml").write_text("token: fine\n")
    os.symlink("../params-out.yaml", victim / "vars.yaml")
    (victim / "dvc.yaml").write_text("vars:\n- vars.yaml\nstages:\n  train:\n    cmd: echo ${token}\n")
    for args, code in ((("repro", "--dry"), 255), (("status",), 1)):
        proc = run_cli(*args, cwd=victim)
        refused(proc, "'vars.yaml' is a symlink to", "params-out.yaml", code=code)
        assert "hunter2" not in proc.stdout + proc.stderr


# ------------------------------------------------------------------ repository layout


def test_committed_layout_symlinks_are_refused_own_links_honoured(world: World) -> None:
    (world.outside / "cache").mkdir()
    (world.outside / "tmp").mkdir()
    before = snapshot(world.outside)
    shutil.rmtree(world.attacker / ".dvc/cache", ignore_errors=True)
    os.symlink("../../outside/cache", world.attacker / ".dvc/cache")
    (world.attacker / "model.bin.dvc").write_text(dvc_file("model.bin", plant(world.store, b"model\n")))
    commit_all(world.attacker, "cache elsewhere", ".dvc/cache")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    victim, proc = clone(world)  # post-checkout would fetch into the linked cache
    hook_refusal(proc, "post-checkout", "'.dvc/cache' is a symlink committed into git")
    proc = run_cli("pull", cwd=victim)
    refused(proc, "'.dvc/cache' is a symlink committed into git (to '../../outside/cache')")
    assert "git rm --cached '.dvc/cache'" in proc.stderr
    assert snapshot(world.outside) == before

    os.unlink(world.attacker / ".dvc/cache")
    shutil.rmtree(world.attacker / ".dvc/tmp", ignore_errors=True)
    os.symlink("../../outside/tmp", world.attacker / ".dvc/tmp")  # lock and state db elsewhere
    commit_all(world.attacker, "tmp elsewhere", ".dvc/tmp")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    victim, proc = clone(world, "victim2")
    hook_refusal(proc, "post-checkout", "'.dvc/tmp' is a symlink committed into git")
    for args in (("status",), ("pull",)):
        proc = run_cli(*args, cwd=victim)
        refused(proc, "'.dvc/tmp' is a symlink committed into git")
        assert "git rm --cached '.dvc/tmp'" in proc.stderr
    assert snapshot(world.outside) == before

    os.unlink(world.attacker / ".dvc/tmp")
    (world.attacker / ".dvc/tmp").mkdir()
    os.symlink("../../../outside/planted.sqlite", world.attacker / ".dvc/tmp/stagecore-state.sqlite")
    commit_all(world.attacker, "state db elsewhere", ".dvc/tmp/stagecore-state.sqlite")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    victim, proc = clone(world, "victim3")
    hook_refusal(proc, "post-checkout", "'.dvc/tmp/stagecore-state.sqlite' is a symlink committed into git")
    refused(run_cli("pull", cwd=victim), "'.dvc/tmp/stagecore-state.sqlite' is a symlink committed into git")
    assert snapshot(world.outside) == before

    # the user's own (untracked) link is honoured: a cache on another disk
    own = world.base / "own"
    own.mkdir()
    git("init", "-q", cwd=own)
    ok("init", "-q", cwd=own)
    (world.base / "bigdisk").mkdir()
    shutil.rmtree(own / ".dvc/cache", ignore_errors=True)
    os.symlink("../../bigdisk", own / ".dvc/cache")
    (own / "f.txt").write_text("content\n")
    ok("add", "f.txt", cwd=own)
    md5 = hashlib.md5(b"content\n").hexdigest()
    assert (world.base / "bigdisk/files/md5" / md5[:2] / md5[2:]).exists()


def test_output_inside_a_cache_dir_in_the_tree_is_refused(victim: Path, world: World) -> None:
    ok("config", "cache.dir", "mycache", cwd=victim)  # committed, inside the work tree: allowed
    (victim / "f.txt").write_text("content\n")
    ok("add", "f.txt", cwd=victim)
    md5 = hashlib.md5(b"content\n").hexdigest()
    obj = victim / "mycache/files/md5" / md5[:2] / md5[2:]
    assert obj.read_bytes() == b"content\n"
    poison = plant(world.store, b"poison\n")
    rel = f"mycache/files/md5/{md5[:2]}/{md5[2:]}"
    (victim / "evil.dvc").write_text(dvc_file(rel, poison))
    ok("fetch", "evil.dvc", cwd=victim)
    proc = run_cli("checkout", "--force", "evil.dvc", cwd=victim)
    refused(proc, f"output '{rel}' lies into the cache directory")
    assert obj.read_bytes() == b"content\n"


# ------------------------------------------------------------------ at write time


def _dir_repo(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_bytes(CANARY)
    git("init", "-q", cwd=root)
    ok("init", "-q", cwd=root)
    return root, outside


def test_link_swapped_in_after_the_check_is_not_followed(tmp_path: Path) -> None:
    """The output's place is checked, then (inside measure, i.e. between check and write) a
    directory is replaced by a link out: the O_NOFOLLOW walk refuses it, nothing is written."""
    from stagecore.core.hashinfo import HashInfo, Meta
    from stagecore.ops import outs
    from stagecore.repo import Repo
    from stagecore.storage.fsguard import SymlinkEscapeError

    root, outside = _dir_repo(tmp_path)
    (root / "data/sub").mkdir(parents=True)
    (root / "data/a.txt").write_text("a\n")
    (root / "data/sub/b.txt").write_text("b\n")
    (root / "models").mkdir()
    (root / "models/m.bin").write_text("v1\n")
    ok("add", "data", "models/m.bin", cwd=root)
    data_md5 = (root / "data.dvc").read_text().split("md5: ")[1].split()[0]
    before = snapshot(outside)

    def swap_after(repo: Repo, rel: str, link: str) -> None:
        original = repo.workspace.measure

        def measure(path: str, name: str = "md5"):
            found = original(path, name)
            if os.path.isdir(root / rel) and not os.path.islink(root / rel):
                os.rename(root / rel, tmp_path / f"moved-{rel.replace('/', '-')}")
                os.symlink(link, root / rel)
            return found

        repo.workspace.measure = measure  # type: ignore[method-assign]

    (root / "data/a.txt").write_text("changed\n")  # so that data is measured, then rewritten
    (root / "data/sub/b.txt").unlink()  # to be written again, below what becomes a link
    with Repo(str(root)) as repo:
        swap_after(repo, "data/sub", "../../outside")
        with pytest.raises(SymlinkEscapeError, match="below the symlink 'data/sub'"):
            outs.checkout(repo, "data", HashInfo("md5", data_md5), Meta(), force=True)
    assert (root / "data/a.txt").read_text() == "a\n"
    assert snapshot(outside) == before

    (root / "models/m.bin").unlink()
    (root / "models/m.bin").write_text("v2\n")
    m_md5 = hashlib.md5(b"v1\n").hexdigest()
    with Repo(str(root)) as repo:
        swap_after(repo, "models", "../outside")
        with pytest.raises(SymlinkEscapeError, match="'models' is a symlink"):
            outs.checkout(repo, "models/m.bin", HashInfo("md5", m_md5), Meta(), force=True)
    assert snapshot(outside) == before


def test_dir_handles_never_follow_a_symlink(tmp_path: Path) -> None:
    from stagecore.storage.fsguard import DirHandles, NotFollowed

    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "a/b").mkdir(parents=True)
    (outside / "empty").mkdir(parents=True)
    (outside / "keep.txt").write_bytes(CANARY)
    os.symlink("../outside", root / "link")
    before = snapshot(outside)
    with DirHandles(str(root)) as dirs:
        assert dirs.open("a/b", create=False) is not None
        assert dirs.open("a/new/deeper", create=True) is not None and (root / "a/new/deeper").is_dir()
        for reldir in ("link", "link/empty", "link/made"):
            with pytest.raises(NotFollowed) as info:
                dirs.open(reldir, create=True)
            assert info.value.where == "link" and info.value.is_link
        with pytest.raises(NotFollowed):
            dirs.remove_file("link/keep.txt")
        dirs.remove_tree("link")  # the link itself goes, never what it points to
        dirs.prune_empty("a")
    assert not os.path.lexists(root / "link")
    assert not (root / "a/new").exists() and not (root / "a/b").exists()
    assert snapshot(outside) == before


def test_deleting_an_output_never_follows_a_symlinked_parent(tmp_path: Path) -> None:
    from stagecore.ops import outs
    from stagecore.repo import Repo
    from stagecore.storage.fsguard import SymlinkEscapeError

    root, outside = _dir_repo(tmp_path)
    os.symlink("../outside", root / "out")
    (root / "real/sub").mkdir(parents=True)
    (root / "real/sub/f.txt").write_text("f\n")
    os.symlink("real", root / "alias")
    before = snapshot(outside)
    with Repo(str(root)) as repo:
        with pytest.raises(SymlinkEscapeError, match="the symlink 'out' leads outside the work tree"):
            outs.delete(repo, "out/keep.txt")
        outs.delete(repo, "alias")  # the link goes, not the directory it points to
        assert not os.path.lexists(root / "alias") and (root / "real/sub/f.txt").exists()
        outs.delete(repo, "real")
    assert not (root / "real").exists()
    assert snapshot(outside) == before


def test_repro_refuses_to_cache_an_output_linked_out(victim: Path) -> None:
    (victim / "dvc.yaml").write_text(
        "stages:\n  grab:\n    cmd: mkdir -p out && ln -sf ../../secret.txt out/leak\n    outs:\n    - out\n"
    )
    proc = run_cli("repro", cwd=victim)
    refused(proc, "'out/leak' is a symlink to", "secret.txt", code=255)
    assert not cached(victim, SECRET)
    assert not (victim / "dvc.lock").exists()


def test_a_committed_config_local_cannot_move_the_cache_out(world: World) -> None:
    (world.attacker / "model.bin.dvc").write_text(dvc_file("model.bin", plant(world.store, b"model\n")))
    (world.attacker / ".dvc/config.local").write_text("[cache]\n    dir = ../../outside/cache\n")
    commit_all(world.attacker, "local config, committed", ".dvc/config.local")
    git("push", "-q", "origin", "main", cwd=world.attacker)
    before = snapshot(world.outside)
    victim, proc = clone(world)
    hook_refusal(proc, "post-checkout", "'.dvc/config.local', which is committed into git")
    proc = run_cli("pull", cwd=victim)
    refused(proc, "cache.dir '../../outside/cache' in '.dvc/config.local', which is committed", code=251)
    assert "hint: remove it from git (git rm --cached .dvc/config.local)" in proc.stderr
    assert snapshot(world.outside) == before
    assert not (victim / "model.bin").exists()
