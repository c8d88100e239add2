"""`remove`: stop tracking `.dvc` files (and stages); `--outs`/`--purge` also delete outputs.

Outputs are only deleted once their content is in the cache, so nothing is lost.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.gitignore import remove_entry
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
            if outs and os.path.lexists(os.path.join(repo.root, path)):
                if out.cache:
                    outs_ops.save(repo, path, out)  # keep a copy: the cache never loses it
                outs_ops.delete(repo, path)  # never through a symlinked parent leading out
                deleted.append(path)
        if stage.name is None:
            os.unlink(os.path.join(repo.root, stage.dvcfile))
            touched.append(stage.dvcfile)
        else:
            from stagecore.pipefile import remove_stage

            touched.extend(remove_stage(repo, stage))
        removed.append(stage.addressing)
    return RemoveResult(removed, touched, deleted)
