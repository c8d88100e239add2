"""pre-push REMOTE URL (refs on stdin): push to the data remote exactly the objects that the
pushed commits reference.

Done here: the pushed range (every non-deleted ref, hiding the remote's known shas and its
tracking refs; under the pre-commit framework, which passes at most the first ref, every
local branch tip as well). Reading those commits' dvc files and the transfer are the
engine's (`_engine`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stagecore.hooks.context import HookContext, counted, note_lines
from stagecore.hooks.protocol import HookNote, HookOutcome, PrePushRequest

if TYPE_CHECKING:
    import pygit2


def run(request: PrePushRequest, ctx: HookContext) -> HookOutcome:
    if not request.pushes_something:
        return ctx.done(
            "nothing to push (only deletions)" if request.updates else "nothing to push (no refs)"
        )
    git = ctx.open_git()
    commits = commits_for(git, request)
    ctx.trace.mark("walk")
    if not commits:
        return ctx.done("no new commits to push")
    policy = ctx.policy
    notes = list(policy.notes)
    pushed: list[str] = []  # DVC's one line: `stagecore: 11 files pushed to 'storage'`; none when none
    notes += _engine(
        ctx.root,
        commits,
        data_remote=policy.data_remote_for(request.remote_name),
        allow_incomplete=policy.allow_incomplete_push,
        report=pushed,
    )
    ctx.trace.mark("engine")
    if not notes and request.complete and ctx.collect is not None:  # one of several projects: recorded
        ctx.collect.append(commits)  # for all of them at once, when every project pushed cleanly
    elif not notes and not ctx.prefix and request.complete:  # the next push of these dvc files: a lookup
        import os

        from stagecore.fastpath.pushed import remember

        remember(ctx.root, request.remote_name, commits, os.environ)
    blocking = [n for n in notes if n.blocking]
    if blocking:
        lines = [f"stagecore pre-push: push to '{request.remote_name}' refused ({counted(len(blocking), 'problem')}):"]
        lines += note_lines(notes)
        lines.append(
            "hint: to push anyway: git config stagecore.allowIncompletePush true, or git push --no-verify"
        )
        return ctx.done("refused", 1, tuple(lines))
    if notes:
        return ctx.done(
            "pushed with remarks",
            0,
            tuple([*pushed, f"stagecore pre-push: {counted(len(notes), 'remark')}:", *note_lines(notes)]),
        )
    return ctx.done(f"data of {counted(len(commits), 'commit')} on the remote", 0, tuple(pushed))


def commits_for(git: pygit2.Repository, request: PrePushRequest) -> list[str]:
    """The commits this push sends (hex ids). Under the pre-commit framework, which passes
    at most the first ref, every local branch tip is added (hidden by the remote's refs)."""
    from stagecore.scm.pushes import branch_tip_updates, commits_to_push

    updates = list(request.updates)
    if not request.complete:
        updates += branch_tip_updates(git)
    return commits_to_push(git, updates, request.remote_name)


def _engine(
    root: str, commits: list[str], *, data_remote: str | None, allow_incomplete: bool,
    report: list[str] | None = None,
) -> list[HookNote]:
    """Upload what the data remote lacks: stagecore.ops.hookwork.push_commits. The line saying how
    many files were uploaded goes to `report` (counted through the transfer's progress callback)."""
    from stagecore.ops.hookwork import push_commits
    from stagecore.repo import Repo
    from stagecore.ui.progress import stderr_progress

    shown = stderr_progress("stagecore: pushing data")
    handled = [0]

    def progress(done: int, total: int) -> None:
        handled[0] = done
        if shown:
            shown(done, total)

    with Repo(root) as repo:
        findings = push_commits(
            repo, commits, data_remote=data_remote, allow_incomplete=allow_incomplete, progress=progress
        )
        remote = data_remote or repo.conf.get("core", {}).get("remote")
    failed = sum(1 for finding in findings if finding[0].startswith("failed to upload "))
    if report is not None and handled[0] - failed > 0:
        report.append(f"stagecore: {counted(handled[0] - failed, 'file')} pushed to '{remote}'")
    return [HookNote(*finding) for finding in findings]
