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
        ("exit@2",),
    ),
    "checkout_force_saves_to_cache": Deliberate(
        "`checkout --force` first saves the workspace content it replaces into the cache and prints its md5, "
        "so it can be recovered; DVC discards it (one more cache object)",
        ("cache",),
    ),
    "refused_add_exit_1": Deliberate(
        "a refused `add` (a .dvcignore inside the directory to add) exits 1, stagecore's documented code for a "
        "refused add; DVC exits 255 with the same message",
        ("exit@0",),
    ),
    "gc_keeps_files_of_unlisted_dir": Deliberate(
        "`gc` keeps the cached files of a tracked directory whose .dir manifest is missing (it cannot tell "
        "which are used) and warns; DVC deletes them",
        ("cache",),
    ),
    "repro_saves_replaced_output": Deliberate(
        "before a stage runs (or is restored from the run cache), an output whose workspace content is not in "
        "the cache is saved there first (md5 printed), so it can be recovered; DVC deletes it",
        ("cache",),
    ),
    "keep_going_gitignore": Deliberate(
        "after a failed `repro -k`, the outputs of the stages that did succeed (cached, in dvc.lock) are "
        "git-ignored; DVC drops those .gitignore entries, leaving them one `git add -A` away from git",
        ("file:.gitignore",),
    ),
    "metrics_error_words": Deliberate(
        "an unreadable metrics file appears in `metrics show --json` where DVC puts it (an `error` with `type` "
        "and `msg`) in stagecore's words; DVC's are its Python exception class and a path relative to an "
        "internal directory",
        ("stdout@0",),
    ),
}

KNOWN_DIVERGENCES: dict[str, str] = {
}
