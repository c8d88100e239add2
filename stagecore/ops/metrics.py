"""`metrics show`: the values in the metrics files of the stages and of `dvc.yaml`'s `metrics:`.

A metrics file is YAML, JSON or TOML (by suffix, as params files). Numbers, strings and
booleans are kept at any depth of mappings; lists and other values are dropped, as DVC does.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any, NamedTuple

from stagecore.errors import StagecoreError


class MetricsResult(NamedTuple):
    data: dict[str, Any]  # repo-relative path -> extracted metrics
    errors: dict[str, str]  # repo-relative path -> why it could not be read


def metrics_files(repo, stages=None) -> list[str]:
    """Repo-relative metrics files: metric outs of every stage, then top-level `metrics:`."""
    from stagecore.files.index import find_dvc_files
    from stagecore.files.pipefile import load_data

    stages = repo.stages() if stages is None else stages
    found: list[str] = []
    for stage in stages:
        for out in stage.outs:
            if out.kind == "metric" and stage.out_path(out) not in found:
                found.append(stage.out_path(out))
    for relpath in find_dvc_files(repo)[1]:
        data, _text = load_data(repo, relpath)
        for item in data.get("metrics") or []:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), str(item)))
            if path not in found:
                found.append(path)
    return found


def extract(value: Any) -> Any:
    if isinstance(value, (int, float, str)):
        return value
    if not isinstance(value, dict):
        return None
    out = {}
    for key, item in value.items():
        got = extract(item)
        if got not in (None, {}):
            out[key] = got
    return out


def _expand(repo, path: str) -> list[str]:
    full = os.path.join(repo.root, path)
    if not os.path.isdir(full):
        return [path]
    return sorted(rel for rel, _st in repo.workspace.walk(path))


def show(repo, targets: list[str] | None = None, cwd: str | None = None) -> MetricsResult:
    from stagecore.files.params import MISSING, read_params

    if targets:
        paths = [repo.relpath(t, cwd) for t in targets]
    else:
        paths = metrics_files(repo)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path in [p for top in paths for p in _expand(repo, top)]:
        try:
            value = read_params(repo.root, path)
        except StagecoreError as exc:
            errors[path] = exc.message
            continue
        if value is MISSING:
            errors[path] = f"'{path}' does not exist"
            continue
        data[path] = extract(value) or {}
    return MetricsResult(data, errors)
