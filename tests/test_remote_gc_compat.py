"""Remotes, transfers, gc and config, side by side with real DVC 3.67.1 (issue 10).

Each twin is a directory holding a git+DVC repository (`repo/`) and its own directory remotes
(`r1/`, `r2/`); remote urls are relative (`../r1`), so both sides' config files are byte-comparable.
One side is driven by real DVC, the other by stagecore; we compare exit codes, output, the object
sets of the cache and of each remote, and the config files. The pre-push hook is tested through a
real `git push`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_dvc, sc

MISSING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:"


def objects(store: Path) -> set[str]:
    """Object names (`ab/cdef...`, `.dir` kept) under `files/md5` of a cache or a directory remote."""
    base = store / "files" / "md5"
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()} if base.exists() else set()


def md5_of(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _name(text: str) -> str:
    """The object name (as `objects` lists it) of a file holding `text`."""
    md5 = md5_of(text)
    return f"{md5[:2]}/{md5[2:]}"


@dataclass
class Twins:
    theirs: Path  # twin driven by real DVC (holds repo/, r1/, r2/)
    ours: Path  # twin driven by stagecore

    def sides(self):
        return (("theirs", self.theirs / "repo"), ("ours", self.ours / "repo"))

    def run(self, side: str, *args: str, sub: str = "") -> subprocess.CompletedProcess[str]:
        root = (self.theirs if side == "theirs" else self.ours) / "repo" / sub
        return run_dvc(*args, cwd=root) if side == "theirs" else sc(*args, cwd=root)

    def both(self, *args: str, sub: str = "", out: bool = True) -> tuple:
        """Run on both sides: same exit code, same stdout (paths normalised) when `out`."""
        theirs, ours = self.run("theirs", *args, sub=sub), self.run("ours", *args, sub=sub)
        label = f"{args!r}\nDVC: {theirs.stdout}{theirs.stderr}\nours: {ours.stdout}{ours.stderr}"
        assert ours.returncode == theirs.returncode, label
        assert "Traceback" not in ours.stderr, label
        if out:
            assert self.norm(ours.stdout, "ours") == self.norm(theirs.stdout, "theirs"), label
        return theirs, ours

    def norm(self, text: str, side: str) -> str:
        root = self.theirs if side == "theirs" else self.ours
        lines = text.replace(str(root), "<twin>").splitlines()
        return "\n".join(" ".join(line.split()) for line in lines)  # tabs expand by path length

    def same_objects(self, *stores: str) -> None:
        for rel in stores:
            theirs, ours = objects(self.theirs / rel), objects(self.ours / rel)
            assert ours == theirs, f"{rel}: DVC has {sorted(theirs)}, we have {sorted(ours)}"

    def same_files(self, *rels: str) -> None:
        for rel in rels:
            theirs, ours = self.theirs / "repo" / rel, self.ours / "repo" / rel
            assert ours.exists() == theirs.exists(), rel
            if theirs.exists():
                assert ours.read_bytes() == theirs.read_bytes(), f"{rel} differs"

    def each(self, action) -> None:
        for _, repo in self.sides():
            action(repo)


@pytest.fixture
def twins(tmp_path: Path, dvc_bin: Path) -> Twins:
    for side in ("theirs", "ours"):
        repo = tmp_path / side / "repo"
        repo.mkdir(parents=True)
        git("init", "-q", cwd=repo)
        proc = run_dvc("init", "-q", cwd=repo)
        assert proc.returncode == 0, proc.stderr
    return Twins(tmp_path / "theirs", tmp_path / "ours")


def _with_remotes(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "r1", "../r1")
    twins.both("remote", "add", "r2", "../r2")
    twins.same_files(".dvc/config")


def _set_remote(dvcfile: Path, out: str, remote: str) -> None:
    text = dvcfile.read_text()
    assert f"  path: {out}\n" in text
    dvcfile.write_text(text.replace(f"  path: {out}\n", f"  path: {out}\n  remote: {remote}\n"))


def _tracked(twins: Twins) -> None:
    """a (default remote) and dir dd (its .dvc names remote r2), committed to git."""
    def make(repo: Path) -> None:
        (repo / "a").write_text("a\n")
        (repo / "dd").mkdir()
        (repo / "dd" / "c").write_text("c\n")
        (repo / "dd" / "d").write_text("d\n")
    twins.each(make)
    twins.both("add", "a", "dd", out=False)
    twins.each(lambda repo: _set_remote(repo / "dd.dvc", "dd", "r2"))
    twins.same_files("a.dvc", "dd.dvc")


# -- per-output remote ---------------------------------------------------------------------------
@pytest.mark.slow
def test_per_output_remote_is_honoured_by_push_fetch_pull_and_status(twins: Twins) -> None:
    """dvc/repo/fetch.py _collect_indexes: an out's remote wins; with -r NAME, outs naming another
    remote are left out. dvc/repo/status.py _cloud_status: outs with their own remote are not listed."""
    _with_remotes(twins)
    _tracked(twins)
    twins.both("status", "-c")  # 'new: a' only: dd names its own remote
    twins.both("push", "-r", "r1")  # '1 file pushed': dd is left out
    twins.same_objects("r1", "r2")
    assert len(objects(twins.ours / "r1")) == 1 and not objects(twins.ours / "r2")
    theirs, ours = twins.both("push")  # dd's 3 objects go to r2, a is already on r1
    assert ours.stdout == "3 files pushed\n"
    twins.same_objects("r1", "r2")
    assert len(objects(twins.ours / "r2")) == 3
    twins.each(lambda repo: shutil.rmtree(repo / ".dvc" / "cache"))
    twins.both("status", "-c")
    theirs, ours = twins.both("fetch")
    assert ours.stdout == "3 files fetched\n"  # DVC does not count dd's manifest (read from r2 while collecting)
    twins.same_objects("repo/.dvc/cache")
    twins.each(lambda repo: (shutil.rmtree(repo / ".dvc" / "cache"), shutil.rmtree(repo / "dd"), os.remove(repo / "a")))
    twins.both("pull", out=False)
    twins.same_files("a", "dd/c", "dd/d")
    twins.same_objects("repo/.dvc/cache")


def test_push_r_naming_the_outputs_remote_sends_everything_there(twins: Twins) -> None:
    _with_remotes(twins)
    _tracked(twins)
    theirs, ours = twins.both("push", "-r", "r2")
    assert ours.stdout == "4 files pushed\n"
    twins.same_objects("r1", "r2")
    twins.each(lambda repo: _set_remote(repo / "a.dvc", "a", "nope"))
    theirs, ours = twins.both("push")  # an out naming a remote that does not exist: refused
    assert "remote 'nope' doesn't exist" in ours.stderr and "remote 'nope' doesn't exist" in theirs.stderr


# -- objects missing everywhere -----------------------------------------------------------------
def test_objects_missing_everywhere_warn_and_exit_0(twins: Twins) -> None:
    """test_data_cloud.py: push/fetch with missing cache files warn, the rest is transferred."""
    twins.both("remote", "add", "-d", "r1", "../r1")

    def make(repo: Path) -> None:
        for name in ("a", "b"):
            (repo / name).write_text(f"{name}\n")
        for name, files in (("dd", "cd"), ("ee", "e")):
            (repo / name).mkdir()
            for f in files:
                (repo / name / f).write_text(f"{f}\n")
    twins.each(make)
    twins.both("add", "a", "b", "dd", "ee", out=False)
    dd_dir = (twins.ours / "repo" / "dd.dvc").read_text().split("md5: ")[1].split("\n")[0]
    gone = [md5_of("a\n"), md5_of("b\n"), dd_dir]

    def drop(repo: Path) -> None:
        for value in gone:
            (repo / ".dvc/cache/files/md5" / value[:2] / value[2:]).unlink()
    twins.each(drop)
    want = sorted(f"md5: {value}" for value in gone)
    for command, done in (("push", "2 files pushed\n"), ("push", "Everything is up to date.\n")):
        theirs, ours = twins.both(command)
        assert (ours.returncode, ours.stdout) == (0, done)
        for proc in (theirs, ours):
            lines = proc.stderr.splitlines()
            assert lines[0] == MISSING and sorted(lines[1:]) == want, proc.stderr
    twins.same_objects("r1")
    twins.each(lambda repo: shutil.rmtree(repo / ".dvc" / "cache"))
    # status -c: by status (deleted, new, missing); dd, whose manifest is nowhere, is a warning, not a line
    for args in (("status", "-c"), ("status", "-c", "--json")):  # DVC's order inside a status is a set's
        theirs, ours = twins.both(*args, out=False)
        assert ours.stderr == theirs.stderr == f"{MISSING}\nname: None, md5: {dd_dir}\n"
        if "--json" not in args:
            assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == {"ee/e": "deleted", "a": "missing", "b": "missing"}
    assert list(json.loads(ours.stdout))[0] == "ee/e"  # deleted, then new, then missing
    for done in ("1 file fetched\n", "Everything is up to date.\n"):  # status -c fetched ee's manifest
        theirs, ours = twins.both("fetch")
        assert (ours.returncode, ours.stdout) == (0, done)
        for proc in (theirs, ours):
            lines = proc.stderr.splitlines()
            assert lines[0] == MISSING and sorted(lines[1:]) == want, proc.stderr
    twins.same_objects("repo/.dvc/cache")


# -- transfer flags -----------------------------------------------------------------------------
@pytest.mark.slow
def test_push_scope_flags_with_deps_recursive_glob_jobs_run_cache(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "r1", "../r1")

    def make(repo: Path) -> None:
        (repo / "raw").write_text("raw\n")
        (repo / "sub").mkdir()
        (repo / "sub" / "x").write_text("x\n")
        (repo / "sub" / "y").write_text("y\n")
        (repo / "dvc.yaml").write_text("stages:\n  proc:\n    cmd: cp raw out\n    deps:\n    - raw\n    outs:\n    - out\n")
    twins.each(make)
    twins.both("add", "raw", out=False)
    twins.both("add", "sub/x", "sub/y", out=False)
    twins.both("repro", out=False)
    twins.both("push", "proc", "--no-run-cache", "-j", "2")  # out only
    twins.same_objects("r1")
    assert objects(twins.ours / "r1") == {_name("raw\n")}
    twins.both("push", "-d", "proc")  # and what it depends on: nothing new (out == raw)
    twins.same_objects("r1")
    twins.both("push", "-R", "sub")
    twins.same_objects("r1")
    assert len(objects(twins.ours / "r1")) == 3
    twins.each(lambda repo: shutil.rmtree(repo.parent / "r1"))
    twins.both("push", "--glob", "sub/*.dvc")
    twins.same_objects("r1")
    assert len(objects(twins.ours / "r1")) == 2
    theirs, ours = twins.both("push", "--glob", "nomatch*")
    assert "Glob ['nomatch*'] has no matches." in ours.stderr and "has no matches" in theirs.stderr
    twins.both("fetch", "-R", "sub", "-d", "--run-cache")
    theirs, ours = twins.both("push", "--run-cache")  # DVC counts every run-cache entry
    assert ours.stdout == "2 files pushed\n"  # out (== raw) and proc's entry
    twins.same_objects("r1")
    runs = [sorted(p.relative_to(side / "r1").as_posix() for p in (side / "r1" / "runs").rglob("*") if p.is_file())
            for side in (twins.theirs, twins.ours)]
    assert runs[0] == runs[1] and len(runs[1]) == 1


# -- config and remotes -------------------------------------------------------------------------
def test_config_sections_are_written_in_dvcs_order(twins: Twins) -> None:
    """[cache] and every other plain section before the remotes, byte for byte."""
    for args in (("remote", "add", "-d", "r1", "../r1"), ("config", "cache.type", "copy"),
                 ("remote", "add", "r2", "../r2"), ("config", "state.row_limit", "10"),
                 ("config", "cache.dir", "../cachex"), ("config", "--local", "core.remote", "r2")):
        twins.both(*args)
        twins.same_files(".dvc/config", ".dvc/config.local")
    text = (twins.ours / "repo" / ".dvc/config").read_text()
    assert text.index("[cache]") < text.index("['remote \"r1\"']") < text.index("['remote \"r2\"']")
    hand = "['remote \"a\"']\n    url = /tmp/a\n[cache]\n    type = copy\n['machine \"m\"']\n    cloud = aws\n[core]\n"
    twins.each(lambda repo: (repo / ".dvc/config").write_text(hand + "    remote = a\n"))
    twins.both("config", "core.autostage", "true")
    twins.same_files(".dvc/config")


def test_config_list_show_origin_levels_and_errors(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "r1", "../r1")
    twins.both("config", "cache.dir", "../cachex")
    twins.both("config", "--local", "core.remote", "r1")
    for args in (("--list", "--show-origin"), ("-l", "--project"), ("--show-origin", "core.remote"),
                 ("remote.r1.url",), ("cache.dir",), ("core.nope",)):
        twins.both("config", *args)
    for args, code in ((("--local", "core.nope"), 251), (("--project", "remote.zz.url"), 251),
                       (("core.nope", "1"), 251), (("-l", "core.remote"), 1), ((), 1), (("-l", "x"), 254)):
        theirs, ours = twins.both("config", *args, out=False)  # DVC prints its whole help on a bad name
        assert ours.returncode == code and ours.stdout == "", ours.stdout
        err = [line for line in ours.stderr.splitlines() if line.startswith("ERROR:")]
        assert err == [line for line in theirs.stderr.splitlines() if line.startswith("ERROR:")], args


def test_remote_commands_print_as_dvc(twins: Twins) -> None:
    """(more in test_remote_config.py)"""
    for args in (("remote", "add", "-d", "r1", "../r1"), ("remote", "add", "r2", "../r2"),
                 ("remote", "default", "--unset"), ("remote", "default"), ("remote", "modify", "r1", "jobs", "4"),
                 ("remote", "rename", "r1", "r3"), ("remote", "rename", "r3", "r2"), ("remote", "remove", "r3"),
                 ("remote", "add", "--local", "rl", "../rl"), ("remote", "default", "--local", "rl"),
                 ("remote", "list")):
        twins.both(*args)
        twins.same_files(".dvc/config", ".dvc/config.local")


# -- gc -----------------------------------------------------------------------------------------
def _history(twins: Twins) -> None:
    """Four commits of `a` (v1..v4, committed on the 10th of months 1..4 of 2024), pushed; v5 in the workspace.
    The remote url is absolute: DVC 3.67.1 resolves a relative url read from a git revision against
    '/' (`push -A` with url ../r1 writes the other commits' objects to /r1)."""
    for side, repo in twins.sides():
        assert twins.run(side, "remote", "add", "-d", "r1", str(repo.parent / "r1")).returncode == 0
    for _, repo in twins.sides():
        git("add", "-A", cwd=repo)
        git("commit", "-qm", "init", cwd=repo, env={"GIT_COMMITTER_DATE": "2023-12-01T12:00:00"})
    for i in range(1, 5):
        twins.each(lambda repo, i=i: (repo / "a").write_text(f"v{i}\n"))
        twins.both("add", "a", out=False)
        for _, repo in twins.sides():
            git("add", "-A", cwd=repo)
            git("commit", "-qm", f"c{i}", cwd=repo, env={"GIT_COMMITTER_DATE": f"2024-0{i}-10T12:00:00"})
    twins.both("push", "-A")
    twins.each(lambda repo: (repo / "a").write_text("v5\n"))
    twins.both("add", "a", out=False)


def _gc_lines(proc) -> list[str]:
    return sorted(proc.stdout.splitlines())  # DVC lists objects in directory order


@pytest.mark.slow
def test_gc_revision_selection_dry_and_not_in_remote(twins: Twins) -> None:
    """test_gc.py: -n/--rev/--date/-a select commits as DVC's brancher does; --dry removes nothing."""
    _history(twins)
    for args in (("--rev", "HEAD~1", "-f", "--dry"), ("-a", "-n", "3", "--dry"), ("-T", "--dry"),
                 ("--date", "2024-03-01", "--dry"), ("-w", "--dry", "-c")):
        theirs, ours = twins.both("gc", *args, out=False)
        assert [twins.norm(line, "ours") for line in _gc_lines(ours)] == \
            [twins.norm(line, "theirs") for line in _gc_lines(theirs)], args
        assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0]  # the WARNING naming what is kept
    twins.same_objects("repo/.dvc/cache", "r1")
    assert len(objects(twins.ours / "repo/.dvc/cache")) == 5
    twins.both("gc", "--rev", "HEAD~1", "-n", "2", "-f")
    twins.same_objects("repo/.dvc/cache")
    assert len(objects(twins.ours / "repo/.dvc/cache")) == 3
    twins.both("gc", "--not-in-remote", "-w", "-f")  # v5 is not on r1: kept; the rest can be pulled again
    twins.same_objects("repo/.dvc/cache")
    assert objects(twins.ours / "repo/.dvc/cache") == {_name("v5\n")}
    twins.both("gc", "-w", "-c", "-f")
    twins.same_objects("r1")
    assert not objects(twins.ours / "r1")


def test_gc_arguments_and_prompt(twins: Twins) -> None:
    twins.each(lambda repo: (repo / "a").write_text("a\n"))
    twins.both("add", "a", out=False)
    for _, repo in twins.sides():
        git("add", "-A", cwd=repo)
        git("commit", "-qm", "a", cwd=repo)
    for args in ((), ("-n", "2"), ("-w", "-n", "2"), ("--not-in-remote", "-c", "-w"), ("--rev", "nope", "-f")):
        theirs, ours = twins.both("gc", *args)
        assert ours.returncode == 255
        err = [line for line in ours.stderr.splitlines() if line.startswith("ERROR:")]
        assert err == [line for line in theirs.stderr.splitlines() if line.startswith("ERROR:")], args
    theirs, ours = twins.both("gc", "-w")  # stdin is not a terminal: the question is answered no
    assert ours.returncode == 1 and ours.stdout == theirs.stdout == "Are you sure you want to proceed? [y/n]: "
    twins.same_objects("repo/.dvc/cache")


def test_gc_cloud_collects_each_outputs_remote(twins: Twins) -> None:
    _with_remotes(twins)
    _tracked(twins)
    twins.both("push")
    twins.each(lambda repo: (repo / "dd" / "c").chmod(0o644))
    twins.each(lambda repo: (repo / "dd" / "c").write_text("c2\n"))
    twins.both("add", "dd", out=False)  # both keep dd's `remote: r2`
    twins.same_files("dd.dvc")
    twins.both("push")
    twins.same_objects("r1", "r2")
    twins.both("gc", "-w", "-c", "-f")
    twins.same_objects("repo/.dvc/cache", "r1", "r2")
    assert len(objects(twins.ours / "r2")) == 3


# -- the pre-push hook ----------------------------------------------------------------------------
def test_pre_push_hook_sends_each_output_to_its_remote(tmp_path: Path) -> None:
    """Through a real `git push`: a `.dvc` out and a dvc.yaml out naming remote r2 go there, the
    rest to the default remote; data missing everywhere is still refused (our deliberate rule)."""
    repo, bare = tmp_path / "repo", tmp_path / "origin.git"
    repo.mkdir()
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("init", "-q", cwd=repo)
    for args in (("init", "-q"), ("remote", "add", "-d", "r1", "../r1"), ("remote", "add", "r2", "../r2"),
                 ("install",)):
        assert sc(*args, cwd=repo).returncode == 0
    (repo / "a").write_text("a\n")
    (repo / "b").write_text("b\n")
    (repo / "dvc.yaml").write_text("stages:\n  copy:\n    cmd: cp a made\n    deps:\n    - a\n"
                                   "    outs:\n    - made:\n        remote: r2\n")
    assert sc("add", "a", "b", cwd=repo).returncode == 0
    _set_remote(repo / "b.dvc", "b", "r2")
    assert sc("repro", cwd=repo).returncode == 0
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    git("remote", "add", "origin", str(bare), cwd=repo)
    proc = subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo, env=clean_env(), capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert "3 files pushed" in proc.stderr, proc.stderr  # a and b, and made (== a) to r2 as well
    a, b = _name("a\n"), _name("b\n")
    assert objects(tmp_path / "r1") == {a}  # a; made == a's content goes to r2 as well
    assert objects(tmp_path / "r2") == {a, b}
    (repo / "c").write_text("c\n")
    assert sc("add", "c", cwd=repo).returncode == 0
    _set_remote(repo / "c.dvc", "c", "r2")
    c = repo / ".dvc/cache/files/md5" / md5_of("c\n")[:2] / md5_of("c\n")[2:]
    c.chmod(0o644)
    c.unlink()
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "c", "--no-verify", cwd=repo)  # the pre-commit gate would refuse it too
    proc = subprocess.run(["git", "push", "origin", "main"], cwd=repo, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode != 0 and "refused" in proc.stderr, proc.stderr
    assert f"'c' (md5 {md5_of(chr(99) + chr(10))}) is neither in the cache nor on remote 'r2'" in proc.stderr
