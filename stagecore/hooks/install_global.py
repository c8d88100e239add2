"""`stagecore install --global`: once per machine, every later `git clone` / `git init` gets the hooks.

As `git lfs install` does for its filters, the set-up lives in the user's global git config:
`init.templateDir` names a template directory whose `hooks/` git copies into each new repository
(so a clone's post-checkout hook already runs and fetches the data its dvc files name). The hooks
do nothing in repositories without `.dvc/`.

stagecore's template is `<config dir>/stagecore/git-template` (the config dir as DVC's platform
rules give it, stagecore.files.config_dirs: `$XDG_CONFIG_HOME` or `~/.config` on Linux).

* No template directory set: stagecore's own is created and `init.templateDir` set to it.
* The user's own template directory already set (global or system config): it is chained, never
  written to: its content is copied into stagecore's template (their hooks kept as `NAME.legacy`
  and run first, exactly as in a repository), `init.templateDir` (global) then names stagecore's,
  and their setting is recorded in `<config dir>/stagecore/previous-template.json`. A change made
  to their template later reaches new clones after `stagecore install --global` again.

`stagecore uninstall --global` removes the shims (restoring what they replaced); when the template
is stagecore's own it puts back the user's setting (or unsets `init.templateDir`) and removes the
directory, except for files the user added there meanwhile (kept, and the setting then left).
Repositories cloned in between keep their hooks: `stagecore uninstall` there removes them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import NamedTuple

from stagecore.hooks.install import (
    HOOK_NAMES,
    HookChange,
    InstallError,
    _check_names,
    install_into,
    uninstall_from,
)


class GlobalResult(NamedTuple):
    template_dir: str
    changes: tuple[HookChange, ...]
    ours: bool  # the template directory is stagecore's own (else the user's, from an older install)
    config_changed: bool  # init.templateDir was set (install) or unset / restored (uninstall)
    chained: str | None = None  # the user's template copied in (install) or set back (uninstall)
    left: tuple[str, ...] = ()  # uninstall: files in stagecore's template that are not ours, kept


def own_template_dir() -> str:
    from stagecore.files.config_dirs import user_config_base

    return os.path.join(user_config_base(), "stagecore", "git-template")


def _record_path() -> str:
    return os.path.join(os.path.dirname(own_template_dir()), "previous-template.json")


def install_global(hooks: Sequence[str] | None = None, *, interpreter: str | None = None) -> GlobalResult:
    names = _check_names(hooks)
    ours = own_template_dir()
    scope, raw, current = _configured()
    chained = None
    if current is not None and not _same(current, ours):  # the user's: copied, their setting recorded
        if not os.path.isdir(current):
            raise InstallError(f"init.templateDir ({scope} git config) names '{current}', which is not a directory",
                               hint="fix or unset it (`git config --global --unset init.templateDir`), then run "
                               "`stagecore install --global` again")
        if os.path.isdir(ours):  # an earlier copy: made again from what they have now
            uninstall_from(os.path.join(ours, "hooks"), names)
        shutil.copytree(current, ours, symlinks=True, dirs_exist_ok=True)
        _write_record({"scope": scope, "value": raw, "path": current})
        chained = current
    changes = install_into(os.path.join(ours, "hooks"), names, interpreter or sys.executable)
    changed = current is None or not _same(current, ours)
    if changed:
        _git_config("--global", "init.templateDir", ours)
    return GlobalResult(ours, changes, True, changed, chained)


def uninstall_global(hooks: Sequence[str] | None = None) -> GlobalResult:
    names = _check_names(hooks)
    ours = own_template_dir()
    _scope, _raw, current = _configured()
    template = current or ours
    is_ours = _same(template, ours)
    hooks_dir = os.path.join(template, "hooks")
    changes = uninstall_from(hooks_dir, names) if os.path.isdir(hooks_dir) else ()
    if not is_ours:  # an older install merged into the user's template: the shims were all of it
        return GlobalResult(template, changes, False, False)
    if set(names) != set(HOOK_NAMES):  # some hooks only: the template stays, with the others
        return GlobalResult(template, changes, True, False)
    record = _read_record()
    left = _remove_copy(ours, record.get("path") if record else None)
    if left:
        return GlobalResult(template, changes, True, False, None, left)
    changed = False
    configured = _git_config("--global", "--type=path", "--get", "init.templateDir", check=False)
    if configured and _same(configured, ours):
        if record and record.get("scope") == "global":
            _git_config("--global", "init.templateDir", record["value"])
        else:  # ours was the only one, or theirs is in the system config: it applies again
            _git_config("--global", "--unset", "init.templateDir")
        changed = True
    if record:
        os.unlink(_record_path())
    return GlobalResult(template, changes, True, changed, record.get("path") if record else None)


def _remove_copy(ours: str, theirs: str | None) -> tuple[str, ...]:
    """Remove stagecore's template: the files copied from `theirs` that are unchanged, then empty
    directories; what else is there (added by the user meanwhile) is kept and returned."""
    if not os.path.isdir(ours):
        return ()
    left = []
    for top, dirs, files in os.walk(ours, topdown=False):
        for name in files:
            path = os.path.join(top, name)
            source = os.path.join(theirs, os.path.relpath(path, ours)) if theirs else None
            if source and _same_file(path, source):
                os.unlink(path)
            else:
                left.append(path)
        for name in dirs:
            path = os.path.join(top, name)
            if os.path.islink(path) or not os.listdir(path):
                os.unlink(path) if os.path.islink(path) else os.rmdir(path)
    if not os.listdir(ours):
        os.rmdir(ours)
    return tuple(sorted(left))


def _same_file(a: str, b: str) -> bool:
    if os.path.islink(a) or os.path.islink(b):
        return os.path.islink(a) and os.path.islink(b) and os.readlink(a) == os.readlink(b)
    if not os.path.isfile(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def _read_record() -> dict | None:
    try:
        with open(_record_path(), encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("value"), str) else None


def _write_record(record: dict) -> None:
    path = _record_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.stagecore-tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
    os.replace(tmp, path)


def _configured() -> tuple[str | None, str, str | None]:
    """(scope, value as written, value with `~` expanded) of `init.templateDir`: global, then system."""
    for scope in ("global", "system"):
        value = _git_config(f"--{scope}", "--type=path", "--get", "init.templateDir", check=False)
        if value:
            return scope, _git_config(f"--{scope}", "--get", "init.templateDir", check=False), value
    return None, "", None


def configured_template_dir() -> str | None:
    """`init.templateDir` from the global, then the system config (`~` expanded), or None."""
    return _configured()[2]


def _same(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _git_config(*args: str, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"}
    proc = subprocess.run(
        ["git", "config", *args], capture_output=True, text=True, env=env, cwd=os.path.expanduser("~"), check=False
    )
    if check and proc.returncode != 0:
        raise InstallError(
            f"`git config {' '.join(args)}` failed: {proc.stderr.strip() or proc.returncode}",
            hint="check your global git config (~/.gitconfig)",
        )
    return proc.stdout.strip() if proc.returncode == 0 else ""
