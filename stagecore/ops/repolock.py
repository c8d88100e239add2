"""The repository lock `.dvc/tmp/lock`, taken as DVC takes it (an exclusive `flock`), so two
stagecore commands, a hook and a command, or stagecore and DVC never write the cache, the
workspace, the dvc files or the state db at the same time.

Every operation that writes takes it at the ops level (add, commit, checkout, remove, gc,
push/fetch, the hooks' checkout work, run/repro), so library calls serialize too. Like DVC,
the lock is let go while a stage's command runs, so the command may itself call stagecore
or dvc. A command waits a few seconds for it; the hooks wait much longer (a user's
`git checkout` racing their own `stagecore commit` should serialize, not fail).

The holder writes " <pid> stagecore" into the file and empties it when it lets go cleanly, so
the next holder that finds that mark with the pid of a dead process knows that process was
killed while writing (DVC leaves its bare pid behind on every exit: that means nothing here):
it then sweeps the temp files such a process leaves (cache, `.dvc/tmp`, the directories of
the tracked outputs), and push sweeps the remote it writes to.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from stagecore.errors import EXIT_PIPELINE, StagecoreError
from stagecore.storage.fsutil import pid_alive

CLI_WAIT = 3.0  # seconds a command waits for the lock (DVC's is about as short)
HOOK_WAIT = 300.0  # seconds a hook waits: it runs after git has moved and must not give up early
POLL = 0.05
MARK = "stagecore"  # after the pid in the lock file: DVC reads only the pid (for its log line)
_held: dict[str, int] = {}  # repo root -> fd of the lock file while held
_recovered: set[str] = set()  # roots whose current hold followed a writer that was killed


class LockError(StagecoreError):
    exit_code = EXIT_PIPELINE


def _wait_default() -> float:
    raw = os.environ.get("STAGECORE_LOCK_WAIT")
    try:
        return float(raw) if raw else CLI_WAIT
    except ValueError:
        return CLI_WAIT


def _holder(fd: int) -> str:
    """Who holds the lock, from the pid its holder wrote ('' when unknown)."""
    pid = _pid_in(fd)
    if pid is None:
        return ""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fobj:
            cmd = fobj.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmd = ""
    return f" It is held by process {pid}" + (f" ({cmd[:120]})." if cmd else ".")


def _pid_in(fd: int, ours: bool = False) -> int | None:
    """The pid the holder wrote (`ours`: only when that holder was stagecore, not DVC)."""
    try:
        raw = os.pread(fd, 64, 0).decode(errors="replace").split()
        if ours and raw[1:2] != [MARK]:
            return None
        return int(raw[0]) if raw else None
    except (OSError, ValueError):
        return None


def _acquire(repo, wait: float | None = None) -> int:
    import fcntl

    wait = _wait_default() if wait is None else wait
    os.makedirs(repo.tmp_dir, exist_ok=True)
    fd = os.open(os.path.join(repo.tmp_dir, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(fd)
                os.close(fd)
                raise LockError(
                    "Unable to acquire lock. Most likely another DVC process is running or was terminated "
                    f"abruptly.{holder}",
                    hint="wait for the other stagecore/dvc command to finish, then retry",
                ) from None
            time.sleep(POLL)
    previous = _pid_in(fd, ours=True)  # DVC leaves its pid behind even on a clean exit: not ours
    if previous is not None and previous != os.getpid() and not pid_alive(previous):
        _recover(repo)
        _recovered.add(repo.root)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f" {os.getpid()} {MARK}\n".encode(), 0)
    return fd


def _release(fd: int) -> None:
    import fcntl

    try:
        os.ftruncate(fd, 0)  # a clean exit: the next holder has nothing to recover
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def locked(repo, wait: float | None = None) -> Iterator[None]:
    """Hold the repository lock (re-entrant within this process); the state db is written
    before it is let go, so the next holder reads what this one learned."""
    if repo.root in _held:
        yield
        return
    _held[repo.root] = _acquire(repo, wait)
    try:
        yield
        if "state" in repo.__dict__:
            repo.state.flush()
    finally:
        fd = _held.pop(repo.root, None)
        _recovered.discard(repo.root)
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


def recovering(repo) -> bool:
    """Whether the lock held now was left behind by a killed writer (push then sweeps its remote)."""
    return repo.root in _recovered


def _recover(repo) -> None:
    """Remove the temp files a killed stagecore left: cache, `.dvc/tmp`, the outputs' directories."""
    from stagecore.storage.fsutil import sweep_tmp

    try:  # best effort: a temp that cannot be removed now is tried again by gc
        sweep_tmp(repo.tmp_dir)
        repo.odb.sweep_tmp()  # StagecoreError: an unreadable config, which the command reports itself
        sweep_workspace(repo)
    except (OSError, StagecoreError):
        pass


def sweep_workspace(repo) -> int:
    """Sweep stale temps in the directories of every dvc file and output, and inside outputs that
    are directories (names only, no hashing); how many were removed."""
    from stagecore.storage.fsutil import TMP_PREFIX, sweep_tmp, sweep_tmp_paths

    try:
        stages = repo.stages()
    except StagecoreError:
        return 0
    dirs = {repo.root}
    trees: set[str] = set()
    for stage in stages:
        dirs.add(os.path.dirname(os.path.join(repo.root, stage.dvcfile)))
        for out in stage.outs:
            full = os.path.join(repo.root, stage.out_path(out))
            dirs.add(os.path.dirname(full))
            if out.hash is not None and out.hash.isdir:
                trees.add(full)
    removed = sum(sweep_tmp(d) for d in dirs)
    for top in trees:
        if os.path.islink(top):
            continue
        for dirpath, _dirnames, filenames in os.walk(top):
            temps = [os.path.join(dirpath, f) for f in filenames if f.startswith(TMP_PREFIX)]
            removed += sweep_tmp_paths(temps)
    return removed


def sweep_seen(repo) -> int:
    """Sweep the stale temps the workspace walk passed over during this command."""
    from stagecore.storage.fsutil import sweep_tmp_paths

    if "workspace" not in repo.__dict__ or not repo.workspace.temps:
        return 0
    temps, repo.workspace.temps[:] = list(repo.workspace.temps), []
    return sweep_tmp_paths(temps)
