"""Resolving command-line targets to stages, as DVC 3 parses them (`dvc.utils.parse_target`).

`name` (a stage of `./dvc.yaml`, or every stage a `foreach`/`matrix` group generates),
`name@key`, `:` (every stage of `./dvc.yaml`), `:name`, `dvc.yaml:name`, `sub/dvc.yaml[:name]`,
`file.dvc`, and for the commands that take them (not `repro`) an output or a path inside one.
With `glob` the name is a shell pattern matched against the stage names (`dvc repro --glob`).
"""

from __future__ import annotations

import os
import posixpath
import re
from fnmatch import fnmatch

from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError, TargetNotFoundError

_TARGET = re.compile(r"(?P<path>.*?)(:(?P<name>[^\\/:]*))??$")
PROJECT_FILE = "dvc.yaml"


class StageNotFoundError(TargetNotFoundError):
    """DVC's StageNotFound / NoOutputOrStageError / StageFileDoesNotExistError texts."""

    def __init__(self, target: str, message: str,
                 hint: str = "`stagecore stage list --all` lists every stage and .dvc file") -> None:
        super().__init__(target, hint=hint)
        self.message = message
        self.args = (message,)


def is_dvc_filename(path: str) -> bool:
    """DVC 3's `is_valid_filename`: a `Dvcfile` (DVC 0.x's default stage file) is not one."""
    name = posixpath.basename(path.replace(os.sep, "/"))
    return name.endswith(".dvc") or name == PROJECT_FILE


def parse_target(target: str, glob: bool = False) -> tuple[str | None, str | None]:
    """(dvc file as written, or None for a bare name; stage name or pattern, or None for all)."""
    if glob:
        path, _, pattern = target.rpartition(":")
        return path or PROJECT_FILE, pattern or None
    group, _, key = target.partition("@")
    match = _TARGET.match(group)
    assert match is not None  # every string matches
    path, name = match.group("path"), match.group("name")
    if name and key:
        name += f"@{key}"
    if path:
        if posixpath.basename(path) == "dvc.lock":
            raise StagecoreError(f"Did you mean: `{target.replace('.lock', '.yaml', 1)}`?")
        if not name:
            return (target, None) if is_dvc_filename(target) else (None, target)
    return path or PROJECT_FILE, name or None


def resolve(repo, targets: list[str] | None, cwd: str | None = None,
            stages: list[Stage] | None = None, *, outputs: bool = True, glob: bool = False) -> list[Stage]:
    """The stages `targets` name, in order; `outputs=False`: not by an output path, and `glob`
    patterns of stage names (as `dvc repro`)."""
    problems: list = []  # dvc files that cannot be loaded: fatal only when a target is not found
    if stages is None:
        from stagecore.files.index import collect_stages

        stages = collect_stages(repo, problems=problems) if targets else repo.stages()
    if not targets:
        return stages
    cwd = cwd or os.getcwd()
    chosen: list[Stage] = []
    for target in targets:
        try:
            matched = _match(repo, stages, target, cwd, outputs=outputs, glob=glob)
        except TargetNotFoundError:
            from stagecore.files.index import raise_problems

            raise_problems(problems)  # the target may be in a file that could not be loaded
            raise
        for stage in matched:
            if stage not in chosen:
                chosen.append(stage)
    return chosen


def _named(stages: list[Stage], relfile: str, name: str | None) -> list[Stage]:
    """The stages of `relfile` called `name` (None: all; a foreach/matrix group: its stages)."""
    in_file = [s for s in stages if s.dvcfile == relfile]
    if name is None or relfile.endswith(".dvc"):
        return in_file
    exact = [s for s in in_file if s.name == name]
    return exact or [s for s in in_file if s.name is not None and s.name.startswith(name + "@")]


def _load_all(repo, stages: list[Stage], target: str, file: str, name: str | None, cwd: str,
              glob: bool = False) -> list[Stage]:
    relfile = repo.relpath(file, cwd)
    if not os.path.exists(os.path.join(repo.root, relfile)):
        full = os.path.normpath(os.path.join(cwd, file))
        raise StageNotFoundError(target, f"'{full}' does not exist")
    if glob:
        return [s for s in stages if s.dvcfile == relfile and (name is None or fnmatch(s.name or "", name))]
    found = _named(stages, relfile, name)
    if not found and name is not None:
        shown = os.path.relpath(os.path.join(repo.root, relfile), cwd).replace(os.sep, "/")
        raise StageNotFoundError(target, f"Stage '{name}' not found inside '{shown}' file")
    return found


def _match(repo, stages: list[Stage], target: str, cwd: str, *, outputs: bool = True,
           glob: bool = False) -> list[Stage]:
    if not outputs:  # DVC's `collect` (repro): a dvc file and a stage name or pattern, never an output
        file, name = parse_target(target, glob=glob)
        return _load_all(repo, stages, target, file or PROJECT_FILE, name, cwd, glob=glob)
    file, name = parse_target(target)  # DVC's `collect_granular`
    if file is None:  # a bare name: a stage of ./dvc.yaml first, then an output
        found = _named(stages, repo.relpath(PROJECT_FILE, cwd), name)
        if found:
            return found
    elif is_dvc_filename(file):
        return _load_all(repo, stages, target, file, name, cwd)
    rel = repo.relpath(target, cwd)
    for stage in stages:
        for out in stage.outs:
            path = stage.out_path(out)
            if rel == path or rel.startswith(path + "/"):
                return [stage]
    try:
        return _load_all(repo, stages, target, file or PROJECT_FILE, name, cwd)
    except StageNotFoundError as exc:
        raise StageNotFoundError(
            target, f"'{target}' does not exist as an output or a stage name in '{PROJECT_FILE}': {exc.message}"
        ) from None


def resolve_scoped(repo, targets: list[str] | None, *, with_deps: bool = False, recursive: bool = False,
                   glob: bool = False, cwd: str | None = None) -> list[Stage]:
    """`resolve` with DVC's scope flags: `glob` expands shell wildcards in the targets (no match at
    all is an error), `recursive` takes a directory target as every stage whose dvc file is inside
    it, `with_deps` adds every stage the chosen ones depend on (upstream, through their deps)."""
    cwd = cwd or os.getcwd()
    if glob and targets:
        targets = _glob(targets, cwd)
    stages = repo.stages() if (with_deps or recursive) and targets else None
    chosen: list[Stage] = []
    plain: list[str] = []
    for target in targets or []:
        path = target if os.path.isabs(target) else os.path.join(cwd, target)
        if recursive and os.path.isdir(path):
            rel = repo.relpath(target, cwd)
            inside = [s for s in stages or [] if rel in ("", ".") or s.dvcfile.startswith(rel.rstrip("/") + "/")]
            chosen += [s for s in inside if s not in chosen]
        else:
            plain.append(target)
    if plain or not targets:
        chosen += [s for s in resolve(repo, plain or None, cwd, stages) if s not in chosen]
    if with_deps and targets:
        from stagecore.core.dag import build_graph

        keep = build_graph(stages or repo.stages()).closure(chosen)
        chosen = [s for s in stages or repo.stages() if s in keep or s in chosen]
    return chosen


def _glob(targets: list[str], cwd: str) -> list[str]:
    from glob import iglob

    from stagecore.errors import StagecoreError

    found = [match for target in targets for match in iglob(target, root_dir=cwd, recursive=True)]
    if not found:
        raise StagecoreError(f"Glob {targets} has no matches.", hint="check the pattern (quote it from the shell)")
    return found
