"""Remote and gc scenarios, local directory remotes per twin ($REMOTE, $REMOTE2): DVC's test_data_cloud.py,
test_gc.py, and the [cache]/[remote] layout of .dvc/config."""

from __future__ import annotations

from tests.differential.runner import Scenario
from tests.differential.scenarios_data import DATA, FOO, FOO_DATA, HAND_FOO, C

S = Scenario
DC = "tests/func/test_data_cloud.py::"
GC = "tests/func/test_gc.py::"
RA = '$TOOL remote add -d storage "$REMOTE"'
RA2 = '$TOOL remote add r2 "$REMOTE2"'
PUSHED = (RA, "$TOOL add foo data", "$TOOL push")
FOO_BAR = {**FOO, "bar": "bar"}
TWO_VERSIONS = (
    "$TOOL add foo",
    C,
    "git checkout -qb b2",
    "echo v2 > foo && $TOOL add foo",
    C,
    "git checkout -q main",
    "$TOOL checkout --force",
)

CLOUD_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "push_pull_roundtrip",
        DC + "test_cloud_cli",
        (*PUSHED, "rm -rf .dvc/cache foo data", "$TOOL pull"),
        FOO_DATA,
    ),
    S(
        "push_fetch_checkout",
        DC + "test_cloud_cli",
        (*PUSHED, "rm -rf .dvc/cache foo data", "$TOOL fetch", "$TOOL checkout"),
        FOO_DATA,
    ),
    S("push_twice", DC + "test_push_stats", (*PUSHED, "$TOOL push"), FOO_DATA),
    S("push_named_remote", DC + "test_target_remote", (RA, RA2, "$TOOL add foo", "$TOOL push -r r2"), FOO),
    S(
        "pull_partial_file_in_dir",
        DC + "test_pull_partial",
        (*PUSHED, "rm -rf .dvc/cache data", "$TOOL pull data/sub/b"),
        FOO_DATA,
    ),
    S(
        "pull_one_target",
        DC + "test_pull_partial",
        (*PUSHED, "rm -rf .dvc/cache foo data", "$TOOL pull foo.dvc"),
        FOO_DATA,
    ),
    S(
        "output_remote_field",
        DC + "test_output_remote",
        (
            RA,
            RA2,
            "$TOOL add foo bar",
            "echo '  remote: r2' >> foo.dvc",
            "$TOOL push",
            "rm -rf .dvc/cache foo bar",
            "$TOOL pull",
        ),
        FOO_BAR,
    ),
    S(
        "push_missing_objects",
        DC + "test_missing_cache",
        (RA, "$TOOL add foo", "rm -rf .dvc/cache", "$TOOL push"),
        FOO,
    ),
    S("fetch_missing_everywhere", DC + "test_missing_cache", (RA, "$TOOL fetch"), {"foo.dvc": HAND_FOO}),
    S("pull_missing_everywhere", DC + "test_pull_allow_missing", (RA, "$TOOL pull"), {"foo.dvc": HAND_FOO}),
    S(
        "pull_allow_missing",
        DC + "test_pull_allow_missing",
        (RA, "$TOOL pull --allow-missing"),
        {"foo.dvc": HAND_FOO},
    ),
    S(
        "status_cloud_after_push",
        DC + "test_cloud_cli",
        (*PUSHED, "$TOOL status -c", "rm -rf $REMOTE/files", "$TOOL status -c"),
        FOO_DATA,
    ),
    S("push_no_remote", DC + "test_data_cloud_error_cli", ("$TOOL add foo", "$TOOL push"), FOO),
    S(
        "pull_no_remote",
        DC + "test_data_cloud_error_cli",
        ("$TOOL pull",),
        {},
    ),
    S(
        "remote_without_default",
        DC + "test_data_cloud_error_cli",
        ('$TOOL remote add storage "$REMOTE"', "$TOOL add foo", "$TOOL push"),
        FOO,
    ),
    S(
        "pull_modified_workspace",
        DC + "test_cloud_cli",
        (RA, "$TOOL add foo", "$TOOL push", "echo x > foo", "$TOOL pull"),
        FOO,
    ),
    S("push_all_branches", DC + "test_push_pull_all", (RA, *TWO_VERSIONS, "$TOOL push -a"), FOO),
    S(
        "pull_remote_flag_empty",
        DC + "test_target_remote",
        (RA, RA2, "$TOOL add foo", "$TOOL push", "rm -rf .dvc/cache foo", "$TOOL pull -r r2"),
        FOO,
    ),
    S(
        "fetch_dir_partial",
        DC + "test_pull_partial",
        (*PUSHED, "rm -rf .dvc/cache", "$TOOL fetch data"),
        FOO_DATA,
    ),
    S("push_run_cache_flag", DC + "test_cloud_cli", (RA, "$TOOL add foo", "$TOOL push --no-run-cache"), FOO),
    S("config_cache_then_remote", DC + "test_cloud_cli", ("$TOOL config cache.type copy", RA), {}),
    S("config_remote_then_cache", DC + "test_cloud_cli", (RA, "$TOOL config cache.type copy"), {}),
    S(
        "config_remote_options",
        DC + "test_cloud_cli",
        (RA, "$TOOL remote modify storage jobs 4", "$TOOL config core.autostage true"),
        {},
    ),
)

GC_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "gc_workspace",
        GC + "test_gc_cli",
        ("$TOOL add foo bar", "$TOOL remove bar.dvc", "$TOOL gc -w -f"),
        FOO_BAR,
    ),
    S(
        "gc_dir",
        GC + "test_gc_api",
        ("$TOOL add data", "echo x > data/a && $TOOL add data", "$TOOL gc -w -f"),
        DATA,
    ),
    S(
        "gc_all_branches",
        GC + "test_gc_branches_tags",
        (*TWO_VERSIONS, "$TOOL gc -a -f", "$TOOL gc -w -f"),
        FOO,
    ),
    S("gc_all_tags", GC + "test_gc_branches_tags", (*TWO_VERSIONS, "git tag t1 b2", "$TOOL gc -T -f"), FOO),
    S(
        "gc_all_commits",
        GC + "test_all_commits",
        ("$TOOL add foo", C, "echo v2 > foo && $TOOL add foo", C, "$TOOL gc -A -f"),
        FOO,
    ),
    S(
        "gc_no_dir_cache",
        GC + "test_gc_no_dir_cache",
        ("$TOOL add data", "rm -f .dvc/cache/files/md5/*/*.dir", "$TOOL gc -w -f"),
        DATA,
        differs="gc_keeps_files_of_unlisted_dir",
    ),
    S("gc_no_scope", GC + "test_gc_without_workspace_raises_error", ("$TOOL add foo", "$TOOL gc -f"), FOO),
    S(
        "gc_cloud",
        GC + "test_gc_cloud_positive",
        (RA, "$TOOL add foo bar", "$TOOL push", "$TOOL remove bar.dvc", "$TOOL gc -w -c -f"),
        FOO_BAR,
    ),
    S(
        "gc_dry",
        GC + "test_gc_dry",
        ("$TOOL add foo bar", "$TOOL remove bar.dvc", "$TOOL gc -w -f --dry"),
        FOO_BAR,
    ),
    S(
        "gc_not_in_remote",
        GC + "test_gc_not_in_remote",
        (RA, "$TOOL add foo", "$TOOL push", "$TOOL add bar", "$TOOL gc -w -f --not-in-remote"),
        FOO_BAR,
    ),
    S(
        "gc_rev",
        GC + "test_gc_rev_num",
        ("$TOOL add foo", C, "echo v2 > foo && $TOOL add foo", C, "$TOOL gc --rev HEAD -n 2 -f"),
        FOO,
    ),
    S(
        "gc_jobs",
        GC + "test_gc_cli",
        ("$TOOL add foo bar", "$TOOL remove bar.dvc", "$TOOL gc -w -f -j 2"),
        FOO_BAR,
    ),
    S(
        "gc_keeps_stage_outputs",
        GC + "test_gc_not_collect_pipeline_tracked_files",
        ("$TOOL repro", "$TOOL gc -w -f"),
        {"dvc.yaml": "stages:\n  gen:\n    cmd: echo foo > foo\n    outs:\n    - foo\n"},
    ),
)

SCENARIOS: tuple[Scenario, ...] = CLOUD_SCENARIOS + GC_SCENARIOS
