"""The hook protocol: parsing git's argv/stdin and the pre-commit framework's variables,
the skip and trace variables, policy from git config, and the fast-path exits that must
happen before pygit2 or GitPython is imported (run as subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import stagecore.hooks
from stagecore.errors import StagecoreError
from stagecore.hooks import follow, pre_commit, pre_push
from stagecore.hooks.context import HookContext
from stagecore.hooks.policy import HookPolicy, policy_from_config, read_policy
from stagecore.hooks.post_checkout import recently_written_dvc_files
from stagecore.hooks.protocol import (
    HookEnv,
    HookNote,
    HookUsageError,
    PostCheckoutRequest,
    PostMergeRequest,
    PostRewriteRequest,
    PreCommitRequest,
    PrePushRequest,
    PushUpdate,
    Rewrite,
    hook_env,
    parse_pre_push_stdin,
    parse_request,
    parse_skip,
)
from stagecore.hooks.trace import Trace
from stagecore.scm.worktree import WorkTreeChange
from tests.helpers import REPO_ROOT, clean_env, git

A, B = "a" * 40, "b" * 40
Z40, Z64 = "0" * 40, "0" * 64


def no_stdin() -> str:
    raise AssertionError("stdin must not be read for this hook")


def parse(
    hook: str, argv: list[str], environ: dict[str, str] | None = None, stdin: str | None = None, cwd="/w"
):
    reader = no_stdin if stdin is None else (lambda: stdin)
    return parse_request(hook, argv, environ or {}, reader, cwd)


# --- parsing: native git -------------------------------------------------------------------


def test_native_pre_commit_and_post_checkout() -> None:
    req = parse("pre-commit", [])
    assert isinstance(req, PreCommitRequest) and req.hook == "pre-commit" and req.files == ()
    req = parse("post-checkout", [A, B, "1"])
    assert req == PostCheckoutRequest(HookEnv("/w"), prev=A, new=B, branch_checkout=True)
    assert parse("post-checkout", [A, A, "0"]).branch_checkout is False
    assert parse("post-checkout", [Z40, B, "1"]).prev == Z40


def test_native_post_merge_and_post_rewrite() -> None:
    assert parse("post-merge", ["0"]) == PostMergeRequest(HookEnv("/w"), squash=False)
    assert parse("post-merge", ["1"]).squash is True
    req = parse("post-rewrite", ["rebase"], stdin=f"{A} {B}\n{B} {A} extra info\n\n")
    assert isinstance(req, PostRewriteRequest)
    assert req.command == "rebase"
    assert req.rewrites == (Rewrite(A, B), Rewrite(B, A, "extra info"))
    assert parse("post-rewrite", ["amend"], stdin="").rewrites == ()


def test_native_pre_push_reads_stdin() -> None:
    stdin = (
        f"refs/heads/main {A} refs/heads/main {B}\n"
        f"refs/heads/new {B} refs/heads/new {Z40}\n"
        f"(delete) {Z40} refs/heads/old {A}\n"
        f"(delete) {Z64} refs/heads/old256 {'c' * 64}\n"
    )
    req = parse("pre-push", ["origin", "git@example.com:x.git"], stdin=stdin)
    assert isinstance(req, PrePushRequest)
    assert (req.remote_name, req.remote_url, req.complete) == ("origin", "git@example.com:x.git", True)
    assert req.updates[0] == PushUpdate("refs/heads/main", A, "refs/heads/main", B)
    assert [u.is_deletion for u in req.updates] == [False, False, True, True]
    assert req.pushes_something


def test_pre_push_nothing_to_push() -> None:
    only_deletions = parse("pre-push", ["origin", "u"], stdin=f"(delete) {Z40} refs/heads/x {A}\n")
    assert not only_deletions.pushes_something
    assert not parse("pre-push", ["origin", "u"], stdin="").pushes_something


def test_parse_pre_push_stdin_rejects_garbage() -> None:
    assert parse_pre_push_stdin("") == []
    with pytest.raises(HookUsageError, match="line 1"):
        parse_pre_push_stdin("refs/heads/main abc\n")
    with pytest.raises(HookUsageError):
        parse_pre_push_stdin(f"refs/heads/main {A} refs/heads/main not-a-sha\n")


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(HookUsageError, match="unknown hook"):
        parse("post-commit", [])
    with pytest.raises(HookUsageError, match="expected arguments"):
        parse("post-checkout", [A, B])
    with pytest.raises(HookUsageError, match="flag must be 0 or 1"):
        parse("post-checkout", [A, B, "2"])
    with pytest.raises(HookUsageError, match="not a commit id"):
        parse("post-checkout", ["HEAD", B, "1"])
    with pytest.raises(HookUsageError):
        parse("post-merge", [])
    with pytest.raises(HookUsageError):
        parse("post-rewrite", [])
    with pytest.raises(HookUsageError):
        parse("pre-push", ["origin"])
    with pytest.raises(HookUsageError, match="post-rewrite: stdin line 1"):
        parse("post-rewrite", ["rebase"], stdin="nonsense\n")


# --- parsing: the pre-commit framework ------------------------------------------------------


def test_framework_post_checkout() -> None:
    env = {
        "PRE_COMMIT": "1",
        "PRE_COMMIT_FROM_REF": A,
        "PRE_COMMIT_TO_REF": B,
        "PRE_COMMIT_CHECKOUT_TYPE": "1",
    }
    req = parse("post-checkout", [], env)
    assert (req.prev, req.new, req.branch_checkout, req.env.framework) == (A, B, True, True)
    file_checkout = dict(env, PRE_COMMIT_FROM_REF=A, PRE_COMMIT_TO_REF=A, PRE_COMMIT_CHECKOUT_TYPE="0")
    assert parse("post-checkout", [], file_checkout).branch_checkout is False
    worktree_add = dict(env, PRE_COMMIT_FROM_REF=Z40)
    assert parse("post-checkout", [], worktree_add).prev == Z40


def test_framework_post_merge_and_post_rewrite() -> None:
    assert parse("post-merge", [], {"PRE_COMMIT_IS_SQUASH_MERGE": "1"}).squash is True
    assert parse("post-merge", [], {"PRE_COMMIT_IS_SQUASH_MERGE": "0"}).squash is False
    req = parse("post-rewrite", [], {"PRE_COMMIT_REWRITE_COMMAND": "rebase"})  # stdin not read
    assert (req.command, req.rewrites) == ("rebase", ())


def test_framework_pre_push_first_ref_only() -> None:
    env = {
        "PRE_COMMIT": "1",
        "PRE_COMMIT_FROM_REF": A,
        "PRE_COMMIT_TO_REF": B,
        "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main",
        "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_REMOTE_URL": "/srv/x.git",
    }
    req = parse("pre-push", [], env)  # stdin not read: the framework consumed it
    assert req.updates == (PushUpdate("refs/heads/main", B, "refs/heads/main", A),)
    assert (req.remote_name, req.remote_url, req.complete) == ("origin", "/srv/x.git", False)
    assert req.pushes_something


def test_framework_pre_push_root_commit_has_no_refs() -> None:
    env = {
        "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main",
        "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_REMOTE_URL": "/srv/x.git",
    }
    req = parse("pre-push", [], env)
    assert req.updates == () and req.complete is False
    assert req.pushes_something  # falls back to every local branch tip


def test_native_argv_wins_over_framework_env() -> None:
    env = {"PRE_COMMIT_CHECKOUT_TYPE": "0", "PRE_COMMIT_FROM_REF": A, "PRE_COMMIT_TO_REF": A}
    assert parse("post-checkout", [A, B, "1"], env).new == B


# --- environment: skip, trace ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "skipped", "kept"),
    [
        ("pre-commit,post-checkout", {"pre-commit", "post-checkout"}, {"pre-push"}),
        (" pre-push  post-merge ", {"pre-push", "post-merge"}, {"pre-commit"}),
        ("all", {"pre-commit", "post-rewrite"}, set()),
        ("1", {"pre-push"}, set()),
        ("TRUE", {"post-merge"}, set()),
        ("", set(), {"pre-commit"}),
    ],
)
def test_skip_env(value: str, skipped: set[str], kept: set[str]) -> None:
    env = HookEnv("/w", skip=parse_skip(value))
    assert all(env.skips(h) for h in skipped)
    assert not any(env.skips(h) for h in kept)


def test_hook_env_reads_variables() -> None:
    env = hook_env(
        {
            "GIT_DIR": "/r/.git/worktrees/wt",
            "STAGECORE_TRACE": "1",
            "STAGECORE_SKIP_HOOKS": "pre-push",
            "PRE_COMMIT": "1",
            "_PRE_COMMIT_SKIP_POST_CHECKOUT": "1",
        },
        "/wt",
    )
    assert env == HookEnv("/wt", "/r/.git/worktrees/wt", None, frozenset({"pre-push"}), True, True, True)
    assert env.as_environ() == {"GIT_DIR": "/r/.git/worktrees/wt"}
    assert hook_env({"STAGECORE_TRACE": "0"}, "/w").trace is False


def test_trace_lines() -> None:
    trace = Trace("post-checkout", True)
    trace.mark("parse")
    trace.mark("locate")
    (line,) = trace.lines("not a DVC repository")
    assert line.startswith("stagecore trace post-checkout: not a DVC repository; parse ")
    assert "locate" in line and "total" in line and "heavy imports:" in line
    assert Trace("x", False).lines("done") == ()


# --- policy ---------------------------------------------------------------------------------


def test_policy_defaults_and_values() -> None:
    assert policy_from_config({}) == HookPolicy()
    policy = policy_from_config(
        {
            "stagecore.precommit": "Warn",
            "stagecore.fetch": "no",
            "stagecore.allowincompletepush": None,  # a bare key is true
            "stagecore.remote.origin": "storage",
        }
    )
    assert (policy.precommit, policy.fetch, policy.allow_incomplete_push) == ("warn", False, True)
    assert policy.data_remote_for("origin") == "storage"
    assert policy.data_remote_for("Origin") == "storage"
    assert policy.data_remote_for("upstream") is None
    assert policy.notes == ()


def test_policy_invalid_values_fall_back_with_a_note() -> None:
    policy = policy_from_config({"stagecore.precommit": "maybe", "stagecore.fetch": "sometimes"})
    assert (policy.precommit, policy.fetch) == ("block", True)
    messages = [n.message for n in policy.notes]
    assert any("stagecore.precommit = 'maybe' is not valid" in m for m in messages)
    assert any("stagecore.fetch = 'sometimes'" in m for m in messages)
    assert not any(n.blocking for n in policy.notes)


def test_read_policy_from_real_git_config(git_repo: Path, isolated_env: Path) -> None:
    assert read_policy(str(git_repo)) == HookPolicy()
    git("config", "stagecore.precommit", "off", cwd=git_repo)
    git("config", "stagecore.allowIncompletePush", "true", cwd=git_repo)
    git("config", "stagecore.remote.Upstream", "s3store", cwd=git_repo)
    git("config", "--global", "stagecore.fetch", "false", cwd=git_repo)
    policy = read_policy(str(git_repo))
    assert (policy.precommit, policy.fetch, policy.allow_incomplete_push) == ("off", False, True)
    assert policy.data_remote_for("Upstream") == "s3store"


# --- fast paths as subprocesses --------------------------------------------------------------

_PROBE = (
    "import sys; from githooks.__main__ import main; rc = main(sys.argv[1:]); "
    "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pygit2', 'git', 'yaml', 'ruamel')); "
    "sys.stdout.write(__import__('json').dumps({'rc': rc, 'heavy': heavy}))"
)


def run_hook(cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None):
    """Run the hook entry in a fresh interpreter; return (exit code, stderr, heavy modules)."""
    full_env = clean_env(env)
    full_env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    result = json.loads(proc.stdout)
    return result["rc"], proc.stderr, result["heavy"]


@pytest.fixture
def dvc_repo(git_repo: Path) -> Path:
    (git_repo / ".dvc").mkdir()
    (git_repo / ".dvc" / "config").write_text("", encoding="utf-8")
    (git_repo / "readme.txt").write_text("x\n", encoding="utf-8")
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "-m", "init", cwd=git_repo)
    return git_repo


def test_outside_any_repository_exits_silently(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "githooks", "post-checkout", A, B, "0"],
        cwd=tmp_path,
        env=dict(clean_env(), PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    rc, err, heavy = run_hook(tmp_path, "post-checkout", A, B, "1", env={"STAGECORE_TRACE": "1"})
    assert rc == 0 and heavy == []
    assert "not a DVC repository" in err and "heavy imports: none" in err


@pytest.mark.parametrize("hook_args", [("pre-commit",), ("post-checkout", A, B, "1"), ("post-merge", "0")])
def test_git_repo_without_dvc_is_a_no_op(git_repo: Path, hook_args: tuple[str, ...]) -> None:
    rc, err, heavy = run_hook(git_repo, *hook_args)
    assert (rc, err, heavy) == (0, "", [])


def test_python_m_githooks_inside_a_dvc_repo_no_op(dvc_repo: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    proc = subprocess.run(
        [sys.executable, "-m", "githooks", "post-checkout", head, head, "1"],
        cwd=dvc_repo,
        env=dict(clean_env(), PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stderr) == (0, "")


@pytest.mark.parametrize(
    ("args", "stdin", "env", "verdict"),
    [
        (("post-checkout", A, A, "1"), "", {}, "HEAD did not move"),
        (
            ("post-checkout", A, B, "1"),
            "",
            {"STAGECORE_SKIP_HOOKS": "post-checkout"},
            "skipped by STAGECORE_SKIP_HOOKS",
        ),
        (("pre-commit",), "", {"STAGECORE_SKIP_HOOKS": "all"}, "skipped by STAGECORE_SKIP_HOOKS"),
        (("post-checkout", A, B, "1"), "", {"_PRE_COMMIT_SKIP_POST_CHECKOUT": "1"}, "framework stash"),
        (("post-checkout", A, A, "0"), "", {}, "file checkout wrote no dvc file"),
        (("post-rewrite", "amend"), f"{A} {B}\n", {}, "'amend' leaves the work tree as it is"),
        (
            ("pre-push", "origin", "/x.git"),
            f"(delete) {Z40} refs/heads/x {A}\n",
            {},
            "nothing to push (only deletions)",
        ),
        (("pre-push", "origin", "/x.git"), "", {}, "nothing to push (no refs)"),
    ],
)
def test_fast_path_exits_without_heavy_imports(
    dvc_repo: Path, args: tuple[str, ...], stdin: str, env: dict[str, str], verdict: str
) -> None:
    rc, err, heavy = run_hook(dvc_repo, *args, stdin=stdin, env={**env, "STAGECORE_TRACE": "1"})
    assert rc == 0
    assert heavy == []
    (line,) = err.splitlines()
    assert line.startswith(f"stagecore trace {args[0]}: ") and verdict in line
    rc, err, _ = run_hook(dvc_repo, *args, stdin=stdin, env=env)
    assert (rc, err) == (0, "")


def test_operation_in_progress_stops_post_checkout_and_post_merge(dvc_repo: Path) -> None:
    git_dir = dvc_repo / ".git"
    (git_dir / "MERGE_HEAD").write_text(A + "\n", encoding="utf-8")
    for args in (("post-checkout", A, B, "1"), ("post-merge", "0")):
        rc, err, heavy = run_hook(dvc_repo, *args, env={"STAGECORE_TRACE": "1"})
        assert (rc, heavy) == (0, [])
        assert "merge in progress" in err
    (git_dir / "MERGE_HEAD").unlink()
    (git_dir / "rebase-merge").mkdir()
    rc, err, heavy = run_hook(dvc_repo, "post-checkout", A, B, "1", env={"STAGECORE_TRACE": "1"})
    assert "rebase in progress" in err and heavy == []


def test_worktree_hook_finds_its_own_git_dir(dvc_repo: Path, tmp_path: Path) -> None:
    """git sets GIT_DIR to the worktree's git dir; a merge there stops the hook only there."""
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", "-b", "wtb", str(wt), cwd=dvc_repo)
    wt_git_dir = dvc_repo / ".git" / "worktrees" / "wt"
    (wt_git_dir / "MERGE_HEAD").write_text(A + "\n", encoding="utf-8")
    rc, err, heavy = run_hook(wt, "post-merge", "0", env={"GIT_DIR": str(wt_git_dir), "STAGECORE_TRACE": "1"})
    assert (rc, heavy) == (0, []) and "merge in progress" in err
    rc, err, heavy = run_hook(wt, "post-merge", "0", env={"STAGECORE_TRACE": "1"})  # via the .git file
    assert "merge in progress" in err
    rc, err, heavy = run_hook(dvc_repo, "post-checkout", A, A, "1", env={"STAGECORE_TRACE": "1"})
    assert "HEAD did not move" in err


def test_usage_error_exit_codes(dvc_repo: Path) -> None:
    rc, err, _ = run_hook(dvc_repo, "post-checkout", "only-one")
    assert rc == 0 and "stagecore post-checkout: ERROR: post-checkout: expected arguments" in err
    rc, err, _ = run_hook(dvc_repo, "pre-push", "origin", "url", stdin="garbage\n")
    assert rc == 1 and "stdin line 1" in err
    proc = subprocess.run(
        [sys.executable, "-m", "githooks", "no-such-hook"],
        cwd=dvc_repo,
        env=dict(clean_env(), PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "usage: python -m githooks" in proc.stderr


def test_recently_written_dvc_files(dvc_repo: Path) -> None:
    (dvc_repo / "sub").mkdir()
    for rel in ("dvc.lock", "sub/data.dvc", "sub/dvc.yaml", "other.txt"):
        (dvc_repo / rel).write_text("x\n", encoding="utf-8")
    git("add", "-A", cwd=dvc_repo)
    (dvc_repo / "untracked.dvc").write_text("u\n", encoding="utf-8")
    assert sorted(recently_written_dvc_files(str(dvc_repo))) == ["dvc.lock", "sub/data.dvc", "sub/dvc.yaml"]
    assert recently_written_dvc_files(str(dvc_repo), now=time.time() + 3600) == []


# --- plumbing behind the fast path, with the engine replaced --------------------------------


def request_in(root: Path, req):
    return req._replace(env=HookEnv(str(root)))


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Replace the three engine calls by recorders returning no notes."""
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(
        follow, "_engine", lambda root, changes, **kw: calls.append(("follow", (dict(changes), kw))) or []
    )
    monkeypatch.setattr(pre_commit, "_engine", lambda root, dirty, open_git, **kw: calls.append(("pre-commit", root)) or [])
    monkeypatch.setattr(
        pre_push, "_engine", lambda root, commits, **kw: calls.append(("pre-push", (commits, kw))) or []
    )
    return calls


def commit_files(root: Path, files: dict[str, str]) -> str:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "c", cwd=root)
    return git("rev-parse", "HEAD", cwd=root).strip()


def test_post_checkout_passes_only_changed_dvc_files(dvc_repo: Path, engine_calls: list, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    old = commit_files(dvc_repo, {"dvc.lock": "v1\n", "a.dvc": "a\n"})
    new = commit_files(dvc_repo, {"dvc.lock": "v2\n", "code.py": "x\n"})
    outcome = stagecore.hooks.run(request_in(dvc_repo, PostCheckoutRequest(HookEnv("."), old, new, True)))
    assert outcome == (0, ())
    assert engine_calls == [
        ("follow", ({"dvc.lock": (b"v1\n", b"v2\n")}, {"fetch": True, "data_remote": None, "report": []}))
    ]
    engine_calls.clear()
    only_code = commit_files(dvc_repo, {"code.py": "y\n"})
    assert stagecore.hooks.run(
        request_in(dvc_repo, PostCheckoutRequest(HookEnv("."), new, only_code, True))
    ) == (0, ())
    assert engine_calls == []
    git("config", "stagecore.fetch", "false", cwd=dvc_repo)
    stagecore.hooks.run(request_in(dvc_repo, PostCheckoutRequest(HookEnv("."), Z40, new, True)))
    assert engine_calls[0][1] == (
        {"dvc.lock": (None, b"v2\n"), "a.dvc": (None, b"a\n")},
        {"fetch": False, "data_remote": None, "report": []},
    )


def test_post_checkout_file_checkout_follows_written_dvc_files(
    dvc_repo: Path, engine_calls: list, monkeypatch
) -> None:
    monkeypatch.chdir(dvc_repo)
    head = commit_files(dvc_repo, {"dvc.lock": "v1\n"})
    (dvc_repo / "dvc.lock").write_text("edited\n", encoding="utf-8")
    git("checkout", "--", "dvc.lock", cwd=dvc_repo)
    stagecore.hooks.run(request_in(dvc_repo, PostCheckoutRequest(HookEnv("."), head, head, False)))
    assert engine_calls == [
        ("follow", ({"dvc.lock": (None, b"v1\n")}, {"fetch": True, "data_remote": None, "report": []}))
    ]


def test_post_merge_normal_and_squash(dvc_repo: Path, engine_calls: list, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v1\n"})
    git("checkout", "-q", "-b", "feat", cwd=dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v2\n", "f.dvc": "f\n"})
    git("checkout", "-q", "main", cwd=dvc_repo)
    git("merge", "-q", "feat", cwd=dvc_repo)  # fast-forward; ORIG_HEAD is the old main
    assert stagecore.hooks.run(request_in(dvc_repo, PostMergeRequest(HookEnv("."), False))).exit_code == 0
    assert engine_calls[-1][1][0] == {"dvc.lock": (b"v1\n", b"v2\n"), "f.dvc": (None, b"f\n")}
    git("checkout", "-q", "-b", "feat2", cwd=dvc_repo)
    commit_files(dvc_repo, {"g.dvc": "g\n"})
    git("checkout", "-q", "main", cwd=dvc_repo)
    git("merge", "-q", "--squash", "feat2", cwd=dvc_repo)  # HEAD does not move; the index has it
    stagecore.hooks.run(request_in(dvc_repo, PostMergeRequest(HookEnv("."), True)))
    assert engine_calls[-1][1][0] == {"g.dvc": (None, b"g\n")}


def test_post_rewrite_rebase_uses_pre_rebase_tip(dvc_repo: Path, engine_calls: list, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v1\n"})
    git("checkout", "-q", "-b", "feat", cwd=dvc_repo)
    commit_files(dvc_repo, {"f.dvc": "f1\n"})
    git("checkout", "-q", "main", cwd=dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v2\n"})
    git("checkout", "-q", "feat", cwd=dvc_repo)
    git("rebase", "-q", "main", cwd=dvc_repo)
    stagecore.hooks.run(request_in(dvc_repo, PostRewriteRequest(HookEnv("."), "rebase")))
    assert engine_calls[-1][1][0] == {"dvc.lock": (b"v1\n", b"v2\n")}
    engine_calls.clear()
    stagecore.hooks.run(request_in(dvc_repo, PostRewriteRequest(HookEnv("."), "amend")))
    assert engine_calls == []


def test_post_rewrite_runs_during_rebase_state(dvc_repo: Path, engine_calls: list, monkeypatch) -> None:
    """git runs post-rewrite before removing `rebase-merge/`: read its orig-head."""
    monkeypatch.chdir(dvc_repo)
    before = commit_files(dvc_repo, {"dvc.lock": "v1\n"})
    commit_files(dvc_repo, {"dvc.lock": "v2\n"})
    state = dvc_repo / ".git" / "rebase-merge"
    state.mkdir()
    (state / "orig-head").write_text(before + "\n", encoding="utf-8")
    stagecore.hooks.run(request_in(dvc_repo, PostRewriteRequest(HookEnv("."), "rebase")))
    assert engine_calls[-1][1][0] == {"dvc.lock": (b"v1\n", b"v2\n")}


def test_pre_commit_reports_unstaged_dvc_files(dvc_repo: Path, engine_calls: list, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v1\n", "dvc.yaml": "stages: {}\n"})
    assert stagecore.hooks.run(request_in(dvc_repo, PreCommitRequest(HookEnv(".")))) == (0, ())
    assert engine_calls == [("pre-commit", str(dvc_repo))]
    (dvc_repo / "dvc.lock").write_text("v2\n", encoding="utf-8")
    (dvc_repo / "dvc.yaml").write_text("stages: {a: {cmd: x}}\n", encoding="utf-8")  # work in progress: fine
    (dvc_repo / "new data.dvc").write_text("n\n", encoding="utf-8")
    outcome = stagecore.hooks.run(request_in(dvc_repo, PreCommitRequest(HookEnv("."))))
    assert outcome.exit_code == 1
    assert outcome.lines == (
        "stagecore pre-commit: commit refused (2 problems):",
        "  - 'dvc.lock' changed but the change is not staged",
        "    hint: git add dvc.lock",
        "  - 'new data.dvc' is not tracked by git",
        "    hint: git add 'new data.dvc'",
        "hint: fix the above, or commit anyway with `git commit --no-verify`",
    )
    git("config", "stagecore.precommit", "warn", cwd=dvc_repo)
    outcome = stagecore.hooks.run(request_in(dvc_repo, PreCommitRequest(HookEnv("."))))
    assert outcome.exit_code == 0
    assert outcome.lines[0] == "stagecore pre-commit: warning (2 remarks, stagecore.precommit = warn):"
    git("config", "stagecore.precommit", "off", cwd=dvc_repo)
    engine_calls.clear()
    assert stagecore.hooks.run(request_in(dvc_repo, PreCommitRequest(HookEnv(".")))) == (0, ())
    assert engine_calls == []


def test_pre_commit_unstaged_notes() -> None:
    notes = pre_commit.unstaged_notes(
        [
            WorkTreeChange("a.dvc", "deleted"),
            WorkTreeChange("sub/dvc.yaml", "modified"),
            WorkTreeChange("dvc.lock", "modified"),
        ]
    )
    assert notes == [
        HookNote("'a.dvc' is deleted but the deletion is not staged", "git rm --cached a.dvc"),
        HookNote("'dvc.lock' changed but the change is not staged", "git add dvc.lock"),
    ]


def test_pre_push_commits_native_and_framework(
    dvc_repo: Path, tmp_path: Path, engine_calls: list, monkeypatch
) -> None:
    monkeypatch.chdir(dvc_repo)
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=dvc_repo)
    commit_files(dvc_repo, {"dvc.lock": "v1\n", "dvc.yaml": "stages: {}\n"})
    git("push", "-q", "origin", "main", cwd=dvc_repo)
    pushed = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    tip = commit_files(dvc_repo, {"dvc.lock": "v2\n"})
    git("checkout", "-q", "-b", "side", cwd=dvc_repo)
    side = commit_files(dvc_repo, {"side.dvc": "s\n"})
    git("checkout", "-q", "main", cwd=dvc_repo)
    git("config", "stagecore.remote.origin", "store", cwd=dvc_repo)

    native = PrePushRequest(
        HookEnv("."), "origin", str(bare), (PushUpdate("refs/heads/main", tip, "refs/heads/main", pushed),)
    )
    assert stagecore.hooks.run(request_in(dvc_repo, native)) == (0, ())
    assert engine_calls[-1] == (
        "pre-push", ([tip], {"data_remote": "store", "allow_incomplete": False, "report": []})
    )

    # the framework passed no ref (or only the first): every local branch not on the remote
    framework = PrePushRequest(HookEnv("."), "origin", str(bare), (), complete=False)
    stagecore.hooks.run(request_in(dvc_repo, framework))
    assert sorted(engine_calls[-1][1][0]) == sorted([tip, side])
    git("config", "stagecore.allowIncompletePush", "yes", cwd=dvc_repo)
    git("config", "--unset", "stagecore.remote.origin", cwd=dvc_repo)
    stagecore.hooks.run(request_in(dvc_repo, native))
    assert engine_calls[-1][1][1] == {"data_remote": None, "allow_incomplete": True, "report": []}

    engine_calls.clear()
    req = PrePushRequest(
        HookEnv("."), "origin", str(bare), (PushUpdate("refs/heads/main", pushed, "refs/heads/main", pushed),)
    )
    assert stagecore.hooks.run(request_in(dvc_repo, req)) == (0, ())
    assert engine_calls == []  # no new commit: the engine is not called


def test_pre_push_blocking_notes_refuse(dvc_repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    tip = commit_files(dvc_repo, {"dvc.lock": "v1\n"})
    monkeypatch.setattr(
        pre_push,
        "_engine",
        lambda root, commits, **kw: [HookNote("object 'abc' of 'data' is missing", "stagecore fetch")],
    )
    req = PrePushRequest(
        HookEnv("."), "origin", "/x", (PushUpdate("refs/heads/main", tip, "refs/heads/main", Z40),)
    )
    outcome = stagecore.hooks.run(request_in(dvc_repo, req))
    assert outcome.exit_code == 1
    assert outcome.lines[:3] == (
        "stagecore pre-push: push to 'origin' refused (1 problem):",
        "  - object 'abc' of 'data' is missing",
        "    hint: stagecore fetch",
    )


@pytest.mark.parametrize(("hook", "code"), [("pre-commit", 1), ("post-checkout", 0)])
def test_errors_refuse_only_in_pre_hooks(dvc_repo: Path, monkeypatch, hook: str, code: int) -> None:
    monkeypatch.chdir(dvc_repo)
    old = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    new = commit_files(dvc_repo, {"dvc.lock": "v1\n"})

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(pre_commit, "_engine", boom)
    monkeypatch.setattr(follow, "_engine", boom)
    req = (
        PreCommitRequest(HookEnv("."))
        if hook == "pre-commit"
        else PostCheckoutRequest(HookEnv("."), old, new, True)
    )
    outcome = stagecore.hooks.run(request_in(dvc_repo, req))
    assert outcome.exit_code == code
    assert outcome.lines == (
        f"stagecore {hook}: ERROR: internal error: RuntimeError: kaput",
        f"hint: skip this hook with STAGECORE_SKIP_HOOKS={hook} and please report it",
    )

    def known(*args, **kwargs):
        raise StagecoreError("remote 'x' is unreachable", hint="check the network")

    monkeypatch.setattr(pre_commit, "_engine", known)
    monkeypatch.setattr(follow, "_engine", known)
    outcome = stagecore.hooks.run(request_in(dvc_repo, req))
    assert outcome == (
        code,
        (f"stagecore {hook}: ERROR: remote 'x' is unreachable", "hint: check the network"),
    )


def test_follow_renders_problems_but_exits_zero(dvc_repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(dvc_repo)
    ctx = HookContext("post-checkout", str(dvc_repo), HookEnv(str(dvc_repo)), Trace("post-checkout", False))
    monkeypatch.setattr(
        follow,
        "_engine",
        lambda root, changes, **kw: [
            HookNote("'data' kept: not in the cache", "stagecore commit data", False)
        ],
    )
    outcome = follow.follow(ctx, {"data.dvc": (None, b"x")})
    assert outcome == (
        0,
        (
            "stagecore post-checkout: the workspace does not fully match the checked-out dvc files:",
            "  - 'data' kept: not in the cache",
            "    hint: stagecore commit data",
        ),
    )


def test_stagecore_hook_subcommand_forwards(dvc_repo: Path) -> None:
    env = dict(clean_env(), PYTHONPATH=str(REPO_ROOT), STAGECORE_TRACE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "stagecore", "hook", "post-checkout", A, A, "1"],
        cwd=dvc_repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0
    assert "stagecore trace post-checkout: HEAD did not move" in proc.stderr
    env.update(PRE_COMMIT="1", PRE_COMMIT_CHECKOUT_TYPE="1", PRE_COMMIT_FROM_REF=A, PRE_COMMIT_TO_REF=A)
    proc = subprocess.run(
        [sys.executable, "-m", "stagecore", "hook", "post-checkout"],
        cwd=dvc_repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "HEAD did not move" in proc.stderr


@pytest.mark.parametrize("hook,code", [("post-checkout", 0), ("pre-commit", 1)])
def test_a_full_disk_in_a_hook_is_one_line_naming_the_path(hook, code, monkeypatch) -> None:
    """An OSError of the disk that escapes the engine is no internal error: one line with the path."""
    import errno

    import stagecore.hooks as hooks

    def full(_request, _trace):
        raise OSError(errno.ENOSPC, "No space left on device", "/work/data/big.bin")

    monkeypatch.setattr(hooks, "_run", full)
    args = ["0" * 40, "1" * 40, "1"] if hook == "post-checkout" else []
    outcome = hooks.run(parse(hook, args))
    assert outcome.exit_code == code
    assert outcome.lines[0] == f"stagecore {hook}: ERROR: no space left on device while writing '/work/data/big.bin'"
    assert outcome.lines[1].startswith("hint: ")
    assert not any("internal error" in line for line in outcome.lines)


def test_a_warning_of_the_engine_is_the_hooks_own_line(git_repo) -> None:
    """A DVC 1.x dvc.lock read by the real pre-commit hook: one `stagecore pre-commit: WARNING:` line,
    never Python's raw `file:line: LegacyLockWarning:` format."""
    import subprocess

    from tests.helpers import clean_env, git, run_cli

    repo = git_repo
    assert run_cli("init", cwd=repo).returncode == 0
    (repo / "data.txt").write_text("x\n")
    (repo / "dvc.yaml").write_text("stages:\n  prep:\n    cmd: cp data.txt prep.txt\n    deps:\n    - data.txt\n"
                                   "    outs:\n    - prep.txt:\n        cache: false\n")
    (repo / "prep.txt").write_text("x\n")
    md5 = "401b30e3b8b5d629635a5c613cdb7919"
    (repo / "dvc.lock").write_text(f"prep:\n  cmd: cp data.txt prep.txt\n  deps:\n  - path: data.txt\n    md5: {md5}\n"
                                   f"  outs:\n  - path: prep.txt\n    md5: {md5}\n")
    assert run_cli("install", cwd=repo).returncode == 0
    git("add", "-A", cwd=repo)
    proc = subprocess.run(["git", "commit", "-qm", "legacy lock"], cwd=repo, env=clean_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "LegacyLockWarning" not in proc.stderr and "Traceback" not in proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert warned == ["stagecore pre-commit: WARNING: a dvc.lock without `schema` (DVC 1.x layout, stages 'prep') "
                      "is read as DVC 1.x wrote it: DVC 3 refuses it"], proc.stderr
