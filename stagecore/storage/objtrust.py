"""The cache trusts nothing it did not verify: an object is handed out only when its content
is known to match its name.

Objects the object store writes were hashed on the way in (add and commit hash the workspace
file, fetch hashes the download); the store records a trusted (inode, mtime, size) stamp for
each in the state db. Before an object is linked into the workspace (or uploaded), its stamp
is compared with that row: a match costs one stat. Otherwise (objects written by DVC into a
shared cache, a dropped state db, an object changed in place) it is hashed once, and
trusted from then on if it matches; if it does not, it is refused with CorruptObjectError.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from stagecore.core.hashinfo import MD5_D2U, HashInfo
from stagecore.errors import CacheError

REPAIR_HINT = (
    "run `stagecore fsck --repair` (it removes the object and fetches it again from the data remote), "
    "then `stagecore pull`"
)


class CorruptObjectError(CacheError):
    """A cache object whose content does not match its name."""

    def __init__(self, path: str, hi: HashInfo, why: str = "its content does not match its name") -> None:
        super().__init__(f"cache object '{path}' is corrupt: {why} (md5 {hi.value})", hint=REPAIR_HINT)
        self.path = path
        self.hash = hi


def content_matches(path: str, hi: HashInfo) -> bool:
    """Hash the file at `path` and compare with `hi` (a `.dir` manifest hashes its bytes)."""
    from stagecore.storage.hashing import bytes_md5, file_md5

    if hi.isdir:
        with open(path, "rb") as fobj:
            return bytes_md5(fobj.read()) + ".dir" == hi.value
    if file_md5(path, hi.name) == hi.value:
        return True
    return hi.name == MD5_D2U and file_md5(path) == hi.value


def ensure_trusted(repo, hi: HashInfo, size: int | None = None) -> None:
    """Refuse (CorruptObjectError) a cache object whose content does not match `hi`.

    An absent object passes: the caller reports it missing. `size` is the size recorded in
    the entry, when known: an untrusted object of another size is refused without reading it.
    """
    from stagecore.storage.state import stamp_of

    path = os.path.abspath(repo.odb.path_of(hi))
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    stamp = stamp_of(st)
    if repo.state.object_trusted(path, stamp):
        return
    if size is not None and not hi.isdir and hi.name != MD5_D2U and st.st_size != size:
        raise CorruptObjectError(path, hi, f"it holds {st.st_size} bytes, its entry records {size}")
    try:
        matches = content_matches(path, hi)
    except OSError as exc:
        raise CacheError(f"cannot read cache object '{path}': {exc.strerror}", hint=REPAIR_HINT) from None
    if not matches:
        raise CorruptObjectError(path, hi)
    repo.state.trust_object(path, stamp)


def ensure_trusted_many(repo, objs: Iterable[HashInfo]) -> None:
    """`ensure_trusted` for every object, all checked before the caller links any of them."""
    for hi in objs:
        ensure_trusted(repo, hi)
