"""`remove`: stop tracking `.dvc` files (and stages); `--outs`/`--purge` also delete outputs.

Outputs are only deleted once their content is in the cache, so nothing is lost. Without
`--outs` the data stays as private, writable copies (no link into the cache is left behind);
a symlink into the cache whose object is gone is removed (there is no data to keep).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.files.gitignore import remove_entry
from stagecore.ops import outs as outs_ops


class RemoveResult(NamedTuple):
    removed: list[str]  # addressing of removed stages
    touched: list[str]  # .gitignore / dvc files changed (for `git add`)
    deleted_outs: list[str]


def remove(repo, stages: list[Stage], *, outs: bool = False) -> RemoveResult:
    from stagecore.ops.repolock import locked

    with locked(repo):
        return _remove(repo, stages, outs)


def _remove(repo, stages: list[Stage], outs: bool) -> RemoveResult:
    removed, touched, deleted = [], [], []
    for stage in stages:
        for out in stage.outs:
            path = stage.out_path(out)
            if out.cache:
                gi = remove_entry(repo.root, path)
                if gi:
                    touched.append(gi)
            full = os.path.join(repo.root, path)
            dangling = _dangling_cache_link(repo, full)
            if outs and os.path.lexists(full):
                if out.cache and not dangling:
                    outs_ops.save(repo, path, out)  # keep a copy: the cache never loses it
                outs_ops.delete(repo, path)  # never through a symlinked parent leading out
                deleted.append(path)
            elif out.cache and dangling:  # a link into a cache that lost the object: no data, no link left
                outs_ops.delete(repo, path)
                deleted.append(path)
            elif out.cache and os.path.lexists(full):  # the data stays, as a private copy (DVC's unprotect)
                from stagecore.ops.unprotect import unprotect_path

                unprotect_path(repo, path)
        if stage.name is None:
            os.unlink(os.path.join(repo.root, stage.dvcfile))
            touched.append(stage.dvcfile)
        else:
            from stagecore.files.pipefile import remove_stage

            touched.extend(remove_stage(repo, stage))
        removed.append(stage.addressing)
    return RemoveResult(removed, touched, deleted)


def _dangling_cache_link(repo, full: str) -> bool:
    """A symlink into the cache whose object is gone (nothing to keep, nothing to save)."""
    if not os.path.islink(full) or os.path.exists(full):
        return False
    from stagecore.storage.fsguard import within

    target = os.path.normpath(os.path.join(os.path.dirname(full), os.readlink(full)))
    return any(within(target, os.path.normpath(base)) for base in (repo.cache_dir, os.path.realpath(repo.cache_dir)))
