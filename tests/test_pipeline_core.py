"""Pure pipeline logic: schema checks, interpolation, foreach/matrix, lock entries, run-cache keys."""

from __future__ import annotations

import pytest

from stagecore.core.entry import Entry
from stagecore.core.expand import expand_stages
from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.interpolate import Context, InterpolationError
from stagecore.core.pipeline import build_stage, lock_data, merge_params, pipeline_data
from stagecore.core.pipeschema import LegacyLockWarning, validate_lock, validate_pipeline
from stagecore.core.stage import Stage, dvcfile_md5
from stagecore.ops.runcache import entry_key, entry_value


def _no_files(path, keys):
    raise AssertionError(f"unexpected vars file {path}")


# ---------------------------------------------------------------- schema


def test_valid_pipeline_has_no_problems():
    data = {
        "vars": ["cfg.yaml", {"x": 1}],
        "stages": {
            "train": {
                "cmd": "python train.py", "deps": ["a"], "params": ["lr", {"p.json": ["k"]}],
                "outs": ["m", {"n": {"cache": False, "persist": True}}], "metrics": ["s.json"],
                "plots": [{"p.csv": {"x": "step", "y": "loss"}}], "frozen": True, "wdir": "sub",
            },
            "gen": {"foreach": [1, 2], "do": {"cmd": "echo ${item}"}},
            "mx": {"matrix": {"a": [1, 2]}, "cmd": "echo ${item.a}"},
        },
    }
    assert validate_pipeline(data) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"stages": {"a": {"cmd": "x", "bogus": 1}}}, [(("stages", "a", "bogus"), "extra keys not allowed")]),
        ({"stages": {"a": {"deps": ["x"]}}}, [(("stages", "a", "cmd"), "required key not provided")]),
        ({"stages": {"a": {"cmd": "x", "outs": "o"}}}, [(("stages", "a", "outs"), "expected a list")]),
        ({"foo": 1}, [(("foo",), "extra keys not allowed")]),
        ([1, 2], [((), "expected a dictionary.")]),
        ({"stages": {"a": {"cmd": "x", "frozen": "yes"}}}, [(("stages", "a", "frozen"), "expected bool")]),
        ({"stages": {"a": {"cmd": "x", "outs": [{"o": {"cache": False, "nope": 1}}]}}},
         [(("stages", "a", "outs", 0, "o", "nope"), "extra keys not allowed")]),
        ({"stages": {"g": {"foreach": [1], "do": {"cmd": "x"}, "extra": 1}}},
         [(("stages", "g", "extra"), "extra keys not allowed")]),
    ],
)
def test_schema_problems_name_the_key(data, expected):
    assert validate_pipeline(data) == expected


def test_every_problem_is_collected():
    data = {"stages": {"a": {"bogus": 1}, "b": {"cmd": 1}}}
    problems = validate_pipeline(data)
    assert len(problems) == 3


def test_lock_schema_rules():
    assert validate_lock({"schema": "2.0", "stages": {"a": {"cmd": "x"}}}) == ({"a": {"cmd": "x"}}, [])
    assert validate_lock({"schema": 2.0, "stages": {}})[1] == [(("schema",), "invalid schema version")]
    assert validate_lock({"schema": "3.0", "stages": {}})[1] == [(("schema",), "invalid schema version")]
    # DVC 1.x lock: no schema, stages at the top level -- read leniently, with a warning
    with pytest.warns(LegacyLockWarning, match="DVC 1.x layout, stages 'train'"):
        stages, problems = validate_lock({"train": {"cmd": "x", "deps": [{"path": "a", "md5": "0" * 32}]}})
    assert problems == [] and list(stages) == ["train"]
    assert validate_lock({"schema": "2.0", "stages": {"a": {"deps": []}}})[1] == [
        (("stages", "a", "cmd"), "required key not provided")
    ]


# ---------------------------------------------------------------- interpolation


def test_exact_interpolation_keeps_type_and_mixed_becomes_text():
    ctx = Context({"lr": 0.1, "on": True, "n": 3, "d": {"a": 1, "b": "x y"}, "l": [1, 2]}, "params.yaml")
    assert ctx.resolve_str("${lr}") == 0.1
    assert ctx.resolve_str("${on}") is True
    assert ctx.resolve_str("run --on ${on} -n ${n}") == "run --on true -n 3"
    assert ctx.resolve_str("${l[1]}") == 2
    assert ctx.resolve_str("${d.a}") == 1
    assert ctx.resolve_str(r"keep \${lr} ${n}") == "keep ${lr} 3"
    assert ctx.resolve_str("train ${d}", key="cmd") == "train --a 1 --b 'x y'"
    with pytest.raises(InterpolationError, match="Cannot interpolate data of type 'dict'"):
        ctx.resolve_str("x ${d}", key="deps")
    with pytest.raises(InterpolationError, match="Could not find 'nope'"):
        ctx.resolve_str("${nope}")


def test_vars_cannot_redefine_a_key():
    ctx = Context({"lr": 0.1}, "params.yaml")
    with pytest.raises(InterpolationError, match="cannot redefine 'lr' from 'vars\\[0\\]'"):
        ctx.merge({"lr": 0.2}, "vars[0]")


def test_foreach_and_matrix_names_and_values():
    ctx = Context({"models": ["a", "b"]}, "params.yaml")
    stages = {
        "gen": {"foreach": "${models}", "do": {"cmd": "echo ${item}", "outs": ["out-${item}.txt"]}},
        "idx": {"foreach": [{"v": 1}, {"v": 2}], "do": {"cmd": "echo ${item.v}"}},
        "named": {"foreach": {"first": {"v": 1}, "second": {"v": 2}}, "do": {"cmd": "echo ${key} ${item.v}"}},
        "mx": {"matrix": {"a": ["x", "y"], "b": [1, 2]}, "cmd": "echo ${item.a} ${item.b} ${key}"},
        "plain": {"cmd": "echo plain"},
    }
    got = {g.name: g.definition for g in expand_stages(stages, ctx, _no_files)}
    assert list(got) == ["gen@a", "gen@b", "idx@0", "idx@1", "named@first", "named@second",
                         "mx@x-1", "mx@x-2", "mx@y-1", "mx@y-2", "plain"]
    assert got["gen@b"] == {"cmd": "echo b", "outs": ["out-b.txt"]}
    assert got["idx@1"]["cmd"] == "echo 2"
    assert got["named@second"]["cmd"] == "echo second 2"
    assert got["mx@y-2"]["cmd"] == "echo y 2 y-2"
    assert got["plain"] == {"cmd": "echo plain"}


def test_stage_vars_are_loaded_through_the_loader():
    seen = []

    def loader(path, keys):
        seen.append((path, keys))
        return {"extra": {"k": 7}}

    stages = {"s": {"vars": ["more.yaml:extra"], "cmd": "echo ${extra.k}"}}
    (gen,) = expand_stages(stages, Context(), loader)
    assert gen.definition == {"cmd": "echo 7"} and gen.parametrized
    assert seen == [("more.yaml", ["extra"])]


# ---------------------------------------------------------------- stages and entries


def test_merge_params_like_dvc():
    assert merge_params(["b", "a", {"p.json": ["x"]}, {"p.toml": None}]) == {
        "params.yaml": ["b", "a"], "p.json": ["x"], "p.toml": None,
    }
    assert merge_params(["a", {"params.yaml": None}]) == {"params.yaml": None}


def test_pipeline_data_key_order_and_sorting():
    stage = Stage("dvc.yaml", "train", cmd="python t.py", desc="d",
                  params={"params.yaml": ["lr", "epochs"], "e.yaml": ["thr"], "all.toml": None})
    stage.deps = [Entry("z.py", kind="dep"), Entry("a.txt", kind="dep")]
    stage.outs = [Entry("out.txt"), Entry("model"), Entry("nocache.txt", cache=False),
                  Entry("m.json", kind="metric"), Entry("s.json", cache=False, kind="metric"),
                  Entry("p.csv", kind="plot"), Entry("keep.txt", persist=True)]
    data = pipeline_data(stage, "sub")
    assert list(data) == ["desc", "cmd", "wdir", "deps", "params", "outs", "metrics", "plots"]
    assert data["deps"] == ["a.txt", "z.py"]
    assert data["params"] == ["epochs", "lr", {"all.toml": None}, {"e.yaml": ["thr"]}]
    assert data["outs"] == [{"keep.txt": {"persist": True}}, "model", {"nocache.txt": {"cache": False}}, "out.txt"]
    assert data["metrics"] == ["m.json", {"s.json": {"cache": False}}]
    assert data["plots"] == ["p.csv"]


def test_lock_data_order_and_lock_join():
    hi = HashInfo(MD5, "0" * 32)
    stage = build_stage("dvc.yaml", "s", {"cmd": "c", "deps": ["b", "a"], "outs": ["o"], "metrics": ["m"]},
                        {"cmd": "c", "deps": [{"path": "a", "hash": "md5", "md5": "0" * 32, "size": 1}]})
    assert [d.hash for d in stage.deps] == [None, hi]
    stage.outs = [o.with_hash(hi, Meta(2)) for o in stage.outs]
    entry = lock_data(stage, {"x.json": {"k": 1}, "params.yaml": {"b": 2, "a": 1}})
    assert list(entry) == ["cmd", "deps", "params", "outs"]
    assert [d["path"] for d in entry["deps"]] == ["a", "b"]
    assert list(entry["params"]) == ["params.yaml", "x.json"] and list(entry["params"]["params.yaml"]) == ["a", "b"]
    assert entry["outs"] == [
        {"path": "m", "hash": "md5", "md5": "0" * 32, "size": 2},
        {"path": "o", "hash": "md5", "md5": "0" * 32, "size": 2},
    ]


def test_run_cache_key_and_value_match_dvc():
    # the entry and both hashes were observed with DVC 3.67.1 (spec section 5)
    entry = {
        "cmd": "cat in.txt > out.txt && echo '{\"x\": 1}' > m.json",
        "deps": [{"path": "in.txt", "hash": "md5", "md5": "4f98f59e877ecb84ff75ef0fab45bac5", "size": 3}],
        "params": {"params.yaml": {"lr": 0.1}},
        "outs": [
            {"path": "m.json", "hash": "md5", "md5": "15058b6e28ee0b319e87b24f005b9187", "size": 9},
            {"path": "out.txt", "hash": "md5", "md5": "4f98f59e877ecb84ff75ef0fab45bac5", "size": 3},
        ],
    }
    assert entry_key(entry) == "6a26c4dd00a20d9f4a15b4610268fdedbd13f049ddb6245c1961fe349cd46704"
    assert entry_value(entry) == "85c6e298fa5e26bf6072c35e0e63b9c11320b6ed5c8704034c812946e9504d3c"


def test_single_stage_md5_matches_dvc1():
    # DVC 1.11.16 wrote this file with md5 efe36badd831d14bf069ac1cd21c1a06 (spec section 6.2)
    data = {
        "cmd": "python train.py",
        "deps": [{"md5": "8d424d6c26cd91b8fe7b064eff4148dc", "size": 150, "path": "train.py"},
                 {"md5": "2306b4377429730ee03a806cff76e92b", "size": 5, "path": "raw.txt"}],
        "outs": [{"md5": "b0f24e3d11bfe3d31529d1b9f2745cfd", "size": 4, "path": "log.txt", "persist": True},
                 {"md5": "dc926bee53673c8ee852d87143691bae", "size": 12, "path": "metrics.json",
                  "cache": False, "metric": True},
                 {"md5": "89483c74be133f2663024b7fe9beb2f7", "size": 8, "path": "model.bin"}],
    }
    assert dvcfile_md5(data) == "efe36badd831d14bf069ac1cd21c1a06"
