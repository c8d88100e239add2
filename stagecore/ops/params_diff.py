"""`params diff`: parameter values at a git revision against the workspace (or another revision).

Files compared: `params.yaml` at the root and every params file a stage depends on (the
whole file when a stage tracks it whole or for `params.yaml`, else only the listed keys).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from stagecore.core.entry import resolve
from stagecore.errors import FileFormatError

WORKSPACE = "workspace"


class ParamsDiff(NamedTuple):
    diff: dict[str, dict[str, dict[str, Any]]]  # path -> key -> {"old", "new"[, "diff"]}
    a_rev: str
    b_rev: str


def tracked_files(repo) -> dict[str, list[str] | None]:
    """repo-relative params file -> keys (None: the whole file)."""
    import os

    files: dict[str, list[str] | None] = {}
    if os.path.exists(os.path.join(repo.root, "params.yaml")):
        files["params.yaml"] = None
    for stage in repo.stages():
        for pfile, keys in stage.params.items():
            rel = resolve(stage.wdir, pfile)
            if rel in files and files[rel] is None:
                continue
            if keys is None or rel == "params.yaml":
                files[rel] = None
            else:
                files.setdefault(rel, [])
                files[rel] = list(dict.fromkeys([*(files[rel] or []), *keys]))
    return files


def _load(repo, rev: str, path: str) -> Any:
    from stagecore.params import MISSING, parse_params, read_params

    if rev == WORKSPACE:
        data = read_params(repo.root, path)
        return None if data is MISSING else data
    from stagecore.scm.blobs import read_blob

    blob = read_blob(repo.root, rev, path)
    if blob is None:
        return None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"at revision '{rev}' is not UTF-8 text: {exc.reason} at byte {exc.start}"
        raise FileFormatError(path, problem, hint="fix the file in a new commit") from None
    return parse_params(text, path)


def _values(data: Any, keys: list[str] | None) -> dict[str, Any]:
    from stagecore.core.interpolate import flatten
    from stagecore.params import values_of

    if not isinstance(data, dict):
        return {}
    # DVC compares and reports lists as their Python text (`[1, 2]`)
    return {k: str(v) if isinstance(v, list) else v for k, v in flatten(values_of(data, keys)).items()}


def _change(old: Any, new: Any, with_unchanged: bool) -> dict[str, Any] | None:
    if old == new and not with_unchanged:
        return None
    res = {"old": old, "new": new}
    numeric = (int, float)
    if isinstance(new, numeric) and isinstance(old, numeric) and not isinstance(new, bool) and not isinstance(old, bool):
        res["diff"] = new - old
    return res


def diff(repo, a_rev: str = "HEAD", b_rev: str = WORKSPACE, *, with_unchanged: bool = False) -> ParamsDiff:
    from stagecore.scm.blobs import has_commits, resolve_rev

    if not has_commits(repo.root):
        return ParamsDiff({}, a_rev, b_rev)
    for rev in (a_rev, b_rev):
        if rev != WORKSPACE:
            resolve_rev(repo.root, rev)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for path, keys in tracked_files(repo).items():
        old = _values(_load(repo, a_rev, path), keys)
        new = _values(_load(repo, b_rev, path), keys)
        changes = {}
        for key in list(dict.fromkeys([*new, *old])):
            change = _change(old.get(key), new.get(key), with_unchanged)
            if change is not None:
                changes[key] = change
        if changes:
            result[path] = changes
    return ParamsDiff(result, a_rev, b_rev)
