"""An import stage (the `.dvc` file `import-url` writes) as `repro` and `commit` handle it: its
source fetched again into the workspace, local paths and http(s) URLs here, s3/ssh/remote://
through ops/url_sources.py, other schemes refused with one clear line (`fetch`); its `.dvc` file
rewritten with the new hashes as `dvc update`/`repro` write it (`write_import_dvcfile`).
"""

from __future__ import annotations

import os
import shutil

from stagecore.core.stage import is_offline, is_url
from stagecore.errors import StageError
from stagecore.ops.external import copy_local


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
            copy_local(source, tmp)
        if os.path.isdir(dest) and not os.path.islink(dest):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        discard(tmp)


def _download(url: str, tmp: str) -> None:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise StageError(f"failed to import '{url}': importing from {scheme}:// is not supported",
                         hint="import it with DVC, or download it and track it with `stagecore add`")
    import http.client
    import urllib.error
    import urllib.request

    from stagecore.errors import StagecoreError
    from stagecore.ops.http_source import FETCH_TIMEOUT, whole_body

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
    from stagecore.files.entry_merge import merge_entries
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
