"""post-checkout's fast path: a branch switch that changed only `.dvc` files of single-file
outputs, with the standard library alone (issue 11: cost that follows what changed).

The full hook imports pygit2, yaml and the engine (~0.3-0.8 s) to replace one file. Here, on
the `python -S` start the shim makes: one `git diff-tree` says which dvc files changed, one
`git cat-file --batch` reads both versions, a strict reader accepts only the plain form
stagecore and DVC write for one file (`outs:` with one entry of md5/size/hash: md5/path), and
the new version is copied from the default cache (`.dvc/cache`, reflink then copy) under the
repository lock, exactly as `ops.outs.checkout` does: the workspace file is replaced only when
its content is the new version already or is in the cache; the object is verified unless the
state db trusts it; the state db learns the new file and the links table its version.

Anything else — a lock, a pipeline, a directory, a missing or untrusted object, a workspace
file not in the cache, a symlink on the way, any cache setting, a git operation in progress,
a `stagecore.*` git setting — returns why not, and the full hook runs as before.
"""

from __future__ import annotations

import os

from stagecore.fastpath.followfast_git import changed, safe_path
from stagecore.fastpath.records import git

_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null"})
_HEX = frozenset("0123456789abcdef")  # no `re`: importing it (and enum) costs more than this whole path
_IN_PROGRESS = ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG")
_FICLONE = 0x40049409
LINKS_TABLE = "stagecore:links"  # stagecore.ops.link_records._TABLE


class Out:
    __slots__ = ("path", "md5", "size")

    def __init__(self, path: str, md5: str, size: int | None) -> None:
        self.path, self.md5, self.size = path, md5, size


def follow_fast(root: str, args: list[str], environ) -> tuple[str | None, list[str]]:
    """(None, report lines) when done here; (why not, []) when the full hook must run."""
    if len(args) != 3 or args[2] != "1" or args[0] == args[1] or set(args[0]) == {"0"}:
        return "not a branch switch", []
    if environ.get("STAGECORE_SKIP_HOOKS") or environ.get("_PRE_COMMIT_SKIP_POST_CHECKOUT"):
        return "skip settings", []
    git_dir = os.path.join(root, ".git")
    if environ.get("GIT_DIR") not in (None, ".git", git_dir) or not os.path.isdir(git_dir):
        return "not a plain .git directory", []
    if any(os.path.lexists(os.path.join(git_dir, name)) for name in _IN_PROGRESS):
        return "git operation in progress", []
    why = _plain_config(root)
    if why:
        return why, []
    changes = changed(root, args[0], args[1])
    if isinstance(changes, str):
        return changes, []
    todo: list[Out] = []
    for dvcfile, (old, new) in changes.items():
        before, after = _read_dvcfile(dvcfile, old), _read_dvcfile(dvcfile, new)
        if before is None or after is None or before.path != after.path:
            return f"'{dvcfile}' is not a plain one-file dvc file in both commits", []
        if before.md5 != after.md5:
            todo.append(after)
    return _locked_checkout(root, todo)


def _plain_config(root: str) -> str | None:
    """Why the settings may change what a checkout does (None: all defaults that matter here)."""
    for path in _config_files(root):
        try:
            with open(path, "rb") as fobj:
                if b"cache" in fobj.read().lower():
                    return f"cache settings in {path}"
        except FileNotFoundError:
            continue
        except OSError:
            return f"cannot read {path}"
    try:
        with open(os.path.join(root, ".dvcignore"), "rb") as fobj:
            if any(line.strip() and not line.startswith(b"#") for line in fobj.read().splitlines()):
                return ".dvcignore has patterns"
    except FileNotFoundError:
        pass
    except OSError:
        return "cannot read .dvcignore"
    code, out = git(root, "config", "-z", "--get-regexp", r"^stagecore\.")
    if code != 1 or out:  # 1: no such key (0: some; other: trouble)
        return "stagecore.* git settings"
    return None


def _config_files(root: str) -> list[str]:
    """The repository's config files and every place a global or system one may be (DVC's
    rules, stagecore.files.config_dirs, and older ones: all of them are looked at)."""
    env = os.environ
    dirs = [os.path.join(os.path.expanduser("~"), ".config", "dvc"), "/etc/xdg/dvc"]
    dirs += [env[name] for name in ("DVC_GLOBAL_CONFIG_DIR", "DVC_SYSTEM_CONFIG_DIR") if env.get(name)]
    if env.get("XDG_CONFIG_HOME"):
        dirs.append(os.path.join(env["XDG_CONFIG_HOME"], "dvc"))
    dirs += [os.path.join(d, "dvc") for d in env.get("XDG_CONFIG_DIRS", "").split(os.pathsep) if d]
    dvc = os.path.join(root, ".dvc")
    return [os.path.join(dvc, "config"), os.path.join(dvc, "config.local"), *(os.path.join(d, "config") for d in dirs)]


def _read_dvcfile(dvcfile: str, data: bytes) -> Out | None:
    """The one output of a plain `.dvc` file, or None (anything unusual: the full reader)."""
    try:
        lines = [line for line in data.decode("utf-8").split("\n") if line.strip()]
    except UnicodeDecodeError:
        return None
    if len(lines) < 4 or lines[0] != "outs:" or not lines[1].startswith("- "):
        return None
    entry: dict[str, str] = {}
    for line in ["  " + lines[1][2:], *lines[2:]]:
        key, sep, value = line[2:].partition(": ")
        if not line.startswith("  ") or line.startswith("   ") or not sep or key in entry:
            return None
        entry[key] = value
    if set(entry) - {"md5", "size", "hash", "path"} or entry.get("hash") != "md5":
        return None
    md5, size, rel = entry.get("md5", ""), entry.get("size"), entry.get("path", "")
    if rel[:1] in "0123456789+-" or rel.lower() in _YAML_WORDS:  # YAML would read a number, a bool, a null
        return None
    if len(md5) != 32 or not set(md5) <= _HEX or (size is not None and not size.isdigit()) or not safe_path(rel):
        return None
    path = os.path.dirname(dvcfile) + "/" + rel if "/" in dvcfile else rel
    return Out(path, md5, int(size) if size is not None else None) if safe_path(path) else None


def _locked_checkout(root: str, todo: list[Out]) -> tuple[str | None, list[str]]:
    """Take the repository lock without waiting (held: the full hook waits for it)."""
    import fcntl

    tmp_dir = os.path.join(root, ".dvc", "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    fd = os.open(os.path.join(tmp_dir, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return "the repository lock is held", []
        try:
            mark = os.pread(fd, 64, 0).decode(errors="replace").split()
            if mark[1:2] == ["stagecore"]:  # a stagecore writer was killed: the full hook recovers
                return "a killed writer left the lock", []
            os.ftruncate(fd, 0)
            os.pwrite(fd, f" {os.getpid()} stagecore\n".encode(), 0)
            try:
                return _checkout(root, tmp_dir, todo)
            finally:
                os.ftruncate(fd, 0)  # a clean exit: nothing for the next holder to recover
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _checkout(root: str, tmp_dir: str, todo: list[Out]) -> tuple[str | None, list[str]]:
    from stagecore.storage.state import State, settled, stamp_of

    state = State(tmp_dir)
    cache = os.path.join(root, ".dvc", "cache", "files", "md5")
    plans = []
    for out in todo:  # every check before any write
        why = _dirs_plain(root, out.path)
        if why:
            return why, []
        obj = os.path.join(cache, out.md5[:2], out.md5[2:])
        st = _lstat(obj)
        if st is None or not _regular(st):
            return f"'{out.path}': the new version is not in the cache", []
        if not state.peek_object(obj, stamp_of(st)):
            if (out.size is not None and st.st_size != out.size) or _md5(obj) != out.md5:
                return f"'{out.path}': its cache object does not match its name", []
            state.trust_object(obj, stamp_of(st))
        full = os.path.join(root, out.path)
        cur = _lstat(full)
        current = None
        if cur is not None:
            if not _regular(cur):
                return f"'{out.path}' is not a regular file", []
            current = state.peek(out.path, "md5", stamp_of(cur))
            if current is None:
                now = _now_ns()
                current = _md5(full)
                if settled(stamp_of(cur), now):
                    state.put(out.path, "md5", stamp_of(cur), current)
            if current != out.md5 and not os.path.isfile(os.path.join(cache, current[:2], current[2:])):
                return f"'{out.path}' has changes not in the cache", []
        plans.append((out, obj, current))
    for out, obj, current in plans:
        if current != out.md5:
            why = _write(root, out.path, obj)
            if why:
                return why, []
            try:
                state.put(out.path, "md5", stamp_of(os.stat(os.path.join(root, out.path))), out.md5)
            except OSError:
                pass
    table = state.get_dir("", LINKS_TABLE)
    for out in todo:
        if table.get(out.path, (None, None))[1] != f"md5:{out.md5}":
            table[out.path] = (None, f"md5:{out.md5}")
            state.put_dir("", LINKS_TABLE, table)
    state.flush()
    return None, [f"M       {out.path}" for out in sorted(todo, key=lambda o: o.path)]


def _dirs_plain(root: str, path: str) -> str | None:
    """Every directory on the way to `path` is a real directory (no symlink), present."""
    here = root
    for part in path.split("/")[:-1]:
        here = os.path.join(here, part)
        st = _lstat(here)
        if st is None or not (st.st_mode & 0o170000 == 0o040000):
            return f"'{path}': '{part}' is not a plain directory"
    return None


def _write(root: str, path: str, obj: str) -> str | None:
    """Atomically replace `path` with a copy (a clone where the file system can) of `obj`,
    through a directory fd reached without following symlinks."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    dir_fd = os.open(root, flags)
    try:
        for part in path.split("/")[:-1]:
            nxt = os.open(part, flags, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = nxt
        name = os.path.basename(path)
        tmp = f".stagecore-tmp-{os.getpid()}.{os.urandom(6).hex()}.tmp"  # stagecore.storage.fsutil's scheme (swept when stale)
        try:
            _copy(obj, tmp, dir_fd)
            os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except OSError as exc:
            try:
                os.unlink(tmp, dir_fd=dir_fd)
            except OSError:
                pass
            return f"'{path}': {exc.strerror}"
        return None
    except OSError as exc:
        return f"'{path}': {exc.strerror}"
    finally:
        os.close(dir_fd)


def _copy(src: str, tmp: str, dir_fd: int) -> None:
    import fcntl

    fd_in = os.open(src, os.O_RDONLY)
    try:
        fd_out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=dir_fd)
        try:
            try:
                fcntl.ioctl(fd_out, _FICLONE, fd_in)
                return
            except OSError:
                pass
            size, done = os.fstat(fd_in).st_size, 0
            while done < size:
                sent = os.copy_file_range(fd_in, fd_out, size - done)
                if sent <= 0:
                    raise OSError(5, "short copy")
                done += sent
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)


def _md5(path: str) -> str:
    import hashlib

    digest = hashlib.md5()
    with open(path, "rb") as fobj:
        while chunk := fobj.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _regular(st: os.stat_result) -> bool:
    return st.st_mode & 0o170000 == 0o100000


def _now_ns() -> int:
    import time

    return time.time_ns()
