"""Single-stage `.dvc` files with a `cmd` (what `dvc run -f x.dvc` wrote in DVC 0.x/1.x).

Layout written (DVC 1.x's, plus `hash: md5` so readers know the entries are plain md5,
not the md5-dos2unix of 1.x; it goes last in an entry, where DVC 3 appends it when it
upgrades a legacy entry in place):

    md5: <stage md5, DVC 1.x formula: core.stage.dvcfile_md5>
    cmd: python3 train.py
    [wdir: <relative to the file's dir, omitted when '.'>]
    [frozen: true]
    deps:
    - md5: ...
      size: ...
      [nfiles: ...]
      path: data
      hash: md5
    outs:                         (persist, then metrics, then the others: `run`'s order)
    - md5: ...
      size: ...
      path: metrics.json
      cache: false
      metric: true
      hash: md5
    [always_changed: true]

Entries whose hash is still legacy (no `hash` key read) stay without it. Updating an
existing file keeps its comments and key order; new keys go last; `md5` is recomputed.
"""

from __future__ import annotations

import json
import os
import posixpath
from typing import Any

from stagecore.core.entry import Entry, hash_fields
from stagecore.core.hashinfo import MD5
from stagecore.core.stage import Stage, dvcfile_md5
from stagecore.files.entry_merge import merge_entries
from stagecore.files.yamlio import dump_yaml, load_yaml_rt
from stagecore.storage.fsutil import atomic_write_text


def legacy_entry(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = hash_fields(entry)
    out.pop("hash", None)  # 1.x layout: `hash: md5` is appended after the flags below
    out["path"] = entry.path
    if entry.kind != "dep":
        if not entry.cache:
            out["cache"] = False
        if entry.kind == "metric":
            out["metric"] = True
        if entry.persist:
            out["persist"] = True
    if entry.hash is not None and entry.hash.name == MD5:
        out["hash"] = MD5
    return out


def cmd_stage_data(stage: Stage) -> dict[str, Any]:
    """A fresh single-stage file's data, `md5` first."""
    data: dict[str, Any] = {"md5": "", "cmd": stage.cmd}
    base = posixpath.dirname(stage.dvcfile)
    wdir = posixpath.relpath(stage.wdir or ".", base or ".")
    if wdir != ".":
        data["wdir"] = wdir
    if stage.frozen:
        data["frozen"] = True
    if stage.deps:
        data["deps"] = [legacy_entry(d) for d in stage.deps]
    if stage.outs:
        data["outs"] = [legacy_entry(o) for o in stage.outs]
    if stage.always_changed:
        data["always_changed"] = True
    data["md5"] = dvcfile_md5(data)
    return data


def _plain(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def write_cmd_stage(root: str, stage: Stage) -> bool:
    path = os.path.join(root, stage.dvcfile)
    try:
        with open(path, encoding="utf-8") as fobj:
            old: str | None = fobj.read()
    except FileNotFoundError:
        old = None
    if old is None or not old.strip():
        data: Any = cmd_stage_data(stage)
    else:
        data = load_yaml_rt(old, stage.dvcfile)
        for key, entries in (("deps", stage.deps), ("outs", stage.outs)):
            if entries or key in data:
                new_list = merge_entries(data.get(key), entries, legacy_entry, ("cache", "metric", "persist"))
                if list(data.get(key) or []) != new_list or len(data.get(key) or []) != len(new_list):
                    data[key] = new_list
        md5 = dvcfile_md5(_plain({k: v for k, v in data.items() if k != "md5"}))
        if "md5" in data:
            data["md5"] = md5
        else:
            data.insert(0, "md5", md5)
    text = dump_yaml(data)
    if text == old:
        return False
    os.makedirs(os.path.dirname(path) or root, exist_ok=True)
    atomic_write_text(path, text)
    stage.md5 = data["md5"]
    stage.raw = _plain(dict(data))
    return True
