"""Shared fixtures: an isolated home and git config for every test, real servers per session.

Fixtures: `git_repo`, `dvc_bin`, `s3_server`, `sshd_server` (plus the autouse `isolated_env`).
Helpers (plain functions): `git`, `run_cli`, `run_dvc`, from `tests.helpers` (re-exported here).

Tools that a test needs but the machine lacks (real DVC, sshd) skip the test locally and
fail it when the `CI` environment variable is set, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import dvc_path, git, run_cli, run_dvc
from tests.servers import AWS_ENV, S3Server, SshServer, sshd_available, start_s3_server, start_sshd

__all__ = ["git", "run_cli", "run_dvc"]


def _missing_tool(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake HOME with its own git config; no inherited GIT_*; pygit2 reads only the fake home."""
    import pygit2
    from pygit2.enums import ConfigLevel

    base = tmp_path_factory.mktemp("env")
    home, xdg, empty = base / "home", base / "xdg", base / "empty"
    for path in (home, xdg, empty):
        path.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Stagecore Test\n\temail = test@stagecore.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    for key in list(os.environ):
        if key.startswith(("GIT_", "AWS_", "DVC_", "PRE_COMMIT")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(base / "pre-commit"))
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(base / "dvc-site-cache"))
    monkeypatch.setenv("DVC_SYSTEM_CONFIG_DIR", str(empty))
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    bindir = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", bindir + os.pathsep + os.environ.get("PATH", ""))

    search_path = pygit2.settings.search_path
    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved = {level: search_path[level] for level in levels}
    search_path[ConfigLevel.GLOBAL] = str(home)
    search_path[ConfigLevel.XDG] = str(empty)
    search_path[ConfigLevel.SYSTEM] = str(empty)
    try:
        yield home
    finally:
        for level, value in saved.items():
            search_path[level] = value


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A fresh `git init` repository (branch main, no commits)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    return repo


@pytest.fixture
def dvc_bin() -> Path:
    """Path of the real DVC executable (the compatibility oracle)."""
    path = dvc_path()
    if path is None:
        _missing_tool("real DVC not found (set STAGECORE_DVC or run `make venv-dvc`)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 API on loopback: `.endpoint_url`, `.client()`, `.make_bucket()` (use a fresh bucket per test)."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        _missing_tool(f"S3 test server unavailable: {exc} (pip install -e '.[test]')")
    saved = {key: os.environ.get(key) for key in AWS_ENV}
    os.environ.update(AWS_ENV)
    server = start_s3_server()
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """OpenSSH sshd on loopback: `.host`, `.port`, `.user`, `.key_path`, `.root`, `.url(path)`, `.remote_conf(path)`."""
    if not sshd_available():
        _missing_tool("sshd not installed (apt-get install openssh-server; `make test` does it as root)")
    try:
        server = start_sshd(str(tmp_path_factory.mktemp("sshd")))
    except (OSError, RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
        _missing_tool(f"sshd could not start: {exc}")
        raise
    try:
        yield server
    finally:
        server.stop()
