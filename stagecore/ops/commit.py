"""`commit`: save the current outputs (and deps) of stages into the cache and dvc files."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from stagecore.core.hashinfo import MD5
from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError
from stagecore.files.dvcfile import write_dvcfile
from stagecore.ops import outs as outs_ops
from stagecore.ops.stage_files import stage_in_git
from stagecore.ops.stage_reload import reload_stages
from stagecore.ops.status import stage_changes


class CommitResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


Confirm = Callable[[Stage, list], bool]


def commit(repo, stages: list[Stage], *, force: bool = False, confirm: Confirm | None = None,
           target: str | None = None, parts: list[str] | None = None) -> CommitResult:
    """Save changed outputs; under the repository lock, on the dvc files as they are once it is held.

    As DVC 3.67.1: a stage that changed since it was recorded (data or pipeline) is committed only
    with `force`, or when `confirm(stage, changes)` (the CLI's prompt, on a terminal) says yes;
    `target`: what the user named, for the refusal message; `parts`: targets inside a tracked
    directory (`commit data/a`), of which alone the files are cached. A committed pipeline stage gets its
    run-cache entry; every cached output its `.gitignore` entry."""
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _commit(repo, reload_stages(repo, stages), force, confirm, target, parts)
        finally:
            sweep_seen(repo)


def _commit(repo, stages: list[Stage], force: bool, confirm: Confirm | None, target: str | None,
            parts: list[str] | None) -> CommitResult:
    from stagecore.files.gitignore import add_entry
    from stagecore.ops.add import save_output

    touched: list[str] = []
    files: list[str] = []
    for stage in stages:
        changes = _commit_changes(repo, stage)
        if changes and not force and not (confirm is not None and confirm(stage, changes)):
            raise StagecoreError(
                f"failed to commit{' ' + target if target else ''} - unable to commit changed stage: "
                f"'{stage.addressing}'. Use `-f|--force` to force.",
                hint=f"`stagecore commit -f {stage.addressing}` records the workspace as it is",
            )
        if not changes and not _needs_write(repo, stage):
            continue
        inner = [p for p in parts or [] if any(p.startswith(stage.out_path(o) + "/") for o in stage.outs)]
        if inner and not changes:  # `commit data/a`: only that part of the directory enters the cache
            _save_parts(repo, stage, inner)
            continue
        stage.deps = [dep.with_hash(*_hash_of(repo, stage.dep_path(dep), dep)) for dep in stage.deps]
        stage.outs = [save_output(repo, stage.out_path(out), out) for out in stage.outs]
        if stage.name is None and stage.deps and stage.is_import:  # deps and md5 as DVC writes them
            from stagecore.ops.import_sync import write_import_dvcfile

            if write_import_dvcfile(repo.root, stage):
                touched.append(stage.dvcfile)
        elif stage.name is None:
            if write_dvcfile(repo.root, stage, drop_md5=force):
                touched.append(stage.dvcfile)
        else:
            from stagecore.files.pipefile import update_lock
            from stagecore.ops import runcache

            written = update_lock(repo, stage)
            touched.append(written.relpath)
            if stage.lock is not None:
                runcache.save(repo, stage, stage.lock)
        for out in stage.outs:
            if out.cache:
                gi = add_entry(repo.root, stage.out_path(out), repo.scm)
                if gi:
                    touched.append(gi)
        files.append(stage.dvcfile)
    return stage_in_git(repo, files, touched, CommitResult)


def _save_parts(repo, stage: Stage, parts: list[str]) -> None:
    """Cache the files of an unchanged directory output below `parts`, and its manifest (DVC's
    granular commit); the dvc file is unchanged."""
    import os

    from stagecore.core.hashinfo import HashInfo

    for out in stage.outs:
        path = stage.out_path(out)
        mine = [p for p in parts if p.startswith(path + "/")]
        measured = outs_ops.measure_for(repo, path, out) if mine and out.cache else None
        if measured is None or measured.files is None or measured.manifest is None:
            continue
        for rel, md5 in measured.files.items():
            full = f"{path}/{rel}"
            if any(full == p or full.startswith(p + "/") for p in mine):
                repo.odb.add_file(os.path.join(repo.root, full), HashInfo(measured.hash.name, md5))
        repo.odb.add_bytes(measured.manifest, measured.hash)


def _commit_changes(repo, stage: Stage) -> list:
    """What makes DVC ask for `--force`: `status`'s changes, with outputs judged on their workspace
    copy alone: one that is the recorded version and only missing from the cache (`add --no-commit`)
    is committed without asking, since no dvc file changes."""
    changes: list = [item for item in stage_changes(repo, stage)
                     if not (isinstance(item, dict) and "changed outs" in item)]
    outs = {}
    for out in stage.outs:
        path = stage.out_path(out)
        measured = outs_ops.measure_for(repo, path, out)
        if measured is None:
            outs[path] = "deleted"
        elif out.hash is None or measured.hash != out.hash:
            outs[path] = "modified"
    if outs:
        changes.append({"changed outs": outs})
    return changes


def _needs_write(repo, stage: Stage) -> bool:
    """`commit -f` of an unchanged stage still completes what is missing: a hand-written `.dvc`
    file's hashes, an output's cache copy, its `.gitignore` entry."""
    import os

    for out in stage.outs:
        path = stage.out_path(out)
        if out.hash is None or (out.cache and not outs_ops.in_cache(repo, out.hash)):
            return True
        if out.cache and repo.scm is not None and os.path.lexists(os.path.join(repo.root, path)) \
                and not repo.scm.is_ignored(path):
            return True
    return False


def _hash_of(repo, path, dep):
    """The (hash, meta) to record for a dependency: a URL or another repository's path is kept
    as recorded (not reached: no network while committing, as status does not reach it); a
    path outside the repository (absolute, `../`) is measured where it is."""
    from stagecore.core.stage import is_offline
    from stagecore.ops.external import measure, outside_path

    if is_offline(dep):
        return dep.hash, dep.meta
    outside = outside_path(repo.root, path)
    name = dep.hash.name if dep.hash is not None else MD5
    measured = measure(outside, name) if outside is not None else outs_ops.measure_for(repo, path, dep)
    if measured is None:
        raise StagecoreError(f"dependency '{outside or path}' does not exist",
                             hint="restore it, or remove it from the stage")
    if dep.hash is not None and dep.hash.legacy and measured.hash != dep.hash:  # upgraded, as DVC does
        measured = measure(outside, MD5) if outside is not None else repo.workspace.measure(path, MD5)
        assert measured is not None
    return measured.hash, measured.meta
