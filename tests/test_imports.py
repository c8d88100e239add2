"""`import-url`, `import`, `get`, `list`/`ls` and `update` (issue 9), twin-tested against DVC 3.67.1:
the same `.dvc` bytes, the same data, the same `status` (fresh and after the source changed) and
the same `update`; plus hostile sources (a registry whose dvc file points outside, a symlink in
the source repository, option-like URLs) and the rule that the hooks never touch the network."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import dvc_ok, git, ok, refused, run_dvc, same_files, sc


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A loopback http server over a fresh directory: (directory, base url)."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two fresh projects, one for DVC and one for stagecore (both `init`ed by stagecore, whose
    `.dvc/` is DVC's: a DVC call costs seconds on a loaded machine)."""
    made = []
    for name in ("theirs", "ours"):
        repo = tmp_path / name
        repo.mkdir()
        git("init", "-q", cwd=repo)
        ok("init", "-q", cwd=repo)
        made.append(repo)
    return made[0], made[1]


def _project(tmp_path: Path) -> Path:
    repo = tmp_path / "ours"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    return repo


def _status(tool, cwd: Path) -> dict:
    proc = tool("status", "--json", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout or "{}")


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A data registry (made with stagecore: the same files DVC writes, fewer slow DVC calls):
    data/one.txt and data/images/ tracked, a directory remote, tag v1 (one.txt = 'one'), main
    (one.txt = 'two'), a git-tracked README and a branch `moving` at v1."""
    reg = tmp_path / "registry"
    (reg / "data" / "images").mkdir(parents=True)
    git("init", "-q", cwd=reg)
    ok("init", "-q", cwd=reg)
    (reg / "data" / "one.txt").write_text("one\n")
    (reg / "data" / "images" / "i1").write_text("i1\n")
    (reg / "data" / "images" / "i2").write_text("i2\n")
    (reg / "README").write_text("a registry\n")
    with open(reg / ".dvc" / "config", "a") as fobj:  # what `dvc remote add -d store DIR` writes
        fobj.write(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n")
    ok("add", "-q", "data/one.txt", "data/images", cwd=reg)
    ok("push", "-q", cwd=reg)
    git("add", "-A", cwd=reg)
    git("commit", "-qm", "v1", cwd=reg)
    git("tag", "v1", cwd=reg)
    git("branch", "moving", cwd=reg)
    (reg / "data" / "one.txt").write_text("two\n")
    ok("add", "-q", "data/one.txt", cwd=reg)
    ok("push", "-q", cwd=reg)
    git("commit", "-qam", "v2", cwd=reg)
    return reg


def test_import_url_local_file_and_directory_twin(tmp_path):
    theirs, ours = _twins(tmp_path)
    src = tmp_path / "src"
    (src / "d" / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("hello\n")
    (src / "d" / "x").write_text("x\n")
    (src / "d" / "sub" / "y").write_text("y\n")
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        proc = tool("import-url", str(src / "a.txt"), cwd=repo)
        assert f"Importing '{src / 'a.txt'}' -> 'a.txt'" in proc.stdout
        tool("import-url", str(src / "d"), "dd", cwd=repo)
    same_files(theirs, ours, "a.txt.dvc", "dd.dvc", "a.txt", "dd", ".gitignore")
    assert "frozen: true" in (ours / "a.txt.dvc").read_text()
    assert _status(sc, ours) == {}
    # the source changes: frozen imports are not checked by status; update re-imports
    (src / "a.txt").write_text("changed\n")
    (src / "d" / "x").write_text("x2\n")
    assert _status(sc, ours) == _status(run_dvc, theirs) == {}
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        proc = tool("update", "a.txt.dvc", "dd.dvc", cwd=repo)
        assert f"Importing '{src / 'a.txt'}' -> 'a.txt'" in proc.stdout
    same_files(theirs, ours, "a.txt.dvc", "dd.dvc", "a.txt", "dd")
    assert (ours / "a.txt").read_text() == "changed\n"
    # DVC 3.67.1 says "'a.txt.dvc' didn't change, skipping" when nothing changed
    assert ok("update", "a.txt.dvc", cwd=ours).stdout.strip() == "'a.txt.dvc' didn't change, skipping"


def test_import_url_http_twin_checksum_status_and_update(tmp_path, http_dir):
    www, base = http_dir
    (www / "w.txt").write_text("web data\n")
    os.utime(www / "w.txt", (1_700_000_000, 1_700_000_000))
    theirs, ours = _twins(tmp_path)
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        assert f"Importing '{base}/w.txt' -> 'w.txt'" in tool("import-url", f"{base}/w.txt", cwd=repo).stdout
    same_files(theirs, ours, "w.txt.dvc", "w.txt", ".gitignore")
    assert "checksum: '" in (ours / "w.txt.dvc").read_text()  # fsspec's token of the HEAD answer
    # unfrozen, status checks the checksum by a HEAD request, as DVC does (stagecore's unfreeze
    # takes dvc.yaml stages only: the line DVC's unfreeze removes is removed by hand)
    dvc_ok("unfreeze", "w.txt.dvc", cwd=theirs)
    (ours / "w.txt.dvc").write_text((ours / "w.txt.dvc").read_text().replace("frozen: true\n", ""))
    same_files(theirs, ours, "w.txt.dvc")
    assert _status(sc, ours) == {}
    (www / "w.txt").write_text("web data, changed\n")
    os.utime(www / "w.txt", (1_700_000_100, 1_700_000_100))
    changed = {"w.txt.dvc": [{"changed deps": {f"{base}/w.txt": "modified"}}]}
    assert _status(sc, ours) == _status(run_dvc, theirs) == changed
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        tool("update", "w.txt.dvc", cwd=repo)
    same_files(theirs, ours, "w.txt.dvc", "w.txt")
    assert (ours / "w.txt").read_text() == "web data, changed\n"
    # the source is gone: DVC and stagecore both say deleted
    (www / "w.txt").unlink()
    gone = {"w.txt.dvc": [{"changed deps": {f"{base}/w.txt": "deleted"}}]}  # DVC 3.67.1's answer
    assert _status(sc, ours) == gone


def test_status_names_an_unreachable_url_and_the_hooks_never_ask(tmp_path, http_dir):
    www, base = http_dir
    (www / "w.txt").write_text("web\n")
    ours = _project(tmp_path)
    ok("import-url", f"{base}/w.txt", cwd=ours)
    text = (ours / "w.txt.dvc").read_text().replace("frozen: true\n", "")
    text = text.replace(base, "http://127.0.0.1:9")  # nothing listens on port 9
    (ours / "w.txt.dvc").write_text(text)
    proc = sc("status", cwd=ours)
    line = refused(proc, "cannot reach 'http://127.0.0.1:9/w.txt'")
    assert "deleted" not in proc.stdout and line.startswith("ERROR: ")
    # the pre-commit gate judges the commit without the network: the URL dependency counts as unchanged
    ok("install", cwd=ours)
    git("add", "-A", cwd=ours)
    git("commit", "-qm", "import", cwd=ours)
    assert "import" in git("log", "--oneline", cwd=ours)


def test_import_from_a_registry_twin_status_and_update(tmp_path, registry):
    theirs, ours = _twins(tmp_path)
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        proc = tool("import", str(registry), "data/one.txt", cwd=repo)
        assert f"Importing 'data/one.txt ({registry})' -> 'one.txt'" in proc.stdout
        tool("import", str(registry), "data/images", "-o", "imgs", "--rev", "v1", cwd=repo)
        tool("import", str(registry), "data/one.txt", "-o", "moving.txt", "--rev", "moving", cwd=repo)
        tool("import", str(registry), "data/images/i2", cwd=repo)  # a file inside a directory output
        tool("import", str(registry), "README", cwd=repo)  # tracked by git, not DVC
        tool("import", str(registry), "data", "-o", "dd", cwd=repo)  # git files and outputs, no .dvc files
    same_files(
        theirs,
        ours,
        "one.txt.dvc",
        "imgs.dvc",
        "moving.txt.dvc",
        "i2.dvc",
        "README.dvc",
        "dd.dvc",
        "one.txt",
        "imgs",
        "moving.txt",
        "i2",
        "README",
        "dd",
        ".gitignore",
    )
    assert sorted(p.name for p in (ours / "dd").iterdir()) == [".gitignore", "images", "one.txt"]
    assert (ours / "one.txt").read_text() == "two\n" and (ours / "moving.txt").read_text() == "one\n"
    assert _status(sc, ours) == {}
    # the registry's branch moves on: both see an update; update brings it
    git("branch", "-f", "moving", "main", cwd=registry)
    expected = {"moving.txt.dvc": [{"changed deps": {f"data/one.txt ({registry})": "update available"}}]}
    assert _status(sc, ours) == _status(run_dvc, theirs) == expected
    for tool, repo in ((dvc_ok, theirs), (ok, ours)):
        assert "Importing 'data/one.txt" in tool("update", "moving.txt.dvc", cwd=repo).stdout
        tool("update", "--rev", "main", "imgs.dvc", cwd=repo)
    assert ok("update", "one.txt.dvc", cwd=ours).stdout.strip() == "'one.txt.dvc' didn't change, skipping"
    same_files(theirs, ours, "moving.txt.dvc", "imgs.dvc", "moving.txt", "imgs")
    assert (ours / "moving.txt").read_text() == "two\n" and "rev: main" in (ours / "imgs.dvc").read_text()
    assert _status(sc, ours) == {}


def test_get_and_list_twin(tmp_path, registry):
    theirs, ours = tmp_path / "g-theirs", tmp_path / "g-ours"
    theirs.mkdir()
    ours.mkdir()
    for tool, where in ((dvc_ok, theirs), (ok, ours)):
        tool("get", str(registry), "data/one.txt", cwd=where)
        tool("get", str(registry), "data/images", "-o", "x/y", "--rev", "v1", cwd=where)
    ok("get", str(registry), "README", cwd=ours)
    same_files(theirs, ours, "one.txt", "x")
    assert sorted(p.name for p in ours.iterdir()) == ["README", "one.txt", "x"]
    assert (ours / "README").read_text() == "a registry\n"
    proc = sc("get", str(registry), "data/one.txt", cwd=ours)
    refused(proc, "'one.txt' already exists")
    for args in (("data",), ("-R", "--dvc-only"), ("data", "-R", "--rev", "v1")):
        mine = ok("ls", str(registry), *args, cwd=ours).stdout
        assert mine == dvc_ok("ls", str(registry), *args, cwd=theirs).stdout, args
    mine = json.loads(ok("list", str(registry), "data/images", "--json", cwd=ours).stdout)
    theirs_rows = json.loads(dvc_ok("list", str(registry), "data/images", "--json", cwd=theirs).stdout)
    keys = ("isout", "isdir", "path", "md5")
    assert [{k: r[k] for k in keys} for r in mine] == [{k: r[k] for k in keys} for r in theirs_rows]
    refused(sc("ls", str(registry), "nope", cwd=ours), "'nope' does not exist")


def test_hostile_registry_dvc_file_pointing_outside_is_refused(tmp_path, registry):
    (registry / "data" / "evil.dvc").write_text(
        "outs:\n- md5: 0ed3b00f19d8474c0788bab919abdd9e\n  size: 3\n  hash: md5\n  path: ../../../escaped\n"
    )
    git("add", "data/evil.dvc", cwd=registry)
    git("commit", "-qm", "evil", cwd=registry)
    ours = _project(tmp_path)
    before = sorted(p.name for p in ours.iterdir())
    line = refused(sc("import", str(registry), "escaped", cwd=ours), "data/evil.dvc")
    assert "outside" in line or ".." in line
    refused(sc("import", str(registry), "data/../../escaped", cwd=ours), "leaves its directory")
    assert sorted(p.name for p in ours.iterdir()) == before
    assert not (tmp_path / "escaped").exists()
    # the rest of the registry still imports; the hostile file is only refused where it is read
    ok("import", str(registry), "data/one.txt", cwd=ours)
    assert (ours / "one.txt").read_text() == "two\n"


def test_symlink_in_the_source_repository_is_refused(tmp_path, registry):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for import\n")
    os.symlink(secret, registry / "link.txt")
    (registry / "ldir").mkdir()
    os.symlink(secret, registry / "ldir" / "inner")
    git("add", "link.txt", "ldir", cwd=registry)
    git("commit", "-qm", "links", cwd=registry)
    ours = _project(tmp_path)
    refused(sc("import", str(registry), "link.txt", cwd=ours), "'link.txt' is a symlink: refused")
    refused(sc("import", str(registry), "ldir", cwd=ours), "'ldir/inner' is a symlink: refused")
    refused(sc("get", str(registry), "link.txt", cwd=ours), "symlink")
    assert not (ours / "link.txt").exists() and not (ours / "ldir").exists()


def test_refused_sources_are_one_clear_line(tmp_path, registry):
    ours = _project(tmp_path)
    refused(sc("import", "ext::sh -c touch% pwned", "data/one.txt", cwd=ours), "refused the repository URL")
    assert not (ours / "pwned").exists()
    refused(sc("import-url", "gs://bucket/key", cwd=ours), "gs:// is not supported")
    refused(sc("import-url", str(tmp_path / "absent.txt"), cwd=ours), "does not exist")
    refused(sc("import", str(registry), "data/nope.txt", cwd=ours), "'data/nope.txt' does not exist")
    refused(sc("import", str(tmp_path / "not-a-repo"), "x", cwd=ours), "failed to clone")
    no_data = tmp_path / "no-data"  # a clone has no cache; its default remote is of a kind stagecore lacks
    git("clone", "-q", str(registry), str(no_data), cwd=tmp_path)
    (no_data / ".dvc" / "config").write_text(
        "[core]\n    remote = gcs\n['remote \"gcs\"']\n    url = gs://b/x\n"
    )
    git("commit", "-qam", "gcs", cwd=no_data)
    refused(
        sc("import", str(no_data), "data/one.txt", cwd=ours),
        "neither in its cache nor on its default remote",
        "unsupported type 'gs'",
    )
    assert not (ours / "one.txt").exists() and not (ours / "one.txt.dvc").exists()
    ok("import", str(registry), "data/one.txt", cwd=ours)
    refused(sc("import", str(registry), "data/one.txt", cwd=ours), "already exists", "")
    refused(sc("update", "one.txt", cwd=ours), "is not an import .dvc file")
    shutil.rmtree(registry)
    refused(sc("status", cwd=ours), "cannot check", str(registry))


def test_relative_and_file_urls_from_a_subdirectory(tmp_path, registry):
    ours = _project(tmp_path)
    (ours / "sub").mkdir()
    rel_url = os.path.relpath(registry, ours / "sub")
    ok("import", rel_url, "data/one.txt", "--rev", "moving", cwd=ours / "sub")
    assert f"    url: {rel_url}\n" in (ours / "sub" / "one.txt.dvc").read_text()  # as given, as DVC writes it
    ok("import", f"file://{registry}", "data/images", cwd=ours)
    assert (ours / "sub" / "one.txt").read_text() == "one\n" and (
        ours / "images" / "i2"
    ).read_text() == "i2\n"
    assert _status(sc, ours) == {}  # the relative URL is read from the .dvc file's directory
    git("branch", "-f", "moving", "main", cwd=registry)
    expected = {"sub/one.txt.dvc": [{"changed deps": {f"data/one.txt ({rel_url})": "update available"}}]}
    assert _status(sc, ours) == expected
    assert "Importing 'data/one.txt" in ok("update", "sub/one.txt.dvc", cwd=ours).stdout
    assert (ours / "sub" / "one.txt").read_text() == "two\n" and _status(sc, ours) == {}


def test_repro_keeps_the_checksum_dvc_locked_for_an_http_dependency(tmp_path, http_dir):
    www, base = http_dir
    (www / "w.txt").write_text("web\n")
    repo = tmp_path / "pipe"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    dvc_ok("init", "-q", cwd=repo)
    (repo / "dvc.yaml").write_text(
        f"stages:\n  dl:\n    cmd: echo hi > out.txt\n    deps:\n    - {base}/w.txt\n"
        "    outs:\n    - out.txt\n"
    )
    dvc_ok("repro", "-q", cwd=repo)
    locked = (repo / "dvc.lock").read_text()
    assert "      checksum: '" in locked
    ok("repro", "-f", "-q", cwd=repo)  # it used to write the checksum back as `md5:`
    assert (repo / "dvc.lock").read_text() == locked
    assert _status(sc, repo) == {}
    # the source changes: status and repro see it by the checksum; both tools lock the new one
    twin = tmp_path / "twin"
    shutil.copytree(repo, twin, symlinks=True)
    (www / "w.txt").write_text("web, changed\n")
    os.utime(www / "w.txt", (1_700_000_100, 1_700_000_100))
    assert _status(sc, repo) == {"dl": [{"changed deps": {f"{base}/w.txt": "modified"}}]}
    assert "Running stage 'dl'" in ok("repro", cwd=repo).stdout
    dvc_ok("repro", "-q", cwd=twin)
    assert (repo / "dvc.lock").read_text() == (twin / "dvc.lock").read_text() != locked
    assert _status(sc, repo) == _status(run_dvc, repo) == {}
