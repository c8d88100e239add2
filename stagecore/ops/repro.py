"""`repro`: bring stages up to date, dependencies first (DVC's `dvc repro`).

Targets default to the stages of `dvc.yaml` in the current directory plus everything they
depend on; `--downstream` walks the other way, `-P` takes every pipeline, `-s` only the
targets. A failing stage stops the walk (`keep_going`: only the stages depending on it).
"""

from __future__ import annotations

import os
import posixpath
from typing import NamedTuple

from stagecore.core.dag import build_graph
from stagecore.core.stage import Stage
from stagecore.errors import EXIT_PIPELINE, StagecoreError
from stagecore.ops.execute import Notify, ReproEvent, reproduce_stage


class ReproError(StagecoreError):
    exit_code = EXIT_PIPELINE


class ReproResult(NamedTuple):
    reproduced: list[str]  # addressing of the stages that ran or were restored
    failed: list[str]
    to_git_add: list[str]
    autostaged: bool


def _quiet(_event: ReproEvent) -> None:
    pass


def default_targets(repo, stages: list[Stage], cwd: str) -> list[Stage]:
    reldir = repo.relpath(".", cwd)
    pipeline = posixpath.join(reldir, "dvc.yaml") if reldir else "dvc.yaml"
    if not os.path.exists(os.path.join(repo.root, pipeline)):
        raise ReproError(f"'{os.path.join(repo.root, pipeline)}' does not exist",
                         hint="give a target (a stage name or a .dvc file), or use `-P` for every pipeline")
    return [s for s in stages if s.dvcfile == pipeline]


def plan(repo, targets: list[str] | None = None, *, single_item: bool = False, all_pipelines: bool = False,
         downstream: bool = False, pipeline: bool = False, cwd: str | None = None):
    """(graph, ordered stages to visit)."""
    from stagecore import targets as targets_mod

    cwd = cwd or os.getcwd()
    stages = repo.stages()
    graph = build_graph(stages)
    if all_pipelines:
        return graph, graph.active().postorder()
    chosen = (targets_mod.resolve(repo, targets, cwd, stages=stages) if targets
              else default_targets(repo, stages, cwd))
    if single_item:
        return graph, chosen
    return graph, graph.active().plan(chosen, downstream=downstream, pipeline=pipeline)


def reproduce(repo, targets: list[str] | None = None, *, force: bool = False, single_item: bool = False,
              dry: bool = False, all_pipelines: bool = False, downstream: bool = False,
              pipeline: bool = False, keep_going: bool = False, force_downstream: bool = False,
              pull: bool = False, run_cache: bool = True, cwd: str | None = None,
              notify: Notify = _quiet) -> ReproResult:
    from stagecore.ops.repolock import locked

    with locked(repo):
        return _reproduce(repo, targets, force=force, single_item=single_item, dry=dry,
                          all_pipelines=all_pipelines, downstream=downstream, pipeline=pipeline,
                          keep_going=keep_going, force_downstream=force_downstream, pull=pull,
                          run_cache=run_cache, cwd=cwd, notify=notify)


def _reproduce(repo, targets, *, force, single_item, dry, all_pipelines, downstream, pipeline, keep_going,
               force_downstream, pull, run_cache, cwd, notify) -> ReproResult:
    if pull and run_cache:
        _pull_run_cache(repo, notify)
    try:
        graph, steps = plan(repo, targets, single_item=single_item, all_pipelines=all_pipelines,
                            downstream=downstream, pipeline=pipeline, cwd=cwd)
    except ReproError:
        raise
    except StagecoreError as exc:  # a broken dvc file or unknown target fails repro as DVC does: 255
        raise ReproError(exc.message, hint=exc.hint) from None
    forced = {s: force for s in steps}
    skip: set[Stage] = set()
    reproduced: list[str] = []
    failed: list[Stage] = []
    touched: list[str] = []
    files: list[str] = []
    for stage in steps:
        if stage in skip:
            continue
        try:
            done = reproduce_stage(repo, stage, force=forced[stage], dry=dry, run_cache=run_cache, pull=pull,
                                   notify=notify)
        except StagecoreError as exc:
            failed.append(stage)
            if not keep_going:
                raise ReproError(f"failed to reproduce '{stage.addressing}': {exc.message}", hint=exc.hint) from None
            dependents = graph.closure([stage], downstream=True) - {stage}
            skip |= dependents
            notify(ReproEvent("failed", stage, (exc.message, sorted(s.addressing for s in dependents))))
            continue
        if done is not None:
            reproduced.append(stage.addressing)
            touched.extend(done.touched)
            files.append(stage.dvcfile)
        if force_downstream and (done is not None or forced[stage]):
            for down in graph.downstream[stage]:
                forced[down] = True
    result = _stage_in_git(repo, reproduced, touched)
    if failed:
        names = " and ".join(f"'{s.addressing}'" for s in failed)
        word = " stages:" if len(failed) > 1 else ""
        raise ReproError(f"failed to reproduce{word} {names}", hint="see the errors above")
    return result


def _stage_in_git(repo, reproduced: list[str], touched: list[str]) -> ReproResult:
    from stagecore.ops.stage_files import stage_in_git

    staged = stage_in_git(repo, reproduced, touched, _Staged)
    return ReproResult(reproduced, [], staged.to_git_add, staged.autostaged)


class _Staged(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


def _pull_run_cache(repo, notify: Notify) -> None:
    """Bring the remote's run-cache entries in first; a remote problem is only a warning."""
    from stagecore.ops.runcache_transfer import pull_run_cache

    try:
        pull_run_cache(repo, None)
    except StagecoreError as exc:
        notify(ReproEvent("warn", None, f"Failed to pull run cache: {exc.message}"))  # type: ignore[arg-type]
