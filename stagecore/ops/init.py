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


def init(root: str, *, no_scm: bool = False, force: bool = False) -> InitResult:
    from stagecore.scm import Git, discover_root

    root = os.path.abspath(root)
    dvc_dir = os.path.join(root, DVC_DIR)
    if not no_scm and discover_root(root) is None:
        raise StagecoreError(
            f"failed to initiate DVC - {root} is not tracked by any supported SCM tool (e.g. Git).",
            hint="run `git init` first, or use `--no-scm` to work without git",
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
    if not no_scm:
        Git(root).add([".dvc/.gitignore", ".dvc/config", ".dvcignore"])
    return InitResult(root, not no_scm)
