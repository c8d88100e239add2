"""Parameters files (`params.yaml`, JSON, TOML): reading, dotted keys, status and lock values.

Values are what DVC sees: YAML through ruamel's safe loader (YAML 1.2), JSON through
`json`, TOML through `tomllib`. A key `a.b.0` walks mappings and list indexes.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from typing import Any

from stagecore.core import bounds
from stagecore.core.bounds import MAX_TEXT_BYTES
from stagecore.core.entry import resolve
from stagecore.core.stage import Stage
from stagecore.errors import FileFormatError, StageError

MISSING = object()


def parse_params(text: str, relpath: str) -> Any:
    """The data of a params file's text, by its suffix (YAML for anything unknown).

    Bounded as every file read from a repository (`stagecore.core.bounds`): size, nesting
    depth, alias expansion; a parser's RecursionError or ValueError is one clear line."""
    suffix = os.path.splitext(relpath)[1].lower()
    if suffix == ".json":
        return _bounded(relpath, "JSON", lambda: json.loads(text) if text.strip() else {}, text)
    if suffix == ".toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        return _bounded(relpath, "TOML", lambda: tomllib.loads(text), text)
    if suffix == ".py":
        raise FileFormatError(relpath, "is a Python params file, which stagecore does not read",
                              hint="use a YAML, JSON or TOML params file")
    from stagecore.files.yamlio import load_params_yaml

    return load_params_yaml(text, relpath) or {}


def _bounded(relpath: str, kind: str, parse: Callable[[], Any], text: str) -> Any:
    if len(text) > MAX_TEXT_BYTES:
        raise FileFormatError(relpath, f"is too large to be a params or metrics file "
                              f"({len(text):,} characters, at most {MAX_TEXT_BYTES:,})")
    try:
        data = parse()
    except RecursionError:
        raise FileFormatError(relpath, bounds.depth_message(), hint="fix the file by hand") from None
    except ValueError as exc:  # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors
        raise FileFormatError(relpath, f"is not valid {kind}: {bounds.value_error_text(exc)}") from None
    problem = bounds.tree_problem(data)
    if problem is not None:
        raise FileFormatError(relpath, problem.message, hint="fix the file by hand")
    return data


_parsed: dict[str, tuple[tuple[int, int, int, int], Any]] = {}  # path -> (stat stamp, data)


def read_params(root: str, relpath: str) -> Any:
    """The data of a params file in the workspace, or MISSING when it does not exist.

    Parsed once per content (keyed on inode, mtime, ctime and size): callers must not mutate it."""
    if "\0" in relpath:
        raise FileFormatError(relpath.replace("\0", "\\0"), "is not a valid path: it contains a NUL byte")
    path = os.path.join(root, relpath)
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    if stat.S_ISDIR(st.st_mode):
        raise FileFormatError(relpath, "is a directory, expected a parameters file")
    if not stat.S_ISREG(st.st_mode):  # a device or FIFO would be read forever
        raise FileFormatError(relpath, "is not a regular file, expected a parameters file")
    if st.st_size > MAX_TEXT_BYTES:
        raise FileFormatError(relpath, f"is too large to be a params or metrics file "
                              f"({st.st_size:,} bytes, at most {MAX_TEXT_BYTES:,})")
    stamp = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)  # ctime: `touch -r` keeps the mtime
    hit = _parsed.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    from stagecore.storage.fsguard import check_read

    check_read(root, relpath, what="parameters file ", strict=True)  # never read through a link out
    try:
        with open(path, encoding="utf-8") as fobj:
            text = fobj.read()
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    except IsADirectoryError:
        raise FileFormatError(relpath, "is a directory, expected a parameters file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(relpath, f"cannot be read: {exc}") from None
    data = parse_params(text, relpath)
    _parsed[path] = (stamp, data)
    return data


def select(data: Any, key: str) -> Any:
    """The value at dotted `key`, or MISSING."""
    node = data
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def values_of(data: Any, keys: list[str] | None) -> dict[str, Any]:
    """{key: value} for the listed keys that exist (every top-level key when `keys` is None)."""
    if not isinstance(data, dict):
        return {}
    if not keys:
        return dict(data)
    out = {}
    for key in keys:
        value = select(data, key)
        if value is not MISSING:
            out[key] = value
    return out


def lock_values(repo, stage: Stage) -> dict[str, dict[str, Any]]:
    """{file as written: {key: value}} for the lock; missing files or keys are errors."""
    out: dict[str, dict[str, Any]] = {}
    for pfile, keys in stage.params.items():
        rel = resolve(stage.wdir, pfile)
        data = read_params(repo.root, rel)
        if data is MISSING:
            raise StageError(f"dependency '{rel}' does not exist",
                             hint=f"create '{rel}', or remove it from the stage's params")
        values = values_of(data, keys)
        missing = [k for k in keys or [] if k not in values]
        if missing:
            raise StageError(f"Parameters '{', '.join(missing)}' are missing from '{rel}'.",
                             hint=f"add them to '{rel}', or remove them from the stage's params")
        out[pfile] = values
    return out


def params_status(repo, stage: Stage) -> dict[str, dict[str, str] | str]:
    """{repo-relative params file: {key: "modified"|"new"|"deleted"} or "deleted"/"new"}."""
    locked_all = (stage.lock or {}).get("params") or {}
    result: dict[str, dict[str, str] | str] = {}
    for pfile, keys in stage.params.items():
        rel = resolve(stage.wdir, pfile)
        data = read_params(repo.root, rel)
        if data is MISSING:
            result[rel] = "deleted"
            continue
        locked = locked_all.get(pfile) if isinstance(locked_all, dict) else None
        if locked is None:
            result[rel] = "new"
            continue
        info = dict(locked) if not keys else {k: locked[k] for k in keys if k in locked}
        actual = values_of(data, keys)
        names = keys or list(dict.fromkeys([*actual, *info]))
        changes: dict[str, str] = {}
        for name in names:
            if name not in actual:
                changes[name] = "deleted"
            elif name not in info:
                changes[name] = "new"
            elif actual[name] != info[name]:
                changes[name] = "modified"
        if changes:
            result[rel] = changes
    return result
