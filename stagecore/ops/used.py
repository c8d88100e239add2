"""Which cache objects a state of the repository references.

From the workspace (loaded stages) or from dvc file contents read out of git objects (any
revision, no checkout). `.dir` manifests are expanded from the local cache; a manifest
that is not there is reported, so callers can fetch it first.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from stagecore.core.entry import Entry, EntryError, parse_entry
from stagecore.core.hashinfo import HashInfo
from stagecore.core.safepath import OUT_HINT, join_out_path, out_path_problem, show
from stagecore.core.stage import Stage
from stagecore.errors import CacheError, FileFormatError, StagecoreError
from stagecore.files.yamlio import load_yaml


class Used(NamedTuple):
    objects: dict[HashInfo, str]  # object -> a path that names it (for messages)
    unexpanded: dict[HashInfo, str]  # .dir objects whose manifest is not in the local cache


class Ref(NamedTuple):
    hash: HashInfo
    path: str  # repo-relative output path
    isexec: bool = False
    remote: str | None = None  # the output's own `remote:` (None: the -r or default remote)


def refs_of_stages(stages: Iterable[Stage], *, for_push: bool = False) -> list[Ref]:
    refs = []
    for stage in stages:
        for out in stage.outs:
            if out.hash is None or not out.cache or (for_push and not out.push):
                continue
            refs.append(Ref(out.hash, stage.out_path(out), out.meta.isexec, _remote(out.remote)))
    return refs


def refs_of_blobs(files: Mapping[str, bytes], *, for_push: bool = False,
                  problems: list[StagecoreError] | None = None) -> list[Ref]:
    """Outputs named by dvc file contents (`*.dvc`, `dvc.lock` with its `dvc.yaml`).

    This is the hooks' path (post-checkout, post-merge, pre-push and `gc -a` read dvc files
    out of git objects, other people's commits included), so every file passes the gate of
    `core.safepath` as a whole: an unsafe output path (joined with the file's directory and
    `wdir`) or hash value refuses the file. The refusal raises FileFormatError; with
    `problems` given it is appended there instead and the file contributes no ref (the hooks
    go on with the other files)."""
    refs: list[Ref] = []
    for path, data in files.items():
        name = posixpath.basename(path)
        base = posixpath.dirname(path)
        try:
            if name.endswith(".dvc") and name != ".dvc":
                found = _dvcfile_refs(path, data, base, for_push)
            elif name == "dvc.lock":
                yaml_path = posixpath.join(base, "dvc.yaml")
                found = _lock_refs(path, data, base, files.get(yaml_path), for_push)
            else:
                continue
        except StagecoreError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        refs.extend(found)
    return refs


def _load(path: str, data: bytes | None) -> dict:
    if not data:
        return {}
    try:
        loaded = load_yaml(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        raise FileFormatError(path, "is not UTF-8 text") from None
    return loaded if isinstance(loaded, dict) else {}


def _gated_path(path: str, out: Entry, where: str, raw_path: str) -> str:
    """The repo-relative path of an output whose joined (unnormalised) path is `raw_path`:
    refused unless it passes the gate (its hash value already did, in parse_entry)."""
    problem = out_path_problem(raw_path)
    if problem:
        message = f"has an output that {problem}: {show(out.path)} (in {where})"
        raise FileFormatError(path, message, hint=OUT_HINT)
    return posixpath.normpath(raw_path)


def _entries(path: str, items: object, where: str) -> list[Entry]:
    if not items:
        return []
    if not isinstance(items, list):
        raise FileFormatError(path, f"validation failed: expected a list, in {where}")
    try:
        return [parse_entry(raw, "out", f"{where} -> {i}") for i, raw in enumerate(items)]
    except EntryError as exc:
        raise FileFormatError(path, f"validation failed: {exc}", hint=OUT_HINT) from None


def _wdir(path: str, value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\0" in value:
        raise FileFormatError(path, f"validation failed: expected a path, in {where}")
    return "" if value == "." else value


def _dvcfile_refs(path: str, data: bytes, base: str, for_push: bool) -> list[Ref]:
    doc = _load(path, data)
    prefix = posixpath.join(base, _wdir(path, doc.get("wdir"), "wdir"))
    refs = []
    for i, out in enumerate(_entries(path, doc.get("outs"), "outs")):
        out_path = _gated_path(path, out, f"outs -> {i}", join_out_path(prefix, out.path))
        if out.hash is not None and out.cache and not (for_push and not out.push):
            refs.append(Ref(out.hash, out_path, out.meta.isexec, _remote(out.remote)))
    return refs


def _lock_refs(path: str, data: bytes, base: str, yaml_data: bytes | None, for_push: bool = False) -> list[Ref]:
    """Lock paths are relative to the stage's `wdir` (from dvc.yaml, when literal); an output's
    `cache`, `push` and `remote` flags are dvc.yaml's."""
    doc = _load(path, data)
    stages = doc.get("stages", doc) if "schema" in doc else doc
    if not isinstance(stages, dict):
        return []
    wdirs = _stage_wdirs(posixpath.join(base, "dvc.yaml"), yaml_data)
    flags = _out_flags(yaml_data, path)
    refs = []
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        prefix = posixpath.join(base, wdirs.get(str(name).split("@", 1)[0], ""))
        for i, out in enumerate(_entries(path, stage.get("outs"), f"stages -> {name} -> outs")):
            where = f"stages -> {name} -> outs -> {i}"
            out_path = _gated_path(path, out, where, join_out_path(prefix, out.path))
            own = flags.get(out_path, {})
            if out.hash is None or own.get("cache") is False or (for_push and own.get("push") is False):
                continue
            refs.append(Ref(out.hash, out_path, out.meta.isexec, _remote(own.get("remote"))))
    return refs


def _stage_wdirs(yaml_path: str, yaml_data: bytes | None) -> dict[str, str]:
    """{stage name: literal wdir} of a dvc.yaml (an interpolated wdir is not known here: its
    outputs are placed relative to the dvc.yaml, still through the gate)."""
    doc = _load(yaml_path, yaml_data)
    stages = doc.get("stages")
    found = {}
    for name, stage in (stages.items() if isinstance(stages, dict) else ()):
        if isinstance(stage, dict) and "wdir" in stage:
            wdir = _wdir(yaml_path, stage.get("wdir"), f"stages -> {name} -> wdir")
            if "${" not in wdir:
                found[str(name)] = wdir
    return found


def _remote(value: object) -> str | None:
    """An output's `remote:` name (DVC's schema takes a string; anything else names none)."""
    return value if isinstance(value, str) and value else None


def _out_flags(yaml_data: bytes | None, lock_path: str) -> dict[str, dict]:
    """{out path: its flags} for the outs dvc.yaml gives flags (`cache`, `push`, `remote`), paths
    joined with the stage's wdir."""
    doc = _load(lock_path.replace("dvc.lock", "dvc.yaml"), yaml_data)
    base = posixpath.dirname(lock_path)
    found: dict[str, dict] = {}
    stages = doc.get("stages")
    for stage in (stages.values() if isinstance(stages, dict) else ()):
        if not isinstance(stage, dict):
            continue
        wdir = stage.get("wdir") if isinstance(stage.get("wdir"), str) else None
        for key in ("outs", "metrics", "plots"):
            items = stage.get(key)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and len(item) == 1:
                    (out_path, flags), = item.items()
                    if isinstance(flags, dict) and isinstance(out_path, str):
                        found[_join(base, wdir, out_path)] = flags
    return found


def _join(base: str, wdir: str | None, path: str) -> str:
    return posixpath.normpath(posixpath.join(base, wdir or ".", path))


def manifest_refusal(odb, hi: HashInfo) -> CacheError | None:
    """For a `.dir` object that is in the cache but fails the gate (escaping, duplicated or
    `.git` relpaths, bad md5s): the refusal, so callers can say so instead of "missing"."""
    if not hi.isdir or not odb.exists(hi):
        return None
    try:
        odb.manifest(hi)
    except CacheError as exc:
        return exc
    return None


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
