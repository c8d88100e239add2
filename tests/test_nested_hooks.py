"""The installed hooks in a git repository whose root is a DVC project holding a nested one
(`dvc init --subdir` in `sub/`): every hook serves both projects, each on its own files, each
with its own cache and data remote. Real git through the installed shims, a bare git remote,
directory data remotes; real DVC 3.67.1 answers the same questions (`dvc status` per project)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, run_cli, run_dvc

STAGE = "stages:\n  s:\n    cmd: cp script.txt out.txt\n    deps: [script.txt]\n    outs: [out.txt]\n"


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def gitp(*args: str, cwd: Path, trace: bool = False) -> subprocess.CompletedProcess[str]:
    env = clean_env({"STAGECORE_TRACE": "1"} if trace else None)
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def objects(store: Path) -> set[str]:
    return {p.parent.name + p.name for p in store.rglob("*") if p.is_file()} if store.exists() else set()


def _project(path: Path, store: str, content: str, subdir: bool) -> None:
    path.mkdir(parents=True, exist_ok=True)
    ok("init", "-q", *(["--subdir"] if subdir else []), cwd=path)
    ok("remote", "add", "-d", "store", store, cwd=path)  # relative to cwd, as DVC
    (path / "data.txt").write_text(content)
    ok("add", "data.txt", cwd=path)
    (path / "script.txt").write_text(f"{content}script\n")
    (path / "dvc.yaml").write_text(STAGE)
    ok("repro", cwd=path)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Root project (data.txt, stage s) holding `sub/`, a nested project of the same shape, with
    the hooks installed and everything committed; copied for each test (data remotes are
    relative paths: `store_root`, `store_sub` beside the copy)."""
    top = tmp_path_factory.mktemp("nested") / "top"
    top.mkdir()
    git("init", "-q", "-b", "main", cwd=top)  # module scope: before the per-test git isolation
    _project(top, "../store_root", "root\n", subdir=False)
    _project(top / "sub", "../../store_sub", "sub\n", subdir=True)
    ok("install", cwd=top)
    git("add", "-A", cwd=top)
    # module scope runs before the autouse fake HOME: the identity is given here (CI has none)
    git("config", "user.name", "Stagecore Test", cwd=top)
    git("config", "user.email", "test@stagecore.invalid", cwd=top)
    proc = gitp("commit", "-qm", "two projects", cwd=top)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return top


@pytest.fixture
def top(template: Path, tmp_path: Path) -> Path:
    top = tmp_path / "top"
    shutil.copytree(template, top, symlinks=True)
    git("init", "-q", "--bare", str(tmp_path / "origin.git"), cwd=tmp_path)
    git("remote", "add", "origin", str(tmp_path / "origin.git"), cwd=top)
    return top


def commit_notes(top: Path, text: str, trace: bool = False) -> subprocess.CompletedProcess[str]:
    with open(top / "notes.md", "a", encoding="utf-8") as fobj:
        fobj.write(text)
    git("add", "notes.md", cwd=top)
    return gitp("commit", "-qm", text.strip(), cwd=top, trace=trace)


def test_stale_nested_stage_refuses_the_commit_naming_the_project(top, dvc_bin):
    (top / "sub/script.txt").write_text("sub script v2\n")
    git("add", "sub/script.txt", cwd=top)
    proc = gitp("commit", "-qm", "sub script v2", cwd=top)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "stagecore pre-commit: in project 'sub':"
    assert lines[2] == "  - stage 's' is not up to date (changed deps: script.txt)", proc.stderr
    assert "in project '.'" not in proc.stderr and "sub/script.txt" not in proc.stderr
    # DVC agrees, project by project: the nested stage is stale, the root's pipeline is not
    assert "changed deps" in run_dvc("status", cwd=top / "sub").stdout
    assert run_dvc("status", cwd=top).stdout.strip() == "Data and pipelines are up to date."
    ok("repro", cwd=top / "sub")
    git("add", "sub/dvc.lock", cwd=top)
    proc = gitp("commit", "-qm", "sub script v2", cwd=top)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_both_projects_refused_each_under_its_own_name(top):
    (top / "data.txt").write_text("root, edited\n")
    (top / "sub/data.txt").write_text("sub, edited\n")
    proc = commit_notes(top, "both edited\n")
    assert proc.returncode == 1, proc.stderr
    text = proc.stderr
    root_at, sub_at = text.index("in project '.' (the git root):"), text.index("in project 'sub':")
    assert root_at < sub_at
    note = "was modified but not committed to the cache"
    assert text[root_at:sub_at].count(note) == 1 and f"'data.txt' {note}" in text[root_at:sub_at]
    assert text[sub_at:].count(note) == 1 and f"'data.txt' {note}" in text[sub_at:]
    assert "sub/data.txt" not in text


def test_nested_paths_never_leak_into_the_root_verdict(top, dvc_bin):
    # the nested project's dvc file changed and not staged: its own problem, not the root's
    (top / "sub/data.txt").write_text("sub v2\n")
    ok("commit", "-f", cwd=top / "sub")
    proc = commit_notes(top, "n1\n")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines()[:2] == [
        "stagecore pre-commit: in project 'sub':",
        "stagecore pre-commit: commit refused (1 problem):",
    ], proc.stderr
    assert "'sub/data.txt.dvc' changed but the change is not staged" in proc.stderr
    assert "in project '.'" not in proc.stderr
    git("add", "sub/data.txt.dvc", cwd=top)
    assert commit_notes(top, "n2\n").returncode == 0
    # DVC: each project's status is its own; the root's never lists sub/'s files
    for where in (top, top / "sub"):
        theirs = run_dvc("status", cwd=where).stdout.strip()
        ours = run_cli("status", cwd=where).stdout.strip()
        assert theirs == ours == "Data and pipelines are up to date.", (where, theirs, ours)
    # a stage in the root that names sub/ files would be judged by the root alone: the nested
    # project's stage list stays out of the root's gate (an overlap would refuse otherwise)
    (top / "sub/out.txt").unlink()
    proc = commit_notes(top, "n3\n")
    assert proc.returncode == 0, proc.stderr
    assert "in project 'sub':" in proc.stderr and "'out.txt' is missing from the workspace" in proc.stderr
    assert "in project '.'" not in proc.stderr


def test_fast_path_covers_the_nested_project(top):
    for text in ("a\n", "a2\n"):  # the copy's files are new: a snapshot waits until they are settled
        assert commit_notes(top, text, trace=True).returncode == 0
    proc = commit_notes(top, "b\n", trace=True)
    assert proc.returncode == 0 and "passed (snapshot)" in proc.stderr, proc.stderr
    (top / "sub/data.txt").write_text("sub, edited after the snapshot\n")  # only the nested project
    proc = commit_notes(top, "c\n", trace=True)
    assert proc.returncode == 1, proc.stderr
    assert "passed (snapshot)" not in proc.stderr and "in project 'sub':" in proc.stderr
    assert "'data.txt' was modified but not committed to the cache" in proc.stderr
    ok("commit", "-f", cwd=top / "sub")
    git("add", "sub/data.txt.dvc", cwd=top)
    assert commit_notes(top, "d\n").returncode == 0
    (top / "sub/script.txt").write_text("staged later\n")  # a git-tracked dep of the nested stage
    git("add", "sub/script.txt", cwd=top)
    proc = commit_notes(top, "e\n", trace=True)
    assert proc.returncode == 1 and "stage 's' is not up to date" in proc.stderr, proc.stderr


def test_branch_switch_swaps_data_in_both_projects(top):
    git("checkout", "-qb", "other", cwd=top)
    for where in (top, top / "sub"):
        (where / "data.txt").write_text(f"{where.name} on other\n")
        ok("commit", "-f", cwd=where)
    assert gitp("commit", "-qam", "other data", cwd=top).returncode == 0
    proc = gitp("checkout", "-q", "main", cwd=top)
    assert proc.returncode == 0
    assert proc.stderr == ("stagecore post-checkout: in project '.' (the git root):\nM       data.txt\n"
                           "stagecore post-checkout: in project 'sub':\nM       data.txt\n"), proc.stderr
    assert (top / "data.txt").read_text() == "root\n" and (top / "sub/data.txt").read_text() == "sub\n"
    proc = gitp("checkout", "-q", "other", cwd=top)
    assert proc.returncode == 0, proc.stderr
    assert (top / "data.txt").read_text() == "top on other\n"
    assert (top / "sub/data.txt").read_text() == "sub on other\n"
    # each project's cache holds its own objects only
    assert md5("sub on other\n") not in objects(top / ".dvc/cache")
    assert md5("top on other\n") not in objects(top / "sub/.dvc/cache")
    # a file checkout of the nested project's dvc file: the nested project follows it; the root
    # (which looks at every dvc file written in the last seconds) never takes sub/'s files
    proc = gitp("checkout", "main", "--", "sub/data.txt.dvc", cwd=top)
    assert proc.returncode == 0, proc.stderr
    assert "in project 'sub':" in proc.stderr and "sub/" not in proc.stderr, proc.stderr
    assert (top / "sub/data.txt").read_text() == "sub\n" and (top / "data.txt").read_text() == "top on other\n"


def test_merge_squash_follows_each_project(top):
    git("checkout", "-qb", "other", cwd=top)
    (top / "sub/data.txt").write_text("sub merged\n")
    ok("commit", "-f", cwd=top / "sub")
    assert gitp("commit", "-qam", "sub data", cwd=top).returncode == 0
    git("checkout", "-q", "main", cwd=top)
    proc = gitp("merge", "-q", "--squash", "other", cwd=top)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith("stagecore post-merge: in project 'sub':\nM       data.txt\n"), proc.stderr
    assert "project '.'" not in proc.stderr
    assert (top / "sub/data.txt").read_text() == "sub merged\n" and (top / "data.txt").read_text() == "root\n"
    git("reset", "-q", "--hard", "HEAD", cwd=top)  # undo the squash; the data goes back by hand
    ok("checkout", "--force", cwd=top / "sub")
    assert (top / "sub/data.txt").read_text() == "sub\n"
    proc = gitp("merge", "-q", "--ff-only", "other", cwd=top)  # a fast-forward: post-merge ORIG_HEAD -> HEAD
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "stagecore post-merge: in project 'sub':\nM       data.txt\n", proc.stderr
    assert (top / "sub/data.txt").read_text() == "sub merged\n" and (top / "data.txt").read_text() == "root\n"


def test_pre_push_sends_each_projects_objects_to_its_own_remote(top, tmp_path):
    store_root, store_sub = tmp_path / "store_root", tmp_path / "store_sub"
    proc = gitp("push", "-q", "origin", "main", cwd=top)
    assert proc.returncode == 0, proc.stderr
    root_objs, sub_objs = objects(store_root), objects(store_sub)
    assert {md5("root\n"), md5("root\nscript\n")} <= root_objs
    assert {md5("sub\n"), md5("sub\nscript\n")} <= sub_objs
    assert not root_objs & {md5("sub\n")} and not sub_objs & {md5("root\n")}
    # DVC sees every object of each project on that project's remote
    for where in (top, top / "sub"):
        assert run_dvc("status", "-c", cwd=where).stdout.strip() == "Cache and remote 'store' are in sync."
    # nothing new: the record answers; new data in the nested project only: pushed there
    assert commit_notes(top, "p1\n").returncode == 0
    proc = gitp("push", "-q", "origin", "main", cwd=top, trace=True)
    assert proc.returncode == 0 and "data already on the remote (record)" in proc.stderr, proc.stderr
    (top / "sub/data.txt").write_text("sub v3\n")
    ok("commit", "-f", cwd=top / "sub")
    assert gitp("commit", "-qam", "sub v3", cwd=top).returncode == 0
    proc = gitp("push", "-q", "origin", "main", cwd=top, trace=True)
    assert proc.returncode == 0, proc.stderr
    assert "data already on the remote (record)" not in proc.stderr
    assert md5("sub v3\n") in objects(store_sub) and md5("sub v3\n") not in objects(store_root)


def test_pre_push_refuses_when_the_nested_projects_data_is_missing(top, tmp_path):
    (top / "sub/data.txt").write_text("lost\n")
    ok("commit", "-f", cwd=top / "sub")
    assert gitp("commit", "-qam", "lost data", cwd=top).returncode == 0
    lost = top / "sub/.dvc/cache/files/md5" / md5("lost\n")[:2] / md5("lost\n")[2:]
    lost.chmod(0o644)
    lost.unlink()
    proc = gitp("push", "-q", "origin", "main", cwd=top)
    assert proc.returncode == 1, proc.stderr
    assert "stagecore pre-push: in project 'sub':" in proc.stderr
    assert "'data.txt' (md5 " + md5("lost\n") in proc.stderr
    assert proc.stderr.startswith("stagecore pre-push: in project '.' (the git root):\n"
                                  "stagecore: 2 files pushed to 'store'\n"), proc.stderr  # no refusal there
    assert md5("root\n") in objects(tmp_path / "store_root")  # the root project's data went
    assert md5("lost\n") not in objects(tmp_path / "store_sub")
    assert md5("sub\n") not in objects(tmp_path / "store_root")
