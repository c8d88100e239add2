"""dvc.yaml / dvc.lock as data (pure): stages from definitions and lock entries, and the
entries DVC writes back (lock entries, dvc.yaml stage definitions). Schemas: `pipeschema`."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from stagecore.core.entry import Entry, EntryError, lock_entry, parse_entry
from stagecore.core.pipeschema import DEFAULT_PARAMS, OUT_KINDS, PLOT_PROPS
from stagecore.core.stage import Stage

# ---------------------------------------------------------------- stages


def merge_params(items: list[Any]) -> dict[str, list[str] | None]:
    """`params:` of a stage -> {file (as written): [keys] or None for the whole file}."""
    whole = {k for item in items if isinstance(item, dict) for k, v in item.items() if not v}
    out: dict[str, list[str] | None] = {}
    for item in items:
        if isinstance(item, str):
            if DEFAULT_PARAMS not in whole:
                keys = out.setdefault(DEFAULT_PARAMS, [])
                if keys is not None and item not in keys:
                    keys.append(item)
            continue
        for pfile, keys_in in item.items():
            if pfile in whole:
                out[pfile] = None
                continue
            keys = out.setdefault(pfile, [])
            for key in [keys_in] if isinstance(keys_in, str) else keys_in:
                if keys is not None and key not in keys:
                    keys.append(key)
    return out


def _out_entry(item: Any, kind: str) -> Entry:
    if isinstance(item, str):
        return Entry(item, kind=kind)
    (path, flags), = item.items()
    flags = dict(flags or {})
    known = {k: flags.pop(k) for k in ("cache", "persist", "push", "remote") if k in flags}
    return Entry(
        str(path), cache=bool(known.get("cache", True)), persist=bool(known.get("persist", False)),
        push=bool(known.get("push", True)), remote=known.get("remote"), kind=kind, extra=flags,
    )


def build_stage(dvcfile: str, name: str, definition: Mapping[str, Any], lock: Mapping | None,
                raw: Mapping[str, Any] | None = None) -> Stage:
    """A pipeline stage from its resolved definition, with hashes from its lock entry."""
    base = posixpath.dirname(dvcfile)
    wdir = posixpath.normpath(posixpath.join(base, definition.get("wdir") or "."))
    stage = Stage(
        dvcfile=dvcfile, name=name, cmd=definition.get("cmd"), wdir="" if wdir == "." else wdir,
        params=merge_params(definition.get("params") or []),
        frozen=bool(definition.get("frozen")), always_changed=bool(definition.get("always_changed")),
        desc=definition.get("desc"), raw=dict(raw if raw is not None else definition),
        lock=dict(lock) if lock is not None else None,
    )
    stage.deps = [Entry(str(d), kind="dep") for d in definition.get("deps") or []]
    for key, kind in OUT_KINDS:
        stage.outs.extend(_out_entry(item, kind) for item in definition.get(key) or [])
    if lock:
        stage.deps = _fill(stage.deps, lock.get("deps"), "deps")
        stage.outs = _fill(stage.outs, lock.get("outs"), "outs")
    return stage


def _fill(entries: list[Entry], locked: Any, key: str) -> list[Entry]:
    by_path = {}
    for i, item in enumerate(locked or []):
        try:
            parsed = parse_entry(item, "dep", f"{key} -> {i}")
        except EntryError:
            continue
        by_path[parsed.path] = parsed
    out = []
    for entry in entries:
        hit = by_path.get(entry.path)
        out.append(entry.with_hash(hit.hash, hit.meta) if hit is not None else entry)
    return out


def lock_data(stage: Stage, params: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The stage's `dvc.lock` entry: `cmd, deps, params, outs` (DVC's order and sorting)."""
    entry: dict[str, Any] = {"cmd": stage.cmd}
    deps = [lock_entry(d) for d in sorted(stage.deps, key=lambda e: e.path)]
    outs = [lock_entry(o) for o in sorted(stage.outs, key=lambda e: e.path)]
    if deps:
        entry["deps"] = deps
    if params:
        ordered = sorted(params, key=lambda f: (f != DEFAULT_PARAMS, f))
        entry["params"] = {f: {k: params[f][k] for k in sorted(params[f])} for f in ordered}
    if outs:
        entry["outs"] = outs
    return entry


def _out_flags(out: Entry) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for key in ("desc", "type", "labels", "meta"):
        if key in out.extra:
            flags[key] = out.extra[key]
    if not out.cache:
        flags["cache"] = False
    if out.persist:
        flags["persist"] = True
    for key, value in out.extra.items():
        if key in PLOT_PROPS and key not in flags:
            flags[key] = value
    if out.remote:
        flags["remote"] = out.remote
    if not out.push:
        flags["push"] = False
    return flags


def pipeline_data(stage: Stage, wdir_rel: str = ".") -> dict[str, Any]:
    """The stage's `dvc.yaml` definition as DVC writes it (key order, sorting, flags)."""
    params: list[Any] = []
    for pfile in sorted(stage.params):
        keys = stage.params[pfile]
        if pfile == DEFAULT_PARAMS and keys:
            params = sorted(keys) + params
        else:
            params.append({pfile: sorted(keys) if keys else None})
    buckets: dict[str, list[Any]] = {"out": [], "metric": [], "plot": []}
    for out in sorted(stage.outs, key=lambda e: e.path):
        flags = _out_flags(out)
        buckets[out.kind if out.kind in buckets else "out"].append({out.path: flags} if flags else out.path)
    items = [
        ("desc", stage.desc), ("cmd", stage.cmd), ("wdir", wdir_rel if wdir_rel != "." else None),
        ("deps", sorted(d.path for d in stage.deps)), ("params", params), ("outs", buckets["out"]),
        ("metrics", buckets["metric"]), ("plots", buckets["plot"]), ("frozen", stage.frozen),
        ("always_changed", stage.always_changed), ("meta", stage.raw.get("meta")),
    ]
    return {key: value for key, value in items if value}
