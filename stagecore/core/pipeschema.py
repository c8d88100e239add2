"""dvc.yaml / dvc.lock schemas (pure): every problem as `(keys, message)`.

`keys` is the path into the document (`("stages", "train", "outs", 0)`), so the caller
can add file, line and column. Messages are DVC's (voluptuous) words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
                if _expect(item, str, (key, i), problems):
                    _check_path(item, (key, i), problems)
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
            if isinstance(item, str):
                _check_path(item, (*where, i), problems)
            elif not isinstance(item, dict):
                problems.append(((*where, i), "expected str or a dictionary"))


def _check_path(value: Any, where: tuple, problems: list[Problem]) -> None:
    """A path string read from the file: a NUL byte cannot name any file (and would crash `open`)."""
    if isinstance(value, str) and "\0" in value:
        problems.append((where, "expected a path, got a string with a NUL byte"))


def validate_resolved(definition: Mapping, where: tuple) -> list[Problem]:
    """Problems of a stage after `${...}` interpolation, which can change types (`cmd: ${n}`)."""
    problems: list[Problem] = []
    _check_stage(definition, where, problems)
    return problems


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
    _check_path(d.get("wdir"), (*where, "wdir"), problems)
    if "deps" in d and _expect(d["deps"], list, (*where, "deps"), problems):
        for i, item in enumerate(d["deps"]):
            if _expect(item, str, (*where, "deps", i), problems):
                _check_path(item, (*where, "deps", i), problems)
    if "params" in d and _expect(d["params"], list, (*where, "params"), problems):
        for i, item in enumerate(d["params"]):
            if isinstance(item, dict):
                for pfile, keys in item.items():
                    if not isinstance(pfile, str):
                        problems.append(((*where, "params", i), "expected a file name"))
                    elif keys is not None and not isinstance(keys, (list, str)):
                        problems.append(((*where, "params", i, pfile), "expected a list"))
                    elif isinstance(keys, list) and not all(isinstance(k, str) for k in keys):
                        problems.append(((*where, "params", i, pfile), "expected a list of str"))
                    _check_path(pfile, (*where, "params", i, pfile), problems)
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
        _check_path(item, where, problems)
        return
    if not isinstance(item, dict) or len(item) != 1:
        problems.append((where, "expected str or a one-key dictionary"))
        return
    (path, flags), = item.items()
    if not isinstance(path, str):
        problems.append((where, "expected a path as the key"))
        return
    _check_path(path, (*where, path), problems)
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


class LegacyLockWarning(UserWarning):
    """A DVC 1.x lock was read (the CLI shows it once as a WARNING line)."""


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
    else:  # DVC 1.x: stage entries at the top level (DVC 3 refuses them; the next lock write upgrades)
        stages, prefix = data, ()
        import warnings

        names = ", ".join(f"'{name}'" for name in list(data)[:3]) + (", ..." if len(data) > 3 else "")
        warnings.warn(LegacyLockWarning(f"a dvc.lock without `schema` (DVC 1.x layout, stages {names}) is read "
                                        "as DVC 1.x wrote it: DVC 3 refuses it"), stacklevel=2)
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
        elif "params" in entry:
            for pfile, values in (entry["params"] or {}).items():
                if not isinstance(pfile, str) or not isinstance(values, Mapping):
                    problems.append(((*where, "params", pfile), "expected a dictionary of values"))
    return dict(stages), problems
