"""`commit`: save the current outputs (and deps) of stages into the cache and dvc files."""

from __future__ import annotations

from typing import NamedTuple

from stagecore.core.hashinfo import MD5
from stagecore.core.stage import Stage
from stagecore.dvcfile import write_dvcfile
from stagecore.errors import StagecoreError
from stagecore.ops import outs as outs_ops
from stagecore.ops.stage_files import stage_in_git
from stagecore.ops.status import stage_changes


class CommitResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


def commit(repo, stages: list[Stage], *, force: bool = False) -> CommitResult:
    """Save changed outputs; under the repository lock, on the dvc files as they are once it is held."""
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _commit(repo, _reload(repo, stages), force)
        finally:
            sweep_seen(repo)


def _reload(repo, stages: list[Stage]) -> list[Stage]:
    """The stages read again: another command (or a hook after `git checkout`) may have changed
    their dvc files while we waited for the lock; a stage that is gone is dropped."""
    import os

    from stagecore.dvcfile import load_dvcfile
    from stagecore.index import check_outs_inside
    from stagecore.pipefile import load_pipeline

    fresh: dict[tuple[str, str | None], Stage] = {}
    for dvcfile in dict.fromkeys(s.dvcfile for s in stages):
        if not os.path.exists(os.path.join(repo.root, dvcfile)):
            continue
        named = any(s.dvcfile == dvcfile and s.name is not None for s in stages)
        for stage in load_pipeline(repo, dvcfile) if named else [load_dvcfile(repo.root, dvcfile)]:
            check_outs_inside(stage)
            fresh[(stage.dvcfile, stage.name)] = stage
    return [fresh[key] for key in ((s.dvcfile, s.name) for s in stages) if key in fresh]


def _commit(repo, stages: list[Stage], force: bool) -> CommitResult:
    from stagecore.ops.add import save_output

    touched: list[str] = []
    files: list[str] = []
    for stage in stages:
        changes = stage_changes(repo, stage)
        if not changes:
            continue
        blessing = stage.cmd is not None or stage.deps
        if blessing and not force:
            raise StagecoreError(
                f"failed to commit {stage.addressing} - unable to commit changed stage: '{stage.addressing}'.",
                hint="use `-f|--force` to record the workspace as the stage's result anyway",
            )
        stage.deps = [dep.with_hash(*_hash_of(repo, stage.dep_path(dep), dep)) for dep in stage.deps]
        stage.outs = [save_output(repo, stage.out_path(out), out) for out in stage.outs]
        if stage.name is None:
            if write_dvcfile(repo.root, stage, drop_md5=force):
                touched.append(stage.dvcfile)
        else:
            from stagecore.pipefile import write_lock

            touched.append(write_lock(repo, stage))
        files.append(stage.dvcfile)
    return stage_in_git(repo, files, touched, CommitResult)


def _hash_of(repo, path, dep):
    measured = outs_ops.measure_for(repo, path, dep)
    if measured is None:
        raise StagecoreError(f"dependency '{path}' does not exist", hint="restore it, or remove it from the stage")
    if dep.hash is not None and dep.hash.legacy and measured.hash != dep.hash:
        measured = repo.workspace.measure(path, MD5)  # a changed legacy entry is upgraded, as DVC does
    return measured.hash, measured.meta
