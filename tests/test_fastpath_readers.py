"""The standard-library readers behind the hooks' fast paths, against real git.

stagecore.fastpath.snapshot.index_entries reads git's index in one pass (a path's length from its
flags); each index version git writes (2, 3 with extended flags, 4 with prefix-compressed
paths), a path longer than the 12-bit length field, and a sparse index are checked against
what git itself says. stagecore.fastpath.pushed._git runs git without the subprocess module.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, git

LONG = "deps/" + "/".join(["x" * 200] * 22) + "/long.txt"  # > 0xFFF bytes: the length field saturates


def _repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "r"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    for rel, text in (("a.txt", "a\n"), ("deps/one.txt", "1\n"), ("deps/sub/two.txt", "2\n"),
                      ("model.dvc", "outs: []\n"), ("sub/dvc.lock", "{}\n"), ("zzz.txt", "z\n")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=root)
    oid = git("hash-object", "-w", "a.txt", cwd=root).strip()
    git("update-index", "--add", "--cacheinfo", f"100644,{oid},{LONG}", cwd=root)
    return root, oid


def _read(root: Path) -> bytes | None:
    from stagecore.fastpath.records import index_entries, relevance

    return index_entries(str(root / ".git" / "index"), relevance([b"a.txt"], [b"deps/"], b".dvc/tmp/own"))


@pytest.mark.parametrize("version", [2, 3, 4])
def test_index_reader_takes_exactly_the_relevant_entries(tmp_path: Path, version: int) -> None:
    root, oid = _repo(tmp_path)
    if version == 3:
        (root / "deps" / "new.txt").write_text("n\n", encoding="utf-8")
        git("add", "-N", "deps/new.txt", cwd=root)  # intent-to-add: an extended flag, version 3
    git("update-index", "--index-version", str(version), cwd=root)
    assert int.from_bytes((root / ".git" / "index").read_bytes()[4:8], "big") == version
    staged = git("ls-files", "-z", cwd=root).split("\0")
    assert LONG in staged
    found = _read(root)
    assert found is not None
    wanted = [p for p in staged if p and (p == "a.txt" or p.startswith("deps/") or p.endswith((".dvc", "dvc.lock")))]
    others = [p for p in staged if p and p not in wanted]
    assert others == ["zzz.txt"]
    for path in wanted:  # each relevant entry's path, whole (v4: rebuilt from its predecessor)
        assert path.encode() in found, path
    assert b"zzz.txt" not in found
    (root / "zzz.txt").write_text("changed\n", encoding="utf-8")
    git("add", "zzz.txt", cwd=root)
    assert _read(root) == found  # an irrelevant entry changed: same bytes
    git("update-index", "--cacheinfo", f"100755,{oid},deps/one.txt", cwd=root)
    assert _read(root) not in (found, None)  # a relevant one changed (mode): different bytes


def test_index_reader_refuses_a_sparse_or_broken_index(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    git("update-index", "--force-remove", LONG, cwd=root)
    git("commit", "-q", "--no-verify", "-m", "base", cwd=root,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
             "GIT_COMMITTER_EMAIL": "t@t"})
    index = root / ".git" / "index"
    good = index.read_bytes()
    assert _read(root) is not None
    index.write_bytes(good[:200])  # truncated inside an entry
    assert _read(root) is None
    index.write_bytes(good)
    git("sparse-checkout", "set", "--cone", "--sparse-index", "deps", cwd=root)
    assert b"sdir" in index.read_bytes()
    assert _read(root) is None


def test_pushed_git_runs_git_without_subprocess_or_re(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    code = (
        "import sys; sys.path.append(sys.argv[1]); from stagecore.fastpath import pushed; "
        "out = pushed._git(sys.argv[2], 'ls-files', '-z'); bad = pushed._git(sys.argv[2], 'no-such-command'); "
        "gone = pushed._git(sys.argv[2] + '/gone', 'status'); "
        "print(sorted(out.split(b'\\0'))[1:3], bad, gone, 'subprocess' in sys.modules, 're' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(REPO_ROOT), str(root)], capture_output=True,
                          text=True, check=False, env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[b'a.txt', b'deps/one.txt'] None None False False"


def test_hook_entry_leaves_the_collector_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process callers (`stagecore hook`, tests) keep gc on, whichever way the hook went."""
    from githooks._entry import run_hook

    monkeypatch.chdir(tmp_path)  # no .dvc: the fast path is not tried, the full hook says nothing to do
    assert run_hook("pre-commit", []) == 0
    assert gc.isenabled()


def test_pushed_dvc_blobs_takes_dvc_files_and_projects_only(tmp_path: Path) -> None:
    from stagecore.fastpath.pushed import dvc_blobs

    root = tmp_path / "p"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    names = ["a.dvc", ".dvc", "dvc.yaml", "sub/dvc.lock", "sub/.dvc/config", ".dvc/config", "xdvc.lock",
             "dvc.yaml.bak", "sub/notdvc.yaml", "deep/er/m.dvc", "data/keep.txt"]
    for number, rel in enumerate(names):
        if rel == ".dvc":
            continue  # a directory here
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"{number}\n", encoding="utf-8")
    git("add", "-A", cwd=root)
    git("commit", "-q", "--no-verify", "-m", "c", cwd=root,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})
    projects: set[str] = set()
    found = dvc_blobs(str(root), ["HEAD"], projects)
    want = {git("rev-parse", f"HEAD:{rel}", cwd=root).strip() for rel in ("a.dvc", "dvc.yaml", "sub/dvc.lock",
                                                                            "deep/er/m.dvc")}
    assert (found, projects) == (want, {"", "sub"})
