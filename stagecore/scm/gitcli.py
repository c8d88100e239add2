"""The hooks' fast path to git: one `git` subprocess (a few ms) instead of importing pygit2
(~100 ms) when the question is small. Runs in the hook's environment, so GIT_DIR and
GIT_INDEX_FILE (a `git commit -a` / `git commit <paths>` temporary index) are honoured."""

from __future__ import annotations

import os
import subprocess


def worktree_changes(root: str) -> list[tuple[str, str]] | None:
    """(path, "modified" | "deleted" | "untracked") for every path whose work-tree state
    differs from the index; None when git could not answer (callers fall back to pygit2)."""
    proc = subprocess.run(
        ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"],
        cwd=root, capture_output=True, check=False,
    )
    if proc.returncode != 0:
        return None
    changes = []
    for raw in proc.stdout.split(b"\0"):
        if len(raw) < 4:
            continue
        x, y, path = chr(raw[0]), chr(raw[1]), os.fsdecode(raw[3:])
        if x == "?" and y == "?":
            changes.append((path, "untracked"))
        elif y == "D":
            changes.append((path, "deleted"))
        elif y in "MT":
            changes.append((path, "modified"))
    return changes
