"""`gc`: remove cache (and with `cloud`, remote) objects that the chosen revisions do not use.

The workspace is always kept (as DVC's brancher always yields it). Revisions: `rev` and the
`num - 1` first-parent commits before it, every branch tip (with `num`: and the commits before
each), every tag, every commit, every commit made on or after `date`. Outputs that name their
own `remote:` are kept on (and, with `cloud`, collected in) that remote.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo
from stagecore.errors import EXIT_PIPELINE, StagecoreError
from stagecore.ops.revisions import refs_of_revisions
from stagecore.ops.used import Ref, expand, refs_of_stages
from stagecore.storage.odb import object_relpath


class GcArgumentError(StagecoreError):
    exit_code = EXIT_PIPELINE  # DVC's InvalidArgumentError


class Scope(NamedTuple):
    workspace: bool = False
    branches: bool = False
    tags: bool = False
    commits: bool = False
    rev: str | None = None
    num: int | None = None
    date: str | None = None  # yyyy-mm-dd: commits made on or after it (local midnight)


class GcResult(NamedTuple):
    removed: int
    removed_legacy: int
    remotes: list[RemoteGc]  # DVC's order; the default remote's legacy (2.x) layout last
    unexpanded: list[str]  # manifests we could not read (their files were kept)
    strays: list[str]  # files in shard directories that are not objects (reported, kept)
    removing: list[str]  # with `dry`: the cache objects that would go (DVC's `Removing PATH` lines)


class RemoteGc(NamedTuple):
    remote: str
    removed: int
    removing: list[str]  # with `dry`: what would go from that remote


def check_args(scope: Scope, *, cloud: bool, not_in_remote: bool) -> None:
    """DVC's argument rules (its words; exit 255)."""
    if not_in_remote and cloud:
        raise GcArgumentError("`--not-in-remote` and `--cloud` are mutually exclusive")
    if not (scope.workspace or scope.branches or scope.tags or scope.commits or scope.date or scope.rev
            or scope.num):  # DVC counts -n here (then refuses it alone below)
        raise GcArgumentError(
            "Either of `-w|--workspace`, `-a|--all-branches`, `-T|--all-tags` `--all-experiments`, "
            "`--all-commits`, `--date` or `--rev` needs to be set.",
            hint="`stagecore gc -w` keeps only what the workspace uses",
        )
    if scope.num and not (scope.rev or scope.branches):
        raise GcArgumentError("`--num` can only be used alongside `--rev` or `--all-branches`")


def gc(repo, scope: Scope, *, cloud: bool = False, remote: str | None = None, not_in_remote: bool = False,
       dry: bool = False, jobs: int | None = None) -> GcResult:
    check_args(scope, cloud=cloud, not_in_remote=not_in_remote)
    from stagecore.ops.repolock import locked

    with locked(repo):  # an `add` writing objects it has not recorded yet must not lose them
        return _gc(repo, scope, cloud, remote, not_in_remote, dry)


def _revisions(repo, scope: Scope) -> list[str] | None:
    if not (scope.branches or scope.tags or scope.commits or scope.rev or scope.date):
        return None
    from stagecore.ops.revisions import gc_revisions

    return gc_revisions(repo, branches=scope.branches, tags=scope.tags, commits=scope.commits,
                        rev=scope.rev, num=scope.num or 1, date=scope.date)


def _gc(repo, scope: Scope, cloud: bool, remote: str | None, not_in_remote: bool, dry: bool) -> GcResult:
    from stagecore.ops.repolock import sweep_workspace

    if not dry:
        repo.odb.sweep_tmp()  # temps of killed writers (a live writer's are kept)
        sweep_workspace(repo)
    refs = refs_of_stages(repo.stages())
    revs = _revisions(repo, scope)
    if revs is not None:
        refs += refs_of_revisions(repo, revs=revs)
    used = expand(repo.odb, refs)
    keep = set(used.objects)
    groups: dict[str, list[Ref]] = {}
    if cloud or not_in_remote:
        from stagecore.ops.transfer import by_remote

        groups = _default_last(by_remote(repo, refs, remote, "gc -c", filtered=False), repo, remote)
    if not_in_remote:
        keep = _not_in_remote(repo, groups)
    removing: list[str] = []
    removed, removed_legacy, strays = _collect_cache(repo, keep, used, dry, removing)
    remotes: list[RemoteGc] = []
    if cloud:
        for name, group in groups.items():  # each with DVC's line for its legacy (2.x) layout after it,
            remotes += [_collect_remote(repo, name, group, dry), RemoteGc(name, 0, [])]  # left alone here
    return GcResult(removed, removed_legacy, remotes, sorted(used.unexpanded.values()), strays, removing)


def _default_last(groups: dict[str, list[Ref]], repo, remote: str | None) -> dict[str, list[Ref]]:
    """DVC's order: the remotes outputs name first, the -r/default remote last (always present)."""
    from stagecore.ops.transfer import remote_name

    default = remote_name(repo, remote, "gc -c")
    ordered = {name: refs for name, refs in groups.items() if name != default}
    ordered[default] = groups.get(default, [])
    return ordered


def _not_in_remote(repo, groups: dict[str, list[Ref]]) -> set[HashInfo]:
    """The used objects that are not on their remote (the others may leave the cache)."""
    from stagecore.ops.transfer import open_data_remote

    keep: set[HashInfo] = set()
    for name, group in groups.items():
        objs = list(expand(repo.odb, group).objects)
        with open_data_remote(repo, name, "gc") as rem:
            present = rem.exists_many([object_relpath(hi) for hi in objs])
        keep.update(hi for hi in objs if object_relpath(hi) not in present)
    return keep


def _collect_cache(repo, keep: set[HashInfo], used, dry: bool, removing: list[str]) -> tuple[int, int, list[str]]:
    from stagecore.ui.progress import tick_file

    strays: list[str] = []
    doomed = [hi for hi in repo.odb.iter_objects(strays)
              if hi not in keep and not (hi.isdir is False and _listed_by_unreadable(hi, used))]
    doomed.sort(key=lambda hi: (hi.name != MD5, not hi.isdir, hi.value))  # DVC: manifests first
    if not dry:
        from stagecore.ui.progress import expect

        expect("remove", len(doomed))
    for hi in doomed:
        if dry:
            removing.append(os.path.abspath(repo.odb.path_of(hi)))
            continue
        tick_file("remove", repo.odb.path_of(hi), files=1)  # gc's bar, when one is open
        repo.odb.remove(hi)
        repo.state.distrust_object(os.path.abspath(repo.odb.path_of(hi)))  # its trust row goes too
    removed = sum(1 for hi in doomed if hi.name == MD5)
    return removed, len(doomed) - removed, strays


def _collect_remote(repo, name: str, group: list[Ref], dry: bool) -> RemoteGc:
    """Remove from remote `name` what `group` does not use. A used manifest missing from the cache
    leaves its files unknown: then only unused manifests go from that remote."""
    from stagecore.ops.transfer import open_data_remote

    used = expand(repo.odb, group)
    keep_keys = {object_relpath(hi) for hi in used.objects}
    with open_data_remote(repo, name, "gc") as rem:
        doomed = sorted((key for key in rem.iter_keys("files/md5/")
                         if key not in keep_keys and (key.endswith(".dir") or not used.unexpanded)),
                        key=lambda key: (not key.endswith(".dir"), key))
        if dry:
            base = str(getattr(rem, "path", rem.url)).rstrip("/")
            return RemoteGc(name, len(doomed), [f"{base}/{key}" for key in doomed])
        rem.delete_many(doomed)
        sweep = getattr(rem, "sweep_tmp", None)
        if sweep is not None:  # uploads that never finished (another client's live ones are kept)
            sweep()
    return RemoteGc(name, len(doomed), [])


def _listed_by_unreadable(hi: HashInfo, used) -> bool:
    """With a used manifest missing from the cache, its files are unknown: keep every file object."""
    return bool(used.unexpanded) and hi.name in (MD5, MD5_D2U)
