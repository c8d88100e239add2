"""The file-system half of the path gate: where symlinks really lead, and writes that never follow one.

`core/safepath.py` judges path strings; only the file system can tell where a path really
goes. A symlink committed into the repository is data, never a door:

- a read (hashing an output, a params or vars file) through a symlink that leads outside the
  work tree or into `.git` / `.dvc` is refused (symlinks into the cache are stagecore's own
  links and stay readable; symlinks to other files of the work tree stay content);
- a write (checkout, pull, the hooks) may pass a symlink between the work-tree root and an
  output only when it leads to a directory inside the work tree, outside `.git`, `.dvc` and the
  cache; inside a tracked directory no parent of a written or deleted file may be a symlink;
- the write itself reaches its directory component by component with `O_NOFOLLOW` opens
  relative to the real root (`DirHandles`), so a link swapped in after the check cannot
  redirect it.

Longer than ~300 lines: the checks and the no-follow writes must agree on every rule (which
links may be followed, where), so they are kept in one place to be read together.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

from stagecore.errors import StagecoreError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_MAX_OPEN = 256  # directory handles kept open at once (well below the usual 1024 fd limit)
_real_roots: dict[str, str] = {}
_cache_dirs: set[str] = set()


class SymlinkEscapeError(StagecoreError):
    """A path that a symlink would lead outside the work tree (or into .git/.dvc/the cache)."""

    def __init__(self, message: str, link: str, hint: str | None = None) -> None:
        super().__init__(
            message,
            hint=hint
            or f"remove or replace the symlink '{link}' (a committed symlink never leads "
            "stagecore outside the work tree), then run the command again",
        )
        self.link = link


def real_root(root: str) -> str:
    cached = _real_roots.get(root)
    if cached is None:
        cached = _real_roots[root] = os.path.realpath(root)
    return cached


def within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def first_link(root: str, relpath: str) -> str:
    """The repo-relative path of the first symlink met on the way to `relpath` ('' if none)."""
    cur = root
    parts = [p for p in relpath.split("/") if p]
    for i, part in enumerate(parts):
        cur = os.path.join(cur, part)
        if os.path.islink(cur):
            return "/".join(parts[: i + 1])
    return ""


CacheDir = str | Callable[[], str] | None  # the cache dir, or a function giving it (asked only for links)


def _link_into_cache(full: str, cache_dir: CacheDir) -> bool:
    """Whether `full` is a symlink naming an object of the cache by absolute path, as a checkout
    with `cache.type symlink` makes them: judged on the link text, without a realpath per file."""
    try:
        target = os.readlink(full)
    except OSError:
        return False
    if target[:1] != "/" or cache_dir is None:
        return False
    rcache = real_root(cache_dir() if callable(cache_dir) else cache_dir)
    if "/." in target or "//" in target:
        target = os.path.normpath(target)
    if not target.startswith(rcache) or target[len(rcache) : len(rcache) + 1] != "/":
        return False
    parent = target.rpartition("/")[0]
    if parent not in _cache_dirs:  # a prefix directory of the cache, checked once per process
        if os.path.islink(parent):
            return False
        _cache_dirs.add(parent)
    return True


def read_problem(root: str, relpath: str, cache_dir: CacheDir = None, *, strict: bool = False) -> str | None:
    """None when reading `relpath` stays in the work tree; else the real path it leads to.

    Only symlinks are judged (a path that names an outside file itself, like an absolute
    dependency, is the gate's business) unless `strict`. Cheap when no symlink is involved
    (one realpath) and for links into the cache; a target inside `cache_dir` is allowed."""
    full = os.path.join(root, relpath)
    if cache_dir is not None and _link_into_cache(full, cache_dir):
        return None
    rroot = real_root(root)
    real = os.path.realpath(full)
    if real == os.path.normpath(os.path.join(rroot, relpath)):
        return real if strict and not within(real, rroot) else None
    if cache_dir is not None and within(real, real_root(cache_dir() if callable(cache_dir) else cache_dir)):
        return None
    if not within(real, rroot) or any(within(real, os.path.join(rroot, name)) for name in (".git", ".dvc")):
        return real
    return None


def check_read(
    root: str, relpath: str, cache_dir: CacheDir = None, what: str = "", *, strict: bool = False
) -> None:
    """Refuse (SymlinkEscapeError) a read of `relpath` that a symlink leads outside the work tree
    (`strict`: also a path outside the work tree by itself, PathOutsideRepoError)."""
    real = read_problem(root, relpath, cache_dir, strict=strict)
    if real is not None:
        link = first_link(root, relpath)
        if not link:
            from stagecore.errors import PathOutsideRepoError

            raise PathOutsideRepoError(relpath, root)
        via = "is a symlink" if link == relpath else f"leads through the symlink '{link}'"
        raise SymlinkEscapeError(
            f"{what}'{relpath}' {via} to '{real}', outside the work tree (or into .git/.dvc): "
            "refused, its content is not read",
            link,
        )


def write_target(root: str, relpath: str, cache_dir: str | None, *, isdir: bool) -> str:
    """Where writing output `relpath` really goes: a path relative to the real root.

    The parents are resolved, and a directory output itself when it is (a link to) a
    directory. Refused (SymlinkEscapeError; PathOutsideRepoError or StagecoreError when no
    symlink is involved) when that leads outside the work tree, onto its root, into `.git` /
    `.dvc` or the cache, or (a directory) onto a directory holding the cache."""
    from stagecore.errors import PathOutsideRepoError

    rroot = real_root(root)
    follow = isdir and os.path.isdir(os.path.join(root, relpath))
    rel_dir = relpath if follow else os.path.dirname(relpath)
    real_dir = os.path.realpath(os.path.join(root, rel_dir))
    target = real_dir if follow else os.path.join(real_dir, os.path.basename(relpath))
    rcache = os.path.realpath(cache_dir) if cache_dir else None
    problem = None
    if not within(target, rroot):
        problem = "outside the work tree"
    elif target == rroot:
        problem = "onto the work-tree root"
    elif any(within(target, os.path.join(rroot, name)) for name in (".git", ".dvc")):
        problem = "into .git or .dvc"
    elif rcache is not None and (within(target, rcache) or (isdir and within(rcache, target))):
        problem = "into the cache directory"
    if problem is None:
        return os.path.relpath(target, rroot)
    if target == os.path.normpath(os.path.join(rroot, relpath)):  # no symlink: the path itself is wrong
        if problem == "outside the work tree":
            raise PathOutsideRepoError(relpath, root)
        raise StagecoreError(
            f"output '{relpath}' lies {problem}: refused",
            hint="an output never overlaps the cache, .git or .dvc; fix or remove that entry",
        )
    link = first_link(root, relpath) or relpath
    raise SymlinkEscapeError(
        f"output '{relpath}': the symlink '{link}' leads {problem} ('{target}'): refused, nothing written",
        link,
    )


class NotFollowed(Exception):
    """A directory component that is a symlink (or not a directory): `where` is its real relpath."""

    def __init__(self, where: str, is_link: bool) -> None:
        super().__init__(where)
        self.where = where
        self.is_link = is_link


class DirHandles:
    """Directory fds below a work tree's real root, reached one component at a time with
    O_NOFOLLOW (a symlink anywhere on the way raises NotFollowed); cached, so writing 20,000
    files into one directory opens it once. Keys are real-root-relative paths ('' = root)."""

    def __init__(self, root: str) -> None:
        self.root = real_root(root)
        self._fds: dict[str, int] = {}

    def __enter__(self) -> DirHandles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _root_fd(self) -> int:
        fd = self._fds.get("")
        if fd is None:
            fd = self._fds[""] = os.open(
                self.root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
            )
        return fd

    def open(self, reldir: str, *, create: bool) -> int | None:
        """The fd of directory `reldir` (created when `create`); None when absent and not created."""
        reldir = reldir.strip("/")
        fd = self._fds.get(reldir)
        if fd is not None:
            return fd
        if len(self._fds) >= _MAX_OPEN:
            root_fd = self._fds.pop("", None)
            self.close()
            if root_fd is not None:
                self._fds[""] = root_fd
        parts = reldir.split("/") if reldir else []
        start = len(parts)
        while start > 0 and "/".join(parts[:start]) not in self._fds:
            start -= 1
        fd = self._fds["/".join(parts[:start])] if start else self._root_fd()
        for i in range(start, len(parts)):
            name = parts[i]
            try:
                fd = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    return None
                try:
                    os.mkdir(name, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass
                fd = self._open_component(name, fd, parts[: i + 1])
            except OSError as exc:
                self._refuse(exc, fd, name, parts[: i + 1])
            self._fds["/".join(parts[: i + 1])] = fd
        return fd

    def _open_component(self, name: str, parent: int, where: list[str]) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except OSError as exc:
            self._refuse(exc, parent, name, where)
            raise  # not reached

    @staticmethod
    def _refuse(exc: OSError, parent: int, name: str, where: list[str]) -> None:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise exc
        try:
            is_link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
        except OSError:
            is_link = exc.errno != errno.ENOTDIR
        raise NotFollowed("/".join(where), is_link) from None

    def remove_file(self, relpath: str) -> None:
        """Unlink file `relpath` (real-root relative) without following a symlinked parent."""
        fd = self.open(os.path.dirname(relpath), create=False)
        if fd is None:
            return
        try:
            os.unlink(os.path.basename(relpath), dir_fd=fd)
        except FileNotFoundError:
            pass

    def remove_tree(self, relpath: str) -> None:
        """Delete directory `relpath` and everything below it, never following a symlink."""
        import shutil

        fd = self.open(os.path.dirname(relpath), create=False)
        if fd is None:
            return
        name = os.path.basename(relpath)
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        self._forget(relpath)
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(name, dir_fd=fd)  # fd-based: does not follow symlinks below
        else:
            os.unlink(name, dir_fd=fd)  # a symlink (to a directory) is removed, not its target

    def _forget(self, relpath: str) -> None:
        for key in [k for k in self._fds if k == relpath or k.startswith(relpath + "/")]:
            os.close(self._fds.pop(key))

    def prune_empty(self, reldir: str) -> None:
        """Remove the empty directories below `reldir` (not `reldir` itself), bottom-up, no follow."""
        fd = self.open(reldir, create=False)
        if fd is not None:
            _prune(fd)


def _prune(fd: int) -> bool:
    """Prune empty subdirectories of the open directory `fd`; True when it is now empty."""
    empty = True
    with os.scandir(fd) as entries:
        names = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
    for name, isdir in names:
        if not isdir:
            empty = False
            continue
        try:
            sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError:
            empty = False
            continue
        try:
            sub_empty = _prune(sub)
        finally:
            os.close(sub)
        if sub_empty:
            try:
                os.rmdir(name, dir_fd=fd)
                continue
            except OSError:
                pass
        empty = False
    return empty


def tracked_by_git(root: str, relpaths: list[str]) -> list[str]:
    """Which of `relpaths` git tracks (asked only when a layout path is a symlink: rare)."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", *relpaths], cwd=root, capture_output=True, check=False
        )
    except OSError:
        return []
    if proc.returncode != 0:
        return []
    listed = {p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p}
    return [rel for rel in relpaths if rel in listed]
