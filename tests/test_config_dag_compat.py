"""Issue 9 items 6 and 7 against the real DVC 3.67.1, in twin repositories: an invalid
`.dvc/config` refused by every command (251), a DVC 1.x `dvc.lock`, the ASCII `dag` drawing
every edge (also those skipping a layer), `stage list` descriptions and `--all`, and `params
diff` / `metrics show` in a git repository without `.dvc/`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import git, run_dvc, sc


def twins(tmp_path: Path, files: dict[str, str], dvc_init: bool = True) -> tuple[Path, Path]:
    """A git repository (with `.dvc/` made by the real `dvc init` unless told not to) holding
    `files`, committed, and its copy: (for DVC, for stagecore)."""
    base = tmp_path / "dvc"
    base.mkdir()
    git("init", "-q", cwd=base)
    if dvc_init:
        assert run_dvc("init", "-q", cwd=base).returncode == 0
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    git("add", "-A", cwd=base)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init", cwd=base)
    twin = tmp_path / "sc"
    shutil.copytree(base, twin, symlinks=True)
    return base, twin


# ---------------------------------------------------------------- item 6: config, 1.x lock

PIPELINE = """stages:
  prep:
    cmd: cp data.txt prep.txt
    deps: [data.txt]
    params: [lr]
    outs: [prep.txt]
"""


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("[core]\n    cloud = s3\n", "extra keys not allowed @ data['core']['cloud']"),  # a DVC 0.x key
        ("[core]\n    autostage = maybe\n", "expected true or false for dictionary value @ data['core']['autostage']"),
        ("['remote \"r\"']\n    jobs = 2\n", "expected 'url' for dictionary value @ data['remote']['r']"),
        ("['remote \"r\"']\n    url = /tmp/r\n    jobs = many\n",
         "expected int for dictionary value @ data['remote']['r']['jobs']"),
    ],
)
def test_invalid_config_is_refused_by_every_command(dvc_bin, tmp_path, config, problem):
    mine, theirs = twins(tmp_path, {"dvc.yaml": PIPELINE, "params.yaml": "lr: 1\n", "data.txt": "x\n"})
    for repo in (mine, theirs):
        (repo / ".dvc/config").write_text(config)
    for command in (["status"], ["dag"], ["stage", "list"], ["params", "diff"], ["metrics", "show"]):
        want, got = run_dvc(*command, cwd=mine), sc(*command, cwd=theirs)
        assert (want.returncode, got.returncode) == (251, 251), (command, want.stderr, got.stderr)
        assert want.stdout == got.stdout == "", command
        assert problem in want.stderr.splitlines()[0]
        assert got.stderr.splitlines()[0] == f"ERROR: config file error in '{theirs}/.dvc/config': {problem}"
        assert got.stderr.splitlines()[1].startswith("hint: ") and "Traceback" not in got.stderr


def test_an_invalid_config_can_be_read_and_fixed_as_dvc_allows(dvc_bin, tmp_path):
    """`dvc config` reads the files unvalidated: list, get and `remote list` answer, `--unset` of the
    0.x key (or a value that makes the file valid) is written; a write leaving it invalid is 251."""
    mine, theirs = twins(tmp_path, {"dvc.yaml": PIPELINE, "params.yaml": "lr: 1\n", "data.txt": "x\n"})
    config = "[core]\n    cloud = s3\n    remote = myr\n['remote \"myr\"']\n    url = /tmp/r\n"
    for repo in (mine, theirs):
        (repo / ".dvc/config").write_text(config)
    listed = "remote.myr.url=/tmp/r\ncore.cloud=s3\ncore.remote=myr\n"
    refused = "ERROR: configuration error - config file error: extra keys not allowed @ data['core']['cloud']"
    for command, code, out in ((["config", "-l"], 0, listed), (["config", "core.cloud"], 0, "s3\n"),
                               (["config", "core.nosuch"], 0, ""), (["remote", "list"], 0, "myr\t/tmp/r\t(default)\n"),
                               (["config", "core.autostage", "true"], 251, ""), (["remote", "remove", "myr"], 251, ""),
                               (["config", "--unset", "core.cloud"], 0, ""), (["config", "-l"], 0, listed.replace("core.cloud=s3\n", "")),
                               (["status"], 0, "prep:\n\tchanged deps:\n\t\tmodified:           data.txt\n"
                                               "\t\tnew:                params.yaml\n"
                                               "\tchanged outs:\n\t\tdeleted:            prep.txt\n")):
        want, got = run_dvc(*command, cwd=mine), sc(*command, cwd=theirs)
        assert (want.returncode, want.stdout.expandtabs()) == (got.returncode, got.stdout.expandtabs()), (command, want, got)
        assert (got.returncode, got.stdout.expandtabs()) == (code, out.expandtabs()), command
        if code == 251:
            assert want.stderr.splitlines()[0] == got.stderr.splitlines()[0] == refused
        assert (mine / ".dvc/config").read_text() == (theirs / ".dvc/config").read_text(), command
    assert (theirs / ".dvc/config").read_text() == "[core]\n    remote = myr\n['remote \"myr\"']\n    url = /tmp/r\n"
    # a bad value is fixed by setting a good one
    for repo in (mine, theirs):
        (repo / ".dvc/config").write_text("[core]\n    autostage = maybe\n")
    want, got = run_dvc("config", "core.autostage", "true", cwd=mine), sc("config", "core.autostage", "true", cwd=theirs)
    assert want.returncode == got.returncode == 0 and got.stderr == ""
    assert (mine / ".dvc/config").read_text() == (theirs / ".dvc/config").read_text() == "[core]\n    autostage = true\n"


def test_sections_dvc_accepts_are_accepted(dvc_bin, tmp_path):
    mine, theirs = twins(tmp_path, {"dvc.yaml": PIPELINE, "params.yaml": "lr: 1\n", "data.txt": "x\n"})
    config = ("[parsing]\n    bool = boolean_optional\n['machine \"m\"']\n    cloud = aws\n['db \"d\"']\n"
              "    url = x\n[plots]\n    auto_open = true\n['remote \"r\"']\n    url = /tmp/r\n    jobs = 2\n")
    for repo in (mine, theirs):
        (repo / ".dvc/config").write_text(config)
    want, got = run_dvc("stage", "list", cwd=mine), sc("stage", "list", cwd=theirs)
    assert (want.returncode, want.stdout) == (got.returncode, got.stdout) == (0, "prep  Outputs prep.txt\n")
    assert got.stderr == ""


def test_dvc1_lock_is_read_with_one_warning_and_upgraded_on_commit(dvc_bin, tmp_path):
    lock = ("prep:\n  cmd: cp data.txt prep.txt\n  deps:\n  - path: data.txt\n    md5: 401b30e3b8b5d629635a5c613cdb7919\n"
            "  params:\n    params.yaml:\n      lr: 1\n  outs:\n  - path: prep.txt\n"
            "    md5: 401b30e3b8b5d629635a5c613cdb7919\n")
    mine, theirs = twins(tmp_path, {"dvc.yaml": PIPELINE, "params.yaml": "lr: 1\n", "data.txt": "x\n",
                                    "prep.txt": "x\n", "dvc.lock": lock})
    want = run_dvc("status", cwd=mine)  # DVC 3 refuses the file
    assert want.returncode == 1 and "'./dvc.lock' validation failed" in want.stdout + want.stderr
    got = sc("status", cwd=theirs)  # stagecore reads it (as DVC 1.x did) and says so once
    assert got.returncode == 0 and got.stdout == "prep:\n\tchanged outs:\n\t\tnot in cache:       prep.txt\n"
    warnings = [line for line in got.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == ["WARNING: a dvc.lock without `schema` (DVC 1.x layout, stages 'prep') is read as "
                        "DVC 1.x wrote it: DVC 3 refuses it"]
    assert "schema: '2.0'" in got.stderr.splitlines()[1] and len(got.stderr.splitlines()) == 2
    assert sc("commit", "-f", cwd=theirs).returncode == 0  # the next lock write upgrades it
    assert (theirs / "dvc.lock").read_text().startswith("schema: '2.0'\nstages:\n  prep:\n")
    want, got = run_dvc("status", cwd=theirs), sc("status", cwd=theirs)  # now DVC 3 reads it too
    assert (want.returncode, want.stdout) == (got.returncode, got.stdout) == (0, "Data and pipelines are up to date.\n")
    assert got.stderr == ""


# ---------------------------------------------------------------- item 7: dag drawing

def _boxes(text: str) -> list[tuple[str, int, int, int]]:
    """(label, row of the label, first column, last column) of every box."""
    rows = text.splitlines()
    found = []
    for y, row in enumerate(rows):
        for match in re.finditer(r"\| (\S+) \|", row):
            above = rows[y - 1][match.start():match.end()] if y else ""
            if above.startswith("+-"):
                found.append((match.group(1), y, match.start(), match.end() - 1))
    return found


def drawn_edges(text: str) -> set[tuple[str, str]]:
    """Pairs (upper, lower) of boxes joined by one connected run of `*` that leaves the lower half
    of the upper box and reaches the upper half of the lower one (boxes cut the runs, so an edge that is not
    drawn, or is drawn through a box, is missing here)."""
    rows = text.splitlines()
    stars = {(y, x) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "*"}
    comp: dict[tuple[int, int], int] = {}
    for cell in stars:
        if cell in comp:
            continue
        comp[cell], todo = len(comp), [cell]
        while todo:
            y, x = todo.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    near = (y + dy, x + dx)
                    if near in stars and near not in comp:
                        comp[near] = comp[cell]
                        todo.append(near)
    boxes = _boxes(text)

    def touching(rows: range, x0: int, x1: int) -> set[int]:
        return {comp[(y, x)] for y in rows for x in range(x0 - 1, x1 + 2) if (y, x) in comp}

    edges = set()
    for up, uy, ux0, ux1 in boxes:  # a run leaves a box's lower half (DVC starts some beside the label)
        for down, dy, dx0, dx1 in boxes:  # and reaches the upper half of another
            if uy < dy and touching(range(uy, uy + 3), ux0, ux1) & touching(range(dy - 2, dy + 1), dx0, dx1):
                edges.add((up, down))
    return edges


def _stage(name: str, deps: list[str], out: str) -> str:
    return f"  {name}:\n    cmd: echo\n    deps: [{', '.join(deps)}]\n    outs: [{out}]\n"


SHAPES = {
    # iterative/example-get-started: evaluate depends on the features and the model
    "get-started": (
        [("prepare", ["data.xml"], "prepared"), ("featurize", ["prepared"], "features"),
         ("train", ["features"], "model.pkl"), ("evaluate", ["model.pkl", "features"], "eval")],
        {("data.xml.dvc", "prepare"), ("prepare", "featurize"), ("featurize", "train"),
         ("train", "evaluate"), ("featurize", "evaluate")},
    ),
    # an edge skipping two layers, and a second pipeline
    "long-skip": (
        [("a", ["data.xml"], "a.txt"), ("b", ["a.txt"], "b.txt"), ("c", ["b.txt"], "c.txt"),
         ("d", ["c.txt", "a.txt"], "d.txt"), ("x", ["other"], "x.txt"), ("y", ["x.txt"], "y.txt")],
        {("data.xml.dvc", "a"), ("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"), ("x", "y")},
    ),
    # a diamond with its top joined to its bottom as well
    "diamond": (
        [("top", ["data.xml"], "t"), ("left", ["t"], "l"), ("right", ["t"], "r"),
         ("bottom", ["l", "r", "t"], "b")],
        {("data.xml.dvc", "top"), ("top", "left"), ("top", "right"), ("left", "bottom"),
         ("right", "bottom"), ("top", "bottom")},
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_ascii_dag_draws_every_edge_as_dvc_does(dvc_bin, tmp_path, shape):
    stages, edges = SHAPES[shape]
    dvc_yaml = "stages:\n" + "".join(_stage(*s) for s in stages)
    dvcfile = "outs:\n- md5: 0d599f0ec05c3bda8c3b8a68c32a1b47\n  size: 2\n  hash: md5\n  path: data.xml\n"
    mine, theirs = twins(tmp_path, {"dvc.yaml": dvc_yaml, "data.xml.dvc": dvcfile})
    want, got = run_dvc("dag", cwd=mine), sc("dag", cwd=theirs)
    assert (want.returncode, got.returncode) == (0, 0), want.stderr + got.stderr
    assert edges <= drawn_edges(want.stdout)  # the checker reads DVC's own drawing
    assert edges <= drawn_edges(got.stdout), got.stdout
    assert sorted(b[0] for b in _boxes(want.stdout)) == sorted(b[0] for b in _boxes(got.stdout))
    assert got.stderr == want.stderr == ""


def test_edge_checker_sees_a_dropped_edge():
    drawing = "+---+\n| a |\n+---+\n  *\n+---+\n| b |\n+---+\n  *\n+---+\n| c |\n+---+\n"
    assert drawn_edges(drawing) == {("a", "b"), ("b", "c")}  # a -> c would run through b: not drawn


# ---------------------------------------------------------------- item 7: stage list, no .dvc/

def test_stage_list_depends_on_params_and_all_lists_dvc_files(dvc_bin, tmp_path):
    dvc_yaml = (PIPELINE + "  report:\n    cmd: echo\n    deps: [prep.txt]\n    params:\n    - lr\n"
                "    - other.yaml:\n  only_params:\n    cmd: echo\n    params:\n    - other.yaml:\n      - a\n"
                "  nothing:\n    cmd: echo\n")
    dvcfile = "outs:\n- md5: 0d599f0ec05c3bda8c3b8a68c32a1b47\n  size: 2\n  hash: md5\n  path: f\n"
    files = {"dvc.yaml": dvc_yaml, "params.yaml": "lr: 1\n", "other.yaml": "a: 1\n", "data.txt": "x\n",
             "sub/f.dvc": dvcfile, "data.xml.dvc": dvcfile.replace("path: f", "path: data.xml")}
    mine, theirs = twins(tmp_path, files)
    want, got = run_dvc("stage", "list", cwd=mine), sc("stage", "list", cwd=theirs)
    assert (want.returncode, want.stdout) == (got.returncode, got.stdout) == (0, (
        "prep         Outputs prep.txt\n"
        "report       Depends on prep.txt, params.yaml, other.yaml\n"
        "only_params  Depends on other.yaml\n"
        "nothing      No outputs or dependencies\n"))
    for flags in (["--all"], ["--all", "--name-only"]):
        want, got = run_dvc("stage", "list", *flags, cwd=mine), sc("stage", "list", *flags, cwd=theirs)
        assert (want.returncode, got.returncode) == (0, 0)
        # DVC lists the files in os.walk order (the directory's order on disk): compared as sets
        assert sorted(got.stdout.splitlines()) == sorted(want.stdout.splitlines()), got.stdout
        assert "sub/f.dvc" in got.stdout and "data.xml.dvc" in got.stdout


def test_params_diff_and_metrics_show_without_dvc_dir(dvc_bin, tmp_path):
    files = {"params.yaml": "lr: 1\nopt: adam\n", "m.json": '{"acc": 0.5, "loss": 2}\n'}
    mine, theirs = twins(tmp_path, files, dvc_init=False)
    for repo in (mine, theirs):
        (repo / "params.yaml").write_text("lr: 2\nopt: adam\n")
    commands = (["params", "diff"], ["params", "diff", "--all"], ["metrics", "show"], ["metrics", "show", "m.json"])
    for command in commands:
        want, got = run_dvc(*command, cwd=mine), sc(*command, cwd=theirs)
        assert (want.returncode, want.stdout) == (got.returncode, got.stdout), (command, want, got)
        assert want.returncode == 0 and got.stderr == ""
    assert sc("params", "diff", cwd=theirs).stdout.splitlines()[1].split() == ["params.yaml", "lr", "1", "2"]
    assert not (theirs / ".dvc").exists() and git("status", "--porcelain", cwd=theirs) == " M params.yaml\n"
    refused = sc("status", cwd=theirs)  # other commands still need a DVC project, as in DVC
    assert refused.returncode == run_dvc("status", cwd=mine).returncode == 253
    assert "not inside of a DVC repository" in refused.stderr
