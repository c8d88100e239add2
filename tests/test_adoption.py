"""Adoption (issue 12): stagecore's hooks next to the pre-commit framework and `dvc install`,
the framework's view of the hooks (verbose, additional_dependencies, a manual pre-push run),
`install --global`, progress on a terminal only, and shell completion. Real git, the real
`pre-commit` tool, real DVC's hook scripts, CLI subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT, clean_env, git, ok, refused, run_dvc, sc

HOOKS = ("pre-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")


def pre_commit_exe() -> str:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("pre-commit is a test dependency (pip install -e '.[test]')")
    return exe


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=clean_env(env), capture_output=True, text=True, timeout=120)


def stagecore_repo(path: Path) -> Path:
    path.mkdir()
    git("init", "-q", cwd=path)
    ok("init", "-q", cwd=path)
    return path


def local_framework_config(hook_ids: list[str]) -> str:
    """A `.pre-commit-config.yaml` running our manifest's hooks (their stages, verbose, ...) from
    this checkout: `repo: local`, `language: system`, the entry through this interpreter."""
    manifest = {hook["id"]: hook for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    hooks = []
    for hook_id in hook_ids:
        hook = dict(manifest[hook_id])
        hook.pop("minimum_pre_commit_version", None)
        hook["language"] = "system"
        hook["entry"] = hook["entry"].replace("stagecore", f"env PYTHONPATH={REPO_ROOT} {sys.executable} -m stagecore", 1)
        hooks.append(hook)
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    types = sorted({stage for hook in hooks for stage in hook["stages"]})
    return yaml.safe_dump({"default_install_hook_types": types, **config}, sort_keys=False)


# --- 1a: a repository whose hooks belong to the pre-commit framework -------------------------


def test_install_refuses_over_the_pre_commit_framework_and_commits_still_work(tmp_path: Path) -> None:
    repo = stagecore_repo(tmp_path / "repo")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    assert run(pre_commit_exe(), "install", cwd=repo).returncode == 0
    hook = repo / ".git/hooks/pre-commit"
    before = hook.read_bytes()

    line = refused(sc("install", cwd=repo), "belongs to the pre-commit framework")
    assert str(Path(".git/hooks/pre-commit")) in line or str(hook) in line
    proc = sc("install", cwd=repo)
    assert "hint: add stagecore to the framework instead: `stagecore install --use-pre-commit-tool`" in proc.stderr
    assert hook.read_bytes() == before  # nothing half-installed
    assert not (repo / ".git/hooks/post-checkout").exists()
    assert not (repo / ".git/hooks/pre-commit.legacy").exists()

    (repo / "code.py").write_text("x = 1\n")
    git("add", "code.py", cwd=repo)
    proc = run("git", "commit", "-m", "code", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "migration mode" not in proc.stdout + proc.stderr

    proc = ok("install", "--use-pre-commit-tool", "--pre-commit-rev", "v1", cwd=repo)  # the way the refusal points to
    assert "Activate them with: pre-commit install" in proc.stdout


def hook_repository(path: Path, tag: str | None) -> tuple[Path, str]:
    """A bare hook repository holding our manifest (one commit, tagged `tag`): (its path, the commit)."""
    work = path.with_name(path.name + "-work")
    work.mkdir()
    git("init", "-q", cwd=work)
    shutil.copy(REPO_ROOT / ".pre-commit-hooks.yaml", work / ".pre-commit-hooks.yaml")
    git("add", ".pre-commit-hooks.yaml", cwd=work)
    git("commit", "-qm", "hooks", cwd=work)
    if tag:
        git("tag", tag, cwd=work)
    git("clone", "-q", "--bare", str(work), str(path), cwd=work)
    return path, git("rev-parse", "HEAD", cwd=work).strip()


def test_use_pre_commit_tool_writes_a_rev_the_framework_resolves(tmp_path: Path) -> None:
    """The written rev: this version's tag when the hook repository has it, else its HEAD commit
    (as `pre-commit autoupdate` pins a repository without tags); pre-commit's own autoupdate, run on
    the result, finds it already at the rev it would pin itself. A repository that cannot be asked:
    nothing written, one line and the way to pin a revision."""
    from stagecore import __version__

    for tag in (f"v{__version__}", None):
        hooks, commit = hook_repository(tmp_path / f"hooks-{bool(tag)}.git", tag)
        repo = stagecore_repo(tmp_path / f"repo-{bool(tag)}")
        proc = ok("install", "--use-pre-commit-tool", "--pre-commit-repo", str(hooks), cwd=repo)
        config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
        assert config["repos"][0]["rev"] == (tag or commit), config
        assert (f"rev: {commit} (a commit: {hooks} has no tag v{__version__};" in proc.stdout) is (tag is None)
        proc = run(pre_commit_exe(), "autoupdate", cwd=repo)
        assert proc.returncode == 0 and "already up to date" in proc.stdout, proc.stdout + proc.stderr

    repo = stagecore_repo(tmp_path / "repo-unreachable")
    proc = sc("install", "--use-pre-commit-tool", "--pre-commit-repo", str(tmp_path / "nowhere"), cwd=repo)
    refused(proc, f"cannot ask the hook repository {tmp_path / 'nowhere'} for a revision:")
    assert "hint: pin a revision it has: `stagecore install --use-pre-commit-tool --pre-commit-rev <tag or commit>`" \
        in proc.stderr
    assert not (repo / ".pre-commit-config.yaml").exists()


# --- 1b: `dvc install` hooks are replaced, and restored by uninstall -------------------------


def test_install_replaces_dvc_hooks_and_uninstall_restores_them(tmp_path: Path) -> None:
    repo = stagecore_repo(tmp_path / "repo")
    proc = run_dvc("install", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks_dir = repo / ".git/hooks"
    dvc_hooks = {name: (hooks_dir / name).read_bytes() for name in HOOKS if (hooks_dir / name).exists()}
    assert sorted(dvc_hooks) == ["post-checkout", "pre-commit", "pre-push"]
    assert all(b"dvc git-hook" in text for text in dvc_hooks.values())

    proc = ok("install", cwd=repo)
    lines = [line for line in proc.stdout.splitlines() if "DVC" in line]
    assert lines == [
        "replaced DVC's hooks (pre-commit, post-checkout, pre-push; `dvc install`) with stagecore's, which do "
        "their job: kept as <hook>.dvc-hook, `stagecore uninstall` restores them"
    ], proc.stdout
    assert "runs first" not in proc.stdout
    for name, text in dvc_hooks.items():
        assert b"# stagecore-hook v1" in (hooks_dir / name).read_bytes()
        assert (hooks_dir / f"{name}.dvc-hook").read_bytes() == text
        assert not (hooks_dir / f"{name}.legacy").exists()  # DVC's hook no longer runs on every commit

    bindir = tmp_path / "bin"  # a `dvc` that would leave a trace if DVC's hooks still ran
    bindir.mkdir()
    (bindir / "dvc").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'dvc-ran'}\n")
    (bindir / "dvc").chmod(0o755)
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    (repo / "code.py").write_text("x = 1\n")
    git("add", "-A", cwd=repo)
    proc = run("git", "commit", "-qm", "code", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run("git", "checkout", "-qb", "other", cwd=repo, env=env).returncode == 0
    assert not (tmp_path / "dvc-ran").exists()

    assert ok("install", cwd=repo).stdout.count("already installed") == 5  # idempotent, no backup lost
    proc = ok("uninstall", cwd=repo)
    for name, text in dvc_hooks.items():
        assert f"{name}: removed; DVC's hook (`dvc install`) is back" in proc.stdout
        assert (hooks_dir / name).read_bytes() == text
        assert not (hooks_dir / f"{name}.dvc-hook").exists()
    assert not (hooks_dir / "post-merge").exists()


# --- 1c/1d: the hooks under the real framework ---------------------------------------------------


def test_manifest_post_hooks_are_verbose() -> None:
    manifest = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    verbose = {hook["id"]: hook.get("verbose", False) for hook in manifest}
    assert verbose == {
        "stagecore-pre-commit": False,
        "stagecore-post-checkout": True,
        "stagecore-post-merge": True,
        "stagecore-post-rewrite": True,
        "stagecore-pre-push": True,
    }


def test_framework_shows_a_failed_fetch_in_post_checkout(tmp_path: Path) -> None:
    repo = stagecore_repo(tmp_path / "repo")
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n")
    (repo / ".pre-commit-config.yaml").write_text(local_framework_config(["stagecore-post-checkout"]))
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "framework", cwd=repo)
    (repo / "data.txt").write_text("v1\n")
    ok("add", "data.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", cwd=repo)
    assert run(pre_commit_exe(), "install", cwd=repo).returncode == 0

    shutil.rmtree(repo / ".dvc/cache")  # neither in the cache nor on the (never pushed) remote
    (repo / "data.txt").unlink()
    git("checkout", "-qb", "scratch", "HEAD~1", cwd=repo)
    proc = run("git", "checkout", "main", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "stagecore (workspace data follows the checkout)" in out
    shown = out.split("stagecore (workspace data follows the checkout)", 1)[1]
    assert "stagecore post-checkout: the workspace does not fully match the checked-out dvc files:" in shown
    assert "'data.txt': the new version is not in the cache nor on the data remote" in shown


def test_pre_push_runs_by_hand_under_the_framework(tmp_path: Path) -> None:
    repo = stagecore_repo(tmp_path / "repo")
    store = tmp_path / "store"
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {store}\n")
    (repo / "data.txt").write_text("pushed by hand\n")
    ok("add", "data.txt", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(local_framework_config(["stagecore-pre-push"]))
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", cwd=repo)

    proc = run(pre_commit_exe(), "run", "--hook-stage", "pre-push", cwd=repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "usage" not in out.lower() and "expected arguments" not in out
    assert "stagecore: 1 file pushed to 'store'" in out
    assert len(list((store / "files/md5").rglob("*"))) == 2  # one prefix directory, one object


def test_missing_sdk_hint_under_the_framework(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'boto3' or name.startswith('boto3.'):\n"
        "            raise ImportError('No module named boto3')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from stagecore.remotes import open_remote\n"
        "from stagecore.errors import RemoteError\n"
        "try:\n"
        "    open_remote('r', {'url': 's3://b/p'}, '.')\n"
        "except RemoteError as exc:\n"
        "    print(exc.hint)\n"
    )
    for env, hint in (
        ({"PRE_COMMIT": "1"}, "add `additional_dependencies: ['stagecore[s3]']` to each stagecore hook in "
         ".pre-commit-config.yaml, then run `pre-commit install-hooks`"),
        ({}, "pip install 'stagecore[s3]'"),
    ):
        proc = run(sys.executable, "-c", code, cwd=tmp_path, env={"PYTHONPATH": str(REPO_ROOT), **env})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines() == [hint]


# --- 2: install --global ---------------------------------------------------------------------


def published_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A stagecore repository pushed to a bare repository, its data on a directory remote."""
    origin = stagecore_repo(tmp_path / "origin")
    (origin / ".dvc/config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n"
    )
    (origin / "data.txt").write_text("the data\n")
    ok("add", "data.txt", cwd=origin)
    ok("push", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-qm", "data", cwd=origin)
    bare = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(origin), str(bare), cwd=tmp_path)
    return origin, bare


def global_template(home: Path) -> str:
    return git("config", "--global", "--get", "init.templateDir", cwd=home).strip()


def test_install_global_gives_every_later_clone_its_hooks_and_data(tmp_path: Path, isolated_env: Path) -> None:
    _origin, bare = published_repo(tmp_path)
    proc = ok("install", "--global", cwd=tmp_path)
    template = Path(os.environ["XDG_CONFIG_HOME"]) / "stagecore" / "git-template"
    assert global_template(isolated_env) == str(template)
    assert f"post-checkout: installed at {template / 'hooks' / 'post-checkout'}" in proc.stdout
    assert f"git's init.templateDir is {template}: every later `git clone` / `git init` gets" in proc.stdout
    assert ok("install", "--global", cwd=tmp_path).stdout.count("already installed") == 5

    proc = run("git", "clone", str(bare), "clone", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    clone = tmp_path / "clone"
    assert (clone / "data.txt").read_text() == "the data\n"  # fetched by our post-checkout
    assert b"# stagecore-hook v1" in (clone / ".git/hooks/pre-push").read_bytes()

    plain = tmp_path / "plain"  # a repository without .dvc/: the hooks are there and do nothing
    git("init", "-q", str(plain), cwd=tmp_path)
    (plain / "a.txt").write_text("a\n")
    git("add", "a.txt", cwd=plain)
    proc = run("git", "commit", "-qm", "a", cwd=plain)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")

    proc = ok("uninstall", "--global", cwd=tmp_path)
    assert f"post-checkout: removed ({template / 'hooks' / 'post-checkout'})" in proc.stdout
    assert "unset git's init.templateDir" in proc.stdout
    assert run("git", "config", "--global", "--get", "init.templateDir", cwd=tmp_path).returncode == 1
    assert not template.exists()
    git("clone", "-q", str(bare), "clone2", cwd=tmp_path)
    assert not (tmp_path / "clone2/data.txt").exists()
    assert not (tmp_path / "clone2/.git/hooks/post-checkout").exists()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_install_global_chains_the_users_template_and_uninstall_restores_it(tmp_path: Path,
                                                                            isolated_env: Path) -> None:
    """The user's own init.templateDir (written as `~/...`) is copied, never written to: a clone
    gets their hook (run first), their other template files and our data; uninstall puts back
    their setting exactly as written, and later clones are as before."""
    _origin, bare = published_repo(tmp_path)
    mine = isolated_env / "my-template"
    (mine / "hooks").mkdir(parents=True)
    (mine / "info").mkdir()
    (mine / "info/exclude").write_text("*.mine\n")
    user_hook = f"#!/bin/sh\necho mine >> {tmp_path / 'mine-ran'}\n"
    (mine / "hooks/post-checkout").write_text(user_hook)
    (mine / "hooks/post-checkout").chmod(0o755)
    git("config", "--global", "init.templateDir", "~/my-template", cwd=tmp_path)
    before = _tree(mine)

    proc = ok("install", "--global", cwd=tmp_path)
    ours = Path(os.environ["XDG_CONFIG_HOME"]) / "stagecore" / "git-template"
    assert f"init.templateDir was set to {mine} (yours): it is copied into {ours}" in proc.stdout
    assert global_template(isolated_env) == str(ours)
    assert _tree(mine) == before  # theirs untouched
    git("clone", "-q", str(bare), "clone", cwd=tmp_path)
    clone = tmp_path / "clone"
    assert (clone / "data.txt").read_text() == "the data\n"  # our post-checkout fetched it
    assert (tmp_path / "mine-ran").read_text() == "mine\n"  # their hook ran too
    assert (clone / ".git/info/exclude").read_text() == "*.mine\n"  # their template's other files
    assert ok("install", "--global", cwd=tmp_path).stdout.count("already installed") == 5
    assert _tree(mine) == before

    proc = ok("uninstall", "--global", cwd=tmp_path)
    assert f"init.templateDir is yours again ({mine})" in proc.stdout, proc.stdout
    assert git("config", "--global", "--get", "init.templateDir", cwd=tmp_path).strip() == "~/my-template"
    assert not ours.exists() and not (ours.parent / "previous-template.json").exists()
    assert _tree(mine) == before
    (tmp_path / "mine-ran").unlink()
    git("clone", "-q", str(bare), "clone2", cwd=tmp_path)
    assert not (tmp_path / "clone2/data.txt").exists()  # no stagecore hook any more
    assert (tmp_path / "mine-ran").read_text() == "mine\n"
    assert (tmp_path / "clone2/.git/hooks/post-checkout").read_text() == user_hook


def test_uninstall_global_keeps_files_the_user_put_in_our_template(tmp_path: Path, isolated_env: Path) -> None:
    ok("install", "--global", cwd=tmp_path)
    ours = Path(os.environ["XDG_CONFIG_HOME"]) / "stagecore" / "git-template"
    (ours / "description").write_text("mine\n")
    proc = ok("uninstall", "--global", cwd=tmp_path)
    assert f"kept {ours} (init.templateDir still names it): files there are not stagecore's: {ours / 'description'}" \
        in proc.stdout, proc.stdout
    assert (ours / "description").read_text() == "mine\n" and not (ours / "hooks").exists()
    assert global_template(isolated_env) == str(ours)


def test_install_global_refuses_with_the_framework_option(tmp_path: Path) -> None:
    refused(sc("install", "--global", "--use-pre-commit-tool", cwd=tmp_path),
            "--global and --use-pre-commit-tool cannot be combined", code=254)


# --- 3: progress on a terminal only ------------------------------------------------------------


def on_tty(*args: str, cwd: Path) -> tuple[int, str, str]:
    """stagecore with stderr on a pseudo-terminal: (exit code, stdout, what the terminal got)."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "stagecore", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env={**clean_env(), "PYTHONPATH": str(REPO_ROOT)})
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other side is closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    return proc.wait(timeout=60), stdout, b"".join(chunks).decode(errors="replace")


def test_push_and_fetch_show_progress_on_a_terminal_only(tmp_path: Path) -> None:
    repo = stagecore_repo(tmp_path / "repo")
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n")
    (repo / "data").mkdir()
    for i in range(3):
        (repo / "data" / f"{i}.txt").write_text(f"file {i}\n")
    ok("add", "data", cwd=repo)

    code, stdout, terminal = on_tty("push", cwd=repo)
    assert code == 0, stdout + terminal
    assert "4 files pushed" in stdout
    assert "pushing:" in terminal and "4/4" in terminal and "file/s" in terminal, terminal

    shutil.rmtree(repo / ".dvc/cache")
    proc = sc("fetch", cwd=repo)  # not a terminal: no bar, no carriage return
    assert proc.returncode == 0 and "4 files fetched" in proc.stdout, proc.stdout + proc.stderr
    assert proc.stderr == ""

    shutil.rmtree(repo / ".dvc/cache")
    code, stdout, terminal = on_tty("-q", "fetch", cwd=repo)  # -q: silence on the terminal too
    assert (code, stdout, terminal) == (0, "", "")
    code, stdout, terminal = on_tty("fetch", cwd=repo)
    assert (code, stdout.strip()) == (0, "Everything is up to date."), stdout
    assert "fetching" not in terminal  # nothing to transfer: no bar


# --- 4: shell completion ---------------------------------------------------------------------------


def test_bash_completion_script_completes_commands_and_options(tmp_path: Path) -> None:
    proc = ok("completion", "-s", "bash", cwd=tmp_path)
    script = tmp_path / "stagecore.bash"
    script.write_text(proc.stdout)
    probe = (
        f"source {script}\n"
        "complete -p stagecore\n"
        "COMP_WORDS=(stagecore ins); COMP_CWORD=1; COMP_LINE='stagecore ins'; COMP_POINT=${#COMP_LINE}\n"
        "_shtab_stagecore; echo \"words: ${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(stagecore install --gl); COMP_CWORD=2; COMP_LINE='stagecore install --gl'\n"
        "COMP_POINT=${#COMP_LINE}; _shtab_stagecore; echo \"options: ${COMPREPLY[*]}\"\n"
    )
    result = run("bash", "-c", probe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # registered with shtab's function (the -o options are shtab's own: filenames before 1.11)
    assert lines[0].startswith("complete -o ") and lines[0].endswith(" -F _shtab_stagecore stagecore")
    assert lines[1].split() == ["words:", "install"]
    assert lines[2].split() == ["options:", "--global"]


def test_zsh_completion_and_bad_shell(tmp_path: Path) -> None:
    proc = ok("-q", "completion", "--shell", "zsh", cwd=tmp_path)  # -q keeps what the command prints
    assert proc.stdout.startswith("#compdef stagecore\n")
    assert "install" in proc.stdout and proc.stderr == ""
    proc = sc("completion", "-s", "fish", cwd=tmp_path)
    assert proc.returncode == 254
    assert "ERROR: argument -s/--shell: invalid choice: 'fish' (choose from" in proc.stderr
    assert proc.stderr.startswith("usage: stagecore completion")
