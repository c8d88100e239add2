"""`stage add` and `run`: define a stage from command-line flags, write it, optionally run it.

With a name the stage goes into the current directory's `dvc.yaml` (appended; the rest of
the file untouched); without one into a single-stage `.dvc` file (`run -f train.dvc`, as
DVC 0.x/1.x did). `run` executes first and writes the files only after the command succeeded.
"""

from __future__ import annotations

import os
import posixpath
import string
from dataclasses import dataclass, field
from typing import NamedTuple

from stagecore.core.entry import Entry
from stagecore.core.stage import Stage
from stagecore.errors import IgnoredByDvcignoreError, OutputTrackedByGitError, StagecoreError, UsageError

_BAD_NAME = set(string.punctuation) - {"_", "-"}


@dataclass
class StageSpec:
    """What the flags say. Paths are as given (relative to `wdir`)."""

    cmd: str | None
    name: str | None = None
    file: str | None = None  # single-stage file (`-f`)
    wdir: str | None = None
    deps: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    outs: list[str] = field(default_factory=list)
    outs_no_cache: list[str] = field(default_factory=list)
    outs_persist: list[str] = field(default_factory=list)
    outs_persist_no_cache: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    metrics_no_cache: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    plots_no_cache: list[str] = field(default_factory=list)
    always_changed: bool = False
    desc: str | None = None


class AddResult(NamedTuple):
    stage: Stage
    dvcfile: str
    created: bool  # the dvc.yaml was created
    existed: bool  # a stage of that name was replaced
    to_git_add: list[str]
    autostaged: bool


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def parse_params(values: list[str]) -> dict[str, list[str] | None]:
    merged: dict[str, list[str]] = {}
    for value in values:
        path, _, keys = value.rpartition(":")
        merged.setdefault(path or "params.yaml", []).extend(k for k in keys.split(",") if k)
    return {path: (keys or None) for path, keys in merged.items()}


def build(repo, spec: StageSpec, cwd: str | None = None) -> Stage:
    """The stage the flags describe (no hashes yet), validated."""
    cwd = cwd or os.getcwd()
    if not spec.cmd:
        raise UsageError("command is not specified", hint="give the command after the options")
    if spec.name and spec.file:
        raise UsageError("`-f|--file` is incompatible with `-n|--name`", hint="use one of them")
    if spec.name is not None and (_BAD_NAME & set(spec.name) or not spec.name):
        raise UsageError("Stage name cannot contain punctuation characters.", hint="use letters, digits, '_' and '-'")
    wdir_rel = repo.relpath(spec.wdir or ".", cwd)
    if not os.path.isdir(os.path.join(repo.root, wdir_rel)):
        raise StagecoreError(f"stage working dir '{spec.wdir}' does not exist", hint="create it first")
    if spec.name is not None:
        dvcfile = posixpath.join(repo.relpath(".", cwd), "dvc.yaml").lstrip("/")
    else:
        dvcfile = repo.relpath(spec.file or _default_file(spec), cwd)
        if not dvcfile.endswith(".dvc"):  # DVC 3 reads no `Dvcfile` (DVC 0.x's default name): it would be lost
            raise UsageError(f"bad stage filename '{spec.file}'", hint="a single-stage file must end with '.dvc'")
    stage = Stage(dvcfile=dvcfile, name=spec.name, cmd=spec.cmd, wdir=wdir_rel,
                  always_changed=spec.always_changed, desc=spec.desc, params=parse_params(spec.params))
    stage.deps = [Entry(_posix(d), kind="dep") for d in spec.deps]
    groups = [  # DVC's order, also the order outputs are git-ignored in
        (spec.outs_persist, True, True, "out"), (spec.outs_persist_no_cache, False, True, "out"),
        (spec.metrics, True, False, "metric"), (spec.metrics_no_cache, False, False, "metric"),
        (spec.plots, True, False, "plot"), (spec.plots_no_cache, False, False, "plot"),
        (spec.outs_no_cache, False, False, "out"), (spec.outs, True, False, "out"),
    ]
    for paths, cache, persist, kind in groups:
        stage.outs.extend(Entry(_posix(p), cache=cache, persist=persist, kind=kind) for p in paths)
    _check(repo, stage)
    return stage


def _default_file(spec: StageSpec) -> str:
    for paths in (spec.outs, spec.outs_no_cache, spec.metrics, spec.metrics_no_cache, spec.plots,
                  spec.plots_no_cache, spec.outs_persist, spec.outs_persist_no_cache):
        if paths:
            return os.path.basename(os.path.normpath(paths[0])) + ".dvc"
    return "Dvcfile"


def _check(repo, stage: Stage) -> None:
    from stagecore.core.stage import is_external
    from stagecore.storage.fsutil import inside

    outs = {stage.out_path(o) for o in stage.outs}
    for dep in stage.deps:
        if stage.dep_path(dep) in outs:
            raise UsageError(f"'{stage.dep_path(dep)}' is specified as an output and as a dependency.",
                             hint="a stage cannot depend on its own output")
    seen: set[str] = set()
    deps = [stage.dep_path(d) for d in stage.deps]
    for path in [*deps, *(stage.out_path(o) for o in stage.outs)]:
        if path not in deps or not (is_external(path) or path.startswith("../")):  # legal deps, as in DVC
            inside(repo.root, path)
        if path in seen:
            raise UsageError(f"file '{path}' is specified more than once.", hint="list each path once")
        seen.add(path)
    for out in stage.outs:
        path = stage.out_path(out)
        if path == ".dvc" or path.startswith((".dvc/", ".git/")) or path == ".git":
            raise UsageError(f"output '{path}' is inside .dvc or .git", hint="choose another output path")
        if out.cache and repo.scm is not None and repo.scm.is_tracked(path):
            raise OutputTrackedByGitError(path)
        full = os.path.join(repo.root, path)
        rule = None if repo.ignore.empty else repo.ignore.match(path, os.path.isdir(full))
        if rule:  # DVC refuses an output its .dvcignore hides (nothing written)
            raise IgnoredByDvcignoreError(full, rule)


_ANNOTATIONS = ("desc", "type", "labels", "meta")


def restore_fields(repo, stage: Stage) -> None:
    """Replacing a stage keeps what DVC keeps: its `desc` and `meta` (the old `desc` even when a new
    one is given, as DVC 3.67.1 does), and each same-path output's desc/type/labels/meta/remote/push."""
    from dataclasses import replace

    old = next((s for s in repo.stages() if s.dvcfile == stage.dvcfile and s.name == stage.name), None)
    if old is None or stage.name is None:
        return
    stage.desc = old.desc
    stage.raw = {"meta": old.raw["meta"]} if old.raw.get("meta") is not None else {}
    old_outs = {out.path: out for out in old.outs}
    for i, out in enumerate(stage.outs):
        prev = old_outs.get(out.path)
        if prev is not None:
            extra = {**out.extra, **{k: prev.extra[k] for k in _ANNOTATIONS if k in prev.extra}}
            stage.outs[i] = replace(out, extra=extra, remote=prev.remote, push=prev.push)


def check_graph(repo, stage: Stage, force: bool) -> None:
    """Refuse a stage that would make the pipeline invalid (duplicate outs, cycles...)."""
    from stagecore.core.dag import build_graph

    others = [s for s in repo.stages() if s != stage]
    if stage.name is None and not force and os.path.exists(os.path.join(repo.root, stage.dvcfile)):
        raise StagecoreError(f"'{stage.dvcfile}' already exists.", hint="use '--force' to overwrite it")
    if stage.name is not None and not force and any(s.dvcfile == stage.dvcfile and s.name == stage.name
                                                    for s in repo.stages()):
        raise StagecoreError(f"Stage '{stage.name}' already exists in '{stage.dvcfile}'.",
                             hint="use '--force' to overwrite it")
    if stage.name is None:
        others = [s for s in others if s.dvcfile != stage.dvcfile]
    build_graph([*others, stage])


def write_definition(repo, stage: Stage, force: bool) -> tuple[bool, bool]:
    """Write the stage into its dvc.yaml: (file created, stage replaced)."""
    from stagecore.core.pipeline import pipeline_data
    from stagecore.files.pipefile import write_stage

    assert stage.name is not None
    base = posixpath.dirname(stage.dvcfile)
    wdir = posixpath.relpath(stage.wdir or ".", base or ".")
    return write_stage(repo, stage.dvcfile, stage.name, pipeline_data(stage, wdir), force=force)


def ignore_outs(repo, stage: Stage) -> list[str]:
    from stagecore.files.gitignore import add_entry

    touched = []
    for out in stage.outs:
        path = stage.out_path(out)
        if out.cache and os.path.isdir(os.path.join(repo.root, posixpath.dirname(path))):
            # a parent that does not exist yet gets its entry when the stage runs
            gi = add_entry(repo.root, path, repo.scm)
            if gi and gi not in touched:
                touched.append(gi)
    return touched


def stage_add(repo, spec: StageSpec, *, force: bool = False, cwd: str | None = None) -> AddResult:
    """`stage add`: write the stage (dvc.yaml only) and git-ignore its cached outputs."""
    from stagecore.ops.repolock import locked
    from stagecore.ops.stage_files import stage_in_git

    if spec.name is None:
        raise UsageError("`-n|--name` is required", hint="name the stage: `stagecore stage add -n NAME ...`")
    stage = build(repo, spec, cwd)
    with locked(repo):
        check_graph(repo, stage, force)
        restore_fields(repo, stage)
        created, existed = write_definition(repo, stage, force)
    touched = [stage.dvcfile, *ignore_outs(repo, stage)]
    staged = stage_in_git(repo, [stage.dvcfile], touched, _Staged)
    return AddResult(stage, stage.dvcfile, created, existed, staged.to_git_add, staged.autostaged)


class _Staged(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


class RunResult(NamedTuple):
    stage: Stage
    created: bool
    existed: bool
    ran: bool
    to_git_add: list[str]
    autostaged: bool


def run(repo, spec: StageSpec, *, force: bool = False, no_exec: bool = False, run_cache: bool = True,
        cwd: str | None = None, notify=None) -> RunResult:
    """`run`: execute the new stage's command, then record the stage and its lock."""
    from stagecore.ops.repolock import locked

    with locked(repo):
        return _run(repo, spec, force=force, no_exec=no_exec, run_cache=run_cache, cwd=cwd, notify=notify)


def _run(repo, spec: StageSpec, *, force: bool, no_exec: bool, run_cache: bool, cwd: str | None,
         notify) -> RunResult:
    from stagecore.files.params import lock_values
    from stagecore.ops.execute import commit_stage, remove_outs, run_command
    from stagecore.ops.stage_deps import ReproEvent
    from stagecore.ops.stage_files import stage_in_git

    notify = notify or (lambda _event: None)
    stage = build(repo, spec, cwd)
    check_graph(repo, stage, force)
    restore_fields(repo, stage)
    created = existed = False
    touched: list[str] = []
    if not no_exec:
        params = lock_values(repo, stage) if stage.params else {}
        remove_outs(repo, stage, notify)
        if force or not _restored(repo, stage, params, run_cache, notify):
            run_command(repo, stage, notify=notify)
        if stage.name is None and os.path.exists(os.path.join(repo.root, stage.dvcfile)):
            os.unlink(os.path.join(repo.root, stage.dvcfile))  # --force: a fresh file
    if stage.name is not None:
        created, existed = write_definition(repo, stage, force)
        notify(ReproEvent("defined", stage, (created, existed)))
        touched.append(stage.dvcfile)
    if no_exec:
        if stage.name is None:
            from stagecore.files.dvcfile_cmd import write_cmd_stage

            write_cmd_stage(repo.root, stage)
            touched.append(stage.dvcfile)
        touched.extend(ignore_outs(repo, stage))
    else:
        touched.extend(commit_stage(repo, stage, params, notify, run_cache=run_cache))
        if stage.name is None and stage.dvcfile not in touched:
            touched.append(stage.dvcfile)
    staged = stage_in_git(repo, [stage.dvcfile], touched, _Staged)
    return RunResult(stage, created, existed, not no_exec, staged.to_git_add, staged.autostaged)


def _restored(repo, stage: Stage, params: dict, run_cache: bool, notify) -> bool:
    from stagecore.ops.restore import restore

    return restore(repo, stage, params, False, run_cache, notify)
