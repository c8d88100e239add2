"""When `repro` may leave a changed stage alone: DVC's `Stage.changed(allow_missing=True)`.

A stage whose only changes are missing data (a dependency deleted, an output deleted or not
in the cache) is skipped by `repro --allow-missing` and pulled by `repro --pull`, unless an
upstream stage now records a different version of the deleted dependency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stagecore.core.stage import Stage


def _upstream_changed(stage: Stage, path: str, upstream: Iterable[Stage]) -> bool:
    deps = [dep for dep in stage.deps if stage.dep_path(dep) == path]
    return any(up.out_path(out) == path and out.hash != dep.hash
               for dep in deps for up in upstream for out in up.outs)


def missing_only(stage: Stage, items: list[Any], upstream: Iterable[Stage] = ()) -> bool:
    """True when every status item of `stage` is missing data (and there is at least one)."""
    upstream = list(upstream)
    for item in items:
        if not isinstance(item, dict) or set(item) - {"changed deps", "changed outs"}:
            return False
        for path, status in item.get("changed deps", {}).items():
            if status != "deleted" or _upstream_changed(stage, path, upstream):
                return False
        if any(status not in ("deleted", "not in cache") for status in item.get("changed outs", {}).values()):
            return False
    return bool(items)
