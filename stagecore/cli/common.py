"""Helpers shared by the command modules: opening the repo, rendering common messages."""

from __future__ import annotations

import os
import shlex
import sys
from contextlib import contextmanager


# commands DVC answers in a git repository without `.dvc/` (its `UNINITIALIZED = True` commands:
# params diff, metrics show): opened at the git root, reading only what git and the work tree hold
def open_repo(uninitialized: bool = False, check_remotes: bool = True):
    """The repository of the working directory. `uninitialized`: outside any DVC project, a git
    repository stands for one (nothing is written into it). `check_remotes=False` for the commands
    that edit the config: they must work on a config they are fixing (DVC validates the result of
    the edit, not what it starts from)."""
    return _opened(uninitialized, check_remotes)


@contextmanager
def _opened(uninitialized: bool, check_remotes: bool = True):
    from stagecore.errors import NotARepoError
    from stagecore.repo import Repo

    try:
        repo = Repo.find()
    except NotARepoError:
        from stagecore.scm import discover_root

        root = discover_root(os.getcwd()) if uninitialized else None
        if root is None:
            raise
        repo = Repo(root)
    if check_remotes:  # the keys of every level were checked when the Repo read them
        repo.config.check_remotes()
    import warnings

    from stagecore.core.pipeschema import LegacyLockWarning

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LegacyLockWarning)
            yield repo
    finally:
        repo.close()
        _show_warnings(caught, LegacyLockWarning)


def _show_warnings(caught, legacy) -> None:
    """A legacy-file notice once as a WARNING line (with the fix); other warnings as Python shows them."""
    import warnings

    shown: set[str] = set()
    hints: set[str] = set()
    for item in caught:
        if not issubclass(item.category, legacy):
            warnings.showwarning(item.message, item.category, item.filename, item.lineno)
        elif str(item.message) not in shown:
            shown.add(str(item.message))
            err(f"WARNING: {item.message}")
            hint = getattr(item.message, "hint", None) or (  # a 0.x .dvc file names its own fix
                "the next write of that lock (`stagecore repro`, `stagecore commit`) puts it in "
                "DVC 3's layout (schema: '2.0')")
            if hint not in hints:
                hints.add(hint)
                err(f"hint: {hint}")


def rel(repo, path: str) -> str:
    return os.path.relpath(os.path.join(repo.root, path), os.getcwd()).replace(os.sep, "/")


def git_add_hint(repo, files: list[str]) -> None:
    if not files:
        return
    shown = " ".join(shlex.quote(rel(repo, f)) for f in files)
    sys.stdout.write(
        f"\nTo track the changes with git, run:\n\n\tgit add {shown}\n"
        "\nTo enable auto staging, run:\n\n\tstagecore config core.autostage true\n"
    )


def err(text: str) -> None:
    sys.stderr.write(text + "\n")
