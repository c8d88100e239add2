"""stagecore install / uninstall with real git: shims, core.hooksPath, worktrees, legacy
hooks chained and restored, a vanished interpreter, and the pre-commit framework."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from stagecore import __version__
from stagecore.errors import UsageError
from stagecore.hooks.install import (
    HOOK_NAMES,
    MARKER,
    InstallError,
    install,
    is_ours,
    shim_text,
    uninstall,
)
from tests.helpers import clean_env, git, run_cli

A = "a" * 40


def git_run(*args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None):  # noqa: A002
    """git with a clean environment, not raising: the hooks' output is on stderr."""
    return subprocess.run(
        ["git", *args], cwd=cwd, env=clean_env(env), capture_output=True, text=True, input=input, check=False
    )


def commit(root: Path, name: str = "f.txt", text: str = "x\n", message: str = "c") -> None:
    (root / name).write_text(text, encoding="utf-8")
    git("add", name, cwd=root)
    git("commit", "-q", "-m", message, cwd=root)


@pytest.fixture
def dvc_repo(git_repo: Path) -> Path:
    (git_repo / ".dvc").mkdir()
    (git_repo / ".dvc" / "config").write_text("", encoding="utf-8")
    git("add", ".dvc", cwd=git_repo)
    git("commit", "-q", "-m", "init", cwd=git_repo)
    return git_repo


def foreign_hook(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)


# --- shims -------------------------------------------------------------------------------------


def test_install_writes_every_shim(git_repo: Path) -> None:
    result = install(str(git_repo))
    hooks_dir = git_repo / ".git" / "hooks"
    assert result.hooks_dir == str(hooks_dir)
    assert [c.hook for c in result.changes] == list(HOOK_NAMES)
    assert {c.action for c in result.changes} == {"installed"}
    assert result.dvc_repo is False
    for name in HOOK_NAMES:
        path = hooks_dir / name
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#!/bin/sh\n")
        assert MARKER in text.splitlines()
        assert sys.executable in text
        assert '"$hook" "$@"' in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o755
        assert is_ours(str(path))
        assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0


def test_reinstall_is_idempotent(git_repo: Path) -> None:
    install(str(git_repo))
    before = {n: (git_repo / ".git" / "hooks" / n).read_text(encoding="utf-8") for n in HOOK_NAMES}
    result = install(str(git_repo))
    assert {c.action for c in result.changes} == {"unchanged"}
    assert not list((git_repo / ".git" / "hooks").glob("*.legacy"))
    after = {n: (git_repo / ".git" / "hooks" / n).read_text(encoding="utf-8") for n in HOOK_NAMES}
    assert before == after
    # a new interpreter rewrites our own shims in place
    result = install(str(git_repo), interpreter="/opt/other/python")
    assert {c.action for c in result.changes} == {"updated"}
    assert "py=/opt/other/python" in (git_repo / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")
    assert not list((git_repo / ".git" / "hooks").glob("*.legacy"))


def test_install_selected_hooks_and_unknown(git_repo: Path) -> None:
    result = install(str(git_repo), ["pre-push", "post-merge"])
    assert [c.hook for c in result.changes] == ["pre-push", "post-merge"]
    assert not (git_repo / ".git" / "hooks" / "pre-commit").exists()
    with pytest.raises(UsageError, match="unknown hook"):
        install(str(git_repo), ["post-commit"])


def test_shim_quotes_interpreter_path() -> None:
    text = shim_text("post-checkout", "/opt/my venv/it's/python")
    assert "py='/opt/my venv/it'\"'\"'s/python'" in text


# --- real git runs the shims --------------------------------------------------------------------


def test_installed_hook_runs_through_git(dvc_repo: Path) -> None:
    install(str(dvc_repo))
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0
    assert "stagecore trace post-checkout: HEAD did not move" in proc.stderr
    proc = git_run("checkout", "-q", "main", cwd=dvc_repo)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_users_githooks_folder_does_not_shadow_the_package(dvc_repo: Path) -> None:
    (dvc_repo / "githooks").mkdir()
    (dvc_repo / "githooks" / "__init__.py").write_text("raise SystemExit('shadowed!')\n", encoding="utf-8")
    (dvc_repo / "githooks" / "__main__.py").write_text("raise SystemExit('shadowed!')\n", encoding="utf-8")
    install(str(dvc_repo))
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert "shadowed" not in proc.stderr
    assert "HEAD did not move" in proc.stderr


def test_core_hooks_path_is_followed(dvc_repo: Path) -> None:
    git("config", "core.hooksPath", "myhooks", cwd=dvc_repo)
    result = install(str(dvc_repo))
    assert result.hooks_dir == str(dvc_repo / "myhooks")
    assert (dvc_repo / "myhooks" / "post-checkout").exists()
    assert not (dvc_repo / ".git" / "hooks" / "post-checkout").exists()
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert "stagecore trace post-checkout" in proc.stderr
    absolute = dvc_repo.parent / "shared-hooks"
    git("config", "core.hooksPath", str(absolute), cwd=dvc_repo)
    assert install(str(dvc_repo), ["pre-push"]).hooks_dir == str(absolute)
    assert (absolute / "pre-push").exists()


def test_linked_worktree_installs_into_the_common_hooks(dvc_repo: Path, tmp_path: Path) -> None:
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", "-b", "wtb", str(wt), cwd=dvc_repo)
    result = run_cli("install", cwd=wt)
    assert result.returncode == 0, result.stderr
    assert (dvc_repo / ".git" / "hooks" / "post-checkout").exists()
    proc = git_run("checkout", "-q", "-b", "wt2", cwd=wt, env={"STAGECORE_TRACE": "1"})
    assert "stagecore trace post-checkout: HEAD did not move" in proc.stderr
    # an operation in progress in the worktree stops its hooks, found through git's GIT_DIR
    (wt / "w.txt").write_text("w\n", encoding="utf-8")
    git("add", "w.txt", cwd=wt)
    git("commit", "-q", "-m", "w", cwd=wt, env={"STAGECORE_SKIP_HOOKS": "pre-commit"})
    # (git checkout itself clears a merge's state; a rebase's stays while it checks out)
    (dvc_repo / ".git" / "worktrees" / "wt" / "rebase-merge").mkdir()
    proc = git_run("checkout", "-q", "HEAD~1", cwd=wt, env={"STAGECORE_TRACE": "1"})
    assert "stagecore trace post-checkout: rebase in progress" in proc.stderr, proc.stderr
    proc = git_run("checkout", "-q", "-b", "x", "wt2", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert "stagecore trace post-checkout: no dvc file changed" in proc.stderr  # main is not rebasing


def test_submodule_installs_into_its_own_git_dir(dvc_repo: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    git("init", "-q", cwd=lib)
    git("commit", "-q", "--allow-empty", "-m", "l", cwd=lib)
    git("-c", "protocol.file.allow=always", "submodule", "-q", "add", str(lib), "lib", cwd=dvc_repo)
    sub = dvc_repo / "lib"
    (sub / ".dvc").mkdir()
    proc = run_cli("install", "--hook", "post-checkout", cwd=sub)
    assert proc.returncode == 0, proc.stderr
    hook = dvc_repo / ".git" / "modules" / "lib" / "hooks" / "post-checkout"
    assert is_ours(str(hook))
    assert not (dvc_repo / ".git" / "hooks" / "post-checkout").exists()
    proc = git_run("checkout", "-q", "-b", "x", cwd=sub, env={"STAGECORE_TRACE": "1"})
    assert "stagecore trace post-checkout: HEAD did not move" in proc.stderr


# --- foreign hooks ------------------------------------------------------------------------------


def test_foreign_hook_is_kept_and_runs_first(dvc_repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "legacy-ran"
    hooks = dvc_repo / ".git" / "hooks"
    foreign_hook(hooks / "post-checkout", f'echo "$@" >> "{marker}"\n')
    result = install(str(dvc_repo))
    change = {c.hook: c for c in result.changes}["post-checkout"]
    assert change.legacy == str(hooks / "post-checkout.legacy")
    assert "legacy-ran" in (hooks / "post-checkout.legacy").read_text(encoding="utf-8")
    head = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0
    assert marker.read_text(encoding="utf-8") == f"{head} {head} 1\n"  # got git's arguments
    assert "stagecore trace post-checkout" in proc.stderr  # and ours ran after it
    # re-install keeps the legacy hook where it is
    assert {c.action for c in install(str(dvc_repo)).changes} == {"unchanged"}
    assert (hooks / "post-checkout.legacy").exists()


def test_failing_legacy_pre_commit_blocks_the_commit(dvc_repo: Path) -> None:
    hooks = dvc_repo / ".git" / "hooks"
    foreign_hook(hooks / "pre-commit", "echo legacy says no >&2\nexit 3\n")
    install(str(dvc_repo))
    (dvc_repo / "f.txt").write_text("x\n", encoding="utf-8")
    git("add", "f.txt", cwd=dvc_repo)
    proc = git_run("commit", "-q", "-m", "m", cwd=dvc_repo)
    assert proc.returncode != 0
    assert "legacy says no" in proc.stderr
    assert "stagecore" not in proc.stderr  # stopped before our hook


def test_failing_legacy_post_hook_status_is_kept(dvc_repo: Path) -> None:
    hooks = dvc_repo / ".git" / "hooks"
    foreign_hook(hooks / "post-checkout", "exit 5\n")
    install(str(dvc_repo))
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode != 0  # git fails the checkout command with the hook's failure
    assert "stagecore trace post-checkout" in proc.stderr  # ours still ran


def test_pre_push_stdin_reaches_both_hooks(dvc_repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=dvc_repo)
    git("branch", "gone", cwd=dvc_repo)
    git("push", "-q", "origin", "gone", cwd=dvc_repo)
    log = tmp_path / "legacy-stdin"
    foreign_hook(dvc_repo / ".git" / "hooks" / "pre-push", f'echo "$1 $2" > "{log}"\ncat >> "{log}"\n')
    install(str(dvc_repo))
    proc = git_run("push", "origin", ":gone", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0, proc.stderr
    legacy_saw = log.read_text(encoding="utf-8").splitlines()
    assert legacy_saw[0] == f"origin {bare}"
    assert legacy_saw[1].startswith("(delete) 0000000000000000000000000000000000000000 refs/heads/gone ")
    assert "stagecore trace pre-push: nothing to push (only deletions)" in proc.stderr  # ours read it too


def test_post_rewrite_stdin_reaches_legacy(dvc_repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "rewrite-stdin"
    foreign_hook(dvc_repo / ".git" / "hooks" / "post-rewrite", f'cat > "{log}"\n')
    install(str(dvc_repo), ["post-rewrite"])
    before = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    proc = git_run("commit", "-q", "--amend", "-m", "amended", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0, proc.stderr
    after = git("rev-parse", "HEAD", cwd=dvc_repo).strip()
    assert log.read_text(encoding="utf-8") == f"{before} {after}\n"
    assert "'amend' leaves the work tree as it is" in proc.stderr


def test_foreign_hook_with_existing_legacy_is_refused(git_repo: Path) -> None:
    hooks = git_repo / ".git" / "hooks"
    foreign_hook(hooks / "pre-push", "exit 0\n")
    foreign_hook(hooks / "pre-push.legacy", "exit 0\n")
    with pytest.raises(InstallError, match="a '.legacy' copy already exists"):
        install(str(git_repo))
    assert not any(is_ours(str(hooks / n)) for n in HOOK_NAMES)  # nothing written


def test_uninstall_restores_legacy_and_leaves_foreign_hooks(dvc_repo: Path, tmp_path: Path) -> None:
    hooks = dvc_repo / ".git" / "hooks"
    marker = tmp_path / "legacy-ran"
    foreign_hook(hooks / "post-checkout", f'echo ran >> "{marker}"\n')
    install(str(dvc_repo), ["post-checkout", "pre-commit"])
    foreign_hook(hooks / "pre-push", "exit 0\n")  # someone else's, installed later
    result = uninstall(str(dvc_repo))
    actions = {c.hook: c.action for c in result.changes}
    assert actions == {
        "pre-commit": "removed",
        "post-checkout": "restored",
        "post-merge": "absent",
        "post-rewrite": "absent",
        "pre-push": "foreign-kept",
    }
    assert not (hooks / "pre-commit").exists()
    assert not (hooks / "post-checkout.legacy").exists()
    assert "legacy-ran" in (hooks / "post-checkout").read_text(encoding="utf-8")
    assert (hooks / "pre-push").read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert marker.read_text(encoding="utf-8") == "ran\n"
    assert "stagecore" not in proc.stderr


# --- the interpreter is gone ----------------------------------------------------------------------


def test_interpreter_gone_warns_and_lets_git_continue(dvc_repo: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "deleted-venv" / "bin" / "python")
    install(str(dvc_repo), interpreter=missing)
    message = f"stagecore: hook interpreter {missing} is gone; reinstall with: stagecore install"
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo)
    assert proc.returncode == 0
    assert message in proc.stderr.splitlines()
    (dvc_repo / "f.txt").write_text("x\n", encoding="utf-8")
    git("add", "f.txt", cwd=dvc_repo)
    proc = git_run("commit", "-q", "-m", "m", cwd=dvc_repo)
    assert proc.returncode == 0  # pre-commit does not block either
    assert message in proc.stderr.splitlines()


def test_edited_shim_interpreter_gone(dvc_repo: Path, tmp_path: Path) -> None:
    install(str(dvc_repo), ["post-checkout"])
    shim = dvc_repo / ".git" / "hooks" / "post-checkout"
    text = shim.read_text(encoding="utf-8")
    gone = str(tmp_path / "moved" / "python")
    shim.write_text(text.replace(f"py={sys.executable}", f"py={gone}"), encoding="utf-8")
    proc = git_run("checkout", "-q", "-b", "feature", cwd=dvc_repo)
    assert proc.returncode == 0
    assert f"stagecore: hook interpreter {gone} is gone; reinstall with: stagecore install" in proc.stderr


# --- command line -------------------------------------------------------------------------------


def test_cli_install_and_uninstall(dvc_repo: Path) -> None:
    foreign_hook(dvc_repo / ".git" / "hooks" / "pre-commit", "exit 0\n")
    sub = dvc_repo / "sub"
    sub.mkdir()
    proc = run_cli("install", "--hook", "pre-commit", "--hook", "post-checkout", cwd=sub)
    assert proc.returncode == 0, proc.stderr
    assert "pre-commit: installed at ../.git/hooks/pre-commit" in proc.stdout
    assert "the existing hook was kept as ../.git/hooks/pre-commit.legacy and runs first" in proc.stdout
    assert "post-checkout: installed at ../.git/hooks/post-checkout" in proc.stdout
    assert proc.stderr == ""
    proc = run_cli("install", "--hook", "pre-commit", cwd=dvc_repo)
    assert "pre-commit: already installed at .git/hooks/pre-commit" in proc.stdout
    proc = run_cli("uninstall", cwd=dvc_repo)
    assert proc.returncode == 0, proc.stderr
    assert "pre-commit: removed; the previous hook is back (.git/hooks/pre-commit)" in proc.stdout
    assert "post-checkout: removed (.git/hooks/post-checkout)" in proc.stdout
    assert "pre-push: not installed" in proc.stdout


def test_cli_install_outside_git_and_without_dvc(tmp_path: Path, git_repo: Path) -> None:
    proc = run_cli("install", cwd=tmp_path)
    assert proc.returncode == 253
    assert "is not inside a git repository" in proc.stderr and "hint: run `git init` first" in proc.stderr
    proc = run_cli("install", cwd=git_repo)
    assert proc.returncode == 0
    assert "no .dvc directory here yet" in proc.stderr
    proc = run_cli("install", "--hook", "post-commit", cwd=git_repo)
    assert proc.returncode == 254


def test_cli_install_conflict_is_one_clear_error(git_repo: Path) -> None:
    foreign_hook(git_repo / ".git" / "hooks" / "pre-commit", "exit 0\n")
    foreign_hook(git_repo / ".git" / "hooks" / "pre-commit.legacy", "exit 0\n")
    proc = run_cli("install", cwd=git_repo)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ERROR: cannot keep the existing hook(s)")
    assert "hint: merge or remove one of the two by hand" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- the pre-commit framework --------------------------------------------------------------------


def pre_commit_tool() -> list[str]:
    return [sys.executable, "-m", "pre_commit"]


def test_use_pre_commit_tool_writes_a_valid_config(git_repo: Path) -> None:
    result = install(str(git_repo), use_pre_commit_tool=True, pre_commit_rev="v9.9.9")
    config = git_repo / ".pre-commit-config.yaml"
    assert result.pre_commit_config == str(config)
    assert not (git_repo / ".git" / "hooks" / "pre-commit").exists()  # no shims in this mode
    text = config.read_text(encoding="utf-8")
    assert text.startswith("default_install_hook_types:")
    for name in HOOK_NAMES:
        assert f"id: stagecore-{name}" in text
    assert "rev: v9.9.9" in text
    proc = subprocess.run(
        [*pre_commit_tool(), "validate-config", str(config)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with pytest.raises(InstallError, match="already lists stagecore's hooks"):
        install(str(git_repo), use_pre_commit_tool=True)


def test_use_pre_commit_tool_keeps_existing_config(git_repo: Path) -> None:
    config = git_repo / ".pre-commit-config.yaml"
    original = (
        "# my hooks\n"
        "default_install_hook_types: [pre-commit, commit-msg]  # types\n"
        "repos:\n"
        "-   repo: local\n"
        "    hooks:\n"
        "    -   id: mine  # keep me\n"
        "        name: mine\n"
        "        entry: 'true'\n"
        "        language: system\n"
    )
    config.write_text(original, encoding="utf-8")
    install(str(git_repo), ["pre-push"], use_pre_commit_tool=True, pre_commit_rev="v1")
    assert config.read_text(encoding="utf-8") == (
        original.replace("[pre-commit, commit-msg]", "[pre-commit, commit-msg, pre-push]")
        + "-   repo: https://github.com/stagecore/stagecore\n"
        "    rev: v1\n"
        "    hooks:\n"
        "    -   id: stagecore-pre-push\n"
    )
    proc = subprocess.run(
        [*pre_commit_tool(), "validate-config", str(config)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_use_pre_commit_tool_unusual_layout_is_rewritten(git_repo: Path) -> None:
    config = git_repo / ".pre-commit-config.yaml"
    config.write_text(
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - {id: mine, name: mine, entry: 'true', language: system}  # keep me\n"
        "default_install_hook_types:\n"
        "  - commit-msg\n"
        "fail_fast: false\n",
        encoding="utf-8",
    )
    install(str(git_repo), ["post-merge"], use_pre_commit_tool=True, pre_commit_repo="/srv/my repo",
            pre_commit_rev=f"v{__version__}")  # given: /srv/my repo is not asked
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert data["default_install_hook_types"] == ["commit-msg", "pre-commit", "post-merge"]
    assert data["repos"][1] == {
        "repo": "/srv/my repo",
        "rev": f"v{__version__}",
        "hooks": [{"id": "stagecore-post-merge"}],
    }
    assert "# keep me" in config.read_text(encoding="utf-8")
    assert data["fail_fast"] is False


def test_cli_use_pre_commit_tool_refuses_twice(git_repo: Path) -> None:
    proc = run_cli("install", "--use-pre-commit-tool", "--pre-commit-rev", "v1", cwd=git_repo)
    assert proc.returncode == 0
    assert "Activate them with: pre-commit install" in proc.stdout
    proc = run_cli("install", "--use-pre-commit-tool", cwd=git_repo)
    assert proc.returncode == 1
    assert "already lists stagecore's hooks" in proc.stderr


def test_manifest_is_valid_and_matches_the_hooks() -> None:
    from tests.helpers import REPO_ROOT

    manifest = REPO_ROOT / ".pre-commit-hooks.yaml"
    proc = subprocess.run(
        [*pre_commit_tool(), "validate-manifest", str(manifest)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import yaml

    hooks = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == [f"stagecore-{n}" for n in HOOK_NAMES]
    for hook, name in zip(hooks, HOOK_NAMES, strict=True):
        assert hook["entry"] == f"stagecore hook {name}"
        assert hook["stages"] == [name]
        assert (hook["always_run"], hook["pass_filenames"], hook["require_serial"]) == (True, False, True)
        assert hook["language"] == "python"
        assert hook["minimum_pre_commit_version"] == "3.2.0"


def test_real_pre_commit_framework_passes_its_variables(dvc_repo: Path) -> None:
    """The framework's own shims calling `stagecore hook NAME` with PRE_COMMIT_* variables
    (a `language: system` copy of the manifest's entries, so no environment is built)."""
    config = dvc_repo / ".pre-commit-config.yaml"
    config.write_text(
        "default_install_hook_types: [post-checkout, pre-push]\n"
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - {id: sc-post-checkout, name: sc, entry: stagecore hook post-checkout, language: system,"
        " stages: [post-checkout], always_run: true, pass_filenames: false, verbose: true}\n"
        "      - {id: sc-pre-push, name: sc, entry: stagecore hook pre-push, language: system,"
        " stages: [pre-push], always_run: true, pass_filenames: false, verbose: true}\n",
        encoding="utf-8",
    )
    git("add", ".pre-commit-config.yaml", cwd=dvc_repo)
    git("commit", "-q", "-m", "pc", cwd=dvc_repo)
    env = clean_env()
    proc = subprocess.run(
        [*pre_commit_tool(), "install"], cwd=dvc_repo, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = git_run("checkout", "-b", "feature", cwd=dvc_repo, env={"STAGECORE_TRACE": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "stagecore trace post-checkout: HEAD did not move" in output
    assert os.path.exists(dvc_repo / ".git" / "hooks" / "pre-push")
