"""Which cache objects a state of the repository references.

From the workspace (loaded stages) or from dvc file contents read out of git objects (any
revision, no checkout). `.dir` manifests are expanded from the local cache; a manifest
that is not there is reported, so callers can fetch it first.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from stagecore.core.entry import EntryError, parse_entry
from stagecore.core.hashinfo import HashInfo
from stagecore.core.stage import Stage
from stagecore.errors import CacheError, FileFormatError
from stagecore.yamlio import load_yaml


class Used(NamedTuple):
    objects: dict[HashInfo, str]  # object -> a path that names it (for messages)
    unexpanded: dict[HashInfo, str]  # .dir objects whose manifest is not in the local cache


class Ref(NamedTuple):
    hash: HashInfo
    path: str  # repo-relative output path
    isexec: bool = False


def refs_of_stages(stages: Iterable[Stage], *, for_push: bool = False) -> list[Ref]:
    refs = []
    for stage in stages:
        for out in stage.outs:
            if out.hash is None or not out.cache or (for_push and not out.push):
                continue
            refs.append(Ref(out.hash, stage.out_path(out), out.meta.isexec))
    return refs


def refs_of_blobs(files: Mapping[str, bytes], *, for_push: bool = False) -> list[Ref]:
    """Outputs named by dvc file contents (`*.dvc`, `dvc.lock` with its `dvc.yaml`)."""
    refs: list[Ref] = []
    for path, data in files.items():
        name = posixpath.basename(path)
        base = posixpath.dirname(path)
        if name.endswith(".dvc"):
            refs.extend(_dvcfile_refs(path, data, base, for_push))
        elif name == "dvc.lock":
            nocache = _uncached_paths(files.get(posixpath.join(base, "dvc.yaml") if base else "dvc.yaml"), path)
            refs.extend(r for r in _lock_refs(path, data, base) if r.path not in nocache)
    return refs


def _load(path: str, data: bytes | None) -> dict:
    if not data:
        return {}
    try:
        loaded = load_yaml(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        raise FileFormatError(path, "is not UTF-8 text") from None
    return loaded if isinstance(loaded, dict) else {}


def _join(base: str, wdir: str | None, path: str) -> str:
    return posixpath.normpath(posixpath.join(base, wdir or ".", path))


def _dvcfile_refs(path: str, data: bytes, base: str, for_push: bool) -> list[Ref]:
    doc = _load(path, data)
    refs = []
    for i, raw in enumerate(doc.get("outs") or []):
        try:
            out = parse_entry(raw, "out", f"outs -> {i}")
        except EntryError as exc:
            raise FileFormatError(path, f"validation failed: {exc}") from None
        if out.hash is not None and out.cache and not (for_push and not out.push):
            refs.append(Ref(out.hash, _join(base, doc.get("wdir"), out.path), out.meta.isexec))
    return refs


def _lock_refs(path: str, data: bytes, base: str) -> list[Ref]:
    doc = _load(path, data)
    stages = doc.get("stages", doc) if "schema" in doc else doc
    refs = []
    for stage in (stages or {}).values():
        if not isinstance(stage, dict):
            continue
        for i, raw in enumerate(stage.get("outs") or []):
            try:
                out = parse_entry(raw, "out", f"outs -> {i}")
            except EntryError as exc:
                raise FileFormatError(path, f"validation failed: {exc}") from None
            if out.hash is not None:
                refs.append(Ref(out.hash, _join(base, None, out.path), out.meta.isexec))
    return refs


def _uncached_paths(yaml_data: bytes | None, lock_path: str) -> set[str]:
    """Lock paths of outs that dvc.yaml marks `cache: false` (lock paths are relative to the
    dvc.yaml dir, stage paths to wdir; both resolved here)."""
    doc = _load(lock_path.replace("dvc.lock", "dvc.yaml"), yaml_data)
    base = posixpath.dirname(lock_path)
    found = set()
    for stage in (doc.get("stages") or {}).values():
        if not isinstance(stage, dict):
            continue
        wdir = stage.get("wdir") if isinstance(stage.get("wdir"), str) else None
        for key in ("outs", "metrics", "plots"):
            for item in stage.get(key) or []:
                if isinstance(item, dict) and len(item) == 1:
                    (out_path, flags), = item.items()
                    if isinstance(flags, dict) and flags.get("cache") is False and isinstance(out_path, str):
                        found.add(_join(base, wdir, out_path))
    return found


def expand(odb, refs: Iterable[Ref]) -> Used:
    """Every object the refs need: files, `.dir` manifests and the files they list."""
    objects: dict[HashInfo, str] = {}
    unexpanded: dict[HashInfo, str] = {}
    for ref in refs:
        if ref.hash in objects:
            continue
        objects[ref.hash] = ref.path
        if not ref.hash.isdir:
            continue
        try:
            files = odb.manifest(ref.hash)
        except CacheError:
            unexpanded[ref.hash] = ref.path
            continue
        for rel, md5 in files.items():
            objects.setdefault(HashInfo(ref.hash.name, md5), f"{ref.path}/{rel}")
    return Used(objects, unexpanded)
