"""Another git repository that uses DVC (a data registry), read for `import`, `get`, `ls`, `update`.

The repository is written by a stranger: it is cloned bare into a temp directory by git with no
hooks (`core.hooksPath=/dev/null`), no submodules and no `ext::`/`fd::` transports; its files are
read from git objects (never checked out), its dvc files pass the path gate (`used.refs_of_blobs`),
its manifests pass it in `parse_manifest`, a git symlink is refused, and every object is hashed
before it enters the cache (from the source's own cache when it is a local directory, then from
its default remote).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import NamedTuple

from stagecore.core.hashinfo import HashInfo
from stagecore.errors import StagecoreError

_GIT_OPTS = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "protocol.fd.allow=never",
    "-c",
    "core.fsmonitor=false",
)
_SCHEMES = ("http://", "https://", "ssh://", "git://", "file://")


class Found(NamedTuple):
    """What a path of the source names: a DVC output (`hash` set, `sub` the part inside a directory
    output), or a git-tracked file or directory (`blobs`: relpath -> (mode, oid); '' for a single file)
    with the DVC outputs inside it (`outs`: relpath -> hash), as DVC imports a directory of a registry."""

    hash: HashInfo | None
    sub: str
    isexec: bool
    blobs: dict[str, tuple[str, str]]
    outs: tuple[tuple[str, HashInfo], ...] = ()


def check_url(url: str) -> None:
    if not url or url.startswith("-") or "::" in url.split("/", 1)[0]:
        raise StagecoreError(
            f"refused the repository URL '{url}'",
            hint="give a local path, file://, http(s)://, ssh:// or git@host:path URL",
        )


def local_path(url: str, cwd: str) -> str | None:
    """The absolute path of a repository URL that is a local path (relative to `cwd`), else None."""
    if url.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return os.path.abspath(unquote(urlsplit(url).path))
    if url.startswith(_SCHEMES) or ("@" in url and ":" in url):
        return None
    return os.path.abspath(os.path.join(cwd, os.path.expanduser(url)))


class SourceRepo:
    """A bare clone of `url` in a temp directory (removed by `close`)."""

    def __init__(self, url: str, cwd: str) -> None:
        check_url(url)
        self.url = url
        self.remote_problem: str | None = None  # why its default remote could not be opened
        self.local = local_path(url, cwd)
        self.tmp = tempfile.mkdtemp(prefix="stagecore-import-")
        self.git_dir = os.path.join(self.tmp, "repo.git")
        proc = subprocess.run(
            ["git", *_GIT_OPTS, "clone", "--bare", "--quiet", "--", self.local or url, self.git_dir],
            capture_output=True,
            text=True,
            env=_git_env(),
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            self.close()
            detail = (proc.stderr.strip().splitlines() or ["git clone failed"])[-1]
            raise StagecoreError(
                f"failed to clone '{url}': {detail}",
                hint="check the repository URL (a git repository using DVC) and your access",
            )

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> SourceRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def git(self, *args: str) -> bytes:
        proc = subprocess.run(
            ["git", *_GIT_OPTS, "--git-dir", self.git_dir, *args],
            capture_output=True,
            env=_git_env(),
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            raise StagecoreError(
                f"git failed on '{self.url}': {proc.stderr.decode(errors='replace').strip()}"
            )
        return proc.stdout

    def resolve(self, rev: str | None) -> str:
        """The commit `rev` (default: the repository's HEAD) names."""
        try:
            return (
                self.git("rev-parse", "--verify", "--end-of-options", f"{rev or 'HEAD'}^{{commit}}")
                .decode()
                .strip()
            )
        except StagecoreError:
            raise StagecoreError(
                f"unknown revision '{rev or 'HEAD'}' in '{self.url}'",
                hint="give a branch, tag or commit of that repository",
            ) from None

    def dvc_files(self, sha: str) -> dict[str, bytes]:
        from stagecore.scm.history import dvc_files_at, open_repository

        return dvc_files_at(open_repository(self.git_dir), sha)

    def tree(self, sha: str, path: str = "", recursive: bool = True) -> dict[str, tuple[str, str, str]]:
        """git-tracked entries under `path` at `sha`: relpath (from the root) -> (mode, type, oid)."""
        return {
            name: (mode, kind, oid)
            for name, (mode, kind, oid, _size) in self.tree_sizes(sha, path, recursive).items()
        }

    def tree_sizes(
        self, sha: str, path: str = "", recursive: bool = True
    ) -> dict[str, tuple[str, str, str, int | None]]:
        """As `tree`, with each blob's size."""
        args = ["ls-tree", "-z", "-l", "--full-tree"] + (["-r"] if recursive else []) + [sha]
        if path:
            args += ["--", path]
        out: dict[str, tuple[str, str, str, int | None]] = {}
        for item in self.git(*args).split(b"\0"):
            if item:
                head, _, name = item.decode("utf-8", "surrogateescape").partition("\t")
                mode, kind, oid, size = head.split()
                out[name] = (mode, kind, oid, int(size) if size.isdigit() else None)
        return out

    def blob(self, oid: str) -> bytes:
        return self.git("cat-file", "blob", oid)

    def blob_chunks(self, oid: str) -> Iterator[bytes]:
        """A blob's content in 1 MiB chunks, streamed from git: a huge file of the repository
        never sits in memory whole."""
        proc = subprocess.Popen(
            ["git", *_GIT_OPTS, "--git-dir", self.git_dir, "cat-file", "blob", oid],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=_git_env(),
        )
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(1 << 20):
                yield chunk
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            raise StagecoreError(f"git failed on '{self.url}': cannot read blob {oid}")

    def remotes(self, sha: str) -> list:
        """Where the source's objects can come from: its cache (a local repository), its default remote."""
        from stagecore.core.bounds import MAX_TEXT_BYTES
        from stagecore.files.config import Config
        from stagecore.remotes import open_remote
        from stagecore.remotes.local import LocalRemote

        found: list = []
        if self.local and os.path.isdir(os.path.join(self.local, ".dvc", "cache")):
            found.append(LocalRemote("cache", self.local, os.path.join(self.local, ".dvc", "cache"), 4))
        data = self.tree_sizes(sha, ".dvc/config", recursive=False).get(".dvc/config")
        if data is None or data[1] != "blob":
            return found
        if data[3] is None or data[3] > MAX_TEXT_BYTES:  # a hostile giant: not read, not parsed
            self.remote_problem = f"its .dvc/config is larger than {MAX_TEXT_BYTES:,} bytes"
            return found
        dvc_dir = os.path.join(self.tmp, "conf", ".dvc")
        os.makedirs(dvc_dir, exist_ok=True)
        with open(os.path.join(dvc_dir, "config"), "wb") as fobj:
            fobj.write(self.blob(data[2]))
        try:
            conf = Config.load(dvc_dir).merged()
            name = conf.get("core", {}).get("remote")
            if name and name in conf.get("remote", {}):
                config_dir = os.path.join(self.local, ".dvc") if self.local else dvc_dir
                found.append(open_remote(name, conf["remote"][name], config_dir))
        except StagecoreError as exc:  # its cache may still have the data; say why if it does not
            self.remote_problem = exc.message.replace(dvc_dir, f"{self.url}:.dvc")
        return found


def _git_env() -> dict[str, str]:
    from stagecore.scm import clean_git_env

    # no prompt can hang a command: git's own (terminal) and ssh's (password, host key); the user's
    # ssh command is kept (it may carry the key to use)
    ssh = os.environ.get("GIT_SSH_COMMAND") or "ssh -o BatchMode=yes"
    return {**clean_git_env(), "GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": ssh}


def locate(source: SourceRepo, sha: str, path: str) -> Found:
    """The DVC output (or git-tracked file/directory) `path` names in the source at `sha`."""
    from stagecore.core.safepath import relpath_problem
    from stagecore.ops.used import refs_of_blobs

    path = path.strip("/")
    problem = relpath_problem(path)
    if problem:
        raise StagecoreError(
            f"cannot read '{path}' of '{source.url}': {problem}", hint="give a path inside the repository"
        )
    problems: list[StagecoreError] = []
    refs = refs_of_blobs(source.dvc_files(sha), problems=problems)
    for ref in refs:
        if path == ref.path:
            return Found(ref.hash, "", ref.isexec, {})
        if path.startswith(ref.path + "/") and ref.hash.isdir:
            return Found(ref.hash, path[len(ref.path) + 1 :], False, {})
    entries = {
        name: (mode, oid)
        for name, (mode, kind, oid) in source.tree(sha, path).items()
        if kind == "blob" and (name == path or name.startswith(path + "/"))
    }
    bad = sorted(name for name in entries if relpath_problem(name))
    if bad:  # a tree crafted with `..` / `.git` / empty names: refused before anything is fetched
        raise StagecoreError(
            f"cannot read '{path}' of '{source.url}': {relpath_problem(bad[0])}",
            hint="that repository's git tree is malformed; import another path or revision",
        )
    links = sorted(name for name, (mode, _oid) in entries.items() if mode == "120000")
    if links:
        raise StagecoreError(
            f"cannot read '{path}' of '{source.url}': '{links[0]}' is a symlink: refused",
            hint="import a regular file or directory of that repository",
        )
    if path in entries:
        return Found(None, "", entries[path][0] == "100755", {"": entries[path]})
    outs = tuple((ref.path[len(path) + 1 :], ref.hash) for ref in refs if ref.path.startswith(path + "/"))
    if entries or outs:  # a directory: its git files (not the .dvc files) and the outputs inside it
        blobs = {name[len(path) + 1 :]: value for name, value in entries.items() if not name.endswith(".dvc")}
        return Found(None, "", False, blobs, outs)
    if problems:
        raise problems[0]
    raise StagecoreError(
        f"'{path}' does not exist in '{source.url}'",
        hint="check the path (`stagecore ls URL` lists the repository)",
    )
