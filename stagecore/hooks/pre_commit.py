"""pre-commit: refuse a commit whose pipeline is stale or whose data is not in the cache,
judged on what the commit will contain: the index (GIT_INDEX_FILE during `commit -a` and
`commit <paths>`, which `open_git` honours).

Done here: the policy (stagecore.precommit = block | warn | off) and the check that every
`dvc.lock` / `*.dvc` changed in the work tree is staged. The stage and cache checks are the
engine's (`_engine`).
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from stagecore.hooks.context import HookContext, counted, note_lines, owned_by
from stagecore.hooks.protocol import HookNote, HookOutcome, PreCommitRequest

if TYPE_CHECKING:

    from stagecore.scm.worktree import WorkTreeChange


def run(request: PreCommitRequest, ctx: HookContext) -> HookOutcome:
    policy = ctx.policy
    if policy.precommit == "off":
        return ctx.done("stagecore.precommit is off")
    import time

    from stagecore.fastpath.snapshot import forget
    from stagecore.scm.gitcli import worktree_changes
    from stagecore.scm.history import is_dvc_path
    from stagecore.scm.worktree import WorkTreeChange

    since = time.time_ns()  # the snapshot of a clean verdict vouches for nothing changed after this
    forget(ctx.root, "pre-commit")
    listed = worktree_changes(ctx.root)  # a git subprocess: pygit2 only if a dep needs it
    if listed is None:
        from stagecore.scm.worktree import unstaged_dvc_files

        dvc_changes = unstaged_dvc_files(ctx.open_git())
        dirty = None
    else:
        dvc_changes = [WorkTreeChange(p, state) for p, state in sorted(listed) if is_dvc_path(p)]
        dirty = {p for p, _ in listed}
    dvc_changes = [c for c in dvc_changes if owned_by(ctx.git_root, ctx.prefix, c.path)]
    notes = list(policy.notes) + unstaged_notes(dvc_changes)
    ctx.trace.mark("status")
    snapshot_since = None if notes or (ctx.prefix and ctx.collect is None) else since
    notes += _engine(ctx.root, dirty, ctx.open_git, prefix=ctx.prefix, snapshot_since=snapshot_since,
                     parts=ctx.collect)
    ctx.trace.mark("engine")
    return render(ctx, notes, policy.precommit)


def unstaged_notes(changes: list[WorkTreeChange]) -> list[HookNote]:
    """A blocking note per `dvc.lock` / `*.dvc` that differs from the index (dvc.yaml edits
    left unstaged are ordinary work in progress: the staged dvc.yaml is what gets judged)."""
    notes = []
    for change in changes:
        if change.path.rsplit("/", 1)[-1] == "dvc.yaml":
            continue
        quoted = shlex.quote(change.path)
        if change.state == "deleted":
            notes.append(
                HookNote(
                    f"'{change.path}' is deleted but the deletion is not staged", f"git rm --cached {quoted}"
                )
            )
        elif change.state == "untracked":
            notes.append(HookNote(f"'{change.path}' is not tracked by git", f"git add {quoted}"))
        else:
            notes.append(
                HookNote(f"'{change.path}' changed but the change is not staged", f"git add {quoted}")
            )
    return notes


def render(ctx: HookContext, notes: list[HookNote], mode: str) -> HookOutcome:
    blocking = [n for n in notes if n.blocking]
    if not notes:
        return ctx.done("passed")
    if blocking and mode == "block":
        lines = [f"stagecore pre-commit: commit refused ({counted(len(blocking), 'problem')}):"]
        lines += note_lines(notes)
        lines.append("hint: fix the above, or commit anyway with `git commit --no-verify`")
        return ctx.done("refused", 1, tuple(lines))
    header = f"stagecore pre-commit: warning ({counted(len(notes), 'remark')}"
    header += ", stagecore.precommit = warn):" if blocking else "):"
    return ctx.done("passed with warnings", 0, tuple([header, *note_lines(notes)]))


def _engine(root: str, dirty, open_git, prefix: str = "", snapshot_since: int | None = None,
            parts: list | None = None) -> list[HookNote]:
    """The gate on the index: stagecore.ops.hookwork.gate. `dirty`: paths (relative to the git
    root) whose work-tree copy differs from the index (None: unknown); `open_git` opens pygit2
    when needed; `prefix`: the project's directory below the git root. `snapshot_since`: when
    the check started; a verdict with nothing to say (no finding, no warning) is then recorded
    for the fast path (stagecore.fastpath.snapshot); with `parts` given (several projects served), what
    it depends on is appended there instead, for one record of them all."""
    import warnings

    from stagecore.ops.hookwork import gate
    from stagecore.repo import Repo

    with Repo(root) as repo:
        stages: list = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            notes = [HookNote(*finding) for finding in gate(repo, dirty, open_git, prefix, seen=stages)]
        for item in caught:  # passed on to the hook's own rendering
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
        if snapshot_since is not None and not notes and not caught:
            from stagecore.fastpath.snapshot_record import collect_part, record

            if parts is None:
                record(repo, stages, "pre-commit", snapshot_since, with_index=True)
            else:
                part = collect_part(repo, stages, prefix)
                parts += [part] if part is not None else []
        return notes
