"""`stagecore remote ...` writes `.dvc/config` / `.dvc/config.local` byte for byte as real DVC does.

Each scenario runs the same commands in two twin repositories, one with real DVC 3.67.1 and
one with stagecore, then compares the exit codes, the output and the config files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import git, run_cli, run_dvc

FILES = (".dvc/config", ".dvc/config.local")


@dataclass
class Twins:
    base: Path
    theirs: Path  # driven by real DVC
    ours: Path  # driven by stagecore
    env: dict[str, dict[str, str]]

    def both(self, *args: str, sub: str = "") -> tuple[str, str, int]:
        """Run the command on both sides; assert same exit code, stdout and error line, and same files."""
        theirs = run_dvc(*args, cwd=self.theirs / sub, env=self.env["theirs"])
        ours = run_cli(*args, cwd=self.ours / sub, env=self.env["ours"])
        label = f"remote command {args!r}"
        assert ours.returncode == theirs.returncode, f"{label}\nDVC: {theirs.stderr}\nours: {ours.stderr}"
        assert self._norm(ours.stdout, "ours") == self._norm(theirs.stdout, "theirs"), label
        assert _error_lines(ours.stderr) == _error_lines(theirs.stderr), label
        self.assert_same_files()
        return ours.stdout, ours.stderr, ours.returncode

    def _norm(self, text: str, side: str) -> str:
        root = self.ours if side == "ours" else self.theirs
        text = text.replace(str(root), "<repo>")
        text = text.replace(self.env[side]["XDG_CONFIG_HOME"], "<xdg>")
        return " ".join(text.split())  # DVC's console wraps long lines at 80 columns

    def assert_same_files(self) -> None:
        for rel in FILES:
            theirs, ours = self.theirs / rel, self.ours / rel
            assert ours.exists() == theirs.exists(), f"{rel}: exists in DVC's twin: {theirs.exists()}"
            if theirs.exists():
                assert ours.read_bytes() == theirs.read_bytes(), f"{rel} differs"
        glob_theirs = Path(self.env["theirs"]["XDG_CONFIG_HOME"]) / "dvc/config"
        glob_ours = Path(self.env["ours"]["XDG_CONFIG_HOME"]) / "dvc/config"
        assert glob_ours.exists() == glob_theirs.exists(), "global config"
        if glob_theirs.exists():
            assert glob_ours.read_bytes() == glob_theirs.read_bytes(), "global config differs"

    def write_config(self, text: str, rel: str = ".dvc/config") -> None:
        for root in (self.theirs, self.ours):
            (root / rel).write_text(text, encoding="utf-8")


def _error_lines(stderr: str) -> list[str]:
    """The ERROR lines (stagecore may add `hint:` lines and warnings; DVC prints neither)."""
    return [line for line in stderr.splitlines() if line.startswith("ERROR:")]


@pytest.fixture
def twins(tmp_path: Path, dvc_bin: Path) -> Twins:
    env = {}
    for side in ("theirs", "ours"):
        root = tmp_path / side
        (root / "sub" / "deeper").mkdir(parents=True)
        git("init", "-q", cwd=root)
        proc = run_dvc("init", "-q", cwd=root)
        assert proc.returncode == 0, proc.stderr
        xdg = tmp_path / f"xdg-{side}"
        xdg.mkdir()
        env[side] = {"XDG_CONFIG_HOME": str(xdg)}
    return Twins(tmp_path, tmp_path / "theirs", tmp_path / "ours", env)


def test_add_with_default_and_relative_url(twins: Twins) -> None:
    out, _, _ = twins.both("remote", "add", "-d", "mystorage", "../rel/remote")
    assert out == "Setting 'mystorage' as a default remote.\n"
    assert (twins.ours / ".dvc/config").read_text() == (
        "[core]\n    remote = mystorage\n['remote \"mystorage\"']\n    url = ../../rel/remote\n"
    )
    twins.both("remote", "add", "fromsub", "../../x", sub="sub/deeper")  # relative to the cwd
    twins.both("remote", "add", "absolute", str(twins.base / "store" / "."))
    twins.both("remote", "add", "home", "~/storage")
    twins.both("remote", "add", "spaced", "with space/dir")
    twins.both("remote", "list")


def test_add_existing_needs_force(twins: Twins) -> None:
    twins.both("remote", "add", "mystorage", "/x")
    _, err, code = twins.both("remote", "add", "mystorage", "/y")
    assert code == 251
    assert "remote 'mystorage' already exists. Use `-f|--force` to overwrite it." in err
    twins.both("remote", "modify", "mystorage", "jobs", "4")
    twins.both("remote", "add", "-f", "MyStorage", "/abs")  # names are lowercased; -f drops options
    twins.both("remote", "list")


def test_cloud_urls_and_quoting(twins: Twins) -> None:
    twins.both("remote", "add", "s3r", "s3://bucket/path#x,y")
    twins.both("remote", "modify", "s3r", "endpointurl", "http://127.0.0.1:9000")
    twins.both("remote", "modify", "s3r", "region", "eu-west-1")
    twins.both("remote", "modify", "--local", "s3r", "secret_access_key", "se#cr,et")
    twins.both("remote", "add", "sshr", "ssh://user@host:2222/srv/dvc")
    twins.both("remote", "modify", "sshr", "keyfile", "../keys/id_ed25519", sub="sub")
    twins.both("remote", "modify", "sshr", "port", "2222")
    twins.both("remote", "modify", "sshr", "port", "22x")
    twins.both("remote", "modify", "sshr", "endpointurl", "http://x")  # not an ssh option
    twins.both("remote", "add", "gcs", "gs://bucket/p")
    twins.both("remote", "add", "bad", "foo://bucket/p")
    twins.both("remote", "list")


def test_modify_validation_and_unset(twins: Twins) -> None:
    twins.both("remote", "add", "other", "../rel2")
    twins.both("remote", "modify", "other", "jobs", "4")
    for args in (
        ("jobs", "abc"),
        ("jobs", "0"),
        ("bogus", "1"),
        ("endpointurl", "http://x"),
        ("worktree", "maybe"),
        ("jobs",),
    ):
        _, err, code = twins.both("remote", "modify", "other", *args)
        assert code == 251 and err.startswith("ERROR: configuration error - config file error: ")
    twins.both("remote", "modify", "other", "worktree", "True")
    twins.both("remote", "modify", "-u", "other", "jobs")
    twins.both("remote", "modify", "-u", "other", "not_there")
    twins.both("remote", "modify", "other", "url", "../newrel")
    twins.both("remote", "modify", "nope", "jobs", "4")


def test_local_level_and_overrides(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "mystorage", "/abs")
    twins.both("remote", "add", "--local", "loc", "../locdir")
    twins.both("remote", "modify", "--local", "mystorage", "url", "/over")
    twins.both("remote", "modify", "loc", "jobs", "4")  # repo-level section without url: refused
    twins.both("remote", "list")
    twins.both("remote", "list", "--local")
    twins.both("remote", "list", "--project")
    twins.both("remote", "default")
    twins.both("remote", "default", "--local")
    twins.both("remote", "default", "loc")
    twins.both("remote", "default", "--local", "loc")
    twins.both("remote", "default", "--unset")
    twins.both("remote", "default", "--project")
    twins.both("remote", "default", "nope")


def test_remove_clears_default_in_every_level(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "a", "../a")
    twins.both("remote", "add", "b", "../b")
    twins.both("remote", "default", "--local", "a")
    twins.both("remote", "remove", "nope")
    twins.both("remote", "remove", "a")  # also rewrites config.local, dropping core.remote there
    twins.both("remote", "remove", "b")
    twins.both("remote", "list")
    twins.both("remote", "default")


def test_remove_creates_an_empty_local_config_like_dvc(twins: Twins) -> None:
    twins.both("remote", "add", "a", "../a")
    twins.both("remote", "remove", "a")
    assert (twins.ours / ".dvc/config.local").read_bytes() == b"\n"


def test_rename(twins: Twins) -> None:
    twins.both("remote", "add", "-d", "old", "../store")
    twins.both("remote", "add", "other", "/x")
    twins.both("remote", "default", "--local", "old")
    twins.both("remote", "rename", "old", "other")
    twins.both("remote", "rename", "nope", "x")
    twins.both("remote", "rename", "OLD", "New")  # the new name is written as given
    twins.both("remote", "modify", "new", "jobs", "2")  # ... and lowercased on the next rewrite
    twins.both("remote", "list")


def test_rewrite_normalises_hand_written_config(twins: Twins) -> None:
    twins.write_config(
        "# a comment DVC drops\n"
        "['remote \"a\"']\n"
        "    url = ./x/../y/\n"
        "  jobs = 3\n"
        "[cache]\n"
        "    dir = ./c/\n"
        "[core]\n"
        "    autostage = true\n"
        "['remote \"B\"']\n"
        "    url = s3://bucket/x\n"
        "    endpointurl = http://localhost:1\n"
    )
    twins.both("remote", "add", "-d", "z", "/abs/./z/")
    twins.both("remote", "list")


def test_global_level(twins: Twins) -> None:
    twins.both("remote", "add", "--global", "gl", "../glob")
    twins.both("remote", "add", "--global", "-d", "gl2", "s3://b/p")
    twins.both("remote", "list")
    twins.both("remote", "default")
    twins.both("remote", "remove", "--global", "gl2")
    twins.both("remote", "list", "--global")


def test_usage_errors(twins: Twins) -> None:
    for args in (("remote",), ("remote", "add", "x"), ("remote", "modify", "x"), ("remote", "bogus")):
        ours = run_cli(*args, cwd=twins.ours)
        theirs = run_dvc(*args, cwd=twins.theirs)
        assert ours.returncode == theirs.returncode == 254, args


# -- stagecore's own behaviour ------------------------------------------------------------------


def _init(root: Path, dvc_bin: Path) -> None:
    git("init", "-q", cwd=root)
    assert run_dvc("init", "-q", cwd=root).returncode == 0


def test_credentials_in_the_committed_config_warn(git_repo: Path, dvc_bin: Path) -> None:
    _init(git_repo, dvc_bin)
    assert run_cli("remote", "add", "s3r", "s3://bucket/p", cwd=git_repo).returncode == 0
    proc = run_cli("remote", "modify", "s3r", "secret_access_key", "xyz", cwd=git_repo)
    assert proc.returncode == 0
    assert proc.stderr.startswith("WARNING: 'secret_access_key' is a secret and .dvc/config is committed")
    assert len(proc.stderr.splitlines()) == 1
    assert "secret_access_key = xyz" in (git_repo / ".dvc/config").read_text()  # written where asked
    proc = run_cli("remote", "modify", "--local", "s3r", "secret_access_key", "xyz", cwd=git_repo)
    assert proc.returncode == 0 and proc.stderr == ""
    proc = run_cli("remote", "modify", "s3r", "region", "eu-west-1", cwd=git_repo)
    assert proc.stderr == ""
    proc = run_cli("remote", "add", "sshr", "ssh://u:pw@host/x", cwd=git_repo)
    assert proc.returncode == 0 and proc.stderr.startswith(
        "WARNING: the url of remote 'sshr' contains a password"
    )


def test_outside_a_repository(tmp_path: Path) -> None:
    proc = run_cli("remote", "list", cwd=tmp_path)
    assert proc.returncode == 253
    assert proc.stderr.startswith("ERROR: you are not inside of a DVC repository")
    proc = run_cli("remote", "add", "--global", "g", "s3://bucket/p", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "dvc" / "config"
    assert config.read_text() == "['remote \"g\"']\n    url = s3://bucket/p\n"
    assert run_cli("remote", "list", "--global", cwd=tmp_path).stdout == "g       s3://bucket/p\n"


def test_library_returns_values(git_repo: Path, dvc_bin: Path) -> None:
    from stagecore.remotes import config as ops
    from stagecore.repo import Repo

    _init(git_repo, dvc_bin)
    config = Repo(str(git_repo)).config
    update = ops.remote_add(config, "Store", "../s", default=True, cwd=str(git_repo))
    assert update == ops.RemoteUpdate(("Setting 'store' as a default remote.",), ())
    assert ops.remote_list(config) == [ops.RemoteListing("store", str(git_repo.parent / "s"), True)]
    assert ops.remote_default_get(config) == "store"
    ops.remote_default_set(config, None)
    assert ops.remote_default_get(config) is None
