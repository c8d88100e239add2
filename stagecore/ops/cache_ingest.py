"""Putting content into the cache, hashed on the way in: a stream of chunks becomes an object
named by the md5 of what was really written (`store_chunks`), a tree of cached files its `.dir`
object (`store_tree`). The low-level half of `import-url`, `import` and the s3/ssh sources
(ops/imports.py, ops/import_url.py, ops/source_fetch.py, ops/url_sources.py): no operation
module below it, so each of them can use it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

from stagecore.core.hashinfo import MD5, HashInfo, Meta

CHUNK = 1024 * 1024


def store_chunks(repo, chunks: Iterable[bytes]) -> tuple[HashInfo, int]:
    """Stream `chunks` into the cache through a temp file, hashing them on the way: the object is
    named by the md5 of what was really written. (hash, size)."""
    from stagecore.storage.fsutil import tmp_path

    base = os.path.join(repo.odb.root, "files", "md5")
    os.makedirs(base, exist_ok=True)
    tmp = tmp_path(os.path.join(base, "import"))
    digest, size = hashlib.md5(), 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fobj:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fobj.write(chunk)
        hi = HashInfo(MD5, digest.hexdigest())
        if not repo.odb.has(hi):
            dest = repo.odb.path_of(hi)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, dest)
            repo.odb._added(hi)
        return hi, size
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def read_chunks(fobj) -> Iterable[bytes]:
    while True:
        chunk = fobj.read(CHUNK)
        if not chunk:
            return
        yield chunk


def store_tree(repo, tree: dict[str, str]) -> tuple[HashInfo, Meta]:
    """The `.dir` object of a directory whose files (relpath -> md5) are already in the cache."""
    from stagecore.core.tree import manifest_bytes, manifest_hash

    data = manifest_bytes(tree)
    hi = manifest_hash(data, MD5)
    repo.odb.add_bytes(data, hi)
    size = sum(object_size(repo, HashInfo(MD5, md5)) for md5 in tree.values())
    return hi, Meta(size, len(tree), False)


def object_size(repo, hi: HashInfo) -> int:
    return os.stat(repo.odb.path_of(hi)).st_size
