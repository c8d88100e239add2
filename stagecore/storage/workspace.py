"""Measuring the workspace: the hash of a file or directory, through the state database.

Only files whose (inode, ctime, size) changed since they were last hashed are read
(stagecore.storage.state.stamp_of); a file changed within the racy margin is hashed again next time.
Directories become `.dir` manifests; `.dvcignore`d files are left out.
"""

from __future__ import annotations

import os
import stat as statmod
import time
from collections.abc import Callable
from dataclasses import dataclass

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.tree import manifest_bytes, manifest_hash
from stagecore.errors import StagecoreError
from stagecore.storage.fsutil import TMP_PREFIX, is_tmp_name
from stagecore.storage.hashing import file_md5
from stagecore.storage.state import settled, stamp_of

BIG_FILE = 4 * 1024 * 1024  # files at least this large are hashed on worker threads


@dataclass
class Measured:
    hash: HashInfo
    meta: Meta
    files: dict[str, str] | None = None  # directories: relpath -> md5
    _manifest: bytes | None = None

    @property
    def isdir(self) -> bool:
        return self.files is not None

    @property
    def manifest(self) -> bytes | None:
        """The `.dir` bytes of a directory (built on first use: status rarely needs them)."""
        if self._manifest is None and self.files is not None:
            self._manifest = manifest_bytes(self.files)
        return self._manifest


class Workspace:
    def __init__(self, root: str, state, ignore) -> None:
        self.root = root
        self.state = state
        self.ignore = ignore
        # read-only commands (status, the pre-commit gate) measure a path shared by many
        # stages once; commands that change the workspace leave this off
        self.memo: dict[tuple[str, str], Measured | None] | None = None
        self.temps: list[str] = []  # temp files `walk` passed over (absolute paths)
        self.cache_dir_of: Callable[[], str] | None = None  # set by Repo: links into the cache are readable

    def measure(self, relpath: str, name: str = MD5) -> Measured | None:
        """Hash `relpath` (repo-relative) or return None when it does not exist."""
        if self.memo is None:
            return self._measure(relpath, name)
        key = (relpath, name)
        if key not in self.memo:
            self.memo[key] = self._measure(relpath, name)
        return self.memo[key]

    def _measure(self, relpath: str, name: str) -> Measured | None:
        path = os.path.join(self.root, relpath)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        self.check_read(relpath)
        if statmod.S_ISDIR(st.st_mode):
            return self._measure_dir(relpath, name)
        md5 = self.hash_files([(relpath, st)], name)[relpath]
        isexec = bool(st.st_mode & statmod.S_IXUSR)
        return Measured(HashInfo(name, md5), Meta(st.st_size, None, isexec))

    def check_read(self, relpath: str) -> None:
        """Refuse to read `relpath` when a symlink leads it outside the work tree or into .git/.dvc."""
        from stagecore.storage.fsguard import check_read

        check_read(self.root, relpath, self.cache_dir_of)  # the cache dir is asked for only by a link

    def walk(self, reldir: str) -> list[tuple[str, os.stat_result]]:
        """Every file below `reldir` (repo-relative) not ignored: (repo relpath, stat)."""
        found: list[tuple[str, os.stat_result]] = []
        use_ignore = not self.ignore.empty or self.ignore.active(reldir)
        stack = [reldir]
        while stack:
            cur = stack.pop()
            try:
                entries = list(os.scandir(os.path.join(self.root, cur)))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                rel = f"{cur}/{entry.name}" if cur else entry.name
                if entry.name.startswith(TMP_PREFIX) and is_tmp_name(entry.name):
                    self.temps.append(entry.path)  # a writer's temp file, never data (swept when stale)
                    continue
                if entry.name == ".dvcignore":
                    raise StagecoreError(
                        f".dvcignore file should not be in collected dir path: '{cur}'",
                        hint="move its patterns to a .dvcignore above the tracked directory",
                    )
                try:
                    isdir = entry.is_dir(follow_symlinks=False)  # never follow a symlinked dir (loops)
                except OSError:
                    continue
                if use_ignore and self.ignore.match(rel, isdir):
                    continue
                if isdir:
                    stack.append(rel)
                elif entry.is_symlink() and entry.is_dir():
                    continue  # a symlink to a directory is not descended into (as os.walk does)
                else:
                    if entry.is_symlink():
                        self.check_read(rel)  # a link leading out of the work tree is never read
                    try:
                        found.append((rel, entry.stat()))
                    except FileNotFoundError:
                        continue
        return found

    def hash_files(self, files: list[tuple[str, os.stat_result]], name: str = MD5,
                   remember: bool = True) -> dict[str, str]:
        """md5 of each (repo relpath, stat); unchanged files come from the state database.

        `remember=False` leaves the per-file rows alone (a directory snapshot covers them)."""
        result: dict[str, str] = {}
        small: list[tuple[str, tuple[int, int, int]]] = []
        big: list[tuple[str, tuple[int, int, int]]] = []
        get = self.state.get
        now = time.time_ns()  # before any read: a file changed after this is not remembered
        for rel, st in files:
            stamp = stamp_of(st)
            hit = get(rel, name, stamp)
            if hit is not None:
                result[rel] = hit
            else:
                (big if st.st_size >= BIG_FILE else small).append((rel, stamp))
        root = self.root
        if big or small:
            from stagecore.ui.progress import expect

            expect("hash", len(big) + len(small))

        def one(item: tuple[str, tuple[int, int, int]]) -> tuple[str, tuple[int, int, int], str]:
            rel, stamp = item
            try:
                return rel, stamp, file_md5(os.path.join(root, rel), name)
            except PermissionError:
                raise StagecoreError(
                    f"cannot read '{rel}': permission denied", hint=f"check the permissions of '{rel}'"
                ) from None

        done: list[tuple[str, tuple[int, int, int], str]] = []
        if big:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
                done.extend(pool.map(one, big))
        done.extend(map(one, small))
        for rel, stamp, md5 in done:
            result[rel] = md5
            if remember and settled(stamp, now):
                self.state.put(rel, name, stamp, md5)
        return result

    def _measure_dir(self, reldir: str, name: str) -> Measured:
        now = time.time_ns()  # before any read (see hash_files)
        files = self.walk(reldir)
        snap = self.state.get_dir(reldir, name)
        cut = len(reldir) + 1
        tree: dict[str, str] = {}
        misses: list[tuple[str, os.stat_result]] = []
        stamps: list[tuple[str, tuple[int, int, int]]] = []  # (relpath inside, stamp): computed once
        size = 0
        for rel, st in files:
            size += st.st_size
            inner, stamp = rel[cut:], stamp_of(st)
            stamps.append((inner, stamp))
            hit = snap.get(inner)
            if hit is not None and hit[0] == stamp:
                tree[inner] = hit[1]
            else:
                misses.append((rel, st))
        known = snap.get("")  # "" is no relpath: it holds the directory's own hash
        if not misses and known is not None and len(snap) == len(tree) + 1:
            return Measured(HashInfo(name, known[1]), Meta(size, len(tree), False), tree)
        for rel, md5 in self.hash_files(misses, name, remember=False).items():
            tree[rel[cut:]] = md5
        data = manifest_bytes(tree)
        hi = manifest_hash(data, name)
        fresh: dict[str, tuple[tuple[int, int, int] | None, str]] = {}
        for inner, stamp in stamps:
            fresh[inner] = (stamp if settled(stamp, now) else None, tree[inner])
        fresh[""] = (None, hi.value)
        self.state.put_dir(reldir, name, fresh)
        return Measured(hi, Meta(size, len(tree), False), tree, data)
