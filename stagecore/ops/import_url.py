"""`import-url` and `update` of its `.dvc` files: data from a local path, an http(s) URL, or
S3 / SSH (`s3://`, `ssh://`, `remote://NAME/path`; ops/url_sources.py).

The source is hashed while it streams into the cache (a temp file there, renamed to its md5),
then checked out like any cached output. Other schemes stop with one clear line.
"""

from __future__ import annotations

import os
import stat as statmod
from collections.abc import Callable
from typing import Any

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.stage import Stage, is_url
from stagecore.errors import RemoteError, StagecoreError
from stagecore.ops.cache_ingest import read_chunks, store_chunks, store_tree
from stagecore.ops.imports import ImportResult, OutTarget, finish, out_target

Say = Callable[[str], None]


def _quiet(_text: str) -> None:
    pass


def import_url(
    repo,
    url: str,
    out: str | None = None,
    cwd: str | None = None,
    *,
    force: bool = False,
    say: Say = _quiet,
    no_exec: bool = False,
    fs_config: dict | None = None,
) -> ImportResult:
    """`no_exec`: write the `.dvc` file only (no hashes, no data), as `dvc import-url --no-exec`;
    `fs_config`: remote options for an s3/ssh source, recorded in the dep as DVC does."""
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _import_url(repo, url, out, cwd or os.getcwd(), force, say, no_exec, fs_config or None)
        finally:
            sweep_seen(repo)


def _import_url(
    repo, url: str, out: str | None, cwd: str, force: bool, say: Say, no_exec: bool, fs_config: dict | None
) -> ImportResult:
    check_scheme(url)
    name = url.split("?", 1)[0].split("#", 1)[0] if is_url(url) else url
    target = out_target(repo, name, out, cwd, force=force)
    if is_url(url):
        source, dep_path = url, url
    else:
        source = os.path.abspath(os.path.join(cwd, url))
        if not os.path.lexists(source):
            raise StagecoreError(
                f"failed to import '{url}': dependency '{url}' does not exist",
                hint="check the path; import-url takes an existing file or directory",
            )
        where = os.path.dirname(os.path.join(repo.root, target.rel))
        dep_path = url if os.path.isabs(url) else os.path.relpath(source, where).replace(os.sep, "/")
    if no_exec:
        from stagecore.ops.imports import finish_no_exec

        dep: dict[str, Any] = {"hash": MD5, "path": dep_path}
        if fs_config:
            dep["fs_config"] = dict(fs_config)
        return finish_no_exec(repo, target, dep)
    say(f"Importing '{url}' -> '{os.path.relpath(os.path.join(repo.root, target.rel), cwd)}'")
    hi, meta, dep = fetch_source(repo, source, dep_path, fs_config)
    return finish(repo, target, dep, hi, meta, new=True, force=force)


def check_scheme(url: str) -> None:
    if not is_url(url):
        return
    from stagecore.ops.url_sources import handles

    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https") and not handles(url):
        raise StagecoreError(
            f"failed to import '{url}': importing from {scheme}:// is not supported",
            hint="import it with DVC, or download it and track it with `stagecore add`",
        )


def fetch_source(
    repo, source: str, dep_path: str, fs_config: dict | None = None
) -> tuple[HashInfo, Meta, dict[str, Any]]:
    """Stream `source` (absolute local path, http(s), s3, ssh or remote:// URL) into the cache:
    (out hash, out meta, dep)."""
    from stagecore.ops import url_sources

    local = url_sources.local_target(repo, source, fs_config) if url_sources.handles(source) else None
    if local is not None:  # remote://NAME/p of a directory remote: a local path, recorded by its URL
        if not os.path.lexists(local):
            raise StagecoreError(
                f"failed to import '{source}': dependency '{source}' does not exist", hint="check the path"
            )
        hi, meta, dep = fetch_source(repo, local, source)
        if fs_config:
            dep["fs_config"] = dict(fs_config)
        return hi, meta, dep
    if url_sources.handles(source):
        src = url_sources.reach(repo, source, fs_config, "import")
        try:
            with src.remote:
                return url_sources.import_to_cache(repo, src, fs_config)
        except FileNotFoundError:
            raise StagecoreError(
                f"failed to import '{source}': dependency '{source}' does not exist", hint="check the URL"
            ) from None
        except RemoteError as exc:
            raise url_sources.rephrase(exc, source, "import") from None
    if is_url(source):
        from stagecore.ops.urldeps import url_dep

        try:
            dep = url_dep(source)
        except FileNotFoundError:
            raise StagecoreError(
                f"failed to import '{source}': dependency '{source}' does not exist", hint="check the URL"
            ) from None
        hi, size = _download(repo, source)
        return hi, Meta(size, None, False), dep
    hi, meta = _store_local(repo, source)
    dep = {"md5": hi.value, "size": meta.size}
    if meta.nfiles is not None:
        dep["nfiles"] = meta.nfiles
    dep.update({"hash": MD5, "path": dep_path})
    return hi, meta, dep


def _download(repo, url: str) -> tuple[HashInfo, int]:
    import http.client
    import urllib.error
    import urllib.request

    from stagecore.ops.http_source import FETCH_TIMEOUT, whole_body

    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310 - http(s) checked
            return store_chunks(repo, whole_body(resp, url))
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StagecoreError(
            f"failed to import '{url}': {reason}", hint="check the URL and the network, then try again"
        ) from None


def _store_local(repo, source: str) -> tuple[HashInfo, Meta]:
    from stagecore.ops.external import special

    st = None if special(source) else _stat(source)
    if st is not None and statmod.S_ISREG(st.st_mode):
        with open(source, "rb") as fobj:
            hi, size = store_chunks(repo, read_chunks(fobj))
        return hi, Meta(size, None, False)
    if st is not None and statmod.S_ISDIR(st.st_mode):
        tree: dict[str, str] = {}
        for dirpath, dirs, files in os.walk(source):  # symlinked directories are not entered
            dirs[:] = sorted(d for d in dirs if not special(os.path.join(dirpath, d)))
            for fname in files:
                full = os.path.join(dirpath, fname)
                fst = None if special(full) else _stat(full)
                if fst is None or not statmod.S_ISREG(fst.st_mode):
                    continue
                with open(full, "rb") as fobj:
                    fhi, _size = store_chunks(repo, read_chunks(fobj))
                tree[os.path.relpath(full, source).replace(os.sep, "/")] = fhi.value
        return store_tree(repo, tree)
    raise StagecoreError(
        f"failed to import '{source}': not a regular file or directory", hint="import a file or a directory"
    )


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def update_url(repo, stage: Stage, *, say: Say = _quiet) -> bool:
    """Re-import an `import-url` stage when its source changed (or its output is missing);
    False (DVC: "didn't change, skipping") otherwise."""
    from stagecore.ops import outs as outs_ops
    from stagecore.ops.external import outside_path

    dep, out = stage.deps[0], stage.outs[0]
    check_scheme(dep.path)
    rel = stage.out_path(out)
    if is_url(dep.path):
        source = dep.path
    else:
        path = stage.dep_path(dep)
        source = outside_path(repo.root, path) or os.path.join(repo.root, path)
    if not _source_changed(repo, source, dep) and not outs_ops.out_status(repo, rel, out):
        return False
    say(f"Importing '{dep.path}' -> '{rel}'")
    hi, meta, new_dep = fetch_source(repo, source, dep.path, dep.extra.get("fs_config"))
    finish(repo, OutTarget(rel, stage.dvcfile, out.path), new_dep, hi, meta, new=False, force=True)
    return True


def _source_changed(repo, source: str, dep) -> bool:
    recorded = dep.hash.value if dep.hash is not None else None
    from stagecore.ops import url_sources

    if url_sources.handles(source):
        status = url_sources.changed(repo, dep)
        if status == "deleted":
            raise StagecoreError(
                f"failed to update: dependency '{source}' does not exist",
                hint="restore the source, or remove the import",
            )
        return status is not None
    if is_url(source):
        from stagecore.ops.urldeps import url_dep

        try:
            return url_dep(source)["checksum"] != recorded
        except FileNotFoundError:
            raise StagecoreError(
                f"failed to update: dependency '{source}' does not exist",
                hint="restore the source, or remove the import",
            ) from None
    from stagecore.ops.external import measure

    measured = measure(source, MD5)
    if measured is None:
        raise StagecoreError(
            f"failed to update: dependency '{source}' does not exist",
            hint="restore the source, or remove the import",
        )
    return measured.hash.value != recorded
