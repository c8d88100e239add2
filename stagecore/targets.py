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


def resolve_scoped(repo, targets: list[str] | None, *, with_deps: bool = False, recursive: bool = False,
                   glob: bool = False, cwd: str | None = None) -> list[Stage]:
    """`resolve` with DVC's scope flags: `glob` expands shell wildcards in the targets (no match at
    all is an error), `recursive` takes a directory target as every stage whose dvc file is inside
    it, `with_deps` adds every stage the chosen ones depend on (upstream, through their deps)."""
    cwd = cwd or os.getcwd()
    if glob and targets:
        targets = _glob(targets, cwd)
    stages = repo.stages() if (with_deps or recursive) and targets else None
    chosen: list[Stage] = []
    plain: list[str] = []
    for target in targets or []:
        path = target if os.path.isabs(target) else os.path.join(cwd, target)
        if recursive and os.path.isdir(path):
            rel = repo.relpath(target, cwd)
            inside = [s for s in stages or [] if rel in ("", ".") or s.dvcfile.startswith(rel.rstrip("/") + "/")]
            chosen += [s for s in inside if s not in chosen]
        else:
            plain.append(target)
    if plain or not targets:
        chosen += [s for s in resolve(repo, plain or None, cwd, stages) if s not in chosen]
    if with_deps and targets:
        from stagecore.core.dag import build_graph

        keep = build_graph(stages or repo.stages()).closure(chosen)
        chosen = [s for s in stages or repo.stages() if s in keep or s in chosen]
    return chosen


def _glob(targets: list[str], cwd: str) -> list[str]:
    from glob import iglob

    from stagecore.errors import StagecoreError

    found = [match for target in targets for match in iglob(target, root_dir=cwd, recursive=True)]
    if not found:
        raise StagecoreError(f"Glob {targets} has no matches.", hint="check the pattern (quote it from the shell)")
    return found
