"""post-checkout PREV NEW FLAG: bring the outputs the new dvc files record into the workspace.

Fast exits before any git library is imported: HEAD did not move on a branch checkout;
a rebase/merge/cherry-pick/bisect is in progress (its own end is handled by post-rewrite or
post-merge); the pre-commit framework is stashing; a file checkout (FLAG 0) that wrote no
dvc file. Git does not say which files a file checkout wrote, so FLAG 0 looks for dvc files
in the index whose work-tree copy was written in the last few seconds (one `git ls-files`).
"""

from __future__ import annotations

import os
import subprocess
import time

from stagecore.hooks.context import HookContext, owned_by
from stagecore.hooks.follow import follow
from stagecore.hooks.protocol import HookOutcome, PostCheckoutRequest

RECENT_SECONDS = 10.0
_PATHSPECS = (":(glob)**/*.dvc", ":(glob)**/dvc.lock", ":(glob)**/dvc.yaml")


def run(request: PostCheckoutRequest, ctx: HookContext) -> HookOutcome:
    if request.env.framework_skip_post_checkout:
        return ctx.done("pre-commit framework stash in progress")
    if request.branch_checkout and request.prev == request.new:
        return ctx.done("HEAD did not move")
    operation = ctx.in_progress()
    if operation:
        return ctx.done(f"{operation} in progress")
    if not request.branch_checkout:
        lead = ctx.prefix + "/" if ctx.prefix else ""  # a nested project's files are its own
        paths = [p for p in recently_written_dvc_files(ctx.root) if owned_by(ctx.git_root, ctx.prefix, lead + p)]
        ctx.trace.mark("ls-files")
        if not paths:
            return ctx.done("file checkout wrote no dvc file")
        written: dict[str, tuple[bytes | None, bytes | None]] = {
            path: (None, _read(os.path.join(ctx.root, path))) for path in paths
        }
        return follow(ctx, written)
    if not dvc_files_may_differ(ctx.root, request.prev, request.new):
        ctx.trace.mark("git diff")
        return ctx.done("no dvc file changed")
    from stagecore.scm.history import changed_dvc_files

    git = ctx.open_git()
    changes = changed_dvc_files(git, request.prev, request.new, ctx.prefix)
    ctx.trace.mark("diff")
    if not changes:
        return ctx.done("no dvc file changed")
    return follow(ctx, changes)


def dvc_files_may_differ(root: str, old: str, new: str) -> bool:
    """False only when git says no dvc file differs between two commits: one `git diff
    --quiet` (a few ms) instead of importing pygit2 (~100 ms) on the common no-op switch."""
    if not old or set(old) == {"0"}:
        return True
    proc = subprocess.run(
        ["git", "diff", "--quiet", "--no-ext-diff", old, new, "--", *_PATHSPECS],
        cwd=root, capture_output=True, check=False,
    )
    return proc.returncode != 0  # 0: no difference; 1: differences; other: unknown, look closer


def recently_written_dvc_files(root: str, now: float | None = None) -> list[str]:
    """Tracked dvc files whose work-tree copy changed within RECENT_SECONDS of `now`."""
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--", *_PATHSPECS], cwd=root, capture_output=True, check=False
    )
    if proc.returncode != 0:
        return []
    limit = (time.time() if now is None else now) - RECENT_SECONDS
    recent = []
    for raw in proc.stdout.split(b"\0"):
        if not raw:
            continue
        path = os.fsdecode(raw)
        try:
            st = os.stat(os.path.join(root, path))
        except OSError:
            continue
        if max(st.st_mtime, st.st_ctime) >= limit:
            recent.append(path)
    return recent


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None
