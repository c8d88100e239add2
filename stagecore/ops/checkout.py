"""`checkout`: make the workspace match what the dvc files record."""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError
from stagecore.fsutil import DiskError
from stagecore.ops import outs as outs_ops


class CheckoutResult(NamedTuple):
    changes: list[tuple[str, str]]  # (letter, repo relpath; dirs end with '/')
    missing: list[str]
    kept: list[str]
    stashed: list[tuple[str, str]]
    refused: list  # StagecoreError per output that could not be checked out safely (the rest was)


def checkout(repo, stages: list[Stage], *, force: bool = False, relink: bool = False,
             only: set[str] | None = None) -> CheckoutResult:
    """Check out every cached output of `stages` (or only the repo paths in `only`)."""
    from stagecore.ops.commit import reload_stages
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:  # the dvc files as they are now: a command we waited for may have rewritten them
            return _checkout(repo, reload_stages(repo, stages), force, relink, only)
        finally:
            sweep_seen(repo)


def _checkout(repo, stages: list[Stage], force: bool, relink: bool, only: set[str] | None) -> CheckoutResult:
    changes: list[tuple[str, str]] = []
    missing: list[str] = []
    kept: list[str] = []
    stashed: list[tuple[str, str]] = []
    refused: list[StagecoreError] = []
    for stage in stages:
        for out in stage.outs:
            if not out.cache:
                continue
            path = stage.out_path(out)
            if only is not None and path not in only:
                continue
            try:
                outcome = checkout_output(repo, path, out.hash, out.meta, force=force, relink=relink)
            except DiskError:
                raise  # the disk refuses writes: the next output would fail the same way
            except StagecoreError as exc:  # a corrupt object, a symlink that leads out: this output only
                refused.append(exc)
                continue
            if outcome.change:
                isdir = out.hash is not None and out.hash.isdir
                changes.append((outcome.change, path + ("/" if isdir else "")))
            missing.extend(outcome.missing)
            kept.extend(outcome.kept)
            stashed.extend(outcome.stashed)
    return CheckoutResult(changes, missing, kept, stashed, refused)


def checkout_output(repo, path: str, hi, meta, *, force: bool = False, relink: bool = False):
    """`outs.checkout`, with a refused local write (disk full, read-only...) named by the output."""
    from stagecore.fsutil import raise_disk_error

    try:
        return outs_ops.checkout(repo, path, hi, meta, force=force, relink=relink)
    except OSError as exc:
        raise_disk_error(exc, exc.filename or os.path.join(repo.root, path))
        raise


def display(repo, path: str, cwd: str) -> str:
    trail = "/" if path.endswith("/") else ""
    return os.path.relpath(os.path.join(repo.root, path.rstrip("/")), cwd).replace(os.sep, "/") + trail
