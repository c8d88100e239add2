"""`params diff`: parameter values at a git revision against the workspace (or another revision).

As DVC's `params show` per revision, each side reads its own list of files from its own
`dvc.yaml` files: the root `params.yaml` (whole), the top-level `params:` files of every
`dvc.yaml` (whole), each stage's params (whole file or listed keys, relative to its `wdir`),
and the values stages use through `${...}` from `vars` files and sub-directories'
`params.yaml` (DVC's `tracked_vars`: only the keys used) when the file is not already read.
A stage deleted since REV still counts at REV: its values show as removed.
"""

from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from stagecore.errors import FileFormatError

WORKSPACE = "workspace"
DEFAULT_PARAMS = "params.yaml"


class ParamsDiff(NamedTuple):
    diff: dict[str, dict[str, dict[str, Any]]]  # path -> key -> {"old", "new"[, "diff"]}
    a_rev: str
    b_rev: str
    warnings: tuple[str, ...] = ()  # revisions whose pipeline could not be loaded (read as empty)


class Side(NamedTuple):
    files: dict[str, list[str] | None]  # repo-relative params file -> keys (None: the whole file)
    tracked: dict[str, dict[str, Any]]  # vars file -> {dotted key: value used by `${...}`}


def _merge_keys(files: dict[str, list[str] | None], path: str, keys: list[str] | None) -> None:
    if path in files and files[path] is None:
        return
    if keys is None:
        files[path] = None
    else:
        files[path] = list(dict.fromkeys([*(files.get(path) or []), *keys]))


def _blob_text(repo, rev: str, path: str) -> str | None:
    from stagecore.core.bounds import MAX_TEXT_BYTES
    from stagecore.scm.blobs import read_blob

    blob = read_blob(repo.root, rev, path)
    if blob is None:
        return None
    if len(blob) > MAX_TEXT_BYTES:
        raise FileFormatError(path, f"at revision '{rev}' is larger than {MAX_TEXT_BYTES:,} bytes: "
                              "too large for a params or pipeline file")
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"at revision '{rev}' is not UTF-8 text: {exc.reason} at byte {exc.start}"
        raise FileFormatError(path, problem, hint="fix the file in a new commit") from None


def _load(repo, rev: str, path: str) -> Any:
    """The data of params file `path` at `rev` (the workspace's file for WORKSPACE), None when absent."""
    from stagecore.files.params import MISSING, parse_params, read_params

    if rev == WORKSPACE:
        data = read_params(repo.root, path)
        return None if data is MISSING else data
    text = _blob_text(repo, rev, path)
    return None if text is None else parse_params(text, path)


def _pipelines_at(repo, rev: str) -> list[str]:
    """The project's `dvc.yaml` files at `rev` (nested projects, with their own `.dvc/`, left out)."""
    if rev == WORKSPACE:
        from stagecore.files.index import find_dvc_files

        return find_dvc_files(repo)[1]
    import pygit2

    from stagecore.scm.blobs import _open, resolve_rev

    git_repo, prefix = _open(repo.root)
    node: Any = git_repo.get(resolve_rev(repo.root, rev)).tree
    for part in prefix.split("/") if prefix else ():
        if not isinstance(node, pygit2.Tree) or part not in node:
            return []
        node = git_repo.get(node[part].id)
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", node)] if isinstance(node, pygit2.Tree) else []
    while stack:
        reldir, tree = stack.pop()
        if reldir and ".dvc" in tree and tree[".dvc"].type_str == "tree":
            continue  # a nested project
        for entry in tree:
            rel = f"{reldir}/{entry.name}" if reldir else entry.name
            if entry.type_str == "tree" and entry.name not in (".git", ".dvc"):
                stack.append((rel, git_repo.get(entry.id)))
            elif entry.name == "dvc.yaml" and entry.filemode == pygit2.GIT_FILEMODE_BLOB:
                found.append(rel)
    return sorted(found)


def _pipelines_params(repo, rev: str, deps_only: bool = False) -> Side:
    """The params files and tracked vars that the `dvc.yaml` files at `rev` name (`deps_only`:
    not the top-level `params:` files)."""
    from stagecore.core.pipeline import merge_params
    from stagecore.core.pipeschema import validate_pipeline, validate_resolved
    from stagecore.files.params import MISSING
    from stagecore.files.pipefile import _raise_problems, _read, _template_keys, resolve_pipeline
    from stagecore.files.yamlio import load_yaml

    def read(rel: str) -> Any:
        data = _load(repo, rev, rel)
        return MISSING if data is None else data

    files: dict[str, list[str] | None] = {}
    tracked: dict[str, dict[str, Any]] = {}
    for relpath in _pipelines_at(repo, rev):
        text = _read(repo.root, relpath) if rev == WORKSPACE else _blob_text(repo, rev, relpath)
        if text is None or not text.strip():
            continue
        data = load_yaml(text, relpath)
        _raise_problems(text, relpath, validate_pipeline(data))
        base = posixpath.dirname(relpath)
        for pfile in [] if deps_only else data.get("params") or []:
            _merge_keys(files, posixpath.normpath(posixpath.join(base, pfile)), None)
        stages_data = data.get("stages") or {}
        if not stages_data:
            continue
        generated = resolve_pipeline(repo, relpath, data, text, None if rev == WORKSPACE else read)
        problems = [p for gen in generated for p in validate_resolved(gen.definition, _template_keys(gen, stages_data))]
        _raise_problems(text, relpath, list(dict.fromkeys(problems)))
        for gen in generated:
            wdir = posixpath.normpath(posixpath.join(base, gen.definition.get("wdir") or ""))
            for pfile, keys in merge_params(gen.definition.get("params") or []).items():
                _merge_keys(files, posixpath.normpath(posixpath.join(wdir, pfile)), keys or None)
            for source, values in gen.tracked.items():
                tracked.setdefault(posixpath.normpath(posixpath.join(base, source)), {}).update(values)
    return Side(files, tracked)


def _side(repo, rev: str, warnings: list[str], targets: list[str] | None = None, deps_only: bool = False) -> Side:
    """The params files (the root `params.yaml` whole) and tracked vars of the project at `rev`.

    As DVC's `params show`: `targets` are read whole and alone; `deps_only` keeps the stages'
    params (and the vars they use) without the top-level and default files."""
    if targets:
        return Side({path: None for path in targets}, {})
    try:
        files, tracked = _pipelines_params(repo, rev, deps_only)
    except FileFormatError as exc:
        if rev == WORKSPACE:
            raise
        # DVC: a revision whose dvc.yaml cannot be loaded is empty, with one warning
        warnings.append(f"failed to load params in revision '{rev}', {exc}")
        return Side({}, {})
    if not deps_only and _load(repo, rev, DEFAULT_PARAMS) is not None:
        files[DEFAULT_PARAMS] = None
    return Side(files, {path: values for path, values in tracked.items() if path not in files})


def tracked_files(repo) -> dict[str, list[str] | None]:
    """repo-relative params file -> keys (None: the whole file), in the workspace."""
    return _side(repo, WORKSPACE, []).files


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    # DVC compares and reports lists as their Python text (`[1, 2]`)
    return {k: str(v) if isinstance(v, list) else v for k, v in values.items()}


def _values(data: Any, keys: list[str] | None) -> dict[str, Any]:
    from stagecore.core.interpolate import flatten
    from stagecore.files.params import values_of

    if not isinstance(data, dict):
        return {}
    return _shown(flatten(values_of(data, keys)))


def _side_values(repo, rev: str, warnings: list[str], targets: list[str] | None = None, deps_only: bool = False,
                 failed: list[str] | None = None) -> dict[str, dict[str, Any]]:
    side = _side(repo, rev, warnings, targets, deps_only)
    loaded = {path: _load(repo, rev, path) for path in side.files}
    if failed is not None and targets and any(data is None for data in loaded.values()):
        failed.append(rev)  # DVC: a target missing at a revision is a load error for that revision
    out = {path: _values(loaded[path], keys) for path, keys in side.files.items()}
    out.update({path: _shown(values) for path, values in side.tracked.items()})
    return out


def _change(old: Any, new: Any, with_unchanged: bool) -> dict[str, Any] | None:
    """DVC's `_diff_vals`: a `diff` for numbers, booleans included (True - False = 1)."""
    if old == new and not with_unchanged:
        return None
    res = {"old": old, "new": new}
    if isinstance(new, (int, float)) and isinstance(old, (int, float)):
        res["diff"] = new - old
    return res


def diff(repo, a_rev: str = "HEAD", b_rev: str = WORKSPACE, *, with_unchanged: bool = False,
         targets: list[str] | None = None, deps_only: bool = False) -> ParamsDiff:
    """`targets`: repo-relative params files, compared whole (DVC's `--targets`); `deps_only`:
    only the params stages depend on (`--deps`)."""
    from stagecore.scm.blobs import has_commits, resolve_rev

    if not has_commits(repo.root):
        return ParamsDiff({}, a_rev, b_rev)
    for rev in (a_rev, b_rev):
        if rev != WORKSPACE:
            resolve_rev(repo.root, rev)
    warnings: list[str] = []
    failed: list[str] = []
    olds = _side_values(repo, a_rev, warnings, targets, deps_only, failed)
    news = _side_values(repo, b_rev, warnings, targets, deps_only, failed)
    if failed:
        warnings.append(f"failed to load some params for following revisions: '{', '.join(failed)}'.")
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for path in list(dict.fromkeys([*news, *olds])):
        old, new = olds.get(path, {}), news.get(path, {})
        changes = {}
        for key in list(dict.fromkeys([*new, *old])):
            change = _change(old.get(key), new.get(key), with_unchanged)
            if change is not None:
                changes[key] = change
        if changes:
            result[path] = changes
    return ParamsDiff(result, a_rev, b_rev, tuple(warnings))
