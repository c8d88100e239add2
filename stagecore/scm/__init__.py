"""Git access: the one owner of pygit2 (reads) and GitPython (porcelain).

pygit2 serves the hot read paths (index, ignore rules, blobs at any commit); GitPython
runs the porcelain that must behave exactly like the user's git (`git add`, config,
`rev-parse --git-path`). Both are imported lazily.
"""

from __future__ import annotations

import os
from functools import cached_property


def clean_git_env() -> dict[str, str]:
    """The environment without inherited GIT_* variables, for running git elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def discover_root(path: str) -> str | None:
    """The work tree root of the git repository containing `path`, or None."""
    cur = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(cur, ".git")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


class Git:
    """The git repository holding project `root`. In a `dvc init --subdir` project the git root
    is a parent directory: paths given and returned here are project-relative, translated to
    and from the git root's (pygit2's index and ignore rules, `git add`)."""

    def __init__(self, root: str) -> None:
        self.root = root
        top = discover_root(root) or root
        prefix = os.path.relpath(os.path.abspath(root), top).replace(os.sep, "/")
        self.prefix = "" if prefix == "." else prefix + "/"

    def git_path(self, relpath: str) -> str:
        """A project-relative path as the git root names it."""
        return self.prefix + relpath

    @cached_property
    def repo(self):
        import pygit2

        return pygit2.Repository(self.root)  # searches parent directories

    @cached_property
    def porcelain(self):
        import git

        return git.Repo(self.root, search_parent_directories=True)

    def is_ignored(self, relpath: str) -> bool:
        return bool(self.repo.path_is_ignored(self.git_path(relpath)))

    def is_tracked(self, relpath: str) -> bool:
        """Whether git tracks `relpath` (a file, or any file below a directory)."""
        index = self.repo.index
        path = self.git_path(relpath)
        if path in index:
            return True
        prefix = path.rstrip("/") + "/"
        return any(entry.path.startswith(prefix) for entry in index)

    def add(self, paths: list[str]) -> None:
        """`git add` project-relative `paths` (git runs at the git root)."""
        if paths:
            self.porcelain.git.add("--", *(self.git_path(p) for p in paths))

    def config_get(self, key: str) -> str | None:
        try:
            return self.repo.config[key]
        except KeyError:
            return None
