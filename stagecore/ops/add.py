"""`add`: put files and directories under data control (`PATH.dvc` next to each)."""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.entry import Entry
from stagecore.core.stage import Stage
from stagecore.dvcfile import load_dvcfile, write_dvcfile
from stagecore.errors import IgnoredByDvcignoreError, OutputTrackedByGitError, StagecoreError
from stagecore.gitignore import add_entry
from stagecore.ops import outs as outs_ops
from stagecore.ops.stage_files import stage_in_git


class AddResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]  # files the user should `git add` (empty when autostaged)
    autostaged: bool


def add(repo, targets: list[str], cwd: str | None = None) -> AddResult:
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _add(repo, targets, cwd)
        finally:
            sweep_seen(repo)


def _add(repo, targets: list[str], cwd: str | None) -> AddResult:
    rels = [_check_target(repo, t, cwd) for t in targets]
    dvcfiles: list[str] = []
    touched: list[str] = []
    for rel in rels:
        dvcfile = rel + ".dvc"
        if os.path.exists(os.path.join(repo.root, dvcfile)):
            stage = load_dvcfile(repo.root, dvcfile)
            old = next((o for o in stage.outs if stage.out_path(o) == rel), None)
            entry = old or Entry(os.path.basename(rel))
            if old is None:
                stage.outs.append(entry)
        else:
            stage = Stage(dvcfile=dvcfile, wdir=os.path.dirname(rel).replace(os.sep, "/"))
            entry = Entry(os.path.basename(rel))
            stage.outs.append(entry)
        saved = save_output(repo, rel, entry)
        stage.outs = [saved if o is entry else o for o in stage.outs]
        if write_dvcfile(repo.root, stage):
            touched.append(dvcfile)
        elif not _tracked(repo, dvcfile):
            touched.append(dvcfile)
        gi = add_entry(repo.root, rel, repo.scm)
        if gi:
            touched.append(gi)
        dvcfiles.append(dvcfile)
    return stage_in_git(repo, dvcfiles, touched, AddResult)


def save_output(repo, rel: str, entry: Entry) -> Entry:
    """`outs.save`, with a refused local write (disk full, read-only...) named by the output."""
    try:
        return outs_ops.save(repo, rel, entry)
    except OSError as exc:
        from stagecore.fsutil import raise_disk_error

        raise_disk_error(exc, exc.filename or os.path.join(repo.root, rel))
        raise


def _tracked(repo, rel: str) -> bool:
    return repo.scm is not None and repo.scm.is_tracked(rel)


def _check_target(repo, target: str, cwd: str | None) -> str:
    rel = repo.relpath(target, cwd)
    if rel == "" or rel == ".dvc" or rel.startswith(".dvc/") or rel == ".git" or rel.startswith(".git/"):
        raise StagecoreError(
            f"cannot add '{target}': it is the repository itself or inside `.dvc`/`.git`",
            hint="add a data file or directory inside the repository",
        )
    full = os.path.join(repo.root, rel)
    if not os.path.lexists(full):
        raise StagecoreError(f"'{target}' does not exist", hint="check the path; `stagecore add` takes existing files")
    rule = repo.ignore.match(rel, os.path.isdir(full))
    if rule:
        raise IgnoredByDvcignoreError(full, rule)
    if repo.scm is not None and repo.scm.is_tracked(rel):
        raise OutputTrackedByGitError(rel)
    return rel
