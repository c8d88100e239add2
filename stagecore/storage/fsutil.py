"""Small filesystem helpers shared by the operations: atomic writes, safe path resolution."""

from __future__ import annotations

import errno
import itertools
import os
import re

from stagecore.errors import PathOutsideRepoError, StagecoreError

# One temp-name scheme for every atomic write (cache objects, workspace files, dvc files,
# remote uploads): a short fixed-length sibling `.stagecore-tmp-<pid>.<12 hex>.tmp`, so the
# target's own name may be up to 255 bytes, os.replace stays in one directory, and every
# reader recognises (skips) and sweeps (removes when stale) a leftover of a killed process.
TMP_PREFIX = ".stagecore-tmp-"
_TMP_RE = re.compile(r"^\.stagecore-tmp-(\d+)(?:@([0-9a-f]{8}))?\.[0-9a-f]{12}\.tmp$")
_TMP_TAG = os.urandom(3).hex()
_tmp_counter = itertools.count(1)
LOCAL_TMP_AGE = 3600.0  # a temp of a live process is stale after this long without a write


def _crash_at() -> tuple[int, float] | None:
    """STAGECORE_CRASH_AT=<n>[:<ms>] (tests only): SIGKILL ourselves <ms> after the n-th temp name."""
    raw = os.environ.get("STAGECORE_CRASH_AT")
    if not raw:
        return None
    n, _, ms = raw.partition(":")
    return int(n), float(ms or 0) / 1000


_CRASH_AT = _crash_at()


def tmp_path(path: str) -> str:
    """A unique temp sibling of `path` in the scheme above (cheap: a counter, no uuid per call)."""
    count = _tick()
    name = f"{TMP_PREFIX}{os.getpid()}.{_TMP_TAG}{count % 0x1000000:06x}.tmp"
    return os.path.join(os.path.dirname(path), name)


def discard(path: str) -> None:
    """Remove a temp path left by a failed write, a file or a whole tree; a symlink is removed, never followed."""
    if os.path.isdir(path) and not os.path.islink(path):
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def _tick() -> int:
    count = next(_tmp_counter)  # atomic under the GIL: transfer threads share it
    if _CRASH_AT is not None and count == _CRASH_AT[0]:
        _arm_crash(_CRASH_AT[1])
    return count


def remote_tmp_path(path: str) -> str:
    """A temp sibling of `path` on a remote other machines share: the writer's host is in the
    name, so only the writer's own machine judges it by pid (others wait for it to age)."""
    _tick()
    name = f"{TMP_PREFIX}{os.getpid()}@{_host_id()}.{os.urandom(6).hex()}.tmp"
    return f"{path.rpartition('/')[0]}/{name}" if "/" in path else name


_HOST_ID: str | None = None


def _host_id() -> str:
    global _HOST_ID
    if _HOST_ID is None:
        import hashlib
        import socket

        _HOST_ID = hashlib.md5(socket.gethostname().encode()).hexdigest()[:8]
    return _HOST_ID


def _arm_crash(delay: float) -> None:
    import signal
    import threading

    def kill() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if delay <= 0:
        kill()
    timer = threading.Timer(delay, kill)
    timer.daemon = True
    timer.start()


def is_tmp_name(name: str) -> bool:
    """Whether a file name (not a path) is one of our temp names."""
    return name.startswith(TMP_PREFIX) and _TMP_RE.match(name) is not None


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (this process counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tmp_is_stale(name: str, mtime: float, now: float, max_age: float = LOCAL_TMP_AGE,
                 by_pid: bool = True) -> bool:
    """A temp is stale when its writer (the pid in its name) is gone, or it is older than max_age.

    `by_pid=False` (remotes other machines share) judges by age only."""
    match = _TMP_RE.match(name)
    if match is None:
        return False
    host = match.group(2)
    if host is not None and host != _host_id():
        by_pid = False  # another machine's pid says nothing here
    if by_pid and not pid_alive(int(match.group(1))):
        return True
    return now - mtime > max_age


def sweep_tmp(directory: str, max_age: float = LOCAL_TMP_AGE) -> int:
    """Remove the stale temp files directly inside `directory`; how many were removed."""
    import time

    now = time.time()
    removed = 0
    try:
        entries = [e for e in os.scandir(directory) if e.name.startswith(TMP_PREFIX)]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return 0
    for entry in entries:
        try:
            if tmp_is_stale(entry.name, entry.stat(follow_symlinks=False).st_mtime, now, max_age):
                os.unlink(entry.path)
                removed += 1
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            continue  # gone already, a directory, or another user's (shared cache): left alone
    return removed


def sweep_tmp_paths(paths, max_age: float = LOCAL_TMP_AGE) -> int:
    """Remove those of `paths` (temp files found on a walk) that are stale."""
    import time

    now = time.time()
    removed = 0
    for path in paths:
        try:
            if tmp_is_stale(os.path.basename(path), os.lstat(path).st_mtime, now, max_age):
                os.unlink(path)
                removed += 1
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            continue
    return removed


class DiskError(StagecoreError):
    """The local disk refused a write: full, over quota, read-only, or permission denied."""

    def __init__(self, cause: str, path: str, action: str, hint: str) -> None:
        super().__init__(f"{cause} while {action} '{path}'", hint=hint)
        self.path = path


DISK_ERRNOS = {
    errno.ENOSPC: ("no space left on device", "free some space on that disk, then run the command again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space within your quota, then run the command again"),
    errno.EFBIG: ("file too large", "the file system or the file-size limit (ulimit -f) refuses a file this large"),
    errno.EROFS: ("read-only file system", "make that file system writable, or work in a writable copy"),
    errno.EACCES: ("permission denied", "check the permissions of that path and its directory"),
    errno.EPERM: ("operation not permitted", "check the permissions of that path and its directory"),
}


def disk_error(exc: OSError, path: str | None = None, action: str = "writing") -> DiskError | None:
    """The DiskError an OSError of a local write stands for (None for other errnos)."""
    known = DISK_ERRNOS.get(exc.errno or 0)
    if known is None:
        return None
    return DiskError(known[0], path or exc.filename or "?", action, known[1])


def escaped_os_error(exc: BaseException) -> StagecoreError | None:
    """The StagecoreError an OSError that escaped the library stands for: a full or read-only disk,
    an exceeded quota or file-size limit, a permission refused (None for other errors)."""
    if not isinstance(exc, OSError) or exc.errno not in DISK_ERRNOS:
        return None
    if exc.filename is not None:
        writing = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)
        return disk_error(exc, os.fspath(exc.filename), "writing" if writing else "accessing")
    cause, hint = DISK_ERRNOS[exc.errno]
    return StagecoreError(f"{cause} (the system did not say which file)", hint=hint)


def raise_disk_error(exc: OSError, path: str | None = None, action: str = "writing") -> None:
    """Raise the DiskError for `exc` (from it), or return when its errno is another kind."""
    err = disk_error(exc, path, action)
    if err is not None:
        raise err from exc


def atomic_write_bytes(path: str, data: bytes) -> None:
    tmp = tmp_path(path)
    try:
        with open(tmp, "xb") as fobj:
            fobj.write(data)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise_disk_error(exc, path)
        raise


def atomic_write_text(path: str, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def repo_relpath(root: str, path: str, cwd: str | None = None) -> str:
    """The posix path of `path` (relative to `cwd`) relative to the repository root.

    Refuses anything that resolves outside the root, through `..` or symlinked parents.
    """
    cwd = cwd or os.getcwd()
    full = os.path.normpath(os.path.join(cwd, path))
    parent = os.path.realpath(os.path.dirname(full))
    real_root = os.path.realpath(root)
    full = os.path.join(parent, os.path.basename(full)) if os.path.basename(full) else parent
    if full != real_root and not full.startswith(real_root + os.sep):
        raise PathOutsideRepoError(path, root)
    rel = os.path.relpath(full, real_root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def inside(root: str, relpath: str) -> str:
    """Absolute path of a repo-relative path read from a file; refuses escapes."""
    full = os.path.normpath(os.path.join(root, relpath))
    if full != root and not full.startswith(root.rstrip(os.sep) + os.sep):
        raise PathOutsideRepoError(relpath, root)
    return full
