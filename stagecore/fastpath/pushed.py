"""The pre-push fast path: a record, per git remote, of the dvc files whose data is on the data remote.

After a pre-push that uploaded everything its commits reference (no finding at all), the blob
ids of every `*.dvc`, `dvc.lock` and `dvc.yaml` in those commits go into
`.dvc/tmp/stagecore-pushed-<git remote>`, with the content of the files that choose the
data remote (`.dvc/config`, `.dvc/config.local`, the repository's git config; those of every
nested `init --subdir` project too, all of which the hook served). A later push whose commits
hold only recorded blobs, and no project the record does not know, has nothing to upload:
it ends after one `git rev-list` and a `git ls-tree` per commit, before any git library or the
engine is imported. Like git-lfs, this trusts that the data remote keeps what was pushed there
(`stagecore push` always checks).
Standard library only; any doubt (no record, a changed config, more than MAX_COMMITS commits,
an unknown sha) runs the full hook.
"""

from __future__ import annotations

import marshal
import os

from stagecore.fastpath.records import git, git_paths, read_bounded, real_tmp_dir

VERSION = 3
MAX_COMMITS = 8
MAX_BYTES = 32 << 20
_DVC_NAMES = (".dvc", "/dvc.lock", "/dvc.yaml")
# how an ls-tree record (`<meta>\t<path>`) of a dvc file or of a project's .dvc/config ends
_RECORD_ENDS = tuple(lead + name for name in (b"dvc.lock", b"dvc.yaml", b".dvc/config") for lead in (b"\t", b"/")) + (b".dvc",)


_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def record_path(root: str, remote: str) -> str:
    safe = "".join(c if c in _SAFE else "_" for c in remote)[:100] or "_"  # no `re`: ms on every push
    return os.path.join(root, ".dvc", "tmp", f"stagecore-pushed-{safe}")


def _config_sigs(root: str, environ, projects=()) -> list | None:
    """The content of the files that choose the data remote (by content, not stat: git rewrites
    its config file on branch deletions and the like without changing what it says), of the
    project at `root` and of its nested `projects` (directories below it)."""
    found = git_paths(root, environ)
    if found is None:
        return None
    sigs: list[tuple[str, bytes | None]] = []
    dirs = [root, *(os.path.join(root, prefix) for prefix in projects)]
    configs = [os.path.join(top, ".dvc", name) for top in dirs for name in ("config", "config.local")]
    for path in (*configs, os.path.join(found[0], "config")):
        if os.path.lexists(path):
            data = read_bounded(path, 1 << 20, nofollow=False)
            if data is None:
                return None
            sigs.append((path, data))
        else:
            sigs.append((path, None))
    return sigs


def _git(root: str, *args: str) -> bytes | None:
    """git's stdout, None when it fails (stagecore.fastpath.records.git: no subprocess module)."""
    code, out = git(root, *args)
    return out if code == 0 else None


def dvc_blobs(root: str, commits: list[str], projects: set[str] | None = None) -> set[str] | None:
    """The blob ids of every dvc file in `commits` (one `git ls-tree` each); the directory of
    every DVC project in them goes to `projects` ("" for the root)."""
    blobs: set[str] = set()
    for commit in commits:
        out = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
        if out is None:
            return None
        for record in [r for r in out.split(b"\0") if r.endswith(_RECORD_ENDS)]:  # C speed over every file
            meta, _, path = record.partition(b"\t")
            if projects is not None and (path == b".dvc/config" or path.endswith(b"/.dvc/config")):
                projects.add(os.fsdecode(path[:-len(b".dvc/config")]).rstrip("/"))
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
        blobs, sigs, projects = record["blobs"], record["sigs"], record["projects"]
        if not isinstance(projects, list) or not all(isinstance(p, str) for p in projects):
            return "corrupt record"
    except Exception:  # noqa: BLE001 - a corrupt record: the full hook
        return "corrupt record"
    if not isinstance(blobs, (set, frozenset)) or sigs != _config_sigs(root, environ, projects):
        return "the data remote's configuration changed"
    commits = pushed_commits(root, remote, stdin)
    if commits is None:
        return "pushed commits unknown"
    seen: set[str] = set()
    found = dvc_blobs(root, commits, seen)
    if found is None:
        return "dvc files unknown"
    if seen - {""} - set(projects):
        return "a nested project not pushed before"
    missing = found - blobs
    return None if not missing else f"{len(missing)} dvc file(s) not pushed before"


def remember(root: str, remote: str, commits: list[str], environ, projects=()) -> None:
    """Add the dvc files of `commits` (their data now on the data remote) to the record.
    `projects`: the nested projects (directories below `root`) whose data the hook pushed too."""
    try:
        if not real_tmp_dir(root) or len(commits) > 10 * MAX_COMMITS:
            return
        found = dvc_blobs(root, commits)
        projects = sorted(projects)
        sigs = _config_sigs(root, environ, projects)
        if found is None or sigs is None:
            return
        path = record_path(root, remote)
        blobs: set[str] = set()
        old = read_bounded(path, MAX_BYTES)
        if old is not None:
            try:
                record = marshal.loads(old)
                if (record["version"] == VERSION and record["sigs"] == sigs and isinstance(record["blobs"], set)
                        and record["projects"] == projects):
                    blobs = record["blobs"]
            except Exception:  # noqa: BLE001
                blobs = set()
        from stagecore.storage.fsutil import atomic_write_bytes

        atomic_write_bytes(path, marshal.dumps({"version": VERSION, "root": root, "sigs": sigs,
                                                "projects": projects, "blobs": blobs | found}))
    except Exception:  # noqa: BLE001 - a record is an optimisation, never a failure
        return
