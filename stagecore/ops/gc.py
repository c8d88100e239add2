"""`gc`: remove cache (and with `cloud`, remote) objects that the chosen revisions do not use."""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo
from stagecore.errors import StagecoreError
from stagecore.odb import object_relpath
from stagecore.ops.revisions import refs_of_revisions
from stagecore.ops.used import expand, refs_of_stages


class GcResult(NamedTuple):
    removed: int
    removed_legacy: int
    removed_remote: int
    unexpanded: list[str]  # manifests we could not read (their files were kept)
    strays: list[str]  # files in shard directories that are not objects (reported, kept)


def gc(repo, *, workspace: bool, branches: bool, tags: bool, commits: bool, cloud: bool = False,
       remote: str | None = None) -> GcResult:
    if not (workspace or branches or tags or commits):
        raise StagecoreError(
            "Either of `-w|--workspace`, `-a|--all-branches`, `-T|--all-tags` or `--all-commits` "
            "needs to be set.",
            hint="`stagecore gc -w` keeps only what the workspace uses",
        )
    from stagecore.ops.repolock import locked

    with locked(repo):  # an `add` writing objects it has not recorded yet must not lose them
        return _gc(repo, branches, tags, commits, cloud, remote)


def _gc(repo, branches: bool, tags: bool, commits: bool, cloud: bool, remote: str | None) -> GcResult:
    from stagecore.ops.repolock import sweep_workspace

    repo.odb.sweep_tmp()  # temps of killed writers (a live writer's are kept)
    sweep_workspace(repo)
    refs = refs_of_stages(repo.stages())
    if branches or tags or commits:
        refs += refs_of_revisions(repo, branches=branches, tags=tags, commits=commits)
    used = expand(repo.odb, refs)
    keep = set(used.objects)
    removed = removed_legacy = 0
    strays: list[str] = []
    for hi in list(repo.odb.iter_objects(strays)):
        if hi in keep:
            continue
        if hi.isdir is False and _listed_by_unreadable(hi, used):
            continue
        repo.odb.remove(hi)
        repo.state.distrust_object(os.path.abspath(repo.odb.path_of(hi)))  # its trust row goes too
        if hi.name == MD5:
            removed += 1
        else:
            removed_legacy += 1
    removed_remote = 0
    if cloud:
        from stagecore.ops.transfer import open_data_remote

        keep_keys = {object_relpath(hi) for hi in keep}
        with open_data_remote(repo, remote, "gc") as rem:
            doomed = [key for key in rem.iter_keys("files/md5/") if key not in keep_keys]
            rem.delete_many(doomed)
            removed_remote = len(doomed)
            sweep = getattr(rem, "sweep_tmp", None)
            if sweep is not None:  # uploads that never finished (another client's live ones are kept)
                sweep()
    return GcResult(removed, removed_legacy, removed_remote, sorted(used.unexpanded.values()), strays)


def _listed_by_unreadable(hi: HashInfo, used) -> bool:
    """With a used manifest missing from the cache, its files are unknown: keep every file object."""
    return bool(used.unexpanded) and hi.name in (MD5, MD5_D2U)
