"""Follow-ups of issue 8 (hostile repositories and crashes): cache hygiene, temp names, disk
errors, run-cache entries and deletions, each through the real CLI on a real git repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git, refused, run_cli

CANARY = b"canary\n"


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def obj(root: Path, data: bytes) -> Path:
    value = md5(data)
    return root / ".dvc/cache/files/md5" / value[:2] / value[2:]


def snapshot(top: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            found[str(path.relative_to(top))] = path.read_bytes() if path.is_file() else None
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git("init", "-q", cwd=root)
    ok("init", "-q", cwd=root)
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    canary = tmp_path / "outside"
    canary.mkdir()
    (canary / "keep.txt").write_bytes(CANARY)
    return canary


# -- 1. gc and files in shard directories that are not objects ----------------------------------


def test_gc_reports_strays_and_keeps_them(project: Path) -> None:
    (project / "a.txt").write_bytes(b"kept\n")
    (project / "b.txt").write_bytes(b"dropped\n")
    ok("add", "a.txt", "b.txt", cwd=project)
    (project / "b.txt.dvc").unlink()
    shard = obj(project, b"kept\n").parent
    junk, dvc_tmp = shard / "JUNK", shard / (obj(project, b"kept\n").name + ".0123abcd.tmp")
    junk.write_bytes(b"not an object\n")
    dvc_tmp.write_bytes(b"someone else's temp\n")
    (shard / ("c" * 30)).mkdir()  # a directory with an object's name is not an object either
    dead_tmp = shard / ".stagecore-tmp-999999999.0123456789ab.tmp"  # a killed writer's temp
    dead_tmp.write_bytes(b"partial")

    proc = ok("gc", "-w", "-f", cwd=project)
    assert "Removed 1 objects from repo cache." in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING: '")]  # not DVC's banner
    assert sorted(warnings) == sorted(
        f"WARNING: '{path}' in the cache is not a cache object: left alone (remove it if it is not yours)"
        for path in (junk, dvc_tmp, shard / ("c" * 30))
    ), proc.stderr
    assert junk.read_bytes() == b"not an object\n" and dvc_tmp.exists() and (shard / ("c" * 30)).is_dir()
    assert not dead_tmp.exists()  # our own stale temp is swept, not reported
    assert obj(project, b"kept\n").exists() and not obj(project, b"dropped\n").exists()


# -- 2. gc drops the trust rows of the objects it deletes ---------------------------------------


def trust_rows(root: Path) -> set[str]:
    with sqlite3.connect(root / ".dvc/tmp/stagecore-state.sqlite") as conn:
        return {row[0] for row in conn.execute("SELECT path FROM objects")}


def test_gc_forgets_the_trust_of_deleted_objects(project: Path) -> None:
    (project / "a.txt").write_bytes(b"kept\n")
    (project / "b.txt").write_bytes(b"dropped\n")
    ok("add", "a.txt", "b.txt", cwd=project)
    kept, dropped = str(obj(project, b"kept\n")), str(obj(project, b"dropped\n"))
    assert {kept, dropped} <= trust_rows(project)
    (project / "b.txt.dvc").unlink()
    proc = ok("gc", "-w", "-f", cwd=project)
    assert "Removed 1 objects from repo cache." in proc.stdout
    rows = trust_rows(project)
    assert kept in rows and dropped not in rows


# -- 6. a shard directory committed as a symlink ------------------------------------------------


def _commit_all(root: Path, *force: str) -> None:
    git("add", "-A", cwd=root)
    if force:
        git("add", "-f", *force, cwd=root)
    git("commit", "-qm", "attack", cwd=root)


def test_symlinked_shard_is_refused_for_writes_and_reads(project: Path, outside: Path,
                                                         tmp_path: Path) -> None:
    data = b"the victim's data\n"
    value = md5(data)
    store = tmp_path / "store"
    ok("remote", "add", "-d", "store", str(store), cwd=project)
    (project / "data.txt").write_bytes(data)
    ok("add", "data.txt", cwd=project)
    ok("push", cwd=project)
    # the attacker commits `.dvc/cache/files/md5/<xx>` as a link to a directory of their choice
    for path in (project / ".dvc/cache/files/md5" / value[:2]).iterdir():
        path.chmod(0o644)
        path.unlink()
    (project / ".dvc/cache/files/md5" / value[:2]).rmdir()
    os.symlink(os.path.relpath(outside, project / ".dvc/cache/files/md5"),
               project / ".dvc/cache/files/md5" / value[:2])
    _commit_all(project, f".dvc/cache/files/md5/{value[:2]}")
    victim = tmp_path / "victim"
    git("clone", "-q", str(project), str(victim), cwd=tmp_path)
    assert (victim / ".dvc/cache/files/md5" / value[:2]).is_symlink()
    before = snapshot(outside)
    expected = f"cache directory '{victim}/.dvc/cache/files/md5/{value[:2]}' is a symlink"

    refused(run_cli("pull", cwd=victim), expected)  # the download would land in outside/
    (victim / "data.txt").write_bytes(data)
    (victim / "data.txt.dvc").unlink()
    refused(run_cli("add", "data.txt", cwd=victim), expected)  # so would the object of `add`
    (outside / value[2:]).write_bytes(data)  # a matching file there is never read either
    before = snapshot(outside)
    (victim / "data.txt").unlink()
    git("checkout", "data.txt.dvc", cwd=victim)
    refused(run_cli("checkout", "data.txt", cwd=victim), "is a symlink", value[:2])
    assert not (victim / "data.txt").exists()
    refused(run_cli("gc", "-w", "-f", cwd=victim), expected)  # never deletes through it
    assert snapshot(outside) == before


def test_symlinked_legacy_shard_is_refused(project: Path, outside: Path, tmp_path: Path) -> None:
    data = b"legacy data\n"
    value = md5(data)  # DVC 2.x md5-dos2unix: the same digest for a file without CRLF
    store = tmp_path / "store"
    (store / value[:2]).mkdir(parents=True)
    (store / value[:2] / value[2:]).write_bytes(data)
    ok("remote", "add", "-d", "store", str(store), cwd=project)
    (project / "old.txt.dvc").write_text(f"outs:\n- md5: {value}\n  size: {len(data)}\n  path: old.txt\n")
    (project / ".dvc/cache").mkdir(exist_ok=True)
    os.symlink(os.path.relpath(outside, project / ".dvc/cache"), project / ".dvc/cache" / value[:2])
    _commit_all(project, f".dvc/cache/{value[:2]}")
    before = snapshot(outside)
    refused(run_cli("fetch", cwd=project), f"cache directory '{project}/.dvc/cache/{value[:2]}' is a symlink")
    assert snapshot(outside) == before
    assert not (project / "old.txt").exists()
    os.unlink(project / ".dvc/cache" / value[:2])  # without the link it works
    ok("pull", cwd=project)
    assert (project / "old.txt").read_bytes() == data


# -- 3. a full disk stops linking at once (no fallback to the next link type) -------------------


def _small_files_only() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, resource.RLIM_INFINITY))


def test_disk_error_while_linking_is_not_hidden_by_the_next_link_type(project: Path) -> None:
    big = os.urandom(2 * 1024 * 1024)
    (project / "big.bin").write_bytes(big)
    ok("add", "big.bin", cwd=project)
    ok("config", "cache.type", "copy,symlink", cwd=project)
    (project / "big.bin").unlink()
    proc = subprocess.run([sys.executable, "-m", "stagecore", "checkout"], cwd=project, capture_output=True,
                          text=True, preexec_fn=_small_files_only)
    line = refused(proc, "file too large while writing", f"{project}/big.bin")
    assert "could not link" not in line
    assert not os.path.lexists(project / "big.bin")  # not silently a symlink into the cache instead
    assert not [n for n in os.listdir(project) if n.startswith(".stagecore-tmp-")]
    ok("checkout", cwd=project)  # with room it works, as a copy
    assert (project / "big.bin").read_bytes() == big and not (project / "big.bin").is_symlink()


# -- 4. one temp scheme: config writes and the unprotect of persist outputs ---------------------


def test_config_write_never_goes_through_a_planted_tmp_name(project: Path, outside: Path) -> None:
    # a fixed `.dvc/config.tmp` committed as a link: writing it followed the link (and the
    # replace then turned `.dvc/config` itself into that link)
    os.symlink(os.path.relpath(outside / "keep.txt", project / ".dvc"), project / ".dvc/config.tmp")
    _commit_all(project, ".dvc/config.tmp")
    ok("remote", "add", "-d", "store", "/srv/store", cwd=project)
    assert (outside / "keep.txt").read_bytes() == CANARY
    config = project / ".dvc/config"
    assert not config.is_symlink() and "url = /srv/store" in config.read_text()
    assert (project / ".dvc/config.tmp").is_symlink()  # left alone
    assert not [n for n in os.listdir(project / ".dvc") if n.startswith(".stagecore-tmp-")]
    assert ok("remote", "list", cwd=project).stdout.split() == ["store", "/srv/store", "(default)"]


def test_persist_output_with_a_250_byte_name_is_unprotected(project: Path) -> None:
    name = "p" * 250
    ok("config", "cache.type", "symlink", cwd=project)
    (project / "dep.txt").write_text("one\n")
    (project / "dvc.yaml").write_text(
        f"stages:\n  s:\n    cmd: cat dep.txt >> {name}\n    deps: [dep.txt]\n"
        f"    outs:\n    - {name}:\n        persist: true\n"
    )
    ok("repro", cwd=project)
    assert (project / name).is_symlink()  # linked into the cache: must be unprotected before the run
    (project / "dep.txt").write_text("two\n")
    proc = ok("repro", cwd=project)
    assert "Running stage 's'" in proc.stdout
    assert (project / name).read_text() == "one\ntwo\n"
    assert not [n for n in os.listdir(project) if n.startswith(".stagecore-tmp-") or n.endswith(".tmp")]


# -- 5. a local disk error stops a transfer at the first object ---------------------------------


@pytest.mark.parametrize("kind, jobs", [("local", "1"), ("local", "4"), ("s3", "4")])
def test_fetch_stops_at_the_first_local_disk_error(project: Path, tmp_path: Path, request, kind: str,
                                                   jobs: str) -> None:
    if kind == "s3":  # the backend writes the download itself: its OSError is the local disk's
        server = request.getfixturevalue("s3_server")
        ok("remote", "add", "-d", "store", f"s3://{server.make_bucket()}/data", cwd=project)
        ok("remote", "modify", "store", "endpointurl", server.endpoint_url, cwd=project)
    else:
        ok("remote", "add", "-d", "store", str(tmp_path / "store"), cwd=project)
    (project / "data").mkdir()
    for n in range(12):
        (project / "data" / f"{n}.bin").write_bytes(os.urandom(1024 * 1024 + 4096))
    ok("add", "data", cwd=project)
    ok("push", cwd=project)
    shutil.rmtree(project / "data")
    shutil.rmtree(project / ".dvc/cache")
    proc = subprocess.run([sys.executable, "-m", "stagecore", "pull", "-j", jobs], cwd=project,
                          capture_output=True, text=True, preexec_fn=_small_files_only)
    line = refused(proc, "file too large while writing into", f"{project}/.dvc/cache/files/md5/")
    assert proc.stderr.count("file too large") == 1, proc.stderr  # reported once, not per object
    assert "remote" not in line
    cache = project / ".dvc/cache/files/md5"
    left = [p for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".dir")]
    assert left == []  # nothing half-written, no temp file
    ok("pull", cwd=project)
    assert len(os.listdir(project / "data")) == 12


# -- 7. run-cache entries pass the gate ---------------------------------------------------------

NOT_MD5 = " is not an md5 hash value (32 lowercase hex digits, optionally '.dir')"


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("md5", "../../../../outside/keep.txt",
         "has an output 'out.txt' whose hash '../../../../outside/keep.txt'" + NOT_MD5),
        ("md5", "ABCDEF", "has an output 'out.txt' whose hash 'ABCDEF'" + NOT_MD5),
        ("path", ".git/hooks/post-commit", "has an output that enters .git: '.git/hooks/post-commit'"),
        ("path", "../outside/keep.txt", "has an output that leaves the repository: '../outside/keep.txt'"),
    ],
)
def test_bad_run_cache_entry_is_ignored_with_one_line(project: Path, outside: Path, field: str, value: str,
                                                      problem: str) -> None:
    import yaml

    (project / "in.txt").write_text("input\n")
    (project / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    ok("repro", cwd=project)
    (entry,) = [p for p in (project / ".dvc/cache/runs").rglob("*") if p.is_file()]
    data = yaml.safe_load(entry.read_text())
    data["outs"][0][field] = value
    hostile = entry.parent / ("f" * 64)  # the newest entry under the stage's key
    hostile.write_text(yaml.safe_dump(data))
    os.utime(hostile, (entry.stat().st_mtime + 10, entry.stat().st_mtime + 10))
    (project / "dvc.lock").unlink()
    (project / "out.txt").unlink()

    proc = ok("repro", cwd=project)
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert warnings == [
        f"WARNING: run-cache entry '{hostile.relative_to(project)}' {problem}: ignored"
    ], proc.stderr
    assert "Running stage 's'" in proc.stdout and "> cp in.txt out.txt" in proc.stdout, proc.stdout
    assert (project / "out.txt").read_text() == "input\n"
    assert (outside / "keep.txt").read_bytes() == CANARY
    assert not (project / ".git/hooks/post-commit").exists()


# -- 8. deleting outputs never follows a symlinked parent ---------------------------------------


def test_repro_and_remove_never_delete_through_a_symlinked_parent(project: Path, outside: Path) -> None:
    os.symlink("../outside", project / "data")
    victim = outside / "keep.txt"
    (project / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: echo ran > ran.txt\n    outs:\n    - data/keep.txt:\n        cache: false\n"
    )
    _commit_all(project)
    proc = run_cli("repro", "-f", cwd=project)
    refused(proc, "output 'data/keep.txt': the symlink 'data' leads outside the work tree", code=255)
    assert victim.read_bytes() == CANARY and not (project / "ran.txt").exists()  # refused before running

    (project / "dvc.yaml").unlink()
    (project / "keep.txt.dvc").write_text("outs:\n- path: data/keep.txt\n  cache: false\n")
    proc = run_cli("remove", "keep.txt.dvc", "--outs", cwd=project)
    refused(proc, "output 'data/keep.txt': the symlink 'data' leads outside the work tree")
    assert victim.read_bytes() == CANARY
    assert (project / "keep.txt.dvc").exists()  # nothing of the stage was removed either


def test_remove_outs_deletes_a_link_not_its_target(project: Path, outside: Path) -> None:
    os.symlink(outside / "keep.txt", project / "link.txt")
    (project / "link.dvc").write_text("outs:\n- path: link.txt\n  cache: false\n")
    proc = ok("remove", "link.dvc", "--outs", cwd=project)
    assert proc.stderr == ""
    assert not os.path.lexists(project / "link.txt") and not (project / "link.dvc").exists()
    assert (outside / "keep.txt").read_bytes() == CANARY


def test_python_m_does_not_run_the_repositorys_modules(tmp_path: Path) -> None:
    """`python -m stagecore` puts the working directory first on sys.path: a repository's `json.py` or
    `copy.py` (a stage script by that name is common) must neither shadow the standard library nor run."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", cwd=repo)
    for name in ("json", "copy", "tempfile"):
        (repo / f"{name}.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'a').write({name!r})\n")
    (repo / "data.txt").write_text("x\n")
    ok("add", "data.txt", cwd=repo)
    proc = ok("status", "--json", cwd=repo)
    assert proc.stdout.strip() == "{}", proc.stdout
    assert not (tmp_path / "ran").exists(), (tmp_path / "ran").read_text()
