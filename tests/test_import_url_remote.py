"""`import-url`, `update`, `repro` and `status` of S3 and SSH sources (issue 9), twin-tested against
DVC 3.67.1 with the same moto S3 server and sshd: the same `.dvc` bytes (S3: etag + size, a
directory's md5 of its etag manifest; SSH: content md5; `fs_config`), the same data, the same
`dvc.lock` for a stage with `s3://` / `remote://` / ssh deps, the same status after the sources
changed; plus `--no-exec`, an unreachable endpoint (one line naming the URL), a hostile listing,
a missing SDK, and the hooks judging such stages without the network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.helpers import dvc_ok, git, ok, refused, same_files, sc
from tests.servers import free_port


def _twins(tmp_path: Path, *remotes: tuple[str, str, dict[str, str]]) -> tuple[Path, Path]:
    """Two projects (DVC's, ours), `init`ed and given the same remotes by stagecore (its
    `.dvc/config` is DVC's; each DVC call costs seconds)."""
    made = []
    for name in ("theirs", "ours"):
        repo = tmp_path / name
        repo.mkdir()
        git("init", "-q", cwd=repo)
        ok("init", "-q", cwd=repo)
        for remote, url, options in remotes:
            ok("remote", "add", remote, url, cwd=repo)
            for key, value in options.items():
                ok("remote", "modify", remote, key, value, cwd=repo)
        made.append(repo)
    return made[0], made[1]


def _status(tool, cwd: Path) -> dict:
    proc = tool("status", "--json", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout or "{}")


def _put(s3_server, bucket: str, files: dict[str, bytes]) -> None:
    client = s3_server.client()
    for key, body in files.items():
        client.put_object(Bucket=bucket, Key=key, Body=body)


def test_s3_file_and_directory_twin_then_update(tmp_path, s3_server, dvc_bin):
    ep = s3_server.endpoint_url
    bucket = s3_server.make_bucket("imp")
    _put(
        s3_server,
        bucket,
        {"data/a.txt": b"hello\n", "dir/": b"", "dir/x.txt": b"x\n", "dir/sub/y.txt": b"yy\n"},
    )
    theirs, ours = _twins(tmp_path, ("store", f"s3://{bucket}", {"endpointurl": ep}))
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        proc = tool("import-url", f"s3://{bucket}/data/a.txt", "--fs-config", f"endpointurl={ep}", cwd=repo)
        assert f"Importing 's3://{bucket}/data/a.txt' -> 'a.txt'" in proc.stdout
        tool("import-url", "remote://store/dir", "dd", cwd=repo)
    same_files(theirs, ours, "a.txt.dvc", "dd.dvc", "a.txt", "dd", ".gitignore")
    text = (ours / "a.txt.dvc").read_text()
    assert "- etag: b1946ac92492d2347c6235b4d2611184\n  size: 6\n" in text and f"endpointurl: {ep}\n" in text
    assert "  nfiles: 2\n" in (ours / "dd.dvc").read_text()  # the `dir/` placeholder is no file
    assert (ours / "dd" / "sub" / "y.txt").read_bytes() == b"yy\n"
    # frozen imports are not checked by status; update re-imports when the etag changed
    _put(s3_server, bucket, {"data/a.txt": b"hello again\n", "dir/x.txt": b"x2\n"})
    assert _status(sc, ours) == {}
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        assert (
            "Importing 'remote://store/dir' -> 'dd'" in tool("update", "a.txt.dvc", "dd.dvc", cwd=repo).stdout
        )
    same_files(theirs, ours, "a.txt.dvc", "dd.dvc", "a.txt", "dd")
    assert (ours / "a.txt").read_bytes() == b"hello again\n"
    assert ok("update", "a.txt.dvc", cwd=ours).stdout.strip() == "'a.txt.dvc' didn't change, skipping"
    s3_server.client().delete_object(Bucket=bucket, Key="data/a.txt")
    refused(sc("update", "a.txt.dvc", cwd=ours), f"dependency 's3://{bucket}/data/a.txt' does not exist")


def test_ssh_file_and_directory_twin_no_exec_and_update(tmp_path, sshd_server, dvc_bin):
    src = Path(sshd_server.root) / f"src-{tmp_path.name}"
    (src / "d" / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("hello\n")
    (src / "d" / "x").write_text("x\n")
    (src / "d" / "sub" / "y").write_text("yy\n")
    theirs, ours = _twins(tmp_path, ("sshr", sshd_server.url(str(src)), {"keyfile": sshd_server.key_path}))
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        tool("import-url", "remote://sshr/a.txt", cwd=repo)
        tool(
            "import-url",
            sshd_server.url(str(src / "d")),
            "--fs-config",
            f"keyfile={sshd_server.key_path}",
            cwd=repo,
        )
    same_files(theirs, ours, "a.txt.dvc", "d.dvc", "a.txt", "d", ".gitignore")
    assert "- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n" in (ours / "a.txt.dvc").read_text()
    # --no-exec: the .dvc file DVC 3.67.1 writes (pinned), no data; DVC's update below reads ours
    ok("import-url", "--no-exec", "remote://sshr/a.txt", "later.txt", cwd=ours)
    no_exec = "frozen: true\ndeps:\n- hash: md5\n  path: remote://sshr/a.txt\nouts:\n- hash: md5\n  path: later.txt\n"
    assert (ours / "later.txt.dvc").read_text() == no_exec and not (ours / "later.txt").exists()
    assert "/later.txt\n" in (ours / ".gitignore").read_text()
    (theirs / "later.txt.dvc").write_text(no_exec)
    (src / "a.txt").write_text("changed\n")
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        tool("update", "a.txt.dvc", "later.txt.dvc", cwd=repo)
    same_files(theirs, ours, "a.txt.dvc", "later.txt.dvc", "a.txt", "later.txt")
    assert (ours / "later.txt").read_text() == "changed\n"
    assert "skipping" in ok("update", "d.dvc", cwd=ours).stdout
    # an unfrozen import stage: repro re-imports the directory when its content changed, as DVC
    (src / "d" / "sub" / "z").write_text("z\n")
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        (repo / "d.dvc").write_text((repo / "d.dvc").read_text().replace("frozen: true\n", ""))
        assert (
            f"Importing '{sshd_server.url(str(src / 'd'))}' -> 'd'" in tool("repro", "d.dvc", cwd=repo).stdout
        )
    same_files(theirs, ours, "d.dvc", "d")
    assert (ours / "d" / "sub" / "z").read_text() == "z\n" and _status(sc, ours) == {}


def test_stage_with_s3_and_ssh_deps_repro_status_twin(tmp_path, s3_server, sshd_server, dvc_bin, monkeypatch):
    ep = s3_server.endpoint_url
    monkeypatch.setenv("AWS_ENDPOINT_URL", ep)  # a plain s3:// dep: the endpoint from the environment
    bucket = s3_server.make_bucket("dep")
    _put(s3_server, bucket, {"a.txt": b"a\n", "dir/x.txt": b"x\n", "dir/y.txt": b"y\n"})
    src = Path(sshd_server.root) / f"deps-{tmp_path.name}"
    (src / "d").mkdir(parents=True)
    (src / "f.txt").write_text("f\n")
    (src / "d" / "g").write_text("g\n")
    theirs, ours = _twins(
        tmp_path,
        ("store", f"s3://{bucket}", {"endpointurl": ep}),
        ("sshr", sshd_server.url(str(src)), {"keyfile": sshd_server.key_path}),
    )
    deps = ["remote://store/dir", f"s3://{bucket}/a.txt", "remote://sshr/f.txt", "remote://sshr/d"]
    yaml = "stages:\n  s:\n    cmd: echo hi > out.txt\n    deps:\n" + "".join(f"    - {d}\n" for d in deps)
    for repo in (theirs, ours):
        (repo / "dvc.yaml").write_text(yaml + "    outs:\n    - out.txt\n")
    dvc_ok("repro", "-q", cwd=theirs)
    ok("repro", "-q", cwd=ours)
    same_files(theirs, ours, "dvc.lock")
    lock = (ours / "dvc.lock").read_text()
    assert f"    - path: s3://{bucket}/a.txt\n      hash: md5\n      etag: " in lock
    assert "    - path: remote://store/dir\n      hash: md5\n      md5: " in lock
    assert _status(sc, ours) == {}
    # the sources change: status names each changed URL as DVC 3.67.1 does (pinned: a DVC status costs seconds)
    _put(s3_server, bucket, {"dir/z.txt": b"z\n"})
    s3_server.client().delete_object(Bucket=bucket, Key="a.txt")
    (src / "f.txt").write_text("f2\n")
    expected = {
        "remote://store/dir": "modified",
        f"s3://{bucket}/a.txt": "deleted",
        "remote://sshr/f.txt": "modified",
    }
    assert _status(sc, ours) == {"s": [{"changed deps": expected}]}
    refused(sc("repro", cwd=ours), f"dependency 's3://{bucket}/a.txt' does not exist", code=255)
    _put(s3_server, bucket, {"a.txt": b"a, again\n"})
    assert "Running stage 's'" in ok("repro", cwd=ours).stdout
    dvc_ok("repro", "-q", cwd=theirs)
    same_files(theirs, ours, "dvc.lock")
    assert _status(sc, ours) == {}
    # the pre-commit gate takes the stage as up to date without asking S3 or sshd (etag deps in the lock)
    ok("install", cwd=ours)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    git("add", "-A", cwd=ours)
    git("commit", "-qm", "stage with url deps", cwd=ours)
    assert "stage with url deps" in git("log", "--oneline", cwd=ours)


def test_unreachable_source_is_one_line_and_the_hooks_never_ask(tmp_path, s3_server):
    ep = s3_server.endpoint_url
    bucket = s3_server.make_bucket("gone")
    _put(s3_server, bucket, {"w.txt": b"w\n"})
    (ours := tmp_path / "ours").mkdir()
    git("init", "-q", cwd=ours)
    ok("init", "-q", cwd=ours)
    ok("remote", "add", "store", f"s3://{bucket}", cwd=ours)
    ok("remote", "modify", "store", "endpointurl", ep, cwd=ours)
    ok("import-url", "remote://store/w.txt", cwd=ours)
    ok("import-url", f"s3://{bucket}/w.txt", "v.txt", "--fs-config", f"endpointurl={ep}", cwd=ours)
    for name in ("w.txt.dvc", "v.txt.dvc"):  # unfrozen: status checks the etag
        (ours / name).write_text((ours / name).read_text().replace("frozen: true\n", ""))
    assert _status(sc, ours) == {}
    _put(s3_server, bucket, {"w.txt": b"w2\n"})
    changed = {"changed deps": {"remote://store/w.txt": "modified"}}
    assert _status(sc, ours)["w.txt.dvc"] == [changed]
    dead = f"http://127.0.0.1:{free_port()}"
    ok("remote", "modify", "store", "endpointurl", dead, cwd=ours)
    (ours / "v.txt.dvc").unlink()
    proc = sc("status", cwd=ours)
    line = refused(proc, "cannot check 'remote://store/w.txt'", f"cannot reach {dead} for remote 'store'")
    assert "deleted" not in proc.stdout and "remote modify store endpointurl" in proc.stderr
    # the pre-commit gate judges the commit without the network: no refusal, no wait
    ok("install", cwd=ours)
    git("add", "-A", cwd=ours)
    git("commit", "-qm", "imports", cwd=ours)
    assert "imports" in git("log", "--oneline", cwd=ours) and line.startswith("ERROR: ")
    # a plain URL whose endpoint is wrong: the hint says where endpoints come from
    refused(
        sc("import-url", f"s3://{bucket}/w.txt", "u.txt", "--fs-config", f"endpointurl={dead}", cwd=ours),
        f"cannot import 's3://{bucket}/w.txt': cannot reach {dead}",
    )
    assert not (ours / "u.txt").exists() and not (ours / "u.txt.dvc").exists()


def test_hostile_or_bad_sources_are_refused(tmp_path, s3_server):
    ep = s3_server.endpoint_url
    bucket = s3_server.make_bucket("bad")
    _put(s3_server, bucket, {"h/a": b"1\n", "h/a/b": b"2\n", "e/x//y": b"3\n"})
    (ours := tmp_path / "ours").mkdir()
    git("init", "-q", cwd=ours)
    ok("init", "-q", cwd=ours)
    cfg = ("--fs-config", f"endpointurl={ep}")
    refused(sc("import-url", f"s3://{bucket}/h", *cfg, cwd=ours), f"refused to import 's3://{bucket}/h'")
    refused(sc("import-url", f"s3://{bucket}/e", *cfg, cwd=ours), f"refused to import 's3://{bucket}/e'")
    refused(sc("import-url", f"s3://{bucket}/nope", *cfg, cwd=ours), "does not exist")
    refused(sc("import-url", "remote://nowhere/x", cwd=ours), "remote 'nowhere' doesn't exist", code=251)
    refused(sc("import-url", f"s3://{bucket}/h/a", "--fs-config", "bogus=1", cwd=ours), "bogus", code=251)
    assert sorted(p.name for p in ours.iterdir()) == [".dvc", ".dvcignore", ".git"]


@pytest.mark.parametrize(
    ("url", "module", "extra"), [("s3://b/k", "boto3", "s3"), ("ssh://h/k", "paramiko", "ssh")]
)
def test_missing_sdk_names_the_extra(tmp_path, monkeypatch, url, module, extra):
    from stagecore.errors import StagecoreError
    from stagecore.ops.import_url import import_url
    from stagecore.repo import Repo

    git("init", "-q", cwd=tmp_path)
    ok("init", "-q", cwd=tmp_path)
    monkeypatch.setitem(sys.modules, module, None)  # what Python does when the package is absent
    with Repo.find(str(tmp_path)) as repo, pytest.raises(StagecoreError) as info:
        import_url(repo, url, cwd=str(tmp_path))
    assert str(info.value).endswith(f"need {module}, which is not installed")
    assert info.value.hint == f"pip install 'stagecore[{extra}]'"


def test_remote_url_of_a_directory_remote_is_a_local_source_twin(tmp_path, dvc_bin):
    store = tmp_path / "store"
    (store / "sub").mkdir(parents=True)
    (store / "sub" / "l.txt").write_text("L\n")
    theirs, ours = _twins(tmp_path, ("ls", str(store), {}))
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        tool("import-url", "remote://ls/sub/l.txt", cwd=repo)
    same_files(theirs, ours, "l.txt.dvc", "l.txt")
    assert "- md5: 42f463c8479642e92eaf6a151ebcf9d8\n  size: 2\n" in (ours / "l.txt.dvc").read_text()
    (store / "sub" / "l.txt").write_text("L2\n")
    (ours / "l.txt.dvc").write_text((ours / "l.txt.dvc").read_text().replace("frozen: true\n", ""))
    assert _status(sc, ours) == {"l.txt.dvc": [{"changed deps": {"remote://ls/sub/l.txt": "modified"}}]}
    assert "Importing 'remote://ls/sub/l.txt' -> 'l.txt'" in ok("repro", "l.txt.dvc", cwd=ours).stdout
    assert (ours / "l.txt").read_text() == "L2\n" and _status(sc, ours) == {}
    refused(sc("import-url", "remote://ls/nope", cwd=ours), "dependency 'remote://ls/nope' does not exist")
