"""The work tree follows git: shared by post-checkout, post-merge and post-rewrite.

Given the dvc files that changed between what the work tree held and what git now records,
bring the recorded outputs into the work tree (fetching missing objects when allowed).
These hooks never refuse: git has already moved, so problems are reported and exit is 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from stagecore.hooks.context import HookContext, note_lines
from stagecore.hooks.protocol import HookNote, HookOutcome

Changes = Mapping[str, tuple[bytes | None, bytes | None]]


def follow(ctx: HookContext, changes: Changes, git_remote: str | None = None) -> HookOutcome:
    """Run the checkout engine on `changes` (path -> (old content, new content)) and render."""
    policy = ctx.policy
    notes = list(policy.notes)
    notes += _engine(ctx.root, changes, fetch=policy.fetch, data_remote=policy.data_remote_for(git_remote))
    ctx.trace.mark("engine")
    if not notes:
        return ctx.done(f"followed {len(changes)} dvc file(s)")
    lines = [f"stagecore {ctx.hook}: the workspace does not fully match the checked-out dvc files:"]
    return ctx.done("followed with problems", 0, tuple(lines + note_lines(notes)))


def _engine(root: str, changes: Changes, *, fetch: bool, data_remote: str | None) -> list[HookNote]:
    """ENGINE CALL (to be wired): check out the outputs recorded in the new side of `changes`.

    root        work tree root (has `.dvc/`)
    changes     repo-relative POSIX path of each changed `dvc.lock` / `*.dvc` / `dvc.yaml` ->
                (content before, content now); None = absent on that side. On a file checkout
                (post-checkout FLAG 0) the "before" side is None: follow the new side fully.
    fetch       fetch objects missing from the cache from the data remote (stagecore.fetch)
    data_remote data remote name, None for the default one

    Must: leave an output alone when its object cannot be had (list it, with a hint), never
    overwrite a workspace output modified and not committed to the cache (list it, with
    `stagecore commit`), and return the problems as non-blocking HookNotes.

    Wiring: `with Repo(root) as repo: return hookwork.follow(repo, changes, fetch=fetch,
    data_remote=data_remote)`.
    """
    raise NotImplementedError("engine not wired yet")
