"""An SSH/SFTP remote: the one owner of paramiko.

URL `ssh://[user@]host[:port]/abs/path`; config keys as DVC names them (user, port, keyfile,
password, passphrase, timeout, allow_agent, max_sessions). `~/.ssh/config` supplies HostName,
User, Port and IdentityFile when the remote config does not.

Workers borrow SFTP sessions from `sftp_pool.SftpPool` (paramiko's SFTP client is not
thread-safe). An upload is written to `.stagecore-tmp-<pid>@<host>.<random>.tmp` beside `key`
and renamed over `key`
(posix-rename), so readers never see a partial object. Operations interrupted by a dropped
connection are retried with backoff on a fresh session.

Longer than ~300 lines: one class, the SSH adapter, whose methods share the session pool, the
retry-on-a-fresh-session rule and the temp-name scheme (the pool itself is in sftp_pool).
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import os
import posixpath
import stat
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlsplit

from stagecore.errors import RemoteError
from stagecore.files.config import as_bool
from stagecore.remotes.base import (
    Remote,
    RemoteObjectNotFound,
    check_key,
    group_by_parent,
    is_tmp_key,
    prefer_listing,
    retry,
    unlink_quiet,
)
from stagecore.remotes.sftp_pool import Login, SftpPool, import_paramiko
from stagecore.storage.fsutil import remote_tmp_path

_CHUNK = 1024 * 1024


class SSHRemote(Remote):
    kind = "ssh"

    def __init__(self, name: str, url: str, conf: dict, jobs: int) -> None:
        super().__init__(name, url, jobs)
        import_paramiko()
        parts = urlsplit(url)
        if not parts.hostname:
            raise RemoteError(
                f"remote '{name}' has no host in its url '{url}'", hint="use ssh://[user@]host[:port]/path"
            )
        self.path = unquote(parts.path) or "/"
        host_conf = self._user_ssh_config(parts.hostname)
        self.host = host_conf.get("hostname", parts.hostname)
        self.user = conf.get("user") or parts.username or host_conf.get("user") or getpass.getuser()
        try:
            self.port = int(conf.get("port") or parts.port or host_conf.get("port") or 22)
            timeout = float(conf.get("timeout") or 10)
            max_sessions = max(1, int(conf.get("max_sessions") or 8))
        except ValueError as exc:
            raise RemoteError(f"remote '{name}' has an invalid setting: {exc}") from None
        keyfile = conf.get("keyfile") or host_conf.get("identityfile")
        if isinstance(keyfile, list):
            keyfile = keyfile[0] if keyfile else None
        keyfile = os.path.expanduser(keyfile) if keyfile else None
        password = conf.get("password") or None
        passphrase = conf.get("passphrase") or None
        allow_agent = as_bool(conf.get("allow_agent", True))
        login = Login(
            name, self.host, self.port, self.user, keyfile, password, passphrase, allow_agent, timeout
        )
        self._pool = SftpPool(login, max_sessions)
        self._lock = threading.Lock()
        self._made_dirs: set[str] = set()

    @staticmethod
    def _user_ssh_config(host: str) -> dict:
        path = os.path.expanduser("~/.ssh/config")
        if not os.path.exists(path):
            return {}
        paramiko = import_paramiko()
        try:
            return dict(paramiko.SSHConfig.from_path(path).lookup(host))
        except Exception:  # noqa: BLE001 - a broken ssh config should not hide the remote
            return {}

    def _where(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    def _run(self, func, what: str, path: str):
        """Run `func(sftp)` on a pooled session, retrying when the connection drops.

        Any OSError escaping `func` is the server's, except those wrapped in _LocalFailure.
        """

        def attempt():
            with self._pool.session() as session:
                return func(session.sftp)

        try:
            return retry(attempt, self._pool.is_transient, attempts=3)
        except _LocalFailure as failure:
            raise failure.exc from None
        except RemoteError:
            raise
        except Exception as exc:
            if self._pool.is_transient(exc):
                raise RemoteError(
                    f"connection to {self._where()} lost while {what} '{path}' (remote '{self.name}'): {exc}"
                ) from None
            if isinstance(exc, OSError):
                raise self._error(exc, what, path) from None
            raise

    def _error(self, exc: OSError, action: str, path: str) -> RemoteError:
        hint = None
        if exc.errno in (errno.EACCES, errno.EPERM):
            hint = f"check the permissions of '{self.path}' for user '{self.user}' on {self.host}"
        reason = exc.strerror or str(exc) or type(exc).__name__
        return RemoteError(
            f"failed {action} '{path}' on remote '{self.name}' ({self.host}): {reason}", hint=hint
        )

    # -- paths -------------------------------------------------------------------------------------
    def _full(self, key: str) -> str:
        return posixpath.join(self.path, check_key(key))

    def _makedirs(self, sftp, path: str) -> None:
        if path in self._made_dirs or path in ("", "/"):
            return
        try:
            if stat.S_ISDIR(sftp.stat(path).st_mode):
                with self._lock:
                    self._made_dirs.add(path)
                return
        except FileNotFoundError:
            pass
        self._makedirs(sftp, posixpath.dirname(path))
        try:
            sftp.mkdir(path)
        except OSError:
            if not stat.S_ISDIR(sftp.stat(path).st_mode):  # another worker may have made it meanwhile
                raise
        with self._lock:
            self._made_dirs.add(path)

    # -- the interface -----------------------------------------------------------------------------
    def exists_many(self, keys: list[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        groups = group_by_parent(wanted)
        if prefer_listing(wanted, groups):

            def listed(item: tuple[str, list[str]]) -> set[str]:
                parent, members = item
                full = posixpath.join(self.path, parent) if parent else self.path
                names = set(self._run(lambda sftp: _listdir(sftp, full), "listing", full))
                return {key for key in members if posixpath.basename(key) in names}

            found: set[str] = set()
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(groups))) as pool:
                for keys_found in pool.map(listed, list(groups.items())):
                    found |= keys_found
            return found

        def exists(key: str) -> bool:
            full = self._full(key)
            return bool(self._run(lambda sftp: _exists(sftp, full), "checking", full))

        with ThreadPoolExecutor(max_workers=min(self.jobs, len(wanted))) as pool:
            return {key for key, ok in zip(wanted, pool.map(exists, wanted), strict=True) if ok}

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        head, _, _ = prefix.rpartition("/")
        stack = [head]
        while stack:
            rel = stack.pop()
            full = posixpath.join(self.path, rel) if rel else self.path
            entries = self._run(lambda sftp, full=full: _listdir_attr(sftp, full), "listing", full)
            subdirs = []
            for entry in sorted(entries, key=lambda e: e.filename):
                key = f"{rel}/{entry.filename}" if rel else entry.filename
                if stat.S_ISDIR(entry.st_mode or 0):
                    if key.startswith(prefix) or prefix.startswith(key + "/"):
                        subdirs.append(key)
                elif key.startswith(prefix) and not is_tmp_key(key):
                    yield key
            stack.extend(reversed(subdirs))

    def upload(self, local_path: str, key: str) -> None:
        dest = self._full(key)
        with open(local_path, "rb") as fsrc:  # local-side failures stay the caller's OSError

            def send(sftp) -> None:
                fsrc.seek(0)
                self._makedirs(sftp, posixpath.dirname(dest))
                tmp = remote_tmp_path(dest)
                try:
                    with sftp.open(tmp, "wb") as fdst:
                        fdst.set_pipelined(True)
                        while chunk := _read_local(fsrc):
                            fdst.write(chunk)
                    _rename_over(sftp, tmp, dest)
                except BaseException:
                    with contextlib.suppress(Exception):
                        sftp.remove(tmp)
                    raise

            self._run(send, "writing", dest)

    def download(self, key: str, local_path: str) -> None:
        src = self._full(key)

        def fetch(sftp) -> None:
            try:
                fsrc = sftp.open(src, "rb")
            except FileNotFoundError:
                raise RemoteObjectNotFound(self.name, key) from None
            try:
                with fsrc, open(local_path, "wb") as fdst:
                    fsrc.prefetch()
                    while chunk := fsrc.read(_CHUNK):
                        _write_local(fdst, chunk)
            except BaseException:
                unlink_quiet(local_path)
                raise

        self._run(fetch, "reading", src)

    # -- one source of import-url (keys relative to the host's `/`) --------------------------------
    def info(self, key: str) -> dict | None:
        full = self._full(key)

        def look(sftp) -> dict | None:
            try:
                st = sftp.stat(full)
            except FileNotFoundError:
                return None
            kind = "directory" if stat.S_ISDIR(st.st_mode or 0) else "file"
            return {"type": kind, "size": st.st_size, "etag": None}

        return self._run(look, "checking", full)

    def walk_files(self, key: str) -> Iterator[tuple[str, int | None, str | None]]:
        base, stack = self._full(key), [""]
        while stack:
            rel = stack.pop()
            full = posixpath.join(base, rel) if rel else base
            entries = self._run(lambda sftp, full=full: _listdir_attr(sftp, full), "listing", full)
            for entry in sorted(entries, key=lambda e: e.filename, reverse=True):
                sub = f"{rel}/{entry.filename}" if rel else entry.filename
                if stat.S_ISDIR(entry.st_mode or 0):
                    stack.append(sub)
                elif stat.S_ISREG(entry.st_mode or 0):  # symlinks and specials are not followed
                    yield sub, entry.st_size, None

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        src = self._full(key)
        try:
            with self._pool.session() as session:
                try:
                    fsrc = session.sftp.open(src, "rb")
                except FileNotFoundError:
                    raise RemoteObjectNotFound(self.name, key) from None
                with fsrc:
                    fsrc.prefetch()
                    while chunk := fsrc.read(_CHUNK):
                        yield chunk
        except RemoteError:
            raise
        except OSError as exc:
            raise self._error(exc, "reading", src) from None
        except Exception as exc:
            if not self._pool.is_transient(exc):
                raise
            raise RemoteError(f"connection to {self._where()} lost while reading '{src}': {exc}") from None

    def delete(self, key: str) -> None:
        full = self._full(key)

        def remove(sftp) -> None:
            with contextlib.suppress(FileNotFoundError):
                sftp.remove(full)

        self._run(remove, "deleting", full)

    def sweep_tmp(self, max_age: float = 3600.0) -> int:
        """Remove unfinished uploads: this machine's whose process is gone, anyone's older than
        `max_age` (another client may be uploading right now); how many were removed."""
        import time

        from stagecore.storage.fsutil import is_tmp_name, tmp_is_stale

        now = time.time()
        doomed: list[str] = []
        stack = [self.path]
        while stack:
            cur = stack.pop()
            for entry in self._run(lambda sftp, cur=cur: _listdir_attr(sftp, cur), "listing", cur):
                full = posixpath.join(cur, entry.filename)
                mtime = float(entry.st_mtime or 0)
                if stat.S_ISDIR(entry.st_mode or 0):
                    stack.append(full)
                elif is_tmp_name(entry.filename):
                    if tmp_is_stale(entry.filename, mtime, now, max_age):
                        doomed.append(full)
                elif is_tmp_key(entry.filename) and now - mtime > max_age:
                    doomed.append(full)
        for full in doomed:
            self._run(lambda sftp, full=full: _remove_quiet(sftp, full), "deleting", full)
        return len(doomed)

    def close(self) -> None:
        self._pool.close()


class _LocalFailure(Exception):
    """An OSError of the local side, carried through the retry loop untouched."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(str(exc))
        self.exc = exc


def _read_local(fobj) -> bytes:
    try:
        return fobj.read(_CHUNK)
    except OSError as exc:
        raise _LocalFailure(exc) from exc


def _write_local(fobj, data: bytes) -> None:
    try:
        fobj.write(data)
    except OSError as exc:
        raise _LocalFailure(exc) from exc


def _listdir(sftp, path: str) -> list[str]:
    try:
        return sftp.listdir(path)
    except FileNotFoundError:
        return []


def _listdir_attr(sftp, path: str) -> list:
    try:
        return sftp.listdir_attr(path)
    except FileNotFoundError:
        return []


def _remove_quiet(sftp, path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        sftp.remove(path)


def _exists(sftp, path: str) -> bool:
    try:
        sftp.stat(path)
        return True
    except FileNotFoundError:
        return False


def _rename_over(sftp, tmp: str, dest: str) -> None:
    """Atomically move `tmp` to `dest`, replacing it (posix-rename@openssh.com, else rename)."""
    try:
        sftp.posix_rename(tmp, dest)
        return
    except OSError:
        if _exists(sftp, tmp) and not _exists(sftp, dest):
            sftp.rename(tmp, dest)
            return
        if not _exists(sftp, dest):
            raise
    sftp.remove(tmp)  # dest already there: same key, same content
