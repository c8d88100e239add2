"""`push/pull --run-cache`: the run cache entries (`runs/<k[:2]>/<k>/<v>`) travel as files."""

from __future__ import annotations

import os
import re

from stagecore.ops.runcache import entry_dir, read_entry, refuse_link
from stagecore.storage.odb import tmp_name

_NAME = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z._-]{0,254}")  # DVC's keys and values are sha256 hex


def _entry_key(key: str) -> bool:
    """Whether a remote's key is a run-cache entry `runs/<k[:2]>/<k>/<v>` whose parts are plain names."""
    parts = key.split("/")
    return (
        len(parts) == 4
        and parts[0] == "runs"
        and all(_NAME.fullmatch(part) for part in parts[1:])
        and parts[1] == parts[2][:2]
        and not parts[3].endswith(".tmp")
    )


def _local_entries(repo) -> dict[str, str]:
    """key -> path of every entry `runs/<k[:2]>/<k>/<v>` of the cache that is a regular file: a
    symlink (committed with `git add -f`, or anything else) is never read, so push never sends a
    file from elsewhere (`runs -> ~/.ssh` would have uploaded the keys)."""
    import stat

    base = os.path.join(repo.cache_dir, "runs")
    refuse_link(base)
    found = {}
    for dirpath, _, names in os.walk(base):  # symlinked directories are listed, not entered
        for name in names:
            full = os.path.join(dirpath, name)
            key = os.path.relpath(full, repo.cache_dir).replace(os.sep, "/")
            try:
                regular = stat.S_ISREG(os.lstat(full).st_mode)
            except OSError:
                continue
            if regular and _entry_key(key):
                found[key] = full
    return found


def _is_entry(path: str) -> bool:
    """Whether a downloaded file is a run-cache entry (anything else is dropped, never kept
    nor pushed on)."""
    return read_entry(path) is not None


def push_run_cache(repo, remote: str | None) -> int:
    """Upload the entries the remote lacks; the number of entries now on it (DVC counts every
    entry of the run cache in its 'N files pushed', sent now or before)."""
    from stagecore.ops.transfer import open_data_remote

    local = _local_entries(repo)
    with open_data_remote(repo, remote, "push") as rem:
        have = rem.exists_many(list(local))
        todo = [key for key in local if key not in have]
        for key in todo:
            rem.upload(local[key], key)
    return len(local)


def pull_run_cache(repo, remote: str | None) -> int:
    from stagecore.ops.transfer import open_data_remote

    local = _local_entries(repo)
    count = 0
    with open_data_remote(repo, remote, "pull") as rem:
        for key in rem.iter_keys("runs/"):
            if key in local or not _entry_key(key):
                continue  # only `runs/<k[:2]>/<k>/<v>` of plain names: nothing else is written
            _runs, _shard, run_key, value = key.split("/")
            dest = os.path.join(entry_dir(repo, run_key, create=True), value)
            tmp = tmp_name(dest)
            rem.download(key, tmp)
            if not _is_entry(tmp):  # not a lock entry (e.g. a link on the remote to another file)
                os.unlink(tmp)
                continue
            os.replace(tmp, dest)
            count += 1
    return count
