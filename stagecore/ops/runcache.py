"""The run cache: `<cache>/runs/<key[:2]>/<key>/<value>`, one lock entry per past run.

`value` = sha256 of the sorted-key JSON of the stage's lock entry without `size`/`nfiles`;
`key` = the same with `outs` replaced by the list of out paths, so a key names the inputs
(cmd, deps, params) and each value one set of outputs produced from them (DVC 3's layout).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo
from stagecore.core.stage import Stage

_EXCLUDE = ("size", "nfiles")


def _filtered(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _filtered(v) for k, v in obj.items() if k not in _EXCLUDE}
    if isinstance(obj, list):
        return [_filtered(v) for v in obj]
    return obj


def _sha256(obj: Any) -> str:
    return hashlib.sha256(json.dumps(_filtered(obj), sort_keys=True).encode("utf-8")).hexdigest()


def entry_value(entry: dict[str, Any]) -> str:
    return _sha256(entry)


def entry_key(entry: dict[str, Any]) -> str:
    keyed = dict(entry)
    keyed["outs"] = [out["path"] for out in entry.get("outs", [])]
    return _sha256(keyed)


def runs_dir(repo) -> str:
    return os.path.join(repo.cache_dir, "runs")


def refuse_link(path: str) -> None:
    """CacheError when the run-cache directory `path` is a symlink."""
    if os.path.islink(path):
        from stagecore.errors import CacheError

        raise CacheError(
            f"run-cache directory '{path}' is a symlink: refused, nothing is read or written through it",
            hint="remove that link (with `git rm` if it is committed), then run the command again",
        )


def entry_dir(repo, key: str, *, create: bool = False) -> str:
    """`<cache>/runs/<key[:2]>/<key>`, each of its three directories checked not to be a symlink
    (`.dvc/cache` is git-ignored, yet a link there can be committed with `git add -f`: it would
    send run-cache writes and reads wherever it points); created when `create`."""
    from stagecore.errors import CacheError

    if not key or "/" in key or key in (".", "..") or "\0" in key:
        raise CacheError(f"run-cache key '{key}' is not a plain name: refused")
    path = runs_dir(repo)
    for name in ("", key[:2], key):
        path = os.path.join(path, name) if name else path
        refuse_link(path)
        if create and not os.path.isdir(path):
            os.makedirs(path, exist_ok=True)
            if os.path.islink(path):  # swapped in meanwhile
                raise CacheError(f"run-cache directory '{path}' became a symlink: refused")
    return path


def can_cache(stage: Stage) -> bool:
    """Whether runs of this stage may be looked up in (restored from) the run cache."""
    if stage.cmd is None or stage.always_changed or stage.is_callback:
        return False
    if not (stage.deps or stage.params) or not stage.outs:  # params are dependencies too
        return False
    return not any(out.persist for out in stage.outs)


def can_save(stage: Stage) -> bool:
    """Saving also needs every plain output cached (metrics/plots with `cache: false` are fine)."""
    return can_cache(stage) and all(out.cache or out.kind in ("metric", "plot") for out in stage.outs)


def read_entry(path: str) -> dict | None:
    """A run-cache entry file's mapping: YAML text of at most 16 MiB holding a mapping with
    `cmd`; None for anything else (unreadable, too large, not YAML, another shape)."""
    from stagecore.core.bounds import MAX_TEXT_BYTES
    from stagecore.errors import FileFormatError
    from stagecore.files.yamlio import load_yaml

    try:
        if os.path.getsize(path) > MAX_TEXT_BYTES:
            return None
        with open(path, encoding="utf-8") as fobj:
            data = load_yaml(fobj.read(), path)
    except (OSError, UnicodeDecodeError, FileFormatError):
        return None
    return data if isinstance(data, dict) and "cmd" in data else None


def lookup(repo, key: str, *, wdir: str = "",
           warn: Callable[[str], None] | None = None) -> dict[str, Any] | None:
    """The newest entry saved under `key` (by mtime), or None.

    Entries come from remotes (`--run-cache`): an entry whose output paths or hash values do
    not pass the gate (`core.safepath`, paths joined with the stage's `wdir`) is ignored, and
    `warn` is told why in one line (the stage then just runs)."""
    kdir = entry_dir(repo, key)
    try:
        names = [n for n in os.listdir(kdir) if not n.endswith(".tmp") and not n.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not names:
        return None
    newest = max(names, key=lambda n: os.path.getmtime(os.path.join(kdir, n)))
    path = os.path.join(kdir, newest)
    data = read_entry(path)
    if data is None or not isinstance(data.get("outs", []), list):
        return None
    problem = entry_problem(data, wdir)
    if problem is not None:
        if warn is not None:
            where = os.path.relpath(path, repo.root) if path.startswith(repo.root + os.sep) else path
            warn(f"run-cache entry '{where}' {problem}: ignored")
        return None
    return data


def entry_problem(entry: dict[str, Any], wdir: str = "") -> str | None:
    """None when every output of a run-cache entry has a safe path and md5 value (the gate)."""
    from stagecore.core.safepath import hash_problem, join_out_path, out_path_problem, show

    for item in entry.get("outs") or []:
        if not isinstance(item, dict):
            return "has an output that is not a mapping"
        out_path = item.get("path")
        bad = out_path_problem(join_out_path(wdir, out_path) if isinstance(out_path, str) else out_path)
        if bad:
            return f"has an output that {bad}: {show(out_path)}"
        bad = hash_problem(item.get("md5"))
        if bad:
            return f"has an output {show(out_path)} whose hash {bad}"
    return None


def save(repo, stage: Stage, entry: dict[str, Any]) -> str | None:
    """Record a finished run; `cache: false` metrics/plots are copied into the cache too."""
    if not can_save(stage):
        return None
    from stagecore.files.yamlio import dump_yaml
    from stagecore.ops import outs as outs_ops
    from stagecore.storage.fsutil import atomic_write_text

    for out in stage.outs:
        if not out.cache:
            store_copy(repo, stage.out_path(out), outs_ops.measure_for(repo, stage.out_path(out), out))
    key, value = entry_key(entry), entry_value(entry)
    kdir = entry_dir(repo, key, create=True)
    path = os.path.join(kdir, value)
    if os.path.lexists(path):
        return path
    atomic_write_text(path, dump_yaml(entry))
    return path


def store_copy(repo, path: str, measured) -> None:
    """Put an uncached output's content into the cache without touching the workspace file."""
    if measured is None:
        return
    full = os.path.join(repo.root, path)
    if measured.files is None:
        repo.odb.add_file(full, measured.hash)
        return
    for rel, md5 in measured.files.items():
        repo.odb.add_file(os.path.join(full, rel), HashInfo(measured.hash.name, md5))
    repo.odb.add_bytes(measured.manifest, measured.hash)


def hash_of(item: dict[str, Any]) -> HashInfo | None:
    """The HashInfo of a run-cache output item; None unless its md5 passes the gate."""
    from stagecore.core.safepath import is_hash_value

    value = item.get("md5")
    if not isinstance(value, str) or not is_hash_value(value):
        return None
    return HashInfo(MD5 if item.get("hash") == MD5 else MD5_D2U, value)
