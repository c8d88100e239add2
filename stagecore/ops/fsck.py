"""`fsck`: check that every object of the cache (and of the data remote) matches its name.

Local: every file of both cache layouts (`files/md5/xx/…` and the legacy `xx/…`) is hashed;
a `.dir` manifest must also parse and list only valid relpaths and md5 values. Objects that
pass are recorded as trusted in the state db (checkout then reads them without hashing).

Remote (`-r` or `--remote-only`): every object key on the remote is listed and downloaded into
a temporary directory to be hashed (`jobs` at a time), then the download is deleted: the
whole remote, not only what the workspace references, because a corrupt object anywhere is
one that a later pull of an old revision would refuse.

`repair`: corrupt local objects are removed and fetched again from the data remote when one
is configured (the download is verified before it enters the cache). Corrupt remote objects
are deleted only with `repair` plus `force` and an explicit remote. Files in the shard
directories whose names are not object names are reported, never removed.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo
from stagecore.errors import StagecoreError

Progress = Callable[[int, int], None]
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_REMOTE_KEY = re.compile(r"^(files/md5/)?([0-9a-f]{2})/([0-9a-f]{30}(?:\.dir)?)$")


class Problem(NamedTuple):
    where: str  # "cache", or the remote's name
    path: str  # the local path or the remote key
    reason: str
    hash: HashInfo | None  # None: the name is not an object name


class FsckResult(NamedTuple):
    checked: int  # objects hashed in the cache
    remote_checked: int  # objects hashed from the remote
    problems: list[Problem]
    removed: list[str]  # local paths / remote keys deleted by --repair
    refetched: list[str]  # local objects fetched again from the remote
    unrepaired: list[str]  # problems --repair could not fix (why, one line each)
    remote: str | None


def check_object(path: str, hi: HashInfo) -> str | None:
    """Why the file at `path` is not a valid object `hi`, or None when it is."""
    from stagecore.core.tree import ManifestError, parse_manifest
    from stagecore.storage.objtrust import content_matches

    if os.path.islink(path) or not os.path.isfile(path):
        return "not a regular file"
    try:
        if not content_matches(path, hi):
            return "its content does not match its name"
        if hi.isdir:
            with open(path, "rb") as fobj:
                files = parse_manifest(fobj.read())
            bad = next((rel for rel, md5 in files.items() if not _HEX32.match(md5)), None)
            if bad is not None:
                return f"manifest lists an invalid md5 for '{bad}'"
    except ManifestError as exc:
        return f"manifest {exc}"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    return None


def fsck(repo, *, repair: bool = False, remote: str | None = None, remote_only: bool = False,
         force: bool = False, jobs: int | None = None, progress: Progress | None = None) -> FsckResult:
    problems: list[Problem] = []
    removed: list[str] = []
    refetched: list[str] = []
    unrepaired: list[str] = []
    checked = remote_checked = 0
    if not remote_only:
        checked, local = _check_cache(repo, jobs or 1, progress)
        problems += local
        if repair:
            _repair_cache(repo, local, remote, removed, refetched, unrepaired)
    remote_name = None
    if remote is not None or remote_only:
        from stagecore.ops.transfer import open_data_remote

        with open_data_remote(repo, remote, "fsck") as rem:
            remote_name = rem.name
            remote_checked, found = _check_remote(rem, jobs or rem.jobs, progress)
            problems += found
            if repair:
                _repair_remote(rem, found, force and remote is not None, removed, unrepaired)
    return FsckResult(checked, remote_checked, problems, removed, refetched, unrepaired, remote_name)


# -- the cache ----------------------------------------------------------------------------------
def _check_cache(repo, jobs: int, progress: Progress | None) -> tuple[int, list[Problem]]:
    from stagecore.storage.state import stamp_of

    entries = list(repo.odb.iter_object_paths())
    problems: list[Problem] = []

    def one(item: tuple[HashInfo | None, str]) -> Problem | None:
        hi, path = item
        if hi is None:
            return Problem("cache", path, "not a cache object name", None)
        why = check_object(path, hi)
        if why is not None:
            return Problem("cache", path, why, hi)
        try:
            repo.state.trust_object(os.path.abspath(path), stamp_of(os.stat(path)))
        except OSError:
            pass
        return None

    for n, found in enumerate(_map(one, entries, jobs), 1):
        if found is not None:
            problems.append(found)
        if progress:
            progress(n, len(entries))
    return sum(1 for hi, _ in entries if hi is not None), problems


def _repair_cache(repo, problems: list[Problem], remote: str | None, removed: list[str],
                  refetched: list[str], unrepaired: list[str]) -> None:
    corrupt = [p for p in problems if p.hash is not None]
    for problem in corrupt:
        try:
            if os.path.isdir(problem.path) and not os.path.islink(problem.path):
                unrepaired.append(f"{problem.path}: a directory where an object should be; remove it by hand")
                continue
            os.unlink(problem.path)
        except OSError as exc:
            unrepaired.append(f"{problem.path}: cannot remove it: {exc.strerror}")
            continue
        repo.state.distrust_object(os.path.abspath(problem.path))
        removed.append(problem.path)
    gone = [p for p in corrupt if p.path in removed]
    if not gone:
        return
    if not (remote or repo.conf.get("core", {}).get("remote")):
        unrepaired.extend(f"{p.path}: removed; no data remote is configured to fetch it again" for p in gone)
        return
    from stagecore.ops.transfer import _download, open_data_remote
    from stagecore.remotes import RemoteObjectNotFound

    with open_data_remote(repo, remote, "fsck") as rem:
        for problem in gone:
            assert problem.hash is not None
            try:
                _download(repo, rem, problem.hash)
            except RemoteObjectNotFound:
                unrepaired.append(f"{problem.path}: removed; not on remote '{rem.name}'")
                continue
            except (OSError, StagecoreError) as exc:
                unrepaired.append(f"{problem.path}: removed; could not fetch it again: {exc}")
                continue
            repo.odb.note_verified(problem.hash)
            refetched.append(problem.path)


# -- the remote ---------------------------------------------------------------------------------
def _remote_objects(rem) -> tuple[list[tuple[HashInfo, str]], list[Problem]]:
    objects: list[tuple[HashInfo, str]] = []
    problems: list[Problem] = []
    for key in rem.iter_keys(""):
        if key.startswith("runs/") or "/" not in key:
            continue
        match = _REMOTE_KEY.match(key)
        if match:
            name = MD5 if match.group(1) else MD5_D2U
            objects.append((HashInfo(name, match.group(2) + match.group(3)), key))
        elif key.startswith("files/md5/"):
            problems.append(Problem(rem.name, key, "not an object name", None))
    return objects, problems


def _check_remote(rem, jobs: int, progress: Progress | None) -> tuple[int, list[Problem]]:
    objects, problems = _remote_objects(rem)
    with tempfile.TemporaryDirectory(prefix="stagecore-fsck-") as tmp:

        def one(item: tuple[HashInfo, str]) -> Problem | None:
            hi, key = item
            local = os.path.join(tmp, key.replace("/", "_"))
            try:
                rem.download(key, local)
                why = check_object(local, hi)
            except (OSError, StagecoreError) as exc:
                return Problem(rem.name, key, f"could not be downloaded: {exc}", None)
            finally:
                if os.path.exists(local):
                    os.unlink(local)
            return Problem(rem.name, key, why, hi) if why else None

        for n, found in enumerate(_map(one, objects, jobs), 1):
            if found is not None:
                problems.append(found)
            if progress:
                progress(n, len(objects))
    return len(objects), problems


def _repair_remote(rem, problems: list[Problem], allowed: bool, removed: list[str],
                   unrepaired: list[str]) -> None:
    corrupt = [p for p in problems if p.hash is not None]
    if corrupt and not allowed:
        unrepaired.extend(f"{p.path} on remote '{rem.name}': not deleted (deleting remote objects needs "
                          f"`--repair -r {rem.name} -f`)" for p in corrupt)
        return
    for problem in corrupt:
        try:
            rem.delete(problem.path)
        except StagecoreError as exc:
            unrepaired.append(f"{problem.path} on remote '{rem.name}': {exc}")
            continue
        removed.append(f"{rem.name}:{problem.path}")


def _map(func, items: list, jobs: int):
    if jobs <= 1 or len(items) < 2:
        yield from map(func, items)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(func, items)
