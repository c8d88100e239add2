"""Outputs left behind by a failed command: not user data, so never saved into the cache.

Before a stage runs, an output whose content is not in the cache is saved there first
(nothing the user made is lost). What a failed run wrote is not such data: DVC keeps it out
of the cache, and so do we. After a failure each cached output's hash is remembered in
`.dvc/tmp/stagecore-failed-outs.json`; the next run deletes an output still holding that
content without saving it.
"""

from __future__ import annotations

import json
import os

from stagecore.core.stage import Stage

_NAME = "stagecore-failed-outs.json"


def _path(repo) -> str:
    return os.path.join(repo.tmp_dir, _NAME)


def _load(repo) -> dict[str, str]:
    try:
        with open(_path(repo), encoding="utf-8") as fobj:
            data = json.load(fobj)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _save(repo, data: dict[str, str]) -> None:
    from stagecore.storage.fsutil import atomic_write_text

    if not data and not os.path.exists(_path(repo)):
        return
    os.makedirs(repo.tmp_dir, exist_ok=True)
    atomic_write_text(_path(repo), json.dumps(data, sort_keys=True))


def remember(repo, stage: Stage) -> None:
    """Record what the failed run of `stage` left in its cached outputs."""
    from stagecore.ops.outs import measure_for

    data = _load(repo)
    for out in stage.outs:
        path = stage.out_path(out)
        if not out.cache or not os.path.lexists(os.path.join(repo.root, path)):
            continue
        try:
            measured = measure_for(repo, path, out)
        except OSError:
            continue
        if measured is not None and measured.hash is not None:
            data[path] = measured.hash.value
    _save(repo, data)


def is_failed_output(repo, path: str, value: str) -> bool:
    """Whether `path` still holds what a failed run wrote (the record is dropped either way)."""
    data = _load(repo)
    if path not in data:
        return False
    recorded = data.pop(path)
    _save(repo, data)
    return recorded == value
