"""The pre-commit gate in a clone whose data was never pulled: missing data is not a stale stage.

An output absent from both the workspace and the cache is "not pulled yet": not blocking when
its recorded version is on the default data remote (one batched existence query, made only
when there is such an output and a remote is configured), blocking when the remote lacks it.
A stage whose dependency is simply another output that is absent from the workspace (and
recorded at the version that stage used) is not stale: nothing to rerun, only data to get.
"""

from __future__ import annotations

from typing import Any

from stagecore.errors import StagecoreError
from stagecore.ops import outs as outs_ops
from stagecore.ops.finding import Finding, has_remote
from stagecore.ops.status import _rel

Judged = list[tuple[Any, list[Any]]]  # (stage, its status items)


def settle(repo, judged: Judged) -> tuple[Judged, dict[str, Finding | None], list[Finding]]:
    """`judged` without the dependencies that are only not pulled; the finding that replaces
    each unpulled output's (None: said once in the extra findings); the extra findings."""
    produced = {_rel(stage.out_path(out), repo.root, repo.root): out for stage, _ in judged for out in stage.outs}
    absent: set[str] = set()  # outputs absent from the workspace: in the cache, or not pulled
    unpulled: dict[str, Any] = {}  # path -> recorded HashInfo, absent from workspace and cache
    for _stage, items in judged:
        for item in items:
            if not (isinstance(item, dict) and "changed outs" in item):
                continue
            for path, status in item["changed outs"].items():
                entry = produced.get(path)
                if status == "deleted":
                    absent.add(path)
                elif (status == "not in cache" and entry is not None and entry.hash is not None
                      and outs_ops.measure_for(repo, path, entry) is None):
                    absent.add(path)
                    unpulled[path] = entry.hash
    if not absent:
        return judged, {}, []
    settled = [(stage, _without_unpulled_deps(repo, stage, items, produced, absent)) for stage, items in judged]
    notes, extra = _ask_remote(repo, unpulled) if unpulled else ({}, [])
    return settled, notes, extra


def _without_unpulled_deps(repo, stage, items: list[Any], produced: dict, absent: set[str]) -> list[Any]:
    deps = {_rel(stage.dep_path(dep), repo.root, repo.root): dep for dep in stage.deps}
    kept: list[Any] = []
    for item in items:
        if isinstance(item, dict) and "changed deps" in item:
            changed = {path: status for path, status in item["changed deps"].items()
                       if not (status == "deleted" and _not_pulled(path, deps.get(path), produced, absent))}
            if not changed:
                continue
            item = {"changed deps": changed}
        kept.append(item)
    return kept


def _not_pulled(path: str, dep, produced: dict, absent: set[str]) -> bool:
    """A deleted dependency that is an absent output recorded at the version the stage used,
    or a path inside an absent output directory."""
    if path in absent:
        out = produced[path]
        return dep is not None and dep.hash is not None and out.hash is not None and dep.hash.value == out.hash.value
    return any(path.startswith(parent + "/") for parent in absent)


def _ask_remote(repo, unpulled: dict[str, Any]) -> tuple[dict[str, Finding | None], list[Finding]]:
    if not has_remote(repo, None):  # no remote: the gate's "not in cache" finding stands
        return {}, []
    from stagecore.ops.transfer import open_data_remote
    from stagecore.storage.odb import object_relpath

    keys = {path: object_relpath(hi) for path, hi in unpulled.items()}
    try:
        with open_data_remote(repo, None, "pull") as rem:
            name = rem.name
            found = rem.exists_many(sorted(set(keys.values())))
    except (StagecoreError, OSError) as exc:
        reason = exc.message if isinstance(exc, StagecoreError) else str(exc)
        listed = ", ".join(f"'{path}'" for path in sorted(unpulled))
        return dict.fromkeys(unpulled), [Finding(
            f"not pulled yet (not blocking; whether the data remote has them is unknown: {reason}): {listed}",
            "stagecore pull, once the remote can be reached", False)]
    notes: dict[str, Finding | None] = {}
    extra: list[Finding] = []
    on_remote = [path for path in sorted(keys) if keys[path] in found]
    if on_remote:
        notes.update(dict.fromkeys(on_remote))
        extra.append(Finding(f"not pulled yet (on remote '{name}'; not blocking): "
                             + ", ".join(f"'{path}'" for path in on_remote), "stagecore pull", False))
    for path in sorted(set(keys) - set(on_remote)):
        notes[path] = Finding(f"the recorded version of '{path}' is neither in the cache nor on remote '{name}'",
                              f"push it from the clone that has it (stagecore push -r {name})")
    return notes, extra
