"""`push/pull --run-cache`: the run cache entries (`runs/<k[:2]>/<k>/<v>`) travel as files."""

from __future__ import annotations

import os

from stagecore.odb import tmp_name


def _local_entries(repo) -> dict[str, str]:
    base = os.path.join(repo.cache_dir, "runs")
    found = {}
    for dirpath, _, names in os.walk(base):
        for name in names:
            if not name.endswith(".tmp"):
                full = os.path.join(dirpath, name)
                found[os.path.relpath(full, repo.cache_dir).replace(os.sep, "/")] = full
    return found


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
            if key in local or ".." in key.split("/"):
                continue
            dest = os.path.join(repo.cache_dir, *key.split("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = tmp_name(dest)
            rem.download(key, tmp)
            os.replace(tmp, dest)
            count += 1
    return count
