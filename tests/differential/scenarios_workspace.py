"""Workspace scenarios: status, .dvcignore, dvc files (DVC's tests/func/test_status.py & co.)."""

from __future__ import annotations

from tests.differential.runner import Compare, Scenario
from tests.differential.scenarios_data import (
    DATA,
    FOO,
    FOO_DATA,
    HAND_FOO,
    LEGACY_FOO,
    PRESERVE,
    STAGE_FOO,
    C,
)

S = Scenario
ST = "tests/func/test_status.py::"
IG = "tests/func/test_ignore.py::"
DF = "tests/func/test_dvcfile.py::"
IGN = {"data/a": "a", "data/ign1": "i", "data/sub/b": "b"}

STATUS_SCENARIOS: tuple[Scenario, ...] = (
    S("status_clean", ST + "test_status_outputs", ("$TOOL add foo data", "$TOOL status"), FOO_DATA),
    S("status_modified_file", ST + "test_status_outputs", ("$TOOL add foo", "echo x > foo"), FOO),
    S("status_deleted_in_dir", ST + "test_status_outputs", ("$TOOL add data", "rm data/a"), DATA),
    S("status_new_file_in_dir", ST + "test_status_outputs", ("$TOOL add data", "echo n > data/new"), DATA),
    S("status_quiet_changed", ST + "test_quiet", ("$TOOL add foo", "echo x > foo", "$TOOL status -q"), FOO),
    S("status_quiet_clean", ST + "test_quiet", ("$TOOL add foo", "$TOOL status -q"), FOO),
    S(
        "status_not_dvc_repo",
        ST + "test_status_before_and_after_dvc_init",
        ("$TOOL status", "$TOOL init -q", "$TOOL status"),
        FOO,
        init=False,
    ),
    S(
        "status_recursive",
        ST + "test_status_recursive",
        ("$TOOL add data/a data/sub/b", "echo x > data/a", "$TOOL status -R data"),
        DATA,
    ),
    S(
        "status_target_output",
        ST + "test_status_outputs",
        ("$TOOL add foo data", "echo x > foo", "$TOOL status foo", "$TOOL status data.dvc"),
        FOO_DATA,
    ),
    S("status_no_cache", ST + "test_status_outputs", ("$TOOL add foo", "rm -rf .dvc/cache"), FOO),
    S("status_stage_never_run", ST + "test_status_on_pipeline_stages", (), {"dvc.yaml": STAGE_FOO}),
    S("status_cloud_no_remote", ST + "test_implied_cloud", ("$TOOL add foo", "$TOOL status -c"), FOO),
    S("status_all_branches", ST + "test_status_outputs", ("$TOOL add foo", C, "$TOOL status -a"), FOO),
)

IGNORE_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "ignore_file_in_added_dir",
        IG + "test_ignore_in_added_dir",
        ("$TOOL add data",),
        {**IGN, ".dvcignore": "data/ign*\n"},
    ),
    S(
        "ignore_rename_ignored",
        IG + "test_rename_ignored_file",
        ("$TOOL add data", "mv data/ign1 data/ign2"),
        {**IGN, ".dvcignore": "data/ign*\n"},
    ),
    S(
        "ignore_remove_ignored",
        IG + "test_remove_ignored_file",
        ("$TOOL add data", "rm data/ign1"),
        {**IGN, ".dvcignore": "data/ign*\n"},
    ),
    S("ignore_rename_tracked", IG + "test_rename_file", ("$TOOL add data", "mv data/a data/a2"), IGN),
    S(
        "ignore_dvcignore_in_out_dir",
        IG + "test_dvcignore_in_out_dir",
        ("$TOOL add data",),
        {**DATA, "data/.dvcignore": "a\n"},
        differs="refused_add_exit_1",
    ),
    S(
        "ignore_blank_line",
        IG + "test_ignore_blank_line",
        ("$TOOL add data",),
        {**IGN, ".dvcignore": "\n\ndata/ign1\n\n"},
    ),
    S(
        "ignore_sub_directory",
        IG + "test_ignore_sub_directory",
        ("$TOOL add data",),
        {**IGN, ".dvcignore": "data/sub\n"},
    ),
    S(
        "ignore_dir_pattern",
        IG + "test_ignore_directory",
        ("$TOOL add data",),
        {**IGN, ".dvcignore": "sub/\n"},
    ),
    S(
        "ignore_nested_dvcignore",
        IG + "test_multi_ignore_file",
        ("$TOOL add data",),
        {**IGN, "data/sub/.dvcignore": "b\n"},
        differs="refused_add_exit_1",
    ),
    S(
        "ignore_negation",
        IG + "test_match_nested",
        ("$TOOL add data",),
        {**IGN, ".dvcignore": "data/*\n!data/a\n"},
    ),
    S("ignored_output", IG + "test_ignored_output", ("$TOOL add foo",), {**FOO, ".dvcignore": "foo\n"}),
    S(
        "ignored_output_nested",
        IG + "test_ignored_output_nested",
        ("$TOOL add data/sub/b",),
        {**DATA, ".dvcignore": "data/sub\n"},
    ),
    S("ignore_added_later", IG + "test_ignore", ("$TOOL add data", "echo 'data/a' > .dvcignore"), DATA),
)

DVCFILE_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "dvcfile_corrupted_status",
        DF + "test_remove_stage_on_lockfile_format_error",
        ("$TOOL status",),
        {"foo.dvc": "- broken\nyaml\n", **FOO},
    ),
    S(
        "dvcfile_unknown_field",
        DF + "test_load_all_singlestage",
        ("$TOOL status",),
        {"foo.dvc": HAND_FOO + "bogus: 1\n", **FOO},
    ),
    S(
        "dvcfile_comment_preserved",
        DF + "test_dvcfile_dump_preserves_comments",
        ("$TOOL add foo", "sed -i '1i # a comment' foo.dvc", "echo x > foo && $TOOL add foo"),
        FOO,
    ),
    S(
        "dvcfile_desc_meta_readd",
        DF + "test_dvcfile_dump_preserves_meta",
        ("$TOOL add foo", "echo x > foo && $TOOL add foo"),
        {"foo.dvc": PRESERVE, **FOO},
    ),
    S(
        "dvcfile_legacy_status",
        DF + "test_dvcfile_dos2unix",
        ("$TOOL status",),
        {"foo.dvc": LEGACY_FOO, **FOO},
    ),
    S(
        "dvcfile_legacy_readd",
        DF + "test_dvcfile_dos2unix",
        ("echo x > foo && $TOOL add foo",),
        {"foo.dvc": LEGACY_FOO, **FOO},
    ),
    S(
        "dvcfile_frozen",
        DF + "test_load_all_singlestage",
        ("$TOOL add foo", "$TOOL freeze foo.dvc", "echo x > foo"),
        FOO,
    ),
    S(
        "dvcfile_empty",
        DF + "test_load_all_singlestage",
        ("$TOOL status",),
        {"foo.dvc": "", **FOO},
        compare=Compare(status=True),
    ),
)

SCENARIOS: tuple[Scenario, ...] = STATUS_SCENARIOS + IGNORE_SCENARIOS + DVCFILE_SCENARIOS
