"""Pipeline scenarios, part 2: params, metrics, templating (parsing), dvc.lock and dvc.yaml editing, .dvcignore
in pipelines, dag (DVC's tests/func/params/, metrics/, parsing/, test_lockfile.py, test_dvcfile.py,
test_ignore.py).

Conventions as in scenarios_pipeline.py. Reading commands (`params diff`, `metrics show/diff`, `dag --dot`,
`stage list`) have their stdout compared (`stdout=`), as parsed JSON when it is JSON. Most read-only scenarios
write `dvc.yaml` directly and need no `repro`, which keeps their cost to one or two tool calls per twin.
"""

from __future__ import annotations

from tests.differential.runner import Compare, Scenario
from tests.differential.scenarios_pipeline import FOO, C, _stage, _yaml

S = Scenario
PD = "tests/func/params/test_diff.py::"
PS = "tests/func/params/test_show.py::"
MS = "tests/func/metrics/test_show.py::"
MD = "tests/func/metrics/test_diff.py::"
FE = "tests/func/parsing/test_foreach.py::"
MX = "tests/func/parsing/test_matrix.py::"
IE = "tests/func/parsing/test_interpolated_entry.py::"
RS = "tests/func/parsing/test_resolver.py::"
LK = "tests/func/test_lockfile.py::"
DF = "tests/func/test_dvcfile.py::"
IG = "tests/func/test_ignore.py::"
NO_STATUS = Compare(status=False)

ECHO_PARAMS = _yaml(_stage("echo-params", "echo params.yaml", extra="    params:\n    - foo\n"))
ECHO_FOO_XYZ = _yaml(_stage("echo-params", "echo params.yaml", extra="    params:\n    - foo\n    - xyz\n"))
PDJ = "$TOOL params diff --json"


def _metric_stage(*paths: str, cache: bool = False) -> str:
    """A stage declaring `paths` as metrics (not cached unless `cache`), without running it."""
    entries = "".join(f"    - {p}:\n        cache: false\n" if not cache else f"    - {p}\n" for p in paths)
    return _yaml(_stage("metrics", "echo metrics", extra="    metrics:\n" + entries))


PARAMS_SCENARIOS: tuple[Scenario, ...] = (
    S("params_diff_no_params", PD + "test_diff_no_params", (PDJ,), {}, stdout=(0,)),
    S("params_diff_no_changes", PD + "test_diff_no_changes", (C, PDJ), {"params.yaml": "foo: bar", "dvc.yaml":
                                                                       ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_a_rev", PD + "test_diff",
      (C, "echo 'foo: baz' > params.yaml && " + C, "echo 'foo: qux' > params.yaml && " + C, PDJ + " HEAD~2"),
      {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS}, stdout=(3,)),
    S("params_diff_dirty", PD + "test_diff_dirty", (C, "echo 'foo: qux' > params.yaml && " + PDJ),
      {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_new", PD + "test_diff_new", (PDJ,), {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS},
      stdout=(0,)),
    S("params_diff_deleted", PD + "test_diff_deleted", (C, "rm params.yaml && " + PDJ),
      {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_list", PD + "test_diff_list", (C, "printf 'foo:\\n- bar\\n- baz\\n- qux\\n' > params.yaml && " + PDJ),
      {"params.yaml": "foo:\n- bar\n- baz\n", "dvc.yaml": ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_dict", PD + "test_diff_dict", (C, "printf 'foo:\\n  bar: qux\\n' > params.yaml && " + PDJ),
      {"params.yaml": "foo:\n  bar: baz\n", "dvc.yaml": ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_with_unchanged", PD + "test_diff_with_unchanged",
      (C, "printf 'foo: qux\\nxyz: val\\n' > params.yaml && " + PDJ + " --all"),
      {"params.yaml": "foo: bar\nxyz: val\n", "dvc.yaml": ECHO_FOO_XYZ}, stdout=(1,)),
    S("params_diff_numeric", PD + "test_vars_shows_on_params_diff",
      (C, "printf 'foo: 5\\nxyz: 1.5\\n' > params.yaml && " + PDJ),
      {"params.yaml": "foo: 3\nxyz: 1.0\n", "dvc.yaml": ECHO_FOO_XYZ}, stdout=(1,)),
    S("params_diff_pipeline_tracked_only", PD + "test_pipeline_tracked_params",
      (C, "printf 'foo: qux\\nxyz: val\\nabc: changed\\n' > params.yaml && " + PDJ),
      {"params.yaml": "foo: bar\nxyz: val\nabc: ignore\n", "dvc.yaml": ECHO_FOO_XYZ}, stdout=(1,)),
    S("params_diff_vars_foreach", PD + "test_vars_shows_on_params_diff",
      (PDJ, C, "sed -i 's/epoch: 15/epoch: 20/' test_params.yaml && " + PDJ),
      {"test_params.yaml": "vars:\n  model1:\n    epoch: 15\n  model2:\n    epoch: 35\n",
       "dvc.yaml": "vars:\n- test_params.yaml\nstages:\n  build:\n    foreach: ${vars}\n    do:\n"
                   "      cmd: echo --epoch ${item.epoch}\n"}, stdout=(0, 2)),
    S("params_diff_vars_foreach_list", PD + "test_vars_shows_on_params_diff",
      (C, "sed -i 's/15/20/; s/\\[a, b\\]/[a, c]/' p.yaml && " + PDJ),
      {"p.yaml": "models:\n- epoch: 15\n  lr: 1\n- epoch: 35\n  lr: 2\nnames: [a, b]\n",
       "dvc.yaml": "vars:\n- p.yaml\nstages:\n  build:\n    foreach: ${models}\n    do:\n"
                   "      cmd: echo --epoch ${item.epoch}\n  n:\n    foreach: ${names}\n    do:\n"
                   "      cmd: echo ${item}\n"}, stdout=(1,)),
    S("params_diff_targets", PD + "test_diff_targeted",
      (C, "echo 'foo: baz' > params.yaml && echo 'xyz: val2' > other_params.yaml && "
          + PDJ + " --targets other_params.yaml"),
      {"params.yaml": "foo: bar", "other_params.yaml": "xyz: val",
       "dvc.yaml": _yaml(_stage("copy", "cp foo bar", ("foo",), ("bar",),
                                "    params:\n    - foo\n    - other_params.yaml:\n      - xyz\n")), **FOO},
      stdout=(1,)),
    S("params_diff_other_file", PD + "test_diff_without_targets_specified",
      (C, "printf 'foo:\\n  bar: baz\\nx: \"1\"\\n' > other_params.yaml && " + PDJ),
      {"other_params.yaml": "foo:\n  bar: bar\nx: '0'\n",
       "dvc.yaml": _yaml(_stage("test", "echo other_params.yaml", extra="    params:\n    - other_params.yaml:\n"))},
      stdout=(1,)),
    S("params_diff_top_level", PD + "test_diff_top_level_params",
      (C, "echo 'foo: 5' > my_params.yaml && " + PDJ), {"dvc.yaml": "params:\n- my_params.yaml\n",
                                                        "my_params.yaml": "foo: 3\n"}, stdout=(1,)),
    S("params_diff_active_branch", PD + "test_diff_active_branch_no_changes", (C, PDJ + " main"),
      {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS}, stdout=(1,)),
    S("params_diff_toml", PS + "test_show_toml",
      (C, "printf '[foo]\\nbar = 43\\nbaz = [1, 2]\\n' > params.toml && " + PDJ),
      {"params.toml": "[foo]\nbar = 42\nbaz = [1, 2]\n",
       "dvc.yaml": _yaml(_stage("echo-params", "echo params.toml", extra="    params:\n    - params.toml:\n      - foo\n"))},
      stdout=(1,)),
    S("params_diff_md", PD + "test_diff_dirty", (C, "echo 'foo: qux' > params.yaml && $TOOL params diff --md"),
      {"params.yaml": "foo: bar", "dvc.yaml": ECHO_PARAMS}, stdout=(1,), compare=NO_STATUS),
)

METRICS_SCENARIOS: tuple[Scenario, ...] = (
    S("metrics_show_simple", MS + "test_show_simple", ("$TOOL metrics show --json",),
      {"metrics.yaml": "1.1\n", "dvc.yaml": _metric_stage("metrics.yaml")}, stdout=(0,), compare=NO_STATUS),
    S("metrics_show_nested", MS + "test_show", ("$TOOL metrics show --json",),
      {"metrics.yaml": "foo: 1.1\nbar:\n  baz: 2\n", "dvc.yaml": _metric_stage("metrics.yaml")}, stdout=(0,),
      compare=NO_STATUS),
    S("metrics_show_toml", MS + "test_show_toml", ("$TOOL metrics show --json",),
      {"metrics.toml": "[foo]\nbar = 1.2\n", "dvc.yaml": _metric_stage("metrics.toml")}, stdout=(0,),
      compare=NO_STATUS),
    S("metrics_show_targets", MS + "test_show_targets", ("$TOOL metrics show --json metrics.yaml",),
      {"metrics.yaml": "foo: 1.1\n", "other.json": '{"a": 1}', "dvc.yaml": _metric_stage("metrics.yaml")},
      stdout=(0,), compare=NO_STATUS),
    S("metrics_show_multiple", MS + "test_show_multiple", ("$TOOL metrics show --json",),
      {"foo.json": '{"a": 1}', "baz.json": '{"b": {"c": 2}}', "dvc.yaml": _metric_stage("foo.json", "baz.json")},
      stdout=(0,), compare=NO_STATUS),
    S("metrics_show_non_metric_and_dir", MS + "test_non_metric_and_dir_show",
      ("$TOOL metrics show --json metrics_t.yaml metrics",),
      {"metrics_t.yaml": "foo: 1.1\n", "metrics/metric1.yaml": "bar: 1.2\n", "metrics/metric2.yaml": "foo: 1.1\n",
       "dvc.yaml": _metric_stage("metrics/metric2.yaml")}, stdout=(0,), compare=NO_STATUS),
    S("metrics_show_falsey", MS + "test_show_falsey", ("$TOOL metrics show --json metrics.json",),
      {"metrics.json": '{"foo": 0, "bar": 0.0, "baz": {}}'}, stdout=(0,), compare=NO_STATUS),
    S("metrics_show_no_metrics", MS + "test_show_no_metrics_files", ("$TOOL metrics show --json",), {},
      stdout=(0,), compare=NO_STATUS),
    S("metrics_show_missing_target", MS + "test_metrics_show_no_target", ("$TOOL metrics show --json metrics.json",),
      {}, stdout=(0,), compare=NO_STATUS, differs="metrics_error_words"),
    S("metrics_show_malformed", MS + "test_show_malformed_metric", ("$TOOL metrics show --json metric.json",),
      {"metric.json": '{"m":1'}, stdout=(0,), compare=NO_STATUS, differs="metrics_error_words"),
    S("metrics_show_from_subdir", MS + "test_show_simple_from_subdir", ("cd subdir2 && $TOOL metrics show --json",),
      {"subdir/metrics.yaml": "1.1\n", "subdir2/x": "x", "dvc.yaml": _metric_stage("subdir/metrics.yaml")},
      stdout=(0,), compare=NO_STATUS),
    S("metrics_show_top_level", "tests/func/parsing/test_top_level.py::test_metrics", ("$TOOL metrics show --json",),
      {"dvc.yaml": "metrics:\n- scores.json\n", "scores.json": '{"auc": 0.9}'}, stdout=(0,), compare=NO_STATUS),
    S("metrics_show_after_repro", MS + "test_show_simple",
      ("$TOOL repro -q && $TOOL metrics show --json",),
      {"m_t.yaml": "foo: 1.1\n",
       "dvc.yaml": _yaml(_stage("copy-metrics", "cp m_t.yaml m.yaml", ("m_t.yaml",),
                                extra="    metrics:\n    - m.yaml\n"))}, stdout=(0,)),
    S("metrics_show_table", MS + "test_show_multiple", ("$TOOL metrics show",),
      {"foo.json": '{"a": 1}', "baz.json": '{"b": {"c": 2}}', "dvc.yaml": _metric_stage("foo.json", "baz.json")},
      stdout=(0,), compare=NO_STATUS),
    S("metrics_diff_simple", MD + "test_metrics_diff_simple",
      (C, "echo 3 > m.yaml && " + C, "$TOOL metrics diff --json HEAD~1"),
      {"m.yaml": "1\n", "dvc.yaml": _metric_stage("m.yaml")}, stdout=(2,), compare=NO_STATUS),
    S("metrics_diff_json_dirty", MD + "test_metrics_diff_dirty",
      (C, "echo '{\"a\": {\"b\": 2, \"e\": \"2\"}}' > m.json && $TOOL metrics diff --json"),
      {"m.json": '{"a": {"b": 1, "e": "1"}}', "dvc.yaml": _metric_stage("m.json")}, stdout=(1,), compare=NO_STATUS),
    S("metrics_diff_new_metric", MD + "test_metrics_diff_new_metric",
      (C, "echo '{\"a\": 1}' > m.json && $TOOL metrics diff --json"),
      {"dvc.yaml": _metric_stage("m.json")}, stdout=(1,), compare=NO_STATUS),
    S("metrics_diff_no_metrics", MD + "test_metrics_diff_no_metrics", ("$TOOL metrics diff --json",), {},
      stdout=(0,), compare=NO_STATUS),
)

FOREACH_LIST = ("stages:\n  build:\n    foreach:\n    - foo\n    - bar\n    do:\n"
                "      cmd: echo ${item} > ${item}.txt\n      outs:\n      - ${item}.txt\n")
FOREACH_DICT = ("stages:\n  build:\n    foreach:\n      model1: foo\n      model2: bar\n    do:\n"
                "      cmd: echo ${key} ${item} > ${key}.txt\n      outs:\n      - ${key}.txt\n")
MATRIX = ("stages:\n  build:\n    matrix:\n      os: [win, linux]\n      pyv: [3.7, 3.8]\n"
          "    cmd: echo ${item.os} ${item.pyv} > ${key}.txt\n    outs:\n    - ${key}.txt\n")
TEMPLATED = ("stages:\n  stage1:\n    cmd: cp ${dict.foo} ${dict.bar}\n    deps:\n    - ${dict.foo}\n"
             "    outs:\n    - ${dict.bar}\n  stage2:\n    cmd: echo ${dict.foo} ${dict.bar}\n")
CONTEXT = "dict:\n  foo: foo\n  bar: bar\nlist:\n- param1\n- param2\nfreeze: true\n"

PARSING_SCENARIOS: tuple[Scenario, ...] = (
    S("foreach_simple_list", FE + "test_with_simple_list_data", ("$TOOL repro",), {"dvc.yaml": FOREACH_LIST}),
    S("foreach_dict", FE + "test_with_dict_data", ("$TOOL repro",), {"dvc.yaml": FOREACH_DICT}),
    S("foreach_dict_non_str_keys", FE + "test_with_dict_with_non_str_keys", ("$TOOL repro",),
      {"dvc.yaml": "stages:\n  build:\n    foreach:\n      2021:\n        thresh: foo\n      2022:\n"
                   "        thresh: bar\n    do:\n      cmd: echo ${key} ${item.thresh} > ${key}.txt\n"
                   "      outs:\n      - ${key}.txt\n"}),
    S("foreach_composite_list", FE + "test_with_composite_list", ("$TOOL repro", "$TOOL stage list --name-only"),
      {"dvc.yaml": "stages:\n  build:\n    foreach:\n    - thresh: foo\n    - thresh: bar\n    do:\n"
                   "      cmd: echo ${item.thresh} > out${item.thresh}\n      outs:\n      - out${item.thresh}\n"},
      stdout=(1,)),
    S("foreach_params_file_tracked", FE + "test_params_file_with_dict_tracked", ("$TOOL repro",),
      {"params.yaml": "models:\n  model1:\n    thresh: foo\n  model2:\n    thresh: bar\n",
       "dvc.yaml": "stages:\n  build:\n    foreach: ${models}\n    do:\n"
                   "      cmd: echo ${item.thresh} > ${key}.txt\n      outs:\n      - ${key}.txt\n"}),
    S("foreach_params_composite_list_tracked", FE + "test_params_file_tracked_for_composite_list",
      ("$TOOL repro", "sed -i 's/thresh: 10/thresh: 11/' params.yaml && $TOOL status --json"),
      {"params.yaml": "models:\n- thresh: 10\n- thresh: 15\n",
       "dvc.yaml": "stages:\n  build:\n    foreach: ${models}\n    do:\n      cmd: echo ${item.thresh}\n"},
      stdout=(1,)),
    S("foreach_nested_vars", FE + "test_foreach_data_from_nested_vars", ("$TOOL repro",),
      {"dvc.yaml": "vars:\n- models:\n    a: [x, y]\nstages:\n  build:\n    foreach: ${models.a}\n    do:\n"
                   "      cmd: echo ${item} > ${item}.out\n      outs:\n      - ${item}.out\n"}),
    S("foreach_with_local_vars", FE + "test_foreach_with_local_vars", ("$TOOL repro",),
      {"dvc.yaml": "stages:\n  build:\n    foreach: [foo, bar]\n    do:\n      vars:\n      - suffix: out\n"
                   "      cmd: echo ${item} > ${item}.${suffix}\n      outs:\n      - ${item}.${suffix}\n"}),
    S("foreach_interpolated_wdir", FE + "test_foreach_with_interpolated_wdir", ("$TOOL repro",),
      {"data/foo/x": "x", "data/bar/x": "x",
       "dvc.yaml": "stages:\n  build:\n    foreach: [foo, bar]\n    do:\n      wdir: data/${item}\n"
                   "      cmd: cp x y\n      deps:\n      - x\n      outs:\n      - y\n"}),
    S("foreach_target_one_item", FE + "test_with_simple_list_data", ("$TOOL repro build@bar",),
      {"dvc.yaml": FOREACH_LIST}),
    S("matrix_interpolated", MX + "test_matrix_interpolated", ("$TOOL repro",), {"dvc.yaml": MATRIX}),
    S("matrix_from_params", MX + "test_matrix_key_present", ("$TOOL repro", "$TOOL stage list --name-only"),
      {"params.yaml": "os: [win, linux]\ndict:\n- arg1: 1\n- arg2: 2\n",
       "dvc.yaml": "stages:\n  build:\n    matrix:\n      os: ${os}\n      dict: ${dict}\n    cmd: echo ${key}\n"},
      stdout=(1,)),
    S("interpolated_simple", IE + "test_simple", ("$TOOL repro",),
      {"params.yaml": CONTEXT, "dvc.yaml": TEMPLATED, **FOO}),
    S("interpolated_vars_import", IE + "test_vars_import", ("$TOOL repro",),
      {"params2.yaml": CONTEXT, "dvc.yaml": "vars:\n- params2.yaml\n" + TEMPLATED, **FOO}),
    S("interpolated_vars_and_params", IE + "test_vars_and_params_import", ("$TOOL repro",),
      {"params.yaml": "dict:\n  bar: bar\n",
       "dvc.yaml": "vars:\n- params.yaml\n- dict:\n    foo: foobar\nstages:\n  stage1:\n"
                   "    cmd: echo ${dict.foo} ${dict.bar} > out\n    outs:\n    - out\n"}),
    S("interpolated_stage_wdir_vars", IE + "test_stage_with_wdir", ("$TOOL repro",),
      {"params.yaml": "dict:\n  bar: bar\n", "data/params.yaml": "dict:\n  foo: foo\nvalue1: 1\n",
       "dvc.yaml": "stages:\n  stage1:\n    cmd: echo ${dict.foo} ${dict.bar} > out\n    wdir: data\n"
                   "    params:\n    - value1\n    vars:\n    - params.yaml\n    outs:\n    - out\n"}),
    S("interpolated_cmd_dict", IE + "test_cmd_dict", ("$TOOL repro",),
      {"params.yaml": "dict:\n  foo: foo\n  bar: 2\n  string: spaced string\n  bool: true\n  bool-false: false\n"
                      "  list: [1, 2, foo]\n  nested:\n    foo: foo\n",
       "dvc.yaml": "stages:\n  stage1:\n    cmd: echo ${dict} > out\n    outs:\n    - out\n"}),
    S("interpolated_param_change_reruns", IE + "test_simple",
      ("$TOOL repro -q", "sed -i 's/bar: bar/bar: baz/' params.yaml && $TOOL status --json", "$TOOL repro"),
      {"params.yaml": CONTEXT, "dvc.yaml": TEMPLATED, **FOO}, stdout=(1,)),
    S("vars_interpolation_not_allowed", RS + "test_vars_interpolation_errors", ("$TOOL repro",),
      {"dvc.yaml": "vars:\n- ${file}_params.yaml\nstages:\n  s:\n    cmd: echo\n"}),
    S("vars_file_does_not_exist", RS + "test_specified_params_file_not_exist", ("$TOOL repro",),
      {"dvc.yaml": "vars:\n- not_existing_params.yaml\nstages:\n  s:\n    cmd: echo\n"}),
    S("vars_partial_does_not_exist", RS + "test_partial_vars_doesnot_exist", ("$TOOL repro",),
      {"test_params.yaml": "sub1: sub1\n", "dvc.yaml": "vars:\n- test_params.yaml:sub2\nstages:\n  s:\n    cmd: echo\n"}),
    S("vars_global_overwrite", RS + "test_global_overwrite_vars", ("$TOOL repro",),
      {"params.yaml": "models:\n  bar: bar\n",
       "dvc.yaml": "vars:\n- models:\n    bar: bar\nstages:\n  s:\n    cmd: echo ${models.bar}\n"}),
    S("vars_load_from_json", RS + "test_load_vars_from_file", ("$TOOL repro",),
      {"params.yaml": "models:\n  foo: foo\n", "params.json": '{"datasets": ["a", "b"]}',
       "dvc.yaml": "vars:\n- params.yaml\n- params.json\nstages:\n  s:\n"
                   "    cmd: echo ${models.foo} ${datasets[1]} > out\n    outs:\n    - out\n"}),
    S("undefined_variable", "tests/func/parsing/test_errors.py::test_failed_to_interpolate", ("$TOOL repro",),
      {"dvc.yaml": "stages:\n  s:\n    cmd: echo ${nothere}\n"}),
    S("stage_add_force_templated", DF + "test_dvcfile_try_dumping_parametrized_stage",
      ("$TOOL stage add -f -n build 'echo x'",), {"dvc.yaml": FOREACH_LIST}),
)

HEAD3 = _yaml(_stage("copy-first-line", "head -n1 foo > foo-1 && head -n1 bar > bar-1 && head -n1 foobar > foobar-1",
                     ("foo", "bar", "foobar"), ("foo-1", "bar-1", "foobar-1")))
FS3 = {"foo": "bar\nfoobar", "bar": "foo\nfoobar", "foobar": "foobar\nbar"}
PARAMS_FS = {"params.yaml": "answer: 42\nlists: [42, 42.0, '42']\nname: Answer\nfloats: 42.0\n"
                            "nested:\n  nested1:\n    nested2: '42'\n    nested2-2: 41.99999\n"}

LOCK_SCENARIOS: tuple[Scenario, ...] = (
    S("lock_deps_outs_sorted", LK + "test_deps_outs_are_sorted_by_path", ("$TOOL repro",), {"dvc.yaml": HEAD3, **FS3}),
    S("lock_order_preserved_pipeline_reordered", LK + "test_order_is_preserved_when_pipeline_order_changes",
      ("$TOOL repro -q", "sed -i 's/    - foo$/    - fooX/; s/    - foobar$/    - foo/; s/    - fooX$/    - foobar/' "
                         "dvc.yaml && $TOOL repro", "rm dvc.lock && $TOOL repro"), {"dvc.yaml": HEAD3, **FS3}),
    S("lock_cmd_change_others_preserved", LK + "test_cmd_changes_other_orders_are_preserved",
      ("$TOOL repro -q", "sed -i 's/head -n1 foo >/head -n 1 foo >/' dvc.yaml && $TOOL repro"),
      {"dvc.yaml": HEAD3, **FS3}),
    S("lock_params_dump", LK + "test_params_dump",
      ("$TOOL repro", "rm dvc.lock .dvc/cache/runs -rf && $TOOL repro"),
      {"dvc.yaml": _yaml(_stage("p", "cat params.yaml params2.yaml > out", outs=("out",),
                                extra="    params:\n    - params2.yaml:\n      - answer\n      - lists\n      - name\n"
                                      "    - lists\n    - floats\n    - nested.nested1\n    - nested.nested1.nested2\n")),
       **PARAMS_FS, "params2.yaml": PARAMS_FS["params.yaml"]}),
)

REMOVE_PRESERVES = ("stages:\n    generate-foo:\n        cmd: \"echo foo > foo\"\n"
                    "        # This copies 'foo' text to 'foo' file.\n        outs:\n        - foo\n"
                    "    copy-foo-bar:\n        cmd: \"cp foo bar\"\n        deps:\n        - foo\n"
                    "        outs:\n        - bar\n")
DESC_META = ("stages:\n  stage1:\n    desc: stage desc\n    meta:\n      key1: value1\n      key2: value2\n"
             "    cmd: cp foo bar\n    deps:\n    - foo\n    outs:\n    - bar:\n        desc: bar desc\n"
             "        meta:\n          key: value\n")

DVCFILE_SCENARIOS: tuple[Scenario, ...] = (
    S("remove_stage_preserves_comment", DF + "test_remove_stage_preserves_comment",
      ("$TOOL repro -q", "$TOOL remove copy-foo-bar"), {"dvc.yaml": REMOVE_PRESERVES}),
    S("remove_last_stage_removes_files", DF + "test_remove_stage_removes_dvcfiles_if_no_stages_left",
      ("$TOOL repro -q", "$TOOL remove run_copy"), {"dvc.yaml": _yaml(_stage("run_copy", "cp foo bar", ("foo",),
                                                                              ("bar",))), **FOO}),
    S("remove_stage_lock_format_error", DF + "test_remove_stage_on_lockfile_format_error",
      ("$TOOL repro -q", "echo 'gibberish: true' >> dvc.lock && $TOOL remove copy"),
      {"dvc.yaml": _yaml(_stage("copy", "cp foo bar", ("foo",), ("bar",))), **FOO}),
    S("dvcfile_desc_meta_preserved", DF + "test_dvcfile_load_dump_stage_with_desc_meta",
      ("$TOOL repro", "echo changed > foo && $TOOL repro"), {"dvc.yaml": DESC_META, **FOO}),
    S("dvcfile_with_top_level_plots", DF + "test_dvcfile_load_with_plots", ("$TOOL repro",),
      {"dvc.yaml": "plots:\n- path/to/plot:\n    x: value\n    y: value\n- path/to/plot/str\n" + DESC_META, **FOO}),
    S("dvcfile_stage_in_subdir", "tests/func/test_stage.py::test_parent_repo_collect_stages",
      ("$TOOL repro sub/dvc.yaml", "$TOOL status --json"),
      {"sub/foo": "foo", "sub/dvc.yaml": _yaml(_stage("copy", "cp foo bar", ("foo",), ("bar",)))}, stdout=(1,)),
)

OTHER_SCENARIOS: tuple[Scenario, ...] = (
    S("ignore_dep_dir_ignored_file", IG + "test_ignore", ("$TOOL repro -q", "echo changed > data/ign && "
                                                          "$TOOL status --json"),
      {".dvcignore": "data/ign\n", "data/a": "a", "data/ign": "i",
       "dvc.yaml": _yaml(_stage("ls", "ls data > listing", ("data",), ("listing",)))}, stdout=(1,)),
    S("ignore_output_ignored", IG + "test_ignored_output", ("$TOOL stage add --run -n copy -d foo -o abc.log "
                                                            "'cp foo abc.log'", "$TOOL stage add --run -n copy "
                                                            "-d foo -o foo.log 'cp foo foo.log'"),
      {".dvcignore": "*.log\n!foo.log\n", "foo": "foo content"}),
    S("ignore_dvcignored_dep", IG + "test_run_dvcignored_dep", ("$TOOL repro",),
      {".dvcignore": "dir\n", "dir/foo": "foo", "dvc.yaml": _yaml(_stage("copy", "cp dir/foo bar", ("dir/foo",),
                                                                          ("bar",)))}),
    S("ignore_in_out_dir", IG + "test_ignore_in_added_dir", ("$TOOL repro",),
      {".dvcignore": "out/skip\n",
       "dvc.yaml": _yaml(_stage("mk", "mkdir out && echo a > out/a && echo s > out/skip", outs=("out",)))}),
    S("dag_dot", "tests/func/test_run.py::test_graph", ("$TOOL dag --dot",),
      {"dvc.yaml": _yaml(_stage("copy", "cp foo bar", ("foo",), ("bar",)), _stage("copy2", "cp bar baz", ("bar",),
                                                                                  ("baz",))), **FOO},
      stdout=(0,), compare=NO_STATUS),
    S("dag_dot_full_with_dvcfile", "tests/func/test_run.py::test_graph",
      # data/foo.dvc one directory down: DVC lists a directory's dvc files (in the file system's own
      # order) before its sub-directories', so only this layout has one order on every machine
      ("$TOOL add -q data/foo", "$TOOL dag --dot --full"),
      {"dvc.yaml": _yaml(_stage("copy", "cp data/foo bar", ("data/foo",), ("bar",))), "data/foo": "foo"},
      stdout=(1,)),
)

SCENARIOS: tuple[Scenario, ...] = (PARAMS_SCENARIOS + METRICS_SCENARIOS + PARSING_SCENARIOS + LOCK_SCENARIOS
                                   + DVCFILE_SCENARIOS + OTHER_SCENARIOS)
