"""Dependencies outside this machine, checked as `dvc status` checks them: s3/ssh/remote:// URLs
through the remote backends (ops/url_sources.py), an http(s) URL by the checksum DVC records (fsspec's HTTP `info`: ETag, Content-MD5, else a token of the HEAD answer), an
import from a git repository by whether its revision moved (`git ls-remote`). Never used by the hooks.
"""

from __future__ import annotations

import os
from typing import Any

from stagecore.errors import StageError

FETCH_TIMEOUT = 60  # seconds without an answer before a check gives up


def url_info(url: str) -> dict[str, Any]:
    """What DVC records of an http(s) source (fsspec's HTTP `info`): `checksum` (the ETag or
    Content-MD5, else fsspec's token of the HEAD answer, as a decimal string) and `size`.
    A HEAD request, then a GET whose body is not read when HEAD gives no size.
    Raises FileNotFoundError when neither answers."""
    import http.client
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
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            if method == "GET":
                reason = getattr(exc, "reason", None) or exc
                raise StageError(
                    f"cannot reach '{url}': {reason}", hint="check the URL and the network, then try again"
                ) from None
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
    from stagecore.ops import url_sources

    if url_sources.handles(dep.path):  # s3 / ssh / remote://: etag or md5 through the remote backend
        status = url_sources.changed(repo, dep)
        return (dep.path, status) if status else None
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
    try:
        proc = subprocess.run(
            ["git", *_GIT_OPTS, "ls-remote", "--", where, name, f"{name}^{{}}"],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=_git_env(),
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=FETCH_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise StageError(
            f"cannot check '{url}' for updates: no answer in {FETCH_TIMEOUT} s",
            hint="check the repository URL and the network",
        ) from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["git ls-remote failed"])[0].removeprefix("fatal: ")
        raise StageError(
            f"cannot check '{url}' for updates: {detail}", hint="check the repository URL and your access"
        )
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        found[ref] = sha
    for ref in (name, f"refs/heads/{name}", f"refs/tags/{name}^{{}}", f"refs/tags/{name}"):
        if ref in found:
            return found[ref]
    return None


def refreshed(dep, repo=None):
    """An http(s), s3 or ssh dependency with the checksum/etag/md5 and size its source has now (what
    `repro` records, as DVC does); any other offline dependency, or an unreachable one, as recorded."""
    from stagecore.core.hashinfo import MD5, HashInfo, Meta
    from stagecore.ops import url_sources

    if repo is not None and "repo" not in dep.extra and url_sources.handles(dep.path):
        return url_sources.refreshed(repo, dep)
    if "repo" in dep.extra or dep.path.split("://", 1)[0].lower() not in ("http", "https"):
        return dep
    try:
        now = url_dep(dep.path)
    except (FileNotFoundError, StageError):
        return dep
    return dep.with_hash(HashInfo(MD5, now["checksum"]), Meta(now.get("size"), None, False))
