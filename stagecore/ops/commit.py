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
        stage.outs = [outs_ops.save(repo, stage.out_path(out), out) for out in stage.outs]
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
