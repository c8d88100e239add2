"""The work tree follows git: shared by post-checkout, post-merge and post-rewrite.

Given the dvc files that changed between what the work tree held and what git now records,
bring the recorded outputs into the work tree (fetching missing objects when allowed).
These hooks never refuse: git has already moved, so problems are reported and exit is 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from stagecore.hooks.context import HookContext, counted, note_lines
from stagecore.hooks.protocol import HookNote, HookOutcome

Changes = Mapping[str, tuple[bytes | None, bytes | None]]


def follow(ctx: HookContext, changes: Changes, git_remote: str | None = None) -> HookOutcome:
    """Run the checkout engine on `changes` (path -> (old content, new content)) and render."""
    policy = ctx.policy
    notes = list(policy.notes)
    notes += _engine(ctx.root, changes, fetch=policy.fetch, data_remote=policy.data_remote_for(git_remote))
    ctx.trace.mark("engine")
    if not notes:
        return ctx.done(f"followed {counted(len(changes), 'dvc file')}")
    lines = [f"stagecore {ctx.hook}: the workspace does not fully match the checked-out dvc files:"]
    return ctx.done("followed with problems", 0, tuple(lines + note_lines(notes)))


def _engine(root: str, changes: Changes, *, fetch: bool, data_remote: str | None) -> list[HookNote]:
    """Check out what changed: stagecore.ops.hookwork.follow (progress on stderr)."""
    from stagecore.ops.hookwork import follow as follow_changes
    from stagecore.progress import stderr_progress
    from stagecore.repo import Repo

    with Repo(root) as repo:
        findings = follow_changes(
            repo,
            changes,
            fetch=fetch,
            data_remote=data_remote,
            progress=stderr_progress("stagecore: fetching data"),
        )
    return [HookNote(*finding) for finding in findings]
