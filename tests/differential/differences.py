"""The two lists of differences between stagecore and DVC that the differential suite knows about.

DELIBERATE: differences a DVC user would accept. A scenario naming one ignores exactly the listed
aspects (fnmatch patterns over runner aspects: `exit@N`, `file:PATH`, `ws:PATH`, `cache`,
`remote:NAME`, `status`) and still compares everything else. README.md's compatibility section lists
each key with its reason (a test checks that both lists agree).

KNOWN_DIVERGENCES: bugs not fixed yet. A scenario naming one must STILL diverge: when the bug is
fixed, its test fails until the entry (and the scenario's `differs`) is removed, so this list only
shrinks and nothing is hidden.
"""

from __future__ import annotations

from typing import NamedTuple


class Deliberate(NamedTuple):
    reason: str
    ignore: tuple[str, ...]  # aspects the scenario then does not compare


DELIBERATE: dict[str, Deliberate] = {
    "checkout_keeps_unsaved": Deliberate(
        "a checkout that would overwrite unsaved workspace data keeps it, prints the command that saves it "
        "and exits 1 (README, exit codes: 'kept modified data'); DVC refuses the same way with exit 255",
        ("exit@2",)),
    "checkout_force_saves_to_cache": Deliberate(
        "`checkout --force` first saves the workspace content it replaces into the cache and prints its md5, "
        "so it can be recovered; DVC discards it (one more cache object)",
        ("cache",)),
    "refused_add_exit_1": Deliberate(
        "a refused `add` (a .dvcignore inside the directory to add) exits 1, stagecore's documented code for a "
        "refused add; DVC exits 255 with the same message",
        ("exit@0",)),
    "gc_keeps_files_of_unlisted_dir": Deliberate(
        "`gc` keeps the cached files of a tracked directory whose .dir manifest is missing (it cannot tell "
        "which are used) and warns; DVC deletes them",
        ("cache",)),
}

KNOWN_DIVERGENCES: dict[str, str] = {
    "add_glob_missing": "`add --glob` is refused (exit 254)",
    "add_no_commit_missing": "`add --no-commit` is refused (exit 254)",
    "add_out_missing": "`add -o/--out [--force]` is refused (exit 254)",
    "add_in_symlinked_dir": "`add lnk/a` through a symlinked directory is accepted; DVC refuses it (exit 1)",
    "commit_changed_needs_force": "`commit X.dvc` of a changed output succeeds without -f; DVC refuses (exit 1)",
    "commit_force_no_gitignore": "`commit -f` of a hand-written/legacy .dvc file adds no .gitignore entry",
    "commit_granular_whole_dir": "`commit data/a` (inside a --no-commit dir) caches the whole directory; "
                                 "DVC caches only the target",
    "commit_recursive_missing": "`commit -R` is refused (exit 254)",
    "remove_data_path": "`remove foo` (the data, not foo.dvc) is accepted; DVC: 'Do you mean foo.dvc?' (exit 1)",
    "remove_broken_symlink": "`remove --outs` of a symlink output whose cache is gone fails (exit 1) and "
                             "keeps foo.dvc and the dangling link",
    "move_missing": "`move` is not implemented (exit 254)",
    "unprotect_missing": "`unprotect` is not implemented (exit 254)",
    "freeze_dvcfile": "`freeze foo.dvc` is refused ('only dvc.yaml stages can be frozen'); DVC writes frozen: true",
    "pull_target_in_dir_fetches_all": "`pull data/sub/b` fetches every object of the directory; DVC fetches "
                                      "only the target's",
    "pull_nothing_no_remote": "`pull` with nothing to pull and no remote exits 1; DVC says 'Everything is up "
                              "to date.' and exits 0",
}
