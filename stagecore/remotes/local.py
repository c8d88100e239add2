"""A directory remote (DVC's "local" remote): plain os/shutil, the cache layout, objects 0444."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator

from stagecore.errors import RemoteError
from stagecore.remotes.base import (
    Remote,
    RemoteObjectNotFound,
    check_key,
    group_by_parent,
    is_tmp_key,
    prefer_listing,
    unlink_quiet,
)
from stagecore.storage.fsutil import remote_tmp_path

REMOTE_TMP_AGE = 3600.0
_LOCAL_SIDE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class LocalRemote(Remote):
    kind = "local"

    def __init__(self, name: str, url: str, path: str, jobs: int) -> None:
        super().__init__(name, url, jobs)
        self.path = path
        self._made_dirs: set[str] = set()
        self._lock = threading.Lock()
        if os.path.exists(path) and not os.path.isdir(path):
            raise RemoteError(
                f"remote '{name}' points to '{path}', which is not a directory",
                hint=f"fix the url: stagecore remote modify {name} url <dir>",
            )

    def _full(self, key: str) -> str:
        return os.path.join(self.path, *check_key(key).split("/"))

    def exists_many(self, keys: list[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        groups = group_by_parent(wanted)
        if not prefer_listing(wanted, groups):
            return {key for key in wanted if os.path.isfile(self._full(key))}
        found: set[str] = set()
        for parent, members in groups.items():
            try:
                names = set(os.listdir(self._full(parent) if parent else self.path))
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise self._error(exc, "list", parent) from None
            found.update(key for key in members if key.rpartition("/")[2] in names)
        return found

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        head, _, _ = prefix.rpartition("/")
        start = os.path.join(self.path, *head.split("/")) if head else self.path
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            rel = os.path.relpath(dirpath, self.path)
            base = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for fname in sorted(filenames):
                key = base + fname
                if key.startswith(prefix) and not is_tmp_key(key):
                    yield key

    def _ensure_parent(self, dest: str) -> None:
        parent = os.path.dirname(dest)
        if parent in self._made_dirs:
            return
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as exc:
            raise self._error(exc, "create directory", parent) from None
        with self._lock:
            self._made_dirs.add(parent)

    def upload(self, local_path: str, key: str) -> None:
        from stagecore.storage.odb import copy_file

        dest = self._full(key)
        if not os.path.exists(local_path):  # local-side failures stay the caller's OSError
            raise FileNotFoundError(local_path)
        self._ensure_parent(dest)
        tmp = remote_tmp_path(dest)
        try:
            try:
                copy_file(local_path, tmp, 0o444)  # in the kernel, created read-only
                os.replace(tmp, dest)
            except FileNotFoundError:
                if not os.path.exists(local_path):
                    raise
                raise self._error(FileNotFoundError(errno.ENOENT, "vanished", dest), "write", dest) from None
            except OSError as exc:
                if not os.path.exists(local_path):
                    raise
                raise self._error(exc, "write", dest) from None
        except BaseException:
            unlink_quiet(tmp)
            raise

    def download(self, key: str, local_path: str) -> None:
        from stagecore.storage.odb import copy_file

        src = self._full(key)
        try:
            copy_file(src, local_path, 0o644)
        except FileNotFoundError:
            unlink_quiet(local_path)
            if not os.path.exists(src):
                raise RemoteObjectNotFound(self.name, key) from None
            raise
        except OSError as exc:
            unlink_quiet(local_path)
            if exc.errno in _LOCAL_SIDE:  # the local disk refused the copy, not the remote
                from stagecore.storage.fsutil import raise_disk_error

                raise_disk_error(exc, os.path.dirname(local_path), "writing into")
            raise self._error(exc, "read", src) from None

    def sweep_tmp(self, max_age: float = REMOTE_TMP_AGE) -> int:
        """Remove unfinished uploads: this machine's whose process is gone, anyone's older than
        `max_age` (another client may be uploading right now); how many were removed."""
        import time

        from stagecore.storage.fsutil import is_tmp_name, tmp_is_stale

        now = time.time()
        removed = 0
        for dirpath, _dirnames, filenames in os.walk(self.path):
            for fname in filenames:
                ours = is_tmp_name(fname)
                if not ours and not is_tmp_key(fname):
                    continue
                full = os.path.join(dirpath, fname)
                try:
                    mtime = os.lstat(full).st_mtime
                    stale = tmp_is_stale(fname, mtime, now, max_age) if ours else now - mtime > max_age
                    if stale:
                        os.unlink(full)
                        removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise self._error(exc, "delete", full) from None
        return removed

    def delete(self, key: str) -> None:
        path = self._full(key)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise self._error(exc, "delete", path) from None

    def _error(self, exc: OSError, action: str, path: str) -> RemoteError:
        hint = None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = f"check the permissions of '{self.path}'"
        elif exc.errno == errno.ENOSPC:
            hint = "free some space on the remote's disk"
        return RemoteError(f"cannot {action} '{path}' on remote '{self.name}': {exc.strerror}", hint=hint)
