"""External dependencies: absolute paths and URLs (what `dvc import-url` writes).

An absolute path is measured as DVC measures it (md5 of a regular file, `.dir` manifest of
a directory; anything else counts as missing). URLs are never reached by `status` or the
hooks (no network while judging a commit); `repro` of an import stage fetches its source:
local paths and http(s) URLs here, other schemes refused with one clear line.
"""

from __future__ import annotations

import os
import shutil
import stat as statmod
from typing import Any

from stagecore.core.hashinfo import HashInfo, Meta
from stagecore.core.stage import is_offline, is_url
from stagecore.errors import StageError
from stagecore.workspace import Measured

FETCH_TIMEOUT = 60  # seconds without progress before an http import gives up


def outside_path(root: str, path: str) -> str | None:
    """The absolute path of a local dependency outside the repository (absolute, or relative
    and leaving it: DVC names `../x` by its absolute path), None for one inside."""
    if path.startswith("/"):
        return path
    if path == ".." or path.startswith("../"):
        return os.path.normpath(os.path.join(root, path))
    return None


_SPECIAL = ("/proc", "/sys", "/dev")  # kernel files that block or never end (/proc/kmsg, /dev/zero)


def _special(path: str) -> bool:
    real = os.path.realpath(path)
    return any(real == top or real.startswith(top + "/") for top in _SPECIAL)


def measure(path: str, name: str) -> Measured | None:
    """Hash an absolute local path (file or directory; symlinked directories are not entered).

    Paths under /proc, /sys and /dev count as missing: a dvc file from someone else's
    commit must not make status (or the pre-commit hook) block on a kernel file."""
    from stagecore.hashing import file_md5

    if _special(path):
        return None
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    if statmod.S_ISREG(st.st_mode):
        return Measured(HashInfo(name, file_md5(path, name)), Meta(st.st_size, None, bool(st.st_mode & statmod.S_IXUSR)))
    if not statmod.S_ISDIR(st.st_mode):
        return None  # a device or fifo is never hashed (/dev/zero would never end)
    return _measure_dir(path, name)


def _measure_dir(path: str, name: str) -> Measured:
    from stagecore.core.tree import manifest_bytes, manifest_hash
    from stagecore.hashing import file_md5

    tree: dict[str, str] = {}
    size = 0
    for dirpath, dirs, files in os.walk(path):  # os.walk does not follow symlinked directories
        dirs[:] = sorted(d for d in dirs if not _special(os.path.join(dirpath, d)))
        for fname in files:
            full = os.path.join(dirpath, fname)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if os.path.islink(full) and _special(full):
                continue
            if not statmod.S_ISREG(st.st_mode):
                continue
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            tree[rel] = file_md5(full, name)
            size += st.st_size
    data = manifest_bytes(tree)
    return Measured(manifest_hash(data, name), Meta(size, len(tree), False), tree, data)


def fetch(source: str, dest: str) -> None:
    """Put the content of `source` (absolute path or http(s) URL) at `dest` (absolute), atomically."""
    from stagecore.fsutil import tmp_path

    tmp = tmp_path(dest)
    try:
        if is_url(source):
            _download(source, tmp)
        else:
            _copy(source, tmp)
        if os.path.isdir(dest) and not os.path.islink(dest):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        if os.path.isdir(tmp) and not os.path.islink(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.lexists(tmp):
            os.unlink(tmp)


def _copy(source: str, tmp: str) -> None:
    try:
        st = os.stat(source)
    except OSError:
        raise StageError(f"failed to import '{source}': it does not exist",
                         hint="restore the source, or remove the import stage") from None
    if statmod.S_ISDIR(st.st_mode):
        shutil.copytree(source, tmp, symlinks=False)
    elif statmod.S_ISREG(st.st_mode):
        shutil.copyfile(source, tmp)
    else:
        raise StageError(f"failed to import '{source}': not a regular file or directory")


def _download(url: str, tmp: str) -> None:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise StageError(f"failed to import '{url}': importing from {scheme}:// is not supported",
                         hint="import it with DVC, or download it and track it with `stagecore add`")
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as resp, open(tmp, "wb") as fobj:  # noqa: S310
            shutil.copyfileobj(resp, fobj, 1024 * 1024)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StageError(f"failed to import '{url}': {reason}",
                         hint="check the URL and the network, then run `stagecore repro` again") from None


def url_info(url: str) -> dict[str, Any]:
    """What DVC records of an http(s) source (fsspec's HTTP `info`): `checksum` (the ETag or
    Content-MD5, else fsspec's token of the HEAD answer, as a decimal string) and `size`.
    A HEAD request, then a GET whose body is not read when HEAD gives no size.
    Raises FileNotFoundError when neither answers."""
    import urllib.error
    import urllib.request

    info: dict[str, Any] = {"name": url, "size": None}
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"Accept-Encoding": "identity"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310
                info.update(_file_info(resp))
        except urllib.error.HTTPError as exc:  # the server answered: the file is not there
            if method == "GET":
                raise FileNotFoundError(url) from exc
            continue
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if method == "GET":
                reason = getattr(exc, "reason", None) or exc
                raise StageError(f"cannot reach '{url}': {reason}",
                                 hint="check the URL and the network, then try again") from None
            continue
        if info.get("size") is not None:
            break
    info["type"] = "file"
    return info


def _file_info(resp) -> dict[str, Any]:
    headers = resp.headers
    info: dict[str, Any] = {}
    if "Content-Length" in headers and headers.get("Content-Encoding", "identity") in ("identity", ""):
        info["size"] = int(headers["Content-Length"])
    elif "Content-Range" in headers:
        info["size"] = int(headers["Content-Range"].split("/")[1])
    if "Content-Type" in headers:
        info["mimetype"] = headers["Content-Type"].partition(";")[0]
    if headers.get("Accept-Ranges") == "none":
        info["partial"] = False
    info["url"] = resp.geturl()
    for key in ("ETag", "Content-MD5", "Digest", "Last-Modified"):
        if headers.get(key):
            info[key] = headers[key]
    return info


def url_dep(url: str) -> dict[str, Any]:
    """The dep entry DVC writes for an http(s) source: `checksum`, `size`, `hash: md5`, `path`."""
    import hashlib

    info = url_info(url)
    checksum = info.get("ETag") or info.get("Content-MD5")
    if not checksum:  # fsspec's AbstractFileSystem.checksum: int(md5(str((info,))), 16)
        checksum = str(int(hashlib.md5(str((info,)).encode()).hexdigest(), 16))
    dep: dict[str, Any] = {"checksum": checksum}
    if info.get("size") is not None:
        dep["size"] = info["size"]
    dep["hash"] = "md5"
    dep["path"] = url
    return dep


def url_changed(dep_path: str, recorded: dict[str, Any]) -> str | None:
    """`modified` / `deleted` / None for an http(s) dependency, compared by its checksum or etag
    (a HEAD request, as `dvc status` does). Other schemes: None (not checked)."""
    if dep_path.split("://", 1)[0].lower() not in ("http", "https"):
        return None
    try:
        now = url_dep(dep_path)
    except FileNotFoundError:
        return "deleted"
    old = recorded.get("checksum") or recorded.get("etag")
    return None if old is not None and str(old) == now["checksum"] else "modified"


def write_import_dvcfile(root: str, stage) -> bool:
    """Write an import stage's `.dvc` file: its dep and out hashes and, when it has one, the
    top-level `md5` recomputed (as `dvc update`/`repro` do); comments and key order kept.
    A URL or repository dependency keeps its recorded `etag`/`checksum`/`rev_lock`. True if the bytes changed."""
    from stagecore.core.entry import dvcfile_out, hash_fields
    from stagecore.core.stage import dvcfile_md5
    from stagecore.dvcfile import merge_entries
    from stagecore.yamlio import dump_yaml, load_yaml_rt

    path = os.path.join(root, stage.dvcfile)
    with open(path, encoding="utf-8") as fobj:
        old = fobj.read()
    data = load_yaml_rt(old, stage.dvcfile)
    by_path = {d.get("path"): d for d in data.get("deps") or [] if hasattr(d, "get")}
    deps = []
    for dep in stage.deps:
        cur = by_path.get(dep.path)
        if cur is not None and is_offline(dep):
            deps.append(cur)
        else:
            deps.extend(merge_entries([cur] if cur is not None else [], [dep],
                                      lambda e: {**hash_fields(e), "path": e.path}, ()))
    data["deps"] = deps
    data["outs"] = merge_entries(data.get("outs"), stage.outs, dvcfile_out, ("cache", "persist", "push", "remote"))
    if "md5" in data:
        data["md5"] = dvcfile_md5(data)
    text = dump_yaml(data)
    if text == old:
        return False
    from stagecore.fsutil import atomic_write_text

    atomic_write_text(path, text)
    return True


def is_repo_import(stage) -> bool:
    """A `dvc import` stage: its one dependency names a path in another git repository."""
    return bool(stage.is_import and "repo" in stage.deps[0].extra)


def offline_status(repo, dep, base: str = "") -> tuple[str, str] | None:
    """(name, status) of a dependency outside this machine, checked as `dvc status` checks it: an
    http(s) URL by its checksum/etag (HEAD), an import from a repository by whether its revision
    now names another commit than `rev_lock` ("update available", `git ls-remote`). Other schemes
    are not checked. Never called by the hooks (no network while judging a commit). A relative
    repository URL is relative to `base`, the `.dvc` file's directory (repo-relative)."""
    spec = dep.extra.get("repo")
    if isinstance(spec, dict):
        url, lock = spec.get("url"), spec.get("rev_lock")
        if not isinstance(url, str) or not isinstance(lock, str):
            return None
        rev = spec.get("rev") if isinstance(spec.get("rev"), str) else None
        now = remote_commit(url, rev, os.path.join(repo.root, base))
        return (f"{dep.path} ({url})", "update available") if now is not None and now != lock else None
    if dep.hash is None:  # no checksum recorded (a lock written by an older stagecore): nothing to compare
        return None
    status = url_changed(dep.path, {"checksum": dep.hash.value})
    return (dep.path, status) if status else None


def remote_commit(url: str, rev: str | None, cwd: str) -> str | None:
    """The commit `rev` (default HEAD) names in the repository at `url` (`git ls-remote`, no clone);
    None when `rev` is a commit id (pinned) or no ref matches."""
    import subprocess

    from stagecore.ops.source_repo import _GIT_OPTS, _git_env, check_url, local_path

    check_url(url)
    name = rev or "HEAD"
    where = local_path(url, cwd) or url  # git reads a relative path from the work tree's top, not cwd
    proc = subprocess.run(["git", *_GIT_OPTS, "ls-remote", "--", where, name, f"{name}^{{}}"], cwd=cwd,
                          capture_output=True, text=True, env=_git_env(), check=False, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["git ls-remote failed"])[0].removeprefix("fatal: ")
        raise StageError(f"cannot check '{url}' for updates: {detail}",
                         hint="check the repository URL and your access")
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        found[ref] = sha
    for ref in (name, f"refs/heads/{name}", f"refs/tags/{name}^{{}}", f"refs/tags/{name}"):
        if ref in found:
            return found[ref]
    return None
