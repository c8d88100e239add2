"""Pipeline scenarios: repro, stage add, run cache, freeze (DVC's tests/func/repro/, test_run.py, test_stage.py,
test_run_cache.py).

Conventions: `files` are written, uncommitted, into a repository already `git init` + `$TOOL init` + committed.
Stage commands are deterministic shell; a command that appends to `ran` (`printf r >> ran`) makes the number of
times it really ran part of the compared workspace, so a run-cache restore or a skipped stage shows. `stdout` lists
the steps whose output is compared too (JSON parsed): `status --json`, the run-cache key listing.
"""

from __future__ import annotations

from dataclasses import replace

from tests.differential.runner import Compare, Scenario

S = Scenario
REPRO = "tests/func/repro/test_repro.py::"
RUN = "tests/func/test_run.py::"
STAGE = "tests/func/test_stage.py::"
RC = "tests/func/test_run_cache.py::"
C = "git add -A && git commit -qm c"
RUNS = "find .dvc/cache/runs -type f | sed 's|.*/runs/||' | sort"  # run-cache entries, DVC's key layout

FOO = {"foo": "foo"}
FOO_BAR = {"foo": "foo", "bar": "bar"}
COPY = "stages:\n  copy:\n    cmd: cp foo bar && printf r >> ran\n    deps:\n    - foo\n    outs:\n    - bar\n"
CHAIN = (COPY + "  copy2:\n    cmd: cp bar baz && printf s >> ran\n    deps:\n    - bar\n    outs:\n    - baz\n")
COPY_SH = "import shutil, sys\nshutil.copyfile(sys.argv[1], sys.argv[2])\n"
RUN1 = ("stages:\n  run1:\n    cmd: python3 copy.py foo file1\n    deps:\n    - copy.py\n    - foo\n"
        "    outs:\n    - file1\n")
RUN1_FILES = {"foo": "foo", "bar": "bar", "copy.py": COPY_SH}
ADD_FOO = "$TOOL add -q foo"


def _stage(name: str, cmd: str, deps: tuple[str, ...] = (), outs: tuple[str, ...] = (), extra: str = "") -> str:
    text = f"  {name}:\n    cmd: {cmd}\n"
    if deps:
        text += "    deps:\n" + "".join(f"    - {d}\n" for d in deps)
    if outs:
        text += "    outs:\n" + "".join(f"    - {o}\n" for o in outs)
    return text + extra


def _yaml(*stages: str) -> str:
    return "stages:\n" + "".join(stages)


# The DAG of test_downstream: A -> B, C -> D; G -> F; D, F -> E (each command logs its name to `ran`).
DOWNSTREAM = _yaml(
    _stage("A-gen", "echo A>A && echo A >> ran", outs=("A",)),
    _stage("B-gen", "echo B>B && echo B >> ran", deps=("A",), outs=("B",)),
    _stage("C-gen", "echo C>C && echo C >> ran", deps=("A",), outs=("C",)),
    _stage("D-gen", "echo D>D && echo D >> ran", deps=("B", "C"), outs=("D",)),
    _stage("G-gen", "echo G>G && echo G >> ran", outs=("G",)),
    _stage("F-gen", "echo F>F && echo F >> ran", deps=("G",), outs=("F",)),
    _stage("E-gen", "echo E>E && echo E >> ran", deps=("D", "F"), outs=("E",)),
)
# test_repro_force_downstream_do_not_force_independent_stages: foo -> foo1 -> foo2, bar -> bar1 -> bar2, both -> cat
INDEPENDENT = _yaml(
    _stage("foo1", "cp foo foo1 && echo foo1 >> ran", deps=("foo",), outs=("foo1",)),
    _stage("foo2", "cp foo1 foo2 && echo foo2 >> ran", deps=("foo1",), outs=("foo2",)),
    _stage("bar1", "cp bar bar1 && echo bar1 >> ran", deps=("bar",), outs=("bar1",)),
    _stage("bar2", "cp bar1 bar2 && echo bar2 >> ran", deps=("bar1",), outs=("bar2",)),
    _stage("cat", "cat bar2 foo2 && echo cat >> ran", deps=("foo2", "bar2")),
)
KEEP_GOING = _yaml(
    _stage("copy-bar-foobar", "cp bar foobar && exit 1", deps=("bar",), outs=("foobar",)),
    _stage("cat", "cat foobar foo && echo cat >> ran", deps=("foobar", "foo")),
    _stage("other", "cp foo other && echo other >> ran", deps=("foo",), outs=("other",)),
)
DRY_NO_EXEC = _yaml(*(_stage(f"copy-idir{d}-odir{d}", f"cp -r idir{d} odir{d}", deps=(f"idir{d}",),
                             outs=(f"odir{d}",)) for d in range(3)),
                    _stage("ls", "ls odir0 odir1 odir2", deps=("odir0", "odir1", "odir2")))
MULTI_PARAMS = ("name: Answer\nanswer: 42\nfloats: 42.0\nlists:\n- 42\n- 42.0\n- '42'\n"
                "nested:\n  nested1:\n    nested2: '42'\n    nested2-2: 41.99999\n")

REPRO_SCENARIOS: tuple[Scenario, ...] = (
    S("repro_missing_lock_info", REPRO + "test_repro_missing_lock_info", ("$TOOL repro",), {"dvc.yaml": COPY, **FOO}),
    S("repro_up_to_date", REPRO + "test_repro_up_to_date", ("$TOOL repro", "$TOOL repro"), {"dvc.yaml": COPY, **FOO}),
    S("repro_changed_data", REPRO + "test_repro_changed_data",
      (ADD_FOO + " && $TOOL repro", "cp bar foo", "$TOOL repro"), {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_changed_code", REPRO + "test_repro_changed_code",
      (ADD_FOO + " && $TOOL repro", "printf \"\\nshutil.copyfile('bar', sys.argv[2])\\n\" >> copy.py", "$TOOL repro"),
      {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_changed_deep_data", REPRO + "test_repro_changed_deep_data",
      (ADD_FOO + " && $TOOL repro", "echo bar > foo", "$TOOL repro copy2"), {"dvc.yaml": CHAIN, **FOO}),
    S("repro_when_cmd_changes", REPRO + "test_repro_when_cmd_changes",
      ("$TOOL repro", "sed -i 's/cp foo bar/cp  foo  bar/' dvc.yaml && $TOOL status --json", "$TOOL repro copy"),
      {"dvc.yaml": COPY, **FOO}, stdout=(1,)),
    S("repro_new_dep_added_in_dvcfile", REPRO + "test_repro_when_new_deps_is_added_in_dvcfile",
      ("$TOOL repro", "sed -i 's/    - foo/    - foo\\n    - copy.py/' dvc.yaml", "$TOOL repro dvc.yaml:copy"),
      {"dvc.yaml": COPY, **FOO, "copy.py": COPY_SH}),
    S("repro_new_out_added_in_dvcfile", REPRO + "test_repro_when_new_outs_is_added_in_dvcfile",
      ("$TOOL repro", "printf '    outs:\\n    - bar\\n' >> dvc.yaml", "$TOOL repro :copy"),
      {"dvc.yaml": _yaml(_stage("copy", "cp foo bar && printf r >> ran", deps=("foo",))), **FOO}),
    S("repro_new_dep_moved", REPRO + "test_repro_when_new_deps_is_moved",
      ("$TOOL repro", "mv foo baz && sed -i 's/foo/baz/g' dvc.yaml", "$TOOL repro :copy"), {"dvc.yaml": COPY, **FOO}),
    S("repro_new_out_overlaps_tracked_dir", REPRO + "test_repro_when_new_out_overlaps_others_stage_outs",
      ("$TOOL add -q dir", "$TOOL repro :run-copy"),
      {"dir/file1": "file1", **FOO, "dvc.yaml": _yaml(_stage("run-copy", "cp foo dir/foo", ("foo",), ("dir/foo",)))}),
    S("repro_new_dep_does_not_exist", REPRO + "test_repro_when_new_deps_added_does_not_exist", ("$TOOL repro",),
      {**FOO, "dvc.yaml": _yaml(_stage("run-copy", "cp foo foobar", ("foo", "bar"), ("foobar",)))}),
    S("repro_new_out_does_not_exist", REPRO + "test_repro_when_new_outs_added_does_not_exist", ("$TOOL repro",),
      {**FOO, "dvc.yaml": _yaml(_stage("run-copy", "cp foo foobar", ("foo",), ("foobar", "bar")))}),
    S("repro_missing_out_then_dropped", REPRO + "test_repro_when_new_outs_added_does_not_exist",
      ("$TOOL repro", "sed -i '/- bar/d' dvc.yaml && $TOOL repro"),
      {**FOO, "dvc.yaml": _yaml(_stage("run-copy", "cp foo foobar", ("foo",), ("foobar", "bar")))}),
    S("repro_lockfile_deleted", REPRO + "test_repro_when_lockfile_gets_deleted",
      ("$TOOL repro", "$TOOL repro", "rm dvc.lock && $TOOL repro :copy"), {"dvc.yaml": COPY, **FOO}),
    S("repro_cyclic_graph", REPRO + "test_cyclic_graph_error", ("$TOOL repro",),
      {**FOO, "dvc.yaml": _yaml(_stage("copy-foo-bar", "cp foo bar", ("foo",), ("bar",)),
                                _stage("copy-bar-baz", "cp bar baz", ("bar",), ("baz",)),
                                _stage("copy-baz-foo", "echo baz > foo", ("baz",), ("foo",)))}),
    S("repro_multiple_params", REPRO + "test_repro_multiple_params",
      ("$TOOL stage add -q -n read_params -d foo -o bar -p params2.yaml:lists,floats,name "
       "-p answer,floats,nested.nested1 'cat params2.yaml params.yaml > bar' && $TOOL repro -q",
       "$TOOL repro", "sed -i 's/answer: 42/answer: 43/' params.yaml && $TOOL repro"),
      {**FOO, "params.yaml": MULTI_PARAMS, "params2.yaml": MULTI_PARAMS}),
    S("repro_list_of_commands", REPRO + "test_repro_list_of_commands_in_order", ("$TOOL repro multi",),
      {"dvc.yaml": "stages:\n  multi:\n    cmd:\n    - echo foo>foo\n    - echo bar>bar\n"}),
    S("repro_multiline_command", REPRO + "test_repro_list_of_commands_in_order", ("$TOOL repro multi",),
      {"dvc.yaml": "stages:\n  multi:\n    cmd: |-\n      echo foo>foo\n      echo bar>bar\n"}),
    S("repro_list_of_commands_stops_on_failure", REPRO + "test_repro_list_of_commands_raise_and_stops_after_failure",
      ("$TOOL repro multi",),
      {"dvc.yaml": "stages:\n  multi:\n    cmd:\n    - echo foo>foo\n    - failed_command\n    - echo baz>bar\n"}),
    S("repro_no_commit", REPRO + "test_repro_no_commit", (ADD_FOO, "rm -rf .dvc/cache", "$TOOL repro --no-commit run1"),
      {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_downstream", REPRO + "test_downstream",
      ("$TOOL repro -q", "rm ran && $TOOL repro --downstream -f dvc.yaml:B-gen"), {"dvc.yaml": DOWNSTREAM}),
    S("repro_force_downstream", REPRO + "test_repro_force_downstream",
      ("$TOOL repro", "echo >> foo", "$TOOL repro --force-downstream copy2"), {"dvc.yaml": CHAIN, **FOO}),
    S("repro_force_downstream_independent", REPRO + "test_repro_force_downstream_do_not_force_independent_stages",
      ("$TOOL repro -q && rm ran", "echo foobar > foo && $TOOL repro --force-downstream"),
      {"dvc.yaml": INDEPENDENT, **FOO_BAR}),
    S("repro_pipeline", REPRO + "test_repro_pipeline", ("$TOOL repro -q", "$TOOL repro -f -p copy2"),
      {"dvc.yaml": CHAIN, **FOO}),
    S("repro_all_pipelines", REPRO + "test_repro_pipelines_cli", ("$TOOL repro -q", "$TOOL repro -f -P"),
      {"dvc.yaml": _yaml(_stage("copy-FOO-file1", "cp foo file1 && echo 1 >> ran", ("foo",), ("file1",)),
                         _stage("copy-BAR-file2", "cp bar file2 && echo 2 >> ran", ("bar",), ("file2",))),
       **FOO_BAR}),
    S("repro_force", REPRO + "test_repro_force", (ADD_FOO + " && $TOOL repro -q", "$TOOL repro -f run1"),
      {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_dry", REPRO + "test_repro_dry", (ADD_FOO + " && $TOOL repro -q", "cp bar foo", "$TOOL repro --dry run1"),
      {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_dry_no_exec", REPRO + "test_repro_dry_no_exec", ("$TOOL repro --dry ls",),
      {"dvc.yaml": DRY_NO_EXEC, **{f"idir{d}/file": str(d) for d in range(3)}}),
    S("repro_phony", REPRO + "test_repro_phony",
      (ADD_FOO + " && $TOOL repro -q", "cp bar foo", "$TOOL repro cat"),
      {"dvc.yaml": RUN1 + _stage("cat", "cat file1", ("file1",)), **RUN1_FILES}),
    S("repro_non_existing_dependency", REPRO + "test_non_existing_output",
      (ADD_FOO + " && $TOOL repro -q", "rm foo", "$TOOL repro run1"), {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_data_source", REPRO + "test_repro_data_source",
      (ADD_FOO + " && $TOOL repro -q", "cp bar foo", "$TOOL repro run1"), {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_changed_dir_out", REPRO + "test_repro_changed_dir",
      ("$TOOL repro", "$TOOL repro", "cp bar file", "$TOOL repro"),
      {**FOO_BAR, "file": "foo",
       "dvc.yaml": _yaml(_stage("copy-in-dir", "mkdir dir && cp file dir/foo", ("file",), ("dir",)))}),
    S("repro_changed_dir_data", REPRO + "test_repro_changed_dir_data",
      ("$TOOL repro", "printf add >> data/foo", "$TOOL repro", "cp bar dir/ && $TOOL repro"),
      {"data/foo": "foo", "bar": "bar",
       "dvc.yaml": _yaml(_stage("copy-dir", "cp -r data dir && printf r >> ran", ("data",), ("dir",)))},
      differs="repro_saves_replaced_output"),
    S("repro_rm_recursive", REPRO + "test_repro_rm_recursive", ("$TOOL repro",),
      {"dir/foo": "foo", "dvc.yaml": _yaml(_stage("dir", "mkdir dir", outs=("dir",)))},
      differs="repro_saves_replaced_output"),
    S("repro_single_item_multiple_targets", REPRO + "test_repro_single_item_with_multiple_targets",
      ("$TOOL repro -s copy-foo-bar gen-foo",),
      {"dvc.yaml": _yaml(_stage("gen-foo", "echo foo > foo && echo gen >> ran", outs=("foo",)),
                         _stage("copy-foo-bar", "cp foo bar && echo copy >> ran", ("foo",), ("bar",))),
       **FOO}),
    S("repro_keep_going", REPRO + "test_repro_keep_going", ("$TOOL repro -k",), {"dvc.yaml": KEEP_GOING, **FOO_BAR},
      differs="keep_going_gitignore"),
    S("repro_ignore_errors", REPRO + "test_repro_ignore_errors", ("$TOOL repro --ignore-errors",),
      {"dvc.yaml": KEEP_GOING, **FOO_BAR}),
    S("repro_fail_missing_script", REPRO + "test_repro_fail",
      (ADD_FOO + " && $TOOL repro -q", "rm copy.py", "$TOOL repro run1"), {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_non_existing_target", REPRO + "test_cmd_repro",
      (ADD_FOO + " && $TOOL repro -q", "$TOOL repro non-existing-file"), {"dvc.yaml": RUN1, **RUN1_FILES}),
    S("repro_non_existing_stage_name", "tests/func/test_dvcfile.py::test_run_load_one_for_multistage_non_existing"
      "_stage_name", ("$TOOL repro dvc.yaml:nope",), {"dvc.yaml": COPY, **FOO}),
    S("repro_dep_under_dir", REPRO + "test_repro_dep_under_dir",
      ("$TOOL add -q data && $TOOL repro -q", "rm data/file && cp foo data/file", "$TOOL repro copy-data-file1"),
      {**FOO, "data/file": "file", "data/sub/foo": "foo",
       "dvc.yaml": _yaml(_stage("copy-data-file1", "cp data/file file1", ("data/file",), ("file1",)))}),
    S("repro_dep_dir_with_outputs_under_it", REPRO + "test_repro_dep_dir_with_outputs_under_it",
      ("$TOOL add -q data/file data/sub && $TOOL repro -q", "rm data/file && cp foo data/file",
       "$TOOL repro copy-data-file1"),
      {**FOO, "data/file": "file", "data/sub/foo": "foo", "data/sub/bar": "bar",
       "dvc.yaml": _yaml(_stage("list-files", "ls data/file data/sub", ("data/file", "data/sub")),
                         _stage("copy-data-file1", "cp -r data file1", ("data",), ("file1",)))}),
    S("repro_allow_missing", REPRO + "test_repro_allow_missing",
      ("$TOOL repro -q", "rm -rf foo .dvc/cache", "$TOOL repro --allow-missing"),
      {"fixed": "fixed", "dvc.yaml": _yaml(_stage("create-foo", "echo foo > foo", ("fixed",), ("foo",)),
                                           _stage("copy-foo", "cp foo bar", ("foo",), ("bar",)))}),
    S("repro_pull_missing_data_source", REPRO + "test_repro_pulls_missing_data_source",
      ("$TOOL remote add -q -d local $REMOTE && " + ADD_FOO + " && $TOOL push -q",
       "rm -rf foo .dvc/cache", "$TOOL repro --pull"),
      {**FOO, "dvc.yaml": _yaml(_stage("copy-foo", "cp foo bar", ("foo",), ("bar",)))}),
    S("repro_glob", "tests/func/repro/test_repro.py::test_repro_all_pipelines", ("$TOOL repro --glob 'copy*'",),
      {"dvc.yaml": CHAIN + _stage("other", "echo o > other", outs=("other",)), **FOO}),
    S("repro_shell_env", REPRO + "test_repro_shell", ("$TOOL repro",),
      {"dvc.yaml": _yaml(_stage("echo-shell", "echo $SHELL > shell.txt", outs=("shell.txt",)))}),
)

FREEZE_SCENARIOS: tuple[Scenario, ...] = (
    S("repro_frozen", REPRO + "test_repro_frozen",
      ("$TOOL repro -q && rm ran", "$TOOL freeze copy2", "echo bar > foo && $TOOL repro"),
      {"dvc.yaml": CHAIN + _stage("copy3", "cp baz qux && printf t >> ran", ("baz",), ("qux",)), **FOO}),
    S("repro_frozen_callback", REPRO + "test_repro_frozen_callback",
      ("$TOOL repro", "$TOOL freeze cb && $TOOL repro", "$TOOL unfreeze cb && $TOOL repro"),
      {**FOO, "dvc.yaml": _yaml(_stage("cb", "cp foo file1 && printf r >> ran"))}),
    S("repro_frozen_unchanged", REPRO + "test_repro_frozen_unchanged",
      ("$TOOL repro -q", "$TOOL freeze copy && $TOOL repro", "$TOOL unfreeze copy && $TOOL repro"),
      {"dvc.yaml": COPY, **FOO}),
    S("freeze_non_existing_stage_name", REPRO + "test_non_existing_stage_name", ("$TOOL freeze :copy-file1-file3",),
      {"dvc.yaml": COPY, **FOO}),
    S("freeze_non_existing_file", REPRO + "test_freeze_non_existing", ("$TOOL freeze pipelines.yaml:name",), {}),
)

STAGE_SCENARIOS: tuple[Scenario, ...] = (
    S("stage_add_basic", RUN + "test_run", ("$TOOL stage add -n copy -d foo -o bar 'cp foo bar'", "$TOOL repro"),
      FOO),
    S("stage_add_run", RUN + "test_run", ("$TOOL stage add --run -n copy -d foo -o bar 'cp foo bar'",), FOO),
    S("stage_add_every_kind", RUN + "test_run_dump",
      ("$TOOL stage add -n all -d foo -p answer -o out1 -O out2 -m m1.json -M m2.json --plots p1.csv "
       "--outs-persist out3 --always-changed --desc 'a stage' "
       "'cp foo out1 && cp foo out2 && cp foo out3 && echo {} > m1.json && echo {} > m2.json && echo a > p1.csv'",
       "$TOOL repro"),
      {**FOO, "params.yaml": "answer: 42\n"}),
    S("stage_add_wdir", RUN + "TestRunBadWdir::test_default_wdir_is_not_written",
      ("$TOOL stage add -n w -w dir -d foo -o bar 'cp foo bar'", "$TOOL repro", "$TOOL stage add -f -n w2 -w . "
       "-d foo -o bar2 'cp foo bar2'"), {"dir/foo": "foo", **FOO}),
    S("stage_add_already_exists", RUN + "test_run_already_exists",
      ("$TOOL stage add -n copy -d foo -o bar 'cp foo bar'", "$TOOL stage add -n copy -d bar -o foobar 'cp bar foobar'",
       "$TOOL stage add -f -n copy -d bar -o foobar 'cp bar foobar'"), FOO),
    S("stage_add_invalid_name", RUN + "test_run_with_invalid_stage_name",
      ("$TOOL stage add -n 'copy_name-:' -d foo -o bar 'cp foo bar'", "$TOOL stage add -n 'copy.x' 'echo'",
       "$TOOL stage add -n 'a/b' 'echo'"), FOO),
    S("stage_add_name_hyphen_underscore", RUN + "test_run_with_name_having_hyphen_underscore",
      ("$TOOL stage add -n copy-foo_bar -d foo -o bar 'cp foo bar'",), FOO),
    S("stage_add_overwrite_order", RUN + "test_run_overwrite_order",
      ("$TOOL stage add -n copy-foo-bar -d foo -o bar 'cp foo bar' && "
       "$TOOL stage add -n copy-bar-foobar -d bar -o foobar 'cp bar foobar'",
       "$TOOL stage add -f -n copy-foo-bar -d foo1 -o bar1 'cp foo1 bar1'"), {**FOO, "foo1": "foo1"}),
    S("stage_add_force_preserves_meta_comment", RUN + "test_run_overwrite_preserves_meta_and_comment",
      ("$TOOL repro -q", "$TOOL stage add -f -n copy-foo-bar -d copy.py -d foo1 -o bar1 'python3 copy.py foo1 bar1'"),
      {**FOO, "foo1": "foo1", "copy.py": COPY_SH,
       "dvc.yaml": "stages:\n  copy-foo-bar:\n    cmd: python3 copy.py foo bar\n    deps:\n    - copy.py\n"
                   "    - foo\n    outs:\n    # comments are preserved\n    - bar\n    meta:\n"
                   "      name: meta is preserved too\n"}),
    S("stage_add_without_cmd", RUN + "test_run_without_cmd", ("$TOOL stage add -n nocmd -d foo",), FOO),
    S("stage_add_params_default", RUN + "test_run_params_default",
      ("$TOOL stage add --run -n read_params -p nested.nested1.nested2 'cat params.yaml'",),
      {"params.yaml": MULTI_PARAMS}),
    S("stage_add_params_custom_file", RUN + "test_run_params_custom_file",
      ("$TOOL stage add --run -n read_params -p params2.yaml:lists 'cat params2.yaml'",),
      {"params2.yaml": MULTI_PARAMS}),
    S("stage_add_overlapping_output", RUN + "test_should_raise_on_overlapping_output_paths",
      ("$TOOL add -q data", "$TOOL stage add -n append-foo -o data/foo 'echo foo >> data/foo'"),
      {"data/foo": "foo", "data/bar": "bar"}),
    S("stage_add_duplicated_output", STAGE + "test_stage_add_duplicated_output",
      (ADD_FOO, "$TOOL stage add -n duplicated -o foo 'echo bar > foo'"), FOO),
    S("stage_md5_ignores_comments", STAGE + "test_md5_ignores_comments",
      ("$TOOL repro -q", "printf '# End comment\\n' >> dvc.yaml && $TOOL status --json", "$TOOL repro"),
      {"dvc.yaml": COPY, **FOO}, stdout=(1,)),
    S("stage_md5_ignores_annotations", STAGE + "test_md5_ignores_annotations",
      ("$TOOL repro -q", "printf '    desc: stage desc\\n    meta:\\n      key1: value1\\n' >> dvc.yaml",
       "$TOOL status --json", "$TOOL repro"), {"dvc.yaml": COPY, **FOO}, stdout=(2,)),
    S("stage_always_changed", RUN + "test_always_changed",
      ("$TOOL stage add -n ac --always-changed -d foo 'printf r >> ran' && $TOOL repro", "$TOOL status --json",
       "$TOOL repro"), FOO, stdout=(1,)),
    S("stage_callback_rerun", RUN + "test_rerun_callback", ("$TOOL repro -q", "$TOOL status --json", "$TOOL repro"),
      {"dvc.yaml": _yaml(_stage("cb", "printf r >> ran"))}, stdout=(1,)),
    S("stage_remove_pipeline_stage", STAGE + "test_stage_remove_pipeline_stage",
      ("$TOOL repro -q", "$TOOL remove copy"), {"dvc.yaml": CHAIN, **FOO}),
    S("stage_status_json_changed", "tests/func/test_status.py::test_status_on_pipeline_stages",
      ("$TOOL repro -q", "echo changed > foo && rm baz && $TOOL status --json"), {"dvc.yaml": CHAIN, **FOO},
      stdout=(1,)),
    S("stage_list", "tests/func/test_stage.py::test_stage_strings_representation",
      ("$TOOL stage list --name-only",), {"dvc.yaml": CHAIN, **FOO}, stdout=(0,), compare=Compare(status=False)),
)

RUN_CACHE_SCENARIOS: tuple[Scenario, ...] = (
    S("run_cache_save", RC + "test_save", ("$TOOL repro", RUNS), {"dvc.yaml": COPY, **FOO}, stdout=(1,)),
    S("run_cache_restore", RC + "test_restore", ("$TOOL repro -q", "rm bar dvc.lock && $TOOL repro copy"),
      {"dvc.yaml": COPY, **FOO}),
    S("run_cache_not_on_dry", RC + "test_do_not_save_on_no_exec_and_dry", ("$TOOL repro --dry", RUNS),
      {"dvc.yaml": COPY, **FOO}, stdout=(1,)),
    S("run_cache_outs_no_cache_deactivates", RC + "test_outs_no_cache_deactivate_run_cache",
      ("$TOOL stage add --run -n copy -d foo -o goo -O bar 'cp foo bar && cp foo goo'", "test -d .dvc/cache/runs"),
      FOO),
    S("run_cache_metrics_no_cache_keeps", RC + "test_outs_no_cache_deactivate_run_cache",
      ("$TOOL stage add --run -n copy -d foo -o goo -M bar 'cp foo bar && cp foo goo'", RUNS), FOO, stdout=(1,)),
    S("run_cache_multiple_runs_same_stage", RC + "test_memory_for_multiple_runs_of_same_stage",
      ("$TOOL repro -q && echo foobar > foo && $TOOL repro -q", "rm bar dvc.lock && $TOOL repro copy",
       "rm dvc.lock && echo -n foo > foo && $TOOL repro copy", RUNS), {"dvc.yaml": COPY, **FOO}, stdout=(3,)),
    S("run_cache_multiple_stages", RC + "test_memory_runs_of_multiple_stages",
      ("$TOOL repro -q", "rm foo.bak bar.bak dvc.lock && $TOOL repro backup-foo", "$TOOL repro backup-bar"),
      {**FOO_BAR, "dvc.yaml": _yaml(_stage("backup-foo", "cp foo foo.bak && echo f >> ran", ("foo",), ("foo.bak",)),
                                    _stage("backup-bar", "cp bar bar.bak && echo b >> ran", ("bar",), ("bar.bak",)))}),
    S("run_cache_no_run_cache_flag", "tests/func/test_run_cache.py::test_restore",
      ("$TOOL repro -q", "rm bar dvc.lock && $TOOL repro --no-run-cache copy"), {"dvc.yaml": COPY, **FOO}),
    S("run_cache_push_pull", RC + "test_push_pull",
      ("$TOOL remote add -q -d local $REMOTE && $TOOL repro -q && $TOOL push --run-cache",
       "find $REMOTE/runs -type f | sed 's|.*/runs/||' | sort", "rm -rf .dvc/cache bar dvc.lock && $TOOL pull --run-cache",
       RUNS), {"dvc.yaml": COPY, **FOO}, stdout=(1, 3)),
    S("run_cache_params_only_stage", RC + "test_save",
      ("$TOOL repro", RUNS, "$TOOL repro"),
      {"params.yaml": "foo: 1\n", "dvc.yaml": _yaml(_stage("p", "printf r >> ran", extra="    params:\n    - foo\n"))},
      stdout=(1,)),
)


# The heaviest (>= 5 s of CPU for both twins with DVC run live, ~0.8 s a DVC call; with DVC's side read
# from its record, tests/differential/oracle.py, all the pipeline scenarios together take ~160 s): slow.
SLOW = frozenset({
    "repro_changed_code", "repro_changed_data", "repro_changed_deep_data", "repro_data_source",
    "repro_dep_dir_with_outputs_under_it", "repro_dep_under_dir", "repro_downstream", "repro_dry",
    "repro_fail_missing_script", "repro_force", "repro_frozen", "repro_frozen_callback",
    "repro_frozen_unchanged", "repro_lockfile_deleted", "repro_multiple_params", "repro_no_commit",
    "repro_non_existing_dependency", "repro_non_existing_target", "repro_phony",
    "repro_pull_missing_data_source", "run_cache_multiple_runs_same_stage", "run_cache_multiple_stages",
    "run_cache_push_pull", "stage_add_already_exists", "stage_add_wdir", "stage_always_changed",
})

SCENARIOS: tuple[Scenario, ...] = tuple(
    replace(s, slow=True) if s.name in SLOW else s
    for s in REPRO_SCENARIOS + FREEZE_SCENARIOS + STAGE_SCENARIOS + RUN_CACHE_SCENARIOS
)
