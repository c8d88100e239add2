"""Hook policy from git config (`stagecore.*`), never from `.dvc/config` (DVC rejects unknown keys).

    stagecore.precommit            block (default) | warn | off
    stagecore.fetch                true (default) | false   fetch missing objects after checkout/merge/rewrite
    stagecore.allowIncompletePush  false (default) | true    let a push go when objects are missing everywhere
    stagecore.remote.<git remote>  <data remote name>        data remote used when pushing to that git remote

Read with one `git config -z --get-regexp` run in the work tree (about 2 ms, no pygit2), so
that includes, `includeIf`, worktree config and the global file behave exactly as in git, and
GIT_DIR/GIT_CONFIG_* of a running hook are honoured. Invalid values fall back to the default
with a warning note. Git lowercases the last part of a key, so git remote names match
case-insensitively in `stagecore.remote.<git remote>`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field, replace

from stagecore.hooks.protocol import HookNote

PRECOMMIT_MODES = ("block", "warn", "off")
_TRUE = frozenset({"true", "yes", "on", "1", ""})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class HookPolicy:
    precommit: str = "block"
    fetch: bool = True
    allow_incomplete_push: bool = False
    remotes: dict[str, str] = field(default_factory=dict)  # lowercased git remote -> data remote
    notes: tuple[HookNote, ...] = ()  # problems met while reading the settings

    def data_remote_for(self, git_remote: str | None) -> str | None:
        """The data remote mapped to `git_remote`, None for the default data remote."""
        return self.remotes.get((git_remote or "").lower())

    def without_notes(self) -> HookPolicy:
        """The same settings, their remarks left out (already said for another project)."""
        return replace(self, notes=())


def read_git_config(root: str) -> dict[str, str | None]:
    """Every `stagecore.*` key visible in `root` -> value (None: a bare key, i.e. true)."""
    try:
        proc = subprocess.run(
            ["git", "config", "-z", "--get-regexp", r"^stagecore\."],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return {}
    if proc.returncode not in (0, 1):  # 1: no key matched
        return {}
    values: dict[str, str | None] = {}
    for record in proc.stdout.decode("utf-8", "replace").split("\0"):
        if record:
            key, sep, value = record.partition("\n")
            values[key] = value if sep else None
    return values


def policy_from_config(values: dict[str, str | None]) -> HookPolicy:
    notes: list[HookNote] = []

    def as_bool(key: str, default: bool) -> bool:
        if key not in values:
            return default
        raw = (values[key] or "").strip().lower()
        if values[key] is None or raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        notes.append(_bad(key, values[key], "true or false", default))
        return default

    precommit = (values.get("stagecore.precommit") or "block").strip().lower()
    if precommit not in PRECOMMIT_MODES:
        notes.append(
            _bad("stagecore.precommit", values["stagecore.precommit"], "block, warn or off", "block")
        )
        precommit = "block"
    remotes = {
        key[len("stagecore.remote.") :]: value.strip()
        for key, value in values.items()
        if key.startswith("stagecore.remote.") and value and value.strip()
    }
    return HookPolicy(
        precommit=precommit,
        fetch=as_bool("stagecore.fetch", True),
        allow_incomplete_push=as_bool("stagecore.allowincompletepush", False),
        remotes=remotes,
        notes=tuple(notes),
    )


def read_policy(root: str) -> HookPolicy:
    return policy_from_config(read_git_config(root))


def _bad(key: str, value: str | None, expected: str, default: object) -> HookNote:
    shown = str(default).lower()
    return HookNote(
        f"git config {key} = '{value}' is not valid ({expected}); using {shown}",
        hint=f"git config {key} {shown}",
        blocking=False,
    )
