"""The content-addressed object store (`.dvc/cache`), laid out as DVC 3 lays it out.

`files/md5/xx/yyyy…` holds md5 objects; the legacy root `xx/yyyy…` holds DVC 2.x
(md5-dos2unix) objects. Objects are read-only (0444) and every write is a temp file in
the same directory followed by `os.replace`, so no reader ever sees half an object.

Longer than ~300 lines: one class, the ObjectStore, whose methods share its invariants
(read-only objects, temp file then rename, link types tried in DVC's order).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading

from stagecore.core.hashinfo import MD5, HashInfo
from stagecore.core.tree import ManifestError, parse_manifest
from stagecore.errors import CacheError

_FICLONE = 0x40049409
LINK_TYPES = ("reflink", "hardlink", "symlink", "copy")
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


_OBJECT_NAME = re.compile(r"[0-9a-f]{3,32}(\.dir)?")
_SHARD_NAME = re.compile(r"[0-9a-f]{2}")
_OBJECT_REST = re.compile(r"[0-9a-f]{30}(\.dir)?")
_GOOD_SHARDS: set[str] = set()  # shard directories seen to be real directories (not symlinks)


def object_relpath(hi: HashInfo) -> str:
    """Path of an object relative to the cache (or remote) root, posix separators.

    Defence in depth behind the gate (`core.safepath`): a value that is not lowercase hex
    (+ `.dir`) never becomes a path (3 to 32 digits: `preload` passes 3-digit prefixes)."""
    value = hi.value
    if not isinstance(value, str) or not _OBJECT_NAME.fullmatch(value):
        raise CacheError(f"refused a cache object name that is not an md5 hash value: {value!r:.80}")
    if hi.name == MD5:
        return f"files/md5/{value[:2]}/{value[2:]}"
    return f"{value[:2]}/{value[2:]}"


def tmp_name(path: str) -> str:
    """A unique sibling name for writing `path` atomically: `fsutil.tmp_path`'s short scheme."""
    from stagecore.storage.fsutil import tmp_path

    return tmp_path(path)


class ObjectStore:
    def __init__(self, root: str, link_types: tuple[str, ...] = ("reflink", "copy")) -> None:
        self.root = root
        self.link_types = link_types
        self._made_dirs: set[str] = set()
        self._manifests: dict[HashInfo, dict[str, str]] = {}
        self._no_reflink = False
        self._lock = threading.Lock()
        self._listings: dict[tuple[str, str], set[str]] = {}

    def has(self, hi: HashInfo) -> bool:
        """Whether the object exists; answered from a directory listing when one is loaded."""
        listing = self._listings.get((hi.name, hi.value[:2]))
        if listing is not None:
            return hi.value[2:] in listing
        return os.path.exists(self.path_of(hi))

    def preload(self, name: str, values) -> None:
        """List the prefix directories holding `values`: one listdir instead of a stat each."""
        for prefix in {v[:2] for v in values}:
            key = (name, prefix)
            if key in self._listings:
                continue
            parent = os.path.dirname(self.path_of(HashInfo(name, prefix + "0")))
            try:
                self._listings[key] = set(os.listdir(parent))
            except FileNotFoundError:
                self._listings[key] = set()

    def missing_values(self, name: str, values) -> set[str]:
        """Which of `values` (hex digests of algorithm `name`) are not in the cache."""
        values = set(values)
        if len(values) <= 64:
            return {v for v in values if not self.has(HashInfo(name, v))}
        self.preload(name, values)
        by_prefix: dict[str, set[str]] = {}
        for v in values:
            by_prefix.setdefault(v[:2], set()).add(v[2:])
        missing: set[str] = set()
        for prefix, rests in by_prefix.items():
            for rest in rests - self._listings[(name, prefix)]:
                missing.add(prefix + rest)
        return missing

    def preload_many(self, objs) -> None:
        """`preload` for a mix of algorithms, when there are enough objects to be worth it."""
        by_name: dict[str, list[str]] = {}
        for hi in objs:
            by_name.setdefault(hi.name, []).append(hi.value)
        for name, values in by_name.items():
            if len(values) > 64:
                self.preload(name, values)

    def _added(self, hi: HashInfo) -> None:
        listing = self._listings.get((hi.name, hi.value[:2]))
        if listing is not None:
            listing.add(hi.value[2:])
        self.note_verified(hi)

    def note_verified(self, hi: HashInfo) -> None:
        """Object `hi` was just written from content hashed on the way in: trust its stamp."""
        from stagecore.storage.state import note_trusted_object, stamp_of

        path = os.path.abspath(self.path_of(hi))
        try:
            note_trusted_object(path, stamp_of(os.stat(path)))
        except OSError:
            pass  # not trusted: checked when next used

    def iter_object_paths(self):
        """(HashInfo, path) of every object of both layouts, plus names that are not valid hashes.

        Yields (None, path) for a file in a shard directory whose name is not a hash (fsck
        reports those); temp files of interrupted writes are left out.
        """
        for hi, path in self._scan():
            rest = os.path.basename(path)
            if hi is None and (rest.endswith(".tmp") or rest.startswith(".")):  # temps are not objects
                continue
            yield hi, path

    def path_of(self, hi: HashInfo) -> str:
        """The object's path; its shard directory is checked not to be a symlink (cached)."""
        path = os.path.join(self.root, object_relpath(hi))
        shard = os.path.dirname(path)
        if shard not in _GOOD_SHARDS:
            self.check_shard(shard)
        return path

    def exists(self, hi: HashInfo) -> bool:
        return os.path.exists(self.path_of(hi))

    def _ensure_dir(self, path: str) -> None:
        parent = os.path.dirname(path)
        if parent not in self._made_dirs:
            os.makedirs(parent, exist_ok=True)
            self._made_dirs.add(parent)

    def add_file(self, src: str, hi: HashInfo) -> bool:
        """Copy `src` into the cache under `hi` unless present; True when written."""
        written = self._write(hi, lambda tmp: _clone_or_copy(src, tmp, self, 0o444))
        if written:
            from stagecore.ui.progress import tick_file

            tick_file("store", src, files=1)  # add's / commit's bar, when one is open
        return written

    def add_bytes(self, data: bytes, hi: HashInfo) -> bool:
        def write(tmp: str) -> None:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            with os.fdopen(fd, "wb") as fobj:
                fobj.write(data)

        return self._write(hi, write)

    def _write(self, hi: HashInfo, fill) -> bool:
        """Create object `hi` through a temp file (`fill(tmp)` writes it) unless present."""
        if self.has(hi):
            return False
        dest = self.path_of(hi)
        self._ensure_dir(dest)
        tmp = tmp_name(dest)
        try:
            fill(tmp)
            os.replace(tmp, dest)
        except OSError as exc:
            _unlink_quiet(tmp)
            from stagecore.storage.fsutil import raise_disk_error

            raise_disk_error(exc, dest, "writing the cache object")
            raise
        except BaseException:
            _unlink_quiet(tmp)
            raise
        self._added(hi)
        return True

    def sweep_tmp(self) -> int:
        """Remove stale temp files (of killed writers) from every object directory; how many."""
        from stagecore.storage.fsutil import sweep_tmp

        removed = 0
        for base in (os.path.join(self.root, "files", "md5"), self.root):
            try:
                prefixes = [p for p in os.listdir(base) if len(p) == 2]
            except (FileNotFoundError, NotADirectoryError):
                continue
            for prefix in prefixes:
                try:
                    if not self.check_shard(os.path.join(base, prefix)):
                        continue
                except CacheError:
                    continue  # a symlinked shard: never swept through (the command using it is refused)
                removed += sweep_tmp(os.path.join(base, prefix))
        for dirpath, _dirnames, _files in os.walk(os.path.join(self.root, "runs")):  # the run cache
            removed += sweep_tmp(dirpath)
        return removed

    def manifest(self, hi: HashInfo) -> dict[str, str]:
        """The {relpath: md5} of a `.dir` object; CacheError when missing or corrupt."""
        cached = self._manifests.get(hi)
        if cached is not None:
            return cached
        path = self.path_of(hi)
        try:
            with open(path, "rb") as fobj:
                data = fobj.read()
        except FileNotFoundError:
            raise CacheError(f"directory manifest '{hi.value}' is not in the cache") from None
        try:
            files = parse_manifest(data)
        except ManifestError as exc:
            raise CacheError(f"cache object '{path}' {exc}") from None
        self._manifests[hi] = files
        return files

    def link(self, hi: HashInfo, dest: str, isexec: bool = False, dir_fd: int | None = None) -> None:
        """Materialise object `hi` at `dest` (atomically replacing what is there).

        With `dir_fd` (an open directory, see fsguard.DirHandles) `dest` is a name in that
        directory: the temp file and the replace are relative to it, nothing is followed."""
        src = self.path_of(hi)
        tmp = tmp_name(dest)
        try:
            self._link_one(src, tmp, dir_fd)
            if isexec:
                st = os.stat(tmp, dir_fd=dir_fd, follow_symlinks=False)
                if not stat.S_ISLNK(st.st_mode):
                    os.chmod(tmp, st.st_mode | stat.S_IXUSR, dir_fd=dir_fd)
            os.replace(tmp, dest, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            # renaming a hard link over another link to the same inode does nothing (POSIX): the
            # temp name is still there (re-adding unchanged data with cache.type hardlink)
            _unlink_at(tmp, dir_fd)
            from stagecore.ui.progress import tick_file

            tick_file("link", src, files=1)  # checkout's bar, when one is open
        except OSError as exc:
            _unlink_at(tmp, dir_fd)
            from stagecore.storage.fsutil import raise_disk_error

            raise_disk_error(exc, _full_path(dest, dir_fd))  # the disk refused it: a DiskError naming dest
            raise
        except BaseException:
            _unlink_at(tmp, dir_fd)
            raise

    def _link_one(self, src: str, tmp: str, dir_fd: int | None = None) -> None:
        last: OSError | None = None
        for kind in self.link_types:
            try:
                if kind == "copy":
                    copy_file(src, tmp, 0o666, dir_fd=dir_fd)
                elif kind == "reflink":
                    if self._no_reflink:
                        continue
                    _reflink(src, tmp, self, dir_fd=dir_fd)
                elif kind == "hardlink":
                    if os.path.getsize(src) == 0:  # DVC copies empty files (one inode for all of them
                        copy_file(src, tmp, 0o666, dir_fd=dir_fd)  # would tie unrelated outputs together)
                    else:
                        os.link(src, tmp, dst_dir_fd=dir_fd)
                elif kind == "symlink":
                    os.symlink(os.path.abspath(src), tmp, dir_fd=dir_fd)
                return
            except FileNotFoundError:
                if not os.path.exists(src):
                    raise CacheError(f"object '{src}' is not in the cache") from None
                raise
            except OSError as exc:
                _unlink_at(tmp, dir_fd)
                if exc.errno in _DISK_FULL:
                    raise  # the disk refuses the bytes: another link type would not help (or would
                    # silently give a symlink where a copy was asked for first)
                last = exc
        raise CacheError(f"could not link '{src}' with any of {', '.join(self.link_types)}: {last}")

    def remove(self, hi: HashInfo) -> None:
        _unlink_quiet(self.path_of(hi))

    def iter_objects(self, strays: list[str] | None = None):
        """Yield the HashInfo of every object in the cache (both layouts).

        Only valid object names (2-hex shard + 30 hex digits, optionally `.dir`) are objects;
        anything else in a shard directory (except our temp files, which the sweep handles) is
        a stray: its path is appended to `strays` when given, and it is never yielded."""
        from stagecore.storage.fsutil import is_tmp_name

        for hi, path in self._scan():
            if hi is not None:
                yield hi
            elif strays is not None and not is_tmp_name(os.path.basename(path)):
                strays.append(path)

    def _scan(self):
        """(HashInfo or None, path) of every entry of every shard directory of both layouts;
        a symlinked shard directory is refused (`check_shard`)."""
        from stagecore.core.hashinfo import MD5_D2U

        for base, name in ((os.path.join(self.root, "files", "md5"), MD5), (self.root, MD5_D2U)):
            try:
                prefixes = sorted(os.listdir(base))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for prefix in prefixes:
                if not _SHARD_NAME.fullmatch(prefix):
                    continue
                shard = os.path.join(base, prefix)
                if not self.check_shard(shard):
                    continue
                try:
                    entries = sorted(os.scandir(shard), key=lambda e: e.name)
                except (FileNotFoundError, NotADirectoryError):
                    continue
                for entry in entries:
                    value = prefix + entry.name
                    valid = _OBJECT_REST.fullmatch(entry.name) and not entry.is_dir(follow_symlinks=False)
                    yield (HashInfo(name, value) if valid else None), entry.path

    def check_shard(self, shard: str) -> bool:
        """Whether shard directory `shard` exists; CacheError when it is a symlink (a committed
        link there would send object writes, and reads, wherever it points). One lstat per
        existing shard directory per process."""
        if shard in _GOOD_SHARDS:
            return True
        try:
            st = os.lstat(shard)
        except (FileNotFoundError, NotADirectoryError):
            return False
        if stat.S_ISLNK(st.st_mode):
            raise CacheError(
                f"cache directory '{shard}' is a symlink: refused, nothing is read or written through it",
                hint="remove that link (with `git rm` if it is committed), then run the command again",
            )
        if not stat.S_ISDIR(st.st_mode):
            return False
        _GOOD_SHARDS.add(shard)
        return True

def _reflink(src: str, dest: str, store: ObjectStore, dir_fd: int | None = None) -> None:
    import fcntl

    fd_out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=dir_fd)
    with open(src, "rb") as fsrc, os.fdopen(fd_out, "wb") as fdest:
        try:
            fcntl.ioctl(fdest.fileno(), _FICLONE, fsrc.fileno())
        except OSError as exc:
            if exc.errno in (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY):
                store._no_reflink = True
            raise


def _clone_or_copy(src: str, dest: str, store: ObjectStore, mode: int) -> None:
    if not store._no_reflink:
        try:
            _reflink(src, dest, store)
            os.chmod(dest, mode)
            return
        except OSError:
            _unlink_quiet(dest)
    copy_file(src, dest, mode)


def copy_file(src: str, dest: str, mode: int, dir_fd: int | None = None) -> None:
    """Copy in the kernel (copy_file_range, which also clones on btrfs/xfs); `dest` is new
    (relative to `dir_fd` when given)."""
    fd_in = os.open(src, os.O_RDONLY)
    try:
        size = os.fstat(fd_in).st_size
        fd_out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode, dir_fd=dir_fd)
        try:
            done = 0
            while done < size:
                try:
                    n = os.copy_file_range(fd_in, fd_out, size - done)
                except OSError as exc:
                    if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                        raise
                    n = os.sendfile(fd_out, fd_in, done, size - done)
                if n == 0:
                    break
                done += n
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)


def _full_path(name: str, dir_fd: int | None) -> str:
    """The absolute path of `name` (relative to the open directory `dir_fd` when given)."""
    if dir_fd is None:
        return os.path.abspath(name)
    try:
        return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
    except OSError:  # no /proc: the name alone
        return name


def _unlink_at(path: str, dir_fd: int | None) -> None:
    try:
        os.unlink(path, dir_fd=dir_fd)
    except FileNotFoundError:
        pass


def _unlink_quiet(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
