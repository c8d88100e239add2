"""Outputs two stages claim: the same path in two dvc files or stages, or one output inside
another's. DVC refuses such a repository (its graph check); `add` and the pre-commit gate ask here."""

from __future__ import annotations

from typing import NamedTuple

from stagecore.core.stage import Stage


class Overlap(NamedTuple):
    path: str  # the inner (or shared) output
    stage: Stage
    other_path: str  # the outer output (== path when both claim the same path)
    other: Stage

    @property
    def message(self) -> str:
        if self.path == self.other_path:
            return (f"output '{self.path}' is specified in both {label(self.other)} and {label(self.stage)}")
        return (f"output '{self.path}' of {label(self.stage)} is inside output '{self.other_path}' "
                f"of {label(self.other)}")

    @property
    def hint(self) -> str:
        return f"stop tracking it in one of them (`stagecore remove {self.stage.addressing}`)"


def label(stage: Stage) -> str:
    """A stage as a user finds it: its `.dvc` file, or `dvc.yaml` with the stage name."""
    return f"'{stage.dvcfile}'" if stage.name is None else f"stage '{stage.name}' in '{stage.dvcfile}'"


def claims(stages: list[Stage]) -> list[tuple[str, Stage]]:
    return [(stage.out_path(out), stage) for stage in stages for out in stage.outs]


def find_overlaps(stages: list[Stage]) -> list[Overlap]:
    """Every pair of stages whose outputs are the same path or nested, once each, in path order."""
    owners: dict[str, list[Stage]] = {}
    for path, stage in claims(stages):
        owners.setdefault(path, [])
        if stage not in owners[path]:
            owners[path].append(stage)
    found: list[Overlap] = []
    for path in sorted(owners):
        first = owners[path][0]
        found += [Overlap(path, stage, path, first) for stage in owners[path][1:]]
        parts = path.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            for outer in owners.get(parent, []):
                found += [Overlap(path, stage, parent, outer) for stage in owners[path] if stage is not outer]
    return found
