"""One fast-path record for a git repository whose root project holds nested projects.

The hook's fast paths look in the root project only (`githooks._entry`, before anything but the
standard library is imported): when the root project and every nested `init --subdir` project
came out clean, the root's record covers them all. The pre-commit snapshot holds what every
project's verdict read (stagecore.fastpath.snapshot_record.record_parts); the pre-push record lists the
nested projects, whose configurations choose their data remotes (stagecore.fastpath.pushed.remember).
"""

from __future__ import annotations

import os

from stagecore.hooks.protocol import HookRequest


def remember_all(request: HookRequest, root: str, collected: list, nested: list[str], since_ns: int) -> None:
    """`collected`: per project (the root first), what its clean run appended to `ctx.collect`."""
    if request.hook == "pre-commit":
        from stagecore.fastpath.snapshot_record import record_parts

        record_parts(root, collected, "pre-commit", since_ns, with_index=True)
    elif request.hook == "pre-push":
        from stagecore.fastpath.pushed import remember

        commits = sorted({commit for found in collected for commit in found})
        remember(root, request.remote_name, commits, os.environ, nested)  # type: ignore[union-attr]
