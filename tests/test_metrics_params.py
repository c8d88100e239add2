"""`metrics show`, `params diff`, params status and params in the lock (YAML, JSON, TOML)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import git, run_cli, run_dvc


@pytest.fixture
def repo(git_repo):
    run_cli("init", cwd=git_repo, check=True)
    return git_repo


def _ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_metrics_show_table_and_json(repo):
    (repo / "dvc.yaml").write_text(
        "metrics:\n- extra.yaml\nstages:\n  s:\n    cmd: echo\n    metrics:\n    - m.json:\n        cache: false\n"
    )
    (repo / "m.json").write_text(json.dumps({"acc": 0.123456789, "loss": {"a": 1}, "skip": [1, 2], "ok": True}))
    (repo / "extra.yaml").write_text("f1: 0.5\n")
    table = _ok("metrics", "show", cwd=repo)
    assert table.stdout == (
        "Path        acc      f1    loss.a    ok\n"
        "m.json      0.12346  -     1         True\n"
        "extra.yaml  -        0.5   -         -\n"
    )
    as_json = json.loads(_ok("metrics", "show", "--json", cwd=repo).stdout)
    assert as_json == {"": {"data": {"m.json": {"data": {"acc": 0.123456789, "loss": {"a": 1}, "ok": True}},
                                     "extra.yaml": {"data": {"f1": 0.5}}}}}


def test_metrics_show_toml_and_missing_file(repo):
    (repo / "dvc.yaml").write_text("metrics:\n- m.toml\n- gone.json\n")
    (repo / "m.toml").write_text("[scores]\nauc = 0.75\n")
    proc = _ok("metrics", "show", cwd=repo)
    assert proc.stdout == "Path    scores.auc\nm.toml  0.75\n"
    assert "WARNING: could not read metrics 'gone.json'" in proc.stderr


def test_metrics_show_matches_dvc(repo, dvc_bin, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    git("init", "-q", cwd=twin)
    run_dvc("init", cwd=twin, check=True)
    for where in (repo, twin):
        (where / "dvc.yaml").write_text("metrics:\n- m.json\n")
        (where / "m.json").write_text('{"acc": 0.9, "loss": {"a": 1, "b": 0.333333333}}')
    for args in (["metrics", "show"], ["metrics", "show", "--json"], ["metrics", "show", "--md"]):
        assert _ok(*args, cwd=repo).stdout == run_dvc(*args, cwd=twin).stdout


def _params_repo(where, tool):
    (where / "params.yaml").write_text("lr: 0.1\ntrain:\n  epochs: 10\n  layers: [1, 2]\nname: x\n")
    (where / "cfg.json").write_text('{"k": 1, "other": 2}')
    (where / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: echo\n    params:\n    - lr\n    - cfg.json:\n      - k\n"
    )
    git("add", "-A", cwd=where)
    git("commit", "-qm", "params", cwd=where)
    (where / "params.yaml").write_text("lr: 0.2\ntrain:\n  epochs: 10\n  layers: [1, 3]\n  new: 3\n")
    (where / "cfg.json").write_text('{"k": 5, "other": 3}')


def test_params_diff_against_head_matches_dvc(repo, dvc_bin, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    git("init", "-q", cwd=twin)
    run_dvc("init", cwd=twin, check=True)
    _params_repo(repo, "stagecore")
    _params_repo(twin, "dvc")
    expected = (
        "Path         Param         HEAD    workspace\n"
        "params.yaml  lr            0.1     0.2\n"
        "params.yaml  name          x       -\n"
        "params.yaml  train.layers  [1, 2]  [1, 3]\n"
        "params.yaml  train.new     -       3\n"
        "cfg.json     k             1       5\n"
    )
    ours = _ok("params", "diff", cwd=repo).stdout
    assert sorted(ours.splitlines()[1:]) == sorted(expected.splitlines()[1:])
    assert ours.splitlines()[0] == expected.splitlines()[0]
    theirs = run_dvc("params", "diff", cwd=twin).stdout
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())
    assert json.loads(_ok("params", "diff", "--json", cwd=repo).stdout) == json.loads(
        run_dvc("params", "diff", "--json", cwd=twin).stdout
    )


def test_params_diff_between_two_revisions_and_bad_rev(repo):
    (repo / "params.yaml").write_text("lr: 1\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "one", cwd=repo)
    (repo / "params.yaml").write_text("lr: 3\n")
    git("commit", "-qam", "two", cwd=repo)
    out = json.loads(_ok("params", "diff", "HEAD~1", "HEAD", "--json", cwd=repo).stdout)
    assert out == {"params.yaml": {"lr": {"old": 1, "new": 3, "diff": 2}}}
    assert _ok("params", "diff", cwd=repo).stdout == ""  # workspace == HEAD
    bad = run_cli("params", "diff", "nosuchrev", cwd=repo)
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == "ERROR: unknown revision 'nosuchrev'"


def test_params_in_lock_and_status(repo):
    (repo / "params.yaml").write_text("lr: 1e-5\nsection:\n  b: 2\n  a: 1\nflag: yes\nunused: 0\n")
    (repo / "cfg.toml").write_text("alpha = 0.5\nbeta = 'x'\n")
    (repo / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: echo run > o.txt\n    params:\n    - lr\n    - section\n    - flag\n"
        "    - cfg.toml:\n    outs:\n    - o.txt\n"
    )
    _ok("repro", cwd=repo)
    lock = (repo / "dvc.lock").read_text()
    assert (
        "    params:\n      params.yaml:\n        flag: yes\n        lr: 1e-05\n"
        "        section:\n          b: 2\n          a: 1\n"
        "      cfg.toml:\n        alpha: 0.5\n        beta: x\n"
    ) in lock
    assert _ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "params.yaml").write_text("lr: 1e-4\nsection:\n  b: 2\n  a: 1\nunused: 1\n")
    (repo / "cfg.toml").write_text("alpha = 0.5\nbeta = 'x'\ngamma = 1\n")
    status = json.loads(_ok("status", "--json", cwd=repo).stdout)
    assert status == {"s": [{"changed deps": {
        "params.yaml": {"lr": "modified", "flag": "deleted"}, "cfg.toml": {"gamma": "new"},
    }}]}
    (repo / "cfg.toml").unlink()
    status = json.loads(_ok("status", "--json", cwd=repo).stdout)
    assert status["s"][0]["changed deps"]["cfg.toml"] == "deleted"


def test_missing_param_fails_repro_without_lock(repo):
    (repo / "params.yaml").write_text("lr: 1\n")
    (repo / "dvc.yaml").write_text("stages:\n  s:\n    cmd: echo > o.txt\n    params: [nope]\n    outs: [o.txt]\n")
    proc = run_cli("repro", cwd=repo)
    assert proc.returncode == 255
    assert proc.stderr.splitlines()[0] == (
        "ERROR: failed to reproduce 's': Parameters 'nope' are missing from 'params.yaml'."
    )
    assert not (repo / "dvc.lock").exists()
