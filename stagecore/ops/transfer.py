"""push / fetch / pull / status -c: move cache objects between the cache and a data remote.

Only what the other side lacks travels. Uploads send files before the `.dir` manifests
that list them, so a manifest on a remote means its files are there. Downloads are hashed
before they enter the cache: a wrong or corrupt remote object is reported, never used.

Longer than ~300 lines: push, fetch and status -c share one plan (what the other side lacks,
manifests after their files, verified downloads) and one worker pool; the plan is the module.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import NamedTuple

from stagecore.core.hashinfo import MD5_D2U, HashInfo
from stagecore.errors import RemoteError, StagecoreError
from stagecore.ops.used import Ref, expand
from stagecore.storage.fsutil import DiskError, raise_disk_error
from stagecore.storage.hashing import bytes_md5, file_md5
from stagecore.storage.odb import object_relpath, tmp_name

Progress = Callable[[int, int], None]
_LOCAL_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)  # never a remote read's


class TransferResult(NamedTuple):
    transferred: list[HashInfo]
    failed: dict[HashInfo, str]  # object -> reason (network error, corrupt on the remote)
    missing: dict[HashInfo, str]  # object -> path: neither in the cache nor on the remote
    remote: str  # the remote (the first one, when outputs name their own `remote:`)
    remote_of: dict[HashInfo, str] | None = None  # missing/failed object -> the remote it was sought on


def _merge(results: list[TransferResult], default: str) -> TransferResult:
    done: list[HashInfo] = []
    failed: dict[HashInfo, str] = {}
    missing: dict[HashInfo, str] = {}
    where: dict[HashInfo, str] = {}
    for res in results:
        done += res.transferred
        failed.update(res.failed)
        missing.update(res.missing)
        where.update({hi: res.remote for hi in (*res.failed, *res.missing)})
    return TransferResult(done, failed, missing, results[0].remote if results else default, where)


def by_remote(repo, refs: list[Ref], remote: str | None, command: str = "push", *,
              filtered: bool = True) -> dict[str, list[Ref]]:
    """{remote name: refs}: an output's own `remote:` wins; the others go to `remote` (-r) or the
    default. As DVC does, `-r NAME` (with `filtered`) leaves out the outputs naming another remote.
    Without refs, the -r/default remote is still resolved (no remote is an error, as in DVC)."""
    groups: dict[str, list[Ref]] = {}
    default: str | None = None
    for ref in refs:
        if ref.remote:
            if remote and filtered and ref.remote != remote:
                continue
            name = remote_name(repo, ref.remote, command)
        else:
            default = default or remote_name(repo, remote, command)
            name = default
        groups.setdefault(name, []).append(ref)
    if not groups:
        groups[remote_name(repo, remote, command)] = []
    return groups


def remote_name(repo, name: str | None, command: str = "push") -> str:
    conf = repo.conf
    name = name or conf.get("core", {}).get("remote")
    if not name:
        raise RemoteError(
            f"no remote specified in {repo.root}",
            hint=(f"set a default with `stagecore remote default {sorted(conf['remote'])[0]}` or use "
                  f"`stagecore {command} -r {sorted(conf['remote'])[0]}`") if conf.get("remote")
            else "add one with `stagecore remote add -d NAME URL`",
        )
    if name not in conf.get("remote", {}):
        raise RemoteError(f"remote '{name}' doesn't exist", hint="list them with `stagecore remote list`")
    return name


def open_data_remote(repo, name: str | None, command: str = "push"):
    from stagecore.remotes import open_remote
    from stagecore.remotes.config import remote_section

    name = remote_name(repo, name, command)
    # paths in the section are made absolute against the config file that set them
    return open_remote(name, remote_section(repo.config, name), repo.dvc_dir)


def _order(objs: Iterable[HashInfo]) -> list[HashInfo]:
    return sorted(objs, key=lambda hi: (hi.isdir, hi.value))


def _upload(repo, rem, todo: list[HashInfo], keys: dict[HashInfo, str], missing: dict[HashInfo, str],
            jobs: int, progress: Progress | None) -> tuple[list[HashInfo], dict[HashInfo, str]]:
    """Files first, then each `.dir` manifest only once every file it lists is confirmed on the
    remote (uploaded now or already there): a manifest on a remote means its files are there.
    A corrupt cache object (objtrust) is never uploaded; it fails like an upload error."""
    from stagecore.errors import CacheError
    from stagecore.storage.objtrust import ensure_trusted
    from stagecore.ui.progress import tick_file

    def send(hi: HashInfo) -> None:
        ensure_trusted(repo, hi)
        rem.upload(repo.odb.path_of(hi), keys[hi])
        tick_file("transfer", repo.odb.path_of(hi))  # the bytes on push's bar, when one is open

    files = [hi for hi in todo if not hi.isdir]

    def step(n: int, _total: int) -> None:
        if progress:
            progress(n + offset, len(todo))

    offset = 0
    done, failed = _run(jobs, send, files, step)
    ready = []
    for hi in (hi for hi in todo if hi.isdir):
        try:
            listed = {HashInfo(hi.name, md5) for md5 in repo.odb.manifest(hi).values()}
        except CacheError as exc:
            failed[hi] = str(exc)
            continue
        absent = sorted(obj.value for obj in listed if obj in failed or obj in missing)
        if absent:
            failed[hi] = (f"manifest not uploaded: {len(absent)} of its files did not reach the remote "
                          f"(first: {absent[0]})")
        else:
            ready.append(hi)
    offset = len(files)
    got, bad = _run(jobs, send, ready, step)
    failed.update(bad)
    return done + got, failed


def _run(jobs: int, work: Callable[[HashInfo], None], objs: list[HashInfo],
         progress: Progress | None) -> tuple[list[HashInfo], dict[HashInfo, str]]:
    done: list[HashInfo] = []
    failed: dict[HashInfo, str] = {}
    if not objs:
        return done, failed
    files = [o for o in objs if not o.isdir]
    dirs = [o for o in objs if o.isdir]
    if jobs <= 1:  # no pool: one job is the fastest for a local disk
        for hi in files + dirs:  # manifests only after every file they list
            try:
                work(hi)
                done.append(hi)
            except DiskError:
                raise  # the local disk refuses writes: every next object would fail the same way
            except (OSError, StagecoreError) as exc:
                failed[hi] = str(exc) or type(exc).__name__
            if progress:
                progress(len(done) + len(failed), len(objs))
        return done, failed
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for batch in (files, dirs):  # manifests only after every file they list
            futures = {pool.submit(work, hi): hi for hi in batch}
            for fut in as_completed(futures):
                hi = futures[fut]
                error = fut.exception()
                if isinstance(error, DiskError):  # stop: queued objects are not tried, running ones end
                    for other in futures:
                        other.cancel()
                    raise error
                if error is None:
                    done.append(hi)
                else:
                    failed[hi] = str(error) or type(error).__name__
                if progress:
                    progress(len(done) + len(failed), len(objs))
    return done, failed


def push(repo, refs: list[Ref], *, remote: str | None = None, jobs: int | None = None,
         progress: Progress | None = None, filter_remote: bool = False) -> TransferResult:
    """Upload what each remote lacks: an output's own `remote:` wins over `remote`; with
    `filter_remote` (the CLI's `-r`, as DVC) such outputs are left out instead."""
    from stagecore.ops.repolock import locked

    groups = by_remote(repo, refs, remote, "push", filtered=filter_remote)
    running = _Running(progress)
    with locked(repo):
        results = [_push(repo, group, name, jobs, running.next()) for name, group in groups.items()]
    return _merge(results, remote or "")


class _Running:
    """One running count over the remotes' transfers: each starts where the last one ended."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.base = self.last = 0

    def next(self) -> Progress | None:
        self.base += self.last
        self.last = 0
        return self._step if self.progress else None

    def _step(self, done: int, total: int) -> None:
        self.last = done
        if self.progress:
            self.progress(self.base + done, self.base + total)


def _push(repo, refs: list[Ref], remote: str | None, jobs: int | None,
          progress: Progress | None) -> TransferResult:
    from stagecore.ops.repolock import recovering

    used = expand(repo.odb, refs)
    with open_data_remote(repo, remote, "push") as rem:
        if recovering(repo) and hasattr(rem, "sweep_tmp"):
            rem.sweep_tmp()  # a push was killed: its unfinished uploads (this machine's) go
        objs = _order(used.objects)
        keys = {hi: object_relpath(hi) for hi in objs}
        on_remote = rem.exists_many(list(keys.values()))
        todo, missing = [], {}
        repo.odb.preload_many(objs)
        for hi in objs:
            if keys[hi] in on_remote:
                continue
            if repo.odb.has(hi):
                todo.append(hi)
            else:
                missing[hi] = used.objects[hi]
        for hi, path in used.unexpanded.items():  # a manifest we cannot read: its files are unknown
            if keys[hi] not in on_remote:
                missing[hi] = path
        todo = [hi for hi in todo if hi not in missing]
        done, failed = _upload(repo, rem, todo, keys, missing, jobs or rem.jobs, progress)
        return TransferResult(done, failed, missing, rem.name)


def _verify(path: str, hi: HashInfo) -> bool:
    if hi.isdir:
        with open(path, "rb") as fobj:
            return bytes_md5(fobj.read()) + ".dir" == hi.value
    return file_md5(path, hi.name) == hi.value or (hi.name == MD5_D2U and file_md5(path) == hi.value)


def _download(repo, rem, hi: HashInfo) -> None:
    dest = repo.odb.path_of(hi)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = tmp_name(dest)
    try:
        rem.download(object_relpath(hi), tmp)
        if not _verify(tmp, hi):
            raise RemoteError(f"object '{object_relpath(hi)}' on remote '{rem.name}' is corrupt "
                              "(its content does not match its name)")
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
        from stagecore.ui.progress import tick_file

        tick_file("transfer", dest)  # the bytes on fetch's bar, when one is open
    except OSError as exc:  # a backend's local write (s3, ssh) that the local disk refused
        if exc.errno in _LOCAL_DISK_ERRNOS:
            raise_disk_error(exc, os.path.dirname(dest), "writing into")
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def fetch(repo, refs: list[Ref], *, remote: str | None = None, jobs: int | None = None,
          progress: Progress | None = None, filter_remote: bool = False, command: str = "fetch",
          within: set[str] | None = None) -> TransferResult:
    """`within` (repo paths: outputs or paths inside tracked directories): only the objects
    of those parts, and the `.dir` manifests leading to them, as DVC fetches `data/file`."""
    from stagecore.ops.repolock import locked

    groups = by_remote(repo, refs, remote, command, filtered=filter_remote)
    running = _Running(progress)
    with locked(repo):
        results = [_fetch(repo, group, name, jobs, running.next(), within) for name, group in groups.items()]
    return _merge(results, remote or "")


def _within(path: str, within: set[str]) -> bool:
    return any(path == w or path.startswith(w + "/") or w.startswith(path + "/") for w in within)


def _fetch(repo, refs: list[Ref], remote: str | None, jobs: int | None,
           progress: Progress | None, within: set[str] | None = None) -> TransferResult:
    used = expand(repo.odb, refs)
    with open_data_remote(repo, remote, "fetch") as rem:
        njobs = jobs or rem.jobs
        done: list[HashInfo] = []
        failed: dict[HashInfo, str] = {}
        missing: dict[HashInfo, str] = {}
        if used.unexpanded:  # first the manifests, then what they list
            got, bad = _get(repo, rem, dict(used.unexpanded), njobs, None)
            own = {ref.hash for ref in refs if ref.remote}  # DVC does not count the manifest of an
            done += [hi for hi in got if hi not in own]  # output naming its remote (read while collecting)
            failed.update(bad)
            used = expand(repo.odb, refs)
        if within is not None:
            used = used._replace(objects={hi: p for hi, p in used.objects.items() if _within(p, within)})
        got, bad = _get(repo, rem, used.objects, njobs, progress)
        done += got
        failed.update(bad)
        for hi, reason in list(failed.items()):
            if reason == "absent":
                missing[hi] = used.objects.get(hi, hi.value)
                del failed[hi]
        return TransferResult(done, failed, missing, rem.name)


def _get(repo, rem, objects: dict[HashInfo, str], jobs: int, progress: Progress | None):
    repo.odb.preload_many(objects)
    need = [hi for hi in _order(objects) if not repo.odb.has(hi)]
    if not need:
        return [], {}
    present = rem.exists_many([object_relpath(hi) for hi in need])
    absent = {hi: "absent" for hi in need if object_relpath(hi) not in present}
    need = [hi for hi in need if hi not in absent]
    done, failed = _run(jobs, lambda hi: _download(repo, rem, hi), need, progress)
    for hi in done:
        repo.odb._added(hi)
    failed.update(absent)
    return done, failed


class CloudStatus(NamedTuple):
    entries: dict[str, str]  # path -> deleted | new | missing, in DVC's order (by status, then path)
    remote: str
    lost: list[HashInfo] = []  # `.dir` manifests neither in the cache nor on the remote: not listed


def cloud_status(repo, refs: list[Ref], *, remote: str | None = None) -> CloudStatus:
    """As DVC 3.67.1: outputs that name their own `remote:` are left out of `status -c`."""
    refs = [ref for ref in refs if not ref.remote]
    used = expand(repo.odb, refs)
    with open_data_remote(repo, remote, "status") as rem:
        if used.unexpanded:  # as DVC, a manifest only the remote has is fetched (verified) to list its files
            from stagecore.ops.repolock import locked

            with locked(repo):
                _get(repo, rem, dict(used.unexpanded), rem.jobs, None)
            used = expand(repo.odb, refs)
        keys = {hi: object_relpath(hi) for hi in used.objects}
        on_remote = rem.exists_many(list(keys.values()))
        repo.odb.preload_many(used.objects)
        found = {}
        lost = []
        for hi, path in used.objects.items():
            local = repo.odb.has(hi)
            remote_has = keys[hi] in on_remote
            if local and not remote_has:
                found[path] = "new"
            elif remote_has and not local:
                found[path] = "deleted"
            elif not local and not remote_has:
                if hi in used.unexpanded:  # DVC cannot collect that output: it warns, lists nothing
                    lost.append(hi)
                else:
                    found[path] = "missing"
        order = {"deleted": 0, "new": 1, "missing": 2}
        entries = dict(sorted(found.items(), key=lambda kv: (order[kv[1]], kv[0])))
        return CloudStatus(entries, rem.name, sorted(lost, key=lambda hi: hi.value))
