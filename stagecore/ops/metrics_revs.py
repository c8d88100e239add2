"""Metrics at git revisions: `metrics show -a/-T/-A` and `metrics diff` (DVC's words and shapes).

At a revision the metrics files are the metric outputs of the `dvc.yaml` stages at that
revision plus their top-level `metrics:`; a file kept in git is read from git's objects, a
cached one from the cache through the `dvc.lock` of that revision (as DVC reads it). Nothing
is checked out.
"""

from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from stagecore.errors import StagecoreError

WORKSPACE = "workspace"


class RevMetrics(NamedTuple):
    data: dict[str, Any]  # repo-relative path -> extracted metrics
    errors: dict[str, str]


def _lock_md5s(repo, rev: str, relpath: str) -> dict[str, str]:
    """{repo-relative out path: md5} from the dvc.lock beside `relpath` at `rev`."""
    from stagecore.core.safepath import is_hash_value
    from stagecore.files.yamlio import load_yaml
    from stagecore.ops.params_diff import _blob_text

    lock_rel = posixpath.join(posixpath.dirname(relpath), "dvc.lock")
    text = _blob_text(repo, rev, lock_rel)
    data = load_yaml(text, lock_rel) if text else None
    found: dict[str, str] = {}
    stages = data.get("stages") if isinstance(data, dict) else None
    for entry in (stages or {}).values():
        for out in (entry.get("outs") or []) if isinstance(entry, dict) else []:
            md5, path = (out.get("md5"), out.get("path")) if isinstance(out, dict) else (None, None)
            if isinstance(md5, str) and isinstance(path, str) and is_hash_value(md5):
                found[posixpath.normpath(posixpath.join(posixpath.dirname(relpath), path))] = md5
    return found


def _files_at(repo, rev: str) -> dict[str, str | None]:
    """{metrics file: md5 of its cached version, or None when it is read from git} at `rev`."""
    from stagecore.files.params import MISSING
    from stagecore.files.pipefile import resolve_pipeline
    from stagecore.files.yamlio import load_yaml
    from stagecore.ops.params_diff import _blob_text, _load, _pipelines_at

    def read(rel: str) -> Any:
        data = _load(repo, rev, rel)
        return MISSING if data is None else data

    files: dict[str, str | None] = {}
    for relpath in _pipelines_at(repo, rev):
        text = _blob_text(repo, rev, relpath)
        data = load_yaml(text, relpath) if text and text.strip() else None
        if not isinstance(data, dict):
            continue
        base = posixpath.dirname(relpath)
        md5s = _lock_md5s(repo, rev, relpath)
        for gen in resolve_pipeline(repo, relpath, data, text or "", read) if data.get("stages") else []:
            wdir = posixpath.normpath(posixpath.join(base, gen.definition.get("wdir") or ""))
            for item in gen.definition.get("metrics") or []:
                name, flags = (next(iter(item.items())) if isinstance(item, dict) else (item, {}))
                path = posixpath.normpath(posixpath.join(wdir, str(name)))
                cached = not isinstance(flags, dict) or flags.get("cache", True)
                files.setdefault(path, md5s.get(path) if cached else None)
        for item in data.get("metrics") or []:
            files.setdefault(posixpath.normpath(posixpath.join(base, str(item))), None)
    return files


def metrics_at(repo, rev: str, targets: list[str] | None = None) -> RevMetrics:
    """The metrics of `rev` (WORKSPACE: the workspace's files), only `targets` when given."""
    from stagecore.files.params import parse_params
    from stagecore.ops.metrics import extract, show
    from stagecore.ops.params_diff import _blob_text

    if rev == WORKSPACE:
        result = show(repo, targets, cwd=repo.root)
        return RevMetrics(result.data, result.errors)
    files = _files_at(repo, rev)
    if targets:
        files = {path: files.get(path) for path in targets}
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path, md5 in files.items():
        try:
            if md5 is None:
                text = _blob_text(repo, rev, path)
            else:
                from stagecore.core.hashinfo import MD5, HashInfo

                with open(repo.odb.path_of(HashInfo(MD5, md5)), encoding="utf-8") as fobj:
                    text = fobj.read()
            if text is None:
                errors[path] = f"'{path}' does not exist at revision '{rev}'"
                continue
            data[path] = extract(parse_params(text, path)) or {}
        except (OSError, UnicodeDecodeError):
            errors[path] = f"'{path}' of revision '{rev}' is not in the cache"
        except StagecoreError as exc:
            errors[path] = exc.message
    return RevMetrics(data, errors)


def revision_names(repo, *, branches: bool, tags: bool, commits: bool) -> list[tuple[str, str]]:
    """[(name DVC shows, commit)]: branches and tags by name (sorted), every commit by its sha
    (newest first)."""
    import pygit2

    if repo.scm is None:
        raise StagecoreError("revisions (-a, -T, -A) are read from git, and this repository has no git")
    git_repo = repo.scm.repo
    found: list[tuple[str, str]] = []
    if commits:
        tips = [git_repo.references[n].target for n in git_repo.references if n.startswith(("refs/heads/", "refs/tags/"))]
        walker = None
        for tip in tips:
            oid = git_repo[tip].peel(pygit2.Commit).id
            if walker is None:
                walker = git_repo.walk(oid, pygit2.enums.SortMode.TIME)
            else:
                walker.push(oid)
        return [(str(c.id), str(c.id)) for c in walker or []]
    for name in sorted(git_repo.references):
        for prefix, wanted in (("refs/heads/", branches), ("refs/tags/", tags)):
            if wanted and name.startswith(prefix):
                commit = git_repo.references[name].peel(pygit2.Commit)
                found.append((name[len(prefix):], str(commit.id)))
    return found


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
    return out


def diff(repo, a_rev: str = "HEAD", b_rev: str = WORKSPACE, *, targets: list[str] | None = None,
         with_unchanged: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
    """DVC's `metrics diff`: {path: {dotted key: {"old", "new"[, "diff"]}}}."""
    from stagecore.ops.params_diff import _change
    from stagecore.scm.blobs import has_commits, resolve_rev

    if not has_commits(repo.root):
        return {}
    for rev in (a_rev, b_rev):
        if rev != WORKSPACE:
            resolve_rev(repo.root, rev)
    old, new = metrics_at(repo, a_rev, targets).data, metrics_at(repo, b_rev, targets).data
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for path in dict.fromkeys([*new, *old]):
        olds, news = _flat(old.get(path, {})), _flat(new.get(path, {}))
        changes = {}
        for key in dict.fromkeys([*news, *olds]):
            change = _change(olds.get(key), news.get(key), with_unchanged)
            if change is not None:
                changes[key] = change
        if changes:
            result[path] = changes
    return result
