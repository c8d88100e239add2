"""Outputs and dependencies as recorded in dvc files and locks (pure)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Any

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo, Meta
from stagecore.core.safepath import hash_problem

HASH_KEYS = ("md5", "etag", "checksum")
ETAG = "etag"  # a dep's hash that is an object store's etag (DVC: HashInfo("etag", ...)), not an md5
# keys DVC writes after the hash keys of an out, in this order
_FLAG_ORDER = ("desc", "type", "labels", "meta")


class EntryError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    """One out or dep. `path` is as written: posix, relative to the dvc file's dir / wdir."""

    path: str
    hash: HashInfo | None = None
    meta: Meta = Meta()
    cache: bool = True
    persist: bool = False
    push: bool = True
    remote: str | None = None
    kind: str = "out"  # out | metric | plot | dep
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_hash(self, hi: HashInfo | None, meta: Meta) -> Entry:
        return replace(self, hash=hi, meta=meta)


def parse_entry(raw: Any, kind: str, where: str) -> Entry:
    """An entry of a `.dvc` file or a lock (`{path, md5|..., size, ...}`)."""
    if not isinstance(raw, dict):
        raise EntryError(f"expected a dictionary, in {where}")
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        raise EntryError(f"required key not provided, in {where} -> path")
    key = next((k for k in HASH_KEYS if raw.get(k) is not None), None)
    value = raw[key] if key is not None else None
    hi = None
    if value is not None:
        if kind != "dep":  # an output's hash names a cache object: only md5 values pass the gate
            problem = hash_problem(value) if key == "md5" else f"an output's hash must be md5, not '{key}'"
            if problem:
                raise EntryError(f"{problem}, in {where} -> {key}")
        elif not isinstance(value, str):
            raise EntryError(f"expected a string for {key}, in {where} -> {key}")
        algo = raw.get("hash")
        hi = HashInfo(ETAG if key == ETAG and algo == MD5 else MD5 if algo == MD5 else MD5_D2U, value)
    known = {"path", "hash", "size", "nfiles", "isexec", "cache", "persist", "push", "remote", *HASH_KEYS}
    extra = {k: v for k, v in raw.items() if k not in known}
    return Entry(
        path=path,
        hash=hi,
        meta=Meta(raw.get("size"), raw.get("nfiles"), bool(raw.get("isexec", False))),
        cache=bool(raw.get("cache", True)),
        persist=bool(raw.get("persist", False)),
        push=bool(raw.get("push", True)),
        remote=raw.get("remote"),
        kind="metric" if extra.get("metric") else kind,
        extra=extra,
    )


_CHECKSUM_SCHEMES = ("http", "https", "hdfs", "webhdfs")
_ETAG_SCHEMES = ("s3", "gs", "gcs", "azure", "oss", "webdav", "webdavs")


def hash_key(path: str) -> str:
    """The field DVC records a dependency's hash in: its filesystem's `PARAM_CHECKSUM` (`checksum`
    for http(s)/hdfs URLs, `etag` for object stores, `md5` for paths)."""
    scheme = path.split("://", 1)[0].lower() if "://" in path else ""
    return "checksum" if scheme in _CHECKSUM_SCHEMES else "etag" if scheme in _ETAG_SCHEMES else "md5"


def hash_fields(entry: Entry) -> dict[str, Any]:
    """`md5, size, [nfiles], [isexec], [hash]` in DVC's order (legacy entries have no `hash`); a URL
    dependency's value under `checksum`/`etag`, as DVC writes it."""
    out: dict[str, Any] = {}
    if entry.hash is None:
        return out
    name = entry.hash.name
    # an etag is written as such (also for remote://NAME/... of an S3 remote); a directory's
    # hash is the md5 of its manifest, whatever the filesystem
    key = ETAG if name == ETAG else MD5 if entry.hash.isdir else hash_key(entry.path)
    out[key] = entry.hash.value
    if entry.meta.size is not None:
        out["size"] = entry.meta.size
    if entry.meta.nfiles is not None:
        out["nfiles"] = entry.meta.nfiles
    if entry.meta.isexec:
        out["isexec"] = True
    if name in (MD5, ETAG):
        out["hash"] = MD5
    return out


def dvcfile_out(entry: Entry) -> dict[str, Any]:
    """An out of a `.dvc` file: hash fields, `path`, then flags (defaults omitted)."""
    out = hash_fields(entry)
    out["path"] = entry.path
    for key in _FLAG_ORDER:
        if key in entry.extra:
            out[key] = entry.extra[key]
    for key, value in entry.extra.items():
        if key not in out and key not in ("metric",):
            out[key] = value
    if not entry.cache:
        out["cache"] = False
    if entry.persist:
        out["persist"] = True
    if entry.remote:
        out["remote"] = entry.remote
    if not entry.push:
        out["push"] = False
    return out


def lock_entry(entry: Entry) -> dict[str, Any]:
    """An entry of `dvc.lock`: `path, hash, md5, size, nfiles, isexec`."""
    fields = hash_fields(entry)
    out: dict[str, Any] = {"path": entry.path}
    if "hash" in fields:
        out["hash"] = fields.pop("hash")
    out.update(fields)
    return out


def resolve(base_dir: str, path: str) -> str:
    """Repo-relative posix path of `path` written relative to `base_dir` ('' = root)."""
    return posixpath.normpath(posixpath.join(base_dir, path)) if base_dir else posixpath.normpath(path)
