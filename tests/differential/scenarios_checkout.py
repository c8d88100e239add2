"""Checkout scenarios (DVC's tests/func/test_checkout.py)."""

from __future__ import annotations

from tests.differential.runner import Scenario
from tests.differential.scenarios_data import DATA, FOO, FOO_DATA, HAND_FOO, C

S = Scenario
CO = "tests/func/test_checkout.py::"

CHECKOUT_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "checkout_restore_all",
        CO + "test_checkout",
        ("$TOOL add foo data", "rm -rf foo data", "$TOOL checkout"),
        FOO_DATA,
    ),
    S(
        "checkout_target_dvcfile",
        CO + "test_checkout_cli",
        ("$TOOL add foo data", "rm -rf foo data/a", "$TOOL checkout foo.dvc"),
        FOO_DATA,
    ),
    S(
        "checkout_branch_switch_drops_data",
        CO + "test_remove_files_when_checkout",
        (
            "$TOOL add foo",
            C,
            "git checkout -qb b2",
            "echo bar > bar && $TOOL add bar",
            C,
            "git checkout -q main",
            "$TOOL checkout",
        ),
        FOO,
    ),
    S(
        "checkout_branch_switch_dir",
        CO + "test_remove_files_when_checkout",
        (
            "git checkout -qb b2",
            "mkdir -p data/sub && echo a > data/a && echo b > data/sub/b && $TOOL add data",
            C,
            "git checkout -q main",
            "$TOOL checkout",
        ),
        {},
    ),
    S(
        "checkout_modified_no_force",
        CO + "test_force",
        ("$TOOL add foo", "echo x > foo", "$TOOL checkout foo"),
        FOO,
        differs="checkout_keeps_unsaved",
    ),
    S(
        "checkout_modified_force",
        CO + "test_force",
        ("$TOOL add foo", "echo x > foo", "$TOOL checkout -f foo"),
        FOO,
        differs="checkout_force_saves_to_cache",
    ),
    S(
        "checkout_dir_extra_file",
        CO + "test_checkout_selective_remove",
        ("$TOOL add data", "echo x > data/new", "$TOOL checkout data"),
        DATA,
        differs="checkout_keeps_unsaved",
    ),
    S(
        "checkout_dir_extra_file_force",
        CO + "test_checkout_selective_remove",
        ("$TOOL add data", "echo x > data/new", "$TOOL checkout --force data"),
        DATA,
        differs="checkout_force_saves_to_cache",
    ),
    S(
        "checkout_force_untracked_nested",
        CO + "test_checkout_cleanup_properly_on_untracked_nested_directories",
        ("$TOOL add data", "mkdir -p data/x/y && echo z > data/x/y/z", "$TOOL checkout --force data"),
        DATA,
        differs="checkout_force_saves_to_cache",
    ),
    S(
        "checkout_gitignore_restored",
        CO + "test_gitignore_when_checkout",
        ("$TOOL add foo", "rm .gitignore", "$TOOL checkout"),
        FOO,
    ),
    S(
        "checkout_empty_dir",
        CO + "test_checkout_empty_dir",
        ("mkdir data && $TOOL add data", "rm -rf data", "$TOOL checkout"),
        {},
    ),
    S(
        "checkout_not_cached",
        CO + "test_checkout_not_cached_file",
        ("$TOOL checkout",),
        {"foo.dvc": HAND_FOO},
    ),
    S(
        "checkout_dir_missing_file",
        CO + "test_checkout_directory",
        ("$TOOL add data", "rm data/a", "$TOOL checkout data"),
        DATA,
    ),
    S(
        "checkout_suggest_git",
        CO + "test_checkout_suggest_git",
        ("$TOOL add foo", "$TOOL checkout main"),
        FOO,
    ),
    S(
        "checkout_recursive",
        CO + "test_checkout_recursive",
        ("$TOOL add data/a data/sub/b", "rm data/a data/sub/b", "$TOOL checkout -R data"),
        DATA,
    ),
    S(
        "checkout_recursive_not_directory",
        CO + "test_checkout_recursive_not_directory",
        ("$TOOL add foo", "$TOOL checkout -R foo.dvc"),
        FOO,
    ),
    S(
        "checkout_no_checksum",
        CO + "test_checkout_no_checksum",
        ("$TOOL checkout",),
        {"foo.dvc": "outs:\n- path: foo\n", **FOO},
    ),
    S(
        "checkout_relink_symlink",
        CO + "test_checkout_relink",
        ("$TOOL add foo data", "$TOOL config cache.type symlink", "$TOOL checkout --relink"),
        FOO_DATA,
    ),
    S(
        "checkout_partial_subdir",
        CO + "test_checkout_partial_subdir",
        ("$TOOL add data", "rm -rf data", "$TOOL checkout data/sub"),
        DATA,
    ),
    S(
        "checkout_partial_file",
        CO + "test_checkout_partial",
        ("$TOOL add data", "rm -rf data", "$TOOL checkout data/a"),
        DATA,
    ),
    S(
        "checkout_partial_unchanged",
        CO + "test_checkout_partial_unchanged",
        ("$TOOL add data", "echo x > data/sub/b", "$TOOL checkout data/a"),
        DATA,
    ),
    S(
        "checkout_isexec_from_dvcfile",
        CO + "test_checkout_executable",
        ("$TOOL add foo", "echo '  isexec: true' >> foo.dvc && rm foo", "$TOOL checkout"),
        FOO,
    ),
    S("checkout_unknown_target", CO + "test_checkout_file", ("$TOOL checkout nothere",), {}),
    S("checkout_plain_file_target", CO + "test_checkout_file", ("$TOOL checkout foo",), FOO),
    S(
        "checkout_nothing_to_do",
        CO + "test_stats_on_empty_checkout",
        ("$TOOL add foo", "$TOOL checkout"),
        FOO,
    ),
    S(
        "checkout_with_deps",
        CO + "test_checkout_with_deps",
        ("$TOOL add foo", "rm foo", "$TOOL checkout --with-deps foo.dvc"),
        FOO,
    ),
    S(
        "checkout_hardlink",
        CO + "test_checkout_relink",
        ("$TOOL config cache.type hardlink", "$TOOL add foo data", "rm -rf foo data", "$TOOL checkout"),
        FOO_DATA,
    ),
    S(
        "checkout_symlink",
        CO + "test_checkout_relink",
        ("$TOOL config cache.type symlink", "$TOOL add foo data", "rm -rf foo data", "$TOOL checkout"),
        FOO_DATA,
    ),
    S(
        "checkout_old_version",
        CO + "test_checkout",
        (
            "$TOOL add foo",
            C,
            "echo v2 > foo && $TOOL add foo",
            C,
            "git checkout -q HEAD~1 -- foo.dvc",
            "$TOOL checkout",
        ),
        FOO,
    ),
    S(
        "checkout_missing_cache",
        CO + "test_checkout_not_cached_file",
        ("$TOOL add data", "rm -rf .dvc/cache data", "$TOOL checkout"),
        DATA,
    ),
    S(
        "checkout_added_file_in_dir",
        CO + "test_stats_on_added_file_from_tracked_dir",
        (
            "$TOOL add data",
            C,
            "echo n > data/new && $TOOL add data",
            C,
            "git checkout -q HEAD~1 -- data.dvc",
            "$TOOL checkout",
        ),
        DATA,
    ),
)

SCENARIOS: tuple[Scenario, ...] = CHECKOUT_SCENARIOS
