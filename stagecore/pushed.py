"""The pre-push fast path: a record, per git remote, of the dvc files whose data is on the data remote.

After a pre-push that uploaded everything its commits reference (no finding at all), the blob
ids of every `*.dvc`, `dvc.lock` and `dvc.yaml` in those commits go into
`.dvc/tmp/stagecore-pushed-<git remote>`, with the content of the files that choose the
data remote (`.dvc/config`, `.dvc/config.local`, the repository's git config). A later push whose
commits hold only recorded blobs has nothing to upload: it ends after one `git rev-list` and a
`git ls-tree` per commit, before any git library or the engine is imported. Like git-lfs, this
trusts that the data remote keeps what was pushed there (`stagecore push` always checks).
Standard library only; any doubt (no record, a changed config, more than MAX_COMMITS commits,
an unknown sha) runs the full hook.
"""

from __future__ import annotations

import marshal
import os

from stagecore.snapshot import git_paths, read_bounded, real_tmp_dir

VERSION = 2
MAX_COMMITS = 8
MAX_BYTES = 32 << 20
_DVC_NAMES = (".dvc", "/dvc.lock", "/dvc.yaml")


_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def record_path(root: str, remote: str) -> str:
    safe = "".join(c if c in _SAFE else "_" for c in remote)[:100] or "_"  # no `re`: ms on every push
    return os.path.join(root, ".dvc", "tmp", f"stagecore-pushed-{safe}")


def _config_sigs(root: str, environ) -> list | None:
    """The content of the files that choose the data remote (by content, not stat: git rewrites
    its config file on branch deletions and the like without changing what it says)."""
    found = git_paths(root, environ)
    if found is None:
        return None
    sigs: list[tuple[str, bytes | None]] = []
    for path in (os.path.join(root, ".dvc", "config"), os.path.join(root, ".dvc", "config.local"),
                 os.path.join(found[0], "config")):
        if os.path.lexists(path):
            data = read_bounded(path, 1 << 20, nofollow=False)
            if data is None:
                return None
            sigs.append((path, data))
        else:
            sigs.append((path, None))
    return sigs


def _git(root: str, *args: str) -> bytes | None:
    """git's stdout, None when it fails. Through posix_spawn where there is one: importing
    `subprocess` (threading, selectors, signal) costs more than the git command here."""
    argv = ["git", "-C", root, *args]
    if not hasattr(os, "posix_spawnp"):
        import subprocess

        try:
            proc = subprocess.run(argv, capture_output=True, check=False)
        except OSError:
            return None
        return proc.stdout if proc.returncode == 0 else None
    read_end, write_end = os.pipe()
    try:
        pid = os.posix_spawnp("git", argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, write_end, 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ])
    except OSError:
        os.close(read_end)
        return None
    finally:
        os.close(write_end)
    chunks: list[bytes] = []
    try:
        while chunk := os.read(read_end, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def dvc_blobs(root: str, commits: list[str]) -> set[str] | None:
    """The blob ids of every dvc file in `commits` (one `git ls-tree` each)."""
    blobs: set[str] = set()
    for commit in commits:
        out = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
        if out is None:
            return None
        for record in out.split(b"\0"):
            meta, _, path = record.partition(b"\t")
            if ("/" + os.fsdecode(path)).endswith(_DVC_NAMES):
                parts = meta.split()
                if len(parts) == 3 and parts[1] == b"blob":
                    blobs.add(parts[2].decode("ascii"))
    return blobs


def pushed_commits(root: str, remote: str, stdin: str) -> list[str] | None:
    """The commits this push sends, as the hook's walk finds them (None: unsure)."""
    starts, hidden = [], []
    for line in stdin.splitlines():
        parts = line.split()
        if len(parts) != 4:
            return None
        local, remote_sha = parts[1], parts[3]
        if set(local) != {"0"}:
            starts.append(local)
        if set(remote_sha) != {"0"}:
            hidden.append(remote_sha)
    if not starts:
        return []
    out = _git(root, "rev-list", f"--max-count={MAX_COMMITS + 1}", *starts, "--not", *hidden,
               f"--remotes={remote}", "--")
    if out is None:
        return None
    commits = out.decode("ascii", "replace").split()
    return None if len(commits) > MAX_COMMITS else commits


def covered(root: str, remote: str, stdin: str, environ) -> str | None:
    """None when every dvc file of the pushed commits is in the record of `remote`; else why not."""
    if not real_tmp_dir(root):
        return "no .dvc/tmp"
    data = read_bounded(record_path(root, remote), MAX_BYTES)
    if data is None:
        return "no record"
    try:
        record = marshal.loads(data)
        if record["version"] != VERSION or record["root"] != root:
            return "record of another version"
        blobs, sigs = record["blobs"], record["sigs"]
    except Exception:  # noqa: BLE001 - a corrupt record: the full hook
        return "corrupt record"
    if not isinstance(blobs, (set, frozenset)) or sigs != _config_sigs(root, environ):
        return "the data remote's configuration changed"
    commits = pushed_commits(root, remote, stdin)
    if commits is None:
        return "pushed commits unknown"
    found = dvc_blobs(root, commits)
    if found is None:
        return "dvc files unknown"
    missing = found - blobs
    return None if not missing else f"{len(missing)} dvc file(s) not pushed before"


def remember(root: str, remote: str, commits: list[str], environ) -> None:
    """Add the dvc files of `commits` (their data now on the data remote) to the record."""
    try:
        if not real_tmp_dir(root) or len(commits) > 10 * MAX_COMMITS:
            return
        found = dvc_blobs(root, commits)
        sigs = _config_sigs(root, environ)
        if found is None or sigs is None:
            return
        path = record_path(root, remote)
        blobs: set[str] = set()
        old = read_bounded(path, MAX_BYTES)
        if old is not None:
            try:
                record = marshal.loads(old)
                if record["version"] == VERSION and record["sigs"] == sigs and isinstance(record["blobs"], set):
                    blobs = record["blobs"]
            except Exception:  # noqa: BLE001
                blobs = set()
        from stagecore.fsutil import atomic_write_bytes

        atomic_write_bytes(path, marshal.dumps({"version": VERSION, "root": root, "sigs": sigs,
                                                "blobs": blobs | found}))
    except Exception:  # noqa: BLE001 - a record is an optimisation, never a failure
        return
