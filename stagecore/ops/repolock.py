"""The repository lock `.dvc/tmp/lock`, taken as DVC takes it (an exclusive `flock`), so a
`repro` of stagecore and one of DVC never write the same lock files at the same time.

Like DVC, the lock is let go while a stage's command runs, so the command may itself call
stagecore or dvc.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from stagecore.errors import EXIT_PIPELINE, StagecoreError

RETRIES = 6
DELAY = 0.5
_held: dict[str, int] = {}  # repo root -> fd of the lock file while held


class LockError(StagecoreError):
    exit_code = EXIT_PIPELINE


def _acquire(repo) -> int:
    import fcntl

    os.makedirs(repo.tmp_dir, exist_ok=True)
    fd = os.open(os.path.join(repo.tmp_dir, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    for attempt in range(RETRIES + 1):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if attempt == RETRIES:
                os.close(fd)
                raise LockError(
                    "Unable to acquire lock. Most likely another DVC process is running or was terminated abruptly.",
                    hint="wait for the other stagecore/dvc command to finish, then retry",
                ) from None
            time.sleep(DELAY)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f" {os.getpid()}\n".encode())
        return fd
    raise AssertionError("unreachable")


def _release(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextmanager
def locked(repo) -> Iterator[None]:
    """Hold the repository lock (re-entrant within this process)."""
    if repo.root in _held:
        yield
        return
    _held[repo.root] = _acquire(repo)
    try:
        yield
    finally:
        fd = _held.pop(repo.root, None)
        if fd is not None:
            _release(fd)


@contextmanager
def released(repo) -> Iterator[None]:
    """Let the lock go for a while (a stage's command runs), then take it back."""
    fd = _held.pop(repo.root, None)
    if fd is None:
        yield
        return
    _release(fd)
    try:
        yield
    finally:
        _held[repo.root] = _acquire(repo)
