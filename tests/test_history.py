"""stagecore.scm.history on real repositories built with the git CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stagecore.scm import history
from stagecore.scm.gitdir import find_git_dir, find_work_tree, operation_in_progress, rebase_orig_head
from stagecore.scm.history import HistoryError, changed_dvc_files, dvc_blobs_in, dvc_files_at, open_repository
from stagecore.scm.pushes import PushUpdate, branch_tip_updates, commits_to_push
from stagecore.scm.worktree import (
    WorkTreeChange,
    head_blob,
    index_dvc_files,
    staged_blob,
    staged_dvc_changes,
    unstaged_dvc_files,
)
from tests.helpers import git

Z40, Z64 = "0" * 40, "0" * 64


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(root: Path, files: dict[str, str], message: str = "c") -> str:
    write(root, files)
    git("add", "-A", cwd=root)
    git("commit", "-q", "--allow-empty", "-m", message, cwd=root)
    return git("rev-parse", "HEAD", cwd=root).strip()


def rev_list(root: Path, *args: str) -> set[str]:
    return set(git("rev-list", *args, cwd=root).split())


# --- dvc files in trees -------------------------------------------------------------------


def test_dvc_files_at_finds_every_dvc_file_at_any_depth(git_repo: Path) -> None:
    sha = commit(
        git_repo,
        {
            "dvc.yaml": "stages: {}\n",
            "dvc.lock": "schema: '2.0'\n",
            "data/raw.csv.dvc": "outs: [raw]\n",
            "a/b/c/deep.dvc": "outs: [deep]\n",
            "a/b/c/dvc.lock": "nested lock\n",
            "src/train.py": "print()\n",
            "notdvc.dvcx": "x\n",
            ".dvc/config": "[core]\n",
            ".dvc/plots/x.dvc": "inside .dvc: skipped\n",
        },
    )
    os.symlink("data/raw.csv.dvc", git_repo / "link.dvc")
    sha2 = commit(git_repo, {}, "symlink")
    repo = open_repository(str(git_repo))
    expected = {
        "dvc.yaml": b"stages: {}\n",
        "dvc.lock": b"schema: '2.0'\n",
        "data/raw.csv.dvc": b"outs: [raw]\n",
        "a/b/c/deep.dvc": b"outs: [deep]\n",
        "a/b/c/dvc.lock": b"nested lock\n",
    }
    assert dvc_files_at(repo, sha) == expected
    assert dvc_files_at(repo, sha2) == expected  # a symlink named *.dvc is not a dvc file


def test_scanner_reads_shared_subtrees_once(git_repo: Path) -> None:
    files = {f"d{i}/sub/f{j}.txt": f"{i}{j}\n" for i in range(20) for j in range(5)}
    files.update({f"d{i}/x.dvc": f"outs {i}\n" for i in range(20)})
    first = commit(git_repo, files)
    second = commit(git_repo, {"d3/x.dvc": "outs changed\n"})
    repo = open_repository(str(git_repo))
    scanner = history.DvcFileScanner(repo)
    assert len(dvc_files_at(repo, first, scanner)) == 20
    trees_after_first = len(scanner._trees)
    at_second = dvc_files_at(repo, second, scanner)
    assert at_second["d3/x.dvc"] == b"outs changed\n"
    # only the root tree and d3/ are new: every other subtree came from the memo
    assert len(scanner._trees) == trees_after_first + 2


def test_dvc_files_at_empty_and_unknown(git_repo: Path) -> None:
    sha = commit(git_repo, {"readme": "x\n"})
    repo = open_repository(str(git_repo))
    assert dvc_files_at(repo, sha) == {}
    with pytest.raises(HistoryError, match="does not name a commit"):
        dvc_files_at(repo, "deadbeef" * 5)


def test_dvc_blobs_in_deduplicates_identical_versions(git_repo: Path) -> None:
    c1 = commit(git_repo, {"dvc.lock": "v1\n", "a.dvc": "A\n"})
    c2 = commit(git_repo, {"src.py": "x\n"})
    c3 = commit(git_repo, {"dvc.lock": "v2\n"})
    repo = open_repository(str(git_repo))
    blobs = dvc_blobs_in(repo, [c3, c2, c1])
    assert sorted((b.path, b.data) for b in blobs) == [
        ("a.dvc", b"A\n"),
        ("dvc.lock", b"v1\n"),
        ("dvc.lock", b"v2\n"),
    ]
    first_seen = {(b.path, b.data): b.commit for b in blobs}
    assert first_seen[("dvc.lock", b"v2\n")] == c3
    assert first_seen[("dvc.lock", b"v1\n")] == c2


# --- diffs --------------------------------------------------------------------------------


def test_changed_dvc_files_between_commits(git_repo: Path) -> None:
    old = commit(
        git_repo,
        {"dvc.lock": "v1\n", "keep.dvc": "k\n", "gone.dvc": "g\n", "sub/x.dvc": "x1\n", "a.py": "1\n"},
    )
    (git_repo / "gone.dvc").unlink()
    new = commit(git_repo, {"dvc.lock": "v2\n", "sub/x.dvc": "x2\n", "sub/new.dvc": "n\n", "a.py": "2\n"})
    repo = open_repository(str(git_repo))
    assert changed_dvc_files(repo, old, new) == {
        "dvc.lock": (b"v1\n", b"v2\n"),
        "gone.dvc": (b"g\n", None),
        "sub/x.dvc": (b"x1\n", b"x2\n"),
        "sub/new.dvc": (None, b"n\n"),
    }
    assert changed_dvc_files(repo, new, old)["sub/new.dvc"] == (b"n\n", None)
    assert changed_dvc_files(repo, new, new) == {}


def test_changed_dvc_files_from_zeros_is_everything(git_repo: Path) -> None:
    sha = commit(git_repo, {"dvc.lock": "v1\n", "d/a.dvc": "a\n", "x.txt": "x\n"})
    repo = open_repository(str(git_repo))
    expected = {"dvc.lock": (None, b"v1\n"), "d/a.dvc": (None, b"a\n")}
    assert changed_dvc_files(repo, Z40, sha) == expected
    assert changed_dvc_files(repo, None, sha) == expected
    assert changed_dvc_files(repo, sha, Z40) == {"dvc.lock": (b"v1\n", None), "d/a.dvc": (b"a\n", None)}
    assert changed_dvc_files(repo, Z40, Z40) == {}


def test_changed_dvc_files_accepts_revision_names(git_repo: Path) -> None:
    commit(git_repo, {"dvc.lock": "v1\n"})
    commit(git_repo, {"dvc.lock": "v2\n"})
    repo = open_repository(str(git_repo))
    assert changed_dvc_files(repo, "HEAD~1", "HEAD") == {"dvc.lock": (b"v1\n", b"v2\n")}
    with pytest.raises(HistoryError):
        changed_dvc_files(repo, "no-such-branch", "HEAD")


# --- pushes -------------------------------------------------------------------------------


@pytest.fixture
def pushed(git_repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A repo with `origin` (a bare repo) holding main at its second commit."""
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=git_repo)
    commit(git_repo, {"dvc.lock": "v1\n"}, "one")
    commit(git_repo, {"dvc.lock": "v2\n"}, "two")
    git("push", "-q", "origin", "main", cwd=git_repo)
    return git_repo, bare


def test_root_commit_push_sends_everything(git_repo: Path) -> None:
    commit(git_repo, {"dvc.lock": "v1\n"})
    tip = commit(git_repo, {"dvc.lock": "v2\n"})
    repo = open_repository(str(git_repo))
    updates = [PushUpdate("refs/heads/main", tip, "refs/heads/main", Z40)]
    assert set(commits_to_push(repo, updates, "origin")) == rev_list(git_repo, "HEAD")


def test_update_push_hides_remote_sha_and_tracking_refs(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    remote_sha = git("rev-parse", "origin/main", cwd=root).strip()
    c3 = commit(root, {"dvc.lock": "v3\n"})
    c4 = commit(root, {"x.txt": "x\n"})
    repo = open_repository(str(root))
    updates = [PushUpdate("refs/heads/main", c4, "refs/heads/main", remote_sha)]
    assert commits_to_push(repo, updates, "origin") == [c4, c3]
    # a new branch (remote sha zeros) is still cut off at the remote's tracking refs
    git("branch", "feature", cwd=root)
    updates = [PushUpdate("refs/heads/feature", c4, "refs/heads/feature", Z40)]
    assert set(commits_to_push(repo, updates, "origin")) == {c3, c4}
    # with another remote name the tracking refs do not apply
    assert set(commits_to_push(repo, updates, "elsewhere")) == rev_list(root, c4)


def test_two_branches_pushed_at_once_union_without_duplicates(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    base = git("rev-parse", "HEAD", cwd=root).strip()
    git("checkout", "-q", "-b", "b1", cwd=root)
    shared = commit(root, {"shared.dvc": "s\n"})
    b1 = commit(root, {"b1.dvc": "1\n"})
    git("checkout", "-q", "-b", "b2", shared, cwd=root)
    b2 = commit(root, {"b2.dvc": "2\n"})
    repo = open_repository(str(root))
    updates = [
        PushUpdate("refs/heads/b1", b1, "refs/heads/b1", Z40),
        PushUpdate("refs/heads/b2", b2, "refs/heads/b2", Z40),
    ]
    commits = commits_to_push(repo, updates, "origin")
    assert sorted(commits) == sorted({shared, b1, b2})
    assert len(commits) == len(set(commits))
    assert base not in commits


def test_deletions_are_skipped(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    tip = git("rev-parse", "HEAD", cwd=root).strip()
    repo = open_repository(str(root))
    deletions = [
        PushUpdate("(delete)", Z40, "refs/heads/old", tip),
        PushUpdate("(delete)", Z64, "refs/heads/old256", tip),
    ]
    assert commits_to_push(repo, deletions, "origin") == []
    assert all(u.is_deletion for u in deletions)
    new = commit(root, {"n.dvc": "n\n"})
    assert commits_to_push(
        repo, [*deletions, PushUpdate("refs/heads/main", new, "refs/heads/main", tip)], "origin"
    ) == [new]


def test_remote_sha_unknown_locally_is_ignored(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    new = commit(root, {"n.dvc": "n\n"})
    repo = open_repository(str(root))
    updates = [PushUpdate("refs/heads/main", new, "refs/heads/main", "ab" * 20)]
    assert commits_to_push(repo, updates, "origin") == [new]  # tracking ref still hides the rest


def test_merge_commits_and_side_branches(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    pushed_tip = git("rev-parse", "HEAD", cwd=root).strip()
    git("checkout", "-q", "-b", "side", cwd=root)
    side = commit(root, {"side.dvc": "s\n"})
    git("checkout", "-q", "main", cwd=root)
    main_c = commit(root, {"main.dvc": "m\n"})
    git("merge", "-q", "--no-edit", "side", cwd=root)
    merge = git("rev-parse", "HEAD", cwd=root).strip()
    repo = open_repository(str(root))
    updates = [PushUpdate("refs/heads/main", merge, "refs/heads/main", pushed_tip)]
    assert set(commits_to_push(repo, updates, "origin")) == {side, main_c, merge}
    # the side branch already on the remote: only the main line and the merge remain
    git("push", "-q", "origin", "side", cwd=root)
    assert set(commits_to_push(repo, updates, "origin")) == {main_c, merge}
    blobs = dvc_blobs_in(repo, commits_to_push(repo, updates, "origin"))
    assert {b.path for b in blobs} == {"dvc.lock", "side.dvc", "main.dvc"}


def test_annotated_tag_push_peels_to_commit(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    new = commit(root, {"t.dvc": "t\n"})
    git("tag", "-a", "-m", "v1", "v1", cwd=root)
    tag_obj = git("rev-parse", "v1", cwd=root).strip()
    assert tag_obj != new
    repo = open_repository(str(root))
    assert commits_to_push(repo, [PushUpdate("refs/tags/v1", tag_obj, "refs/tags/v1", Z40)], "origin") == [
        new
    ]


def test_branch_tip_updates_lists_local_branches(pushed: tuple[Path, Path]) -> None:
    root, _ = pushed
    git("branch", "other", cwd=root)
    repo = open_repository(str(root))
    updates = branch_tip_updates(repo)
    tip = git("rev-parse", "HEAD", cwd=root).strip()
    assert sorted(updates) == [
        PushUpdate("refs/heads/main", tip, "refs/heads/main", Z40),
        PushUpdate("refs/heads/other", tip, "refs/heads/other", Z40),
    ]
    assert commits_to_push(repo, updates, "origin") == []  # all on the remote already


def test_real_pre_push_stdin_matches(pushed: tuple[Path, Path], tmp_path: Path) -> None:
    """What git really writes on a pre-push hook's stdin gives the range git sends."""
    root, _ = pushed
    hook = root / ".git" / "hooks" / "pre-push"
    log = tmp_path / "stdin.txt"
    hook.write_text(f"#!/bin/sh\ncat > '{log}'\n", encoding="utf-8")
    hook.chmod(0o755)
    git("checkout", "-q", "-b", "feat", cwd=root)
    c1 = commit(root, {"f.dvc": "f\n"})
    git("checkout", "-q", "main", cwd=root)
    c2 = commit(root, {"dvc.lock": "v3\n"})
    git("push", "-q", "origin", "main", "feat", cwd=root)
    from stagecore.hooks.protocol import parse_pre_push_stdin

    updates = parse_pre_push_stdin(log.read_text(encoding="utf-8"))
    assert {u.local_ref for u in updates} == {"refs/heads/main", "refs/heads/feat"}
    repo = open_repository(str(root))
    # tracking refs have moved after the push: use the pre-push view by naming no remote
    hidden_by_remote_sha = commits_to_push(repo, updates, "no-such-remote")
    assert set(hidden_by_remote_sha) == {c1, c2}


# --- index and work tree -------------------------------------------------------------------


def test_index_and_head_blobs(git_repo: Path) -> None:
    commit(git_repo, {"dvc.lock": "v1\n", "d/a.dvc": "a1\n"})
    write(git_repo, {"dvc.lock": "v2\n", "d/a.dvc": "a2\n", "new.dvc": "n\n"})
    git("add", "dvc.lock", cwd=git_repo)
    repo = open_repository(str(git_repo))
    assert head_blob(repo, "dvc.lock") == b"v1\n"
    assert head_blob(repo, "d/a.dvc") == b"a1\n"
    assert head_blob(repo, "d") is None
    assert head_blob(repo, "missing") is None
    assert staged_blob(repo, "dvc.lock") == b"v2\n"
    assert staged_blob(repo, "new.dvc") is None
    assert index_dvc_files(repo) == {"dvc.lock": b"v2\n", "d/a.dvc": b"a1\n"}
    assert staged_dvc_changes(repo) == {"dvc.lock": (b"v1\n", b"v2\n")}
    assert unstaged_dvc_files(repo) == [
        WorkTreeChange("d/a.dvc", "modified"),
        WorkTreeChange("new.dvc", "untracked"),
    ]


def test_unborn_head(git_repo: Path) -> None:
    write(git_repo, {"dvc.lock": "v1\n"})
    git("add", "dvc.lock", cwd=git_repo)
    repo = open_repository(str(git_repo))
    assert head_blob(repo, "dvc.lock") is None
    assert staged_dvc_changes(repo) == {"dvc.lock": (None, b"v1\n")}


def test_unstaged_deleted_and_ignored(git_repo: Path) -> None:
    commit(git_repo, {"a.dvc": "a\n", ".gitignore": "ignored.dvc\n"})
    (git_repo / "a.dvc").unlink()
    write(git_repo, {"ignored.dvc": "i\n", "dvc.yaml": "stages: {}\n"})
    repo = open_repository(str(git_repo))
    assert unstaged_dvc_files(repo) == [
        WorkTreeChange("a.dvc", "deleted"),
        WorkTreeChange("dvc.yaml", "untracked"),
    ]


def test_git_index_file_is_honoured(git_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`git commit -a` / `git commit <paths>` run the hook with GIT_INDEX_FILE pointing
    at a temporary index: that is the commit to be."""
    commit(git_repo, {"dvc.lock": "v1\n"})
    write(git_repo, {"dvc.lock": "v2\n"})
    other = tmp_path / "next-index"
    (other).write_bytes((git_repo / ".git" / "index").read_bytes())
    git("add", "dvc.lock", cwd=git_repo, env={"GIT_INDEX_FILE": str(other)})
    assert open_repository(str(git_repo)).index["dvc.lock"] is not None
    assert staged_blob(open_repository(str(git_repo)), "dvc.lock") == b"v1\n"
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    repo = open_repository(str(git_repo))
    assert staged_blob(repo, "dvc.lock") == b"v2\n"
    assert unstaged_dvc_files(repo) == []
    assert staged_dvc_changes(repo) == {"dvc.lock": (b"v1\n", b"v2\n")}


def test_split_index_falls_back_to_git(git_repo: Path) -> None:
    commit(git_repo, {"dvc.lock": "v1\n", "d/a.dvc": "a1\n", "x.txt": "x\n"})
    write(git_repo, {"dvc.lock": "v2\n\n", "d/a.dvc": "a2\n", "new.dvc": "n\n"})
    git("add", "dvc.lock", cwd=git_repo)
    git("update-index", "--split-index", cwd=git_repo)
    repo = open_repository(str(git_repo))
    import pygit2

    with pytest.raises(pygit2.GitError):
        repo.index["dvc.lock"]  # noqa: B018 - libgit2 refuses the `link` extension
    assert staged_blob(repo, "dvc.lock") == b"v2\n\n"  # content exactly, trailing newlines kept
    assert staged_blob(repo, "nope.dvc") is None
    assert index_dvc_files(repo) == {"dvc.lock": b"v2\n\n", "d/a.dvc": b"a1\n"}
    assert staged_dvc_changes(repo) == {"dvc.lock": (b"v1\n", b"v2\n\n")}
    assert unstaged_dvc_files(repo) == [
        WorkTreeChange("d/a.dvc", "modified"),
        WorkTreeChange("new.dvc", "untracked"),
    ]


# --- git dir, worktrees, operations in progress ---------------------------------------------


def test_find_git_dir_and_work_tree(git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"a.txt": "a\n"})
    sub = git_repo / "x" / "y"
    sub.mkdir(parents=True)
    assert find_work_tree(str(sub), {}) == str(git_repo)
    assert find_git_dir(str(sub), {}) == str(git_repo / ".git")
    assert find_work_tree("/", {}) is None
    assert find_work_tree("/", {"GIT_DIR": "/x/.git"}) == "/"
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", "-b", "wtb", str(wt), cwd=git_repo)
    assert find_work_tree(str(wt), {}) == str(wt)
    assert (
        Path(find_git_dir(str(wt), {}) or "").resolve() == (git_repo / ".git" / "worktrees" / "wt").resolve()
    )
    env = {"GIT_DIR": str(git_repo / ".git" / "worktrees" / "wt")}
    assert find_git_dir(str(wt), env) == env["GIT_DIR"]
    assert find_git_dir(str(git_repo), {"GIT_DIR": ".git"}) == str(git_repo / ".git")
    assert find_work_tree(str(git_repo), {"GIT_WORK_TREE": str(wt)}) == str(wt)


def test_open_repository_in_worktree_with_git_dir(
    git_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(git_repo, {"dvc.lock": "main\n"})
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", "-b", "wtb", str(wt), cwd=git_repo)
    commit(wt, {"dvc.lock": "wt\n"})
    monkeypatch.chdir(wt)
    monkeypatch.setenv("GIT_DIR", str(git_repo / ".git" / "worktrees" / "wt"))
    repo = open_repository(str(wt))
    assert head_blob(repo, "dvc.lock") == b"wt\n"
    assert Path(repo.workdir).resolve() == wt.resolve()


def test_operations_in_progress_per_worktree(git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"f.txt": "base\n"})
    git("checkout", "-q", "-b", "other", cwd=git_repo)
    commit(git_repo, {"f.txt": "other\n"})
    git("checkout", "-q", "main", cwd=git_repo)
    commit(git_repo, {"f.txt": "main\n"})
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", "-b", "wtb", str(wt), "main", cwd=git_repo)
    main_dir, wt_dir = str(git_repo / ".git"), find_git_dir(str(wt), {})
    assert wt_dir is not None
    assert operation_in_progress(main_dir) is None

    _git_fails("merge", "other", cwd=wt)
    assert operation_in_progress(wt_dir) == "merge"
    assert operation_in_progress(main_dir) is None  # the main work tree is not merging
    git("merge", "--abort", cwd=wt)

    _git_fails("cherry-pick", "other", cwd=wt)
    assert operation_in_progress(wt_dir) == "cherry-pick"
    git("cherry-pick", "--abort", cwd=wt)

    _git_fails("revert", "--no-edit", "other", cwd=wt)
    assert operation_in_progress(wt_dir) == "revert"
    git("revert", "--abort", cwd=wt)

    tip = git("rev-parse", "HEAD", cwd=wt).strip()
    _git_fails("rebase", "other", cwd=wt)
    assert operation_in_progress(wt_dir) == "rebase"
    assert rebase_orig_head(wt_dir) == tip
    git("rebase", "--abort", cwd=wt)
    assert rebase_orig_head(wt_dir) is None

    git("bisect", "start", cwd=wt)
    assert operation_in_progress(wt_dir) == "bisect"
    git("bisect", "reset", cwd=wt)
    assert operation_in_progress(wt_dir) is None

    patch = git("format-patch", "-1", "--stdout", "other", cwd=git_repo)
    (tmp_path / "p.patch").write_text(patch, encoding="utf-8")
    _git_fails("am", str(tmp_path / "p.patch"), cwd=wt)
    assert operation_in_progress(wt_dir) == "am"
    git("am", "--abort", cwd=wt)
    assert operation_in_progress(wt_dir) is None


def _git_fails(*args: str, cwd: Path) -> None:
    import subprocess

    from tests.helpers import clean_env

    proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode != 0, proc.stdout + proc.stderr
