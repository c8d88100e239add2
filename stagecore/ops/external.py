"""External dependencies: absolute paths and URLs (what `dvc import-url` writes).

An absolute path is measured as DVC measures it (md5 of a regular file, `.dir` manifest of
a directory; anything else counts as missing), and copied as a whole for an import. URLs are
never reached by the hooks (no network while judging a commit); the `status` command checks
them (ops/urldeps.py); `repro` of an import stage fetches its source (ops/import_sync.py).
"""

from __future__ import annotations

import os
import shutil
import stat as statmod

from stagecore.core.hashinfo import HashInfo, Meta
from stagecore.errors import StageError
from stagecore.storage.workspace import Measured


def outside_path(root: str, path: str) -> str | None:
    """The absolute path of a local dependency outside the repository (absolute, or relative
    and leaving it: DVC names `../x` by its absolute path), None for one inside."""
    if path.startswith("/"):
        return path
    if path == ".." or path.startswith("../"):
        return os.path.normpath(os.path.join(root, path))
    return None


_SPECIAL = ("/proc", "/sys", "/dev")  # kernel files that block or never end (/proc/kmsg, /dev/zero)


def special(path: str) -> bool:
    """A path that is, or leads by symlinks to, a kernel file under /proc, /sys or /dev: never read."""
    real = os.path.realpath(path)
    return any(real == top or real.startswith(top + "/") for top in _SPECIAL)


def measure(path: str, name: str) -> Measured | None:
    """Hash an absolute local path (file or directory; symlinked directories are not entered).

    Paths under /proc, /sys and /dev count as missing: a dvc file from someone else's
    commit must not make status (or the pre-commit hook) block on a kernel file."""
    from stagecore.storage.hashing import file_md5

    if special(path):
        return None
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    if statmod.S_ISREG(st.st_mode):
        return Measured(HashInfo(name, file_md5(path, name)), Meta(st.st_size, None, bool(st.st_mode & statmod.S_IXUSR)))
    if not statmod.S_ISDIR(st.st_mode):
        return None  # a device or fifo is never hashed (/dev/zero would never end)
    return _measure_dir(path, name)


def _measure_dir(path: str, name: str) -> Measured:
    from stagecore.core.tree import manifest_bytes, manifest_hash
    from stagecore.storage.hashing import file_md5

    tree: dict[str, str] = {}
    size = 0
    for dirpath, dirs, files in os.walk(path):  # os.walk does not follow symlinked directories
        dirs[:] = sorted(d for d in dirs if not special(os.path.join(dirpath, d)))
        for fname in files:
            full = os.path.join(dirpath, fname)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if os.path.islink(full) and special(full):
                continue
            if not statmod.S_ISREG(st.st_mode):
                continue
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            tree[rel] = file_md5(full, name)
            size += st.st_size
    data = manifest_bytes(tree)
    return Measured(manifest_hash(data, name), Meta(size, len(tree), False), tree, data)


def copy_local(source: str, tmp: str) -> None:
    """Copy a local source (a regular file, or a directory's files) to `tmp`, a fresh temp path."""
    try:
        st = os.stat(source)
    except OSError:
        raise StageError(f"failed to import '{source}': it does not exist",
                         hint="restore the source, or remove the import stage") from None
    if statmod.S_ISDIR(st.st_mode):
        shutil.copytree(source, tmp, symlinks=False)
    elif statmod.S_ISREG(st.st_mode):
        shutil.copyfile(source, tmp)
    else:
        raise StageError(f"failed to import '{source}': not a regular file or directory")


def is_repo_import(stage) -> bool:
    """A `dvc import` stage: its one dependency names a path in another git repository."""
    return bool(stage.is_import and "repo" in stage.deps[0].extra)
