"""`init`: create `.dvc/` exactly as DVC 3 does, and stage it in git."""

from __future__ import annotations

import os
import shutil
from typing import NamedTuple

from stagecore.errors import StagecoreError
from stagecore.repo import DVC_DIR

DVC_GITIGNORE = "/config.local\n/tmp\n/cache\n"
DVCIGNORE = (
    "# Add patterns of files dvc should ignore, which could improve\n"
    "# the performance. Learn more at\n"
    "# https://dvc.org/doc/user-guide/dvcignore\n"
)


class InitResult(NamedTuple):
    root: str
    scm: bool


_NOT_TRACKED = (
    "failed to initiate DVC - {root} is not tracked by any supported SCM tool (e.g. Git). Use `--no-scm` if "
    "you don't want to use any SCM or `--subdir` if initializing inside a subdirectory of a parent SCM repository."
)


def init(root: str, *, no_scm: bool = False, force: bool = False, subdir: bool = False) -> InitResult:
    """Create `.dvc/`. Inside a sub-directory of a git work tree only with `subdir` (a nested
    project, as `dvc init --subdir` makes): refused before anything is written otherwise."""
    from stagecore.scm import Git, discover_root

    root = os.path.abspath(root)
    dvc_dir = os.path.join(root, DVC_DIR)
    git_root = None if no_scm else discover_root(root)
    if not no_scm and git_root is None:
        raise StagecoreError(_NOT_TRACKED.format(root=root),
                             hint="run `git init` first, or use `--no-scm` to work without git")
    if git_root is not None and not subdir and not _same_dir(git_root, root):
        raise StagecoreError(
            _NOT_TRACKED.format(root=root),
            hint=f"run `stagecore init --subdir` for a project inside the git repository at {git_root}, "
                 f"or `stagecore init` at {git_root}",
        )
    if os.path.exists(dvc_dir):
        if not force:
            raise StagecoreError(
                "failed to initiate DVC - '.dvc' exists.", hint="use `-f` to reinitialise it"
            )
        shutil.rmtree(dvc_dir)
    os.makedirs(os.path.join(dvc_dir, "tmp"))
    open(os.path.join(dvc_dir, "tmp", "btime"), "w").close()
    with open(os.path.join(dvc_dir, "config"), "w") as fobj:
        if no_scm:
            fobj.write("[core]\n    no_scm = True\n")
    if not no_scm:
        with open(os.path.join(dvc_dir, ".gitignore"), "w") as fobj:
            fobj.write(DVC_GITIGNORE)
    ignore_path = os.path.join(root, ".dvcignore")
    if not os.path.exists(ignore_path):
        with open(ignore_path, "w") as fobj:
            fobj.write(DVCIGNORE)
    if git_root is not None:
        prefix = os.path.relpath(root, git_root)
        names = [".dvc/.gitignore", ".dvc/config", ".dvcignore"]
        Git(git_root).add([n if prefix == "." else f"{prefix}/{n}" for n in names])
    return InitResult(root, not no_scm)


def _same_dir(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
