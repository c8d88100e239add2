"""What reproducing a stage reports and reads, shared by running it (stagecore.ops.execute) and
restoring it from the run cache (stagecore.ops.restore): the progress events, and the stage's
dependencies measured as they are now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from stagecore.core.hashinfo import MD5
from stagecore.core.stage import Stage, is_offline
from stagecore.errors import StageError
from stagecore.ops.external import outside_path


class ReproEvent(NamedTuple):
    kind: str  # skip|frozen|run|cmd|cached|verify|lock|dvcfile|empty|stashed
    stage: Stage
    detail: Any = None


Notify = Callable[[ReproEvent], None]


def current_deps(repo, stage: Stage) -> list:
    """The deps with their workspace hashes (unchanged legacy entries keep md5-dos2unix)."""
    deps = []
    for dep in stage.deps:
        path = stage.dep_path(dep)
        if is_offline(dep):  # checksum/etag/rev_lock come from elsewhere: an http(s) one asked again (urldeps)
            from stagecore.ops.urldeps import refreshed

            deps.append(refreshed(dep, repo))
            continue
        name = dep.hash.name if dep.hash is not None else MD5
        outside = outside_path(repo.root, path)
        if outside is not None:
            from stagecore.ops.external import measure as measure_external

            measure, path = measure_external, outside
        else:
            measure = repo.workspace.measure
        measured = measure(path, name)
        if measured is None:
            raise StageError(f"dependency '{path}' does not exist",
                             hint="create it (or the stage producing it), or remove it from the stage")
        if dep.hash is not None and dep.hash.legacy and measured.hash != dep.hash:
            measured = measure(path, MD5) or measured  # a changed DVC 2.x entry becomes md5
        deps.append(dep.with_hash(measured.hash, measured.meta))
    return deps
