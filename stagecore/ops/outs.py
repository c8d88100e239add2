"""What every operation does to one output: measure it, save it to the cache, check it out.

`path` arguments are repo-relative posix paths. Checkout never destroys content that is
not in the cache: a modified file is kept (and reported) unless forced, and when forced
its content is saved into the cache first, so it can always be recovered by hash.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from stagecore.core.entry import Entry
from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo, Meta
from stagecore.errors import CacheError
from stagecore.state import stamp_of
from stagecore.workspace import Measured


def measure_for(repo, path: str, entry: Entry) -> Measured | None:
    """Measure with the entry's own algorithm (legacy entries stay legacy while unchanged)."""
    name = entry.hash.name if entry.hash is not None else MD5
    return repo.workspace.measure(path, name)


def out_status(repo, path: str, entry: Entry) -> str | None:
    """DVC's words for an output: 'not in cache', 'deleted', 'modified' or None."""
    measured = measure_for(repo, path, entry)
    if entry.hash is not None and entry.cache and not in_cache(repo, entry.hash):
        return "not in cache"
    if measured is None:
        return "deleted"
    if entry.hash is None or measured.hash != entry.hash:
        return "modified"
    return None


def in_cache(repo, hi: HashInfo) -> bool:
    if not repo.odb.exists(hi):
        return False
    if hi.isdir:
        try:
            files = repo.odb.manifest(hi)
        except CacheError:
            return False
        return not repo.odb.missing_values(hi.name, files.values())
    return True


def save(repo, path: str, entry: Entry) -> Entry:
    """Hash `path` and (for cached outputs) store it in the cache; the updated entry."""
    measured = measure_for(repo, path, entry)
    if measured is None:
        raise CacheError(f"output '{path}' does not exist", hint="run the stage, or remove the output from it")
    if entry.hash is not None and entry.hash.name == MD5_D2U and measured.hash != entry.hash:
        measured = repo.workspace.measure(path, MD5)  # a changed legacy entry is upgraded
        assert measured is not None
    if entry.cache:
        commit_measured(repo, path, measured)
    return entry.with_hash(measured.hash, measured.meta)


def commit_measured(repo, path: str, measured: Measured) -> None:
    odb = repo.odb
    full = os.path.join(repo.root, path)
    if measured.files is None:
        odb.add_file(full, measured.hash)
    else:
        if len(measured.files) > 64:
            odb.preload(measured.hash.name, measured.files.values())
        for rel, md5 in measured.files.items():
            odb.add_file(os.path.join(full, rel), HashInfo(measured.hash.name, md5))
        assert measured.manifest is not None
        odb.add_bytes(measured.manifest, measured.hash)
    if odb.link_types[0] in ("hardlink", "symlink"):
        checkout(repo, path, measured.hash, measured.meta, relink=True)


@dataclass
class CheckoutOutcome:
    change: str | None = None  # "A" added, "M" modified, "D" deleted, None unchanged
    missing: list[str] = field(default_factory=list)  # objects not in the cache (paths)
    kept: list[str] = field(default_factory=list)  # modified workspace files left in place
    stashed: list[tuple[str, str]] = field(default_factory=list)  # (path, md5) saved before replacing


def checkout(repo, path: str, hi: HashInfo | None, meta: Meta, *, force: bool = False,
             relink: bool = False) -> CheckoutOutcome:
    result = CheckoutOutcome()
    _refuse_escape(repo, path)
    if hi is None:
        result.missing.append(path)
        return result
    if hi.isdir:
        _checkout_dir(repo, path, hi, force, relink, result)
    else:
        _checkout_file(repo, path, hi, meta, force, relink, result)
    return result


def _refuse_escape(repo, path: str) -> None:
    """An output whose parent directory is a symlink leading out of the repository is refused."""
    from stagecore.errors import PathOutsideRepoError

    root = os.path.realpath(repo.root)
    parent = os.path.realpath(os.path.dirname(os.path.join(repo.root, path)))
    if parent != root and not parent.startswith(root + os.sep):
        raise PathOutsideRepoError(path, repo.root)


def _stash(repo, rel: str, name: str, result: CheckoutOutcome) -> bool:
    """Save a workspace file into the cache before it is replaced; False if that failed."""
    measured = repo.workspace.measure(rel, name)
    if measured is None or measured.files is not None:
        return measured is None
    if not repo.odb.exists(measured.hash):
        repo.odb.add_file(os.path.join(repo.root, rel), measured.hash)
        result.stashed.append((rel, measured.hash.value))
    return True


def _checkout_file(repo, path, hi, meta, force, relink, result) -> None:
    full = os.path.join(repo.root, path)
    if not repo.odb.exists(hi):
        result.missing.append(path)
        return
    current = repo.workspace.measure(path, hi.name) if os.path.lexists(full) else None
    if current is not None and current.hash == hi and not relink:
        return
    if current is not None and current.files is not None:
        if not force:
            result.kept.append(path)
            return
        _remove_tree(repo, path, hi.name, result)
    elif current is not None and current.hash != hi and not repo.odb.exists(current.hash):
        if not force:
            result.kept.append(path)
            return
        _stash(repo, path, hi.name, result)
    os.makedirs(os.path.dirname(full) or repo.root, exist_ok=True)
    repo.odb.link(hi, full, isexec=meta.isexec)
    _remember(repo, path, hi)
    result.change = "A" if current is None else ("M" if current.hash != hi else None)


def _remember(repo, rel: str, hi: HashInfo) -> None:
    try:
        st = os.stat(os.path.join(repo.root, rel))
    except OSError:
        return
    repo.state.put(rel, hi.name, stamp_of(st), hi.value)


def _checkout_dir(repo, path, hi, force, relink, result) -> None:
    odb = repo.odb
    try:
        target = odb.manifest(hi)
    except CacheError:
        result.missing.append(path)
        return
    full = os.path.join(repo.root, path)
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
        os.unlink(full)
        existed = False
    measured = repo.workspace.measure(path, hi.name) if existed else None
    current = dict(measured.files or {}) if measured is not None else {}
    snap = dict(repo.state.get_dir(path, hi.name))
    changed = removed = False
    for rel, md5 in current.items():  # files the new version does not have
        if rel in target:
            continue
        if not odb.has(HashInfo(hi.name, md5)):
            if not force:
                result.kept.append(f"{path}/{rel}")
                continue
            _stash(repo, f"{path}/{rel}", hi.name, result)
        os.unlink(os.path.join(full, rel))
        snap.pop(rel, None)
        changed = removed = True
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
    made: set[str] = set()
    for rel, obj in todo:
        dest = os.path.join(full, rel)
        parent = os.path.dirname(dest)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        odb.link(obj, dest)
        st = os.stat(dest)
        snap[rel] = ((st.st_ino, st.st_mtime_ns, st.st_size), obj.value)
    changed = changed or bool(todo)
    if not result.kept:  # the directory now is exactly `hi`: the next status reads it from here
        snap[""] = (None, hi.value)
    else:
        snap.pop("", None)
    repo.state.put_dir(path, hi.name, snap)
    os.makedirs(full, exist_ok=True)
    if removed:
        _prune_empty_dirs(full)
    if not existed:
        result.change = "A"
    elif changed:
        result.change = "M"


def _remove_tree(repo, path: str, name: str, result: CheckoutOutcome) -> None:
    for rel, _st in repo.workspace.walk(path):
        _stash(repo, rel, name, result)
    import shutil

    shutil.rmtree(os.path.join(repo.root, path))


def _prune_empty_dirs(top: str) -> None:
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        if dirpath != top and not dirnames and not filenames:
            try:
                os.rmdir(dirpath)
            except OSError:
                pass
