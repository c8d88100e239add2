"""The fast path: a clean verdict cached with the stat signature of everything it read.

After a full check found nothing to report, `stagecore.fastpath.snapshot_record` writes
`.dvc/tmp/stagecore-fastpath-<kind>`: the (dev, ino, size, mtime_ns, ctime_ns, mode) of every
dvc file, dvc.lock, params file, dependency and output (every file and directory below a
directory), the config files, the cache objects (and the cache shards of a directory's files),
every directory the search for dvc files visits, and the git index entries the verdict depends on.
`holds` re-stats those paths and re-reads those index entries: any difference, or any doubt
(a missing or unreadable snapshot, a wrong version, a symlink, a file too large, a git index in a
format not understood) means "run the full check". Racy timestamps are refused when the snapshot
is written: every recorded mtime and ctime is older than the start of the check that produced
the verdict (minus the file system's timestamp granularity), so a later change, even one that
keeps size and mtime (`touch -r`), changes the ctime and is seen.

This module imports only the standard library (os, marshal): a hook with nothing to do pays a
`python -S` start, one small read and the stats.
"""

from __future__ import annotations

import marshal
import os
import stat as statmod

VERSION = 3  # 3: the index entries as bytes
NAME = "stagecore-fastpath-"
MAX_BYTES = 64 << 20  # a larger snapshot file is not read (hostile, or a repository too big for it)
INDEX_MAX_BYTES = 256 << 20
Sig = tuple  # (dev, ino, size, mtime_ns, ctime_ns, mode); None: the path must not exist


def sig_of(st: os.stat_result) -> Sig:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)


def snapshot_path(root: str, kind: str) -> str:
    return os.path.join(root, ".dvc", "tmp", NAME + kind)


def real_tmp_dir(root: str) -> bool:
    """`.dvc` and `.dvc/tmp` are real directories (never a symlink leading elsewhere)."""
    for rel in (".dvc", os.path.join(".dvc", "tmp")):
        try:
            if not statmod.S_ISDIR(os.lstat(os.path.join(root, rel)).st_mode):
                return False
        except OSError:
            return False
    return True


def forget(root: str, kind: str) -> None:
    """Remove the snapshot of `kind` (a full check is about to decide again)."""
    if real_tmp_dir(root):
        try:
            os.unlink(snapshot_path(root, kind))
        except OSError:
            pass


def git_paths(root: str, environ) -> tuple[str, str] | None:
    """(git dir, index file) of the work tree at `root`, as a hook sees them; None when unsure."""
    git_dir = environ.get("GIT_DIR")
    if git_dir:
        git_dir = os.path.join(root, git_dir)
    else:
        dotgit = os.path.join(root, ".git")
        try:
            st = os.lstat(dotgit)
        except OSError:
            return None
        if statmod.S_ISDIR(st.st_mode):
            git_dir = dotgit
        elif statmod.S_ISREG(st.st_mode) and st.st_size < 4096:  # a worktree: `gitdir: <path>`
            with open(dotgit, "rb") as fobj:
                line = fobj.read().strip()
            if not line.startswith(b"gitdir: "):
                return None
            git_dir = os.path.join(root, os.fsdecode(line[8:]))
        else:
            return None
    index = environ.get("GIT_INDEX_FILE")
    return git_dir, os.path.join(root, index) if index else os.path.join(git_dir, "index")


def read_bounded(path: str, limit: int, nofollow: bool = True) -> bytes | None:
    """The bytes of regular file `path` if no larger than `limit`, never through a symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) * nofollow | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not statmod.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks, left = [], st.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return None if len(data) > limit else data
    except OSError:
        return None
    finally:
        os.close(fd)


_SPARSE_DIR = b"\0\0\x40\0"  # the mode of a sparse index's directory entry (040000)


def index_entries(path: str, relevant, modes: dict | None = None) -> bytes | None:
    """The git index entries for which `relevant(path)` holds, as they are in the file (stat
    data, mode, oid, flags), each followed by its path; None when the index cannot be read or
    is in a form not understood (SHA-256, sparse, a corrupt file). Compared as bytes: git
    rewrites an entry's stat data only after it re-stat'ed a changed file, and a difference
    only sends the hook to its full check. One pass over the entries, a path's length taken
    from its flags (v2/v3), no object per entry that is not relevant. `modes`, when given,
    receives {path: mode} of those entries (-1: a conflicted path)."""
    data = read_bounded(path, INDEX_MAX_BYTES, nofollow=False)
    if data is None or len(data) < 32 or data[:4] != b"DIRC":
        return None
    version = int.from_bytes(data[4:8], "big")
    count = int.from_bytes(data[8:12], "big")
    if version not in (2, 3, 4):
        return None
    parts: list[bytes] = []
    pos, prev, find = 12, b"", data.find
    try:
        for _ in range(count):
            entry = pos
            flags = data[pos + 60] << 8 | data[pos + 61]
            start = pos + 62 + (2 if flags & 0x4000 else 0)
            if version == 4:
                byte = data[start]
                start += 1
                strip = byte & 127
                while byte & 128:
                    byte = data[start]
                    start += 1
                    strip = ((strip + 1) << 7) + (byte & 127)
                end = find(b"\0", start)
                if end < 0 or strip > len(prev):
                    return None
                name = prev[:len(prev) - strip] + data[start:end]
                pos = end + 1
            else:
                length = flags & 0xFFF
                end = start + length if length < 0xFFF else find(b"\0", start)
                if end < 0 or data[end] != 0:
                    return None
                name = data[start:end]
                pos = entry + ((end - entry + 8) & ~7)
            prev = name
            if relevant(name):
                if data[entry + 24:entry + 28] == _SPARSE_DIR:
                    return None
                parts += (data[entry:pos], name)
                if modes is not None:
                    modes[name] = -1 if flags & 0x3000 else int.from_bytes(data[entry + 24:entry + 28], "big")
        while pos + 28 <= len(data):  # extensions, then the 20-byte checksum: a sparse index is not read
            if data[pos:pos + 4] == b"sdir":
                return None
            pos += 8 + int.from_bytes(data[pos + 4:pos + 8], "big")
    except IndexError:
        return None
    return b"".join(parts)



# index entries always compared (a superset is harmless): dvc files, and what makes a directory a
# project that the hooks serve (a nested `init --subdir` project's tracked .dvc/config, .dvc/.gitignore)
DVC_NAMES = (b".dvc", b"dvc.yaml", b"dvc.lock", b".dvc/config", b".dvc/.gitignore")


def relevance(files, dirs, own: bytes):
    """The predicate of the index entries a verdict depends on: dvc files, the git-tracked
    dependencies (`files`; `dirs`: prefixes ending in '/'), and the snapshot itself (which must
    never be in the index: a committed snapshot is a hostile one)."""
    files = frozenset(files) | {own}
    dirs = tuple(dirs)

    def relevant(name: bytes) -> bool:
        return name.endswith(DVC_NAMES) or name in files or (bool(dirs) and name.startswith(dirs))

    return relevant


def load(root: str, kind: str) -> dict | None:
    """The snapshot of `kind`, checked for shape; None when absent or not trustworthy."""
    if not real_tmp_dir(root):
        return None
    data = read_bounded(snapshot_path(root, kind), MAX_BYTES)
    if data is None:
        return None
    try:
        snap = marshal.loads(data)
    except Exception:  # noqa: BLE001 - any corruption: no snapshot
        return None
    from stagecore import __version__

    if not isinstance(snap, dict) or snap.get("version") != VERSION or snap.get("kind") != kind:
        return None
    if snap.get("stagecore") != __version__ or snap.get("root") != root:
        return None
    for key in ("groups", "follow", "follow_sigs"):
        if not isinstance(snap.get(key), list):
            return None
    if len(snap["follow"]) != len(snap["follow_sigs"]):
        return None
    for group in snap["groups"]:
        if not (isinstance(group, tuple) and len(group) == 3 and isinstance(group[0], str)
                and isinstance(group[1], list) and isinstance(group[2], list) and len(group[1]) == len(group[2])):
            return None
    # a record committed into git (`git add -f .dvc/tmp/...`) must not pass for a clean verdict: a
    # real one holds the signature of some path of the work tree (its root directory at least), and
    # no one can forge that of a file git has just checked out here (inode, ctime_ns)
    inside = root.rstrip(os.sep) + os.sep
    if not any((top == root or top.startswith(inside)) and any(sig is not None for sig in sigs)
               for top, _names, sigs in snap["groups"]):
        return None
    return snap


def _changed_in(top: str, names: list, sigs: list) -> str | None:
    """The first of `names` (in directory `top`) whose signature is not the recorded one: each
    stat'ed relative to one descriptor of the directory (a path walk saved per file)."""
    try:
        fd = os.open(top, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None if all(sig is None for sig in sigs) else f"{top} is gone"
    lstat = os.lstat
    try:
        for name, want in zip(names, sigs, strict=True):
            try:
                st = lstat(name, dir_fd=fd)
            except FileNotFoundError:
                if want is None:
                    continue
                return f"{top}/{name} is gone"
            if want is None or (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                st.st_mode) != want:
                return f"{top}/{name} changed"
        return None
    finally:
        os.close(fd)


def holds(root: str, kind: str, environ) -> str | None:
    """None when the clean verdict recorded for `kind` still holds in `root`; else why not."""
    from stagecore.fastpath.fsmonitor import (
        vouches,  # fsmonitor (task F): watchman, when on, answers in O(changes)
    )

    if vouches(root, kind, environ):
        return None
    snap = load(root, kind)
    if snap is None:
        return "no usable snapshot"
    try:
        for top, names, sigs in snap["groups"]:
            changed = _changed_in(top, names, sigs)
            if changed:
                return changed
        for path, want in zip(snap["follow"], snap["follow_sigs"], strict=True):
            if sig_of(os.stat(path)) != want:
                return f"{path} changed"
    except (OSError, TypeError, ValueError):
        return "a path cannot be read"
    index = snap.get("index")
    if index is None:
        return None
    try:
        files, dirs, own, entries = index
        relevant = relevance(files, dirs, own)
    except (TypeError, ValueError):
        return "bad index record"
    found = git_paths(root, environ)
    if found is None:
        return "no git index"
    now = index_entries(found[1], relevant)
    if now is None:
        return "git index not understood"
    return None if now == entries else "the staged dvc files or dependencies changed"


_STATUS_FORMS = {("status",): False, ("status", "-q"): True, ("status", "--quiet"): True, ("-q", "status"): True}
UP_TO_DATE = "Data and pipelines are up to date."


def fast_status(argv, environ) -> int | None:
    """`stagecore status` (`-q`) run in the project's root when the snapshot of its last clean
    result still holds: its output and exit code; None: run the command."""
    quiet = _STATUS_FORMS.get(tuple(argv))
    if quiet is None or environ.get("STAGECORE_FASTPATH", "1") == "0":
        return None
    root = os.getcwd()
    if not os.path.isdir(os.path.join(root, ".dvc")) or holds(root, "status", environ) is not None:
        return None
    import sys

    if not quiet:
        sys.stdout.write(UP_TO_DATE + "\n")
    if environ.get("STAGECORE_TRACE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        sys.stderr.write("stagecore trace status: up to date (snapshot)\n")
    return 0
