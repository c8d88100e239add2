"""Helpers shared by the command modules: opening the repo, rendering common messages."""

from __future__ import annotations

import os
import shlex
import sys
from contextlib import contextmanager


@contextmanager
def open_repo():
    from stagecore.repo import Repo

    repo = Repo.find()
    try:
        yield repo
    finally:
        repo.close()


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


def os_error(exc: BaseException):
    """The StagecoreError an OSError that escaped the library stands for: a full or read-only disk,
    an exceeded quota or file-size limit, a permission refused (None for other errors)."""
    import errno

    from stagecore.errors import StagecoreError
    from stagecore.fsutil import DISK_ERRNOS, disk_error

    if not isinstance(exc, OSError) or exc.errno not in DISK_ERRNOS:
        return None
    if exc.filename is not None:
        writing = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)
        return disk_error(exc, os.fspath(exc.filename), "writing" if writing else "accessing")
    cause, hint = DISK_ERRNOS[exc.errno]
    return StagecoreError(f"{cause} (the system did not say which file)", hint=hint)
