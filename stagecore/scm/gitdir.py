"""Where git keeps a work tree's repository, and the operation in progress there (a merge, a
rebase, a cherry-pick): plain file reads only, because the hooks ask before deciding whether to
import anything heavy."""

from __future__ import annotations

import os
from collections.abc import Mapping


def find_work_tree(cwd: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The work tree root: GIT_WORK_TREE, else the nearest directory holding `.git` (a
    directory, or the file of a linked worktree or submodule), else cwd when GIT_DIR is set."""
    environ = os.environ if environ is None else environ
    cwd = os.path.abspath(cwd or os.getcwd())
    if environ.get("GIT_WORK_TREE"):
        return os.path.abspath(os.path.join(cwd, environ["GIT_WORK_TREE"]))
    cur = cwd
    while True:
        if os.path.lexists(os.path.join(cur, ".git")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return cwd if environ.get("GIT_DIR") else None
        cur = parent


def find_git_dir(cwd: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The (per-worktree) git dir: GIT_DIR, else `.git` found walking up from cwd, following
    the `gitdir:` line of a `.git` file (linked worktrees, submodules)."""
    environ = os.environ if environ is None else environ
    cwd = os.path.abspath(cwd or os.getcwd())
    if environ.get("GIT_DIR"):
        return os.path.abspath(os.path.join(cwd, environ["GIT_DIR"]))
    root = find_work_tree(cwd, environ)
    if root is None:
        return None
    dotgit = os.path.join(root, ".git")
    if os.path.isdir(dotgit):
        return dotgit
    try:
        with open(dotgit, encoding="utf-8") as fh:
            line = fh.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    return os.path.normpath(os.path.join(root, line[len("gitdir:") :].strip()))


_IN_PROGRESS = (
    ("rebase-merge", "rebase"),
    ("rebase-apply", "rebase"),
    ("MERGE_HEAD", "merge"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
    ("BISECT_LOG", "bisect"),
)


def operation_in_progress(git_dir: str) -> str | None:
    """The operation the work tree of `git_dir` (a per-worktree git dir) is in the middle
    of: "rebase", "am", "merge", "cherry-pick", "revert" or "bisect"; else None."""
    for name, operation in _IN_PROGRESS:
        path = os.path.join(git_dir, name)
        if os.path.lexists(path):
            if name == "rebase-apply" and os.path.exists(os.path.join(path, "applying")):
                return "am"
            return operation
    return None


def rebase_orig_head(git_dir: str) -> str | None:
    """The branch tip a rebase started from (`rebase-*/orig-head`), while its state exists."""
    for name in ("rebase-merge", "rebase-apply"):
        try:
            with open(os.path.join(git_dir, name, "orig-head"), encoding="ascii") as fh:
                return fh.read().strip() or None
        except OSError:
            continue
    return None
