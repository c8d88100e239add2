"""pre-push REMOTE URL (refs on stdin): push to the data remote exactly the objects that the
pushed commits reference.

Done here: the pushed range (every non-deleted ref, hiding the remote's known shas and its
tracking refs; under the pre-commit framework, which passes at most the first ref, every
local branch tip as well) and the distinct `dvc.lock` / `*.dvc` blobs of those commits, read
from git's objects. The transfer itself is the engine's (`_engine`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stagecore.hooks.context import HookContext, note_lines
from stagecore.hooks.protocol import HookNote, HookOutcome, PrePushRequest

if TYPE_CHECKING:
    import pygit2

    from stagecore.scm.history import DvcBlob


def run(request: PrePushRequest, ctx: HookContext) -> HookOutcome:
    if not request.pushes_something:
        return ctx.done(
            "nothing to push (only deletions)" if request.updates else "nothing to push (no refs)"
        )
    git = ctx.open_git()
    blobs = blobs_to_push(git, request)
    ctx.trace.mark("walk")
    if not blobs:
        return ctx.done("pushed commits reference no data")
    policy = ctx.policy
    notes = list(policy.notes)
    notes += _engine(
        ctx.root,
        blobs,
        data_remote=policy.data_remote_for(request.remote_name),
        allow_incomplete=policy.allow_incomplete_push,
    )
    ctx.trace.mark("engine")
    blocking = [n for n in notes if n.blocking]
    if blocking:
        lines = [f"stagecore pre-push: push to '{request.remote_name}' refused ({len(blocking)} problem(s)):"]
        lines += note_lines(notes)
        lines.append(
            "hint: to push anyway: git config stagecore.allowIncompletePush true, or git push --no-verify"
        )
        return ctx.done("refused", 1, tuple(lines))
    if notes:
        return ctx.done(
            "pushed with remarks",
            0,
            tuple([f"stagecore pre-push: {len(notes)} remark(s):", *note_lines(notes)]),
        )
    return ctx.done(f"pushed data of {len(blobs)} dvc file version(s)")


def blobs_to_push(git: pygit2.Repository, request: PrePushRequest) -> list[DvcBlob]:
    """Distinct `dvc.lock` / `*.dvc` contents over the commits this push sends."""
    from stagecore.scm.history import branch_tip_updates, commits_to_push, dvc_blobs_in

    updates = list(request.updates)
    if not request.complete:
        updates += branch_tip_updates(git)
    commits = commits_to_push(git, updates, request.remote_name)
    return [b for b in dvc_blobs_in(git, commits) if b.path.rsplit("/", 1)[-1] != "dvc.yaml"]


def _engine(
    root: str, blobs: list[DvcBlob], *, data_remote: str | None, allow_incomplete: bool
) -> list[HookNote]:
    """ENGINE CALL (to be wired): upload what the data remote lacks.

    root             work tree root (has `.dvc/`)
    blobs            distinct dvc file versions (path, blob oid, content, first commit) of the
                     pushed commits: parse each (`dvc.lock` or `*.dvc` by name), collect the
                     object ids, expand `.dir` manifests from the cache
    data_remote      data remote name mapped from the git remote (stagecore.remote.<name>),
                     None for the default data remote
    allow_incomplete stagecore.allowIncompletePush

    Return a blocking HookNote per object missing from both the cache and the remote (unless
    allow_incomplete: then non-blocking), a non-blocking note when no data remote is configured.
    Progress goes to stderr directly while transferring.
    """
    raise NotImplementedError("engine not wired yet")
