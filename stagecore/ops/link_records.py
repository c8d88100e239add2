"""The outputs stagecore put into (or saved from) the workspace, as DVC's state `links` table:
each output's path and the version it was left at (`record`, `forget`, `recorded`), for
`checkout` to remove those no dvc file names any more (ops/links.py). Kept in the state database
(machine-local, `.dvc/tmp`): losing it only means such leftovers are not cleaned up.
"""

from __future__ import annotations

from stagecore.core.hashinfo import HashInfo

_TABLE = "stagecore:links"  # one row of the state's dirs table: {path: (None, "name:value")}


def record(repo, path: str, hi: HashInfo) -> None:
    """Remember that output `path` is in the workspace at version `hi`."""
    table = _table(repo)
    value = f"{hi.name}:{hi.value}"
    if table.get(path, (None, None))[1] != value:
        table[path] = (None, value)
        repo.state.put_dir("", _TABLE, table)


def forget(repo, paths: list[str]) -> None:
    table = _table(repo)
    if any(p in table for p in paths):
        for path in paths:
            table.pop(path, None)
        repo.state.put_dir("", _TABLE, table)


def recorded(repo) -> dict[str, HashInfo]:
    out = {}
    for path, (_stamp, value) in _table(repo).items():
        name, _, digest = str(value).partition(":")
        out[path] = HashInfo(name, digest)
    return out


def _table(repo) -> dict:
    return repo.state.get_dir("", _TABLE)
