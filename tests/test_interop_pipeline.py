"""Pipelines against real DVC 3.67.1: byte-identical dvc.yaml / dvc.lock / run cache, and each
tool accepting what the other wrote (status clean, repro runs nothing, changes seen by both)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import git, run_cli, run_dvc

TRAIN_PY = """import json, os, sys
os.makedirs("model", exist_ok=True)
raw = open("data/raw.txt").read()
open("model/w1.bin", "w").write(raw.upper())
open("model/w2.bin", "w").write(raw[::-1])
open("out.txt", "w").write("trained\\n")
open("nocache.txt", "w").write("nocache\\n")
json.dump({"acc": 0.5, "n": len(raw)}, open("metrics.json", "w"))
open("plot.csv", "w").write("step,loss\\n1,0.5\\n")
"""

EV_PY = """import json
open("report.txt", "w").write("report " + open("../out.txt").read())
json.dump({"score": 1}, open("scores.json", "w"))
"""

PARAMS = "seed: 42\ntrain:\n  lr: 1e-5\n  epochs: 10\n  flag: yes\n  name: '1.0'\nunused: 1\n"


def _init(where: Path, tool) -> None:
    where.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=where)
    proc = tool("init", cwd=where)
    assert proc.returncode == 0, proc.stderr
    (where / "src").mkdir()
    (where / "data").mkdir()
    (where / "eval").mkdir()
    (where / "src" / "train.py").write_text(TRAIN_PY)
    (where / "eval" / "ev.py").write_text(EV_PY)
    (where / "data" / "raw.txt").write_text("raw data\n")
    (where / "params.yaml").write_text(PARAMS)
    (where / "eval" / "eparams.yaml").write_text("thr: 0.5\nother: 1\n")


STAGE_ADDS = [
    ["stage", "add", "-n", "train", "-d", "src/train.py", "-d", "data/raw.txt", "-p", "train.lr,train.epochs,seed",
     "-p", "train.flag,train.name", "-o", "model", "-o", "out.txt", "-O", "nocache.txt", "-m", "metrics.json",
     "--plots", "plot.csv", "python src/train.py"],
    ["stage", "add", "-n", "evaluate", "-w", "eval", "-d", "ev.py", "-d", "../out.txt", "-d", "../model",
     "-p", "eparams.yaml:thr", "-M", "scores.json", "-o", "report.txt", "--outs-persist", "persist.txt",
     "--desc", "Evaluate it", "python ev.py && touch persist.txt"],
    ["stage", "add", "-n", "long", "-d", "data/raw.txt", "-o", "long.txt",
     "echo " + "a" * 70 + " " + "b" * 70 + " > long.txt && echo '{\"x\": 1}' >> long.txt"],
]


def _stagecore(*args, cwd):
    return run_cli(*args, cwd=cwd)


def _dvc(*args, cwd):
    return run_dvc(*args, cwd=cwd)


def _cache_files(repo: Path) -> list[str]:
    cache = repo / ".dvc" / "cache"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


@pytest.fixture
def twins(tmp_path, dvc_bin):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    _init(ours, _stagecore)
    _init(theirs, _dvc)
    return ours, theirs


def test_stage_add_and_repro_are_byte_identical(twins):
    ours, theirs = twins
    for args in STAGE_ADDS:
        a, b = _stagecore(*args, cwd=ours), _dvc(*args, cwd=theirs)
        assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
        assert a.stdout.splitlines()[0] == b.stdout.splitlines()[0]  # "Added stage 'x' in 'dvc.yaml'"
    assert (ours / "dvc.yaml").read_bytes() == (theirs / "dvc.yaml").read_bytes()
    for gi in (".gitignore", "eval/.gitignore"):
        assert sorted((ours / gi).read_text().splitlines()) == sorted((theirs / gi).read_text().splitlines())
    a, b = _stagecore("repro", cwd=ours), _dvc("repro", cwd=theirs)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (ours / "dvc.lock").read_bytes() == (theirs / "dvc.lock").read_bytes()
    assert _cache_files(ours) == _cache_files(theirs)  # objects, .dir manifests and run-cache entries
    for rel in _cache_files(ours):
        if rel.startswith("runs"):
            assert (ours / ".dvc/cache" / rel).read_bytes() == (theirs / ".dvc/cache" / rel).read_bytes()
    assert [line for line in a.stdout.splitlines() if line.startswith(("Running", ">", "Generating", "Updating"))] \
        == [line for line in b.stdout.splitlines() if line.startswith(("Running", ">", "Generating", "Updating"))]
    assert "WARNING: 'eval/persist.txt' is empty." in a.stderr and "WARNING: 'eval/persist.txt' is empty." in b.stderr


def _run_pipeline(repo: Path, tool) -> None:
    for args in STAGE_ADDS:
        assert tool(*args, cwd=repo).returncode == 0


def _ran(stdout: str) -> list[str]:
    return [line.split("'")[1] for line in stdout.splitlines() if line.startswith("Running stage")]


def test_dvc_accepts_what_stagecore_reproduced(twins):
    ours, _ = twins
    _run_pipeline(ours, _stagecore)
    assert _stagecore("repro", cwd=ours).returncode == 0
    status = _dvc("status", cwd=ours)
    assert status.stdout == "Data and pipelines are up to date.\n", status.stdout + status.stderr
    again = _dvc("repro", cwd=ours)
    assert again.returncode == 0 and _ran(again.stdout) == [], again.stdout
    (ours / "data" / "raw.txt").write_text("new raw\n")
    assert "train:" in _dvc("status", cwd=ours).stdout
    assert "train:" in _stagecore("status", cwd=ours).stdout
    rerun = _dvc("repro", cwd=ours)
    assert _ran(rerun.stdout) == ["train", "evaluate", "long"]
    assert _stagecore("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"


def test_stagecore_accepts_what_dvc_reproduced(twins):
    _, theirs = twins
    _run_pipeline(theirs, _dvc)
    assert _dvc("repro", cwd=theirs).returncode == 0
    assert _stagecore("status", cwd=theirs).stdout == "Data and pipelines are up to date.\n"
    again = _stagecore("repro", cwd=theirs)
    assert again.returncode == 0 and _ran(again.stdout) == []
    assert again.stdout.endswith("Data and pipelines are up to date.\n")
    (theirs / "eval" / "eparams.yaml").write_text("thr: 0.7\nother: 1\n")
    assert _stagecore("status", "--json", cwd=theirs).stdout == (
        '{"evaluate": [{"changed deps": {"eval/eparams.yaml": {"thr": "modified"}}}]}\n'
    )
    assert _dvc("status", "--json", cwd=theirs).stdout == _stagecore("status", "--json", cwd=theirs).stdout
    rerun = _stagecore("repro", cwd=theirs)
    assert _ran(rerun.stdout) == ["evaluate"]
    assert _dvc("status", cwd=theirs).stdout == "Data and pipelines are up to date.\n"


def test_run_cache_written_by_dvc_is_used_by_stagecore(twins):
    _, theirs = twins
    (theirs / "in.txt").write_text("v1\n")
    (theirs / "dvc.yaml").write_text(
        "stages:\n  s1:\n    cmd: 'cat in.txt > out.txt && echo ''{\"x\": 1}'' > m.json'\n"
        "    deps: [in.txt]\n    params: [seed]\n    outs: [out.txt]\n    metrics:\n    - m.json:\n"
        "        cache: false\n"
    )
    assert _dvc("repro", cwd=theirs).returncode == 0
    (theirs / "in.txt").write_text("v2\n")
    assert _dvc("repro", cwd=theirs).returncode == 0
    (theirs / "in.txt").write_text("v1\n")
    proc = _stagecore("repro", cwd=theirs)
    assert "Stage 's1' is cached - skipping run, checking out outputs" in proc.stdout
    assert (theirs / "out.txt").read_text() == "v1\n" and (theirs / "m.json").read_text() == '{"x": 1}\n'
    assert _dvc("status", cwd=theirs).stdout == "Data and pipelines are up to date.\n"


def test_parametrized_stages_lock_like_dvc(twins):
    ours, theirs = twins
    text = (
        "vars:\n- models: [alpha, beta]\nstages:\n"
        "  gen:\n    foreach: ${models}\n    do:\n      cmd: echo ${item} ${train.lr} > gen-${item}.txt\n"
        "      outs:\n      - gen-${item}.txt\n"
        "  mx:\n    matrix:\n      m: ${models}\n      n: [1, 2]\n    cmd: echo ${item.m}${item.n} > mx-${key}.txt\n"
        "    outs:\n    - mx-${key}.txt\n"
        "  named:\n    foreach:\n      first:\n        v: 1\n      second:\n        v: 2\n"
        "    do:\n      cmd: echo ${key} ${item.v} > named-${key}.txt\n      outs:\n      - named-${key}.txt\n"
    )
    for repo, tool in ((ours, _stagecore), (theirs, _dvc)):
        (repo / "dvc.yaml").write_text(text)
        proc = tool("repro", cwd=repo)
        assert proc.returncode == 0, proc.stderr
    assert (ours / "dvc.lock").read_bytes() == (theirs / "dvc.lock").read_bytes()
    assert (ours / "mx-beta-2.txt").read_text() == "beta2\n"
    assert _dvc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"


def test_dag_output_matches_dvc(twins):
    ours, theirs = twins
    for repo, tool in ((ours, _stagecore), (theirs, _dvc)):
        _run_pipeline(repo, tool)
    for args in (["dag", "--dot"], ["dag", "--mermaid"], ["dag", "--md"]):
        assert _stagecore(*args, cwd=ours).stdout == _dvc(*args, cwd=theirs).stdout


def test_frozen_stage_and_remove_interop(twins):
    ours, _ = twins
    _run_pipeline(ours, _stagecore)
    assert _stagecore("repro", cwd=ours).returncode == 0
    assert _stagecore("freeze", "train", cwd=ours).returncode == 0
    (ours / "src" / "train.py").write_text(TRAIN_PY + "# changed\n")
    assert _dvc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    assert _stagecore("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    assert _stagecore("remove", "long", cwd=ours).returncode == 0
    assert _dvc("status", cwd=ours).stdout == "Data and pipelines are up to date.\n"
    assert "long" not in (ours / "dvc.lock").read_text()
    assert os.path.exists(ours / "long.txt")  # without --outs the output stays
