"""`add`, `commit`, `remove`, `move`, `unprotect` against real DVC 3.67.1, in twin repositories
(issue 10): exit codes, the bytes of the dvc files and `.gitignore`s written, the workspace, the
cache; and the pre-commit gate refusing the overlaps `add` refuses, through a real `git commit`."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import clean_env, git, ok, refused, run_dvc, sc

Setup = Callable[[Path], None]


class Twins:
    """The same steps in a DVC repository and in a stagecore one."""

    def __init__(self, base: Path) -> None:
        self.dvc_root, self.sc_root = base / "dvc", base / "sc"
        for root in self.roots:
            root.mkdir()
            git("init", "-q", cwd=root)
        assert run_dvc("init", "-q", cwd=self.dvc_root).returncode == 0
        ok("init", "-q", cwd=self.sc_root)

    @property
    def roots(self) -> tuple[Path, Path]:
        return self.dvc_root, self.sc_root

    def each(self, setup: Setup) -> None:
        for root in self.roots:
            setup(root)

    def run(self, *args: str, sub: str = "") -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        theirs = run_dvc(*args, cwd=self.dvc_root / sub)
        ours = sc(*args, cwd=self.sc_root / sub)
        return theirs, ours

    def both_ok(self, *args: str, sub: str = "") -> None:
        theirs, ours = self.run(*args, sub=sub)
        assert theirs.returncode == 0, theirs.stdout + theirs.stderr
        assert ours.returncode == 0, ours.stdout + ours.stderr

    def same(self, *rels: str) -> None:
        """Each file has the same bytes in both (or is absent from both)."""
        for rel in rels:
            a, b = self.dvc_root / rel, self.sc_root / rel
            assert a.exists() == b.exists(), rel
            if a.exists():
                assert a.read_bytes() == b.read_bytes(), f"{rel}:\n{a.read_text()}\n--- ours:\n{b.read_text()}"

    def same_tree(self) -> None:
        """The same work tree (names and bytes; .git and .dvc left out) and the same cache objects."""
        assert listing(self.sc_root) == listing(self.dvc_root)
        assert cache_objects(self.sc_root) == cache_objects(self.dvc_root)


def listing(root: Path) -> dict[str, bytes | str]:
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".dvc")]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath, name)
            rel = str(path.relative_to(root))
            found[rel] = "link" if path.is_symlink() and not path.exists() else (
                "dirlink" if path.is_dir() else path.read_bytes())
    return found


def cache_objects(root: Path) -> set[str]:
    cache = root / ".dvc/cache/files/md5"
    return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".tmp")}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def twins(tmp_path: Path, dvc_bin: Path) -> Twins:
    return Twins(tmp_path)


# -- data integrity -----------------------------------------------------------------------------
def test_re_adding_unchanged_linked_data_leaves_no_temp_files_nor_junk(twins: Twins) -> None:
    """test_add.py::test_add_unchanged / test_readding_dir_should_not_unprotect_all, cache.type hardlink."""
    twins.each(lambda r: write(r, {"data/a": "a\n", "data/sub/b": "b\n", "data/e": "", "f": "x\n", "empty": ""}))
    twins.both_ok("config", "cache.type", "hardlink")
    twins.both_ok("add", "-q", "data", "f", "empty")
    twins.both_ok("add", "-q", "data", "f", "empty")  # unchanged: every file re-linked onto itself
    twins.both_ok("add", "-q", "data")
    twins.same("data.dvc", "f.dvc", "empty.dvc", ".gitignore")
    twins.same_tree()
    leftovers = [p for p in twins.sc_root.rglob("*") if ".git" not in p.parts and p.name.endswith(".tmp")]
    assert leftovers == []
    assert ok("status", cwd=twins.sc_root).stdout == "Data and pipelines are up to date.\n"
    for root in twins.roots:  # test_add.py::test_add_empty_files: DVC copies empty files, hardlinks the rest
        for rel, links in (("empty", 1), ("data/e", 1), ("data/a", 2)):
            st = os.stat(root / rel)
            assert (root.name, rel, st.st_nlink, bool(st.st_mode & stat.S_IWUSR)) == (root.name, rel, links, links == 1)


# -- add refuses what DVC refuses -------------------------------------------------------------------
PIPE = "stages:\n  s:\n    cmd: echo\n    outs:\n    - out\n    - od\n    - pp/in\n"
TWO = "stages:\n  a:\n    cmd: echo\n    outs: [two]\n  b:\n    cmd: echo\n    outs: [two]\n"

REFUSALS: list[tuple[str, str, str, str]] = [
    # (DVC test it comes from, target, DVC's words, ours): all in one repository, none writes anything
    ("test_add.py::test_add_parent_of_tracked_file", "dir",
     "overlapping with other DVC tracked output: 'dir/file1'", "overlapping with other DVC tracked output: 'dir/file1'"),
    ("test_add.py (a stage's output)", "out",
     "overlaps with an output of stage: 's' in 'dvc.yaml'", "overlaps with an output of stage: 's' in 'dvc.yaml'"),
    ("test_add.py (a path inside a stage's output directory)", "od/f",
     "overlaps with an output of stage: 's' in 'dvc.yaml'", "overlaps with an output of stage: 's' in 'dvc.yaml'"),
    ("test_add.py (the parent of a stage's output)", "pp",
     "overlapping with other DVC tracked output: 'pp/in'", "overlapping with other DVC tracked output: 'pp/in'"),
    ("test_add.py::test_add_pipeline_file", "dvc.yaml",
     "DVC file 'dvc.yaml' cannot be an output.", "DVC file 'dvc.yaml' cannot be an output."),
    ("test_add.py::test_add_file_in_dvc_file", "dir/file1.dvc",
     "DVC file 'file1.dvc' cannot be an output.", "DVC file 'file1.dvc' cannot be an output."),
    ("test_add.py::test_add_ignored (a .dvc name git ignores)", "g/gi",
     "bad DVC file name 'g/gi.dvc' is git-ignored.", "bad DVC file name 'g/gi.dvc' is git-ignored."),
    ("test_add.py::test_add_ignored (.dvcignore)", "ign", "is ignored by .dvcignore", "is ignored by .dvcignore"),
    ("test_add.py::test_add_symlink_dir", "link",
     "Cannot add files inside symlinked directories to DVC", "Cannot add files inside symlinked directories"),
    ("test_add.py::test_add_file_in_symlink_dir", "link/f",
     "Cannot add files inside symlinked directories to DVC", "Cannot add files inside symlinked directories"),
]


def test_add_refuses_what_dvc_refuses_and_writes_nothing(twins: Twins) -> None:
    files = {"dir/file1": "1", "dir/file2": "2", "dvc.yaml": PIPE, "out": "x", "od/f": "1", "pp/in": "1",
             "g/.gitignore": "*.dvc\n", "g/gi": "1", ".dvcignore": "ign\n", "ign": "1", "real/f": "r"}
    twins.each(lambda r: write(r, files))
    twins.each(lambda r: os.symlink("real", r / "link"))
    twins.both_ok("add", "-q", "dir/file1")
    before = listing(twins.sc_root)
    for origin, target, theirs_words, our_words in REFUSALS:
        theirs, ours = twins.run("add", target)
        assert theirs.returncode == 1 and theirs_words in theirs.stderr, (origin, theirs.stderr)
        refused(ours, our_words, code=1)
    assert listing(twins.sc_root) == before
    twins.same_tree()
    twins.same(".gitignore", "dir/.gitignore", "dir.dvc", "out.dvc", "od/f.dvc", "pp.dvc", "g/gi.dvc", "link.dvc")


def test_add_refuses_while_the_repository_has_overlaps_or_a_broken_dvc_file(twins: Twins) -> None:
    """test_stage.py (one output, two stages: DVC builds its whole graph first) and
    test_add.py::test_add_with_broken_dvcfile ('add bar' while foo.dvc is corrupt)."""
    twins.each(lambda r: write(r, {"dvc.yaml": TWO, "two": "2", "bar": "b", "foo": "1"}))
    theirs, ours = twins.run("add", "bar")
    assert theirs.returncode == 1 and "output 'two' is specified in" in theirs.stderr
    refused(ours, "output 'two' is specified in both stage 'a' in 'dvc.yaml' and stage 'b' in 'dvc.yaml'")
    twins.each(lambda r: (r / "dvc.yaml").unlink())
    twins.both_ok("add", "-q", "foo")
    twins.each(lambda r: (r / "foo.dvc").write_text("outs: [[[\n"))
    theirs, ours = twins.run("add", "bar")
    assert theirs.returncode == 1 and "'./foo.dvc' is invalid" in theirs.stderr
    refused(ours, "'foo.dvc' is invalid YAML")
    twins.same("bar.dvc", ".gitignore")
    twins.same_tree()


def test_add_inside_a_tracked_directory_updates_its_dvc_file(twins: Twins) -> None:
    """test_add.py::test_add_file_in_dir / test_add_tracked_file (DVC 3: the directory's .dvc file)."""
    twins.each(lambda r: write(r, {"t/a": "a\n"}))
    twins.both_ok("add", "-q", "t")
    twins.each(lambda r: write(r, {"t/b": "b\n"}))
    twins.both_ok("add", "-q", "t/b")
    assert not (twins.sc_root / "t/b.dvc").exists()
    twins.same("t.dvc", ".gitignore", "t/.gitignore")
    twins.same_tree()


def test_symlinked_file_is_added_as_its_content(twins: Twins) -> None:
    """test_add.py::test_add_symlink_file."""
    twins.each(lambda r: write(r, {"target": "content\n"}))
    twins.each(lambda r: os.symlink("target", r / "sfile"))
    twins.both_ok("add", "-q", "sfile")
    assert not (twins.sc_root / "sfile").is_symlink()
    twins.same("sfile.dvc", ".gitignore")
    twins.same_tree()


# -- add flags -----------------------------------------------------------------------------------------
def test_add_no_commit_records_the_hash_only(twins: Twins) -> None:
    """test_add.py::test_add_no_commit (DVC 3: `--no-commit`)."""
    twins.each(lambda r: write(r, {"nc": "nc\n", "d/x": "x\n"}))
    twins.both_ok("add", "-q", "--no-commit", "nc", "d")
    twins.same("nc.dvc", "d.dvc", ".gitignore")
    twins.same_tree()
    assert cache_objects(twins.sc_root) == set()
    theirs, ours = twins.run("status")
    assert "not in cache:       nc" in theirs.stdout and "not in cache:       nc" in ours.stdout, ours.stdout
    # test_commit.py::test_commit_granular_output_file, test_add.py::test_add_commit: no -f needed
    twins.both_ok("commit", "-q", "d/x")
    assert cache_objects(twins.sc_root) == cache_objects(twins.dvc_root) != set()
    twins.both_ok("commit", "-q", "nc.dvc")
    twins.same("nc.dvc", "d.dvc")
    twins.same_tree()


def test_add_glob(twins: Twins) -> None:
    """test_add.py::test_add_with_glob (dvc add --glob)."""
    twins.each(lambda r: write(r, {"g1.txt": "1", "g2.txt": "2", "other": "o"}))
    twins.both_ok("add", "-q", "--glob", "g*.txt")
    twins.same("g1.txt.dvc", "g2.txt.dvc", "other.dvc", ".gitignore")
    theirs, ours = twins.run("add", "--glob", "zz*")
    assert theirs.returncode == 1 and "Glob ['zz*'] has no matches." in theirs.stderr
    refused(ours, "Glob ['zz*'] has no matches.")


def test_add_out_copies_into_the_repository(twins: Twins, tmp_path: Path) -> None:
    """test_add.py::test_add_to_cache_file / test_add_to_cache_dir style (`-o` on a local path), `--force`."""
    write(tmp_path, {"ext/e.txt": "extdata\n", "ext/dir/1": "1\n"})
    ext = str(tmp_path / "ext")
    twins.both_ok("add", "-q", f"{ext}/e.txt", "-o", "e.txt")
    twins.both_ok("add", "-q", f"{ext}/dir", "-o", "edir")
    theirs, ours = twins.run("add", f"{ext}/e.txt", "-o", "e.txt")
    assert theirs.returncode == 1 and "The file 'e.txt' already exists locally." in theirs.stderr
    refused(ours, "The file 'e.txt' already exists locally.")
    (tmp_path / "ext/e.txt").write_text("changed\n")
    twins.both_ok("add", "-q", f"{ext}/e.txt", "-o", "e.txt", "-f")
    theirs, ours = twins.run("add", "a", "b", "-o", "x")
    assert theirs.returncode == 1 and "multiple targets can't be used with --out" in theirs.stderr
    refused(ours, "multiple targets can't be used with --out")
    twins.same("e.txt.dvc", "edir.dvc", ".gitignore")
    twins.same_tree()
    assert (tmp_path / "ext/e.txt").exists()  # copied, not moved


# -- commit ------------------------------------------------------------------------------------------------
def test_commit_force_completes_a_hand_written_dvc_file(twins: Twins) -> None:
    """test_commit.py::test_commit_force / test_commit_preserve_fields: extra fields kept, .gitignore entry."""
    text = "desc: my data\nmeta:\n  owner: me\nouts:\n- path: hw\n  desc: out desc\n"
    twins.each(lambda r: write(r, {"hw": "hw\n", "hw.dvc": text, "hw2": "2\n", "hw2.dvc": "outs:\n- path: hw2\n"}))
    twins.both_ok("commit", "-q", "-f", "hw.dvc")
    twins.same("hw.dvc", ".gitignore")
    assert (twins.sc_root / ".gitignore").read_text() == "/hw\n"
    theirs, ours = twins.run("commit", "hw2.dvc")
    assert theirs.returncode == 1
    words = "failed to commit hw2.dvc - unable to commit changed stage: 'hw2.dvc'. Use `-f|--force` to force."
    assert words in theirs.stderr
    refused(ours, words)
    twins.same("hw2.dvc")


def test_commit_of_a_changed_output_asks_for_force(twins: Twins) -> None:
    """test_commit.py::test_commit_changed_md5 / test_commit_granular_dir (not a terminal: refused)."""
    twins.each(lambda r: write(r, {"d/1": "1\n", "f": "f\n"}))
    twins.both_ok("add", "-q", "d", "f")
    twins.each(lambda r: write(r, {"d/2": "2\n", "f": "f2\n"}))
    theirs, ours = twins.run("commit", "d.dvc")
    assert theirs.returncode == ours.returncode == 1
    refused(ours, "failed to commit d.dvc - unable to commit changed stage: 'd.dvc'. Use `-f|--force` to force.")
    assert "unable to commit changed stage: 'd.dvc'" in theirs.stderr
    theirs, ours = twins.run("commit")
    assert theirs.returncode == ours.returncode == 1
    refused(ours, "failed to commit - unable to commit changed stage")
    twins.same("d.dvc", "f.dvc")
    twins.both_ok("commit", "-q", "-f")
    twins.same("d.dvc", "f.dvc")
    twins.same_tree()


def test_commit_writes_the_run_cache_entry_and_honours_with_deps_and_recursive(twins: Twins) -> None:
    """test_commit.py::test_commit_pipeline_stage / test_commit_with_deps / test_commit_recursive;
    run cache: test_run_cache.py::test_save (the key and value DVC writes)."""
    pipe = ("stages:\n  s:\n    cmd: cp in out\n    deps: [in]\n    outs: [out]\n"
            "  t:\n    cmd: cp out out2\n    deps: [out]\n    outs: [out2]\n")
    twins.each(lambda r: write(r, {"dvc.yaml": pipe, "in": "in\n", "out": "in\n", "out2": "in\n",
                                   "sub/a": "a\n", "sub/b": "b\n"}))
    twins.both_ok("commit", "-q", "-f", "s")
    twins.same("dvc.lock", ".gitignore")
    runs = [sorted(str(p.relative_to(root / ".dvc/cache/runs")) for p in (root / ".dvc/cache/runs").rglob("*")
                   if p.is_file()) for root in twins.roots]
    assert runs[0] == runs[1] and len(runs[0]) == 1
    twins.each(lambda r: write(r, {"in": "x\n", "out": "x\n", "out2": "x\n"}))
    twins.both_ok("commit", "-q", "-f", "-d", "t")
    twins.same("dvc.lock")
    twins.both_ok("add", "-q", "sub/a", "sub/b")
    twins.each(lambda r: write(r, {"sub/a": "a2\n", "sub/b": "b2\n"}))
    twins.both_ok("commit", "-q", "-f", "-R", "sub")
    twins.same("sub/a.dvc", "sub/b.dvc")
    assert ok("status", cwd=twins.sc_root).stdout == "Data and pipelines are up to date.\n"


# -- remove ------------------------------------------------------------------------------------------------
def test_remove_of_the_data_path_asks_for_the_dvc_file(twins: Twins) -> None:
    """test_remove.py::test_remove (a data path is not a target)."""
    twins.each(lambda r: write(r, {"foo": "f\n"}))
    twins.both_ok("add", "-q", "foo")
    theirs, ours = twins.run("remove", "foo")
    assert theirs.returncode == ours.returncode == 1
    assert "'foo' is not a .dvc file. Do you mean 'foo.dvc'?" in theirs.stderr
    refused(ours, "'foo' is not a .dvc file. Do you mean 'foo.dvc'?")
    twins.same("foo.dvc", ".gitignore")


def test_remove_leaves_private_copies_not_cache_links(twins: Twins) -> None:
    """test_remove.py::test_remove (DVC unprotects the outputs of what it stops tracking; cache.type symlink)."""
    twins.each(lambda r: write(r, {"h": "h\n", "d/1": "1\n"}))
    twins.both_ok("config", "cache.type", "symlink")
    twins.both_ok("add", "-q", "h", "d")
    twins.both_ok("remove", "-q", "h.dvc", "d.dvc")
    for root in twins.roots:
        for rel in ("h", "d/1"):
            st = os.lstat(root / rel)
            assert (root.name, stat.S_ISREG(st.st_mode), st.st_nlink, bool(st.st_mode & stat.S_IWUSR)) == \
                (root.name, True, 1, True)
    twins.same_tree()
    twins.same(".gitignore")


def test_remove_of_a_broken_symlink_output_leaves_no_dangling_link(twins: Twins) -> None:
    """test_remove.py::test_remove_broken_symlink: `--outs` (DVC: link gone, exit 0); without it
    DVC 3.67.1 crashes (255) where stagecore removes the link to nothing (deliberate)."""
    twins.each(lambda r: write(r, {"b": "b\n", "c": "c\n"}))
    twins.both_ok("config", "cache.type", "symlink")
    twins.both_ok("add", "-q", "b", "c")
    for root in twins.roots:
        for obj in (root / ".dvc/cache/files/md5").rglob("*"):
            if obj.is_file():
                obj.chmod(0o644)
                obj.unlink()
    twins.both_ok("remove", "-q", "c.dvc", "--outs")
    theirs, ours = twins.run("remove", "b.dvc")
    assert theirs.returncode == 255 and ours.returncode == 0, ours.stderr
    assert not os.path.lexists(twins.sc_root / "b") and not os.path.lexists(twins.sc_root / "c")
    assert not os.path.lexists(twins.dvc_root / "c")


# -- move and unprotect -----------------------------------------------------------------------------------------
def test_move_as_dvc_does(twins: Twins) -> None:
    """test_move.py::test_move / test_move_file_to_directory / test_move_directory /
    test_move_file_inside_directory / test_move_should_save_stage_info / test_move_output_overlap."""
    text = "# comment\ndesc: hello\nmeta:\n  k: v\nouts:\n- md5: 9a8ad92c50cae39aa2c5604fd0ab6d8c\n" \
           "  size: 2\n  hash: md5\n  path: foo\n  desc: outdesc\n"
    twins.each(lambda r: write(r, {"foo": "f\n", "foo.dvc": text, "d/1": "1\n", "c": "c\n", "s1/z": "z\n",
                                   "dvc.yaml": "stages:\n  s:\n    cmd: echo\n    outs: [po]\n", "po": "p\n"}))
    twins.both_ok("add", "-q", "d", "c", "s1/z")
    twins.each(lambda r: (r / "c.dvc").rename(r / "custom.dvc"))
    twins.each(lambda r: (r / "sub").mkdir())
    twins.each(lambda r: (r / "dst").mkdir())
    twins.both_ok("move", "-q", "foo", "bar")
    twins.both_ok("mv", "-q", "d", "sub/d2")
    twins.both_ok("mv", "-q", "bar", "dst")
    twins.both_ok("mv", "-q", "c", "c2")
    twins.both_ok("mv", "-q", "z", "zz", sub="s1")
    twins.same("dst/bar.dvc", "sub/d2.dvc", "custom.dvc", "s1/zz.dvc", ".gitignore", "sub/.gitignore",
               "dst/.gitignore", "s1/.gitignore")
    twins.same_tree()
    for args, words in ((("mv", "u", "u2"), "Unable to find DVC file with output 'u'"),
                        (("mv", "custom.dvc", "x.dvc"), "DVC file 'custom.dvc' cannot be an output."),
                        (("mv", "po", "po2"), "move is not permitted for stages that are not data sources")):
        theirs, ours = twins.run(*args)
        assert theirs.returncode == 1 and words in theirs.stderr, theirs.stderr
        refused(ours, f"failed to move '{args[1]}' -> '{args[2]}' - {words}")
    moved = ("dst/bar.dvc", "sub/d2.dvc", "custom.dvc", "s1/zz.dvc")
    assert ok("status", *moved, cwd=twins.sc_root).stdout == "Data and pipelines are up to date.\n"


def test_unprotect_as_dvc_does(twins: Twins) -> None:
    """test_unprotect.py::test_unprotect."""
    twins.each(lambda r: write(r, {"foo": "f\n", "d/1": "1\n", "u": "u\n"}))
    twins.both_ok("config", "cache.type", "hardlink")
    twins.both_ok("add", "-q", "foo", "d")
    twins.both_ok("unprotect", "foo", "d", "u")
    for root in twins.roots:
        for rel in ("foo", "d/1"):
            st = os.stat(root / rel)
            assert (root.name, rel, st.st_nlink, bool(st.st_mode & stat.S_IWUSR)) == (root.name, rel, 1, True)
    (twins.sc_root / "foo").write_text("edited\n")  # the cache object is not touched
    assert ok("status", cwd=twins.sc_root).stdout.startswith("foo.dvc:")
    theirs, ours = twins.run("unprotect", "nothere")
    assert theirs.returncode == ours.returncode == 255
    refused(ours, "can't unprotect non-existing data 'nothere'", code=255)


# -- the pre-commit gate refuses the same overlaps -----------------------------------------------------------------
def gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)


@pytest.mark.parametrize("case", ["nested", "same-path"])
def test_pre_commit_refuses_overlapping_outputs_naming_both_files(tmp_path: Path, case: str) -> None:
    """What `add` refuses cannot enter git by hand either: one line naming both dvc files / stages."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    ok("install", cwd=repo)
    write(repo, {"dir/file1": "1\n", "dir/file2": "2\n"})
    ok("add", "-q", "dir/file1", cwd=repo)
    if case == "nested":  # dir.dvc written by hand around the tracked dir/file1
        ok("add", "-q", "dir/file2", cwd=repo)
        (repo / "dir.dvc").write_text("outs:\n- path: dir\n")
        expected = "output 'dir/file1' of 'dir/file1.dvc' is inside output 'dir' of 'dir.dvc'"
    else:  # a second .dvc file claiming dir/file1
        (repo / "copy.dvc").write_text((repo / "dir/file1.dvc").read_text().replace("path: file1", "path: dir/file1"))
        expected = "output 'dir/file1' is specified in both 'copy.dvc' and 'dir/file1.dvc'"
    git("add", "-A", cwd=repo)
    proc = gitp("commit", "-m", "overlap", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert "stagecore pre-commit: commit refused" in proc.stderr
    assert gitp("rev-parse", "-q", "--verify", "HEAD", cwd=repo).returncode != 0  # nothing committed
