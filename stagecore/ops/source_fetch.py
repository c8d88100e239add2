"""Bringing what a path of a source repository names (ops/source_repo.Found) into a cache: from the
source's own cache (a local repository), then its default remote; every object hashed on the way in."""

from __future__ import annotations

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.errors import StagecoreError
from stagecore.ops.source_repo import Found, SourceRepo


def fetch_found(repo, source: SourceRepo, sha: str, found: Found) -> tuple[HashInfo, Meta]:
    """Bring what `found` names into `repo`'s cache (every object hashed on the way): (hash, meta)."""
    from stagecore.ops.cache_ingest import object_size, store_chunks, store_tree

    if found.hash is None:  # git-tracked content
        tree = {}
        for rel, (_mode, oid) in found.blobs.items():
            hi, size = store_chunks(repo, source.blob_chunks(oid))
            tree[rel] = hi.value
            if rel == "":
                return hi, Meta(size, None, found.isexec)
        if found.outs:
            tree.update(_outs_tree(repo, source, sha, found.outs))
        return store_tree(repo, tree)
    remotes = source.remotes(sha)
    try:
        hi = found.hash
        if hi.isdir:
            _gather(repo, remotes, {hi: hi.value}, source)
        if found.sub:
            manifest = repo.odb.manifest(hi)
            if found.sub in manifest:
                hi = HashInfo(MD5, manifest[found.sub])
            else:
                prefix = found.sub + "/"
                sub = {rel[len(prefix) :]: md5 for rel, md5 in manifest.items() if rel.startswith(prefix)}
                if not sub:
                    raise StagecoreError(
                        f"'{found.sub}' does not exist in the directory output of '{source.url}'"
                    )
                _gather(repo, remotes, {HashInfo(MD5, md5): rel for rel, md5 in sub.items()}, source)
                return store_tree(repo, sub)
        if hi.isdir:
            files = repo.odb.manifest(hi)
            _gather(repo, remotes, {HashInfo(MD5, md5): rel for rel, md5 in files.items()}, source)
            return hi, Meta(
                sum(object_size(repo, HashInfo(MD5, m)) for m in files.values()), len(files), False
            )
        _gather(repo, remotes, {hi: hi.value}, source)
        return hi, Meta(object_size(repo, hi), None, found.isexec)
    finally:
        for rem in remotes:
            rem.close()


def _outs_tree(repo, source: SourceRepo, sha: str, outs: tuple[tuple[str, HashInfo], ...]) -> dict[str, str]:
    """relpath -> md5 of every file of the DVC outputs inside an imported directory (fetched)."""
    tree: dict[str, str] = {}
    remotes = source.remotes(sha)
    try:
        _gather(repo, remotes, {hi: rel for rel, hi in outs}, source)  # files and manifests
        for rel, hi in outs:
            if hi.isdir:
                files = repo.odb.manifest(hi)
                _gather(repo, remotes, {HashInfo(MD5, md5): sub for sub, md5 in files.items()}, source)
                tree.update({f"{rel}/{sub}": md5 for sub, md5 in files.items()})
            else:
                tree[rel] = hi.value
    finally:
        for rem in remotes:
            rem.close()
    return tree


def _gather(repo, remotes: list, objects: dict[HashInfo, str], source: SourceRepo) -> None:
    from stagecore.ops.transfer import _get

    for rem in remotes:
        need = {hi: p for hi, p in objects.items() if not repo.odb.has(hi)}
        if not need:
            return
        _get(repo, rem, need, rem.jobs, None)
    missing = sorted(p for hi, p in objects.items() if not repo.odb.has(hi))
    if missing:
        why = f" ({source.remote_problem})" if source.remote_problem else ""
        raise StagecoreError(
            f"{len(missing)} object(s) of '{source.url}' are neither in its cache nor on its "
            f"default remote{why} (first: {missing[0]})",
            hint="ask the repository's owners to `dvc push` its data",
        )
