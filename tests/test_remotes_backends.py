"""One contract, three backends: a local directory, S3 (moto on loopback), SFTP (sshd on loopback)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from stagecore.errors import RemoteError
from stagecore.remotes import Remote, RemoteObjectNotFound, open_remote
from stagecore.remotes.base import is_tmp_key
from tests.servers import free_port


@dataclass
class Case:
    remote: Remote
    raw_list: Callable[[], list[str]]  # every stored name under the remote root, tmp files included
    module: str  # the backend module, whose `open` a test may patch


def _walk(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _make_local(request, tmp_path: Path) -> Case:
    root = tmp_path / "remote-dir"
    remote = open_remote("myremote", {"url": str(root)}, str(tmp_path / ".dvc"))
    return Case(remote, lambda: _walk(root), "stagecore.remotes.local")


def _make_s3(request, tmp_path: Path) -> Case:
    server = request.getfixturevalue("s3_server")
    bucket = server.make_bucket()
    conf = {"url": f"s3://{bucket}/some/prefix", "endpointurl": server.endpoint_url}
    remote = open_remote("myremote", conf, str(tmp_path / ".dvc"))
    client = server.client()

    def raw_list() -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))

    return Case(remote, raw_list, "stagecore.remotes.s3")


def _make_ssh(request, tmp_path: Path) -> Case:
    server = request.getfixturevalue("sshd_server")
    root = Path(server.root) / uuid.uuid4().hex
    remote = open_remote("myremote", server.remote_conf(str(root)), str(tmp_path / ".dvc"))
    return Case(remote, lambda: _walk(root), "stagecore.remotes.ssh")


MAKERS = {"local": _make_local, "s3": _make_s3, "ssh": _make_ssh}


@pytest.fixture(params=sorted(MAKERS))
def case(request, tmp_path: Path):
    made = MAKERS[request.param](request, tmp_path)
    yield made
    made.remote.close()


def _md5_key(data: bytes, suffix: str = "") -> str:
    digest = hashlib.md5(data).hexdigest()
    return f"files/md5/{digest[:2]}/{digest[2:]}{suffix}"


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def test_round_trip(case: Case, tmp_path: Path) -> None:
    remote = case.remote
    blobs = {
        _md5_key(b"hello\n"): b"hello\n",
        _md5_key(b"[]", ".dir"): b"[]",
        "59/d0d19fc45ca69230d858f60a5557f8": b"legacy object\n",
        "runs/6a/6a26c4/85c6e2": b"cmd: echo\n",
    }
    for i, (key, data) in enumerate(blobs.items()):
        remote.upload(_write(tmp_path / "src" / str(i), data), key)

    absent = _md5_key(b"not uploaded")
    assert remote.exists_many([*blobs, absent]) == set(blobs)
    assert remote.exists(next(iter(blobs)))
    assert not remote.exists(absent)
    assert sorted(remote.iter_keys()) == sorted(blobs)
    assert sorted(remote.iter_keys("files/md5/")) == sorted(k for k in blobs if k.startswith("files/md5/"))
    assert list(remote.iter_keys("runs/6a/6a2")) == ["runs/6a/6a26c4/85c6e2"]
    assert list(remote.iter_keys("nothing/")) == []

    for i, (key, data) in enumerate(blobs.items()):
        dest = tmp_path / "dst" / str(i)
        dest.parent.mkdir(exist_ok=True)
        remote.download(key, str(dest))
        assert dest.read_bytes() == data

    remote.upload(_write(tmp_path / "again", b"hello\n"), _md5_key(b"hello\n"))  # overwrite is fine
    remote.delete(_md5_key(b"hello\n"))
    remote.delete(_md5_key(b"hello\n"))  # deleting an absent key is not an error
    assert remote.exists_many(list(blobs)) == set(blobs) - {_md5_key(b"hello\n")}
    remote.delete_many([k for k in blobs if k != _md5_key(b"hello\n")])
    assert list(remote.iter_keys()) == []
    assert not [name for name in case.raw_list() if is_tmp_key(name)]


def test_empty_remote(case: Case, tmp_path: Path) -> None:
    key = _md5_key(b"x")
    assert case.remote.exists_many([key]) == set()
    assert case.remote.exists_many([]) == set()
    assert list(case.remote.iter_keys()) == []
    with pytest.raises(RemoteObjectNotFound) as info:
        case.remote.download(key, str(tmp_path / "out"))
    assert key in str(info.value) and "myremote" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_large_object(case: Case, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = _md5_key(data)
    case.remote.upload(_write(tmp_path / "big", data), key)
    case.remote.download(key, str(tmp_path / "big.out"))
    assert (tmp_path / "big.out").read_bytes() == data


class _FlakyFile(io.FileIO):
    """A real file whose reads fail with EIO after `limit` bytes."""

    limit = 1024 * 1024

    def read(self, size: int = -1) -> bytes:
        left = self.limit - self.tell()
        if left <= 0:
            raise OSError(errno.EIO, "simulated read error")
        return super().read(left if size is None or size < 0 else min(size, left))

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def test_upload_failing_midway_leaves_nothing(case: Case, tmp_path: Path, monkeypatch) -> None:
    data = os.urandom(3 * 1024 * 1024)
    src = _write(tmp_path / "src", data)
    key = _md5_key(data)
    module = sys.modules[case.module]

    def fake_open(path, mode="r", *args, **kwargs):
        if path == src and mode == "rb":
            return _FlakyFile(path, "rb")
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(module, "open", fake_open, raising=False)
    if case.module.endswith(".local"):  # the directory remote copies in the kernel: fail that copy midway
        import stagecore.storage.odb

        def failing_copy(src_path, dest, mode):
            with open(dest, "wb") as fobj:
                fobj.write(data[: len(data) // 2])
            raise OSError(errno.EIO, "simulated read error")

        monkeypatch.setattr(stagecore.storage.odb, "copy_file", failing_copy)
    with pytest.raises((OSError, RemoteError)):
        case.remote.upload(src, key)
    monkeypatch.undo()
    assert case.remote.exists_many([key]) == set()
    assert [name for name in case.raw_list() if key.rsplit("/", 1)[-1] in name] == []


def test_upload_of_vanished_file_leaves_nothing(case: Case, tmp_path: Path) -> None:
    key = _md5_key(b"gone")
    with pytest.raises(FileNotFoundError):
        case.remote.upload(str(tmp_path / "vanished"), key)
    assert case.remote.exists_many([key]) == set()
    assert case.raw_list() == []


@pytest.mark.parametrize("count", [5, 300])
def test_many_keys_in_parallel(case: Case, tmp_path: Path, count: int) -> None:
    remote = case.remote
    blobs = {}
    for i in range(count):
        data = f"object {i}\n".encode()
        blobs[_md5_key(data)] = _write(tmp_path / "src" / str(i), data)
    uploaded = list(blobs)[::2]
    with ThreadPoolExecutor(max_workers=remote.jobs) as pool:
        list(pool.map(lambda key: remote.upload(blobs[key], key), uploaded))

    assert remote.exists_many(list(blobs)) == set(uploaded)
    assert sorted(remote.iter_keys("files/md5/")) == sorted(uploaded)

    out = tmp_path / "out"
    out.mkdir()

    def fetch(key: str) -> bool:
        dest = out / key.replace("/", "_")
        remote.download(key, str(dest))
        return dest.read_bytes() == Path(blobs[key]).read_bytes()

    with ThreadPoolExecutor(max_workers=remote.jobs) as pool:
        assert all(pool.map(fetch, uploaded))


def test_invalid_keys_are_refused(case: Case, tmp_path: Path) -> None:
    src = _write(tmp_path / "f", b"x")
    for key in ("../escape", "/abs/key", "files/../../x", ""):
        with pytest.raises(RemoteError, match="invalid remote key"):
            case.remote.upload(src, key)


# -- opening remotes ------------------------------------------------------------------------------


def test_relative_local_url_is_relative_to_config_dir(tmp_path: Path) -> None:
    dvc_dir = tmp_path / "repo" / ".dvc"
    remote = open_remote("other", {"url": "../../storage"}, str(dvc_dir))
    assert remote.path == str(tmp_path / "storage")  # type: ignore[attr-defined]
    remote = open_remote("f", {"url": f"file://{tmp_path}/st%20x"}, str(dvc_dir))
    assert remote.path == str(tmp_path / "st x")  # type: ignore[attr-defined]


def test_jobs_from_config(tmp_path: Path) -> None:
    assert open_remote("r", {"url": "d", "jobs": "3"}, str(tmp_path)).jobs == 3
    with pytest.raises(RemoteError, match="'jobs' must be a positive integer"):
        open_remote("r", {"url": "d", "jobs": "many"}, str(tmp_path))


def test_unknown_scheme(tmp_path: Path) -> None:
    with pytest.raises(RemoteError) as info:
        open_remote("gcs", {"url": "gs://bucket/path"}, str(tmp_path))
    assert str(info.value) == "remote 'gcs' has unsupported type 'gs' (url 'gs://bucket/path')"
    assert info.value.hint and "local, s3, ssh" in info.value.hint


def test_missing_url(tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="remote 'r' has no url"):
        open_remote("r", {}, str(tmp_path))


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [("s3://bucket/x", "boto3", "s3"), ("ssh://host/x", "paramiko", "ssh")],
)
def test_missing_sdk_names_the_extra(tmp_path: Path, monkeypatch, url: str, module: str, extra: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what Python does when the package is absent
    with pytest.raises(RemoteError) as info:
        open_remote("r", {"url": url}, str(tmp_path))
    assert str(info.value).endswith(f"need {module}, which is not installed")
    assert info.value.hint == f"pip install 'stagecore[{extra}]'"


def test_missing_sdk_without_monkeypatch_in_a_subprocess(tmp_path: Path) -> None:
    """The same, in a real interpreter where the import fails (blocked by a meta path finder)."""
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
        "    print(exc.message); print(exc.hint)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert proc.stdout.splitlines() == [
        "S3 remotes need boto3, which is not installed",
        "pip install 'stagecore[s3]'",
    ]


def test_s3_unreachable_endpoint(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    conf = {"url": "s3://bucket/p", "endpointurl": f"http://127.0.0.1:{port}"}
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        with pytest.raises(RemoteError) as info:
            remote.exists_many([_md5_key(b"x")])
    assert str(info.value) == f"cannot reach http://127.0.0.1:{port} for remote 'myremote'"
    assert info.value.hint and "endpointurl" in info.value.hint


def test_s3_missing_bucket(s3_server, tmp_path: Path) -> None:
    conf = {"url": "s3://no-such-bucket-here/p", "endpointurl": s3_server.endpoint_url}
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        for action in (
            lambda: remote.exists_many([_md5_key(b"x")]),
            lambda: list(remote.iter_keys()),
            lambda: remote.upload(_write(tmp_path / "f", b"x"), _md5_key(b"x")),
        ):
            with pytest.raises(RemoteError) as info:
                action()
            assert str(info.value) == "bucket 'no-such-bucket-here' of remote 'myremote' does not exist"


def test_ssh_unreachable(tmp_path: Path) -> None:
    port = free_port()
    conf = {"url": f"ssh://someone@127.0.0.1:{port}/srv/data", "timeout": "3"}
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        with pytest.raises(RemoteError) as info:
            remote.exists_many([_md5_key(b"x")])
    assert str(info.value).startswith(f"cannot connect to someone@127.0.0.1:{port} for remote 'myremote': ")


def test_ssh_wrong_key_is_an_authentication_error(sshd_server, tmp_path: Path) -> None:
    other_key = tmp_path / "otherkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other_key)], check=True)
    conf = {"url": sshd_server.url("x"), "keyfile": str(other_key), "allow_agent": "false"}
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        with pytest.raises(RemoteError) as info:
            remote.exists_many([_md5_key(b"x")])
    assert str(info.value).startswith("authentication failed for ")
    assert info.value.hint and "keyfile" in info.value.hint


def test_ssh_reconnects_after_the_connection_drops(sshd_server, tmp_path: Path) -> None:
    conf = sshd_server.remote_conf(uuid.uuid4().hex)
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        remote.upload(_write(tmp_path / "a", b"a"), _md5_key(b"a"))
        for conn in list(remote._pool.connections):  # type: ignore[attr-defined]
            conn.client.close()  # the server or the network dropped us
        remote.upload(_write(tmp_path / "b", b"b"), _md5_key(b"b"))
        assert remote.exists_many([_md5_key(b"a"), _md5_key(b"b")]) == {_md5_key(b"a"), _md5_key(b"b")}


def test_s3_multipart_upload(s3_server, tmp_path: Path, monkeypatch) -> None:
    import stagecore.remotes.s3 as s3_module

    monkeypatch.setattr(s3_module, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    bucket = s3_server.make_bucket()
    data = os.urandom(11 * 1024 * 1024)
    key = _md5_key(data)
    conf = {"url": f"s3://{bucket}", "endpointurl": s3_server.endpoint_url}
    with open_remote("myremote", conf, str(tmp_path)) as remote:
        remote.upload(_write(tmp_path / "big", data), key)
        etag = s3_server.client().head_object(Bucket=bucket, Key=key)["ETag"]
        assert etag.endswith('-3"')  # really sent in parts
        remote.download(key, str(tmp_path / "big.out"))
    assert (tmp_path / "big.out").read_bytes() == data


def test_ssh_relative_keyfile_is_relative_to_the_config_dir(sshd_server, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "id").write_bytes(Path(sshd_server.key_path).read_bytes())
    os.chmod(keys / "id", 0o600)
    conf = {"url": sshd_server.url(uuid.uuid4().hex), "keyfile": "../keys/id", "allow_agent": "false"}
    with open_remote("myremote", conf, str(tmp_path / ".dvc")) as remote:
        assert remote.exists_many([_md5_key(b"x")]) == set()


def test_remote_section_resolves_paths_per_level(git_repo: Path) -> None:
    from stagecore.files.config import Config
    from stagecore.remotes.config import remote_section

    dvc_dir = git_repo / ".dvc"
    dvc_dir.mkdir()
    (dvc_dir / "config").write_text("['remote \"r\"']\n    url = ../../store\n    jobs = 3\n")
    (dvc_dir / "config.local").write_text("['remote \"r\"']\n    keyfile = ../k\n")
    section = remote_section(Config.load(str(dvc_dir)), "r")
    assert section == {"url": str(git_repo.parent / "store"), "jobs": "3", "keyfile": str(git_repo / "k")}
