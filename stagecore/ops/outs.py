"""What every operation does to one output: measure it, save it to the cache, check it out
(the checkout itself, and the refusals it shares with saving: ops/out_checkout.py).

`path` arguments are repo-relative posix paths.
"""

from __future__ import annotations

import os

from stagecore.core.entry import Entry
from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo
from stagecore.errors import CacheError
from stagecore.ops.out_checkout import checkout, refuse_escape
from stagecore.storage.workspace import Measured


def measure_for(repo, path: str, entry: Entry) -> Measured | None:
    """Measure with the entry's own algorithm (legacy entries stay legacy while unchanged)."""
    name = entry.hash.name if entry.hash is not None else MD5
    return repo.workspace.measure(path, name)


def out_status(repo, path: str, entry: Entry) -> str | None:
    """DVC's words for an output: 'not in cache', 'deleted', 'modified' or None."""
    measured = measure_for(repo, path, entry)
    if entry.hash is not None and entry.cache and not in_cache(repo, entry.hash):
        return "not in cache"
    if measured is None:
        return "deleted"
    if entry.hash is None or measured.hash != entry.hash:
        return "modified"
    return None


def in_cache(repo, hi: HashInfo) -> bool:
    """True when the object (and, for a directory, every file its manifest lists) is in the
    cache. A manifest refused by the gate counts as absent here: callers that report tell the
    two apart with `refused_manifest`."""
    if not repo.odb.exists(hi):
        return False
    if hi.isdir:
        try:
            files = repo.odb.manifest(hi)
        except CacheError:
            return False
        return not repo.odb.missing_values(hi.name, files.values())
    return True


def save(repo, path: str, entry: Entry) -> Entry:
    """Hash `path` and (for cached outputs) store it in the cache; the updated entry."""
    measured = measure_for(repo, path, entry)
    if measured is None:
        raise CacheError(f"output '{path}' does not exist", hint="run the stage, or remove the output from it")
    refuse_escape(repo, path, measured.isdir)  # never an output through a link leading out, nor in the cache
    if entry.hash is not None and entry.hash.name == MD5_D2U and measured.hash != entry.hash:
        measured = repo.workspace.measure(path, MD5)  # a changed legacy entry is upgraded
        assert measured is not None
    if entry.cache:
        commit_measured(repo, path, measured)
        from stagecore.ops.link_records import record

        record(repo, path, measured.hash)  # a later checkout removes it once no dvc file names it
    return entry.with_hash(measured.hash, measured.meta)


def commit_measured(repo, path: str, measured: Measured) -> None:
    odb = repo.odb
    full = os.path.join(repo.root, path)
    if measured.files is None:
        odb.add_file(full, measured.hash)
    else:
        name = measured.hash.name
        missing = odb.missing_values(name, measured.files.values())  # one listing per shard, not a call per file
        from stagecore.ui.progress import expect

        expect("store", len(missing))
        for rel, md5 in measured.files.items():
            if md5 in missing:  # the cost follows the change: only new content is copied
                odb.add_file(os.path.join(full, rel), HashInfo(name, md5))
        assert measured.manifest is not None
        odb.add_bytes(measured.manifest, measured.hash)
    if odb.link_types[0] in ("hardlink", "symlink"):
        checkout(repo, path, measured.hash, measured.meta, relink=True)


def delete(repo, path: str) -> None:
    """Delete output `path` (a file, a directory, or a link: the link itself, never its target),
    refused when a symlinked parent leads outside the work tree, into .git/.dvc or the cache;
    for callers that remove outputs (a stage before it runs, `remove --outs`)."""
    from stagecore.storage.fsguard import DirHandles, NotFollowed, SymlinkEscapeError

    real = refuse_escape(repo, path, False)
    with DirHandles(repo.root) as dirs:
        try:
            dirs.remove_tree(real)
        except NotFollowed as exc:
            raise SymlinkEscapeError(
                f"output '{path}': '{exc.where}' became a symlink: refused, nothing deleted", exc.where
            ) from None
