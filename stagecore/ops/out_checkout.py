"""Checking one output out of the cache into the workspace (`checkout`, what `outs.checkout`
names), and the two refusals it shares with saving an output: a real place that a symlink leads
outside the work tree (`refuse_escape`), a `.dir` manifest in the cache refused by the gate
(`refused_manifest`).

`path` arguments are repo-relative posix paths. Checkout never destroys content that is
not in the cache: a modified file is kept (and reported) unless forced, and when forced
its content is saved into the cache first, so it can always be recovered by hash.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from stagecore.core.hashinfo import HashInfo, Meta
from stagecore.errors import CacheError
from stagecore.storage.objtrust import ensure_trusted, ensure_trusted_many
from stagecore.storage.state import settled, stamp_of

MANIFEST_HINT = "run `stagecore fsck` to see what is wrong with the cache (`stagecore fsck --repair` to fix it)"


def refused_manifest(repo, path: str, hi: HashInfo | None) -> CacheError | None:
    """For output `path` whose `.dir` manifest is in the cache but refused by the gate
    (`..`/absolute/duplicated relpaths, bad md5 values...): one error naming the output and the
    reason; None when the manifest is fine or simply absent."""
    from stagecore.ops.used import manifest_refusal

    if hi is None or not hi.isdir:
        return None
    refusal = manifest_refusal(repo.odb, hi)
    if refusal is None:
        return None
    return CacheError(f"output '{path}': its directory manifest is refused: {refusal.message}", hint=MANIFEST_HINT)


@dataclass
class CheckoutOutcome:
    change: str | None = None  # "A" added, "M" modified, "D" deleted, None unchanged
    missing: list[str] = field(default_factory=list)  # objects not in the cache (paths)
    kept: list[str] = field(default_factory=list)  # modified workspace files left in place
    stashed: list[tuple[str, str]] = field(default_factory=list)  # (path, md5) saved before replacing
    stats: dict[str, int] = field(default_factory=dict)  # files "added" / "modified" / "deleted", as DVC counts


def checkout(repo, path: str, hi: HashInfo | None, meta: Meta, *, force: bool = False,
             relink: bool = False, part: str | None = None) -> CheckoutOutcome:
    """Bring output `path` to version `hi` (for a directory with `part`, only that relpath inside
    it: a file or a subdirectory). Every write and delete goes through directory fds
    reached without following symlinks (fsguard.DirHandles), after the output's real place was
    checked: a symlink committed into the repository never leads them outside the work tree."""
    from stagecore.ops.link_records import record
    from stagecore.storage.fsguard import DirHandles

    result = CheckoutOutcome()
    real = refuse_escape(repo, path, hi is not None and hi.isdir)
    if hi is None:
        result.missing.append(path)
        return result
    with DirHandles(repo.root) as dirs:
        if hi.isdir:
            _checkout_dir(repo, path, real, hi, force, relink, result, dirs, part)
        else:
            _checkout_file(repo, path, real, hi, meta, force, relink, result, dirs)
    if not result.missing and os.path.lexists(os.path.join(repo.root, path)):
        record(repo, path, hi)  # a later checkout removes it once no dvc file names it
    return result


def refuse_escape(repo, path: str, isdir: bool) -> str:
    """The real (root-relative) place of output `path`; refused when a symlink on the way leads
    outside the work tree, into .git/.dvc or the cache (fsguard.write_target)."""
    from stagecore.storage.fsguard import write_target

    return write_target(repo.root, path, repo.cache_dir, isdir=isdir)


def _open_dir(dirs, reldir: str, path: str) -> int:
    """The fd of the output's own directory `reldir` (created); a symlink swapped in is refused."""
    from stagecore.storage.fsguard import NotFollowed, SymlinkEscapeError

    try:
        fd = dirs.open(reldir, create=True)
    except NotFollowed as exc:
        raise SymlinkEscapeError(
            f"output '{path}': '{exc.where}' is {'a symlink' if exc.is_link else 'not a directory'} "
            "(changed while checking out): refused, nothing written there", exc.where) from None
    assert fd is not None
    return fd


def _stash(repo, rel: str, name: str, result: CheckoutOutcome) -> bool:
    """Save a workspace file into the cache before it is replaced; False if that failed."""
    measured = repo.workspace.measure(rel, name)
    if measured is None or measured.files is not None:
        return measured is None
    if not repo.odb.exists(measured.hash):
        repo.odb.add_file(os.path.join(repo.root, rel), measured.hash)
        result.stashed.append((rel, measured.hash.value))
    return True


def _checkout_file(repo, path, real, hi, meta, force, relink, result, dirs) -> None:
    full = os.path.join(repo.root, path)
    current = repo.workspace.measure(path, hi.name) if os.path.lexists(full) else None
    if current is not None and current.hash == hi and not relink:
        return  # already there: nothing needed from the cache (DVC: no failure either)
    if not repo.odb.exists(hi):
        result.missing.append(path)
        return
    if current is not None and current.files is not None:
        if not force:
            result.kept.append(path)
            return
        _remove_tree(repo, path, real, hi.name, result, dirs)
    elif current is not None and current.hash != hi and not repo.odb.exists(current.hash):
        if not force:
            result.kept.append(path)
            return
        _stash(repo, path, hi.name, result)
    ensure_trusted(repo, hi, meta.size)
    fd = _open_dir(dirs, os.path.dirname(real), path)
    repo.odb.link(hi, os.path.basename(real), isexec=meta.isexec, dir_fd=fd)
    _remember(repo, path, hi)
    result.change = "A" if current is None else ("M" if current.hash != hi else None)
    if result.change:
        result.stats["added" if result.change == "A" else "modified"] = 1


def _remember(repo, rel: str, hi: HashInfo) -> None:
    try:
        st = os.stat(os.path.join(repo.root, rel))
    except OSError:
        return
    repo.state.put(rel, hi.name, stamp_of(st), hi.value)


def _in_part(rel: str, part: str | None) -> bool:
    return part is None or rel == part or rel.startswith(part + "/")


def _checkout_dir(repo, path, real, hi, force, relink, result, dirs, part=None) -> None:
    from stagecore.storage.fsguard import NotFollowed, SymlinkEscapeError

    odb = repo.odb
    ensure_trusted(repo, hi)
    try:
        target = odb.manifest(hi)
    except CacheError:
        refusal = refused_manifest(repo, path, hi)
        if refusal is not None:  # in the cache but refused: say so, not "missing"
            raise refusal from None
        result.missing.append(path)
        return
    full = os.path.join(repo.root, path)
    if part is not None:
        target = {rel: md5 for rel, md5 in target.items() if _in_part(rel, part)}
    if len(target) > 64:
        odb.preload(hi.name, target.values())
    absent = sorted(rel for rel, md5 in target.items() if not odb.has(HashInfo(hi.name, md5)))
    if absent:  # never turn the previous version into a half-updated directory
        result.missing.extend(f"{path}/{rel}" for rel in absent)
        return
    existed = os.path.lexists(full)
    if existed and not os.path.isdir(full):
        cur_file = repo.workspace.measure(path, hi.name)
        if cur_file is not None and not odb.exists(cur_file.hash) and not force:
            result.kept.append(path)
            return
        if cur_file is not None:
            _stash(repo, path, hi.name, result)
        dirs.remove_file(real)  # a file, or a link to one: the link itself, never its target
        existed = False
    measured = repo.workspace.measure(path, hi.name) if existed else None
    current = {rel: md5 for rel, md5 in (measured.files or {}).items() if _in_part(rel, part)} if measured else {}
    stats = result.stats
    snap = dict(repo.state.get_dir(path, hi.name))
    refused: dict[str, tuple[str, bool]] = {}  # file -> (real relpath, is a symlink) of what stopped it
    changed = removed = False
    for rel, md5 in current.items():  # files the new version does not have
        if rel in target:
            continue
        if not odb.has(HashInfo(hi.name, md5)):
            if not force:
                result.kept.append(f"{path}/{rel}")
                continue
            _stash(repo, f"{path}/{rel}", hi.name, result)
        try:
            dirs.remove_file(f"{real}/{rel}")
        except NotFollowed as exc:
            _refused_below(exc, real, path, rel, refused)
            continue
        snap.pop(rel, None)
        changed = removed = True
        stats["deleted"] = stats.get("deleted", 0) + 1
    todo = []
    for rel, md5 in target.items():
        cur = current.get(rel)
        if cur == md5 and not relink:
            continue
        obj = HashInfo(hi.name, md5)
        if cur is not None and cur != md5 and not odb.has(HashInfo(hi.name, cur)):
            if not force:
                result.kept.append(f"{path}/{rel}")
                continue
            _stash(repo, f"{path}/{rel}", hi.name, result)
        todo.append((rel, obj))
    ensure_trusted_many(repo, [obj for _rel, obj in todo])
    from stagecore.ui.progress import expect

    expect("link", len(todo))
    _open_dir(dirs, real, path)
    written = False
    for rel, obj in todo:
        parent, name = os.path.split(rel)
        try:
            fd = dirs.open(f"{real}/{parent}" if parent else real, create=True)
        except NotFollowed as exc:
            _refused_below(exc, real, path, rel, refused)
            continue
        assert fd is not None
        odb.link(obj, name, dir_fd=fd)
        stamp = stamp_of(os.stat(name, dir_fd=fd))  # (inode, ctime, size), as the workspace reads it back
        snap[rel] = (stamp if settled(stamp, time.time_ns()) else None, obj.value)
        if current.get(rel) != obj.value:  # relinked unchanged content is no change, as in DVC
            kind = "added" if rel not in current else "modified"
            stats[kind] = stats.get(kind, 0) + 1
            written = True
    changed = changed or written
    if not result.kept and not refused and part is None:  # the directory now is exactly `hi`: status reads it here
        snap[""] = (None, hi.value)
    else:
        snap.pop("", None)
    repo.state.put_dir(path, hi.name, snap)
    stale = _stale_dirs(full, target, part) if existed else []
    if removed or stale:  # no empty directory left behind, as DVC (which counts each one deleted)
        dirs.prune_empty(real if part is None else f"{real}/{part}")
        gone = [rel for rel in stale if not os.path.isdir(os.path.join(full, rel))]
        stats["deleted"] = stats.get("deleted", 0) + len(gone)
        changed = changed or bool(gone)
    if not existed:
        result.change = "A"
    elif changed:
        result.change = "M"
    if refused:
        first = sorted(refused)[0]
        where, is_link = refused[first]
        link = os.path.join(path, os.path.relpath(where, real)).replace(os.sep, "/")
        what = "the symlink" if is_link else "the file (not a directory)"
        raise SymlinkEscapeError(
            f"output '{path}': {len(refused)} file(s) below {what} '{link}' inside the tracked directory "
            f"(e.g. '{path}/{first}') refused, not written through it; the rest was checked out", link)


def _stale_dirs(full: str, target: dict[str, str], part: str | None) -> list[str]:
    """Directories below `full` (within `part`) that hold no file of the version checked out."""
    keep = {rel.rsplit("/", i)[0] for rel in target for i in range(1, rel.count("/") + 1)}
    stale = []
    for base, subdirs, _files in os.walk(full):
        rel_base = os.path.relpath(base, full)
        for name in subdirs:
            rel = name if rel_base == "." else f"{rel_base}/{name}".replace(os.sep, "/")
            if rel not in keep and _in_part(rel, part) and not os.path.islink(os.path.join(base, name)):
                stale.append(rel)
    return stale


def _refused_below(exc, real: str, path: str, rel: str, refused: dict[str, tuple[str, bool]]) -> None:
    """Record that `rel` of the directory was not touched because of `exc` (a NotFollowed);
    a link at or above the output's own directory (swapped in meanwhile) refuses it all."""
    from stagecore.storage.fsguard import SymlinkEscapeError

    if not exc.where.startswith(real + "/"):
        raise SymlinkEscapeError(
            f"output '{path}': '{exc.where}' became a symlink while checking out: refused", exc.where
        ) from None
    refused[rel] = (exc.where, exc.is_link)


def _remove_tree(repo, path: str, real: str, name: str, result: CheckoutOutcome, dirs) -> None:
    for rel, _st in repo.workspace.walk(path):
        _stash(repo, rel, name, result)
    dirs.remove_tree(real)
