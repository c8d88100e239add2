"""External dependencies: absolute paths and URLs (what `dvc import-url` writes).

An absolute path is measured as DVC measures it (md5 of a regular file, `.dir` manifest of
a directory; anything else counts as missing). URLs are never reached by the hooks (no
network while judging a commit); the `status` command checks them (ops/urldeps.py); `repro`
of an import stage fetches its source: local paths and http(s) URLs here, s3/ssh/remote://
through ops/url_sources.py, other schemes refused with one clear line.
"""

from __future__ import annotations

import os
import shutil
import stat as statmod

from stagecore.core.hashinfo import HashInfo, Meta
from stagecore.core.stage import is_offline, is_url
from stagecore.errors import StageError
from stagecore.storage.workspace import Measured

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
    from stagecore.storage.hashing import file_md5

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
    from stagecore.storage.hashing import file_md5

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


def fetch(source: str, dest: str, repo=None, fs_config=None) -> None:
    """Put the content of `source` (absolute path, http(s), or with `repo` an s3/ssh/remote:// URL
    read with the dep's `fs_config`) at `dest` (absolute), atomically."""
    from stagecore.ops import url_sources
    from stagecore.storage.fsutil import discard, tmp_path

    tmp = tmp_path(dest)
    try:
        if repo is not None and url_sources.handles(source):
            url_sources.download(repo, source, fs_config, tmp)
        elif is_url(source):
            _download(source, tmp)
        else:
            _copy(source, tmp)
        if os.path.isdir(dest) and not os.path.islink(dest):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        discard(tmp)


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
    import http.client
    import urllib.error
    import urllib.request

    from stagecore.errors import StagecoreError
    from stagecore.ops.import_url import whole_body

    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as resp, open(tmp, "wb") as fobj:  # noqa: S310
            for chunk in whole_body(resp, url):  # a body cut short is refused, not kept
                fobj.write(chunk)
    except StagecoreError as exc:
        raise StageError(exc.message, hint="check the URL and the network, then run `stagecore repro` again") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise StageError(f"failed to import '{url}': {reason}",
                         hint="check the URL and the network, then run `stagecore repro` again") from None


def write_import_dvcfile(root: str, stage) -> bool:
    """Write an import stage's `.dvc` file: its dep and out hashes and, when it has one, the
    top-level `md5` recomputed (as `dvc update`/`repro` do); comments and key order kept.
    A URL or repository dependency keeps its recorded `etag`/`checksum`/`rev_lock`. True if the bytes changed."""
    from stagecore.core.entry import dvcfile_out, hash_fields
    from stagecore.core.stage import dvcfile_md5
    from stagecore.files.dvcfile import merge_entries
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt

    path = os.path.join(root, stage.dvcfile)
    with open(path, encoding="utf-8") as fobj:
        old = fobj.read()
    data = load_yaml_rt(old, stage.dvcfile)
    by_path = {d.get("path"): d for d in data.get("deps") or [] if hasattr(d, "get")}
    deps = []
    for dep in stage.deps:
        cur = by_path.get(dep.path)
        if cur is not None and is_offline(dep) and _refetched(dep):  # s3/ssh: asked again (repro)
            _set_hash_fields(cur, dep)
            deps.append(cur)
        elif cur is not None and is_offline(dep):
            if "repo" not in dep.extra and dep.hash is not None:  # an http(s) source asked again (repro)
                from stagecore.core.entry import hash_key

                cur[hash_key(dep.path)] = dep.hash.value
                if dep.meta.size is not None and "size" in cur:
                    cur["size"] = dep.meta.size
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
    from stagecore.storage.fsutil import atomic_write_text

    atomic_write_text(path, text)
    return True


def _refetched(dep) -> bool:
    from stagecore.ops.url_sources import handles

    return "repo" not in dep.extra and dep.hash is not None and handles(dep.path)


def _set_hash_fields(cur, dep) -> None:
    """Replace the hash fields of a `.dvc` file's dep (a ruamel map) in DVC's order, keeping
    `path`, `fs_config` and whatever else follows them."""
    from stagecore.core.entry import HASH_KEYS, hash_fields

    rest = {k: v for k, v in cur.items() if k not in (*HASH_KEYS, "size", "nfiles", "isexec", "hash")}
    for key in list(cur.keys()):
        del cur[key]
    for key, value in {**hash_fields(dep), **rest}.items():
        cur[key] = value


def is_repo_import(stage) -> bool:
    """A `dvc import` stage: its one dependency names a path in another git repository."""
    return bool(stage.is_import and "repo" in stage.deps[0].extra)
