"""`status`: what changed in stages and tracked data, in DVC's structure and words.

The report maps a stage's addressing to a list of items, exactly DVC's JSON:
`{"changed deps": {path: status}}`, `{"changed outs": {...}}`, `"always changed"`,
`"changed command"`, `"changed checksum"`.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from stagecore.core.hashinfo import MD5
from stagecore.core.stage import Stage, checksum_changed, is_offline
from stagecore.ops import outs as outs_ops
from stagecore.ops.external import is_repo_import, outside_path
from stagecore.ops.out_checkout import refused_manifest


class StatusReport(NamedTuple):
    stages: dict[str, list[Any]]
    tracked_anything: bool
    frozen: list[str]
    problems: list = []  # StagecoreError per output (or dvc file) that could not be judged

    @property
    def clean(self) -> bool:
        return not self.stages


def _rel(path: str, root: str, cwd: str) -> str:
    return os.path.relpath(os.path.join(root, path), cwd).replace(os.sep, "/")


def stage_changes(repo, stage: Stage, cwd: str | None = None, *, external: bool = True,
                  problems: list | None = None, urls: bool = False, updates: bool = False) -> list[Any]:
    """The status items of one stage (empty when up to date).

    URL and repository (`dvc import`) dependencies are not checked (no network while
    judging); paths outside the repository (absolute, `../`) are measured where they are
    and named by their absolute path, as DVC names them (`external=False`: not measured
    either, for judging a revision rather than this machine). With `problems` given, an
    output whose `.dir` manifest is in the cache but refused by the gate is reported there
    (one error naming it and the reason) instead of as "not in cache". Never in the hooks, as
    DVC does (urldeps.offline_status): `urls=True` (status, repro) checks http(s) dependencies by
    their checksum, `updates=True` (status) imports from a repository for an update."""
    cwd = cwd or repo.root
    items: list[Any] = []
    deps: dict[str, Any] = {}
    if not stage.frozen or (updates and is_repo_import(stage)):
        for dep in stage.deps:
            if is_offline(dep):
                if updates if "repo" in dep.extra else urls:
                    _offline(repo, dep, os.path.dirname(stage.dvcfile), deps, problems)
                continue
            path = stage.dep_path(dep)
            outside = outside_path(repo.root, path)
            if outside is not None:
                if not external:
                    continue
                from stagecore.ops.external import measure

                measured, key = measure(outside, dep.hash.name if dep.hash else MD5), outside
            else:
                measured, key = outs_ops.measure_for(repo, path, dep), _rel(path, repo.root, cwd)
            if measured is None:
                deps[key] = "deleted"
            elif dep.hash is None or measured.hash != dep.hash:
                deps[key] = "modified"
        if stage.params:
            from stagecore.files.params import params_status

            for pfile, changes in params_status(repo, stage).items():
                deps[_rel(pfile, repo.root, cwd)] = changes
    if deps:
        items.append({"changed deps": deps})
    outs: dict[str, str] = {}
    for out in stage.outs:
        path = stage.out_path(out)
        status = outs_ops.out_status(repo, path, out)
        if status == "not in cache" and problems is not None:
            refusal = refused_manifest(repo, path, out.hash)
            if refusal is not None:
                problems.append(refusal)
                continue
        if status:
            outs[_rel(path, repo.root, cwd)] = status
    if outs:
        items.append({"changed outs": outs})
    if stage.always_changed or stage.is_callback:
        items.append("always changed")
    if stage.name is not None and stage.lock is not None and stage.lock.get("cmd") != stage.cmd:
        items.append("changed command")
    if checksum_changed(stage):
        items.append("changed checksum")
    return items


def _offline(repo, dep, base: str, deps: dict[str, Any], problems: list | None) -> None:
    from stagecore.errors import StagecoreError
    from stagecore.ops.urldeps import offline_status

    try:
        found = offline_status(repo, dep, base)
    except StagecoreError as exc:  # unreachable: one line naming the URL, not "deleted"
        if problems is None:
            raise
        problems.append(exc)
        return
    if found:
        deps[found[0]] = found[1]


def status(repo, stages: list[Stage], cwd: str | None = None) -> StatusReport:
    cwd = cwd or os.getcwd()
    report: dict[str, list[Any]] = {}
    frozen = []
    problems: list = []
    owns_memo = repo.workspace.memo is None
    if owns_memo:
        repo.workspace.memo = {}  # status only reads: a path shared by stages is measured once
    try:
        for stage in stages:
            if stage.frozen and stage.deps and not is_repo_import(stage):
                frozen.append(stage.addressing)
            items = stage_changes(repo, stage, cwd, problems=problems, urls=True, updates=True)
            if items:
                report[_addressing(repo, stage, cwd)] = items
    finally:
        if owns_memo:
            repo.workspace.memo = None
    return StatusReport(report, bool(stages), frozen, problems)


def _addressing(repo, stage: Stage, cwd: str) -> str:
    if stage.name is None:
        return _rel(stage.dvcfile, repo.root, cwd)
    return stage.addressing
