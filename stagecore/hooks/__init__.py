"""The behaviour behind stagecore's git hooks: `run(request) -> HookOutcome`.

`run` makes the decisions that need no git library (hook skipped through
STAGECORE_SKIP_HOOKS, not a DVC repository), then hands over to the hook's module
`stagecore.hooks.<hook>` (`pre_commit`, `post_checkout`, `post_merge`, `post_rewrite`,
`pre_push`), whose `run(request, ctx)` finishes its own cheap checks before it opens the
repository with pygit2. Each module isolates the call into the stage engine in `_engine`.

A git repository may hold several DVC projects: the root one and nested `dvc init --subdir`
ones (tracked `.dvc/config` below the root). Each hook serves every project on its own files
(a nested project's dvc files, outputs, cache and data remote are its own, never its parent's,
as DVC has it); a project with something to say is named in a header line.

Exit codes: pre-commit and pre-push exit 1 to refuse; the post-* hooks always exit 0
(git has already moved) and report problems on stderr. An unexpected error refuses in a
pre-* hook and is reported in a post-* hook.

Knobs:
    STAGECORE_SKIP_HOOKS=pre-commit,post-checkout   skip the named hooks (`all` or `1`: every hook)
    STAGECORE_TRACE=1                                one stderr line per hook: verdict, ms per phase,
                                                     heavy modules imported
    git config stagecore.precommit block|warn|off    stagecore.fetch, stagecore.allowIncompletePush,
                                                     stagecore.remote.<git remote> (see policy.py)
"""

from __future__ import annotations

import os
import warnings
from importlib import import_module

from stagecore.errors import StagecoreError
from stagecore.hooks.protocol import BLOCKING_HOOKS, HookOutcome, HookRequest
from stagecore.hooks.trace import Trace

__all__ = ["run", "HookOutcome", "HookRequest"]


def run(request: HookRequest, trace: Trace | None = None) -> HookOutcome:
    trace = trace or Trace(request.hook, request.env.trace)
    verdict = "done"
    try:
        with warnings.catch_warnings(record=True) as caught:  # shown as the hook's own lines
            warnings.simplefilter("always")
            outcome, verdict = _run(request, trace)
        outcome = HookOutcome(outcome.exit_code, _warning_lines(request.hook, caught) + outcome.lines)
    except StagecoreError as exc:
        outcome = HookOutcome(_failure_code(request.hook), _error_lines(request.hook, exc.message, exc.hint))
        verdict = "error"
    except Exception as exc:  # noqa: BLE001 - a hook never shows a traceback unless traced
        from stagecore.storage.fsutil import escaped_os_error

        known = escaped_os_error(exc)  # a full or read-only disk is no bug: one line naming the path
        if known is not None:
            lines = _error_lines(request.hook, known.message, known.hint)
        else:
            lines = _error_lines(
                request.hook,
                f"internal error: {type(exc).__name__}: {exc}",
                f"skip this hook with STAGECORE_SKIP_HOOKS={request.hook} and please report it",
            )
        if request.env.trace:
            import traceback

            lines += tuple(traceback.format_exc().rstrip().splitlines())
        outcome = HookOutcome(_failure_code(request.hook), lines)
        verdict = "error"
    return HookOutcome(outcome.exit_code, outcome.lines + trace.lines(verdict))


def _run(request: HookRequest, trace: Trace) -> tuple[HookOutcome, str]:
    from stagecore.scm.gitdir import find_work_tree

    trace.mark("parse")
    if request.env.skips(request.hook):
        return HookOutcome(0), "skipped by STAGECORE_SKIP_HOOKS"
    root = find_work_tree(request.env.cwd, request.env.as_environ())
    trace.mark("locate")
    if root is None:
        return HookOutcome(0), "not a DVC repository"
    module = import_module(f"stagecore.hooks.{request.hook.replace('-', '_')}")
    at_root = os.path.isdir(os.path.join(root, ".dvc"))
    nested = sub_projects(root) if request.hook in SUB_PROJECT_HOOKS else []
    trace.mark("projects")
    if at_root and not nested:
        from stagecore.hooks.context import HookContext

        ctx = HookContext(request.hook, root, request.env, trace)
        outcome = module.run(request, ctx)
        return outcome, ctx.verdict
    if not at_root and not nested:
        return HookOutcome(0), "not a DVC repository"
    return _run_projects(request, trace, module, root, ([""] if at_root else []) + nested)


def _run_projects(request: HookRequest, trace: Trace, module, root: str, prefixes: list[str]):
    """Every project of the git repository, each on its own files (the root project first;
    DVC's rule: a nested project's files are its own, never its parent's). A project with
    something to say gets a header line naming it. When every project came out clean, the
    fast path's record covers them all (stagecore.hooks.projects)."""
    import time

    from stagecore.hooks.context import HookContext

    since = time.time_ns()
    code, lines, verdicts, contexts = 0, [], [], []
    policy = None
    for prefix in prefixes:  # each `dvc init --subdir` project of the git repository, on its own
        ctx = HookContext(request.hook, os.path.join(root, prefix) if prefix else root, request.env, trace, prefix)
        ctx.collect = []
        if policy is not None:  # one read of git config; its remarks said once
            ctx.policy = policy.without_notes()
        outcome = module.run(request, ctx)
        policy = policy or ctx.read_policy
        code = max(code, outcome.exit_code)
        if outcome.lines:
            where = f"'{prefix}'" if prefix else "'.' (the git root)"
            lines += [f"stagecore {request.hook}: in project {where}:", *outcome.lines]
        verdicts.append(f"{prefix or '.'}: {ctx.verdict}")
        contexts.append(ctx)
    collected = [ctx.collect[0] for ctx in contexts if ctx.collect]
    if prefixes[0] == "" and len(collected) == len(contexts):
        from stagecore.hooks.projects import remember_all

        remember_all(request, root, collected, prefixes[1:], since)
    return HookOutcome(code, tuple(lines)), "; ".join(verdicts)


SUB_PROJECT_HOOKS = frozenset({"pre-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push"})


def sub_projects(root: str) -> list[str]:
    """The directories (relative to the git root, sorted) of the DVC projects below it that git
    tracks (`.dvc/config` or `.dvc/.gitignore` in the index) and that exist in the work tree:
    one `git ls-files` (a few ms), run by every hook that got past its fast path."""
    import subprocess

    proc = subprocess.run(
        ["git", "ls-files", "-z", "--", ":(glob)**/.dvc/config", ":(glob)**/.dvc/.gitignore"],
        cwd=root, capture_output=True, check=False,
    )
    if proc.returncode != 0:
        return []
    found = set()
    for raw in proc.stdout.split(b"\0"):
        prefix = os.fsdecode(raw).rsplit("/.dvc/", 1)[0] if raw else ""
        if prefix and "/.dvc/" not in f"/{prefix}/" and os.path.isdir(os.path.join(root, prefix, ".dvc")):
            found.add(prefix)
    return sorted(found)


def _warning_lines(hook: str, caught) -> tuple[str, ...]:
    """Each distinct warning the engine raised (a DVC 1.x lock read, ...) as one WARNING line."""
    lines: list[str] = []
    for item in caught:
        line = f"stagecore {hook}: WARNING: {item.message}"
        if line not in lines:
            lines.append(line)
    return tuple(lines)


def _failure_code(hook: str) -> int:
    return 1 if hook in BLOCKING_HOOKS else 0


def _error_lines(hook: str, message: str, hint: str | None) -> tuple[str, ...]:
    lines = (f"stagecore {hook}: ERROR: {message}",)
    return lines + ((f"hint: {hint}",) if hint else ())
