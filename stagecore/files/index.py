"""Finding the repository's stages: every `*.dvc` file and every `dvc.yaml` in the work tree.

The walk skips `.git`, `.dvc`, `.dvcignore`d directories and directories their parent's
`.gitignore` names literally (`/images`): tracked outputs, which never hold dvc files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from stagecore.core.stage import Stage
from stagecore.errors import ConfigError, StagecoreError
from stagecore.files.ignore import ALWAYS

PIPELINE_FILE = "dvc.yaml"
LOCK_FILE = "dvc.lock"


def _ignored_names(dirpath: str) -> set[str]:
    try:
        with open(os.path.join(dirpath, ".gitignore"), encoding="utf-8") as fobj:
            lines = fobj.read().splitlines()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return set()
    names = set()
    for line in lines:
        name = line.strip().lstrip("/").rstrip("/")
        if name and "/" not in name and not any(c in name for c in "*?[!#\\"):
            names.add(name)
    return names


def find_dvc_files(repo) -> tuple[list[str], list[str]]:
    """(`.dvc` files, `dvc.yaml` files), repo-relative, sorted; nested projects left out."""
    dvcfiles: list[str] = []
    pipelines: list[str] = []
    stack = [""]
    while stack:
        reldir = stack.pop()
        absdir = os.path.join(repo.root, reldir)
        try:
            entries = list(os.scandir(absdir))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        if reldir and any(e.name == ".dvc" and e.is_dir(follow_symlinks=False) for e in entries):
            continue  # a nested project (`init --subdir`): another repository, as DVC sees it
        skip = _ignored_names(absdir)
        for entry in entries:
            name = entry.name
            rel = f"{reldir}/{name}" if reldir else name
            try:
                isdir = entry.is_dir(follow_symlinks=False)  # never follow a symlinked dir (loops)
            except OSError:
                continue
            if isdir:
                if name in ALWAYS or name in skip:
                    continue
                if not repo.ignore.empty and repo.ignore.match(rel, True):
                    continue
                stack.append(rel)
            elif name == PIPELINE_FILE:
                pipelines.append(rel)
            elif name.endswith(".dvc") and name != ".dvc":
                if repo.ignore.empty or not repo.ignore.match(rel, False):
                    dvcfiles.append(rel)
    return sorted(dvcfiles), sorted(pipelines)


class DvcFilesError(StagecoreError):
    """Several dvc files that cannot be loaded. The CLI writes one `ERROR:` line per file
    (each followed by its hint): the message holds the later ones on lines of their own."""

    def __init__(self, errors: list[StagecoreError]) -> None:
        parts = [exc.message + (f"\nhint: {exc.hint}" if exc.hint else "") for exc in errors[:-1]]
        super().__init__("\nERROR: ".join([*parts, errors[-1].message]), hint=errors[-1].hint)
        self.errors = errors
        self.exit_code = errors[0].exit_code


def raise_problems(errors: list[StagecoreError]) -> None:
    """Raise the dvc file problems collected by `collect_stages` (nothing when there are none)."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DvcFilesError(errors)


def _load_each(relpaths: list[str], load, errors: list[StagecoreError]) -> Iterator[Stage]:
    """The stages of each file that loads and passes the gate; the others' errors collected
    (a bad config stops everything: every file would fail the same way)."""
    for rel in relpaths:
        try:
            loaded = load(rel)
            for stage in loaded:
                check_outs_inside(stage)
        except ConfigError:
            raise
        except StagecoreError as exc:
            errors.append(exc)
            continue
        yield from loaded


def collect_stages(repo, problems: list[StagecoreError] | None = None) -> list[Stage]:
    """Every stage of every dvc file. A file that cannot be loaded (bad YAML, failed validation,
    refused by the gate) does not stop the others: every such problem is collected, then raised
    together (one line each) or, with `problems` given, appended there and the good stages
    returned (a command that targets other stages goes on, as DVC's does). A bad configuration
    still stops everything."""
    from stagecore.files.dvcfile import load_dvcfile

    dvcfiles, pipelines = find_dvc_files(repo)
    errors: list[StagecoreError] = []
    stages = list(_load_each(dvcfiles, lambda rel: [load_dvcfile(repo.root, rel)], errors))
    if pipelines:
        from stagecore.files.pipefile import load_pipeline

        stages += _load_each(pipelines, lambda rel: load_pipeline(repo, rel), errors)
    if problems is None:
        raise_problems(errors)
    else:
        problems.extend(errors)
    return stages


def check_outs_inside(stage: Stage) -> None:
    """Refuse a stage whose outputs would be written outside the repository or into .dvc/.git,
    or whose hash values are not md5 values: the gate (`core.safepath.check_stage`)."""
    from stagecore.core.safepath import check_stage

    check_stage(stage)
