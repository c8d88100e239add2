"""The stage graph: edges, refusals, orders, and `stagecore dag` output (ascii, dot, mermaid)."""

from __future__ import annotations

import pytest

from stagecore.core.dag import PipelineGraphError, build_graph
from stagecore.core.entry import Entry
from stagecore.core.stage import Stage
from tests.helpers import run_cli


def _stage(name, deps=(), outs=(), dvcfile="dvc.yaml", params=None, frozen=False):
    stage = Stage(dvcfile, name, cmd="true", params=params or {}, frozen=frozen)
    stage.deps = [Entry(d, kind="dep") for d in deps]
    stage.outs = [Entry(o) for o in outs]
    return stage


def _names(stages):
    return [s.addressing for s in stages]


def test_edges_for_equal_inside_and_containing_paths():
    prep = _stage("prep", ["raw"], ["data/prepared"])
    feat = _stage("feat", ["data/prepared/train.tsv"], ["features"])  # dep inside an out
    eval_ = _stage("eval", ["features"], ["m.json"])  # same path
    whole = _stage("whole", ["data"], ["all.txt"])  # dep containing an out
    graph = build_graph([whole, eval_, feat, prep])
    assert graph.upstream[feat] == [prep]
    assert graph.upstream[eval_] == [feat]
    assert graph.upstream[whole] == [prep]
    assert _names(graph.postorder()) == ["prep", "whole", "feat", "eval"]


def test_params_file_produced_by_a_stage_is_an_edge():
    gen = _stage("gen", [], ["params.yaml"])
    use = _stage("use", [], ["o"], params={"params.yaml": ["lr"]})
    assert build_graph([use, gen]).upstream[use] == [gen]


def test_plan_targets_downstream_and_frozen():
    a, b, c = _stage("a", [], ["a.txt"]), _stage("b", ["a.txt"], ["b.txt"]), _stage("c", ["b.txt"], ["c.txt"])
    other = _stage("other", [], ["o.txt"])
    graph = build_graph([a, b, c, other])
    assert _names(graph.plan([c])) == ["a", "b", "c"]
    assert _names(graph.plan([a], downstream=True)) == ["a", "b", "c"]
    assert _names(graph.plan([b], pipeline=True)) == ["a", "b", "c"]
    assert _names(graph.plan()) == ["a", "b", "c", "other"]
    b.frozen = True
    assert _names(graph.active().plan([c])) == ["b", "c"]  # a frozen stage does not pull its deps


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([_stage("a", [], ["x"]), _stage("b", [], ["x"])],
         "output 'x' is specified in more than one stage: 'a' and 'b'"),
        ([_stage("a", [], ["d"]), _stage("b", [], ["d/x"])], "output 'd/x' of 'b' is inside output 'd' of 'a'"),
        ([_stage("a", ["y"], ["x"]), _stage("b", ["x"], ["y"])],
         "Same item(s) are defined as both a dependency and an output in stages: a, b."),
        ([_stage("a", ["x"], ["x"])], "Same item(s) are defined as both a dependency and an output in stage: a."),
        ([_stage("a", [], ["sub"]), _stage("b", [], ["z"], dvcfile="sub/dvc.yaml")],
         "'sub/dvc.yaml' is within an output 'sub' of another stage"),
    ],
)
def test_invalid_graphs_are_refused_with_one_message(stages, message):
    with pytest.raises(PipelineGraphError) as info:
        build_graph(stages)
    assert info.value.message == message
    assert "\n" not in info.value.message and info.value.hint


DVC_YAML = """stages:
  prepare:
    cmd: cp data.txt prep.txt
    deps: [data.txt]
    outs: [prep.txt]
  train:
    cmd: cp prep.txt model.txt
    deps: [prep.txt]
    outs: [model.txt]
  other:
    cmd: cp data.txt o2.txt
    deps: [data.txt]
    outs: [o2.txt]
  final:
    cmd: cat model.txt o2.txt > f.txt
    deps: [model.txt, o2.txt]
    outs: [f.txt]
  lone:
    cmd: echo x > lone.txt
    outs: [lone.txt]
"""


@pytest.fixture
def dag_repo(git_repo):
    run_cli("init", cwd=git_repo, check=True)
    (git_repo / "dvc.yaml").write_text(DVC_YAML)
    return git_repo


def test_dag_dot_and_mermaid_match_dvc(dag_repo):
    dot = run_cli("dag", "--dot", cwd=dag_repo)
    assert dot.returncode == 0
    # byte-for-byte what DVC 3.67.1 prints for this pipeline
    assert dot.stdout == (
        'strict digraph {\n"prepare";\n"train";\n"other";\n"final";\n"lone";\n'
        '"prepare" -> "train";\n"train" -> "final";\n"other" -> "final";\n}\n\n'
    )
    mermaid = run_cli("dag", "--mermaid", cwd=dag_repo)
    assert mermaid.stdout == (
        'flowchart TD\n\tnode1["final"]\n\tnode2["other"]\n\tnode3["prepare"]\n\tnode4["train"]\n'
        '\tnode2-->node1\n\tnode3-->node4\n\tnode4-->node1\n\tnode5["lone"]\n'
    )


def test_dag_ascii_draws_boxes_and_filters_by_target(dag_repo):
    full = run_cli("dag", cwd=dag_repo)
    assert full.returncode == 0
    for name in ("prepare", "train", "other", "final", "lone"):
        assert f"| {name} |" in full.stdout
    lines = full.stdout.splitlines()
    assert lines.index("+------+") > max(i for i, line in enumerate(lines) if "| final |" in line)
    assert "*" in full.stdout
    only = run_cli("dag", "train", cwd=dag_repo)
    assert "| train |" in only.stdout and "| prepare |" in only.stdout
    assert "final" not in only.stdout and "lone" not in only.stdout
    lines = only.stdout.splitlines()
    assert lines.index(next(x for x in lines if "prepare" in x)) < lines.index(next(x for x in lines if "train" in x))


def test_dag_refuses_a_cycle_without_traceback(dag_repo):
    (dag_repo / "dvc.yaml").write_text(
        "stages:\n  a:\n    cmd: x\n    deps: [b.txt]\n    outs: [a.txt]\n"
        "  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n"
    )
    proc = run_cli("dag", cwd=dag_repo)
    assert proc.returncode == 255
    assert proc.stderr.splitlines()[0] == (
        "ERROR: Same item(s) are defined as both a dependency and an output in stages: a, b."
    )
    assert "Traceback" not in proc.stderr
