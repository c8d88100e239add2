"""Install and uninstall stagecore's git hooks.

Native shims (default): one small POSIX sh script per hook in the directory git reports
for `git rev-parse --git-path hooks` (so `core.hooksPath`, linked worktrees and submodules
work). Each shim:

* carries the marker line `# stagecore-hook v1` (how install/uninstall recognise their own);
* runs `NAME.legacy` first when present (a foreign hook that was there before us): a failing
  legacy pre-commit/pre-push stops there with its status; for post-* hooks its status is
  kept and returned after ours. pre-push and post-rewrite get their stdin saved to a temp
  file and replayed to both;
* replaces a hook written by `dvc install` instead (kept as `NAME.dvc-hook`, not run; uninstall
  restores it) and refuses one written by the pre-commit framework (stagecore.hooks.hook_detect);
* runs the interpreter that installed it on `githooks` (with the current directory removed
  from `sys.path`, so a `githooks/` or `stagecore/` folder in the user's repository cannot
  shadow the package); when that interpreter is gone (a deleted or moved virtualenv) the
  shim prints `stagecore: hook interpreter <path> is gone; reinstall with: stagecore install`
  and exits 0, for every hook: a moved virtualenv must not block commits and pushes.

Through the pre-commit framework instead (`use_pre_commit_tool=True`): a repo entry with
stagecore's hook ids is added to `.pre-commit-config.yaml`, plus `default_install_hook_types`
so that `pre-commit install` activates every stage. The resulting snippet looks like:

    default_install_hook_types: [pre-commit, post-checkout, post-merge, post-rewrite, pre-push]
    repos:
      - repo: https://github.com/stagecore/stagecore
        rev: v0.1.0   # this version's tag if the repository has it, else a commit (install_framework)
        hooks:
          - id: stagecore-pre-commit
          - id: stagecore-post-checkout
          - id: stagecore-post-merge
          - id: stagecore-post-rewrite
          - id: stagecore-pre-push
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from typing import NamedTuple

from stagecore import __version__
from stagecore.errors import UsageError
from stagecore.hooks.hook_detect import DVC_BACKUP_SUFFIX, is_dvc_hook, is_pre_commit_framework
from stagecore.hooks.install_framework import (
    PRE_COMMIT_CONFIG,
    InstallError,
    RevChoice,
    add_to_pre_commit_config,
)

__all__ = ["PRE_COMMIT_CONFIG", "InstallError", "add_to_pre_commit_config", "install", "uninstall"]

HOOK_NAMES = ("pre-commit", "post-checkout", "post-merge", "post-rewrite", "pre-push")
MARKER = "# stagecore-hook v1"
LEGACY_SUFFIX = ".legacy"
PRE_COMMIT_REPO_URL = "https://github.com/stagecore/stagecore"
_BLOCKING = frozenset({"pre-commit", "pre-push"})
_STDIN_HOOKS = frozenset({"pre-push", "post-rewrite"})


class HookChange(NamedTuple):
    hook: str
    path: str
    action: str  # installed | updated | unchanged | replaced-dvc | removed | restored | restored-dvc
    #              | foreign-kept | absent
    legacy: str | None = None  # the foreign hook kept (install) or restored (uninstall)


class InstallResult(NamedTuple):
    hooks_dir: str | None
    changes: tuple[HookChange, ...]
    dvc_repo: bool
    pre_commit_config: str | None = None  # set when installed through the pre-commit framework
    pre_commit_rev: RevChoice | None = None  # the entry's rev and how it was chosen (framework mode)


class UninstallResult(NamedTuple):
    hooks_dir: str
    changes: tuple[HookChange, ...]


def install(
    root: str,
    hooks: Sequence[str] | None = None,
    use_pre_commit_tool: bool = False,
    *,
    interpreter: str | None = None,
    pre_commit_repo: str = PRE_COMMIT_REPO_URL,
    pre_commit_rev: str | None = None,
) -> InstallResult:
    """Install the shims (or the pre-commit framework entry) for `hooks` (default: all)."""
    names = _check_names(hooks)
    dvc_repo = os.path.isdir(os.path.join(root, ".dvc"))
    if use_pre_commit_tool:
        path, choice = add_to_pre_commit_config(root, names, pre_commit_repo, pre_commit_rev, __version__)
        return InstallResult(None, (), dvc_repo, path, choice)
    hooks_dir = hooks_dir_of(root)
    changes = install_into(hooks_dir, names, interpreter or sys.executable)
    return InstallResult(hooks_dir, changes, dvc_repo)


def install_into(hooks_dir: str, names: Sequence[str], python: str) -> tuple[HookChange, ...]:
    """Write the shims for `names` into `hooks_dir` (a repository's, or a git template's)."""
    planned = [(name, os.path.join(hooks_dir, name)) for name in names]
    framework = [path for _name, path in planned if is_pre_commit_framework(path)]
    if framework:
        raise InstallError(
            f"'{framework[0]}' belongs to the pre-commit framework, which cannot run behind stagecore's hook",
            hint="add stagecore to the framework instead: `stagecore install --use-pre-commit-tool`, "
            "then `pre-commit install`",
        )
    conflicts = [
        path
        for _name, path in planned
        if os.path.lexists(path)
        and not is_ours(path)
        and not is_dvc_hook(path)
        and os.path.lexists(path + LEGACY_SUFFIX)
    ]
    if conflicts:
        listing = ", ".join(f"'{p}'" for p in conflicts)
        raise InstallError(
            f"cannot keep the existing hook(s) {listing}: a '{LEGACY_SUFFIX}' copy already exists next to each",
            hint="merge or remove one of the two by hand, or use `stagecore install --use-pre-commit-tool`",
        )
    os.makedirs(hooks_dir, exist_ok=True)
    return tuple(_install_one(name, path, python) for name, path in planned)


def uninstall(root: str, hooks: Sequence[str] | None = None) -> UninstallResult:
    """Remove stagecore's shims (only files with the marker) and restore `NAME.legacy`."""
    hooks_dir = hooks_dir_of(root)
    return UninstallResult(hooks_dir, uninstall_from(hooks_dir, _check_names(hooks)))


def uninstall_from(hooks_dir: str, names: Sequence[str]) -> tuple[HookChange, ...]:
    """Remove the shims for `names` from `hooks_dir`, restoring what they replaced."""
    changes = []
    for name in names:
        path = os.path.join(hooks_dir, name)
        legacy = path + LEGACY_SUFFIX
        if os.path.lexists(path) and not is_ours(path):
            changes.append(HookChange(name, path, "foreign-kept"))
            continue
        removed = os.path.lexists(path)
        if removed:
            os.unlink(path)
        if os.path.lexists(legacy):
            os.replace(legacy, path)
            changes.append(HookChange(name, path, "restored", legacy))
        elif os.path.lexists(path + DVC_BACKUP_SUFFIX):
            os.replace(path + DVC_BACKUP_SUFFIX, path)
            changes.append(HookChange(name, path, "restored-dvc", path + DVC_BACKUP_SUFFIX))
        else:
            changes.append(HookChange(name, path, "removed" if removed else "absent"))
    return tuple(changes)


def hooks_dir_of(root: str) -> str:
    from stagecore.scm.porcelain import git_path

    return git_path(root, "hooks")


def is_ours(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return MARKER.encode() in head.splitlines()


def shim_text(hook: str, python: str) -> str:
    """The POSIX sh shim for `hook` running `python`."""
    py = shlex.quote(python)
    lines = [
        "#!/bin/sh",
        MARKER,
        f"# {hook}: installed by `stagecore install`; `stagecore uninstall` removes it and restores",
        f"# {hook}{LEGACY_SUFFIX}. If the interpreter below is gone, this hook warns and exits 0.",
        f"hook={hook}",
        f"py={py}",
        f"lib={shlex.quote(_package_parent())}",
        '[ -d "$lib/githooks" ] || lib=""',
        'legacy="$0.legacy"',
        "legacy_status=0",
    ]
    if hook in _STDIN_HOOKS:  # both hooks read the same stdin: replay it from a temp file
        lines += [
            'if [ -x "$legacy" ]; then',
            '    tmp=$(mktemp "${TMPDIR:-/tmp}/stagecore-$hook.XXXXXX") || exit 1',
            '    cat >"$tmp"',
            '    exec 3<"$tmp" 4<"$tmp"',
            '    rm -f "$tmp"',
            '    "$legacy" "$@" <&3 || legacy_status=$?',
            "    exec 0<&4 3<&- 4<&-",
        ]
    else:
        lines += ['if [ -x "$legacy" ]; then', '    "$legacy" "$@" || legacy_status=$?']
    if hook in _BLOCKING:
        lines.append('    [ "$legacy_status" -eq 0 ] || exit "$legacy_status"')
    lines += [
        "fi",
        'if [ ! -x "$py" ]; then',
        '    echo "stagecore: hook interpreter $py is gone; reinstall with: stagecore install" >&2',
        '    exit "$legacy_status"',
        "fi",
    ]
    lines += _SHORTCUTS.get(hook, [])
    # -S: no `site` at start (~30 ms in a virtualenv); the package's directory goes on sys.path,
    # and githooks._entry runs site.main() before anything beyond the standard library
    run = (
        '"$py" -S -c \'import sys; sys.path[:1] = [p for p in sys.path[:1] if p]; lib = sys.argv.pop(1); '
        'sys.path.append(lib) if lib else __import__("site").main(); '
        'from githooks.__main__ import main; sys.exit(main())\' "$lib" "$hook" "$@"'
    )
    if hook in _BLOCKING:
        lines.append(f"exec {run}")
    else:
        lines += [
            f"{run}",
            "status=$?",
            '[ "$legacy_status" -eq 0 ] || exit "$legacy_status"',
            'exit "$status"',
        ]
    return "\n".join(lines) + "\n"


_DVC_PATHSPECS = "':(glob)**/*.dvc' ':(glob)**/dvc.lock' ':(glob)**/dvc.yaml'"
# exits taken in sh, before Python starts, exactly where the hook would find nothing to do:
# HEAD did not move, or git says no dvc file differs; an amend. Not under STAGECORE_TRACE.
_SHORTCUTS = {
    "post-checkout": [
        'if [ -z "$STAGECORE_TRACE" ] && [ "$3" = 1 ] && { [ "$1" = "$2" ] ||',
        f'        git diff --quiet --no-ext-diff "$1" "$2" -- {_DVC_PATHSPECS} 2>/dev/null; }}; then',
        '    exit "$legacy_status"',
        "fi",
    ],
    "post-merge": [
        'if [ -z "$STAGECORE_TRACE" ] && [ "$1" = 0 ] &&',
        f"        git diff --quiet --no-ext-diff ORIG_HEAD HEAD -- {_DVC_PATHSPECS} 2>/dev/null; then",
        '    exit "$legacy_status"',
        "fi",
    ],
    "post-rewrite": [
        'if [ -z "$STAGECORE_TRACE" ] && [ "$1" = amend ]; then',
        "    cat >/dev/null",
        '    exit "$legacy_status"',
        "fi",
    ],
}


def _package_parent() -> str:
    """The directory holding the `githooks` package (put on sys.path by the shim): the one holding
    `stagecore`, as one distribution installs both (read from here, since the hooks layer sits
    below githooks and never imports it)."""
    import stagecore

    return os.path.dirname(os.path.dirname(os.path.abspath(stagecore.__file__)))


def _install_one(name: str, path: str, python: str) -> HookChange:
    text = shim_text(name, python)
    if os.path.lexists(path) and is_ours(path):
        with open(path, encoding="utf-8") as fh:
            same = fh.read() == text
        if same and os.stat(path).st_mode & 0o777 == 0o755:
            return HookChange(name, path, "unchanged")
        _write_shim(path, text)
        return HookChange(name, path, "updated")
    legacy = None
    if is_dvc_hook(path):  # `dvc install`'s hook does our job: replaced, kept for uninstall
        os.replace(path, path + DVC_BACKUP_SUFFIX)
        _write_shim(path, text)
        return HookChange(name, path, "replaced-dvc", path + DVC_BACKUP_SUFFIX)
    if os.path.lexists(path):
        legacy = path + LEGACY_SUFFIX
        os.replace(path, legacy)
    _write_shim(path, text)
    return HookChange(name, path, "installed", legacy)


def _write_shim(path: str, text: str) -> None:
    tmp = f"{path}.stagecore-tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _check_names(hooks: Sequence[str] | None) -> list[str]:
    names = list(dict.fromkeys(hooks or HOOK_NAMES))
    unknown = [h for h in names if h not in HOOK_NAMES]
    if unknown:
        raise UsageError(
            f"unknown hook(s): {', '.join(unknown)}", hint=f"stagecore's hooks are: {', '.join(HOOK_NAMES)}"
        )
    return names
