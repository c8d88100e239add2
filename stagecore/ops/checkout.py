"""`checkout`: make the workspace match what the dvc files record."""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError, TargetNotFoundError
from stagecore.ops import outs as outs_ops
from stagecore.storage.fsutil import DiskError


class CheckoutResult(NamedTuple):
    changes: list[tuple[str, str]]  # (letter, repo relpath; dirs end with '/'), in DVC's order
    missing: list[str]
    kept: list[str]
    stashed: list[tuple[str, str]]
    refused: list  # StagecoreError per output that could not be checked out safely (the rest was)
    stats: dict[str, int] = {}  # files "modified" / "added" / "deleted", counted as DVC counts them
    untracked_kept: list[str] = []  # no longer named by a dvc file, content not in the cache: kept


class UnknownTarget(TargetNotFoundError):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class Selection(NamedTuple):
    stages: list[Stage]
    only: set[str] | None  # output paths, or paths inside outputs, to check out; None: all outputs


def select(repo, targets: list[str] | None, *, with_deps: bool = False, recursive: bool = False,
           cwd: str | None = None) -> Selection:
    """The stages and output paths that command-line `targets` name, as DVC collects them:
    a path inside a tracked directory names that part only, an output of a stage that output
    only; `recursive`: every dvc file under a target directory; `with_deps`: the stages that
    produce what the chosen ones depend on, transitively."""
    from stagecore.ops import targets as targets_mod

    if not targets:
        return Selection(repo.stages(), None)
    cwd = cwd or os.getcwd()
    stages: list[Stage] = []
    only: set[str] = set()
    for target in targets:
        rel = repo.relpath(target, cwd)
        if recursive and os.path.isdir(os.path.join(repo.root, rel)) and not _names_output(repo, rel):
            found = [s for s in repo.stages() if not rel or s.dvcfile.startswith(rel + "/")]
            whole = True
        else:
            try:
                found = targets_mod.resolve(repo, [target], cwd)
            except TargetNotFoundError:
                raise UnknownTarget(target) from None
            whole = not _names_output(repo, rel, found)
        for stage in found:
            if stage not in stages:
                stages.append(stage)
        if whole:
            only.update(stage.out_path(out) for stage in found for out in stage.outs)
        else:
            only.add(rel)
    if with_deps:
        from stagecore.core.dag import build_graph

        graph = build_graph(repo.stages())
        chosen = graph.closure([s for s in graph.stages if s in stages])
        extra = [s for s in graph.postorder(chosen) if s not in stages]
        stages = extra + stages
        only.update(stage.out_path(out) for stage in extra for out in stage.outs)
    return Selection(stages, only)


def _names_output(repo, rel: str, stages: list[Stage] | None = None) -> bool:
    """Whether repo path `rel` is an output of `stages` or lies inside one."""
    for stage in stages if stages is not None else repo.stages():
        for out in stage.outs:
            path = stage.out_path(out)
            if rel == path or rel.startswith(path + "/"):
                return True
    return False


def checkout(repo, stages: list[Stage], *, force: bool = False, relink: bool = False,
             only: set[str] | None = None, prune: bool = False) -> CheckoutResult:
    """Check out every cached output of `stages` (or only the repo paths in `only`: outputs or
    paths inside them). `prune` (a checkout of everything): first remove the outputs stagecore
    put in the workspace that no dvc file names any more, when their content is in the cache."""
    from stagecore.ops.repolock import locked, sweep_seen
    from stagecore.ops.stage_reload import reload_stages

    with locked(repo):
        try:  # the dvc files as they are now: a command we waited for may have rewritten them
            return _checkout(repo, reload_stages(repo, stages), force, relink, only, prune)
        finally:
            sweep_seen(repo)


_ORDER = {"M": 0, "A": 1, "D": 2}


def _checkout(repo, stages: list[Stage], force: bool, relink: bool, only: set[str] | None,
              prune: bool) -> CheckoutResult:
    from stagecore.ops import links

    changes: list[tuple[str, str]] = []
    missing: list[str] = []
    kept: list[str] = []
    stashed: list[tuple[str, str]] = []
    refused: list[StagecoreError] = []
    stats = {"modified": 0, "added": 0, "deleted": 0}
    untracked_kept: list[str] = []
    if prune:
        pruned = links.prune(repo, links.unused(repo, {s.out_path(o) for s in stages for o in s.outs}))
        changes += [("D", path) for path in pruned.removed]
        stats["deleted"] += len(pruned.removed)
        untracked_kept = pruned.kept
    for stage in stages:
        for out in stage.outs:
            if not out.cache:
                continue
            path = stage.out_path(out)
            parts: list[str | None] = [None]
            if only is not None and path not in only:
                parts = [*sorted(p[len(path) + 1:] for p in only if p.startswith(path + "/"))]
            for part in parts:
                try:
                    outcome = checkout_output(repo, path, out.hash, out.meta, force=force, relink=relink, part=part)
                except DiskError:
                    raise  # the disk refuses writes: the next output would fail the same way
                except StagecoreError as exc:  # a corrupt object, a symlink that leads out: this output only
                    refused.append(exc)
                    continue
                if outcome.change:
                    isdir = out.hash is not None and out.hash.isdir
                    changes.append((outcome.change, path + ("/" if isdir else "")))
                for kind, count in outcome.stats.items():
                    stats[kind] = stats.get(kind, 0) + count
                missing.extend(outcome.missing)
                kept.extend(outcome.kept)
                stashed.extend(outcome.stashed)
    # DVC lists modified, then added, then deleted; directories first, each group sorted
    changes = sorted(dict.fromkeys(changes), key=lambda c: (_ORDER[c[0]], not c[1].endswith("/"), c[1]))
    return CheckoutResult(changes, missing, kept, stashed, refused, stats, untracked_kept)


def checkout_output(repo, path: str, hi, meta, *, force: bool = False, relink: bool = False,
                    part: str | None = None):
    """`outs.checkout`, with a refused local write (disk full, read-only...) named by the output."""
    from stagecore.storage.fsutil import raise_disk_error

    try:
        return outs_ops.checkout(repo, path, hi, meta, force=force, relink=relink, part=part)
    except OSError as exc:
        raise_disk_error(exc, exc.filename or os.path.join(repo.root, path))
        raise


def display(repo, path: str, cwd: str) -> str:
    trail = "/" if path.endswith("/") else ""
    return os.path.relpath(os.path.join(repo.root, path.rstrip("/")), cwd).replace(os.sep, "/") + trail
