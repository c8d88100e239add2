"""Removing the outputs stagecore put into (or saved from) the workspace that no dvc file or
lock names any more (a branch switch dropped them), as `dvc checkout` without targets does
(`D       path`) — so that data that left the pipeline does not stay in the work tree, no
longer git-ignored. Which outputs those are: DVC's state `links` table (ops/link_records.py).
"""

from __future__ import annotations

import os
import subprocess
from typing import NamedTuple

from stagecore.core.hashinfo import HashInfo
from stagecore.ops.link_records import forget, recorded


class Pruned(NamedTuple):
    removed: list[str]  # repo paths deleted (directories end with '/')
    kept: list[str]  # no longer named, content not in the cache: left in place


def unused(repo, used: set[str]) -> dict[str, HashInfo]:
    """Recorded outputs that no path in `used` names, equals, contains or lies inside."""
    return unused_of(recorded(repo), used)


def unused_of(outputs: dict[str, HashInfo], used: set[str]) -> dict[str, HashInfo]:
    """Those of `outputs` that no path in `used` equals, contains or lies inside."""
    named = set(used) | {a for u in used for a in _ancestors(u)}
    return {p: hi for p, hi in outputs.items() if p not in named and not any(a in used for a in _ancestors(p))}


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def prune(repo, candidates: dict[str, HashInfo]) -> Pruned:
    """Delete the `candidates` (path -> recorded version) still in the workspace whose content
    is in the cache; keep (and list) those whose content is not: data is never deleted into a
    gap. Paths git tracks now (git wrote them on the switch) are left to git."""
    from stagecore.ops import outs as outs_ops

    present = {p: hi for p, hi in candidates.items() if os.path.lexists(os.path.join(repo.root, p))}
    gone = [p for p in candidates if p not in present]
    owned_by_git = _tracked_by_git(repo.root, sorted(present))
    removed: list[str] = []
    kept: list[str] = []
    for path in sorted(present):
        if path in owned_by_git:
            gone.append(path)
            continue
        hi = present[path]
        measured = repo.workspace.measure(path, hi.name)
        if measured is None:
            gone.append(path)
            continue
        if not outs_ops.in_cache(repo, measured.hash):
            kept.append(path)
            continue
        outs_ops.delete(repo, path)
        repo.state.put_dir(path, hi.name, {})
        removed.append(path + ("/" if measured.files is not None else ""))
        gone.append(path)
    forget(repo, gone)
    return Pruned(removed, kept)


def _tracked_by_git(root: str, paths: list[str]) -> set[str]:
    """Which of `paths` git tracks (a file, or a directory holding tracked files)."""
    if not paths or not os.path.exists(os.path.join(root, ".git")):
        return set()
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=root, capture_output=True, check=False)
    except OSError:
        return set(paths)  # cannot ask: treat them all as git's, delete nothing
    if proc.returncode != 0:
        return set(paths)
    listed = [p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p]
    return {p for p in paths if any(item == p or item.startswith(p + "/") for item in listed)}
