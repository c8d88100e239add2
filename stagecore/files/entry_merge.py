"""Rewriting a dvc file's list of entries (`outs:` / `deps:`) without losing what a person wrote
in it: each existing round-trip entry of the same path is updated in place, so its comments and
key order survive. Shared by `.dvc` files in DVC 3's layout (stagecore.files.dvcfile), DVC
0.x/1.x single-stage files (stagecore.files.dvcfile_cmd) and the operations that edit entries."""

from __future__ import annotations

from typing import Any

from stagecore.core.entry import Entry

_HASH_KEYS = ("md5", "etag", "checksum", "size", "nfiles", "isexec", "hash")


def merge_entries(items: Any, entries: list[Entry], serialize, only_if_present: tuple[str, ...]) -> list[Any]:
    """The new entry list, reusing each existing (round-trip) entry of the same path so that
    its comments and key order survive: stale hash keys dropped, new keys appended last.
    Flags in `only_if_present` are updated but never added to an existing entry."""
    by_path = {o.get("path"): o for o in items or [] if hasattr(o, "get")}
    result = []
    for entry in entries:
        fresh = serialize(entry)
        cur = by_path.get(entry.path)
        if cur is None:
            result.append(fresh)
            continue
        for key in _HASH_KEYS:
            if key in cur and key not in fresh:
                del cur[key]
        for key, value in fresh.items():
            if key in only_if_present and key not in cur:
                continue
            cur[key] = value
        result.append(cur)
    return result
