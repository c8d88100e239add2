"""`freeze` / `unfreeze`: mark pipeline stages so `repro` does not run them (`frozen: true`)."""

from __future__ import annotations

from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError


class FreezeResult(NamedTuple):
    changed: list[str]  # addressing of stages whose file changed
    to_git_add: list[str]
    autostaged: bool


def freeze(repo, stages: list[Stage], frozen: bool = True) -> FreezeResult:
    from stagecore.ops.stage_files import stage_in_git
    from stagecore.pipefile import set_frozen

    changed: list[str] = []
    touched: list[str] = []
    for stage in stages:
        if stage.name is None:
            raise StagecoreError(
                f"cannot {'freeze' if frozen else 'unfreeze'} '{stage.dvcfile}': only dvc.yaml stages can be frozen",
                hint="give a stage name from dvc.yaml",
            )
        if set_frozen(repo, stage, frozen):
            changed.append(stage.addressing)
            touched.append(stage.dvcfile)
    staged = stage_in_git(repo, changed, touched, _Staged)
    return FreezeResult(changed, staged.to_git_add, staged.autostaged)


class _Staged(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool
