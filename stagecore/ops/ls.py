"""`ls URL [PATH]`: what another git repository holds, tracked by git and by DVC, at a revision.

Read from a bare clone (see source_repo); a directory output is listed from its `.dir` manifest,
fetched from the repository's cache or default remote into a temp store when needed.
"""

from __future__ import annotations

import posixpath
import shutil
import tempfile
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, NamedTuple

from stagecore.core.hashinfo import MD5, HashInfo
from stagecore.errors import StagecoreError


class Item(NamedTuple):
    isout: bool
    isdir: bool
    isexec: bool
    size: int | None
    md5: str | None


@contextmanager
def scratch_store():
    """An object store in a temp directory, standing for a repository (`.odb`) outside any project."""
    from stagecore.storage.odb import ObjectStore

    tmp = tempfile.mkdtemp(prefix="stagecore-objects-")
    try:
        yield SimpleNamespace(odb=ObjectStore(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ls(
    url: str,
    path: str | None = None,
    rev: str | None = None,
    cwd: str = ".",
    *,
    recursive: bool = False,
    dvc_only: bool = False,
) -> list[dict[str, Any]]:
    """DVC's `list` entries (`isout`, `isdir`, `isexec`, `size`, `md5`, `path`), sorted by path."""
    from stagecore.ops.source_repo import SourceRepo

    top = (path or "").strip("/")
    with SourceRepo(url, cwd) as source:
        sha = source.resolve(rev)
        files = _files(source, sha, top, recursive)
    if top in files and not files[top].isdir:
        return [_row(posixpath.basename(top), files[top])]
    prefix = top + "/" if top else ""
    below = {p[len(prefix) :]: item for p, item in files.items() if p.startswith(prefix)}
    if not below:
        raise StagecoreError(
            f"'{top}' does not exist in '{url}'",
            hint="check the path (`stagecore ls URL` lists the repository's top level)",
        )
    rows: dict[str, Item] = {}
    for rel, item in below.items():
        if recursive:
            if not item.isdir and (item.isout or not dvc_only):
                rows[rel] = item
            continue
        head, sep, _rest = rel.partition("/")
        if sep:
            known = rows.get(head)
            isout = known.isout if known else files.get(prefix + head, item).isout
            if not dvc_only or item.isout or isout:
                base = files.get(prefix + head)
                rows[head] = base if base is not None else Item(isout, True, False, None, None)
        elif not dvc_only or item.isout:
            rows[head] = item
    return [_row(rel, rows[rel]) for rel in sorted(rows)]


def _row(path: str, item: Item) -> dict[str, Any]:
    return {
        "isout": item.isout,
        "isdir": item.isdir,
        "isexec": item.isexec,
        "size": item.size,
        "md5": item.md5,
        "path": path,
    }


def _files(source, sha: str, top: str, recursive: bool) -> dict[str, Item]:
    """Every file (and directory output) of the repository at `sha`: path -> Item."""
    from stagecore.ops.used import refs_of_blobs

    files: dict[str, Item] = {}
    for name, (mode, kind, _oid, size) in source.tree_sizes(sha).items():
        if kind != "blob" or name == ".dvc" or name.startswith(".dvc/"):
            continue
        files[name] = Item(False, False, mode == "100755", size, None)
    refs = refs_of_blobs(source.dvc_files(sha), problems=[])  # a hostile dvc file lists nothing
    expand = [ref for ref in refs if ref.hash.isdir and _wanted(ref.path, top, recursive)]
    manifests = _manifests(source, sha, [ref.hash for ref in expand]) if expand else {}
    for ref in refs:
        if ref.hash.isdir:
            files[ref.path] = Item(True, True, False, None, ref.hash.value)
            for rel, md5 in manifests.get(ref.hash, {}).items():
                files[f"{ref.path}/{rel}"] = Item(True, False, False, None, md5)
        else:
            files[ref.path] = Item(True, False, ref.isexec, None, ref.hash.value)
    return files


def _wanted(out: str, top: str, recursive: bool) -> bool:
    """Whether a directory output's content is listed: `top` is in it, or (-R) it is below `top`."""
    return out == top or top.startswith(out + "/") or (recursive and (not top or out.startswith(top + "/")))


def _manifests(source, sha: str, dirs: list[HashInfo]) -> dict[HashInfo, dict[str, str]]:
    from stagecore.ops.transfer import _get

    found: dict[HashInfo, dict[str, str]] = {}
    remotes = source.remotes(sha)
    try:
        with scratch_store() as store:
            for rem in remotes:
                need = {hi: hi.value for hi in dirs if not store.odb.has(hi)}
                if need:
                    _get(store, rem, need, rem.jobs, None)
            for hi in dirs:
                if store.odb.has(hi):
                    found[hi] = store.odb.manifest(HashInfo(MD5, hi.value))
    finally:
        for rem in remotes:
            rem.close()
    return found
