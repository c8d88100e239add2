"""Data-command scenarios: commit, remove, move, unprotect (DVC's tests/func/test_commit.py & co.)."""

from __future__ import annotations

from tests.differential.runner import Scenario
from tests.differential.scenarios_data import (
    COMMIT,
    DATA,
    FOO,
    FOO_DATA,
    FOO_MD5,
    HAND_FOO,
    LEGACY_FOO,
    PRESERVE,
    REMOVE,
    STAGE_FOO,
    C,
)

S = Scenario

COMMIT_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "commit_recursive",
        COMMIT + "test_commit_recursive",
        ("$TOOL add --no-commit data/a data/sub/b", "$TOOL commit -R data"),
        DATA,
    ),
    S(
        "commit_dir_changed_without_force",
        COMMIT + "test_commit_force",
        ("$TOOL add data", "echo changed > data/a", "$TOOL commit data.dvc"),
        DATA,
    ),
    S(
        "commit_dir_changed_force",
        COMMIT + "test_commit_force",
        ("$TOOL add data", "echo changed > data/a", "$TOOL commit -f data.dvc"),
        DATA,
    ),
    S(
        "commit_preserve_fields",
        COMMIT + "test_commit_preserve_fields",
        ("$TOOL commit -f foo.dvc",),
        {"foo.dvc": PRESERVE.replace("- path: foo", f"- md5: {FOO_MD5}\n  path: foo"), **FOO},
    ),
    S(
        "commit_hand_written",
        COMMIT + "test_commit_force",
        ("$TOOL commit -f foo.dvc", "$TOOL status"),
        {"foo.dvc": HAND_FOO, **FOO},
    ),
    S(
        "commit_changed_md5",
        COMMIT + "test_commit_changed_md5",
        ("$TOOL add foo", "sed -i 's/acbd/0000/' foo.dvc", "$TOOL commit foo.dvc", "$TOOL commit -f foo.dvc"),
        FOO,
    ),
    S(
        "commit_granular_file_in_dir",
        COMMIT + "test_commit_granular_output_file",
        ("$TOOL add --no-commit data", "$TOOL commit data/a"),
        DATA,
    ),
    S(
        "commit_granular_subdir",
        COMMIT + "test_commit_granular_dir",
        ("$TOOL add --no-commit data", "$TOOL commit data/sub"),
        DATA,
    ),
    S(
        "commit_dos2unix_legacy",
        COMMIT + "test_commit_dos2unix",
        ("$TOOL commit -f foo.dvc",),
        {"foo.dvc": LEGACY_FOO, **FOO},
    ),
    S(
        "commit_multiple_files",
        COMMIT + "test_commit_multiple_files",
        ("$TOOL add --no-commit foo bar", "$TOOL commit foo bar"),
        {**FOO, "bar": "bar"},
    ),
    S("commit_nothing_changed", COMMIT + "test_commit_force", ("$TOOL add foo", "$TOOL commit"), FOO),
    S(
        "commit_modified_file_force",
        COMMIT + "test_commit_force",
        ("$TOOL add foo", "echo new > foo", "$TOOL commit -f foo"),
        FOO,
    ),
)

REMOVE_SCENARIOS: tuple[Scenario, ...] = (
    S(
        "remove_dvcfile",
        REMOVE + "test_remove",
        ("$TOOL add foo data", C, "$TOOL remove foo.dvc data.dvc"),
        FOO_DATA,
    ),
    S("remove_data_path", REMOVE + "test_remove_file_target", ("$TOOL add foo", "$TOOL remove foo"), FOO),
    S("remove_nonexistent", REMOVE + "test_remove_non_existent_file", ("$TOOL remove nothere.dvc",), {}),
    S("remove_outs", REMOVE + "test_cmd_remove", ("$TOOL add foo", "$TOOL remove --outs foo.dvc"), FOO),
    S(
        "remove_broken_symlink",
        REMOVE + "test_remove_broken_symlink",
        (
            "$TOOL config cache.type symlink",
            "$TOOL add foo",
            "rm -rf .dvc/cache",
            "$TOOL remove --outs foo.dvc",
        ),
        FOO,
    ),
    S(
        "remove_gitignore_single",
        REMOVE + "test_cmd_remove_gitignore_single_stage",
        ("$TOOL add data/a data/sub/b", "$TOOL remove data/a.dvc"),
        DATA,
    ),
    S(
        "remove_stage",
        REMOVE + "test_cmd_remove_gitignore_multistage",
        ("$TOOL repro", "$TOOL remove gen"),
        {"dvc.yaml": STAGE_FOO},
    ),
)

OTHER_SCENARIOS: tuple[Scenario, ...] = (
    S("move_file", "tests/func/test_move.py::test_move", ("$TOOL add foo", "$TOOL move foo bar"), FOO),
    S(
        "unprotect_hardlink",
        "tests/func/test_unprotect.py::test_unprotect",
        ("$TOOL config cache.type hardlink", "$TOOL add foo", "$TOOL unprotect foo"),
        FOO,
    ),
)

SCENARIOS: tuple[Scenario, ...] = COMMIT_SCENARIOS + REMOVE_SCENARIOS + OTHER_SCENARIOS
