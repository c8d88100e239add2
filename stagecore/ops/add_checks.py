"""What `add` refuses before it writes anything, with DVC 3.67.1's meaning, and where each
target is recorded (its own `PATH.dvc`, or the `.dvc` file of the directory that holds it)."""

from __future__ import annotations

import os
import posixpath

from stagecore.core.stage import Stage
from stagecore.errors import IgnoredByDvcignoreError, OutputTrackedByGitError, StagecoreError
from stagecore.ops.overlaps import claims, find_overlaps


class AddRefusedError(StagecoreError):
    """`add` of a path DVC would not add either (nothing written)."""


def check_target(repo, target: str, cwd: str | None) -> str:
    """The repo-relative path of `target`, refused when DVC refuses it."""
    rel = repo.relpath(target, cwd)
    if rel == "" or rel == ".dvc" or rel.startswith(".dvc/") or rel == ".git" or rel.startswith(".git/"):
        raise AddRefusedError(
            f"cannot add '{target}': it is the repository itself or inside `.dvc`/`.git`",
            hint="add a data file or directory inside the repository",
        )
    name = posixpath.basename(rel)
    if name == "dvc.yaml" or (name.endswith(".dvc") and name != ".dvc"):
        raise AddRefusedError(f"DVC file '{name}' cannot be an output.",  # DVC names the file alone
                              hint="dvc files stay in git; add the data they describe instead")
    full = os.path.join(repo.root, rel)
    _refuse_symlinked_dir(repo.root, _lexical(repo.root, target, cwd) or rel, target)
    if not os.path.lexists(full):
        raise StagecoreError(f"'{target}' does not exist", hint="check the path; `stagecore add` takes existing files")
    rule = repo.ignore.match(rel, os.path.isdir(full))
    if rule:
        raise IgnoredByDvcignoreError(full, rule)
    if repo.scm is not None and repo.scm.is_tracked(rel):
        raise OutputTrackedByGitError(rel)
    return rel


def _lexical(root: str, target: str, cwd: str | None) -> str | None:
    """`target` relative to the root as typed (symlinks not resolved); None when not below it."""
    full = os.path.normpath(os.path.join(cwd or os.getcwd(), target))
    for base in dict.fromkeys((root, os.path.realpath(root))):
        if full.startswith(base + os.sep):
            return os.path.relpath(full, base).replace(os.sep, "/")
    return None


def _refuse_symlinked_dir(root: str, rel: str, target: str) -> None:
    """A path below a symlinked directory, or a symlink to a directory, is refused (DVC's
    'Cannot add files inside symlinked directories'); a symlink to a file is added as its content."""
    parts = rel.split("/")
    for depth in range(1, len(parts) + 1):
        here = os.path.join(root, *parts[:depth])
        if os.path.islink(here) and (depth < len(parts) or os.path.isdir(here)):
            link = "/".join(parts[:depth])
            raise AddRefusedError(
                f"Cannot add files inside symlinked directories to DVC: '{link}' is a symlink "
                f"(adding '{target}')",
                hint="add the directory the link points to, or copy the data into the repository")


def plan(repo, stages: list[Stage], rels: list[str]) -> list[tuple[str, str]]:
    """(output path, dvc file) for each target, in order, once each."""
    overlaps = find_overlaps(stages)
    if overlaps:  # DVC builds its whole graph first: an overlap anywhere stops `add`
        raise AddRefusedError(overlaps[0].message, hint=overlaps[0].hint)
    owned = claims(stages)
    result: list[tuple[str, str]] = []
    for rel in rels:
        item = _place(repo, owned, rel)
        if item not in result:
            result.append(item)
    return result


def _stage_words(stage: Stage) -> str:
    """DVC's "stage: 'name' in 'dvc.yaml'" (a `.dvc` file: its name)."""
    return f"'{stage.dvcfile}'" if stage.name is None else f"stage: '{stage.name}' in '{stage.dvcfile}'"


def _is_data_stage(stage: Stage) -> bool:
    return stage.name is None and stage.cmd is None and not stage.deps


def _place(repo, owned: list[tuple[str, Stage]], rel: str) -> tuple[str, str]:
    outer = [(path, stage) for path, stage in owned if rel == path or rel.startswith(path + "/")]
    for path, stage in outer:
        if _is_data_stage(stage):  # `add dir/new` with dir.dvc: dir.dvc is updated, as DVC does
            return path, stage.dvcfile
    if outer:
        path, stage = outer[0]
        raise AddRefusedError(
            f"cannot update '{rel}': overlaps with an output of {_stage_words(stage)}.",
            hint="run the pipeline (`stagecore repro`) or use `stagecore commit -f` to force update it")
    inner = [(path, stage) for path, stage in owned if path.startswith(rel + "/")]
    if inner:
        path, stage = inner[0]
        raise AddRefusedError(
            f"Cannot add '{rel}', because it is overlapping with other DVC tracked output: '{path}'.",
            hint=f"to include '{path}' in '{rel}', run `stagecore remove {stage.addressing}` "
                 f"and then `stagecore add {rel}`")
    dvcfile = rel + ".dvc"
    if repo.scm is not None and repo.scm.is_ignored(dvcfile):
        raise AddRefusedError(f"bad DVC file name '{dvcfile}' is git-ignored.",
                              hint=f"change the .gitignore pattern that matches '{dvcfile}'")
    return rel, dvcfile
