"""dvc.yaml / dvc.lock / single-stage files at the library level: loading, errors, writes."""

from __future__ import annotations

import hashlib

import pytest

from stagecore.core.entry import Entry
from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.stage import Stage
from stagecore.errors import FileFormatError
from stagecore.files.dvcfile import load_dvcfile, write_dvcfile
from stagecore.files.pipefile import load_pipeline, remove_stage, set_frozen, update_lock, write_lock
from stagecore.repo import Repo
from tests.helpers import run_cli


@pytest.fixture
def repo(git_repo):
    run_cli("init", cwd=git_repo, check=True)
    return Repo(str(git_repo))


def _write(repo, rel, text):
    path = repo.root + "/" + rel
    with open(path, "w") as fobj:
        fobj.write(text)


def _read(repo, rel):
    with open(repo.root + "/" + rel) as fobj:
        return fobj.read()


def test_stage_joined_with_its_lock_entry(repo):
    _write(repo, "params.yaml", "lr: 0.1\n")
    _write(repo, "dvc.yaml", "stages:\n  s:\n    cmd: echo ${lr}\n    wdir: sub\n    deps: [../a.txt]\n"
                             "    params: [lr]\n    outs: [o.txt]\n    plots:\n    - p.csv:\n        x: step\n")
    _write(repo, "dvc.lock", "schema: '2.0'\nstages:\n  s:\n    cmd: echo 0.1\n    deps:\n    - path: ../a.txt\n"
                             "      hash: md5\n      md5: 0cc175b9c0f1b6a831c399e269772661\n      size: 1\n")
    (stage,) = load_pipeline(repo, "dvc.yaml")
    assert stage.cmd == "echo 0.1" and stage.wdir == "sub" and stage.params == {"params.yaml": ["lr"]}
    assert stage.dep_path(stage.deps[0]) == "a.txt"
    assert stage.deps[0].hash == HashInfo(MD5, "0cc175b9c0f1b6a831c399e269772661")
    assert [(o.path, o.kind, o.extra) for o in stage.outs] == [("o.txt", "out", {}), ("p.csv", "plot", {"x": "step"})]
    assert stage.lock["cmd"] == "echo 0.1" and stage.raw["cmd"] == "echo ${lr}"


def test_validation_errors_name_file_line_and_every_problem(repo):
    _write(repo, "dvc.yaml", "stages:\n  a:\n    cmd: echo\n    bogus: 1\n  b:\n    deps: [x]\n")
    with pytest.raises(FileFormatError) as info:
        load_pipeline(repo, "dvc.yaml")
    assert info.value.message == (
        "'dvc.yaml' validation failed: 2 errors: extra keys not allowed, in stages -> a -> bogus, "
        "line 4, column 5; required key not provided, in stages -> b -> cmd, line 6, column 5"
    )
    _write(repo, "dvc.yaml", "- just\n- a list\n")
    with pytest.raises(FileFormatError, match="validation failed: expected a dictionary."):
        load_pipeline(repo, "dvc.yaml")
    _write(repo, "dvc.yaml", "")
    assert load_pipeline(repo, "dvc.yaml") == []


def test_vars_files_and_errors(repo):
    _write(repo, "cfg.yaml", "model: {name: m1, size: 3}\nother: 1\n")
    _write(repo, "dvc.yaml", "vars:\n- cfg.yaml:model\nstages:\n  s:\n    cmd: echo ${model.name} ${model.size}\n")
    assert load_pipeline(repo, "dvc.yaml")[0].cmd == "echo m1 3"
    _write(repo, "dvc.yaml", "vars:\n- cfg.yaml:nope\nstages:\n  s:\n    cmd: echo\n")
    with pytest.raises(FileFormatError, match="could not find 'nope' in 'cfg.yaml'"):
        load_pipeline(repo, "dvc.yaml")
    _write(repo, "dvc.yaml", "vars:\n- missing.yaml\nstages:\n  s:\n    cmd: echo\n")
    with pytest.raises(FileFormatError, match="'missing.yaml' does not exist"):
        load_pipeline(repo, "dvc.yaml")


def _locked_stage(repo, name="s", cmd="echo"):
    stage = Stage("dvc.yaml", name, cmd=cmd)
    stage.deps = [Entry("b.txt", kind="dep").with_hash(HashInfo(MD5, "a1" * 16), Meta(2)),
                  Entry("a.txt", kind="dep").with_hash(HashInfo(MD5, "b2" * 16), Meta(3))]
    stage.outs = [Entry("d").with_hash(HashInfo(MD5, "c3" * 16 + ".dir"), Meta(10, 2)),
                  Entry("m.json", kind="metric", cache=False).with_hash(HashInfo(MD5, "d4" * 16), Meta(5))]
    return stage


def test_write_lock_format_order_and_flags(repo):
    first = update_lock(repo, _locked_stage(repo, "z"))
    assert first == ("dvc.lock", True, True)
    assert _read(repo, "dvc.lock") == (
        "schema: '2.0'\nstages:\n  z:\n    cmd: echo\n    deps:\n"
        f"    - path: a.txt\n      hash: md5\n      md5: {'b2' * 16}\n      size: 3\n"
        f"    - path: b.txt\n      hash: md5\n      md5: {'a1' * 16}\n      size: 2\n    outs:\n"
        f"    - path: d\n      hash: md5\n      md5: {'c3' * 16}.dir\n      size: 10\n      nfiles: 2\n"
        f"    - path: m.json\n      hash: md5\n      md5: {'d4' * 16}\n      size: 5\n"
    )
    assert update_lock(repo, _locked_stage(repo, "a")) == ("dvc.lock", False, True)
    assert update_lock(repo, _locked_stage(repo, "z")) == ("dvc.lock", False, False)
    changed = _locked_stage(repo, "z", cmd="echo 2")
    assert write_lock(repo, changed) == "dvc.lock"
    text = _read(repo, "dvc.lock")
    assert text.index("  z:") < text.index("  a:")  # existing entries keep their place
    assert "  z:\n    cmd: echo 2\n" in text


def test_remove_stage_keeps_comments_and_deletes_emptied_files(repo):
    _write(repo, "dvc.yaml", "# top\nstages:\n  a:  # first\n    cmd: echo a\n  b:\n    cmd: echo b  # note\n")
    update_lock(repo, _locked_stage(repo, "a"))
    update_lock(repo, _locked_stage(repo, "b"))
    stage_a, stage_b = load_pipeline(repo, "dvc.yaml")
    assert remove_stage(repo, stage_a) == ["dvc.lock", "dvc.yaml"]
    assert _read(repo, "dvc.yaml") == "# top\nstages:\n  b:\n    cmd: echo b  # note\n"
    assert "  a:" not in _read(repo, "dvc.lock")
    assert remove_stage(repo, stage_b) == ["dvc.lock", "dvc.yaml"]
    import os

    assert not os.path.exists(repo.root + "/dvc.yaml") and not os.path.exists(repo.root + "/dvc.lock")


def test_parametrized_stages_cannot_be_removed_or_frozen(repo):
    _write(repo, "dvc.yaml", "stages:\n  g:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item}\n")
    first = load_pipeline(repo, "dvc.yaml")[0]
    assert first.name == "g@1"
    with pytest.raises(Exception, match="cannot remove a parametrized stage 'g@1'"):
        remove_stage(repo, first)
    with pytest.raises(Exception, match="cannot freeze a parametrized stage"):
        set_frozen(repo, first, True)


def test_single_stage_file_with_cmd_round_trip(repo):
    stage = Stage("train.dvc", None, cmd="python train.py")
    stage.deps = [Entry("train.py", kind="dep").with_hash(HashInfo(MD5, "8d424d6c26cd91b8fe7b064eff4148dc"), Meta(150))]
    stage.outs = [
        Entry("log.txt", persist=True).with_hash(HashInfo(MD5, "b0f24e3d11bfe3d31529d1b9f2745cfd"), Meta(4)),
        Entry("metrics.json", cache=False, kind="metric").with_hash(HashInfo(MD5, "dc926bee53673c8ee852d87143691bae"),
                                                                    Meta(12)),
    ]
    assert write_dvcfile(repo.root, stage)
    body = (
        "cmd: python train.py\ndeps:\n- md5: 8d424d6c26cd91b8fe7b064eff4148dc\n  size: 150\n  path: train.py\n"
        "  hash: md5\nouts:\n- md5: b0f24e3d11bfe3d31529d1b9f2745cfd\n  size: 4\n  path: log.txt\n  persist: true\n"
        "  hash: md5\n- md5: dc926bee53673c8ee852d87143691bae\n  size: 12\n  path: metrics.json\n  cache: false\n"
        "  metric: true\n  hash: md5\n"
    )
    text = _read(repo, "train.dvc")
    assert text.endswith(body) and text.startswith("md5: ") and text.count("\n") == body.count("\n") + 1
    loaded = load_dvcfile(repo.root, "train.dvc")
    assert loaded.cmd == "python train.py" and [o.kind for o in loaded.outs] == ["out", "metric"]
    assert loaded.outs[0].persist and not loaded.outs[1].cache
    from stagecore.core.stage import dvcfile_md5

    assert dvcfile_md5(loaded.raw) == loaded.md5
    assert not write_dvcfile(repo.root, loaded)  # nothing changed: bytes untouched


def test_dvc1_single_stage_file_update_keeps_layout(repo):
    dvc1 = (
        "md5: efe36badd831d14bf069ac1cd21c1a06\ncmd: python train.py\ndeps:\n"
        "- md5: 8d424d6c26cd91b8fe7b064eff4148dc\n  size: 150\n  path: train.py\n"
        "outs:\n- md5: 89483c74be133f2663024b7fe9beb2f7\n  size: 8\n  path: model.bin\n"
    )
    _write(repo, "train.dvc", dvc1)
    stage = load_dvcfile(repo.root, "train.dvc")
    new_md5 = hashlib.md5(b"new model").hexdigest()
    stage.outs = [stage.outs[0].with_hash(HashInfo(MD5, new_md5), Meta(9))]
    assert write_dvcfile(repo.root, stage)
    text = _read(repo, "train.dvc")
    # unchanged legacy dep stays legacy; the changed out gets `hash: md5` appended after `path`
    assert "- md5: 8d424d6c26cd91b8fe7b064eff4148dc\n  size: 150\n  path: train.py\nouts:" in text
    assert f"- md5: {new_md5}\n  size: 9\n  path: model.bin\n  hash: md5\n" in text
    reloaded = load_dvcfile(repo.root, "train.dvc")
    from stagecore.core.stage import dvcfile_md5

    assert text.startswith("md5: ") and reloaded.md5 == dvcfile_md5(reloaded.raw) != "efe36badd831d14bf069ac1cd21c1a06"


def test_lock_splice_gives_the_round_trip_bytes_and_falls_back_on_comments(repo):
    from stagecore.files.lockedit import splice
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt

    for name in ("z", "a", "weird: name"):
        update_lock(repo, _locked_stage(repo, name))
    text = _read(repo, "dvc.lock")
    entry = {"cmd": "echo " + "x" * 90, "outs": [{"path": "o", "hash": "md5", "md5": "ab" * 16, "size": 1}]}
    for name in ("a", "new", "weird: name"):
        data = load_yaml_rt(text, "dvc.lock")
        data["stages"][name] = entry
        spliced = splice(text, name, entry)
        assert spliced is not None and spliced[0] == dump_yaml(data) and spliced[1] is True
    same = splice(text, "z", _locked_stage_entry(repo))
    assert same == (text, False)
    assert splice("# note\n" + text, "a", entry) is None
    assert splice(text.replace("stages:\n", "stages:\n  # c\n"), "a", entry) is None
    commented = text.replace("  a:\n", "  a:  # mine\n")
    _write(repo, "dvc.lock", commented)
    update_lock(repo, _locked_stage(repo, "a", cmd="echo 3"))  # round-trip path keeps the comment
    assert "  a:  # mine\n    cmd: echo 3\n" in _read(repo, "dvc.lock")


def _locked_stage_entry(repo):
    from stagecore.core.pipeline import lock_data

    return lock_data(_locked_stage(repo, "z"), {})
