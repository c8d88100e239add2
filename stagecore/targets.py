"""Resolving command-line targets to stages: `.dvc` files, stage names, `dvc.yaml[:name]`, outputs."""

from __future__ import annotations

import os
import posixpath

from stagecore.core.stage import Stage
from stagecore.errors import TargetNotFoundError


def resolve(repo, targets: list[str] | None, cwd: str | None = None,
            stages: list[Stage] | None = None) -> list[Stage]:
    problems: list = []  # dvc files that cannot be loaded: fatal only when a target is not found
    if stages is None:
        from stagecore.index import collect_stages

        stages = collect_stages(repo, problems=problems) if targets else repo.stages()
    if not targets:
        return stages
    cwd = cwd or os.getcwd()
    chosen: list[Stage] = []
    for target in targets:
        try:
            matched = _match(repo, stages, target, cwd)
        except TargetNotFoundError:
            from stagecore.index import raise_problems

            raise_problems(problems)  # the target may be in a file that could not be loaded
            raise
        for stage in matched:
            if stage not in chosen:
                chosen.append(stage)
    return chosen


def _match(repo, stages: list[Stage], target: str, cwd: str) -> list[Stage]:
    file_part, _, name = target.rpartition(":") if ":" in target else (target, "", "")
    if name and file_part:
        rel = repo.relpath(file_part, cwd)
        found = [s for s in stages if s.dvcfile == rel and s.name == name]
        if found:
            return found
        raise TargetNotFoundError(target, hint=f"no stage '{name}' in '{rel}'")
    rel = repo.relpath(target, cwd)
    found = [s for s in stages if s.dvcfile == rel]
    if found:
        return found
    reldir = repo.relpath(".", cwd)
    pipeline = posixpath.join(reldir, "dvc.yaml") if reldir else "dvc.yaml"
    found = [s for s in stages if s.dvcfile == pipeline and s.name == target]
    if found:
        return found
    found = [s for s in stages if s.name is not None and s.name.split("@")[0] == target and s.dvcfile == pipeline]
    if found:
        return found
    for stage in stages:
        for out in stage.outs:
            path = stage.out_path(out)
            if rel == path or rel.startswith(path + "/"):
                return [stage]
    raise TargetNotFoundError(target)
