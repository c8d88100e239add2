"""Git's hook protocol -> one typed request per invocation; what a hook hands back.

Two callers speak it:
* git itself (native shims written by `stagecore install`): arguments in argv, the pushed refs
  (pre-push) and rewritten commits (post-rewrite) on stdin;
* the pre-commit framework (`stagecore hook NAME` from `.pre-commit-hooks.yaml`): no argv
  (`pass_filenames: false`), everything in PRE_COMMIT_* variables, stdin already consumed,
  and for pre-push only the first ref with something to push (none for a new root branch).

Nothing here imports more than the standard library: parsing happens on the fast path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from stagecore.errors import EXIT_USAGE, StagecoreError
from stagecore.scm.history import is_zero
from stagecore.scm.pushes import PushUpdate

HOOK_NAMES = ("pre-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")
BLOCKING_HOOKS = frozenset({"pre-commit", "pre-push"})
SKIP_ENV = "STAGECORE_SKIP_HOOKS"
TRACE_ENV = "STAGECORE_TRACE"
_ALL = frozenset({"all", "1", "true", "yes", "*"})
_SHA = re.compile(r"^[0-9a-fA-F]{4,64}$")


class HookUsageError(StagecoreError):
    exit_code = EXIT_USAGE


class Rewrite(NamedTuple):
    """One line of post-rewrite stdin: `<old sha> <new sha> [<extra>]`."""

    old_sha: str
    new_sha: str
    extra: str = ""


class HookNote(NamedTuple):
    """One reason or remark from a hook's work, with the command that fixes it."""

    message: str
    hint: str | None = None
    blocking: bool = True


class HookOutcome(NamedTuple):
    """What the entry point does: print `lines` on stderr, exit with `exit_code`."""

    exit_code: int
    lines: tuple[str, ...] = ()


class HookEnv(NamedTuple):
    """The environment a hook runs in, read once at parse time."""

    cwd: str
    git_dir: str | None = None  # GIT_DIR as given (git sets it in linked worktrees)
    work_tree: str | None = None  # GIT_WORK_TREE
    skip: frozenset[str] = frozenset()  # hook names from STAGECORE_SKIP_HOOKS, or {"all"}
    trace: bool = False  # STAGECORE_TRACE
    framework: bool = False  # run by the pre-commit framework
    framework_skip_post_checkout: bool = False  # _PRE_COMMIT_SKIP_POST_CHECKOUT (its stash)

    def skips(self, hook: str) -> bool:
        return "all" in self.skip or hook in self.skip

    def as_environ(self) -> dict[str, str]:
        """The GIT_* part, for functions that locate the repository from an environment."""
        env = {}
        if self.git_dir:
            env["GIT_DIR"] = self.git_dir
        if self.work_tree:
            env["GIT_WORK_TREE"] = self.work_tree
        return env


# Requests are immutable typed NamedTuples, one class per hook, each with `hook` and `env`.
# (Not dataclasses: importing `dataclasses` costs ~11 ms and each class ~1 ms more, measured
# on a no-op hook of ~60 ms; this module is on every hook's fast path.)


class PreCommitRequest(NamedTuple):
    env: HookEnv
    files: tuple[str, ...] = ()  # the framework's filenames when pass_filenames is on
    hook: str = "pre-commit"


class PostCheckoutRequest(NamedTuple):
    env: HookEnv
    prev: str  # all zeros on clone and `git worktree add`
    new: str
    branch_checkout: bool = True  # FLAG 1: HEAD moved; FLAG 0: files checked out
    hook: str = "post-checkout"


class PostMergeRequest(NamedTuple):
    env: HookEnv
    squash: bool = False
    hook: str = "post-merge"


class PostRewriteRequest(NamedTuple):
    env: HookEnv
    command: str = "rebase"  # "amend" or "rebase"
    rewrites: tuple[Rewrite, ...] = ()  # empty under the framework (it eats stdin)
    hook: str = "post-rewrite"


class PrePushRequest(NamedTuple):
    env: HookEnv
    remote_name: str
    remote_url: str
    updates: tuple[PushUpdate, ...] = ()
    complete: bool = True  # False: the refs are partial (framework), fall back to branch tips
    hook: str = "pre-push"

    @property
    def pushes_something(self) -> bool:
        return not self.complete or any(not u.is_deletion for u in self.updates)


HookRequest = PreCommitRequest | PostCheckoutRequest | PostMergeRequest | PostRewriteRequest | PrePushRequest


def parse_skip(value: str | None) -> frozenset[str]:
    names = {part.strip().lower() for part in re.split(r"[,\s]+", value or "") if part.strip()}
    return frozenset({"all"}) if names & _ALL else frozenset(names)


def hook_env(environ: Mapping[str, str], cwd: str) -> HookEnv:
    return HookEnv(
        cwd=os.path.abspath(cwd),
        git_dir=environ.get("GIT_DIR") or None,
        work_tree=environ.get("GIT_WORK_TREE") or None,
        skip=parse_skip(environ.get(SKIP_ENV)),
        trace=environ.get(TRACE_ENV, "").strip().lower() not in ("", "0", "false", "no", "off"),
        framework=environ.get("PRE_COMMIT") == "1",
        framework_skip_post_checkout=bool(environ.get("_PRE_COMMIT_SKIP_POST_CHECKOUT")),
    )


def parse_pre_push_stdin(text: str) -> list[PushUpdate]:
    """git's pre-push stdin, one `<local ref> <local sha> <remote ref> <remote sha>` per line.
    Refs may contain spaces only in theory: split from the right, as the pre-commit framework."""
    updates = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4 or not (_SHA.match(parts[1]) and _SHA.match(parts[3])):
            raise HookUsageError(f"pre-push: stdin line {lineno} is not '<ref> <sha> <ref> <sha>': {line!r}")
        updates.append(PushUpdate(*parts))
    return updates


def parse_rewrite_stdin(text: str) -> list[Rewrite]:
    rewrites = []
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split(maxsplit=2)
        if not parts:
            continue
        if len(parts) < 2 or not (_SHA.match(parts[0]) and _SHA.match(parts[1])):
            raise HookUsageError(f"post-rewrite: stdin line {lineno} is not '<old sha> <new sha>': {line!r}")
        rewrites.append(Rewrite(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return rewrites


def parse_request(
    hook: str,
    argv: Sequence[str],
    environ: Mapping[str, str],
    read_stdin: Callable[[], str] | None = None,
    cwd: str | None = None,
) -> HookRequest:
    """Build the request for `hook` from git's argv (native) or the PRE_COMMIT_* variables
    (framework). `read_stdin` is called only when git passes data on stdin."""
    if hook not in HOOK_NAMES:
        raise HookUsageError(f"unknown hook '{hook}'; known hooks: {', '.join(HOOK_NAMES)}")
    env = hook_env(environ, cwd or os.getcwd())
    args = list(argv)
    stdin = read_stdin or (lambda: "")
    if hook == "pre-commit":
        return PreCommitRequest(env, files=tuple(args))
    if hook == "post-checkout":
        return _post_checkout(env, args, environ)
    if hook == "post-merge":
        if len(args) == 1:
            return PostMergeRequest(env, squash=_flag(hook, args[0]))
        if "PRE_COMMIT_IS_SQUASH_MERGE" in environ:
            return PostMergeRequest(env, squash=_flag(hook, environ["PRE_COMMIT_IS_SQUASH_MERGE"]))
        raise _arity(hook, "<squash flag>", args)
    if hook == "post-rewrite":
        if len(args) == 1:
            return PostRewriteRequest(env, command=args[0], rewrites=tuple(parse_rewrite_stdin(stdin())))
        if "PRE_COMMIT_REWRITE_COMMAND" in environ:
            return PostRewriteRequest(env, command=environ["PRE_COMMIT_REWRITE_COMMAND"])
        raise _arity(hook, "<command>", args)
    return _pre_push(env, args, environ, stdin)


def _post_checkout(env: HookEnv, args: list[str], environ: Mapping[str, str]) -> PostCheckoutRequest:
    if len(args) == 3:
        prev, new, flag = args
    elif "PRE_COMMIT_CHECKOUT_TYPE" in environ and not args:
        prev = environ.get("PRE_COMMIT_FROM_REF", "")
        new = environ.get("PRE_COMMIT_TO_REF", "")
        flag = environ["PRE_COMMIT_CHECKOUT_TYPE"]
    else:
        raise _arity("post-checkout", "<previous HEAD> <new HEAD> <flag>", args)
    for sha in (prev, new):
        if not _SHA.match(sha):
            raise HookUsageError(f"post-checkout: '{sha}' is not a commit id")
    return PostCheckoutRequest(env, prev=prev, new=new, branch_checkout=_flag("post-checkout", flag))


def _pre_push(
    env: HookEnv, args: list[str], environ: Mapping[str, str], stdin: Callable[[], str]
) -> PrePushRequest:
    if len(args) == 2:
        return PrePushRequest(
            env, remote_name=args[0], remote_url=args[1], updates=tuple(parse_pre_push_stdin(stdin()))
        )
    # `pre-commit run --hook-stage pre-push` by hand passes no remote: every local branch
    # against git's default remote name (all their commits when there is no such remote)
    if not args and ("PRE_COMMIT_REMOTE_NAME" in environ or environ.get("PRE_COMMIT") == "1"):
        updates: tuple[PushUpdate, ...] = ()
        to_ref, from_ref = environ.get("PRE_COMMIT_TO_REF", ""), environ.get("PRE_COMMIT_FROM_REF", "")
        if to_ref and not is_zero(to_ref):
            local = environ.get("PRE_COMMIT_LOCAL_BRANCH", "")
            remote = environ.get("PRE_COMMIT_REMOTE_BRANCH", "")
            updates = (PushUpdate(local, to_ref, remote, from_ref or "0" * len(to_ref)),)
        return PrePushRequest(
            env,
            remote_name=environ.get("PRE_COMMIT_REMOTE_NAME") or "origin",
            remote_url=environ.get("PRE_COMMIT_REMOTE_URL", ""),
            updates=updates,
            complete=False,
        )
    raise _arity("pre-push", "<remote name> <remote url>", args)


def _flag(hook: str, value: str) -> bool:
    if value not in ("0", "1"):
        raise HookUsageError(f"{hook}: flag must be 0 or 1, got '{value}'")
    return value == "1"


def _arity(hook: str, expected: str, args: list[str]) -> HookUsageError:
    return HookUsageError(
        f"{hook}: expected arguments {expected} (or the pre-commit framework's PRE_COMMIT_* variables), "
        f"got {len(args)}: {' '.join(args) or '(none)'}"
    )
