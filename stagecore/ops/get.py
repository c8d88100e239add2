"""`get URL PATH [-o OUT]`: download data of another git repository using DVC, untracked.

Works anywhere (no project needed): objects are fetched into a temp store (hashed on the way),
then written as new files below the destination, which must not exist (without --force); the
names inside a directory come from a manifest that passed the gate.
"""

from __future__ import annotations

import os
import shutil

from stagecore.errors import StagecoreError


def get(
    url: str,
    path: str,
    out: str | None = None,
    rev: str | None = None,
    cwd: str = ".",
    *,
    force: bool = False,
) -> str:
    """The destination written (relative to `cwd`)."""
    from stagecore.ops.ls import scratch_store
    from stagecore.ops.source_fetch import fetch_found
    from stagecore.ops.source_repo import SourceRepo, locate

    dest_name = out or os.path.basename(path.rstrip("/")) or "data"
    dest = os.path.normpath(os.path.join(cwd, dest_name))
    if os.path.isdir(dest) and not os.path.islink(dest) and out is not None and not force:
        dest = os.path.join(dest, os.path.basename(path.rstrip("/")))
    if os.path.lexists(dest) and not force:
        raise StagecoreError(
            f"failed to get '{path}' from '{url}': the file '{os.path.relpath(dest, cwd)}' "
            "already exists locally",
            hint="to override it, re-run with --force",
        )
    with SourceRepo(url, cwd) as source, scratch_store() as store:
        sha = source.resolve(rev)
        found = locate(source, sha, path)
        hi, _meta = fetch_found(store, source, sha, found)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        _write(store.odb, hi, dest, force)
    return os.path.relpath(dest, cwd)


def _write(odb, hi, dest: str, force: bool) -> None:
    from stagecore.storage.fsutil import discard, tmp_path

    tmp = tmp_path(dest)
    try:
        if hi.isdir:
            os.mkdir(tmp, 0o755)
            for rel, md5 in sorted(odb.manifest(hi).items()):
                full = os.path.join(tmp, *rel.split("/"))
                os.makedirs(os.path.dirname(full), exist_ok=True)
                _copy(odb.path_of(type(hi)(hi.name, md5)), full)
        else:
            _copy(odb.path_of(hi), tmp)
        if force and os.path.lexists(dest):
            if os.path.isdir(dest) and not os.path.islink(dest):
                shutil.rmtree(dest)
            else:
                os.unlink(dest)
        os.replace(tmp, dest)
    finally:
        discard(tmp)


def _copy(src: str, dest: str) -> None:
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with open(src, "rb") as fsrc, os.fdopen(fd, "wb") as fdst:
        shutil.copyfileobj(fsrc, fdst, 1024 * 1024)
