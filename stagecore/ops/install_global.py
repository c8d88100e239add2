"""`stagecore install --global`: once per machine, every later `git clone` / `git init` gets the hooks.

As `git lfs install` does for its filters, the set-up lives in the user's global git config:
`init.templateDir` names a template directory whose `hooks/` git copies into each new repository
(so a clone's post-checkout hook already runs and fetches the data its dvc files name). The hooks
do nothing in repositories without `.dvc/`.

* No template directory set: stagecore's own (`<config dir>/stagecore/git-template`, the config
  dir being `$XDG_CONFIG_HOME` or `~/.config`) is created and `init.templateDir` set to it.
* The user's own template directory already set (global or system config): stagecore's shims
  are merged into its `hooks/`, a hook already there being kept as `NAME.legacy` and run first,
  exactly as in a repository; the setting itself is left alone.

`stagecore uninstall --global` removes the shims (restoring what they replaced) and, when the
template directory is stagecore's own, unsets `init.templateDir` and removes the directory.
Repositories cloned in between keep their hooks: `stagecore uninstall` there removes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from typing import NamedTuple

from stagecore.ops.install import HookChange, InstallError, _check_names, install_into, uninstall_from


class GlobalResult(NamedTuple):
    template_dir: str
    changes: tuple[HookChange, ...]
    ours: bool  # the template directory is stagecore's own (else the user's, merged into)
    config_changed: bool  # init.templateDir was set (install) or unset (uninstall)


def own_template_dir() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "stagecore", "git-template")


def install_global(hooks: Sequence[str] | None = None, *, interpreter: str | None = None) -> GlobalResult:
    names = _check_names(hooks)
    current = configured_template_dir()
    ours = own_template_dir()
    template = current or ours
    is_ours = _same(template, ours)
    changes = install_into(os.path.join(template, "hooks"), names, interpreter or sys.executable)
    changed = False
    if current is None:
        _git_config("--global", "init.templateDir", ours)
        changed = True
    return GlobalResult(template, changes, is_ours, changed)


def uninstall_global(hooks: Sequence[str] | None = None) -> GlobalResult:
    names = _check_names(hooks)
    current = configured_template_dir()
    ours = own_template_dir()
    template = current or ours
    hooks_dir = os.path.join(template, "hooks")
    changes = uninstall_from(hooks_dir, names) if os.path.isdir(hooks_dir) else ()
    is_ours = _same(template, ours)
    changed = False
    if is_ours:
        for path in (hooks_dir, template):  # only when nothing else was put there
            if os.path.isdir(path) and not os.listdir(path):
                os.rmdir(path)
        configured = _git_config("--global", "--type=path", "--get", "init.templateDir", check=False)
        if not os.path.exists(template) and configured and _same(configured, ours):
            _git_config("--global", "--unset", "init.templateDir")
            changed = True
    return GlobalResult(template, changes, is_ours, changed)


def configured_template_dir() -> str | None:
    """`init.templateDir` from the global, then the system config (`~` expanded), or None."""
    for scope in ("--global", "--system"):
        value = _git_config(scope, "--type=path", "--get", "init.templateDir", check=False)
        if value:
            return value
    return None


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
