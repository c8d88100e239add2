"""Getting a stage's outputs without running it: from the cache (its lock or the run cache),
or with `repro --pull` from the default remote."""

from __future__ import annotations

import os

from stagecore.core.hashinfo import Meta
from stagecore.core.stage import Stage
from stagecore.errors import StagecoreError, StageError
from stagecore.ops import outs as outs_ops
from stagecore.ops import runcache
from stagecore.ops.stage_deps import Notify, ReproEvent, current_deps


def only_missing_outs(items: list) -> bool:
    return all(
        isinstance(item, dict) and list(item) == ["changed outs"]
        and all(v in ("deleted", "not in cache") for v in item["changed outs"].values())
        for item in items
    )


def pull_outs(repo, stage: Stage, targets: list) -> bool:
    """Fetch the objects of `targets` [(path, hash)] from the default remote, check them out."""
    from stagecore.ops.transfer import fetch
    from stagecore.ops.used import Ref

    refs = [Ref(hi, path) for path, hi in targets if hi is not None]
    if len(refs) != len(targets):
        return False
    try:
        fetch(repo, refs)
    except StagecoreError:
        return False
    if not all(outs_ops.in_cache(repo, hi) for _path, hi in targets):
        return False
    for path, hi in targets:
        outs_ops.checkout(repo, path, hi, Meta(), force=True)
    return True


def restore(repo, stage: Stage, params: dict, dry: bool, run_cache: bool, notify: Notify,
             pull: bool = False) -> bool:
    """Check the outputs out of the cache instead of running; False when that is not possible."""
    from stagecore.core.pipeline import lock_data
    from stagecore.files.params import params_status

    if not runcache.can_cache(stage):
        return False
    lock = stage.lock if stage.name is not None else _dvcfile_lock(stage)
    deps_same = all(
        (m := outs_ops.measure_for(repo, stage.dep_path(d), d)) is not None and m.hash == d.hash
        for d in stage.deps
    ) and not params_status(repo, stage)
    entry = None
    if lock and lock.get("cmd") == stage.cmd and deps_same and all(o.hash for o in stage.outs):
        entry = lock
    elif run_cache:
        try:
            current = Stage(stage.dvcfile, stage.name, stage.cmd, stage.wdir, current_deps(repo, stage), stage.outs)
        except StageError:
            return False
        entry = runcache.lookup(repo, runcache.entry_key(lock_data(current, params)), wdir=stage.wdir,
                                warn=lambda why: notify(ReproEvent("warn", stage, why)))
    if not entry:
        return False
    by_path = {item.get("path"): item for item in entry.get("outs") or [] if isinstance(item, dict)}
    targets = []
    for out in stage.outs:
        hi = runcache.hash_of(by_path.get(out.path) or {})
        if hi is None:
            return False
        targets.append((out, hi))
    absent = [(stage.out_path(o), hi) for o, hi in targets if not outs_ops.in_cache(repo, hi)]
    if absent and not (pull and not dry and _fetch_only(repo, absent)):
        return False
    notify(ReproEvent("cached", stage))
    if dry:
        return True
    for out, hi in targets:
        path = stage.out_path(out)
        if out.cache:
            outs_ops.checkout(repo, path, hi, Meta(), force=True)
        else:
            _copy_out(repo, path, hi)
    return True


def _fetch_only(repo, targets: list) -> bool:
    from stagecore.ops.transfer import fetch
    from stagecore.ops.used import Ref

    try:
        fetch(repo, [Ref(hi, path) for path, hi in targets])
    except StagecoreError:
        return False
    return all(outs_ops.in_cache(repo, hi) for _path, hi in targets)


def _dvcfile_lock(stage: Stage) -> dict | None:
    if stage.md5 is None and not stage.raw.get("cmd"):
        return None
    from stagecore.core.entry import lock_entry

    return {"cmd": stage.cmd, "outs": [lock_entry(o) for o in stage.outs]}


def _copy_out(repo, path: str, hi) -> None:
    """An uncached output restored as a plain copy (it is tracked by git, not linked)."""
    from stagecore.storage.fsguard import write_target
    from stagecore.storage.fsutil import atomic_write_bytes
    from stagecore.storage.objtrust import ensure_trusted

    if hi.isdir:
        outs_ops.checkout(repo, path, hi, Meta(), force=True)
        return
    full = os.path.join(repo.root, write_target(repo.root, path, repo.cache_dir, isdir=False))
    ensure_trusted(repo, hi)
    with open(repo.odb.path_of(hi), "rb") as fobj:
        data = fobj.read()
    os.makedirs(os.path.dirname(full) or repo.root, exist_ok=True)
    atomic_write_bytes(full, data)
    os.chmod(full, 0o644)
