"""What the fast path's records are made of, read with the standard library only: where a record
lives (`.dvc/tmp`, a real directory), the stat signature of a path, the git directory and index
of a work tree, a bounded no-follow read, the git index entries a verdict depends on, and a git
command run without the subprocess module. Shared by the readers (stagecore.fastpath.snapshot,
.pushed, .fsmonitor, .followfast) and the writers (stagecore.fastpath.snapshot_record,
.fsmonitor_record), so that none of them imports another."""

from __future__ import annotations

import os
import stat as statmod

NAME = "stagecore-fastpath-"
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


def git(root: str, *args: str, data: bytes = b"") -> tuple[int, bytes]:
    """(exit code, stdout) of `git -C root ARGS` fed `data` (small: it fits the pipe), stderr
    dropped. posix_spawn rather than subprocess: importing subprocess (locale, re, enum,
    selectors, threading) costs about as much CPU as the rest of this path (subprocess only
    where there is no posix_spawn)."""
    if not hasattr(os, "posix_spawnp"):
        import subprocess

        try:
            proc = subprocess.run(["git", "-C", root, *args], input=data, capture_output=True, check=False)
        except OSError:
            return 127, b""
        return proc.returncode, proc.stdout
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    try:
        actions = [(os.POSIX_SPAWN_DUP2, r_in, 0), (os.POSIX_SPAWN_DUP2, w_out, 1),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        pid = os.posix_spawnp("git", ["git", "-C", root, *args], os.environ, file_actions=actions)
    except OSError:
        for fd in (r_in, w_in, r_out, w_out):
            os.close(fd)
        return 127, b""
    os.close(r_in)
    os.close(w_out)
    try:
        if data:
            os.write(w_in, data)
    except OSError:
        pass
    finally:
        os.close(w_in)
    chunks = []
    try:
        while chunk := os.read(r_out, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(r_out)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks)
