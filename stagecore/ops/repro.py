"""`repro`: bring stages up to date, dependencies first (DVC's `dvc repro`).

Targets default to the stages of `dvc.yaml` in the current directory plus everything they
depend on; `--downstream` walks the other way, `-P` takes every pipeline, `-s` only the
targets, `-R` every stage defined under a directory, `--glob` stage-name patterns. A failing
stage stops the walk (`keep-going`: only the stages depending on it; `ignore`: nothing).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import NamedTuple

from stagecore.core.dag import build_graph
from stagecore.core.stage import Stage
from stagecore.errors import EXIT_PIPELINE, StagecoreError
from stagecore.ops.execute import reproduce_stage
from stagecore.ops.stage_deps import Notify, ReproEvent


class ReproError(StagecoreError):
    exit_code = EXIT_PIPELINE


class ReproResult(NamedTuple):
    reproduced: list[str]  # addressing of the stages that ran or were restored
    failed: list[str]
    to_git_add: list[str]
    autostaged: bool


@dataclass(frozen=True)
class ReproOptions:
    """`dvc repro`'s flags (`on_error`: fail | keep-going | ignore)."""

    force: bool = False
    single_item: bool = False
    dry: bool = False
    all_pipelines: bool = False
    downstream: bool = False
    pipeline: bool = False
    recursive: bool = False
    glob: bool = False
    on_error: str = "fail"
    force_downstream: bool = False
    pull: bool = False
    allow_missing: bool = False
    no_commit: bool = False
    run_cache: bool = True


def _quiet(_event: ReproEvent) -> None:
    pass


def default_targets(repo, stages: list[Stage], cwd: str) -> list[Stage]:
    reldir = repo.relpath(".", cwd)
    pipeline = posixpath.join(reldir, "dvc.yaml") if reldir else "dvc.yaml"
    if not os.path.exists(os.path.join(repo.root, pipeline)):
        raise ReproError(f"'{os.path.join(repo.root, pipeline)}' does not exist",
                         hint="give a target (a stage name or a .dvc file), or use `-P` for every pipeline")
    return [s for s in stages if s.dvcfile == pipeline]


def _collect(repo, stages: list[Stage], targets: list[str], cwd: str, recursive: bool, glob: bool,
             order: list[Stage]) -> list[Stage]:
    """DVC's `collect_stages`: a directory with `recursive` is every stage defined under it."""
    from stagecore.ops import targets as targets_mod

    chosen: list[Stage] = []
    for target in targets:
        full = os.path.join(cwd, target)
        if recursive and os.path.isdir(full):
            rel = repo.relpath(target, cwd)
            found = [s for s in order if not rel or s.dvcfile.startswith(rel + "/")]
        else:
            found = targets_mod.resolve(repo, [target], cwd, stages=stages, outputs=False, glob=glob)
        chosen += [s for s in found if s not in chosen]
    return chosen


def plan(repo, targets: list[str] | None = None, *, single_item: bool = False, all_pipelines: bool = False,
         downstream: bool = False, pipeline: bool = False, recursive: bool = False, glob: bool = False,
         cwd: str | None = None):
    """(active graph, ordered stages to visit)."""
    cwd = cwd or os.getcwd()
    stages = repo.stages()
    graph = build_graph(stages).active()
    if all_pipelines:
        return graph, graph.postorder()
    if pipeline:
        single_item = downstream = False
    chosen = (_collect(repo, stages, targets, cwd, recursive, glob, graph.postorder()) if targets
              else default_targets(repo, stages, cwd))
    if single_item:
        return graph, chosen
    return graph, graph.plan(chosen, downstream=downstream, pipeline=pipeline)


def reproduce(repo, targets: list[str] | None = None, *, cwd: str | None = None, notify: Notify = _quiet,
              confirm: Callable[[Stage], bool] | None = None, keep_going: bool = False,
              ignore_errors: bool = False, **options) -> ReproResult:
    """`options`: the fields of ReproOptions. `confirm` (`-i`) is asked before each stage runs."""
    from stagecore.ops.repolock import locked

    unknown = set(options) - {f.name for f in fields(ReproOptions)}
    assert not unknown, unknown
    if ignore_errors:
        options["on_error"] = "ignore"
    elif keep_going:
        options["on_error"] = "keep-going"
    with locked(repo):
        return _reproduce(repo, targets, ReproOptions(**options), cwd, notify, confirm)


def _reproduce(repo, targets, opts: ReproOptions, cwd, notify, confirm) -> ReproResult:
    if opts.pull and opts.run_cache:
        _pull_run_cache(repo, notify)
    try:
        graph, steps = plan(repo, targets, single_item=opts.single_item, all_pipelines=opts.all_pipelines,
                            downstream=opts.downstream, pipeline=opts.pipeline, recursive=opts.recursive,
                            glob=opts.glob, cwd=cwd)
    except ReproError:
        raise
    except StagecoreError as exc:  # a broken dvc file or unknown target fails repro as DVC does: 255
        raise ReproError(exc.message, hint=exc.hint) from None
    walk = not opts.single_item or opts.all_pipelines or opts.pipeline  # DVC: no graph with -s
    forced = dict.fromkeys(steps, opts.force)
    skip: set[Stage] = set()
    reproduced: list[str] = []
    failed: list[Stage] = []
    touched: list[str] = []
    last = None  # DVC prints a blank line before a stage when the last one that did not fail ran
    for stage in steps:
        if stage in skip:
            continue
        if last is not None:
            notify(ReproEvent("gap", stage))
        try:
            done = reproduce_stage(
                repo, stage, force=forced[stage], dry=opts.dry, run_cache=opts.run_cache, pull=opts.pull,
                allow_missing=opts.allow_missing, no_commit=opts.no_commit,
                upstream=tuple(graph.upstream[stage]) if walk else (), confirm=confirm, notify=notify)
        except StagecoreError as exc:
            failed.append(stage)
            if opts.on_error == "fail":
                raise ReproError(f"failed to reproduce '{stage.addressing}': {exc.message}", hint=exc.hint) from None
            dependents: set[Stage] = set()
            if walk and opts.on_error == "keep-going":
                dependents = graph.closure([stage], downstream=True) - {stage}
            skip |= dependents
            shown = exc.message + (" (ignored)" if opts.on_error == "ignore" else "")
            notify(ReproEvent("failed", stage, (shown, sorted(s.addressing for s in dependents))))
            continue
        last = done
        if done is not None:
            reproduced.append(stage.addressing)
            touched.extend(done.touched)
        if walk and opts.force_downstream and (done is not None or forced[stage]):
            forced.update(dict.fromkeys(graph.downstream[stage], True))
    result = _stage_in_git(repo, reproduced, touched)
    if failed and opts.on_error != "ignore":
        names = ", ".join(f"'{s.addressing}'" for s in failed[:-1]) + " and " * (len(failed) > 1)
        names += f"'{failed[-1].addressing}'"
        word = " stages:" if len(failed) > 1 else ""
        raise ReproError(f"failed to reproduce{word} {names}", hint="see the errors above")
    return result._replace(failed=[s.addressing for s in failed])


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
