"""`dag` lists nodes in DVC's index order (its top-down walk of the work tree), and `stage add`
refuses an output `.dvcignore` hides, as DVC 3.67.1 does (twin repositories, DVC as the oracle)."""

from __future__ import annotations

from pathlib import Path

from stagecore.core.dag import walk_order
from stagecore.core.stage import Stage
from tests.helpers import dvc_ok, git, refused, run_dvc, sc

PIPE = """stages:
  zeta:
    cmd: cp {d}foo {d}bar
    deps:
    - foo
    outs:
    - bar
  alpha:
    cmd: cp {d}bar {d}baz
    deps:
    - bar
    outs:
    - baz
"""
DVCFILE = "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: {name}\n"


def test_walk_order_files_before_subdirectories_in_listing_order():
    listing = {"": ["sub", "b.dvc", "dvc.yaml", "a.dvc"], "sub": ["dvc.yaml", "x.dvc"], "sub/deep": ["c.dvc"]}
    stages = [Stage("a.dvc"), Stage("b.dvc"), Stage("dvc.yaml", "s2"), Stage("dvc.yaml", "s1"),
              Stage("sub/deep/c.dvc"), Stage("sub/dvc.yaml", "t"), Stage("sub/x.dvc")]
    ordered = walk_order(stages, lambda rel: listing.get(rel, []))
    assert [s.addressing for s in ordered] == ["b.dvc", "s2", "s1", "a.dvc", "sub/dvc.yaml:t", "sub/x.dvc",
                                               "sub/deep/c.dvc"]
    assert walk_order([], lambda rel: []) == []


def _twin(base: Path, name: str) -> Path:
    repo = base / name
    (repo / "sub").mkdir(parents=True)
    git("init", "-q", cwd=repo)
    for rel, text in [("dvc.yaml", PIPE.format(d="")), ("sub/dvc.yaml", PIPE.format(d="")),
                      ("foo", "foo"), ("sub/foo", "foo"), ("a.dvc", DVCFILE.format(name="a")),
                      ("m.dvc", DVCFILE.format(name="m")), ("sub/q.dvc", DVCFILE.format(name="q"))]:
        (repo / rel).write_text(text, encoding="utf-8")
    return repo


def test_dag_dot_node_order_matches_dvc(tmp_path: Path) -> None:
    ours = _twin(tmp_path, "ours")
    theirs = _twin(tmp_path, "theirs")
    assert sc("init", "-q", cwd=ours).returncode == 0
    dvc_ok("init", "-q", cwd=theirs)
    expected = dvc_ok("dag", "--dot", cwd=theirs).stdout
    got = sc("dag", "--dot", cwd=ours)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected
    assert '"alpha"' in expected and '"sub/dvc.yaml:zeta"' in expected and '"m.dvc"' in expected


def test_stage_add_refuses_dvcignored_output_like_dvc(tmp_path: Path) -> None:
    outcomes = []
    for name in ("ours", "theirs"):
        repo = tmp_path / name
        repo.mkdir()
        git("init", "-q", cwd=repo)
        (repo / ".dvcignore").write_text("*.log\n!foo.log\n", encoding="utf-8")
        (repo / "foo").write_text("foo", encoding="utf-8")
        tool = sc if name == "ours" else run_dvc
        assert tool("init", "-q", cwd=repo).returncode == 0
        for flags in ((), ("--run",)):
            proc = tool("stage", "add", *flags, "-n", "copy", "-d", "foo", "-o", "sub/abc.log",
                        "cp foo sub/abc.log", cwd=repo)
            line = refused(proc, code=255)
            outcomes.append(line.replace(str(repo), "<REPO>"))
            assert not (repo / "dvc.yaml").exists() and not (repo / ".gitignore").exists()
            assert not (repo / "sub").exists()
    assert outcomes[0] == "ERROR: Path '<REPO>/sub/abc.log' is ignored by .dvcignore:1:*.log"
    assert outcomes[:2] == outcomes[2:]
