"""Snapshot of one twin after a step, as JSON on stdout (stdlib only: run with `python -I -S`).

argv: REPO OUT_JSON [REMOTE...]. Records the bytes of the DVC metadata files (`*.dvc`, `dvc.yaml`,
`dvc.lock`, `.gitignore`, `.dvc/config`), every other workspace entry outside `.git`/`.dvc` (kind,
md5, exec and write bits, hard-link-ness, symlink target), the cache object set and each remote's.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys

OBJECT = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{30}(\.dir)?$")
META_NAMES = {"dvc.yaml", "dvc.lock", ".gitignore"}


def _is_meta(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in META_NAMES or name.endswith(".dvc") or rel == ".dvc/config"


def _md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _text(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "<binary md5 " + hashlib.md5(data).hexdigest() + ">"


def _entry(path: str, base: str) -> str:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path).replace(base, "<TWIN>")
        into_cache = "/.dvc/cache/" in os.path.realpath(path) + "/"
        content = _md5(path) if os.path.isfile(path) else "-"
        return f"symlink{' (into cache)' if into_cache else ''} -> {content}" + (
            "" if into_cache else f" [{target}]"
        )
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    bits = ("x" if st.st_mode & stat.S_IXUSR else "-") + ("w" if st.st_mode & stat.S_IWUSR else "r")
    link = " hardlink" if st.st_nlink > 1 else ""
    return f"file {_md5(path)} {bits}{link}"


def _objects(root: str) -> list[str]:
    """Object names (`ab/cdef...`, `.dir` too) only: temp files a tool leaves behind are not objects."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            if OBJECT.match(rel):
                found.append(rel)
    return sorted(found)


def snapshot(repo: str, remotes: list[str]) -> dict[str, object]:
    base = os.path.dirname(os.path.abspath(repo))  # the twin: repo/, remote/, home/ ...
    meta: dict[str, str] = {}
    workspace: dict[str, str] = {}
    for dirpath, dirs, files in os.walk(repo):
        rel_dir = os.path.relpath(dirpath, repo)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if rel_dir == "":
            dirs[:] = [d for d in dirs if d != ".git"]
        if rel_dir == ".dvc/":
            dirs[:] = []
            files = [f for f in files if f in ("config", ".gitignore")]
        for name in sorted(dirs):
            full = os.path.join(dirpath, name)
            if rel_dir == "" and name == ".dvc":
                continue
            if os.path.islink(full):
                workspace[rel_dir + name] = _entry(full, base)
            elif not os.listdir(full):
                workspace[rel_dir + name + "/"] = "empty dir"
        for name in files:
            rel = rel_dir + name
            full = os.path.join(dirpath, name)
            if _is_meta(rel) and not os.path.islink(full):
                meta[rel] = _text(full).replace(base, "<TWIN>")
            elif not rel.startswith(".dvc/"):
                workspace[rel] = _entry(full, base)
    cache = os.path.join(repo, ".dvc", "cache", "files", "md5")
    return {
        "meta": meta,
        "workspace": workspace,
        "cache": _objects(cache),
        "remotes": {os.path.basename(r): _objects(os.path.join(r, "files", "md5")) for r in remotes},
    }


if __name__ == "__main__":
    result = snapshot(sys.argv[1], sys.argv[3:])
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(result, out, sort_keys=True)
