"""Git's own answers where libgit2 cannot give them or where git's exact behaviour matters.

* Fallbacks for indexes libgit2 refuses (split index `link`, sparse index `sdir`): these go
  through GitPython's `repo.git` (the `Git.porcelain` handle), which runs git with the
  inherited environment, so GIT_DIR and GIT_INDEX_FILE of a running hook are honoured.
* `git_path` (hook installation) runs git on an explicit root with the GIT_* variables
  stripped, so a GIT_DIR inherited from a hook cannot redirect it to another repository.
"""

from __future__ import annotations

import os
import subprocess

from stagecore.errors import StagecoreError


def _git(root: str):
    from stagecore.scm import Git

    return Git(root).porcelain.git


def index_entries(root: str) -> dict[str, str]:
    """path -> blob id (hex) of every stage-0 entry of the index (`git ls-files -s`)."""
    out = _git(root).ls_files("-s", "-z")
    entries: dict[str, str] = {}
    for record in out.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        _mode, oid, stage = meta.split()
        if stage == "0":
            entries[path] = oid
    return entries


def index_blob(root: str, path: str) -> bytes | None:
    """Staged content of `path` (`git cat-file blob :path`), None when not in the index."""
    oid = _git(root).ls_files("-s", "-z", "--", f":(literal){path}").split("\0")[0]
    if not oid:
        return None
    blob = oid.partition("\t")[0].split()[1]
    return _git(root).cat_file("blob", blob, stdout_as_string=False, strip_newline_in_stdout=False)


def staged_paths(root: str) -> list[str]:
    """Paths whose index content differs from HEAD (`git diff --cached --name-only`)."""
    out = _git(root).diff("--cached", "--name-only", "-z", "--no-renames")
    return [p for p in out.split("\0") if p]


def unstaged_status(root: str) -> list[tuple[str, str]]:
    """(path, "modified" | "deleted" | "untracked") for every path whose work-tree state
    differs from the index (`git status --porcelain -z --untracked-files=all`)."""
    out = _git(root).status("--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    result: list[tuple[str, str]] = []
    for record in out.split("\0"):
        if len(record) < 4:
            continue
        code, path = record[:2], record[3:]
        if code == "??":
            result.append((path, "untracked"))
        elif code[1] == "D":
            result.append((path, "deleted"))
        elif code[1] in "MT":
            result.append((path, "modified"))
    return result


class GitCommandError(StagecoreError):
    pass


def git_path(root: str, name: str) -> str:
    """Absolute `git rev-parse --git-path NAME` for the repository at `root`: follows
    core.hooksPath, linked worktrees (common dir) and submodules exactly as git does."""
    from stagecore.scm import clean_git_env

    proc = subprocess.run(
        ["git", "rev-parse", "--git-path", name],
        cwd=root,
        env=clean_git_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise GitCommandError(
            f"git rev-parse --git-path {name} failed in '{root}': {proc.stderr.strip()}",
            hint="is this a git repository?",
        )
    return os.path.normpath(os.path.join(root, proc.stdout.strip()))
