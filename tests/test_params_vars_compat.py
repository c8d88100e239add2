"""Params and vars as DVC 3.67.1 resolves them (issue 9, item 5), each in twin repositories:
the same files in a stagecore repository and a real DVC one, the same commands, the same result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, run_cli, run_dvc


@pytest.fixture
def twins(git_repo, dvc_bin, tmp_path) -> tuple[Path, Path]:
    run_cli("init", cwd=git_repo, check=True)
    twin = tmp_path / "twin"
    twin.mkdir()
    git("init", "-q", cwd=twin)
    git("config", "user.email", "t@example.com", cwd=twin)
    git("config", "user.name", "t", cwd=twin)
    run_dvc("init", cwd=twin, check=True)
    return git_repo, twin


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _both(twins, files: dict[str, str]) -> None:
    for root in twins:
        _write(root, files)


def _commit(twins, message: str) -> None:
    for root in twins:
        git("add", "-A", cwd=root)
        git("commit", "-qm", message, cwd=root)


def _commands(proc) -> list[str]:
    """The `> cmd` lines of `repro --dry` (DVC and stagecore print the same)."""
    return [line for line in proc.stdout.splitlines() if line.startswith("> ")]


FIRST = {
    "params.yaml": "lr: 0.1\nflag: true\nnum: 3\n",
    "vars.yaml": "v1: 1\nv2: 2\n",
    "top.yaml": "tp: 1\n",
    "cfg.json": '{"k": 1, "j": 2}',
    "dvc.yaml": "vars:\n- vars.yaml\nparams:\n- top.yaml\nstages:\n  a:\n    cmd: echo ${v1} ${lr}\n"
                "  gone:\n    cmd: echo gone\n    params:\n    - cfg.json:\n      - k\n",
    "sub/params.yaml": "sx: 1\nsy: 2\nmodels: [x, y]\n",
    "sub/wd/local.yaml": "lv: 1\n",
    "sub/model-x/cfg.yaml": "depth: 1\n",
    "sub/model-y/cfg.yaml": "depth: 5\n",
    "sub/dvc.yaml": "stages:\n  t:\n    cmd: echo ${sx}\n  w:\n    wdir: wd\n    vars:\n    - local.yaml\n"
                    "    cmd: echo ${lv}\n  m:\n    foreach: ${models}\n    do:\n      wdir: model-${item}\n"
                    "      vars:\n      - cfg.yaml\n      cmd: echo ${item} ${depth}\n",
}
SECOND = {
    "params.yaml": "lr: 0.2\nflag: false\nnum: 4\n",
    "vars.yaml": "v1: 10\nv2: 20\n",
    "top.yaml": "tp: 2\n",
    "cfg.json": '{"k": 9, "j": 8}',
    "dvc.yaml": "vars:\n- vars.yaml\nparams:\n- top.yaml\nstages:\n  a:\n    cmd: echo ${v1} ${lr}\n",
    "sub/params.yaml": "sx: 7\nsy: 8\nmodels: [x, y]\n",
    "sub/wd/local.yaml": "lv: 2\n",
    "sub/model-x/cfg.yaml": "depth: 2\n",
}
EXPECTED = {  # what DVC 3.67.1 prints; each file is a case the issue names
    "params.yaml": {"flag": {"old": True, "new": False, "diff": -1},  # a bool change has a diff
                    "lr": {"old": 0.1, "new": 0.2, "diff": 0.1}, "num": {"old": 3, "new": 4, "diff": 1}},
    "top.yaml": {"tp": {"old": 1, "new": 2, "diff": 1}},  # top-level `params:`
    "vars.yaml": {"v1": {"old": 1, "new": 10, "diff": 9}},  # a vars file: only the keys used
    "cfg.json": {"k": {"old": 1, "new": None}},  # params of a stage deleted since HEAD
    "sub/params.yaml": {"sx": {"old": 1, "new": 7, "diff": 6}},  # `${}` in a sub-directory's dvc.yaml
    "sub/wd/local.yaml": {"lv": {"old": 1, "new": 2, "diff": 1}},  # stage vars read from its wdir
    "sub/model-x/cfg.yaml": {"depth": {"old": 1, "new": 2, "diff": 1}},  # foreach `wdir: model-${item}`
}


def test_params_diff_reads_each_revision_like_dvc(twins):
    ours_root, twin = twins
    _both(twins, FIRST)
    _commit(twins, "first")
    _both(twins, SECOND)
    ours = run_cli("params", "diff", "--json", cwd=ours_root)
    theirs = run_dvc("params", "diff", "--json", cwd=twin)
    assert ours.returncode == 0 == theirs.returncode, ours.stderr + theirs.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == EXPECTED
    table = run_cli("params", "diff", cwd=ours_root)
    assert table.returncode == 0, table.stderr
    assert sorted(table.stdout.splitlines()) == sorted(run_dvc("params", "diff", cwd=twin).stdout.splitlines())
    assert "params.yaml           flag     True    False" in table.stdout
    _commit(twins, "second")  # between two revisions: each side's files from its own dvc.yaml files
    ours = run_cli("params", "diff", "HEAD~1", "HEAD", "--json", cwd=ours_root)
    theirs = run_dvc("params", "diff", "HEAD~1", "HEAD", "--json", cwd=twin)
    assert ours.returncode == 0 == theirs.returncode, ours.stderr + theirs.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == EXPECTED


def test_stage_vars_are_read_from_the_stage_wdir_like_dvc(twins):
    ours_root, twin = twins
    _both(twins, FIRST)
    ours = run_cli("repro", "--dry", "sub/dvc.yaml", cwd=ours_root)
    theirs = run_dvc("repro", "--dry", "sub/dvc.yaml", cwd=twin)
    assert ours.returncode == 0 == theirs.returncode, ours.stderr + theirs.stderr
    assert _commands(ours) == _commands(theirs) == ["> echo 1", "> echo 1", "> echo x 1", "> echo y 5"]


def test_parsing_bool_and_list_settings_render_cmd_like_dvc(twins):
    ours_root, twin = twins
    _both(twins, {
        "params.yaml": "opts:\n  flag: false\n  on: true\n  lst: [1, 2]\n  name: a b\n",
        "dvc.yaml": "stages:\n  s:\n    cmd: echo ${opts}\n",
    })
    default = run_cli("repro", "--dry", cwd=ours_root)
    assert default.returncode == 0, default.stderr
    assert _commands(default) == _commands(run_dvc("repro", "--dry", cwd=twin)) == [
        "> echo --on --lst 1 2 --name 'a b'"
    ]
    for root in twins:
        with open(root / ".dvc" / "config", "a") as fobj:
            fobj.write("[parsing]\n    bool = boolean_optional\n    list = append\n")
    ours, theirs = run_cli("repro", cwd=ours_root), run_dvc("repro", cwd=twin)
    assert ours.returncode == 0 == theirs.returncode, ours.stderr + theirs.stderr
    cmd = "echo --no-flag --on --lst 1 --lst 2 --name 'a b'"
    assert (ours_root / "dvc.lock").read_text() == (twin / "dvc.lock").read_text()
    assert f"cmd: {cmd}\n" in (ours_root / "dvc.lock").read_text()
    assert f"> {cmd}" in ours.stdout


VARS_CASES = [  # (vars list, DVC's message or None when it runs)
    ("[params2.yaml, params.yaml, {c: 3}]", None),  # params.yaml is already loaded: read once
    ("[params2.yaml, params2.yaml]", None),
    ("[params2.yaml:b, params2.yaml:nested]", None),  # disjoint keys of one file
    ("[{nested: {z: 5}}]", None),  # dictionaries merge key by key
    ("[params.yaml:a]", "cannot partially load 'params.yaml:a' as it's already loaded."),
    ("[params2.yaml:b, params2.yaml]", "cannot load 'params2.yaml' as it's partially loaded already"),
    ("[params2.yaml:b, params2.yaml:b]", "cannot load 'params2.yaml:b' as it's partially loaded already"),
    ("[{nested: {x: 5}}]", "cannot redefine 'nested.x' from 'vars[0]' as it already exists in 'params.yaml'"),
]


def test_vars_merge_rules_like_dvc(twins):
    ours_root, twin = twins
    _both(twins, {"params.yaml": "a: 1\nnested:\n  x: 1\n", "params2.yaml": "b: 2\nnested:\n  y: 2\n"})
    for items, message in VARS_CASES:
        _both(twins, {"dvc.yaml": f"vars: {items}\nstages:\n  s:\n    cmd: echo ${{a}} ${{nested.x}}\n"})
        ours, theirs = run_cli("repro", "--dry", cwd=ours_root), run_dvc("repro", "--dry", cwd=twin)
        if message is None:
            assert ours.returncode == 0 == theirs.returncode, (items, ours.stderr, theirs.stderr)
            assert _commands(ours) == _commands(theirs) == ["> echo 1 1"], items
        else:
            assert ours.returncode == 255 == theirs.returncode, (items, ours.stderr, theirs.stderr)
            assert message in theirs.stderr, (items, theirs.stderr)
            assert ours.stderr.startswith(f"ERROR: 'dvc.yaml' {message}"), (items, ours.stderr)
            assert "\nhint: " in ours.stderr and "Traceback" not in ours.stderr, ours.stderr


def test_a_revision_whose_pipeline_fails_reads_as_empty_like_dvc(twins):
    ours_root, twin = twins
    _both(twins, {"params.yaml": "lr: 1\n", "v.yaml": "v: 1\n",
                  "dvc.yaml": "vars: [v.yaml]\nstages:\n  s:\n    cmd: echo ${nope}\n"})
    _commit(twins, "broken")
    _both(twins, {"params.yaml": "lr: 2\n", "v.yaml": "v: 2\n",
                  "dvc.yaml": "vars: [v.yaml]\nstages:\n  s:\n    cmd: echo ${v}\n"})
    ours = run_cli("params", "diff", "--json", cwd=ours_root)
    theirs = run_dvc("params", "diff", "--json", cwd=twin)
    assert ours.returncode == 0 == theirs.returncode, ours.stderr + theirs.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout) == {
        "params.yaml": {"lr": {"old": None, "new": 2}}, "v.yaml": {"v": {"old": None, "new": 2}}
    }
    assert "WARNING: failed to load params in revision 'HEAD'" in theirs.stderr
    assert ours.stderr == ("WARNING: failed to load params in revision 'HEAD', 'dvc.yaml' failed to parse "
                           "'stages.s.cmd': Could not find 'nope', line 4, column 5\n")
