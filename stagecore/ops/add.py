"""`add`: put files and directories under data control (`PATH.dvc` next to each).

What DVC 3.67.1 refuses is refused before anything is written (`ops.add_checks`): a dvc file
itself, a path inside a symlinked directory, a `.dvc` name git ignores, a path another stage
owns or that holds another stage's output. A path inside a directory a `.dvc` file already
tracks updates that `.dvc` file (the whole directory is saved again), as DVC does.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from stagecore.core.entry import Entry
from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError
from stagecore.files.dvcfile import load_dvcfile, write_dvcfile
from stagecore.files.gitignore import add_entry
from stagecore.ops import outs as outs_ops
from stagecore.ops.stage_files import stage_in_git


class AddResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]  # files the user should `git add` (empty when autostaged)
    autostaged: bool


class AddOptions(NamedTuple):
    no_commit: bool = False  # record the hash, leave the cache alone
    glob: bool = False  # targets are shell-style patterns
    out: str | None = None  # copy the (one) target here first, then track it there
    force: bool = False  # with `out`: replace what is there


def add(repo, targets: list[str], cwd: str | None = None, options: AddOptions | None = None) -> AddResult:
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _add(repo, targets, cwd, options or AddOptions())
        finally:
            sweep_seen(repo)


def _add(repo, targets: list[str], cwd: str | None, options: AddOptions) -> AddResult:
    from stagecore.files.index import collect_stages
    from stagecore.ops.add_checks import check_target, plan

    if options.glob:
        targets = expand_globs(targets, cwd)
    if options.out is not None:
        targets = [_copy_in(repo, targets, cwd, options)]
    stages = collect_stages(repo)  # a corrupt dvc file stops `add`, as in DVC
    rels = [check_target(repo, t, cwd) for t in targets]
    dvcfiles: list[str] = []
    touched: list[str] = []
    for rel, dvcfile in plan(repo, stages, rels):
        was_link = os.path.islink(os.path.join(repo.root, rel))
        stage, entry = _stage_for(repo, rel, dvcfile)
        saved = save_output(repo, rel, entry, commit=not options.no_commit)
        if was_link and not options.no_commit:  # a symlinked file is tracked as its content, as DVC does
            outs_ops.checkout(repo, rel, saved.hash, saved.meta, relink=True)
        stage.outs = [saved if o is entry else o for o in stage.outs]
        if write_dvcfile(repo.root, stage) or not _tracked(repo, dvcfile):
            touched.append(dvcfile)
        gi = add_entry(repo.root, rel, repo.scm)
        if gi:
            touched.append(gi)
        dvcfiles.append(dvcfile)
    return stage_in_git(repo, dvcfiles, touched, AddResult)


def _stage_for(repo, rel: str, dvcfile: str) -> tuple[Stage, Entry]:
    """The stage of `dvcfile` (read when it exists) and its entry for output `rel`."""
    if os.path.exists(os.path.join(repo.root, dvcfile)):
        stage = load_dvcfile(repo.root, dvcfile)
        old = next((o for o in stage.outs if stage.out_path(o) == rel), None)
        if old is not None:
            return stage, old
        entry = Entry(os.path.relpath(rel, stage.wdir or ".").replace(os.sep, "/"))
    else:
        stage = Stage(dvcfile=dvcfile, wdir=os.path.dirname(rel).replace(os.sep, "/"))
        entry = Entry(os.path.basename(rel))
    stage.outs.append(entry)
    return stage, entry


def expand_globs(patterns: list[str], cwd: str | None) -> list[str]:
    """Each pattern's matches (recursive `**`), sorted; a pattern matching nothing is refused."""
    import glob

    base = cwd or os.getcwd()
    found: list[str] = []
    empty: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, root_dir=base, recursive=True))
        if not matches:
            empty.append(pattern)
        found += [m for m in matches if m not in found]
    if empty:
        raise StagecoreError(f"Glob {empty} has no matches.", hint="check the pattern (quote it for the shell)")
    return found


def _copy_in(repo, targets: list[str], cwd: str | None, options: AddOptions) -> str:
    """`add SRC -o OUT`: copy SRC (a file or a directory, anywhere) to OUT in the repository."""
    import shutil

    if len(targets) != 1:
        raise StagecoreError("multiple targets can't be used with --out", hint="give one target with -o/--out")
    base = cwd or os.getcwd()
    src = os.path.join(base, targets[0])
    assert options.out is not None
    rel = repo.relpath(options.out, cwd)
    full = os.path.join(repo.root, rel)
    parent = os.path.dirname(full)
    if not os.path.isdir(parent):
        raise StagecoreError(f"stage working dir '{os.path.dirname(rel) or '.'}' does not exist",
                             hint="create the directory first, or choose another -o/--out")
    if not os.path.exists(src):
        raise StagecoreError(f"'{targets[0]}' does not exist", hint="check the path given to `add -o`")
    if os.path.lexists(full):
        if not options.force:
            raise StagecoreError(f"The file '{options.out}' already exists locally.",
                                 hint="to override it, re-run with '--force'")
        outs_ops.delete(repo, rel)
    from stagecore.storage.fsguard import write_target

    write_target(repo.root, rel, repo.cache_dir, isdir=os.path.isdir(src))  # no link on the way leads out
    if os.path.isdir(src):
        shutil.copytree(src, full, symlinks=False)
    else:
        shutil.copyfile(src, full)
    return os.path.join(repo.root, rel)


def save_output(repo, rel: str, entry: Entry, *, commit: bool = True) -> Entry:
    """`outs.save`, with a refused local write (disk full, read-only...) named by the output.
    `commit=False` (`--no-commit`): the hash only, the cache left alone."""
    try:
        if not commit:
            measured = outs_ops.measure_for(repo, rel, entry)
            if measured is None:
                raise StagecoreError(f"output '{rel}' does not exist", hint="check the path")
            return entry.with_hash(measured.hash, measured.meta)
        return outs_ops.save(repo, rel, entry)
    except OSError as exc:
        from stagecore.storage.fsutil import raise_disk_error

        raise_disk_error(exc, exc.filename or os.path.join(repo.root, rel))
        raise


def _tracked(repo, rel: str) -> bool:
    return repo.scm is not None and repo.scm.is_tracked(rel)
