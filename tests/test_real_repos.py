"""Real DVC repositories read as DVC 3.67.1 reads them (issue 9): URL and absolute-path
dependencies (`import-url`), imports in `repro`, the pre-commit gate on such stages, and
`verify` on DVC 2.x locks, granular dependencies and partial clones. Twin repositories:
the real DVC judges the same files and both answers are compared."""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import clean_env, dvc_ok, git, ok, run_dvc, sc


def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D401 - keep test output clean
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str, http.server.ThreadingHTTPServer]]:
    """A loopback http server over a fresh directory: (directory, base url, server)."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()


def _status(tool, cwd: Path) -> dict:
    proc = tool("status", "--json", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout or "{}")


def _importing(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Importing ")]


# -- URL and absolute-path dependencies (items 1 and 2) --------------------------------------
def test_import_url_stages_read_as_dvc_reads_them(dvc_bin, tmp_path, http_dir):
    www, base, server = http_dir
    (www / "a.zip").write_bytes(b"zip bytes\n")
    source = tmp_path / "src" / "local.txt"
    source.parent.mkdir()
    source.write_text("local v1\n")
    twin_dvc = tmp_path / "twin_dvc"
    twin_dvc.mkdir()
    git("init", "-q", cwd=twin_dvc)
    dvc_ok("init", "-q", cwd=twin_dvc)
    (twin_dvc / "data").mkdir()
    dvc_ok("import-url", f"{base}/a.zip", "data/a.zip", cwd=twin_dvc)
    dvc_ok("import-url", str(source), "data/local.txt", cwd=twin_dvc)
    dvc_ok("unfreeze", "data/a.zip.dvc", "data/local.txt.dvc", cwd=twin_dvc)  # deps are checked
    ours = tmp_path / "twin_sc"
    shutil.copytree(twin_dvc, ours, symlinks=True)

    # up to date for both: the URL is not a local path 'data/http:/...' reported deleted
    assert _status(sc, ours) == _status(run_dvc, twin_dvc) == {}
    # the absolute path made dag and repro walk up from '/' forever
    dag = ok("dag", cwd=ours).stdout
    assert "data/a.zip.dvc" in dag and "data/local.txt.dvc" in dag
    assert ok("repro", "--dry", "data/local.txt.dvc", cwd=ours).stdout.startswith(
        "'data/local.txt.dvc' didn't change, skipping")

    # the absolute source changes: both name it as written, both plan the import the same way
    source.write_text("local v2 changed\n")
    expected = {"data/local.txt.dvc": [{"changed deps": {str(source): "modified"}}]}
    assert _status(sc, ours) == _status(run_dvc, twin_dvc) == expected
    dvc_dry = dvc_ok("repro", "--dry", "data/local.txt.dvc", cwd=twin_dvc).stdout
    our_dry = ok("repro", "--dry", "data/local.txt.dvc", cwd=ours).stdout
    assert _importing(our_dry) == _importing(dvc_dry) == [f"Importing '{source}' -> 'data/local.txt'"]
    assert (ours / "data/local.txt").read_text() == "local v1\n"  # --dry changed nothing

    # repro re-imports: the same .dvc file as DVC writes, accepted by DVC
    dvc_ok("repro", "data/local.txt.dvc", cwd=twin_dvc)
    proc = ok("repro", "data/local.txt.dvc", cwd=ours)
    assert _importing(proc.stdout) == [f"Importing '{source}' -> 'data/local.txt'"]
    assert (ours / "data/local.txt").read_text() == "local v2 changed\n"
    assert (ours / "data/local.txt.dvc").read_text() == (twin_dvc / "data/local.txt.dvc").read_text()
    assert _status(run_dvc, ours) == _status(sc, ours) == {}

    # a forced import of the http source downloads it and keeps its recorded checksum
    recorded = (ours / "data/a.zip.dvc").read_text()
    (ours / "data/a.zip").unlink()
    proc = ok("repro", "-f", "data/a.zip.dvc", cwd=ours)
    assert _importing(proc.stdout) == [f"Importing '{base}/a.zip' -> 'data/a.zip'"]
    assert (ours / "data/a.zip").read_bytes() == b"zip bytes\n"
    assert (ours / "data/a.zip.dvc").read_text() == recorded

    # offline: one ERROR line naming the URL (DVC would say 'deleted'), no false change
    server.shutdown()
    server.server_close()
    proc = sc("status", "--json", cwd=ours)
    assert proc.returncode == 1 and json.loads(proc.stdout) == {}
    assert proc.stderr.startswith(f"ERROR: cannot reach '{base}/a.zip'") and "deleted" not in proc.stderr
    proc = sc("repro", "-f", "data/a.zip.dvc", cwd=ours)
    assert proc.returncode != 0
    assert f"failed to import '{base}/a.zip'" in proc.stderr and "Traceback" not in proc.stderr


def test_import_url_of_a_directory_repro_writes_what_dvc_writes(dvc_bin, tmp_path):
    source = tmp_path / "srcdir"
    (source / "s").mkdir(parents=True)
    (source / "a").write_text("1\n")
    (source / "s/b").write_text("2\n")
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    git("init", "-q", cwd=theirs)
    dvc_ok("init", "-q", cwd=theirs)
    dvc_ok("import-url", str(source), "dir", cwd=theirs)
    dvc_ok("unfreeze", "dir.dvc", cwd=theirs)
    ours = tmp_path / "ours"
    shutil.copytree(theirs, ours, symlinks=True)
    (source / "c").write_text("3\n")
    assert _status(sc, ours) == _status(run_dvc, theirs) == {"dir.dvc": [{"changed deps": {str(source): "modified"}}]}
    dvc_ok("repro", "dir.dvc", cwd=theirs)
    ok("repro", "dir.dvc", cwd=ours)
    assert (ours / "dir.dvc").read_text() == (theirs / "dir.dvc").read_text()
    assert sorted(p.name for p in (ours / "dir").iterdir()) == ["a", "c", "s"]
    assert dvc_ok("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"


def test_import_url_of_relative_paths_inside_and_outside(dvc_bin, tmp_path):
    outside = tmp_path / "rel.txt"
    outside.write_text("x\n")
    theirs = tmp_path / "theirs"
    (theirs / "inner").mkdir(parents=True)
    (theirs / "inner/i.txt").write_text("y\n")
    git("init", "-q", cwd=theirs)
    dvc_ok("init", "-q", cwd=theirs)
    dvc_ok("import-url", "../rel.txt", "r.txt", cwd=theirs)  # written as `path: ../rel.txt`
    dvc_ok("import-url", "inner/i.txt", "i.txt", cwd=theirs)
    dvc_ok("unfreeze", "r.txt.dvc", "i.txt.dvc", cwd=theirs)
    ours = tmp_path / "ours"
    shutil.copytree(theirs, ours, symlinks=True)
    outside.write_text("x2\n")
    for where in (theirs, ours):
        (where / "inner/i.txt").write_text("y2\n")
    # DVC names the dependency leaving the repository by its absolute path
    expected = {"r.txt.dvc": [{"changed deps": {str(outside): "modified"}}],
                "i.txt.dvc": [{"changed deps": {"inner/i.txt": "modified"}}]}
    assert _status(sc, ours) == _status(run_dvc, theirs) == expected
    proc = ok("repro", "r.txt.dvc", "i.txt.dvc", cwd=ours)
    assert sorted(_importing(proc.stdout)) == [f"Importing '{outside}' -> 'r.txt'", "Importing 'inner/i.txt' -> 'i.txt'"]
    dvc_ok("repro", "r.txt.dvc", "i.txt.dvc", cwd=theirs)
    for name in ("r.txt.dvc", "i.txt.dvc"):
        assert (ours / name).read_text() == (theirs / name).read_text()
    assert (ours / "r.txt").read_text() == "x2\n" and (ours / "i.txt").read_text() == "y2\n"
    assert _status(run_dvc, ours) == {}


def test_pipeline_stage_with_url_and_absolute_deps_passes_the_gate(dvc_bin, tmp_path, http_dir):
    www, base, _server = http_dir
    (www / "dict.csv").write_text("a,1\n")
    store = tmp_path / "store"
    store.mkdir()
    (store / "x.csv").write_text("x\n")
    source = tmp_path / "words.src"
    source.write_text("alpha\nbeta\n")
    stage = (
        "stages:\n  words:\n    cmd: cp {src} words.txt\n    deps:\n{urls}    - {src}\n    outs:\n    - words.txt\n"
    )
    urls = f"    - {base}/dict.csv\n    - remote://store/x.csv\n"
    twin_dvc, ours = tmp_path / "twin_dvc", tmp_path / "twin_sc"
    for where, tool in ((twin_dvc, run_dvc), (ours, sc)):
        where.mkdir()
        git("init", "-q", cwd=where)
        assert tool("init", "-q", cwd=where).returncode == 0
        assert tool("remote", "add", "store", str(store), cwd=where).returncode == 0
        (where / "dvc.yaml").write_text(stage.format(src=source, urls=urls))
    dvc_ok("repro", cwd=twin_dvc)
    ok("install", cwd=ours)
    proc = ok("repro", cwd=ours)
    assert "Running stage 'words':" in proc.stdout
    assert ok("dag", cwd=ours).stdout.strip().splitlines()[1] == "| words |"
    # URL and absolute dependencies are locked exactly as DVC locks them
    ours_lock = (ours / "dvc.lock").read_text()
    assert md5(source.read_bytes()) in ours_lock and f"path: {base}/dict.csv" in ours_lock
    assert ours_lock == (twin_dvc / "dvc.lock").read_text()
    assert ok("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    gitp("add", "-A", cwd=ours)
    proc = gitp("commit", "-qm", "stage with external deps", cwd=ours)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the gate does not refuse URL deps
    # a changed absolute dependency is a real change: both tools see it, the gate refuses
    source.write_text("alpha\nbeta\ngamma\n")
    expected = {"words": [{"changed deps": {str(source): "modified"}}]}
    assert _status(run_dvc, twin_dvc) == expected
    assert _status(sc, ours) == expected
    (ours / "notes.md").write_text("n\n")
    gitp("add", "notes.md", cwd=ours)
    proc = gitp("commit", "-qm", "notes", cwd=ours)
    assert proc.returncode == 1
    assert f"stage 'words' is not up to date (changed deps: {source})" in proc.stderr


def test_unreachable_url_dependency_is_one_line_naming_it(dvc_bin, tmp_path):
    """DVC cannot run a stage whose s3 dependency it cannot reach, nor can we: one line, no traceback."""
    stage = "stages:\n  words:\n    cmd: echo hi > words.txt\n    deps:\n    - s3://bucket/dict.csv\n    outs:\n    - words.txt\n"
    twin_dvc, ours = tmp_path / "twin_dvc", tmp_path / "twin_sc"
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    for where, tool in ((twin_dvc, run_dvc), (ours, sc)):
        where.mkdir()
        git("init", "-q", cwd=where)
        assert tool("init", "-q", cwd=where).returncode == 0
        (where / "dvc.yaml").write_text(stage)
    theirs = run_dvc("repro", cwd=twin_dvc, env=env)
    proc = sc("repro", cwd=ours, env=env)
    assert theirs.returncode != 0 and proc.returncode != 0
    assert "Traceback" not in proc.stderr and "cannot check 's3://bucket/dict.csv'" in proc.stderr
    assert not (ours / "words.txt").exists() and not (ours / "dvc.lock").exists()


def test_import_from_registry_repository_is_not_a_local_path(dvc_bin, tmp_path):
    registry = tmp_path / "registry"
    (registry / "data").mkdir(parents=True)
    git("init", "-q", cwd=registry)
    dvc_ok("init", "-q", cwd=registry)
    dvc_ok("remote", "add", "-d", "store", str(tmp_path / "store"), cwd=registry)
    (registry / "data/x.txt").write_text("registry data\n")
    dvc_ok("add", "data/x.txt", cwd=registry)
    dvc_ok("push", cwd=registry)
    git("add", "-A", cwd=registry)
    git("commit", "-qm", "registry", cwd=registry)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    git("init", "-q", cwd=theirs)
    dvc_ok("init", "-q", cwd=theirs)
    dvc_ok("import", str(registry), "data/x.txt", "-o", "x.txt", cwd=theirs)
    dvc_ok("unfreeze", "x.txt.dvc", cwd=theirs)
    ours = tmp_path / "ours"
    shutil.copytree(theirs, ours, symlinks=True)
    # `deps: - path: data/x.txt, repo: {url, rev_lock}` names a file of the registry, not of ours
    assert _status(sc, ours) == _status(run_dvc, theirs) == {}
    assert ok("dag", cwd=ours).stdout == "+-----------+\n| x.txt.dvc |\n+-----------+\n"
    line = f"Importing 'data/x.txt ({registry})' -> 'x.txt'"
    assert _importing(ok("repro", "--dry", "-f", "x.txt.dvc", cwd=ours).stdout) == [line]
    assert _importing(dvc_ok("repro", "--dry", "-f", "x.txt.dvc", cwd=theirs).stdout) == [line]
    (ours / "x.txt").unlink()
    proc = sc("repro", "-f", "x.txt.dvc", cwd=ours)  # fetched again from the registry, at its rev_lock
    assert proc.returncode == 0 and _importing(proc.stdout) == [line], proc.stdout + proc.stderr
    assert (ours / "x.txt").read_text() == "registry data\n"
    assert (ours / "x.txt.dvc").read_text() == (theirs / "x.txt.dvc").read_text()


def test_stage_add_accepts_url_and_absolute_deps_as_dvc_does(dvc_bin, tmp_path):
    source = tmp_path / "src.txt"
    source.write_text("s\n")
    args = ["stage", "add", "-n", "u", "-d", "https://host/x.csv", "-d", str(source), "-o", "u.txt", "echo > u.txt"]
    made = {}
    for label, tool in (("dvc", run_dvc), ("sc", sc)):
        where = tmp_path / label
        where.mkdir()
        git("init", "-q", cwd=where)
        assert tool("init", "-q", cwd=where).returncode == 0
        proc = tool(*args, cwd=where)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        made[label] = (where / "dvc.yaml").read_text()
    assert made["sc"] == made["dvc"] and f"    - {source}\n    - https://host/x.csv\n" in made["sc"]
    # an output stays inside the repository
    proc = sc("stage", "add", "-n", "w", "-d", str(source), "-o", str(tmp_path / "out.txt"), "echo", cwd=tmp_path / "sc")
    assert proc.returncode == 255 and "is outside of the repository" in proc.stderr  # DVC: 255 too
    assert not (tmp_path / ".gitignore").exists()


def test_absolute_dependency_on_kernel_files_never_blocks_status(git_repo):
    ok("init", "-q", cwd=git_repo)
    (git_repo / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: echo\n    deps:\n    - /dev/zero\n    - /proc/kmsg\n    - /sys\n")
    expected = {"s": [{"changed deps": {"/dev/zero": "deleted", "/proc/kmsg": "deleted", "/sys": "deleted"}}]}
    assert _status(sc, git_repo) == expected  # within TIMEOUT: /dev/zero is never read


# -- verify (item 4) -------------------------------------------------------------------------
def _d2u(data: bytes) -> str:
    return md5(data.replace(b"\r\n", b"\n"))


def test_verify_accepts_dvc2_lock_entries(dvc_bin, git_repo):
    repo = git_repo
    ok("init", "-q", cwd=repo)
    prep = b"import sys\r\nprint(open('in.txt').read())\r\n"  # CRLF: md5-dos2unix != md5
    (repo / "prep.py").write_bytes(prep)
    (repo / "in.txt").write_text("hello\n")
    (repo / "dvc.yaml").write_text(
        "stages:\n  prep:\n    cmd: python3 prep.py\n    deps:\n    - in.txt\n    - prep.py\n")
    (repo / "dvc.lock").write_text(  # as DVC 2.x wrote it: no `hash: md5`
        "schema: '2.0'\nstages:\n  prep:\n    cmd: python3 prep.py\n    deps:\n"
        f"    - path: in.txt\n      md5: {_d2u(b'hello' + bytes([10]))}\n      size: 6\n"
        f"    - path: prep.py\n      md5: {_d2u(prep)}\n      size: {len(prep)}\n")
    assert _d2u(prep) != md5(prep)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "dvc 2.x lock", cwd=repo)
    assert dvc_ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    report = json.loads(ok("verify", "--json", cwd=repo).stdout)
    assert report["ok"] is True and report["stages"] == {}
    # a real change is still one, for both
    (repo / "in.txt").write_text("changed\n")
    git("commit", "-qam", "changed input", cwd=repo)
    expected = {"prep": [{"changed deps": {"in.txt": "modified"}}]}
    assert _status(run_dvc, repo) == expected
    proc = sc("verify", "--json", cwd=repo)
    assert proc.returncode == 1 and json.loads(proc.stdout)["stages"] == expected


def test_verify_dependency_inside_tracked_directory(dvc_bin, git_repo):
    repo = git_repo
    ok("init", "-q", cwd=repo)
    (repo / "data").mkdir()
    (repo / "data/a.txt").write_text("a1\n")
    (repo / "data/sub").mkdir()
    (repo / "data/sub/b.txt").write_text("b1\n")
    ok("add", "data", cwd=repo)
    ok("stage", "add", "-n", "use", "-d", "data/a.txt", "-d", "data/sub", "-o", "n.txt",
       "cat data/a.txt data/sub/b.txt > n.txt", cwd=repo)
    ok("repro", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "granular deps", cwd=repo)
    assert _status(run_dvc, repo) == {}
    report = json.loads(ok("verify", "--json", cwd=repo).stdout)
    assert report["ok"] is True and report["stages"] == {}
    (repo / "data/a.txt").write_text("a2\n")
    ok("add", "data", cwd=repo)
    git("commit", "-qam", "new a.txt, stage not rerun", cwd=repo)
    expected = {"use": [{"changed deps": {"data/a.txt": "modified"}}]}
    assert _status(run_dvc, repo) == expected
    proc = sc("verify", "--json", cwd=repo)
    assert proc.returncode == 1 and json.loads(proc.stdout)["stages"] == expected
    # a CI checkout has no cache: the manifest is read from the data remote
    ok("remote", "add", "-d", "store", str(repo.parent / "store"), cwd=repo)
    ok("push", cwd=repo)
    shutil.rmtree(repo / ".dvc/cache")
    proc = sc("verify", "--json", cwd=repo)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["stages"] == expected and json.loads(proc.stdout)["missing_on_remote"] == {}
    # without it anywhere, verify says what it cannot check instead of 'deleted'
    proc = sc("verify", "--json", "--no-remote", cwd=repo)
    stages = json.loads(proc.stdout)["stages"]
    assert proc.returncode == 1 and list(stages) == ["use"]
    assert all(isinstance(item, str) and item.startswith("cannot check 'data/") and "not in the cache" in item
               for item in stages["use"]), stages


def test_verify_partial_clone_fetches_missing_blobs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    git("init", "-q", cwd=src)
    ok("init", "-q", cwd=src)
    (src / "in.txt").write_text("one\n")
    (src / "params.yaml").write_text("lr: 1\n")
    ok("stage", "add", "-n", "prep", "-d", "in.txt", "-p", "lr", "-o", "out.txt", "cp in.txt out.txt", cwd=src)
    ok("repro", cwd=src)
    git("add", "-A", cwd=src)
    git("commit", "-qm", "one", cwd=src)
    (src / "in.txt").write_text("two\n")
    (src / "params.yaml").write_text("lr: 2\n")
    ok("repro", cwd=src)
    git("commit", "-qam", "two", cwd=src)
    (src / "in.txt").write_text("three, not reproduced\n")
    git("commit", "-qam", "three", cwd=src)
    git("config", "uploadpack.allowFilter", "true", cwd=src)
    clone = tmp_path / "clone"
    git("clone", "-q", "--filter=blob:none", f"file://{src}", str(clone), cwd=tmp_path)
    # HEAD~1's in.txt, params.yaml and dvc.lock are not in the clone: verify fetches them
    missing = git("rev-list", "--objects", "--missing=print", "HEAD~1", cwd=clone).split()
    assert sum(1 for word in missing if word.startswith("?")) >= 2  # in.txt and params.yaml of HEAD~1
    report = json.loads(ok("verify", "--rev", "HEAD~1", "--json", cwd=clone).stdout)
    assert report["ok"] is True and report["stages"] == {}
    proc = sc("verify", "--json", cwd=clone)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["stages"] == {"prep": [{"changed deps": {"in.txt": "modified"}}]}
    # with the promisor remote gone, a missing blob is named in one line, no traceback
    lost = tmp_path / "lost"
    git("clone", "-q", "--filter=blob:none", f"file://{src}", str(lost), cwd=tmp_path)
    shutil.rmtree(src)
    proc = sc("verify", "--rev", "HEAD~2", cwd=lost)
    assert proc.returncode == 1
    assert "missing from this partial clone and git could not fetch it" in proc.stderr
    assert "Traceback" not in proc.stderr and "KeyError" not in proc.stderr


# -- nested projects (item 3) ----------------------------------------------------------------
def test_nested_projects_are_separate_repositories(dvc_bin, tmp_path):
    twins = {}
    for label, tool in (("dvc", run_dvc), ("sc", sc)):
        top = tmp_path / label
        (top / "sub").mkdir(parents=True)
        git("init", "-q", cwd=top)
        # inside a git sub-directory: refused cleanly, nothing made, --subdir suggested
        proc = tool("init", cwd=top / "sub")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "is not tracked by any supported SCM tool" in proc.stderr and "`--subdir`" in proc.stderr
        assert "Traceback" not in proc.stderr and list((top / "sub").iterdir()) == []
        assert tool("init", "--subdir", cwd=top / "sub").returncode == 0
        assert tool("init", cwd=top).returncode == 0
        for where, name in ((top, "r"), (top / "sub", "s")):
            (where / f"{name}.txt").write_text(f"{name}\n")
            (where / "dvc.yaml").write_text(
                f"stages:\n  {name}:\n    cmd: cp {name}.txt {name}2.txt\n    deps: [{name}.txt]\n"
                f"    outs: [{name}2.txt]\n")
        twins[label] = (top, tool)
    git_dvc, git_sc = (git("status", "--short", cwd=twins[k][0]) for k in ("dvc", "sc"))
    assert git_sc == git_dvc and "A  sub/.dvc/config" in git_sc
    for rel, name in (("", "r"), ("sub", "s")):
        expected = {name: [{"changed deps": {f"{name}.txt": "modified"}}, {"changed outs": {f"{name}2.txt": "deleted"}}]}
        assert _status(run_dvc, twins["dvc"][0] / rel) == expected
        assert _status(sc, twins["sc"][0] / rel) == expected
        stage_list = ok("stage", "list", cwd=twins["sc"][0] / rel).stdout
        assert stage_list == dvc_ok("stage", "list", cwd=twins["dvc"][0] / rel).stdout == f"{name}  Outputs {name}2.txt\n"
    # verify judges the project it runs in, not its nested sibling
    top = twins["sc"][0]
    ok("repro", cwd=top)
    git("add", "-A", cwd=top)
    git("commit", "-qm", "two projects, the sub-project never run", cwd=top)
    report = json.loads(ok("verify", "--json", cwd=top).stdout)
    assert report["ok"] is True and report["stages"] == {}
    proc = sc("verify", "--json", cwd=top / "sub")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["stages"] == {"s": [{"changed deps": {"s.txt": "modified"}},
                                                       "never run: no dvc.lock entry"]}
