"""The work tree follows git: shared by post-checkout, post-merge and post-rewrite.

Given the dvc files that changed between what the work tree held and what git now records,
bring the recorded outputs into the work tree (fetching missing objects when allowed).
These hooks never refuse: git has already moved, so problems are reported and exit is 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from stagecore.hooks.context import HookContext, counted, note_lines
from stagecore.hooks.protocol import HookNote, HookOutcome

MAX_LINES = 10  # more outputs than this: one summary line
Changes = Mapping[str, tuple[bytes | None, bytes | None]]


def follow(ctx: HookContext, changes: Changes, git_remote: str | None = None) -> HookOutcome:
    """Run the checkout engine on `changes` (path -> (old content, new content)) and render."""
    policy = ctx.policy
    notes = list(policy.notes)
    done: list[str] = []  # `A       path` / `M       path` per output checked out, as `dvc checkout` prints
    notes += _engine(ctx.root, changes, fetch=policy.fetch, data_remote=policy.data_remote_for(git_remote),
                     report=done)
    ctx.trace.mark("engine")
    if len(done) > MAX_LINES:  # many: one line, as `dvc checkout --summary`
        counts = tuple((sum(1 for line in done if line.startswith(letter)), word)
                       for letter, word in (("M", "modified"), ("A", "added"), ("D", "deleted")))
        parts = [f"{counted(n, 'output')} {word}" for n, word in counts if n]
        done = [f"stagecore {ctx.hook}: {' and '.join(parts)}"]
    if not notes:
        return ctx.done(f"followed {counted(len(changes), 'dvc file')}", 0, tuple(done))
    lines = [*done, f"stagecore {ctx.hook}: the workspace does not fully match the checked-out dvc files:"]
    return ctx.done("followed with problems", 0, tuple(lines + note_lines(notes)))


def _engine(root: str, changes: Changes, *, fetch: bool, data_remote: str | None,
            report: list[str] | None = None) -> list[HookNote]:
    """Check out what changed: stagecore.ops.hookwork.follow (progress on stderr). The outputs it
    brought in go to `report` as `M`/`A` lines: those whose recorded version changed, less those a
    finding names (kept, missing or refused); then a `D` line per output removed because no dvc
    file names it any more (DVC's order: modified, added, deleted; directories first)."""
    from stagecore.ops.hookwork import _side
    from stagecore.ops.hookwork import follow as follow_changes
    from stagecore.ops.used import refs_of_blobs
    from stagecore.repo import Repo
    from stagecore.ui.progress import stderr_progress

    removed: list[str] = []
    with Repo(root) as repo:
        findings = follow_changes(
            repo,
            changes,
            fetch=fetch,
            data_remote=data_remote,
            progress=stderr_progress("stagecore: fetching data"),
            removed=removed,
        )
        if report is not None:
            old = {ref.path: ref.hash for ref in refs_of_blobs(_side(repo, changes, 0), problems=[])}
            lines = []
            for ref in refs_of_blobs(_side(repo, changes, 1), problems=[]):
                named = any(f[0].startswith((f"'{ref.path}'", f"'{ref.path}/")) for f in findings)
                if old.get(ref.path) != ref.hash and not named:
                    lines.append(("M" if ref.path in old else "A", ref.path + ("/" if ref.hash.isdir else "")))
            lines += [("D", path) for path in removed]
            order = {"M": 0, "A": 1, "D": 2}
            lines.sort(key=lambda line: (order[line[0]], not line[1].endswith("/"), line[1]))
            report.extend(f"{letter:<8}{path}" for letter, path in lines)
    return [HookNote(*finding) for finding in findings]
