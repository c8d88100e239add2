"""Follow-ups of issues 8 and 9: a refused `.dir` manifest named as such (not "missing"), every
bad dvc file reported, `core.autostage` in a `dvc init --subdir` project, the history scanner
stopping at nested projects, `commit -f` of URL dependencies, staged DVC 2.x dependencies.
Twin repositories against the real DVC 3.67.1 where DVC has the behaviour."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from tests.helpers import clean_env, dvc_ok, git, ok, run_dvc, sc


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def new_project(path: Path) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", cwd=path)
    ok("init", cwd=path)
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR:")]


# ---------------------------------------------------------------- 1. a refused manifest is not "missing"


def _put_object(repo: Path, data: bytes, suffix: str = "") -> str:
    name = md5(data) + suffix
    path = repo / ".dvc/cache/files/md5" / name[:2] / name[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


def test_refused_manifest_is_named_by_status_checkout_and_pull(tmp_path):
    repo = new_project(tmp_path / "repo")
    remote = tmp_path / "remote"
    remote.mkdir()
    ok("remote", "add", "-d", "store", str(remote), cwd=repo)
    (repo / "good.txt").write_text("good\n")
    ok("add", "good.txt", cwd=repo)
    ok("push", cwd=repo)
    payload = b"payload\n"
    _put_object(repo, payload)
    manifest = json.dumps([{"md5": md5(payload), "relpath": "../escape.txt"}]).encode()
    value = _put_object(repo, manifest, ".dir")
    (repo / "data.dvc").write_text(f"outs:\n- md5: {value}\n  hash: md5\n  path: data\n")
    (repo / "good.txt").unlink()

    proc = sc("status", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = error_lines(proc.stderr)
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("ERROR: output 'data': its directory manifest is refused: "), errors
    assert "../escape.txt" in errors[0], errors
    assert "not in cache" not in proc.stdout + proc.stderr
    assert "stagecore fsck" in proc.stderr.split("hint: ", 1)[1]
    assert "deleted:" in proc.stdout and "good.txt" in proc.stdout  # the other output still judged

    for args in (("checkout",), ("pull",)):
        proc = sc(*args, cwd=repo)
        assert proc.returncode == 1, (args, proc.stdout + proc.stderr)
        errors = error_lines(proc.stderr)
        assert len(errors) == 1, (args, proc.stderr)
        assert errors[0].startswith("ERROR: output 'data': its directory manifest is refused: "), errors
        assert "missing" not in proc.stderr, (args, proc.stderr)
        assert (repo / "good.txt").read_text() == "good\n"  # the rest was checked out
        (repo / "good.txt").unlink()
    assert not (tmp_path / "escape.txt").exists() and not (repo / "data").exists()

    (repo / ".dvc/cache/files/md5" / value[:2] / value[2:]).unlink()  # now truly missing: said so
    proc = sc("status", cwd=repo)
    assert proc.returncode == 0 and "not in cache:" in proc.stdout and "data" in proc.stdout, proc.stdout


# ---------------------------------------------------------------- 5. commit -f of URL and outside deps


def test_commit_force_keeps_url_deps_and_measures_outside_paths_as_dvc(dvc_bin, tmp_path):
    import http.server
    import shutil
    import threading
    from functools import partial

    www = tmp_path / "www"
    www.mkdir()
    (www / "a.csv").write_bytes(b"remote bytes\n")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    source = tmp_path / "src.txt"
    source.write_text("source v1\n")
    try:
        twin_dvc = tmp_path / "twin_dvc"
        twin_dvc.mkdir()
        git("init", "-q", cwd=twin_dvc)
        dvc_ok("init", "-q", cwd=twin_dvc)
        dvc_ok("import-url", f"{base}/a.csv", "a.csv", cwd=twin_dvc)
        dvc_ok("import-url", str(source), "local.txt", cwd=twin_dvc)
        dvc_ok("unfreeze", "a.csv.dvc", "local.txt.dvc", cwd=twin_dvc)
        ours = tmp_path / "twin_sc"
        shutil.copytree(twin_dvc, ours, symlinks=True)
        source.write_text("source v2, changed outside\n")
        for where in (twin_dvc, ours):
            (where / "a.csv").write_text("edited output\n")  # both stages changed
        dvc_ok("commit", "-f", "a.csv.dvc", "local.txt.dvc", cwd=twin_dvc)
        proc = sc("commit", "-f", "a.csv.dvc", "local.txt.dvc", cwd=ours)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "does not exist" not in proc.stderr
        for name in ("a.csv.dvc", "local.txt.dvc"):
            assert (ours / name).read_text() == (twin_dvc / name).read_text(), name
        assert md5(source.read_bytes()) in (ours / "local.txt.dvc").read_text()
        assert f"path: {base}/a.csv" in (ours / "a.csv.dvc").read_text()
        assert json.loads(ok("status", "--json", cwd=ours).stdout) == {}
        assert json.loads(dvc_ok("status", "--json", cwd=ours).stdout) == {}  # DVC agrees on our files
        source.unlink()  # an outside dependency that is gone: one clear line naming it
        (ours / "local.txt").write_text("edited again\n")
        proc = sc("commit", "-f", "local.txt.dvc", cwd=ours)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert error_lines(proc.stderr) == [f"ERROR: dependency '{source}' does not exist"], proc.stderr
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- 6. staged DVC 2.x (md5-dos2unix) deps


RESULT = b"result\n"


def _d2u(data: bytes) -> str:
    return md5(data.replace(b"\r\n", b"\n"))


def test_precommit_judges_a_dvc2_dependency_on_its_staged_content(dvc_bin, tmp_path):
    repo = new_project(tmp_path / "repo")
    script = b"line one\r\nline two\r\n"  # CRLF: the legacy hash differs from plain md5
    (repo / "script.txt").write_bytes(script)
    (repo / "out.txt").write_bytes(RESULT)
    (repo / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: cp script.txt out.txt\n    deps:\n    - script.txt\n"
        "    outs:\n    - out.txt:\n        cache: false\n")
    (repo / "dvc.lock").write_text(  # as DVC 2.x wrote it: no `hash: md5`
        "schema: '2.0'\nstages:\n  s:\n    cmd: cp script.txt out.txt\n    deps:\n"
        f"    - path: script.txt\n      md5: {_d2u(script)}\n      size: {len(script)}\n"
        f"    outs:\n    - path: out.txt\n      md5: {md5(RESULT)}\n      size: 7\n")
    assert json.loads(dvc_ok("status", "--json", cwd=repo).stdout) == {}  # DVC: a valid, up-to-date 2.x lock
    assert json.loads(ok("status", "--json", cwd=repo).stdout) == {}
    ok("install", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "pipeline", cwd=repo)

    # the staged dependency is the locked one; an unstaged edit is not part of the commit
    (repo / "script.txt").write_bytes(b"work in progress\r\n")
    (repo / "notes.md").write_text("n\n")
    git("add", "notes.md", cwd=repo)
    proc = subprocess.run(["git", "commit", "-qm", "notes"], cwd=repo, env=clean_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # the staged dependency changed, the work tree shows the locked bytes: refused
    git("add", "script.txt", cwd=repo)
    (repo / "script.txt").write_bytes(script)
    proc = subprocess.run(["git", "commit", "-qm", "stale"], cwd=repo, env=clean_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "stage 's' is not up to date (changed deps: script.txt)" in proc.stderr, proc.stderr


# ---------------------------------------------------------------- 3. autostage in a `init --subdir` project


def _subdir_project(tmp_path: Path, name: str, tool) -> Path:
    top = tmp_path / name
    proj = top / "proj"
    proj.mkdir(parents=True)
    git("init", "-q", cwd=top)
    (top / ".gitignore").write_text("*.log\n")
    assert tool("init", "--subdir", cwd=proj).returncode == 0
    assert tool("config", "core.autostage", "true", cwd=proj).returncode == 0
    (proj / "data.txt").write_text("hello\n")
    (proj / "images").mkdir()
    (proj / "images/a.png").write_bytes(b"\x89PNG a\n")
    (proj / "run.log").write_text("already ignored by the git root's .gitignore\n")
    return proj


def test_autostage_in_a_subdir_project_as_dvc(dvc_bin, tmp_path):
    theirs = _subdir_project(tmp_path, "twin_dvc", run_dvc)
    ours = _subdir_project(tmp_path, "twin_sc", sc)
    for target in ("data.txt", "images", "run.log"):
        dvc_ok("add", target, cwd=theirs)
        proc = sc("add", target, cwd=ours)
        assert proc.returncode == 0, proc.stdout + proc.stderr  # was: InvalidGitRepositoryError
        assert "unexpected error" not in proc.stderr
    status = git("status", "--porcelain", "--untracked-files=all", cwd=ours.parent)
    assert status == git("status", "--porcelain", "--untracked-files=all", cwd=theirs.parent)
    assert "A  proj/data.txt.dvc" in status and "A  proj/.gitignore" in status and "A  proj/images.dvc" in status
    assert "?? proj" not in status, status
    assert (ours / ".gitignore").read_text() == (theirs / ".gitignore").read_text() == "/data.txt\n/images\n"
    for name in ("data.txt.dvc", "images.dvc", "run.log.dvc"):
        assert (ours / name).read_text() == (theirs / name).read_text(), name
    # and what stagecore staged is what DVC reads as up to date
    assert json.loads(dvc_ok("status", "--json", cwd=ours).stdout) == {}


# ---------------------------------------------------------------- 2. every bad dvc file reported


BAD_FILES = {"bad.dvc": "outs:\n- md5: [\n", "bad2.dvc": "outs: 5\n"}


def _with_bad_files(path: Path, tool) -> Path:
    path.mkdir()
    git("init", "-q", cwd=path)
    assert tool("init", "-q", cwd=path).returncode == 0
    for name in ("a.txt", "b.txt"):
        (path / name).write_text(f"{name}\n")
        assert tool("add", name, cwd=path).returncode == 0
    (path / "dvc.yaml").write_text("stages:\n  s:\n    cmd: cp a.txt c.txt\n    deps: [a.txt]\n    outs: [c.txt]\n")
    for name, text in BAD_FILES.items():
        (path / name).write_text(text)
    (path / "a.txt").write_text("a.txt changed\n")
    (path / "b.txt").unlink()
    return path


def test_bad_dvc_files_all_reported_and_other_targets_work_as_dvc(dvc_bin, tmp_path):
    theirs = _with_bad_files(tmp_path / "twin_dvc", run_dvc)
    ours = _with_bad_files(tmp_path / "twin_sc", sc)

    # no target: DVC fails (exit 1) naming the first bad file; we name each, one line apiece
    dvc = run_dvc("status", cwd=theirs)
    proc = sc("status", cwd=ours)
    assert dvc.returncode == proc.returncode == 1, proc.stdout + proc.stderr
    assert "'./bad.dvc' is invalid" in dvc.stdout + dvc.stderr
    errors = error_lines(proc.stderr)
    assert [e.split("'")[1] for e in errors] == ["bad.dvc", "bad2.dvc"], proc.stderr
    assert errors[0].startswith("ERROR: 'bad.dvc' is invalid YAML")
    assert errors[1] == "ERROR: 'bad2.dvc' validation failed: expected a list, in outs"
    assert proc.stdout == ""

    # a target in a good file: both answer for it
    dvc = dvc_ok("status", "--json", "a.txt.dvc", cwd=theirs)
    proc = ok("status", "--json", "a.txt.dvc", cwd=ours)
    assert json.loads(proc.stdout) == json.loads(dvc.stdout) == {"a.txt.dvc": [{"changed outs": {"a.txt": "modified"}}]}
    dvc_ok("checkout", "b.txt.dvc", cwd=theirs)
    ok("checkout", "b.txt.dvc", cwd=ours)
    assert (ours / "b.txt").read_text() == (theirs / "b.txt").read_text() == "b.txt\n"

    # repro needs the whole graph: both refuse (255), we name every bad file
    dvc = run_dvc("repro", "s", cwd=theirs)
    proc = sc("repro", "s", cwd=ours)
    assert dvc.returncode == proc.returncode == 255, proc.stdout + proc.stderr
    assert [e.split("'")[1] for e in error_lines(proc.stderr)] == ["bad.dvc", "bad2.dvc"], proc.stderr
    assert not (ours / "c.txt").exists() and not (theirs / "c.txt").exists()

    # the pre-commit gate: each bad file is one blocking problem, the good stages still judged
    ok("install", cwd=ours)
    git("add", "-A", cwd=ours)
    proc = subprocess.run(["git", "commit", "-qm", "x"], cwd=ours, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip().startswith("- ")]
    assert any(ln.startswith("- 'bad.dvc' is invalid YAML") for ln in lines), proc.stderr
    assert "- 'bad2.dvc' validation failed: expected a list, in outs" in lines, proc.stderr
    assert any("'a.txt' was modified but not committed to the cache" in ln for ln in lines), proc.stderr


# ---------------------------------------------------------------- 4. nested projects in the hooks


def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)


def _objects(store: Path) -> set[str]:
    return {p.parent.name + p.name for p in store.rglob("*") if p.is_file()}


def _project(path: Path, store: Path, content: str, subdir: bool) -> str:
    path.mkdir(parents=True, exist_ok=True)
    ok("init", *(["--subdir"] if subdir else []), cwd=path)
    ok("remote", "add", "-d", "store", str(store), cwd=path)
    (path / "data.txt").write_text(content)
    ok("add", "data.txt", cwd=path)
    return md5(content.encode())


def test_nested_project_objects_are_not_pushed_with_the_outer_project(tmp_path):
    top, bare = tmp_path / "top", tmp_path / "origin.git"
    top.mkdir()
    git("init", "-q", cwd=top)
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    outer = _project(top, tmp_path / "store_outer", "outer\n", subdir=False)
    inner = _project(top / "sub", tmp_path / "store_inner", "inner\n", subdir=True)
    ok("install", cwd=top)
    git("add", "-A", cwd=top)
    assert gitp("commit", "-qm", "two projects", cwd=top).returncode == 0
    git("remote", "add", "origin", str(bare), cwd=top)
    proc = gitp("push", "-q", "origin", "main", cwd=top)
    # before: the scanner read sub/data.txt.dvc as the outer project's, found its object
    # nowhere and refused the push
    assert proc.returncode == 0, proc.stderr
    assert "sub/data.txt" not in proc.stderr
    assert _objects(tmp_path / "store_outer") == {outer}
    clone = tmp_path / "clone"  # post-checkout follows each project from its own remote (issue 9)
    proc = subprocess.run(["git", "-c", f"core.hooksPath={top / '.git/hooks'}", "clone", "-q", str(bare), str(clone)],
                          cwd=tmp_path, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == (
        "stagecore post-checkout: in project '.' (the git root):\nA       data.txt\n"
        "stagecore post-checkout: in project 'sub':\nA       data.txt\n"), proc.stderr  # what it checked out
    assert (clone / "data.txt").read_text() == "outer\n" and (clone / "sub/data.txt").read_text() == "inner\n"
    assert inner not in _objects(clone / ".dvc/cache") and outer not in _objects(clone / "sub/.dvc/cache")
    # pre-commit: the inner project's unstaged dvc file is its own problem, not the outer project's
    (top / "sub/data.txt").write_text("inner, edited\n")
    ok("commit", "-f", cwd=top / "sub")  # sub/data.txt.dvc changed, not staged
    (top / "notes.md").write_text("n\n")
    git("add", "notes.md", cwd=top)
    proc = gitp("commit", "-qm", "notes", cwd=top)
    assert proc.returncode == 1 and proc.stderr.startswith("stagecore pre-commit: in project 'sub':\n"), proc.stderr
    assert "'sub/data.txt.dvc' changed but the change is not staged" in proc.stderr
    assert "in project '.'" not in proc.stderr


def test_hooks_serve_each_subdir_project_of_the_git_repository(tmp_path):
    top, bare = tmp_path / "top", tmp_path / "origin.git"
    top.mkdir()
    git("init", "-q", cwd=top)
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    one = _project(top / "p1", tmp_path / "store1", "one\n", subdir=True)
    two = _project(top / "p2", tmp_path / "store2", "two\n", subdir=True)
    ok("install", cwd=top / "p1")
    git("add", "-A", cwd=top)
    assert gitp("commit", "-qm", "two projects", cwd=top).returncode == 0
    git("remote", "add", "origin", str(bare), cwd=top)

    proc = gitp("push", "-q", "origin", "main", cwd=top)  # pre-push: each project to its own remote
    assert proc.returncode == 0, proc.stderr
    assert _objects(tmp_path / "store1") == {one} and _objects(tmp_path / "store2") == {two}

    clone = tmp_path / "clone"  # post-checkout of the clone: each project's data from its remote
    proc = subprocess.run(["git", "-c", f"core.hooksPath={top / '.git/hooks'}", "clone", "-q", str(bare), str(clone)],
                          cwd=tmp_path, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (clone / "p1/data.txt").read_text() == "one\n" and (clone / "p2/data.txt").read_text() == "two\n"

    # a branch switch in the original: only the project whose dvc file changed follows
    git("checkout", "-qb", "other", cwd=top)
    (top / "p2/data.txt").write_text("two, other branch\n")
    ok("commit", "-f", cwd=top / "p2")
    assert gitp("commit", "-qam", "p2 changed", cwd=top).returncode == 0
    proc = gitp("checkout", "-q", "main", cwd=top)  # one line: what p2 checked out; nothing from p1
    assert proc.returncode == 0 and proc.stderr == "stagecore post-checkout: in project 'p2':\nM       data.txt\n"
    assert (top / "p2/data.txt").read_text() == "two\n" and (top / "p1/data.txt").read_text() == "one\n"
    (top / "p1/data.txt").unlink()  # the other project is not touched by this switch
    proc = gitp("checkout", "-q", "other", cwd=top)
    assert proc.returncode == 0 and proc.stderr == "stagecore post-checkout: in project 'p2':\nM       data.txt\n"
    assert (top / "p2/data.txt").read_text() == "two, other branch\n"
    assert not (top / "p1/data.txt").exists()


def test_precommit_gate_judges_each_subdir_project(tmp_path):
    top = tmp_path / "top"
    top.mkdir()
    git("init", "-q", cwd=top)
    _project(top / "p1", tmp_path / "store1", "one\n", subdir=True)
    _project(top / "p2", tmp_path / "store2", "two\n", subdir=True)
    p1 = top / "p1"
    (p1 / "script.txt").write_text("v1\n")
    (p1 / "dvc.yaml").write_text("stages:\n  s:\n    cmd: cp script.txt out.txt\n    deps: [script.txt]\n"
                                 "    outs: [out.txt]\n")
    ok("repro", cwd=p1)
    ok("install", cwd=p1)
    git("add", "-A", cwd=top)
    proc = gitp("commit", "-qm", "two projects", cwd=top)
    assert proc.returncode == 0, proc.stderr

    # an unstaged edit of p1's git-tracked dependency is not part of the commit
    (p1 / "script.txt").write_text("v2, not staged\n")
    (top / "notes.md").write_text("n\n")
    git("add", "notes.md", cwd=top)
    proc = gitp("commit", "-qm", "notes", cwd=top)
    assert proc.returncode == 0, proc.stderr

    # p2's tracked data modified and not committed to its cache: refused, naming the project
    (top / "p2/data.txt").write_text("two, edited\n")
    (top / "notes.md").write_text("n2\n")
    git("add", "notes.md", cwd=top)
    proc = gitp("commit", "-qm", "notes 2", cwd=top)
    assert proc.returncode == 1, proc.stderr
    assert "stagecore pre-commit: in project 'p2':" in proc.stderr
    assert "'data.txt' was modified but not committed to the cache" in proc.stderr
    assert "in project 'p1'" not in proc.stderr
