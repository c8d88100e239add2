"""Small filesystem helpers shared by the operations: atomic writes, safe path resolution."""

from __future__ import annotations

import os
import uuid

from stagecore.errors import PathOutsideRepoError


def atomic_write_bytes(path: str, data: bytes) -> None:
    tmp = f"{path}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "wb") as fobj:
            fobj.write(data)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
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
