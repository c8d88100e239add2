"""post-merge SQUASH: after `git merge` / `git pull`, the workspace follows ORIG_HEAD -> HEAD.

A squash merge does not move HEAD: what it brought is the difference between HEAD and the
index. Nothing happens while another operation is still in progress.
"""

from __future__ import annotations

from stagecore.hooks.context import HookContext, owned_by
from stagecore.hooks.follow import follow
from stagecore.hooks.post_checkout import dvc_files_may_differ
from stagecore.hooks.protocol import HookNote, HookOutcome, PostMergeRequest


def run(request: PostMergeRequest, ctx: HookContext) -> HookOutcome:
    operation = ctx.in_progress()
    if operation:
        return ctx.done(f"{operation} in progress")
    if not request.squash and not dvc_files_may_differ(ctx.root, "ORIG_HEAD", "HEAD"):
        ctx.trace.mark("git diff")
        return ctx.done("no dvc file changed")
    from stagecore.scm.history import HistoryError, changed_dvc_files
    from stagecore.scm.worktree import staged_dvc_changes

    git = ctx.open_git()
    if request.squash:
        changes = staged_dvc_changes(git)  # the project's own files (none of a nested project's), relative to it
        start = len(ctx.prefix) + 1 if ctx.prefix else 0
        changes = {p[start:]: pair for p, pair in changes.items() if owned_by(ctx.git_root, ctx.prefix, p)}
    else:
        try:
            changes = changed_dvc_files(git, "ORIG_HEAD", "HEAD", ctx.prefix)
        except HistoryError:
            note = HookNote("ORIG_HEAD is missing, cannot tell what the merge changed", "stagecore checkout")
            return ctx.done(
                "no ORIG_HEAD", 0, (f"stagecore post-merge: {note.message}", f"hint: {note.hint}")
            )
    ctx.trace.mark("diff")
    if not changes:
        return ctx.done("no dvc file changed")
    return follow(ctx, changes)
