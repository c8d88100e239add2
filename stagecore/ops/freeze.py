"""`freeze` / `unfreeze`: mark stages and `.dvc` files `frozen: true` so `repro` neither runs
them nor looks at their dependencies (DVC's `dvc freeze`).

Each target names one stage, as DVC's `get_target` reads it: a stage name, `file:name`, or a
`.dvc` file (not an output path, not a foreach/matrix group). Targets are done in order; the
first that cannot be is the error (`failed to freeze 'x' - why`), the ones before it stay done.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError


class FreezeResult(NamedTuple):
    changed: list[str]  # addressing of stages whose file changed
    to_git_add: list[str]
    autostaged: bool


def _quiet(_stage: Stage) -> None:
    pass


def _one(repo, target: str, cwd: str | None) -> Stage:
    from stagecore.ops import targets
    from stagecore.ops.targets import PROJECT_FILE, StageNotFoundError, parse_target

    found = targets.resolve(repo, [target], cwd, outputs=False)
    _file, name = parse_target(target)
    if len(found) != 1 or (name is not None and found[0].name not in (None, name)):
        shown = PROJECT_FILE if _file is None else _file
        raise StageNotFoundError(target, f"Stage '{name}' not found inside '{shown}' file")
    return found[0]


def set_dvcfile_frozen(repo, stage: Stage, frozen: bool) -> bool:
    """Write or drop the top-level `frozen: true` of a `.dvc` file (new key last, as DVC)."""
    from stagecore.files.dvcfile import drop_defaults
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt
    from stagecore.storage.fsutil import atomic_write_text

    path = os.path.join(repo.root, stage.dvcfile)
    with open(path, encoding="utf-8") as fobj:
        text = fobj.read()
    data = load_yaml_rt(text, stage.dvcfile)
    drop_defaults(data)  # DVC rewrites the whole stage: a 0.x `locked` becomes `frozen`, defaults go
    if frozen and data.get("frozen") is not True:
        data["frozen"] = True
    elif not frozen and "frozen" in data:
        del data["frozen"]
    if dump_yaml(data) == text:
        return False
    atomic_write_text(path, dump_yaml(data))
    stage.frozen = frozen
    return True


def freeze(repo, targets: list[str], frozen: bool = True, *, cwd: str | None = None,
           modifying: Callable[[Stage], None] = _quiet) -> FreezeResult:
    """`modifying` is told of each dvc.yaml stage before it is written (DVC prints 'Modifying stage')."""
    from stagecore.files.pipefile import is_parametrized, set_frozen
    from stagecore.ops.stage_files import stage_in_git

    changed: list[str] = []
    touched: list[str] = []
    verb = "freeze" if frozen else "unfreeze"
    for target in targets:
        try:
            stage = _one(repo, target, cwd)
            if stage.name is None:
                done = set_dvcfile_frozen(repo, stage, frozen)
            else:
                if is_parametrized(stage):
                    raise StagecoreError(f"cannot dump a parametrized stage: '{stage.addressing}'",
                                         hint=f"write `frozen: true` into '{stage.dvcfile}' by hand")
                modifying(stage)
                done = set_frozen(repo, stage, frozen)
        except StagecoreError as exc:
            raise StagecoreError(f"failed to {verb} '{target}' - {exc.message}", hint=exc.hint) from None
        if done:
            changed.append(stage.addressing)
            touched.append(stage.dvcfile)
    staged = stage_in_git(repo, changed, touched, _Staged)
    return FreezeResult(changed, staged.to_git_add, staged.autostaged)


class _Staged(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool
