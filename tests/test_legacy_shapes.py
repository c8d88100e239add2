"""Repositories left by DVC 0.x and 1.x, judged by the real DVC 3.67.1 and by stagecore in twin
repositories (issue 9): 0.x `dvc add` files (top-level `md5`, `cache: true`, `persist: false`,
`wdir: .`, with and without `metric: false`) over a legacy cache (`.dvc/cache/xx/...`, md5 of
dos2unix'd text), a 0.x import stage in a sub-directory (`locked: true`, `meta`, `wdir`), a
`Dvcfile` (0.x's default stage file) and a DVC 1.x `-f` single-stage file with `cmd`.

What DVC 3 reads is answered the same (status, status --json, dag, stage list, checkout,
commit, repro, freeze, push/pull, files byte-equal); what it refuses is noted per test, with
what stagecore does instead and why."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.helpers import git, ok, run_dvc, sc


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def d2u(data: bytes) -> str:
    """DVC 0.x-2.x's file hash: the md5 of the text with CRLF made LF."""
    return md5(data.replace(b"\r\n", b"\n"))


RAW = b"raw\n"
FILES = {"a.txt": b"a\r\nb\r\n", "s/b.txt": b"bb\n"}  # a CRLF file: its legacy md5 is not its md5
SRC = b"source\r\nline\r\n"


def _legacy_object(cache: Path, data: bytes, name: str | None = None) -> str:
    oid = name or d2u(data)
    path = cache / oid[:2] / oid[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
    return oid


def _commit(where: Path, message: str) -> None:
    git("add", "-A", cwd=where)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message, cwd=where)


def legacy_repo(tmp_path: Path, metric: bool = False) -> tuple[Path, Path]:
    """A repository as DVC 0.x left it (0.94's `dvc add raw.txt`; an older 0.x `dvc add dd`, keys
    sorted, `wdir: .`), data and legacy cache in place, committed; and its copy: (for DVC, for stagecore)."""
    base = tmp_path / "dvc"
    base.mkdir()
    git("init", "-q", cwd=base)
    assert run_dvc("init", "-q", cwd=base).returncode == 0
    cache = base / ".dvc/cache"
    (base / "raw.txt").write_bytes(RAW)
    _legacy_object(cache, RAW)
    entries = sorted(({"md5": _legacy_object(cache, data), "relpath": rel} for rel, data in FILES.items()),
                     key=lambda e: e["relpath"])
    manifest = json.dumps(entries, sort_keys=True).encode()
    dir_oid = _legacy_object(cache, manifest, md5(manifest) + ".dir")
    for rel, data in FILES.items():
        (base / "dd" / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / "dd" / rel).write_bytes(data)
    flag = "  metric: false\n" if metric else ""
    (base / "raw.txt.dvc").write_text(  # real 0.94 output (`metric: false` on every output)
        f"md5: 184186c81117badfccc84b2abc1a2daf\nouts:\n- md5: {md5(RAW)}\n  path: raw.txt\n  cache: true\n"
        f"{flag}  persist: false\n")
    (base / "dd.dvc").write_text(
        f"md5: 0fa6b3b36c8a8d5d2a4aa3c1e0a4f5e1\nouts:\n- cache: true\n  md5: {dir_oid}\n{flag}  path: dd\n"
        "  persist: false\nwdir: .\n")
    (base / ".gitignore").write_text("/raw.txt\n/dd\n")
    _commit(base, "as DVC 0.x left it")
    twin = tmp_path / "sc"
    shutil.copytree(base, twin, symlinks=True)
    return base, twin


def same(command: list[str], theirs: Path, ours: Path, code: int = 0) -> str:
    """Run `command` with both tools; assert the same exit code and stdout; return stdout."""
    want, got = run_dvc(*command, cwd=theirs), sc(*command, cwd=ours)
    assert (want.returncode, want.stdout) == (got.returncode, got.stdout), (command, want, got)
    assert got.returncode == code, (command, got.stderr)
    return got.stdout


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_0x_data_files_status_checkout_commit_push_pull(dvc_bin, tmp_path):
    theirs, ours = legacy_repo(tmp_path)
    # DVC 3 computes no stage md5 for added data: the 0.x top-level md5 is a "changed checksum"
    expected = {"dd.dvc": ["changed checksum"], "raw.txt.dvc": ["changed checksum"]}
    assert json.loads(same(["status", "--json"], theirs, ours)) == expected
    assert same(["status"], theirs, ours) == "dd.dvc:\n\tchanged checksum\nraw.txt.dvc:\n\tchanged checksum\n"
    assert same(["stage", "list", "--all"], theirs, ours) == "dd.dvc       Outputs dd\nraw.txt.dvc  Outputs raw.txt\n"
    assert "raw.txt.dvc" in same(["dag", "--dot"], theirs, ours)
    same(["stage", "list"], theirs, ours, code=255)  # no dvc.yaml: both refuse, exit 255
    # checkout from the legacy cache (objects under .dvc/cache/xx/, CRLF bytes kept)
    for where in (theirs, ours):
        shutil.rmtree(where / "dd")
        (where / "raw.txt").unlink()
    same(["checkout"], theirs, ours)
    for where in (theirs, ours):
        assert (where / "dd/a.txt").read_bytes() == FILES["a.txt"] and (where / "raw.txt").read_bytes() == RAW
    # commit -f rewrites both files as DVC 3 does: top-level md5 and 0.x defaults dropped, legacy hashes kept
    # (stagecore's commit adds its `git add` hint; DVC 3.67.1's commit prints nothing)
    assert run_dvc("commit", "-f", "raw.txt.dvc", cwd=theirs).returncode == 0
    ok("commit", "-f", "raw.txt.dvc", cwd=ours)
    assert (ours / "raw.txt.dvc").read_text() == f"outs:\n- md5: {md5(RAW)}\n  path: raw.txt\n  size: 4\n"
    assert run_dvc("commit", "-f", cwd=theirs).returncode == 0
    ok("commit", "-f", cwd=ours)
    for name in ("raw.txt.dvc", "dd.dvc"):
        assert (ours / name).read_text() == (theirs / name).read_text(), name
    assert "wdir" not in (ours / "dd.dvc").read_text() and "hash" not in (ours / "dd.dvc").read_text()
    assert same(["status"], theirs, ours) == "Data and pipelines are up to date.\n"
    # push to a directory remote: the legacy objects go to the remote's legacy layout, as DVC's
    for where, remote in ((theirs, tmp_path / "r_dvc"), (ours, tmp_path / "r_sc")):
        assert run_dvc("remote", "add", "-d", "store", str(remote), cwd=where).returncode == 0
    same(["push"], theirs, ours)
    assert _tree(tmp_path / "r_sc") == _tree(tmp_path / "r_dvc")
    oids = [d2u(RAW), *(d2u(data) for data in FILES.values()), _dir_oid(ours)]
    assert sorted(_tree(tmp_path / "r_sc")) == sorted(f"{oid[:2]}/{oid[2:]}" for oid in oids)
    # pull into an empty cache and workspace
    for where in (theirs, ours):
        shutil.rmtree(where / ".dvc/cache")
        shutil.rmtree(where / "dd")
    same(["pull"], theirs, ours)
    assert _tree(ours / "dd") == _tree(theirs / "dd") == {k: v for k, v in FILES.items()}
    assert same(["status"], theirs, ours) == "Data and pipelines are up to date.\n"


def _dir_oid(repo: Path) -> str:
    text = (repo / "dd.dvc").read_text()
    return text.split("md5: ")[1].split()[0]


def test_0x_files_with_metric_are_read_and_made_readable_by_dvc3(dvc_bin, tmp_path):
    """DVC 3 refuses any `.dvc` file with a `metric` key, i.e. every file 0.94 wrote (exit 1 on
    status): stagecore reads them, as DVC 0.x did, so that a 0.x repository can be moved on, and
    says so once per file on stderr (as of a DVC 1.x dvc.lock); its next write of such a file (`commit -f`, `add`, `repro`) leaves the 0.x keys out, and DVC 3
    reads the result."""
    theirs, ours = legacy_repo(tmp_path, metric=True)
    refused = run_dvc("status", cwd=theirs)
    assert refused.returncode == 1 and "extra keys not allowed, in outs -> 0 -> metric" in refused.stderr
    got = sc("status", "--json", cwd=ours)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == {"dd.dvc": ["changed checksum"], "raw.txt.dvc": ["changed checksum"]}
    for name in ("dd.dvc", "raw.txt.dvc"):  # said once per file, with the command that fixes it
        assert got.stderr.count(f"WARNING: '{name}' has the DVC 0.x key `metric` in its outputs and is read as "
                                "DVC 0.x wrote it: DVC 3 refuses it\n"
                                f"hint: `stagecore commit -f {name}` rewrites it in DVC 3's layout\n") == 1
    ok("commit", "-f", cwd=ours)
    assert "metric" not in (ours / "raw.txt.dvc").read_text() + (ours / "dd.dvc").read_text()
    assert run_dvc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    done = sc("status", cwd=ours)
    assert (done.stdout, done.stderr) == ("Data and pipelines are up to date.\n", "")


def test_0x_import_stage_with_locked_meta_and_wdir(dvc_bin, tmp_path):
    from stagecore.core.stage import dvcfile_md5

    theirs = tmp_path / "dvc"
    theirs.mkdir()
    git("init", "-q", cwd=theirs)
    assert run_dvc("init", "-q", cwd=theirs).returncode == 0
    (theirs / "src.txt").write_bytes(SRC)
    (theirs / "imported.txt").write_bytes(SRC)
    _legacy_object(theirs / ".dvc/cache", SRC)
    (theirs / "stages").mkdir()
    data = {"deps": [{"md5": d2u(SRC), "path": "../src.txt"}], "wdir": ".",
            "outs": [{"cache": True, "md5": d2u(SRC), "path": "../imported.txt", "persist": False}]}
    (theirs / "stages/imp.dvc").write_text(  # an import stage as 0.x wrote it (its md5 counts `cache: true`)
        f"deps:\n- md5: {d2u(SRC)}\n  path: ../src.txt\nlocked: true\nmd5: {dvcfile_md5(data)}\nmeta:\n"
        f"  author: someone\nouts:\n- cache: true\n  md5: {d2u(SRC)}\n  path: ../imported.txt\n"
        "  persist: false\nwdir: .\n")
    (theirs / ".gitignore").write_text("/imported.txt\n")
    _commit(theirs, "0.x import")
    ours = tmp_path / "sc"
    shutil.copytree(theirs, ours, symlinks=True)
    frozen = ("WARNING: stage: 'stages/imp.dvc' is frozen. Its dependencies are not going to be shown in "
              "the status output.\n")
    # `locked` is 0.x's `frozen`; DVC 3 computes the import's md5 without `cache: true`
    assert json.loads(same(["status", "--json"], theirs, ours)) == {"stages/imp.dvc": ["changed checksum"]}
    assert sc("status", "--json", cwd=ours).stderr == run_dvc("status", "--json", cwd=theirs).stderr == frozen
    assert same(["stage", "list", "--all"], theirs, ours) == "stages/imp.dvc  Outputs ../imported.txt\n"
    same(["unfreeze", "stages/imp.dvc"], theirs, ours)
    assert (ours / "stages/imp.dvc").read_text() == (theirs / "stages/imp.dvc").read_text()
    assert "locked" not in (ours / "stages/imp.dvc").read_text()
    dry = run_dvc("repro", "--dry", "stages/imp.dvc", cwd=theirs).stdout.splitlines()[0]
    assert dry == sc("repro", "--dry", "stages/imp.dvc", cwd=ours).stdout.splitlines()[0]
    assert dry == "Importing 'src.txt' -> 'imported.txt'"
    assert run_dvc("repro", "stages/imp.dvc", cwd=theirs).returncode == 0
    ok("repro", "stages/imp.dvc", cwd=ours)
    assert (ours / "stages/imp.dvc").read_text() == (theirs / "stages/imp.dvc").read_text()
    assert "meta:\n  author: someone\n" in (ours / "stages/imp.dvc").read_text()
    assert json.loads(same(["status", "--json"], theirs, ours)) == {}


def test_dvcfile_is_not_a_dvc_file(dvc_bin, tmp_path):
    """DVC 3 reads no `Dvcfile` (0.x's default stage file name): it tracks nothing, and naming it
    as a target is DVC's error. stagecore does the same, and `run -f Dvcfile` is refused (the file
    would be read by no one)."""
    theirs = tmp_path / "dvc"
    theirs.mkdir()
    git("init", "-q", cwd=theirs)
    assert run_dvc("init", "-q", cwd=theirs).returncode == 0
    (theirs / "raw.txt").write_bytes(RAW)
    (theirs / "Dvcfile").write_text(
        f"cmd: cp raw.txt model.pkl\ndeps:\n- md5: {md5(RAW)}\n  path: raw.txt\nmd5: b91b22bfd8d9e5af13e8f48523e80250\n"
        f"outs:\n- cache: true\n  md5: {md5(RAW)}\n  metric: false\n  path: model.pkl\n  persist: false\nwdir: .\n")
    _commit(theirs, "Dvcfile")
    ours = tmp_path / "sc"
    shutil.copytree(theirs, ours, symlinks=True)
    assert same(["status"], theirs, ours).startswith("There are no data or pipelines tracked in this project yet.\n")
    assert same(["stage", "list", "--all"], theirs, ours) == ""
    for command, code in ((["status", "Dvcfile"], 1), (["repro", "Dvcfile"], 255), (["checkout", "Dvcfile"], 255)):
        same(command, theirs, ours, code=code)
    line = "'Dvcfile' does not exist as an output or a stage name"
    assert line in run_dvc("checkout", "Dvcfile", cwd=theirs).stderr and line in sc("checkout", "Dvcfile", cwd=ours).stderr
    assert not (ours / "model.pkl").exists()
    proc = sc("run", "-f", "Dvcfile", "-d", "raw.txt", "-o", "m2", "cp raw.txt m2", cwd=ours)
    assert proc.returncode == 254 and proc.stderr.startswith("ERROR: bad stage filename 'Dvcfile'")
    assert not (ours / "m2").exists()


def test_1x_single_stage_file_is_stagecores_alone(dvc_bin, tmp_path):
    """A DVC 1.x `dvc run -f train.dvc` file (spec 6.2): DVC 3 refuses it ("extra keys not allowed,
    in cmd", status exit 1, every repo-wide command); stagecore reads and runs it as DVC 1.x did
    (README: such files are stagecore's alone), judging its `md5` by DVC 1.x's rule."""
    theirs = tmp_path / "dvc"
    theirs.mkdir()
    git("init", "-q", cwd=theirs)
    assert run_dvc("init", "-q", cwd=theirs).returncode == 0
    (theirs / "raw.txt").write_bytes(RAW)
    (theirs / "model.bin").write_bytes(RAW)
    _legacy_object(theirs / ".dvc/cache", RAW)
    text = (f"md5: {{}}\ncmd: cp raw.txt model.bin\ndeps:\n- md5: {md5(RAW)}\n  size: 4\n  path: raw.txt\n"
            f"outs:\n- md5: {md5(RAW)}\n  size: 4\n  path: model.bin\n")
    from stagecore.core.stage import dvcfile_md5

    stage_md5 = dvcfile_md5({"cmd": "cp raw.txt model.bin", "deps": [{"md5": md5(RAW), "path": "raw.txt"}],
                             "outs": [{"md5": md5(RAW), "path": "model.bin"}]})
    (theirs / "train.dvc").write_text(text.format(stage_md5))
    (theirs / ".gitignore").write_text("/model.bin\n")
    _commit(theirs, "1.x")
    ours = tmp_path / "sc"
    shutil.copytree(theirs, ours, symlinks=True)
    refused = run_dvc("status", cwd=theirs)
    assert refused.returncode == 1 and "extra keys not allowed, in cmd" in refused.stderr
    assert sc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    (ours / "train.dvc").write_text(text.format("0" * 32))  # a stale stage md5 is a changed checksum
    assert json.loads(sc("status", "--json", cwd=ours).stdout) == {"train.dvc": ["changed checksum"]}
    proc = ok("repro", "train.dvc", cwd=ours)  # its outputs are cached: restored, not run again
    assert proc.stdout.startswith("Stage 'train.dvc' is cached - skipping run, checking out outputs\n")
    assert (ours / "train.dvc").read_text() == text.format(stage_md5)
