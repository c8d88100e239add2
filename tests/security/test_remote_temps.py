"""Unfinished uploads on a remote (local directory and SFTP): temp names of the one scheme,
never listed as keys, swept by `sweep_tmp` (what `gc -c` and a push after a killed push call):
this machine's whose writer is gone at once, anyone's after an hour, a fresh foreign one kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from stagecore.remotes import open_remote
from stagecore.storage.fsutil import _host_id

KEY = "files/md5/0c/c175b9c0f1b6a831c399e269772661"  # md5 of b"a"


@pytest.fixture(params=["local", "ssh"])
def remote_root(request, tmp_path: Path):
    if request.param == "local":
        root = tmp_path / "store"
        remote = open_remote("r", {"url": str(root)}, str(tmp_path / ".dvc"))
    else:
        server = request.getfixturevalue("sshd_server")
        root = Path(server.root) / uuid.uuid4().hex
        remote = open_remote("r", server.remote_conf(str(root)), str(tmp_path / ".dvc"))
    try:
        yield remote, root
    finally:
        remote.close()


def test_sweep_removes_only_stale_uploads(remote_root, tmp_path: Path) -> None:
    remote, root = remote_root
    src = tmp_path / "a"
    src.write_bytes(b"a")
    remote.upload(str(src), KEY)
    shard = root / "files" / "md5" / "0c"
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout)
    ours_dead = shard / f".stagecore-tmp-{dead}@{_host_id()}.0123456789ab.tmp"
    ours_live = shard / f".stagecore-tmp-{os.getpid()}@{_host_id()}.0123456789ac.tmp"
    other_fresh = shard / ".stagecore-tmp-1@00000000.0123456789ad.tmp"
    other_old = shard / ".stagecore-tmp-1@00000000.0123456789ae.tmp"
    legacy_old = shard / "c175b9c0f1b6a831c399e269772661.0123456789af.tmp"
    for path in (ours_dead, ours_live, other_fresh, other_old, legacy_old):
        path.write_bytes(b"partial")
    for path in (other_old, legacy_old):
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    assert list(remote.iter_keys("files/md5/")) == [KEY]  # a temp is never a key
    assert remote.sweep_tmp() == 3
    assert sorted(p.name for p in shard.iterdir()) == sorted(
        ["c175b9c0f1b6a831c399e269772661", ours_live.name, other_fresh.name])
    assert remote.sweep_tmp(max_age=0) == 2  # no grace period: anything not written to just now goes
    assert [p.name for p in shard.iterdir()] == ["c175b9c0f1b6a831c399e269772661"]
