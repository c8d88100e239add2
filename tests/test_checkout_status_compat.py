"""checkout / pull / status against real DVC 3.67.1 in twin repositories, and the post-checkout
hook's removal of outputs a branch switch dropped (issue 10). Every twin test runs the same steps
with `dvc` and with `stagecore` and compares exit codes, printed lines and the workspace."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_dvc, sc

Run = Callable[..., subprocess.CompletedProcess]


def _dvc(*args: str, cwd) -> subprocess.CompletedProcess:
    return run_dvc(*args, cwd=cwd, env=clean_env({"DVC_NO_ANALYTICS": "1"}))


TOOLS: dict[str, Run] = {"dvc": _dvc, "sc": sc}


def _ok(run: Run, *args: str, cwd) -> subprocess.CompletedProcess:
    proc = run(*args, cwd=cwd)
    assert proc.returncode == 0, (args, proc.stdout + proc.stderr)
    return proc


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory):
    """Built once per module, copied by each test (DVC calls are slow): 'fresh' holds two new git
    repositories initialised by DVC and by stagecore; 'pipeline' the same with a data remote each,
    three tracked files, a stage, committed and pushed."""
    base = tmp_path_factory.mktemp("templates")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = T\n\temail = t@t.invalid\n[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as mp:  # the autouse isolation is per test: not in force here
        for key in [k for k in os.environ if k.startswith(("GIT_", "DVC_"))]:
            mp.delenv(key)
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("DVC_SITE_CACHE_DIR", str(base / "site"))
        for name, run in TOOLS.items():
            root = base / "fresh" / name
            root.mkdir(parents=True)
            git("init", "-q", cwd=root)
            _ok(run, "init", "-q", cwd=root)
            git("add", "-A", cwd=root)
            git("commit", "-qm", "init", cwd=root)
            shutil.copytree(root, base / "pipeline" / name, symlinks=True)
        for name, run in TOOLS.items():
            root = base / "pipeline" / name
            _ok(run, "remote", "add", "-q", "-d", "r", str(base / "pipeline" / f"remote-{name}"), cwd=root)
            (root / "d/e").mkdir(parents=True)
            (root / "d/one").write_text("1\n")
            (root / "d/e/two").write_text("2\n")
            (root / "foo").write_text("foo\n")
            _ok(run, "add", "-q", "d/one", "d/e/two", "foo", cwd=root)
            _ok(run, "stage", "add", "-q", "-n", "s1", "-d", "foo", "-o", "bar", "cp foo bar", cwd=root)
            _ok(run, "repro", "-q", "s1", cwd=root)
            git("add", "-A", cwd=root)
            git("commit", "-qm", "pipeline", cwd=root)
            _ok(run, "push", "-q", cwd=root)
    return base


def _copy(templates: Path, kind: str, dest: Path) -> list[tuple[Run, Path]]:
    """The template's twins (and remotes) copied under `dest`, remote URLs pointed at the copies."""
    shutil.copytree(templates / kind, dest / kind, symlinks=True)
    pairs = []
    for name, run in TOOLS.items():
        root = dest / kind / name
        config = root / ".dvc/config"
        config.write_text(config.read_text().replace(str(templates / kind), str(dest / kind)))
        pairs.append((run, root))
    return pairs


@pytest.fixture
def twins(templates: Path, tmp_path: Path):
    """Two fresh git repositories, initialised by DVC and by stagecore: [(run, root)]."""
    return _copy(templates, "fresh", tmp_path)


def _tree(root: Path, under: str = ".") -> list[str]:
    """Workspace paths below `under` (directories with '/'), without .git and .dvc."""
    found = []
    for base, dirs, files in os.walk(root / under):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".dvc"))
        rel = os.path.relpath(base, root)
        if rel != ".":
            found.append(rel + "/")
        found += [os.path.normpath(os.path.join(rel, f)) for f in files]
    return sorted(found)


def _data_dir(root: Path) -> None:
    (root / "data/sub").mkdir(parents=True)
    (root / "data/a").write_text("a\n")
    (root / "data/sub/b").write_text("b\n")
    (root / "data/sub/c").write_text("c\n")


def _both(twins, *args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    (dvc, droot), (ours, sroot) = twins
    return dvc(*args, cwd=droot), ours(*args, cwd=sroot)


def _same(twins, *args: str, code: int = 0) -> str:
    """Run `args` in both; same exit code `code` and same stdout; that stdout."""
    theirs, mine = _both(twins, *args)
    assert theirs.returncode == code, theirs.stdout + theirs.stderr
    assert mine.returncode == code, mine.stdout + mine.stderr
    assert mine.stdout == theirs.stdout, (args, theirs.stdout, mine.stdout, mine.stderr)
    return mine.stdout


# -- outputs a branch switch dropped --------------------------------------------------------------
def _drop_on_branch(twins, *paths: str) -> None:
    for _run, root in twins:
        git("checkout", "-qb", "other", cwd=root)
        git("rm", "-q", *[f"{p}.dvc" for p in paths], cwd=root)
        git("commit", "-qm", "drop", cwd=root)


def test_checkout_removes_outputs_no_dvc_file_names(twins):
    for run, root in twins:
        (root / "foo").write_text("foo\n")
        _data_dir(root)
        (root / "keep").write_text("keep\n")
        _ok(run, "add", "-q", "foo", "data", "keep", cwd=root)
        git("add", "-A", cwd=root)
        git("commit", "-qm", "data", cwd=root)
    _drop_on_branch(twins, "foo", "data")
    assert _same(twins, "checkout") == "D       data/\nD       foo\n"
    for _run, root in twins:
        assert _tree(root) == [".dvcignore", ".gitignore", "keep", "keep.dvc"]
    assert _same(twins, "checkout") == ""  # nothing left to remove


def test_dropped_output_with_unsaved_changes_is_kept(twins):
    for run, root in twins:
        (root / "foo").write_text("foo\n")
        _ok(run, "add", "-q", "foo", cwd=root)
        git("add", "-A", cwd=root)
        git("commit", "-qm", "foo", cwd=root)
        (root / "foo").write_text("edited, never saved\n")
    _drop_on_branch(twins, "foo")
    theirs, mine = _both(twins, "checkout", "--summary")
    assert (theirs.returncode, theirs.stdout) == (mine.returncode, mine.stdout) == (0, "No changes.\n")
    assert mine.stderr.splitlines() == [
        "WARNING: kept data that no .dvc file or dvc.lock tracks any more (its content is not in the cache):",
        "\tfoo", "hint: track it again with `stagecore add`, or delete it (it is no longer git-ignored)"]
    for _run, root in twins:
        assert (root / "foo").read_text() == "edited, never saved\n"


def _hook_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hooked"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    _ok(sc, "init", "-q", cwd=repo)
    _ok(sc, "install", cwd=repo)
    (repo / "foo").write_text("foo\n")
    _data_dir(repo)
    _ok(sc, "add", "-q", "foo", "data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    git("checkout", "-qb", "other", cwd=repo)
    git("rm", "-q", "foo.dvc", "data.dvc", cwd=repo)
    (repo / "bar").write_text("bar\n")
    _ok(sc, "add", "-q", "bar", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "drop foo and data, add bar", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    return repo


def _git_checkout(repo: Path, branch: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "checkout", "-q", branch], cwd=repo, env=clean_env(), capture_output=True,
                          text=True, timeout=60)


def test_post_checkout_hook_removes_outputs_the_new_branch_drops(tmp_path):
    repo = _hook_repo(tmp_path)
    assert _tree(repo, "data") == ["data/", "data/a", "data/sub/", "data/sub/b", "data/sub/c"]
    proc = _git_checkout(repo, "other")
    assert (proc.returncode, proc.stderr) == (0, "A       bar\nD       data/\nD       foo\n")
    assert not (repo / "foo").exists() and not (repo / "data").exists() and (repo / "bar").read_text() == "bar\n"
    assert git("status", "--porcelain", cwd=repo) == ""  # nothing un-ignored left behind
    proc = _git_checkout(repo, "main")  # and back: restored from the cache, bar removed
    assert (proc.returncode, proc.stderr) == (0, "A       data/\nA       foo\nD       bar\n")
    assert (repo / "data/sub/c").read_text() == "c\n" and not (repo / "bar").exists()


def test_post_checkout_hook_keeps_dropped_output_with_unsaved_changes(tmp_path):
    repo = _hook_repo(tmp_path)
    (repo / "foo").write_text("edited, never saved\n")
    (repo / "data/sub/new").write_text("new, never saved\n")
    proc = _git_checkout(repo, "other")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "A       bar"
    assert lines[1] == "stagecore post-checkout: the workspace does not fully match the checked-out dvc files:"
    assert sum("is no longer tracked by any dvc file and its content is not in the cache: kept" in line
               for line in lines) == 2, proc.stderr
    assert (repo / "foo").read_text() == "edited, never saved\n"
    assert (repo / "data/sub/new").read_text() == "new, never saved\n" and (repo / "data/a").exists()


# -- targets inside a tracked directory ------------------------------------------------------------
def test_checkout_of_a_path_inside_a_tracked_directory(twins):
    for run, root in twins:
        _data_dir(root)
        _ok(run, "add", "-q", "data", cwd=root)
        git("add", "-A", cwd=root)
        git("commit", "-qm", "data", cwd=root)
        subprocess.run(["rm", "-rf", str(root / "data")], check=True)
    assert _same(twins, "checkout", "data/sub") == "A       data/\n"
    for _run, root in twins:
        assert _tree(root, "data") == ["data/", "data/sub/", "data/sub/b", "data/sub/c"]
    assert _same(twins, "checkout", "data/a") == "M       data/\n"
    for _run, root in twins:
        assert _tree(root, "data") == ["data/", "data/a", "data/sub/", "data/sub/b", "data/sub/c"]


def test_pull_of_a_file_inside_a_tracked_directory(twins, tmp_path):
    for run, root in twins:
        _ok(run, "remote", "add", "-q", "-d", "r", str(tmp_path / f"remote-{root.name}"), cwd=root)
        _data_dir(root)
        _ok(run, "add", "-q", "data", cwd=root)
        _ok(run, "push", "-q", cwd=root)
        subprocess.run(["rm", "-rf", str(root / "data"), str(root / ".dvc/cache")], check=True)
    # the manifest and the one file fetched (not the whole directory), that file checked out
    assert _same(twins, "pull", "data/sub/b") == "A       data/\n2 files fetched and 1 file added\n"
    for _run, root in twins:
        assert _tree(root, "data") == ["data/", "data/sub/", "data/sub/b"]


# -- link types, modes, --force ---------------------------------------------------------------------
def test_isexec_is_recorded_and_applied(twins):
    for run, root in twins:
        (root / "run.sh").write_text("#!/bin/sh\n")
        os.chmod(root / "run.sh", 0o755)
        _ok(run, "add", "-q", "run.sh", cwd=root)
        (root / "run.sh").unlink()
    assert _same(twins, "checkout") == "A       run.sh\n"
    (_d, droot), (_s, sroot) = twins
    assert (droot / "run.sh.dvc").read_text() == (sroot / "run.sh.dvc").read_text()
    assert "isexec: true" in (sroot / "run.sh.dvc").read_text()
    assert stat.S_IMODE(os.stat(droot / "run.sh").st_mode) == stat.S_IMODE(os.stat(sroot / "run.sh").st_mode)
    assert os.stat(sroot / "run.sh").st_mode & stat.S_IXUSR


def test_empty_files_are_copied_not_hardlinked(twins):
    for run, root in twins:
        _ok(run, "config", "cache.type", "hardlink", cwd=root)
        (root / "d").mkdir()
        (root / "d/empty").write_text("")
        (root / "d/full").write_text("x\n")
        (root / "empty").write_text("")
        _ok(run, "add", "-q", "d", "empty", cwd=root)
        subprocess.run(["rm", "-rf", str(root / "d"), str(root / "empty")], check=True)
    assert _same(twins, "checkout", "--summary") == "3 files added\n"
    for _run, root in twins:
        links = [os.stat(root / p).st_nlink for p in ("empty", "d/empty", "d/full")]
        assert links == [1, 1, 2], root


def test_force_leaves_no_empty_directories_and_counts_files(twins):
    for run, root in twins:
        _data_dir(root)
        _ok(run, "add", "-q", "data", cwd=root)
        for path in ("data/a", "data/sub/b"):
            (root / path).unlink()
        (root / "data/sub/new").write_text("new\n")
        (root / "data/extra/deep").mkdir(parents=True)
        (root / "data/extra/deep/x").write_text("x\n")
    # the two files and the two directories they leave empty: DVC counts each one deleted
    assert _same(twins, "checkout", "--force", "--summary") == "2 files added and 4 files deleted\n"
    for _run, root in twins:
        assert _tree(root, "data") == ["data/", "data/a", "data/sub/", "data/sub/b", "data/sub/c"]


# -- texts --------------------------------------------------------------------------------------------
def test_change_lines_in_dvc_order_and_summary_words(twins):
    for run, root in twins:
        for name in ("zeta", "alpha"):
            (root / name).mkdir()
            (root / name / "f").write_text(name)
        for name in ("b.txt", "a.txt", "c.txt"):
            (root / name).write_text(name)
        _ok(run, "add", "-q", "zeta", "alpha", "b.txt", "a.txt", "c.txt", cwd=root)
        git("add", "-A", cwd=root)
        git("commit", "-qm", "data", cwd=root)
        subprocess.run(["rm", "-rf", str(root / "zeta"), str(root / "b.txt"), str(root / "a.txt")], check=True)
        (root / "alpha/f").unlink()
        (root / "c.txt").write_text("other")
    theirs, mine = _both(twins, "checkout", "--force")
    assert theirs.stdout == mine.stdout == "M       alpha/\nM       c.txt\nA       zeta/\nA       a.txt\nA       b.txt\n"
    assert theirs.returncode == mine.returncode == 0
    for _run, root in twins:
        (root / "zeta/f").unlink()
        (root / "a.txt").unlink()
        (root / "b.txt").write_text("changed")
    assert _same(twins, "checkout", "--force", "--summary") == "1 file modified and 2 files added\n"
    assert _same(twins, "checkout", "--relink") == "Relinked successfully\n"


def test_unknown_checkout_target_is_one_line_and_255(twins):
    theirs, mine = _both(twins, "checkout", "nope")
    assert theirs.returncode == mine.returncode == 255
    assert mine.stdout == theirs.stdout == ""
    prefix = "ERROR: Did you mean `git checkout nope`?: 'nope' does not exist as an output or a stage name"
    assert theirs.stderr.startswith(prefix)
    assert mine.stderr == prefix + "\n"
    theirs, mine = _both(twins, "status", "nope")  # status: exit 1, as DVC
    assert theirs.returncode == mine.returncode == 1
    assert "'nope' does not exist" in mine.stderr.splitlines()[0]


# -- flags -------------------------------------------------------------------------------------------
@pytest.fixture
def pipeline(templates: Path, tmp_path: Path):
    """Twins with a data remote each, d/one, d/e/two, foo tracked and stage s1 (foo -> bar), pushed."""
    return _copy(templates, "pipeline", tmp_path)


def test_checkout_with_deps_recursive_and_allow_missing(pipeline):
    for _run, root in pipeline:
        for path in ("foo", "bar", "d/e/two"):
            (root / path).unlink()
    assert _same(pipeline, "checkout", "-d", "s1") == "A       bar\nA       foo\n"
    assert _same(pipeline, "checkout", "-R", "d") == "A       d/e/two\n"
    for _run, root in pipeline:
        subprocess.run(["rm", "-rf", str(root / ".dvc/cache"), str(root / "foo")], check=True)
    assert _same(pipeline, "checkout", "--allow-missing") == ""
    theirs, mine = _both(pipeline, "checkout")
    assert theirs.returncode == mine.returncode == 255
    assert theirs.stderr.startswith("ERROR: Checkout failed for following targets:")
    assert mine.stderr.startswith("ERROR: Checkout failed for following targets")


def test_pull_allow_missing(pipeline, tmp_path):
    for _run, root in pipeline:
        subprocess.run(["rm", "-rf", str(root / ".dvc/cache"), str(root / "d/one")], check=True)
        md5 = "b026324c6904b2a9cb4b88d6d61c81d1"  # d/one: gone from the remote too
        os.unlink(tmp_path / f"pipeline/remote-{root.name}/files/md5/{md5[:2]}/{md5[2:]}")
    theirs, mine = _both(pipeline, "pull", "--allow-missing")
    assert theirs.returncode == mine.returncode == 0, mine.stderr
    assert theirs.stdout == mine.stdout == "2 files fetched\n"  # nothing to check out: foo, bar, d/e/two are there
    missing = "md5: b026324c6904b2a9cb4b88d6d61c81d1"
    assert missing in theirs.stderr.splitlines() and missing in mine.stderr.splitlines()
    for _run, root in pipeline:
        assert not (root / "d/one").exists()


def test_status_flags(pipeline):
    theirs, mine = _both(pipeline, "status", "-a")
    assert theirs.returncode == mine.returncode == 1
    line = "ERROR: The following options are meaningless for local status: --all-branches"
    assert theirs.stderr.splitlines()[0] == mine.stderr.splitlines()[0] == line
    theirs, mine = _both(pipeline, "status", "-T", "-A", "-j", "2")
    assert theirs.returncode == mine.returncode == 1
    assert theirs.stderr.splitlines()[0] == mine.stderr.splitlines()[0] == (
        "ERROR: The following options are meaningless for local status: --all-tags, --all-commits, --jobs")
    assert _same(pipeline, "status", "-c", "-a", "-T") == "Cache and remote 'r' are in sync.\n"
    for _run, root in pipeline:
        (root / "d/e/two").unlink()
        (root / "foo").unlink()
    assert _same(pipeline, "status", "-R", "d") == "d/e/two.dvc:\n\tchanged outs:\n\t\tdeleted:            d/e/two\n"
    theirs, mine = _both(pipeline, "status", "--with-deps", "s1")
    assert theirs.returncode == mine.returncode == 0
    assert sorted(theirs.stdout.split("\n")) == sorted(mine.stdout.split("\n"))
    assert "foo.dvc:\n\tchanged outs:\n\t\tdeleted:            foo\n" in mine.stdout


def test_pull_without_a_remote_checks_out_what_the_cache_has(twins):
    for run, root in twins:
        (root / "foo").write_text("foo\n")
        (root / "bar").write_text("bar\n")
        _ok(run, "add", "-q", "foo", "bar", cwd=root)
        (root / "foo").unlink()
        subprocess.run(["rm", "-rf", str(root / ".dvc/cache/files/md5/c1")], check=True)  # bar's object
    theirs, mine = _both(twins, "pull")  # bar is in the workspace: not needed from the cache
    assert (theirs.returncode, theirs.stdout) == (mine.returncode, mine.stdout) == (0, "A       foo\n1 file added\n")
    line = "No remote provided and no default remote set."
    assert theirs.stderr.splitlines() == [line]
    assert mine.stderr.splitlines() == [line, "hint: add one with `stagecore remote add -d NAME URL`"]
