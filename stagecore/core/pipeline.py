"""dvc.yaml / dvc.lock as data (pure): schema checks, stages from definitions, entries to write.

Validation returns every problem as `(keys, message)` where `keys` is the path into the
document (`("stages", "train", "outs", 0)`), so the caller can add file, line and column.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from stagecore.core.entry import Entry, EntryError, lock_entry, parse_entry
from stagecore.core.stage import Stage

Problem = tuple[tuple[Any, ...], str]

TOP_KEYS = {"stages", "vars", "params", "metrics", "plots", "artifacts", "datasets"}
OUT_FLAGS = {"desc": str, "type": str, "labels": list, "meta": object, "cache": bool, "persist": bool,
             "checkpoint": bool, "remote": str, "push": bool}
PLOT_PROPS = {"template": str, "x": str, "y": str, "x_label": str, "y_label": str, "title": str,
              "header": bool}
STAGE_KEYS = {"cmd", "wdir", "deps", "params", "vars", "frozen", "meta", "desc", "always_changed",
              "outs", "metrics", "plots", "matrix"}
OUT_KINDS = (("outs", "out"), ("metrics", "metric"), ("plots", "plot"))
DEFAULT_PARAMS = "params.yaml"
_TYPES = {str: "str", bool: "bool", list: "a list", dict: "a dictionary"}


def _expect(value: Any, typ: type, where: tuple, problems: list[Problem]) -> bool:
    if typ is object or isinstance(value, typ):
        return True
    problems.append((where, f"expected {_TYPES.get(typ, typ.__name__)}"))
    return False


def validate_pipeline(data: Any) -> list[Problem]:
    if data is None:
        return []
    if not isinstance(data, Mapping):
        return [((), "expected a dictionary.")]
    problems: list[Problem] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(((key,), "extra keys not allowed"))
    for key in ("params", "metrics"):
        if key in data and _expect(data[key], list, (key,), problems):
            for i, item in enumerate(data[key]):
                _expect(item, str, (key, i), problems)
    if "vars" in data:
        _check_vars(data["vars"], ("vars",), problems)
    stages = data.get("stages")
    if stages is None:
        return problems
    if not _expect(stages, dict, ("stages",), problems):
        return problems
    for name, definition in stages.items():
        where = ("stages", name)
        if not isinstance(name, str):
            problems.append((where, "expected str"))
        elif not _expect(definition, dict, where, problems):
            continue
        elif "foreach" in definition or "do" in definition:
            for key in definition:
                if key not in ("foreach", "do"):
                    problems.append(((*where, key), "extra keys not allowed"))
            for key in ("foreach", "do"):
                if key not in definition:
                    problems.append(((*where, key), "required key not provided"))
            if isinstance(definition.get("do"), Mapping):
                _check_stage(definition["do"], (*where, "do"), problems)
            elif "do" in definition:
                problems.append(((*where, "do"), "expected a dictionary"))
        else:
            _check_stage(definition, where, problems)
    return problems


def _check_vars(value: Any, where: tuple, problems: list[Problem]) -> None:
    if _expect(value, list, where, problems):
        for i, item in enumerate(value):
            if not isinstance(item, (str, dict)):
                problems.append(((*where, i), "expected str or a dictionary"))


def _check_stage(d: Mapping, where: tuple, problems: list[Problem]) -> None:
    for key in d:
        if key not in STAGE_KEYS:
            problems.append(((*where, key), "extra keys not allowed"))
    if "cmd" not in d:
        problems.append(((*where, "cmd"), "required key not provided"))
    elif isinstance(d["cmd"], list):
        for i, item in enumerate(d["cmd"]):
            _expect(item, str, (*where, "cmd", i), problems)
    elif not isinstance(d["cmd"], str):
        problems.append(((*where, "cmd"), "expected str or a list"))
    for key, typ in (("wdir", str), ("desc", str), ("frozen", bool), ("always_changed", bool)):
        if key in d:
            _expect(d[key], typ, (*where, key), problems)
    if "deps" in d and _expect(d["deps"], list, (*where, "deps"), problems):
        for i, item in enumerate(d["deps"]):
            _expect(item, str, (*where, "deps", i), problems)
    if "params" in d and _expect(d["params"], list, (*where, "params"), problems):
        for i, item in enumerate(d["params"]):
            if isinstance(item, dict):
                for pfile, keys in item.items():
                    if keys is not None and not isinstance(keys, (list, str)):
                        problems.append(((*where, "params", i, pfile), "expected a list"))
            elif not isinstance(item, str):
                problems.append(((*where, "params", i), "expected str or a dictionary"))
    if "vars" in d:
        _check_vars(d["vars"], (*where, "vars"), problems)
    if "matrix" in d and _expect(d["matrix"], dict, (*where, "matrix"), problems):
        for key, value in d["matrix"].items():
            if not isinstance(value, (str, list)):
                problems.append(((*where, "matrix", key), "expected str or a list"))
    for key, kind in OUT_KINDS:
        if key in d and _expect(d[key], list, (*where, key), problems):
            for i, item in enumerate(d[key]):
                _check_out(item, kind, (*where, key, i), problems)


def _check_out(item: Any, kind: str, where: tuple, problems: list[Problem]) -> None:
    if isinstance(item, str):
        return
    if not isinstance(item, dict) or len(item) != 1:
        problems.append((where, "expected str or a one-key dictionary"))
        return
    (path, flags), = item.items()
    if flags is None and kind == "plot":
        return
    allowed = {**OUT_FLAGS, **PLOT_PROPS} if kind == "plot" else OUT_FLAGS
    if not isinstance(flags, dict):
        problems.append(((*where, path), "expected a dictionary"))
        return
    for flag, value in flags.items():
        if flag not in allowed:
            problems.append(((*where, path, flag), "extra keys not allowed"))
        elif allowed[flag] is not object and flag not in ("x", "y"):
            _expect(value, allowed[flag], (*where, path, flag), problems)


def validate_lock(data: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The lock's `stages` mapping and its problems. A 1.x lock (no `schema`) is read as is."""
    if data is None:
        return {}, []
    if not isinstance(data, Mapping):
        return {}, [((), "expected a dictionary.")]
    problems: list[Problem] = []
    if "schema" in data:
        if data["schema"] != "2.0" or not isinstance(data["schema"], str):
            problems.append((("schema",), "invalid schema version"))
        for key in data:
            if key not in ("schema", "stages", "datasets"):
                problems.append(((key,), "extra keys not allowed"))
        stages = data.get("stages") or {}
        prefix: tuple = ("stages",)
    else:  # DVC 1.x: stage entries at the top level
        stages, prefix = data, ()
    if not isinstance(stages, Mapping):
        return {}, [*problems, (prefix, "expected a dictionary")]
    for name, entry in stages.items():
        where = (*prefix, name)
        if not isinstance(entry, Mapping):
            problems.append((where, "expected a dictionary"))
            continue
        for key in entry:
            if key not in ("cmd", "deps", "params", "outs"):
                problems.append(((*where, key), "extra keys not allowed"))
        if "cmd" not in entry:
            problems.append(((*where, "cmd"), "required key not provided"))
        for key in ("deps", "outs"):
            items = entry.get(key) or []
            if not isinstance(items, list):
                problems.append(((*where, key), "expected a list"))
                continue
            for i, item in enumerate(items):
                if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
                    problems.append(((*where, key, i, "path"), "required key not provided"))
        if "params" in entry and not isinstance(entry["params"] or {}, Mapping):
            problems.append(((*where, "params"), "expected a dictionary"))
    return dict(stages), problems


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
        ("always_changed", stage.always_changed),
    ]
    return {key: value for key, value in items if value}
