"""`unprotect`: turn the cache links of outputs (hardlink, symlink, read-only) into private,
writable copies, so that editing them cannot touch the cache (DVC's `unprotect`).

Every path is checked by the gate (`fsguard.write_target`) before anything is written: no
symlinked parent may lead the copy outside the work tree or into `.git`/`.dvc`/the cache.
"""

from __future__ import annotations

import os
import stat
from typing import NamedTuple

from stagecore.errors import EXIT_PIPELINE, StagecoreError


class NothingToUnprotectError(StagecoreError):
    exit_code = EXIT_PIPELINE  # DVC 3.67.1 exits 255 here


class UnprotectResult(NamedTuple):
    unprotected: list[str]  # files made private copies


def unprotect(repo, targets: list[str], cwd: str | None = None) -> UnprotectResult:
    from stagecore.ops.repolock import locked

    with locked(repo):
        done: list[str] = []
        rels = [repo.relpath(t, cwd) for t in targets]
        for target, rel in zip(targets, rels, strict=True):
            if not os.path.lexists(os.path.join(repo.root, rel)):
                raise NothingToUnprotectError(f"can't unprotect non-existing data '{target}'",
                                              hint="check the path (`stagecore checkout` restores tracked data)")
        for rel in rels:
            done += unprotect_path(repo, rel)
        return UnprotectResult(done)


def unprotect_path(repo, rel: str) -> list[str]:
    """Make `rel` (a file, or every file below a directory) a writable copy of its content.
    A symlink whose target is gone (a link into a cache that lost the object) is refused."""
    from stagecore.storage.fsguard import write_target

    full = os.path.join(repo.root, rel)
    isdir = os.path.isdir(full) and not os.path.islink(full)
    real = write_target(repo.root, rel, repo.cache_dir, isdir=isdir)
    real_full = os.path.join(os.path.realpath(repo.root), real)
    if not isdir:
        return [rel] if _unprotect_file(real_full, rel) else []
    done = []
    for dirpath, dirnames, filenames in os.walk(real_full):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames):
            sub = os.path.relpath(os.path.join(dirpath, name), real_full).replace(os.sep, "/")
            if _unprotect_file(os.path.join(dirpath, name), f"{rel}/{sub}"):
                done.append(f"{rel}/{sub}")
    return done


def _unprotect_file(path: str, rel: str) -> bool:
    """Replace a link or a shared/read-only inode by a private copy; True if it was replaced."""
    from stagecore.storage.fsutil import tmp_path

    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        if not os.path.exists(path):
            raise NothingToUnprotectError(f"can't unprotect '{rel}': it is a symlink to '{os.readlink(path)}', "
                                          "which does not exist", hint=f"remove the link: rm '{rel}'")
        if os.path.isdir(path):
            return False
    elif not stat.S_ISREG(st.st_mode) or (st.st_nlink == 1 and st.st_mode & stat.S_IWUSR):
        return False  # already a private, writable file
    tmp = tmp_path(path)
    try:
        with open(path, "rb") as src, open(tmp, "xb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        mode = os.stat(path).st_mode
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, (0o666 & ~umask) | (mode & 0o111))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True
