"""The one gate for paths and hash values from data (issue 8): hostile repositories with a data
remote holding the attacker's objects, run through the CLI and through the real git hooks.

The attacker's payload is a shell script that would `touch` a marker file; it is stored on the
data remote and named by outputs aimed at `.git/hooks`, `.git/config`, `.dvc/...`, a cache
object, nested repositories, absolute and `..` paths, `wdir: ../.git`, by md5 values that are
paths or not hex, and by `.dir` manifests with escaping, empty, duplicated and `.git` relpaths.
After every command: the canary directory beside the work tree is unchanged, nothing in
`.git/hooks` changed, the marker does not exist (also after further git commands that would run
a planted hook), every cache object's content matches its name, the secret beside the work tree
never entered it, and every refusal is one line naming the file (no traceback).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from stagecore.core import safepath
from stagecore.core.entry import EntryError, parse_entry
from stagecore.core.tree import ManifestError, manifest_bytes, parse_manifest
from stagecore.errors import FileFormatError
from stagecore.ops.used import refs_of_blobs
from tests.helpers import clean_env, git, run_cli

GOOD = b"good data\n"
SECRET = b"the secret next to the work tree\n"
H32 = "0123456789abcdef0123456789abcdef"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# ---------------------------------------------------------------- pure unit tests of the gate


@pytest.mark.parametrize("value", [H32, H32 + ".dir", "d41d8cd98f00b204e9800998ecf8427e"])
def test_hash_values_accepted(value):
    assert safepath.hash_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "../../../../outside/secret.txt",
        H32.upper(),
        H32[:31],
        H32 + "0",
        H32 + ".DIR",
        H32 + ".dir.dir",
        "",
        12345,
        None,
        ["x"],
        H32[:30] + "/x",
        "g" * 32,
        H32 + "\n",
    ],
)
def test_hash_values_refused(value):
    problem = safepath.hash_problem(value)
    assert problem is not None and "\n" not in problem


def test_manifest_md5_has_no_dir_suffix():
    assert safepath.hash_problem(H32 + ".dir", allow_dir=False) is not None
    assert safepath.hash_problem(H32, allow_dir=False) is None


@pytest.mark.parametrize(
    "path",
    [
        "data.txt",
        "a/b/c",
        "dir/",
        "a/./b",
        "a//b",
        "x/../y",
        "data.dvc",
        ".gitignore",
        "git/x",
        ".github/workflows/x",
        "é" * 127,
    ],
)
def test_out_paths_accepted(path):
    assert safepath.out_path_problem(path) is None


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("", "empty"),
        (".", "repository itself"),
        ("a/..", "repository itself"),
        ("/etc/passwd", "absolute"),
        ("../x", "leaves"),
        ("a/../../x", "leaves"),
        ("..", "leaves"),
        (".git", "enters .git"),
        (".git/hooks/post-commit", "enters .git"),
        ("sub/.git/hooks/x", "enters .git"),
        (".GIT/config", "enters .GIT"),
        (".dvc/config.local", "enters .dvc"),
        (".dvc/cache/files/md5/aa/bb", "enters .dvc"),
        ("nested/.dvc/config", "enters .dvc"),
        ("x/../.git/config", "enters .git"),
        ("a\0b", "NUL"),
        ("x" * 256, "256 bytes"),
        ("é" * 128, "256 bytes"),
        ("a/" * 2100 + "b", "longer than 4096"),
        (7, "not a string"),
    ],
)
def test_out_paths_refused(path, needle):
    problem = safepath.out_path_problem(path)
    assert problem is not None and needle in problem and "\n" not in problem


@pytest.mark.parametrize(
    ("wdir", "path"),
    [
        ("../.git", "hooks/post-index-change"),
        (".git", "hooks/x"),
        ("sub/../..", "x"),
        ("/tmp", "x"),
        (".dvc", "config"),
    ],
)
def test_wdir_is_judged_on_the_final_path(wdir, path):
    assert safepath.out_path_problem(safepath.join_out_path(wdir, path)) is not None


def test_dep_paths_only_refuse_empty_and_nul():
    for ok in ("s3://bucket/key", "https://example.com/x", "/abs/file", "../sibling/data", ".git/HEAD"):
        assert safepath.dep_path_problem(ok) is None
    assert "empty" in (safepath.dep_path_problem("") or "")
    assert "NUL" in (safepath.dep_path_problem("a\0b") or "")


@pytest.mark.parametrize(
    ("pairs", "needle"),
    [
        ([("../evil", H32)], "leaves"),
        ([("/etc/passwd", H32)], "absolute"),
        ([("", H32)], "empty"),
        ([("a//b", H32)], "empty"),
        ([("a/./b", H32)], "'.'"),
        ([("a/", H32)], "empty"),
        ([("a\\b", H32)], "backslash"),
        ([("a\0b", H32)], "NUL"),
        ([(".git/config", H32)], ".git"),
        ([("sub/.Git/hooks/x", H32)], ".git"),
        ([("a", H32), ("a", H32)], "twice"),
        ([("a", H32), ("a/b", H32)], "both a file and a directory"),
        ([("a/b/c", H32), ("a/b", H32)], "both a file and a directory"),
        ([("x", "../../secret")], "bad md5"),
        ([("x", H32 + ".dir")], "bad md5"),
        ([("x", None)], "bad md5"),
        ([(3, H32)], "non-string"),
        ([("x" * 256, H32)], "256 bytes"),
    ],
)
def test_manifest_refused(pairs, needle):
    problem = safepath.manifest_problem(pairs)
    assert problem is not None and needle in problem and "\n" not in problem
    data = json.dumps([{"md5": m, "relpath": r} for r, m in pairs]).encode()
    with pytest.raises(ManifestError):
        parse_manifest(data)


def test_manifest_accepted_roundtrip():
    tree = {"a/b": H32, "a/c": H32, "ab": H32, "a.b/c": H32, ".gitignore": H32, "d/.dvc/x": H32}
    assert parse_manifest(manifest_bytes(tree)) == tree


def test_parse_entry_gates_output_hashes_only():
    with pytest.raises(EntryError, match=r"not an md5 hash value.*outs -> 0 -> md5"):
        parse_entry({"path": "x", "md5": "../../etc/passwd"}, "out", "outs -> 0")
    with pytest.raises(EntryError, match="must be md5, not 'etag'"):
        parse_entry({"path": "x", "etag": "abc-2"}, "out", "outs -> 0")
    with pytest.raises(EntryError, match="int"):
        parse_entry({"path": "x", "md5": 12345}, "out", "outs -> 0")
    dep = parse_entry({"path": "s3://b/k", "etag": "d41d8cd98f00b204e9800998ecf8427e-2"}, "dep", "deps -> 0")
    assert dep.hash is not None and dep.hash.value.endswith("-2")  # compared, never a path


def test_object_relpath_refuses_non_hex():
    from stagecore.core.hashinfo import MD5, HashInfo
    from stagecore.errors import CacheError
    from stagecore.storage.odb import object_relpath

    assert object_relpath(HashInfo(MD5, H32)) == f"files/md5/01/{H32[2:]}"
    for bad in ("../../../../x", H32.upper(), "ab/../../cd", "...", H32 + "/x"):
        with pytest.raises(CacheError):
            object_relpath(HashInfo(MD5, bad))


def test_refs_of_blobs_refuses_one_file_and_keeps_the_rest():
    good = f"outs:\n- md5: {H32}\n  path: good.txt\n".encode()
    bad = f"outs:\n- md5: {H32}\n  isexec: true\n  path: hooks/post-commit\nwdir: ../.git\n".encode()
    lock = (
        f"schema: '2.0'\nstages:\n  s:\n    cmd: 'true'\n    outs:\n    - path: out.txt\n      md5: {H32}\n"
    ).encode()
    yaml = b"stages:\n  s:\n    cmd: 'true'\n    wdir: eval\n    outs:\n    - out.txt\n"
    files = {"good.txt.dvc": good, "sub/evil.dvc": bad, "p/dvc.lock": lock, "p/dvc.yaml": yaml}
    problems: list = []
    refs = refs_of_blobs(files, problems=problems)
    assert sorted(r.path for r in refs) == ["good.txt", "p/eval/out.txt"]  # lock paths are relative to wdir
    assert len(problems) == 1 and isinstance(problems[0], FileFormatError)
    assert "'sub/evil.dvc' has an output that enters .git: 'hooks/post-commit'" in problems[0].message
    with pytest.raises(FileFormatError, match="sub/evil.dvc"):
        refs_of_blobs(files)


# ---------------------------------------------------------------- the hostile world


def dvc_out(path: str, value: object, isexec: bool = False, wdir: str | None = None) -> str:
    text = f"wdir: {json.dumps(wdir)}\n" if wdir else ""
    text += f"outs:\n- md5: {json.dumps(value)}\n  hash: md5\n  path: {json.dumps(path)}\n"
    return text + ("  isexec: true\n" if isexec else "")


def lock_text(path: str, value: str, isexec: bool = False) -> str:
    """A dvc.lock with one stage `s` and one output."""
    text = "schema: '2.0'\nstages:\n  s:\n    cmd: 'true'\n    outs:\n"
    text += f"    - path: {json.dumps(path)}\n      hash: md5\n      md5: {value}\n"
    return text + ("      isexec: true\n" if isexec else "")


class World:
    """Paths and objects of the attack: payload, good data, hostile manifests, on the remote."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.canary = base / "canary"
        self.marker = base / "PWNED"
        self.store = base / "store"
        self.payload = f"#!/bin/sh\ntouch '{self.marker}'\n".encode()
        self.m = self.put(self.payload)
        self.g = self.put(GOOD)
        self.canary.mkdir()
        (self.canary / "secret.txt").write_bytes(SECRET)
        (self.canary / "sub").mkdir()
        (self.canary / "sub/keep.txt").write_text("keep\n")

    def put(self, data: bytes, suffix: str = "") -> str:
        name = md5(data) + suffix
        path = self.store / "files/md5" / name[:2] / name[2:]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return name

    def manifest(self, pairs: list[tuple[str, str]]) -> str:
        data = json.dumps([{"md5": m, "relpath": r} for r, m in pairs], sort_keys=True).encode()
        return self.put(data, ".dir")

    def cases(self) -> dict[str, tuple[str, str]]:
        """case id -> (dvc file, its text): each refused as a whole."""
        m, g = self.m, self.g
        leak = "../../../../../canary/secret.txt"  # from .dvc/cache/files/md5/<2 chars>: to the canary
        return {
            "hook-post-commit": ("h1.dvc", dvc_out(".git/hooks/post-commit", m, True)),
            "hook-reference-transaction": ("h2.dvc", dvc_out(".git/hooks/reference-transaction", m, True)),
            "git-config": ("gc.dvc", dvc_out(".git/config", m)),
            "cache-object": ("co.dvc", dvc_out(f".dvc/cache/files/md5/{g[:2]}/{g[2:]}", m)),
            "dvc-config": ("dc.dvc", dvc_out(".dvc/config", m)),
            "dvc-config-local": ("dcl.dvc", dvc_out(".dvc/config.local", m)),
            "nested-git": ("ng.dvc", dvc_out("sub/.git/hooks/post-commit", m, True)),
            "absolute": ("ab.dvc", dvc_out(str(self.canary / "abs.txt"), m)),
            "dotdot": ("dd.dvc", dvc_out("../canary/dotdot.txt", m)),
            "wdir-git": ("sub/w.dvc", dvc_out("hooks/post-index-change", m, True, wdir="../.git")),
            "md5-is-path": ("mp.dvc", dvc_out("leak.txt", leak)),
            "md5-not-hex": ("nh.dvc", dvc_out("nothex.txt", "z" * 32)),
            "md5-short": ("ms.dvc", dvc_out("short.txt", m[:20])),
            "md5-upper": ("mu.dvc", dvc_out("upper.txt", m.upper())),
            "md5-int": (
                "mi.dvc",
                "outs:\n- md5: 12345678901234567890123456789012\n  hash: md5\n  path: int.txt\n",
            ),
            "nul-byte": ("nul.dvc", dvc_out("a\0b.txt", m)),
            "long-name": ("ln.dvc", dvc_out("x" * 300, m)),
            "lock-into-git": ("p/dvc.lock", lock_text("../.git/hooks/post-checkout", m, True)),
            "lock-wdir-git": ("q/dvc.lock", lock_text("hooks/post-commit", m, True)),
        }

    def manifest_cases(self) -> dict[str, tuple[str, str]]:
        """case id -> (dvc file, text) of a directory output whose manifest (on the remote) is hostile."""
        m = self.m
        trees = {
            "manifest-dotdot": [("../../canary/m.txt", m)],
            "manifest-absolute": [(str(self.canary / "m_abs.txt"), m)],
            "manifest-empty": [("", m)],
            "manifest-duplicate": [("a", m), ("a", self.g)],
            "manifest-git": [(".git/hooks/post-commit", m)],
            "manifest-file-and-dir": [("a", m), ("a/b", m)],
            "manifest-md5-path": [("leak.txt", "../../../../../canary/secret.txt")],
        }
        return {
            case: (f"{case}.dvc", dvc_out(case.replace("manifest-", "d-"), self.manifest(pairs)))
            for case, pairs in trees.items()
        }


PIPELINES = {  # the dvc.yaml beside each hostile dvc.lock (lock paths are relative to the stage's wdir)
    "p/dvc.lock": "stages:\n  s:\n    cmd: 'true'\n    outs:\n    - ../.git/hooks/post-checkout\n",
    "q/dvc.lock": "stages:\n  s:\n    cmd: 'true'\n    wdir: ../.git\n    outs:\n    - hooks/post-commit\n",
    "w/dvc.lock": "stages:\n  s:\n    cmd: 'true'\n    wdir: out\n    outs:\n    - w.txt\n",
}


def write_case(repo: Path, dvcfile: str, text: str) -> None:
    path = repo / dvcfile
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if dvcfile.endswith("dvc.lock"):
        (path.parent / "dvc.yaml").write_text(PIPELINES[dvcfile])


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """names, bytes and modes of everything under `root` (symlinks by target)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            if path.is_symlink():
                data = os.readlink(path).encode()
            elif path.is_file():
                data = path.read_bytes()
            else:
                data = b""
            found[str(path.relative_to(root))] = (data, st.st_mode)
    return found


def assert_cache_sound(repo: Path) -> None:
    cache = repo / ".dvc/cache/files/md5"
    if not cache.exists():
        return
    for path in cache.rglob("*"):
        if path.is_file() and not path.name.endswith(".tmp"):
            name = path.parent.name + path.name
            assert md5(path.read_bytes()) == name.removesuffix(".dir"), f"cache object {name} does not match"


def assert_no_secret(repo: Path) -> None:
    for dirpath, _dirs, files in os.walk(repo):
        if ".git" in Path(dirpath).relative_to(repo).parts:
            continue
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                assert SECRET not in path.read_bytes(), f"the secret leaked into {path}"


class Guard:
    """Everything that must not change: canary, `.git/hooks`, `.git/config`, `.dvc/config`."""

    def __init__(self, world: World, repo: Path, hooks: Path | None = None) -> None:
        self.world, self.repo = world, repo
        self.hooks = hooks or repo / ".git/hooks"
        self.before = self._state()

    def _state(self):
        dvc_config = (self.repo / ".dvc/config").read_bytes() if (self.repo / ".dvc/config").exists() else b""
        return snapshot(self.world.canary), snapshot(self.hooks), dvc_config

    def check(self) -> None:
        assert self._state() == self.before
        assert b"PWNED" not in (self.repo / ".git/config").read_bytes()  # git itself adds [branch] sections
        assert not self.world.marker.exists(), "planted code ran"
        assert not (self.repo / ".dvc/config.local").exists()
        assert not (self.repo / "sub/.git").exists()
        assert_cache_sound(self.repo)
        assert_no_secret(self.repo)
        assert not list(self.world.base.glob("*.txt")), "a file was written beside the work tree"


def clean(proc: subprocess.CompletedProcess) -> str:
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and "unexpected error" not in out and "internal error" not in out, out
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("gate"))


@pytest.fixture(scope="module")
def template(world: World) -> Path:
    """A stagecore project whose data remote is the attacker's store, holding one good file."""
    repo = world.base / "template"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)  # module scope: set up before the per-test isolated HOME
    git("config", "user.name", "Attacker", cwd=repo)
    git("config", "user.email", "attacker@stagecore.invalid", cwd=repo)
    assert run_cli("init", "-q", cwd=repo).returncode == 0
    (repo / ".dvc/config").write_text(
        f"[core]\n    remote = store\n['remote \"store\"']\n    url = {world.store}\n"
    )
    (repo / "good.txt.dvc").write_text(dvc_out("good.txt", world.g))
    (repo / ".gitignore").write_text("/good.txt\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "good data", cwd=repo)
    return repo


# ---------------------------------------------------------------- CLI

COMMANDS = [("pull",), ("fetch",), ("status",), ("gc", "-w", "-f"), ("repro", "--dry"), ("verify",)]
CASE_IDS = [
    "hook-post-commit",
    "hook-reference-transaction",
    "git-config",
    "cache-object",
    "dvc-config",
    "dvc-config-local",
    "nested-git",
    "absolute",
    "dotdot",
    "wdir-git",
    "md5-is-path",
    "md5-not-hex",
    "md5-short",
    "md5-upper",
    "md5-int",
    "nul-byte",
    "long-name",
    "lock-into-git",
    "lock-wdir-git",
]


@pytest.mark.parametrize("case", CASE_IDS)
def test_cli_refuses_hostile_dvc_file(case, world, template):
    dvcfile, text = world.cases()[case]
    repo = world.base / f"cli-{case}"  # beside the canary: `../canary` and md5 paths aim at it
    shutil.copytree(template, repo, symlinks=True)
    write_case(repo, dvcfile, text)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", f"attack {case}", cwd=repo)  # no hooks installed here: verify reads HEAD
    guard = Guard(world, repo)
    other = COMMANDS[CASE_IDS.index(case) % len(COMMANDS)]
    for args in (("checkout",), other):
        proc = run_cli(*args, cwd=repo)
        clean(proc)
        assert proc.returncode == (255 if args[0] == "repro" else 1), (args, proc.stdout, proc.stderr)
        gc_warning = "WARNING: This will remove all cache except"  # DVC's gc says it first, as DVC
        lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith(gc_warning)]
        named = dvcfile.replace("dvc.lock", "dvc.yaml")  # the CLI judges the loaded stage
        assert lines[0].startswith(f"ERROR: '{named}'"), (args, lines)
        assert all(ln.startswith("hint: ") for ln in lines[1:]), (args, lines)  # one line (+ its hint)
        guard.check()
    assert not (repo / "good.txt").exists() or (repo / "good.txt").read_bytes() == GOOD


MANIFEST_IDS = [
    "manifest-dotdot",
    "manifest-absolute",
    "manifest-empty",
    "manifest-duplicate",
    "manifest-git",
    "manifest-file-and-dir",
    "manifest-md5-path",
]


@pytest.mark.parametrize("case", MANIFEST_IDS)
def test_cli_refuses_hostile_manifest(case, world, template):
    dvcfile, text = world.manifest_cases()[case]
    repo = world.base / f"cli-{case}"
    shutil.copytree(template, repo, symlinks=True)
    write_case(repo, dvcfile, text)
    guard = Guard(world, repo)
    out_path = case.replace("manifest-", "d-")
    for args, code in ((("pull",), 1), (("checkout",), 1), (("gc", "-w", "-f"), 0)):
        proc = run_cli(*args, cwd=repo)
        out = clean(proc)
        assert proc.returncode == code, (args, out)
        assert out_path in out, (args, out)  # named: "output '<path>': its directory manifest is refused"
        guard.check()
    assert (repo / "good.txt").read_bytes() == GOOD  # the rest was done
    target = repo / out_path
    assert not target.exists() or not any(target.rglob("*")), "a refused manifest wrote files"


# ---------------------------------------------------------------- the real hooks


def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False
    )


def commit_attack(
    attacker: Path, cases: dict[str, tuple[str, str]], message: str, good: tuple[str, bytes]
) -> None:
    for dvcfile, text in cases.values():
        write_case(attacker, dvcfile, text)
    name, data = good
    (attacker / f"{name}.dvc").write_text(dvc_out(name, md5(data)))
    git("add", "-A", cwd=attacker)
    git("commit", "-qm", message, cwd=attacker)


def assert_refused_each(out: str, cases: dict[str, tuple[str, str]]) -> None:
    clean_lines = out.splitlines()
    for case, (dvcfile, _text) in cases.items():
        if case.startswith("manifest-"):
            needle = f"'{case.replace('manifest-', 'd-')}': "
        else:
            needle = f"'{dvcfile}' "
        hits = [ln for ln in clean_lines if needle in ln]
        assert len(hits) == 1, (case, hits, out)
        assert "not followed" in hits[0] or "not a safe directory manifest" in hits[0], (case, hits[0])


def test_hooks_on_clone_pull_checkout_rebase(world, template):
    tmp_path = world.base  # the repositories sit beside the canary
    # the attacker: a repository whose data remote holds the payload, pushed to a bare origin
    attacker = tmp_path / "attacker"
    shutil.copytree(template, attacker, symlinks=True)
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", str(origin), cwd=tmp_path)
    cases, manifests = world.cases(), world.manifest_cases()
    later = ("md5-int", "long-name", "lock-into-git", "lock-wdir-git")
    first = {k: v for k, v in cases.items() if k not in later}
    commit_attack(attacker, {**first, **manifests}, "attack 1", ("good1.txt", b"g1\n"))
    world.put(b"g1\n")
    git("remote", "add", "origin", str(origin), cwd=attacker)
    git("push", "-q", "origin", "main", cwd=attacker)

    # the victim's installed hooks (a project of their own), used by `git clone`
    tools = tmp_path / "tools"
    tools.mkdir()
    git("init", "-q", cwd=tools)
    assert run_cli("init", "-q", cwd=tools).returncode == 0
    assert run_cli("install", cwd=tools).returncode == 0
    tools_hooks = snapshot(tools / ".git/hooks")

    victim = tmp_path / "victim"
    proc = subprocess.run(
        ["git", "-c", f"core.hooksPath={tools / '.git/hooks'}", "clone", "-q", str(origin), str(victim)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    out = clean(proc)
    assert proc.returncode == 0, out
    assert_refused_each(out, {**first, **manifests})
    assert (victim / "good.txt").read_bytes() == GOOD and (victim / "good1.txt").read_bytes() == b"g1\n"
    assert snapshot(tools / ".git/hooks") == tools_hooks
    assert all(p.name.endswith(".sample") for p in (victim / ".git/hooks").iterdir())
    assert run_cli("install", cwd=victim).returncode == 0
    guard = Guard(world, victim)
    guard.check()

    # git pull (post-merge) of a second attack
    second = {k: cases[k] for k in later}
    second["hook-post-merge"] = ("h3.dvc", dvc_out(".git/hooks/post-merge", world.m, True))
    world.put(b"g2\n")
    write_case(attacker, "w/dvc.lock", lock_text("w.txt", md5(b"g2\n")))  # a good one: under its wdir
    commit_attack(attacker, second, "attack 2", ("good2.txt", b"g2\n"))
    git("push", "-q", "origin", "main", cwd=attacker)
    proc = gitp("pull", "-q", "--no-rebase", "origin", "main", cwd=victim)
    out = clean(proc)
    assert proc.returncode == 0, out
    assert_refused_each(out, second)
    assert (victim / "good2.txt").read_bytes() == b"g2\n"
    assert (victim / "w/out/w.txt").read_bytes() == b"g2\n"  # a lock path is relative to the stage's wdir
    guard.check()

    # git checkout of an attacker's branch (post-checkout)
    git("checkout", "-qb", "evil", cwd=attacker)
    third = {
        "hook-pre-push": ("h4.dvc", dvc_out(".git/hooks/pre-push", world.m, True)),
        "wdir-dotgit": ("w2.dvc", dvc_out("hooks/post-rewrite", world.m, True, wdir=".git")),
    }
    world.put(b"g3\n")
    commit_attack(attacker, third, "attack 3", ("good3.txt", b"g3\n"))
    git("push", "-q", "origin", "evil", cwd=attacker)
    git("fetch", "-q", "origin", cwd=victim)
    proc = gitp("checkout", "-q", "-b", "evil", "origin/evil", cwd=victim)
    out = clean(proc)
    assert proc.returncode == 0, out
    assert_refused_each(out, third)
    assert (victim / "good3.txt").read_bytes() == b"g3\n"
    guard.check()

    # git rebase of a local commit onto the attacker's new commit (post-rewrite)
    git("checkout", "-q", "main", cwd=victim)
    (victim / "notes.md").write_text("mine\n")
    git("add", "notes.md", cwd=victim)
    assert gitp("commit", "-q", "--no-verify", "-m", "notes", cwd=victim).returncode == 0
    git("checkout", "-q", "main", cwd=attacker)
    fourth = {"hook-post-rewrite": ("h5.dvc", dvc_out(".git/hooks/post-rewrite", world.m, True))}
    world.put(b"g4\n")
    commit_attack(attacker, fourth, "attack 4", ("good4.txt", b"g4\n"))
    git("push", "-q", "origin", "main", cwd=attacker)
    proc = gitp("pull", "-q", "--rebase", "origin", "main", cwd=victim)
    out = clean(proc)
    assert proc.returncode == 0, out
    assert_refused_each(out, fourth)
    assert (victim / "good4.txt").read_bytes() == b"g4\n"
    guard.check()

    # further git commands would run a planted post-commit / reference-transaction / post-checkout hook
    assert gitp("commit", "-q", "--no-verify", "--allow-empty", "-m", "x", cwd=victim).returncode == 0
    assert gitp("update-ref", "refs/heads/probe", "HEAD", cwd=victim).returncode == 0
    assert gitp("checkout", "-q", "probe", cwd=victim).returncode == 0
    guard.check()

    # pre-push refuses to upload on the basis of a hostile dvc file (one line naming it)
    store_before = snapshot(world.store)
    mine = tmp_path / "mine.git"
    git("init", "-q", "--bare", str(mine), cwd=tmp_path)
    proc = gitp("push", "-q", str(mine), "main", cwd=victim)
    out = clean(proc)
    assert proc.returncode != 0, out
    errors = [ln for ln in out.splitlines() if "ERROR:" in ln]
    assert len(errors) == 1 and "stagecore pre-push: ERROR: '" in errors[0] and ".dvc' " in errors[0], out
    assert snapshot(world.store) == store_before
    guard.check()
