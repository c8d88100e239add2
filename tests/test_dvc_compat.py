"""Compatibility with real DVC 3.67.1, both ways, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import git, run_cli, run_dvc

FILES = {
    "data.txt": "hello\n",
    "images/Z.txt": "Z",
    "images/a.txt": "a",
    "images/cats-x.txt": "x\n",
    "images/cats/1.txt": "1\n",
    "images/cats/2.txt": "2\n",
    "images/dogs/sub/deep.bin": "\x00deep",
    "images/with space/f é.txt": "é\n",
    "images/ünïcødé/日本.txt": "nihon\n",
}


def populate(root: Path) -> None:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def cli(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc


def dvc(*args, cwd):
    proc = run_dvc(*args, cwd=cwd)
    assert proc.returncode == 0, f"dvc {args}: {proc.stdout}\n{proc.stderr}"
    return proc


def cache_files(root: Path) -> dict[str, bytes]:
    cache = root / ".dvc/cache/files/md5"
    return {str(p.relative_to(cache)): p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file()}


@pytest.fixture
def twins(tmp_path, dvc_bin):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for root in (ours, theirs):
        root.mkdir()
        git("init", "-q", cwd=root)
        populate(root)
    cli("init", cwd=ours)
    dvc("init", cwd=theirs)
    return ours, theirs


def test_dvc_files_and_cache_are_byte_identical(twins):
    ours, theirs = twins
    cli("add", "data.txt", "images", cwd=ours)
    dvc("add", "data.txt", "images", cwd=theirs)
    for rel in ("data.txt.dvc", "images.dvc", ".gitignore", ".dvc/.gitignore", ".dvc/config", ".dvcignore"):
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel
    assert cache_files(ours) == cache_files(theirs)
    assert any(name.endswith(".dir") for name in cache_files(ours))


def test_commit_after_change_matches_dvc(twins):
    ours, theirs = twins
    cli("add", "images", cwd=ours)
    dvc("add", "images", cwd=theirs)
    for root in twins:
        (root / "images/cats/3.txt").write_text("3\n")
        (root / "images/a.txt").unlink()
    cli("commit", "-f", "images.dvc", cwd=ours)
    dvc("commit", "-f", "images.dvc", cwd=theirs)
    assert (ours / "images.dvc").read_bytes() == (theirs / "images.dvc").read_bytes()


def test_dvc_reads_what_stagecore_wrote(twins):
    ours, _ = twins
    cli("add", "data.txt", "images", cwd=ours)
    (ours / "data.txt").write_text("second version\n")
    cli("commit", "-f", cwd=ours)
    assert dvc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    shutil.rmtree(ours / "images")
    (ours / "data.txt").unlink()
    dvc("checkout", cwd=ours)
    assert (ours / "images/ünïcødé/日本.txt").read_text() == "nihon\n"
    assert (ours / "data.txt").read_text() == "second version\n"
    assert cli("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"


def test_stagecore_reads_what_dvc_wrote(twins):
    _, theirs = twins
    dvc("add", "data.txt", "images", cwd=theirs)
    assert cli("status", cwd=theirs).stdout == "Data and pipelines are up to date.\n"
    shutil.rmtree(theirs / "images")
    (theirs / "data.txt").unlink()
    proc = cli("checkout", cwd=theirs)
    assert sorted(proc.stdout.splitlines()) == ["A       data.txt", "A       images/"]
    assert (theirs / "images/with space/f é.txt").read_text() == "é\n"
    assert dvc("status", cwd=theirs).stdout == "Data and pipelines are up to date.\n"
    (theirs / "data.txt").write_text("changed by hand\n")
    assert "modified:           data.txt" in cli("status", cwd=theirs).stdout
    assert "modified:           data.txt" in dvc("status", cwd=theirs).stdout


def test_dvc2_legacy_entry_is_read(tmp_path, dvc_bin):
    repo = tmp_path / "legacy"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    cli("init", cwd=repo)
    content = b"a\r\nb\r\n"
    (repo / "crlf.txt").write_bytes(content)
    # DVC 2.x: no `hash` key, md5 of the dos2unix'd text, object in the legacy root
    (repo / "crlf.txt.dvc").write_text("outs:\n- md5: dd8c6a395b5dd36c56d23275028f526c\n  size: 6\n  path: crlf.txt\n")
    obj = repo / ".dvc/cache/dd/8c6a395b5dd36c56d23275028f526c"
    obj.parent.mkdir(parents=True)
    obj.write_bytes(content)
    (repo / ".gitignore").write_text("/crlf.txt\n")
    assert cli("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    assert dvc("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "crlf.txt").unlink()
    assert cli("checkout", cwd=repo).stdout == "A       crlf.txt\n"
    assert (repo / "crlf.txt").read_bytes() == content
    before = (repo / "crlf.txt.dvc").read_text()
    cli("commit", cwd=repo)  # unchanged: stays legacy, file not rewritten
    assert (repo / "crlf.txt.dvc").read_text() == before
    (repo / "crlf.txt").write_bytes(b"c\r\n")
    cli("commit", "-f", cwd=repo)  # changed: upgraded to `hash: md5`, appended after path as DVC does
    text = (repo / "crlf.txt.dvc").read_text()
    assert text.endswith("path: crlf.txt\n  hash: md5\n")
    assert dvc("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"


def test_commit_upgrades_changed_legacy_dependency(tmp_path):
    repo = tmp_path / "legacydep"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    cli("init", cwd=repo)
    (repo / "in.txt").write_text("x\n")
    (repo / "out.txt").write_text("x\n")
    (repo / "dvc.yaml").write_text("stages:\n  s:\n    cmd: cp in.txt out.txt\n    deps:\n    - in.txt\n    outs:\n    - out.txt\n")
    md5 = "401b30e3b8b5d629635a5c613cdb7919"  # md5("x\n"), the same in both algorithms
    (repo / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  s:\n    cmd: cp in.txt out.txt\n    deps:\n    - path: in.txt\n"
        f"      md5: {md5}\n      size: 2\n    outs:\n    - path: out.txt\n      md5: {md5}\n      size: 2\n")
    obj = repo / ".dvc/cache" / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True)
    obj.write_text("x\n")
    assert cli("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "in.txt").write_text("y\n")
    cli("commit", "-f", cwd=repo)
    lock = (repo / "dvc.lock").read_text()
    assert "- path: in.txt\n      hash: md5\n      md5: 009520053b00386d1173f3988c55d192\n" in lock  # md5("y\n")
