"""post-rewrite COMMAND: after a rebase, the workspace follows the pre-rebase tip -> HEAD.

`amend` never changes the work tree: nothing to do. git runs post-rewrite at the end of a
rebase while its state directory still exists, so "rebase in progress" does not stop this
hook; the tip the rebase started from is read from that state (`orig-head`), else ORIG_HEAD.
The post-checkout that the rebase ran at its start was skipped (rebase in progress).
"""

from __future__ import annotations

from stagecore.hooks.context import HookContext
from stagecore.hooks.follow import follow
from stagecore.hooks.protocol import HookOutcome, PostRewriteRequest


def run(request: PostRewriteRequest, ctx: HookContext) -> HookOutcome:
    if request.command != "rebase":
        return ctx.done(f"'{request.command}' leaves the work tree as it is")
    operation = ctx.in_progress()
    if operation and operation != "rebase":
        return ctx.done(f"{operation} in progress")
    from stagecore.scm.gitdir import rebase_orig_head
    from stagecore.scm.history import changed_dvc_files

    old = (rebase_orig_head(ctx.git_dir) if ctx.git_dir else None) or "ORIG_HEAD"
    git = ctx.open_git()
    changes = changed_dvc_files(git, old, "HEAD", ctx.prefix)
    ctx.trace.mark("diff")
    if not changes:
        return ctx.done("no dvc file changed")
    return follow(ctx, changes)
