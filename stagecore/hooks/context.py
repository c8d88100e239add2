"""What a hook module gets besides its request: the located repository, lazily read policy,
the git handle (the one place where pygit2 gets imported on a hook's path) and the trace."""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

from stagecore.hooks.protocol import HookEnv, HookNote, HookOutcome
from stagecore.hooks.trace import Trace
from stagecore.scm.gitdir import find_git_dir, operation_in_progress

if TYPE_CHECKING:
    import pygit2

    from stagecore.hooks.policy import HookPolicy


class HookContext:
    """`root` is the DVC project served; `prefix` its directory below the git root ("" when the
    project is at the git root, "sub/dir" for a `dvc init --subdir` project)."""

    def __init__(self, hook: str, root: str, env: HookEnv, trace: Trace, prefix: str = "") -> None:
        self.hook = hook
        self.root = root
        self.prefix = prefix
        self.env = env
        self.trace = trace
        self.verdict = "done"
        # several projects served by one hook run (stagecore.hooks._run_projects): a clean
        # project appends here what the fast path's record needs (None: record it yourself)
        self.collect: list | None = None

    @cached_property
    def git_dir(self) -> str | None:
        return find_git_dir(self.env.cwd, self.env.as_environ())

    @property
    def git_root(self) -> str:
        """The work tree's top directory (the project's root less its prefix)."""
        return self.root[: -len(self.prefix) - 1] if self.prefix else self.root

    def in_progress(self) -> str | None:
        """The git operation under way in this work tree ("rebase", "merge", ...), if any."""
        return operation_in_progress(self.git_dir) if self.git_dir else None

    @cached_property
    def policy(self) -> HookPolicy:
        from stagecore.hooks.policy import read_policy

        policy = read_policy(self.root)
        self.trace.mark("config")
        return policy

    @property
    def read_policy(self) -> HookPolicy | None:
        """The policy if it was read (or given) already, else None."""
        return self.__dict__.get("policy")

    def open_git(self) -> pygit2.Repository:
        """The repository through pygit2, honouring GIT_DIR/GIT_INDEX_FILE of the process."""
        from stagecore.scm.history import open_repository

        repo = open_repository(self.root)
        self.trace.mark("import+open")
        return repo

    def done(self, verdict: str, exit_code: int = 0, lines: tuple[str, ...] = ()) -> HookOutcome:
        self.verdict = verdict
        return HookOutcome(exit_code, lines)


def owned_by(git_root: str, prefix: str, path: str) -> bool:
    """Whether the dvc file at `path` (relative to the git root) belongs to the project at
    `prefix`: below it, and in no nested project (a directory on the way holding `.dvc/`)."""
    if prefix and not path.startswith(prefix + "/"):
        return False
    parts = path.split("/")[:-1]
    start = len(prefix.split("/")) if prefix else 0
    return not any(os.path.isdir(os.path.join(git_root, *parts[:depth], ".dvc"))
                   for depth in range(start + 1, len(parts) + 1))


def is_dvc_repo(root: str) -> bool:
    return os.path.isdir(os.path.join(root, ".dvc"))


def counted(n: int, word: str) -> str:
    """`1 problem`, `2 problems`: the count and its noun, in the refusals and summaries."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def note_lines(notes: list[HookNote] | tuple[HookNote, ...], indent: str = "  ") -> list[str]:
    lines = []
    for note in notes:
        lines.append(f"{indent}- {note.message}")
        if note.hint:
            lines.append(f"{indent}  hint: {note.hint}")
    return lines
