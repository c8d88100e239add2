"""Reproducing one stage: skip it, restore its outputs from the cache, or run its command;
then hash deps and outs, store outs in the cache and write the lock (or `.dvc` file).

Progress goes to a `notify(ReproEvent)` callback so the CLI can print DVC's messages
in order while the command's own output streams to the terminal.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from typing import Any, NamedTuple

from stagecore.core.stage import Stage, is_external, is_url
from stagecore.errors import StageError
from stagecore.ops import outs as outs_ops
from stagecore.ops import runcache
from stagecore.ops.external import outside_path
from stagecore.ops.stage_deps import Notify, ReproEvent, current_deps


class StageDone(NamedTuple):
    touched: list[str]  # dvc files / lock / .gitignore written


def _quiet(_event: ReproEvent) -> None:
    pass


def changed(repo, stage: Stage) -> bool:
    from stagecore.ops.status import stage_changes

    return bool(stage_changes(repo, stage))


def reproduce_stage(repo, stage: Stage, *, force: bool = False, dry: bool = False,
                    run_cache: bool = True, pull: bool = False, allow_missing: bool = False,
                    no_commit: bool = False, upstream: tuple[Stage, ...] = (),
                    confirm: Callable[[Stage], bool] | None = None,
                    notify: Notify = _quiet) -> StageDone | None:
    """Reproduce `stage` if it changed (or `force`); None when it was up to date.

    A stage whose only changes are missing data is up to date with `allow_missing`, and with
    `pull` gets that data from the remote instead of running (DVC's `repro --pull`). `confirm`
    (`repro -i`) is asked before running; no: the stage fails. `no_commit`: outputs hashed and
    recorded in the lock, not stored in the cache (nor a run-cache entry)."""
    from stagecore.ops.repro_skip import missing_only
    from stagecore.ops.status import stage_changes

    if stage.frozen and not stage.is_import:  # DVC warns for a frozen .dvc file too
        notify(ReproEvent("frozen", stage))
    items = [] if force else stage_changes(repo, stage, urls=True)  # an http(s) dep by its checksum, as DVC
    if not force and (not items or (allow_missing and missing_only(stage, items, upstream))):
        notify(ReproEvent("skip", stage))
        return None
    if pull and not force and not dry and missing_only(stage, items, upstream):
        from stagecore.ops.restore import pull_outs

        notify(ReproEvent("pull", stage))
        if pull_outs(repo, stage, [(stage.out_path(o), o.hash) for o in stage.outs]):
            return None
        notify(ReproEvent("pull-failed", stage))
    if confirm is not None and not confirm(stage):
        raise StageError("reproduction aborted by the user")
    return run_stage(repo, stage, force=force, dry=dry, run_cache=run_cache and not no_commit, pull=pull,
                     no_commit=no_commit, notify=notify)


def run_stage(repo, stage: Stage, *, force: bool = False, dry: bool = False, run_cache: bool = True,
              pull: bool = False, no_commit: bool = False, notify: Notify = _quiet) -> StageDone:
    from stagecore.files.params import lock_values

    runs = stage.cmd is not None and not stage.frozen
    if stage.is_import and not stage.frozen and stage.name is None:
        return import_stage(repo, stage, dry=dry, run_cache=run_cache, notify=notify)
    if runs and not dry:
        remove_outs(repo, stage, notify)
    params = lock_values(repo, stage) if stage.params and not dry else {}
    if runs:
        from stagecore.ops.restore import restore

        if force or not restore(repo, stage, params, dry, run_cache, notify, pull):
            if not dry:
                current_deps(repo, stage)  # a missing dependency fails before running
            run_command(repo, stage, dry=dry, notify=notify)
    elif not dry:
        notify(ReproEvent("verify", stage, "frozen" if stage.frozen else "source"))
        missing = [stage.out_path(o) for o in stage.outs
                   if not os.path.lexists(os.path.join(repo.root, stage.out_path(o)))]
        if missing:
            word = "source" if len(missing) == 1 else "sources"
            raise StageError(f"missing data '{word}': {', '.join(missing)}",
                             hint="restore the data (`stagecore checkout` / `pull`) or remove the stage")
    if dry:
        return StageDone([])
    return StageDone(commit_stage(repo, stage, params, notify, run_cache=run_cache, no_commit=no_commit))


def import_stage(repo, stage: Stage, *, dry: bool = False, run_cache: bool = True,
                 notify: Notify = _quiet) -> StageDone:
    """Re-import an import stage's source into its output (DVC: `Importing 'src' -> 'out'`)."""
    from stagecore.ops.import_sync import fetch

    dep, out = stage.deps[0], stage.outs[0]
    source, path = stage.dep_path(dep), stage.out_path(out)
    if not is_url(source):
        source = outside_path(repo.root, source) or source  # DVC names `../x` by its absolute path
    repo_url = dep.extra.get("repo", {}).get("url") if isinstance(dep.extra.get("repo"), dict) else None
    notify(ReproEvent("import", stage, (f"{source} ({repo_url})" if repo_url else source, path)))
    if dry:
        return StageDone([])
    if "repo" in dep.extra:  # from another git repository, at its rev_lock (ops/import_repo.py)
        from stagecore.ops.import_repo import reimport_repo

        return StageDone(reimport_repo(repo, stage))
    if not is_external(source):  # a path inside the repository: read like any workspace file
        repo.workspace.check_read(source)
        source = os.path.join(repo.root, source)
    remove_outs(repo, stage, notify)
    full = os.path.join(repo.root, path)
    os.makedirs(os.path.dirname(full) or repo.root, exist_ok=True)
    fetch(source, full, repo, dep.extra.get("fs_config"))
    return StageDone(commit_stage(repo, stage, {}, notify, run_cache=run_cache))


def commit_stage(repo, stage: Stage, params: dict, notify: Notify = _quiet, *,
                 run_cache: bool = True, no_commit: bool = False) -> list[str]:
    """Hash deps and outs, store outs (not with `no_commit`), write the lock / `.dvc` file and
    the run cache entry."""
    from dataclasses import replace

    from stagecore.core.pipeline import lock_data
    from stagecore.files.gitignore import add_entry

    stage.deps = current_deps(repo, stage)
    _check_outs_exist(repo, stage)
    saved = []
    for out in stage.outs:
        path = stage.out_path(out)
        if no_commit:  # hashed as if uncached, then the entry keeps its own `cache`
            entry = replace(outs_ops.save(repo, path, replace(out, cache=False)), cache=out.cache)
        else:
            entry = outs_ops.save(repo, path, out)
        if entry.hash is not None and not entry.hash.isdir and entry.meta.size == 0:
            notify(ReproEvent("empty", stage, path))
        saved.append(entry)
    stage.outs = saved
    touched: list[str] = []
    if stage.name is not None:
        from stagecore.files.pipefile import update_lock

        if run_cache:
            runcache.save(repo, stage, lock_data(stage, params))
        written = update_lock(repo, stage, params)
        notify(ReproEvent("lock", stage, written))
        if written.changed:
            touched.append(written.relpath)
    else:
        from stagecore.files.dvcfile import write_dvcfile
        from stagecore.ops.import_sync import write_import_dvcfile

        if run_cache and stage.cmd is not None:
            runcache.save(repo, stage, lock_data(stage, params))
        if (write_import_dvcfile(repo.root, stage) if stage.is_import
                else write_dvcfile(repo.root, stage, drop_md5=stage.cmd is None)):
            notify(ReproEvent("dvcfile", stage, stage.dvcfile))
            touched.append(stage.dvcfile)
    for out in stage.outs:
        if out.cache:
            gi = add_entry(repo.root, stage.out_path(out), repo.scm)
            if gi:
                touched.append(gi)
    return touched


def _check_outs_exist(repo, stage: Stage) -> None:
    """Every declared output must exist before any is saved: a stage that left one missing
    failed, and (as DVC) none of its outputs goes into the cache."""
    for out in stage.outs:
        path = stage.out_path(out)
        if not os.path.exists(os.path.join(repo.root, path)):
            from stagecore.errors import CacheError
            from stagecore.ops.failed import remember

            remember(repo, stage)  # what it did write is not data to save into the cache later
            raise CacheError(f"output '{path}' does not exist",
                             hint="run the stage, or remove the output from it")


def remove_outs(repo, stage: Stage, notify: Notify = _quiet) -> None:
    """Delete the non-persist outputs before a run; content not in the cache is saved first."""
    for out in stage.outs:
        path = stage.out_path(out)
        full = os.path.join(repo.root, path)
        if not os.path.lexists(full):
            continue
        if out.cache:
            measured = outs_ops.measure_for(repo, path, out)
            from stagecore.ops.failed import is_failed_output

            if (measured is not None and not outs_ops.in_cache(repo, measured.hash)
                    and not is_failed_output(repo, path, measured.hash.value)):
                runcache.store_copy(repo, path, measured)
                notify(ReproEvent("stashed", stage, (path, measured.hash.value)))
        if out.persist:
            from stagecore.storage.fsguard import write_target

            write_target(repo.root, path, repo.cache_dir, isdir=False)  # no symlinked parent leading out
            _unprotect(full)
        else:
            outs_ops.delete(repo, path)  # the link itself, never through a symlinked parent


def _unprotect(full: str) -> None:
    """Turn a link into the cache into a private writable copy (persist outputs get edited)."""
    if os.path.isdir(full) and not os.path.islink(full):
        for dirpath, _dirs, files in os.walk(full):
            for name in files:
                _unprotect(os.path.join(dirpath, name))
        return
    st = os.lstat(full)
    if os.path.islink(full) or st.st_nlink > 1 or not st.st_mode & 0o200:
        from stagecore.storage.fsutil import tmp_path
        from stagecore.storage.odb import copy_file

        tmp = tmp_path(full)  # the one temp scheme: short, recognised, swept; created O_EXCL
        try:
            copy_file(full, tmp, 0o644)
            os.chmod(tmp, 0o644)
            os.replace(tmp, full)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise


def _commands(cmd: Any) -> list[str]:
    return list(cmd) if isinstance(cmd, list) else str(cmd).splitlines()


def run_command(repo, stage: Stage, *, dry: bool = False, notify: Notify = _quiet) -> None:
    """Run each line of `cmd` through the user's shell in the stage's wdir."""
    notify(ReproEvent("run", stage))
    cwd = os.path.join(repo.root, stage.wdir)
    if not dry and not os.path.isdir(cwd):
        raise StageError(f"stage working dir '{stage.wdir}' does not exist", hint="create it or fix `wdir`")
    executable = os.environ.get("SHELL") or "/bin/sh"
    shells = {"zsh": ["--no-rcs"], "bash": ["--noprofile", "--norc"]}
    opts = shells.get(os.path.basename(executable).lower(), [])
    env = dict(os.environ)
    env.setdefault("DVC_ROOT", repo.root)
    env["DVC_STAGE"] = stage.addressing
    for line in _commands(stage.cmd):
        notify(ReproEvent("cmd", stage, line))
        if dry:
            continue
        from stagecore.ops.repolock import released

        with released(repo):
            try:
                proc = subprocess.Popen([executable, *opts, "-c", line], cwd=cwd, env=env, close_fds=True)
            except OSError as exc:
                raise StageError(f"failed to run: {line}: {exc}") from None
            code = _wait(proc)
        if code != 0:
            from stagecore.ops.failed import remember

            remember(repo, stage)  # what it wrote is not data to save into the cache later
            raise StageError(f"failed to run: {line}, exited with {code}",
                             hint="fix the command or its inputs, then run `stagecore repro` again")


def _wait(proc: subprocess.Popen) -> int:
    """Wait for the command; Ctrl-C reaches it (same process group) but not us meanwhile."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        return proc.wait()
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, old)
