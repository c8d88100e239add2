"""Sources on S3 and SSH/SFTP (`s3://`, `ssh://`, `remote://NAME/path`) for import-url, update,
repro and status, read as DVC 3.67.1 reads them through the data-remote backends (remotes/).

What DVC records of such a source (the dep of the `.dvc` file or lock):
- S3 file: `etag` (S3's ETag, unquoted) and `size`; SSH file: the `md5` of its content and `size`;
- a directory: `md5` of a `.dir` manifest, `size`, `nfiles`: on S3 the manifest lists each
  file's etag (`[{"etag": .., "relpath": ..}]`), on SSH each file's md5 (the output's own tree).
Credentials and endpoint: the remote's section for `remote://NAME/...` (remote_config), the
dep's `fs_config` (`--fs-config KEY=VALUE`) over it, else the SDK's environment (AWS_*, ~/.ssh).
Names from a remote listing are attacker input: each relpath passes the core's gate.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.errors import ConfigError, RemoteError, StagecoreError

SCHEMES = ("s3", "ssh", "remote")
ETAG = "etag"


class Source(NamedTuple):
    url: str  # as written in the dep (remote://NAME/path kept as given)
    kind: str  # s3 | ssh
    remote: Any  # a remotes.Remote opened at the bucket's / host's root
    key: str  # the source's path inside it


def handles(url: str) -> bool:
    """A URL this module reads (s3://, ssh://, remote://)."""
    return url.split("://", 1)[0].lower() in SCHEMES if "://" in url else False


def resolve_conf(repo, url: str, fs_config: dict | None = None) -> dict:
    """The backend options of `url`, as DVC's get_fs_config: `remote://NAME/p` becomes NAME's
    url joined with `p` over NAME's section (nested references followed), `fs_config` on top."""
    from stagecore.remotes.config import remote_section

    conf: dict = {**(fs_config or {}), "url": url}
    for _depth in range(8):
        parts = urlsplit(conf["url"])
        if parts.scheme.lower() != "remote":
            return conf
        base = remote_section(repo.config, parts.netloc)
        rel = parts.path.lstrip("/")
        joined = str(base.get("url", "")).rstrip("/") + ("/" + rel if rel else "")
        conf = {**base, **{k: v for k, v in conf.items() if k != "url"}, "url": joined}
    raise ConfigError(f"'{url}': remote references nest too deeply (a loop?)", hint="fix the remotes' urls")


def local_target(repo, url: str, fs_config: dict | None = None) -> str | None:
    """The absolute path `remote://NAME/p` names when NAME is a directory remote (read as a
    local path, hashed by md5 as DVC does); None for any other URL."""
    from stagecore.remotes import local_path, remote_kind

    if not url.lower().startswith("remote://"):
        return None
    try:
        target = str(resolve_conf(repo, url, fs_config if isinstance(fs_config, dict) else None)["url"])
    except ConfigError as exc:
        raise rephrase(exc, url, "read") from None
    return local_path(target, repo.dvc_dir) if remote_kind(target) == "local" else None


def open_source(repo, url: str, fs_config: dict | None = None) -> Source:
    """Open the backend that reads `url` (s3 or ssh), refusing other kinds with one line."""
    from stagecore.core.remote_schema import validate_remote
    from stagecore.remotes import open_remote, remote_kind

    if fs_config is not None and not isinstance(fs_config, dict):
        raise ConfigError(f"'{url}': fs_config must be a mapping of remote options")
    conf = resolve_conf(repo, url, fs_config)
    target = str(conf["url"])
    kind = remote_kind(target)
    if kind not in ("s3", "ssh"):
        raise StagecoreError(
            f"failed to import '{url}': importing from {kind}:// is not supported",
            hint="stagecore imports local paths, http(s), s3:// and ssh:// sources",
        )
    problem = validate_remote(url, {k: v for k, v in conf.items() if k != "url"} | {"url": target})
    if problem is not None:
        raise ConfigError(f"invalid options for '{url}': {problem[0]}", hint=problem[1])
    parts = urlsplit(target)
    key = parts.path.strip("/")
    if kind == "ssh":
        from urllib.parse import unquote

        key = unquote(key)
    if not parts.netloc or not key:
        raise StagecoreError(
            f"failed to import '{url}': it names no file or directory ({target})",
            hint="use s3://BUCKET/KEY or ssh://[USER@]HOST[:PORT]/PATH",
        )
    root = f"{parts.scheme}://{parts.netloc}" + ("/" if kind == "ssh" else "")
    remote = open_remote(_remote_name(url), {**conf, "url": root}, repo.dvc_dir)
    return Source(url, kind, remote, key)


def _remote_name(url: str) -> str:
    """The name the backend's messages use: NAME of `remote://NAME/...` (its hints then say
    `stagecore remote modify NAME ...`), else the URL itself."""
    parts = urlsplit(url)
    return parts.netloc if parts.scheme.lower() == "remote" else url


def rephrase(exc: StagecoreError, url: str, action: str) -> StagecoreError:
    """A backend's error as one line naming the URL; for a plain URL (no configured remote
    behind it) the hint says where its endpoint and credentials come from."""
    cls = ConfigError if isinstance(exc, ConfigError) else RemoteError
    text, hint = str(exc), exc.hint
    if urlsplit(url).scheme.lower() != "remote":
        for word in ("for", "of", "on"):
            text = text.replace(f" {word} remote '{url}'", "")
        if not isinstance(exc, ConfigError) and (hint is None or "remote modify" in hint):
            hint = (
                "give the endpoint and credentials: --fs-config endpointurl=URL (import-url), "
                "AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_PROFILE, or a remote: remote://NAME/PATH"
                if url.lower().startswith("s3://")
                else "check the host and the login: --fs-config keyfile=PATH user=NAME (import-url), "
                "~/.ssh/config, or a remote: remote://NAME/PATH"
            )
    return cls(f"cannot {action} '{url}': {text}", hint=hint)


def source_info(src: Source) -> dict:
    """The backend's info of the source; FileNotFoundError when it is not there."""
    info = src.remote.info(src.key)
    if info is None:
        raise FileNotFoundError(src.url)
    return info


def listing(src: Source) -> list[tuple[str, int | None, str | None]]:
    """The files of a directory source, each relpath checked by the gate (a hostile listing
    such as `../x`, `a//b` or a file that is also a directory stops the import)."""
    from stagecore.core.safepath import manifest_problem

    files = sorted(src.remote.walk_files(src.key))
    problem = manifest_problem((rel, "0" * 32) for rel, _size, _etag in files)
    if problem:
        raise StagecoreError(
            f"refused to import '{src.url}': {problem}", hint="the source lists unsafe names"
        )
    return files


def _etag_tree(files: list[tuple[str, int | None, str | None]]) -> str:
    """DVC's hash of an object-store directory: md5 of its etag manifest, with `.dir`."""
    entries = [{ETAG: etag, "relpath": rel} for rel, _size, etag in sorted(files)]
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode()).hexdigest() + ".dir"


def dep_entry(src: Source, value: str, size: int | None, nfiles: int | None, fs_config: dict | None) -> dict:
    """The dep as DVC writes it: hash field, size, [nfiles], hash: md5, path, [fs_config]."""
    field = ETAG if src.kind == "s3" and nfiles is None else MD5
    dep: dict[str, Any] = {field: value}
    if size is not None:
        dep["size"] = size
    if nfiles is not None:
        dep["nfiles"] = nfiles
    dep.update({"hash": MD5, "path": src.url})
    if fs_config:
        dep["fs_config"] = dict(fs_config)
    return dep


def import_to_cache(repo, src: Source, fs_config: dict | None) -> tuple[HashInfo, Meta, dict]:
    """Stream the source into the cache (hashed on the way in): (out hash, out meta, dep entry)."""
    from stagecore.ops.cache_ingest import store_chunks, store_tree

    info = source_info(src)
    if info["type"] != "directory":
        hi, size = store_chunks(repo, src.remote.iter_chunks(src.key))
        value = info.get("etag") if src.kind == "s3" else hi.value
        if not value:
            raise StagecoreError(f"failed to import '{src.url}': the server gave no ETag for it")
        dep_size = info.get("size") if src.kind == "s3" else size
        return hi, Meta(size, None, False), dep_entry(src, value, dep_size, None, fs_config)
    files = listing(src)
    tree = _parallel_store(repo, src, [rel for rel, _size, _etag in files])
    hi, meta = store_tree(repo, tree)
    if src.kind == "s3":  # the hash of the etags, the sizes the listing gave
        total = sum(fsize or 0 for _rel, fsize, _etag in files)
        return hi, meta, dep_entry(src, _etag_tree(files), total, len(tree), fs_config)
    return hi, meta, dep_entry(src, hi.value, meta.size, len(tree), fs_config)


def _parallel_store(repo, src: Source, rels: list[str]) -> dict[str, str]:
    from concurrent.futures import ThreadPoolExecutor

    from stagecore.ops.cache_ingest import store_chunks

    def one(rel: str) -> str:
        return store_chunks(repo, src.remote.iter_chunks(f"{src.key}/{rel}"))[0].value

    if not rels:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(src.remote.jobs, 8, len(rels)))) as pool:
        return dict(zip(rels, pool.map(one, rels), strict=True))


def current(repo, src: Source) -> tuple[HashInfo, Meta]:
    """What the source is now, as DVC would record it (S3: etags from a listing, no download;
    SSH: the md5 of the content, streamed and discarded)."""
    info = source_info(src)
    if info["type"] != "directory":
        if src.kind == "s3":
            return HashInfo(ETAG, str(info.get("etag"))), Meta(info.get("size"), None, False)
        digest, size = _md5_of(src.remote.iter_chunks(src.key))
        return HashInfo(MD5, digest), Meta(size, None, False)
    files = listing(src)
    if src.kind == "s3":
        return HashInfo(MD5, _etag_tree(files)), Meta(sum(s or 0 for _r, s, _e in files), len(files), False)
    from stagecore.core.tree import manifest_bytes, manifest_hash

    tree, total = {}, 0
    for rel, _size, _etag in files:
        tree[rel], size = _md5_of(src.remote.iter_chunks(f"{src.key}/{rel}"))
        total += size
    return manifest_hash(manifest_bytes(tree), MD5), Meta(total, len(tree), False)


def _md5_of(chunks) -> tuple[str, int]:
    digest, size = hashlib.md5(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def reach(repo, dep_path: str, fs_config: Any, action: str):
    """Open a dep's source, any failure to reach it as one StagecoreError naming the URL."""
    try:
        return open_source(repo, dep_path, fs_config)
    except (RemoteError, ConfigError) as exc:
        raise rephrase(exc, dep_path, action) from None


def changed(repo, dep) -> str | None:
    """`modified` / `deleted` / None for an s3/ssh/remote dependency (status, repro)."""
    recorded = dep.hash.value if dep.hash is not None else None
    local = local_target(repo, dep.path, dep.extra.get("fs_config"))
    if local is not None:
        from stagecore.ops.external import measure

        measured = measure(local, MD5)
        return "deleted" if measured is None else None if measured.hash.value == recorded else "modified"
    src = reach(repo, dep.path, dep.extra.get("fs_config"), "check")
    try:
        with src.remote:
            now, _meta = current(repo, src)
    except FileNotFoundError:
        return "deleted"
    except RemoteError as exc:
        raise rephrase(exc, dep.path, "check") from None
    return None if recorded == now.value else "modified"


def refreshed(repo, dep):
    """The dependency with what its source is now (repro records it); a missing or unreachable
    source stops the stage (DVC: "dependency '...' does not exist")."""
    from stagecore.errors import StageError

    local = local_target(repo, dep.path, dep.extra.get("fs_config"))
    if local is not None:
        from stagecore.ops.external import measure

        measured = measure(local, MD5)
        if measured is None:
            raise StageError(
                f"dependency '{dep.path}' does not exist", hint="restore it, or remove it from the stage"
            )
        return dep.with_hash(measured.hash, measured.meta)
    src = reach(repo, dep.path, dep.extra.get("fs_config"), "check")
    try:
        with src.remote:
            hi, meta = current(repo, src)
    except FileNotFoundError:
        raise StageError(
            f"dependency '{dep.path}' does not exist", hint="restore the source, or remove it from the stage"
        ) from None
    except RemoteError as exc:
        raise rephrase(exc, dep.path, "check") from None
    return dep.with_hash(hi, meta)


def download(repo, source: str, fs_config: Any, dest: str) -> None:
    """Write the source's content at `dest` (a fresh temp path: a file, or a directory tree
    whose relpaths passed the gate), for repro of an import stage."""
    local = local_target(repo, source, fs_config)
    if local is not None:
        from stagecore.ops.external import copy_local

        copy_local(local, dest)
        return
    src = reach(repo, source, fs_config, "import")
    with src.remote:
        try:
            info = source_info(src)
            if info["type"] != "directory":
                _write(src, src.key, dest)
                return
            os.makedirs(dest)
            for rel, _size, _etag in listing(src):
                full = os.path.join(dest, *rel.split("/"))
                os.makedirs(os.path.dirname(full), exist_ok=True)
                _write(src, f"{src.key}/{rel}", full)
        except FileNotFoundError:
            raise StagecoreError(
                f"failed to import '{source}': it does not exist",
                hint="restore the source, or remove the import stage",
            ) from None
        except RemoteError as exc:
            raise rephrase(exc, source, "import") from None


def _write(src: Source, key: str, path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as fobj:
        for chunk in src.remote.iter_chunks(key):
            fobj.write(chunk)
