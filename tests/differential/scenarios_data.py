"""Data-command scenarios: add (DVC's tests/func/test_add.py), and the constants the other modules share.

Conventions: `files` are written, uncommitted, into a repository already `git init` + `$TOOL init` +
committed; `C` commits everything to git. Contents are short literals so md5s are fixed.
"""

from __future__ import annotations

from tests.differential.runner import Scenario

S = Scenario
ADD = "tests/func/test_add.py::"
COMMIT = "tests/func/test_commit.py::"
REMOVE = "tests/func/test_remove.py::"
C = "git add -A && git commit -qm c"
FOO = {"foo": "foo"}
DATA = {"data/a": "a", "data/sub/b": "b"}
FOO_DATA = {**FOO, **DATA}
FOO_MD5 = "acbd18db4cc2f85cedef654fccc4a4d8"  # md5 of b"foo"
HAND_FOO = f"outs:\n- md5: {FOO_MD5}\n  size: 3\n  hash: md5\n  path: foo\n"
LEGACY_FOO = f"outs:\n- md5: {FOO_MD5}\n  path: foo\n"
PRESERVE = (
    "# top comment\ndesc: top desc\nouts:\n- path: foo # out comment\n  desc: out desc\n"
    "  type: mytype\n  labels:\n  - label1\n  - label2\n  remote: testremote\nmeta: some metadata\n"
)
STAGE_FOO = "stages:\n  gen:\n    cmd: echo foo > foo\n    outs:\n    - foo\n"
TWO_STAGES_FOO = STAGE_FOO + "  gen2:\n    cmd: echo foo > foo\n    outs:\n    - foo\n"

ADD_SCENARIOS: tuple[Scenario, ...] = (
    S("add_file", ADD + "test_add", ("$TOOL add foo",), FOO),
    S("add_file_then_commit_git", ADD + "test_add", ("$TOOL add foo", C, "$TOOL status"), FOO),
    S(
        "add_executable",
        ADD + "test_add_executable",
        ("chmod +x foo && $TOOL add foo", "rm foo", "$TOOL checkout foo"),
        FOO,
    ),
    S("add_unicode", ADD + "test_add_unicode", ("$TOOL add á.txt",), {"á.txt": "unicode"}),
    S("add_directory", ADD + "test_add_directory", ("$TOOL add data",), DATA),
    S(
        "add_directory_forward_slash",
        ADD + "test_add_directory_with_forward_slash",
        ("$TOOL add data/",),
        DATA,
    ),
    S("add_tracked_by_git", ADD + "test_add_tracked_file", (C, "$TOOL add foo"), FOO),
    S(
        "add_dir_with_existing_cache",
        ADD + "test_add_dir_with_existing_cache",
        ("$TOOL add foo", "mkdir data && cp foo data/ && $TOOL add data"),
        FOO,
    ),
    S(
        "add_modified_dir",
        ADD + "test_add_modified_dir",
        ("$TOOL add data", "echo new > data/a", "$TOOL add data"),
        DATA,
    ),
    S("add_file_in_dir", ADD + "test_add_file_in_dir", ("$TOOL add data/sub/b",), DATA),
    S(
        "add_glob",
        ADD + "test_add_filtered_files_in_dir",
        ("$TOOL add --glob 'data/*.csv'",),
        {"data/x.csv": "x", "data/z.txt": "z"},
    ),  # one match: DVC orders several as the disk lists them
    S(
        "add_double_unchanged_file",
        ADD + "test_double_add_unchanged_file",
        ("$TOOL add foo", "$TOOL add foo"),
        FOO,
    ),
    S(
        "add_double_unchanged_dir",
        ADD + "test_double_add_unchanged_dir",
        ("$TOOL add data", "$TOOL add data"),
        DATA,
    ),
    S("add_colon_in_filename", ADD + "test_add_colon_in_filename", ("$TOOL add fo:o",), {"fo:o": "foo"}),
    S(
        "add_no_commit_then_commit",
        ADD + "test_add_commit",
        ("$TOOL add --no-commit foo", "$TOOL status", "$TOOL commit foo.dvc"),
        FOO,
    ),
    S(
        "add_no_commit_dir",
        ADD + "test_add_commit",
        ("$TOOL add --no-commit data", "$TOOL commit data"),
        DATA,
    ),
    S(
        "add_dir_cache_once",
        ADD + "test_should_collect_dir_cache_only_once",
        ("$TOOL add data", "$TOOL status", "$TOOL status"),
        DATA,
    ),
    S(
        "add_corrupted_dvcfile",
        ADD + "test_failed_add_cleanup",
        ("$TOOL add foo", "printf -- '- broken\\nyaml\\n' > foo.dvc", "$TOOL add bar"),
        {**FOO, "bar": "bar"},
    ),
    S(
        "add_out_exists",
        ADD + "test_should_throw_proper_exception_on_existing_out",
        ("$TOOL add foo --out out",),
        {**FOO, "out": "old contents"},
    ),
    S(
        "add_out_force",
        ADD + "test_add_force_overwrite_out",
        ("$TOOL add foo --out out --force",),
        {**FOO, "out": "old contents"},
    ),
    S(
        "add_hardlink_readd_unchanged_dir",
        ADD + "test_readding_dir_should_not_unprotect_all",
        (
            "$TOOL config cache.type hardlink",
            "$TOOL add data",
            "$TOOL add data",
            "$TOOL status",
            "$TOOL add data",
        ),
        DATA,
    ),
    S(
        "add_hardlink_readd_file",
        ADD + "test_should_protect_on_repeated_add",
        ("$TOOL config cache.type hardlink", "$TOOL add foo", "$TOOL add foo"),
        FOO,
    ),
    S(
        "add_cached_copy_same_content",
        ADD + "test_should_not_checkout_when_adding_cached_copy",
        ("$TOOL config cache.type copy", "$TOOL add foo", "$TOOL add bar"),
        {**FOO, "bar": "foo"},
    ),
    S(
        "add_symlink_cache_relink",
        ADD + "test_should_relink_on_repeated_add",
        ("$TOOL config cache.type symlink", "$TOOL add foo", "rm foo && echo -n foo > foo", "$TOOL add foo"),
        FOO,
    ),
    S(
        "add_escape_gitignore",
        ADD + "test_escape_gitignore_entries",
        ("$TOOL add 'file!with*weird#naming_[1].t?t'",),
        {"file!with*weird#naming_[1].t?t": "weird"},
    ),
    S(
        "add_into_tracked_dir",
        ADD + "test_add_from_data_dir",
        ("$TOOL add data", "echo two > data/file2", "$TOOL add data/file2"),
        DATA,
    ),
    S("add_parent_of_tracked", ADD + "test_add_parent_dir", ("$TOOL add data/a", "$TOOL add data"), DATA),
    S(
        "add_readd_with_new",
        ADD + "test_not_raises_on_re_add",
        ("$TOOL add foo", "echo modified > foo && echo f2 > file2", "$TOOL add file2 foo"),
        FOO,
    ),
    S("add_empty_file", ADD + "test_add_empty_files", ("$TOOL add empty",), {"empty": ""}),
    S(
        "add_empty_file_hardlink",
        ADD + "test_add_optimization_for_hardlink_on_empty_files",
        ("$TOOL config cache.type hardlink", "$TOOL add empty data", "rm -rf empty data", "$TOOL checkout"),
        {"empty": "", "data/e": "", "data/f": "f"},
    ),
    S(
        "add_empty_file_symlink",
        ADD + "test_add_empty_files",
        ("$TOOL config cache.type symlink", "$TOOL add empty"),
        {"empty": ""},
    ),
    S(
        "add_stage_output",
        ADD + "test_try_adding_pipeline_tracked_output",
        ("$TOOL add foo",),
        {"dvc.yaml": STAGE_FOO, **FOO},
    ),
    S(
        "add_two_stages_same_output",
        ADD + "test_try_adding_multiple_overlaps",
        ("$TOOL add bar",),
        {"dvc.yaml": TWO_STAGES_FOO, **FOO, "bar": "bar"},
    ),
    S("add_pipeline_file", ADD + "test_add_pipeline_file", ("$TOOL add dvc.yaml",), {"dvc.yaml": STAGE_FOO}),
    S(
        "add_symlink_file",
        ADD + "test_add_symlink_file",
        ("ln -s ./bar data/foo && $TOOL add data/foo",),
        {"data/bar": "bar"},
    ),
    S("add_symlink_dir", ADD + "test_add_symlink_dir", ("ln -s data lnk && $TOOL add lnk",), DATA),
    S(
        "add_file_in_symlink_dir",
        ADD + "test_add_file_in_symlink_dir",
        ("ln -s data lnk && $TOOL add lnk/a",),
        DATA,
    ),
    S(
        "add_preserve_fields",
        ADD + "test_add_preserve_fields",
        ("$TOOL add foo",),
        {"foo.dvc": PRESERVE, **FOO},
    ),
    S("add_long_fname", ADD + "test_add_long_fname", ("$TOOL add data",), {"data/" + "a" * 200: "long"}),
    S("add_with_out", ADD + "test_add_with_out", ("$TOOL add foo -o out",), FOO),
    S(
        "add_gitignored_dvcfile",
        ADD + "test_add_ignored",
        ("$TOOL add data/sub",),
        {"data/sub/file": "content", ".gitignore": "data/\n"},
    ),
    S(
        "add_missing_keeps_dvcfile",
        ADD + "test_add_on_not_existing_file_should_not_remove_stage_file",
        ("$TOOL add foo", "rm foo", "$TOOL add foo"),
        FOO,
    ),
    S(
        "add_nonexistent",
        ADD + "test_add_on_not_existing_file_should_not_remove_stage_file",
        ("$TOOL add nothere",),
        {},
    ),
    S("add_multiple_targets", ADD + "test_add", ("$TOOL add foo bar data",), {**FOO_DATA, "bar": "bar"}),
    S("add_from_subdir_cwd", ADD + "test_add_file_in_dir", ("cd data && $TOOL add a",), DATA),
    S("add_binary_file", ADD + "test_add", ("$TOOL add blob",), {"blob": bytes(range(256))}),
    S("add_dir_with_empty_subdir", ADD + "test_add_directory", ("mkdir data/empty && $TOOL add data",), DATA),
    S("add_quiet_flag", ADD + "test_cmd_add", ("$TOOL add -q foo",), FOO),
    S(
        "add_git_file_modified_after_add",
        ADD + "test_add_modified_dir",
        ("$TOOL add foo", C, "echo bar > foo", "$TOOL status", "$TOOL add foo"),
        FOO,
    ),
)

SCENARIOS: tuple[Scenario, ...] = ADD_SCENARIOS
