"""Single-stage `.dvc` files: loading, validation and (format-preserving) writing."""

from __future__ import annotations

import os
import posixpath
from typing import Any

from stagecore.core.bounds import MAX_TEXT_BYTES
from stagecore.core.entry import Entry, EntryError, dvcfile_out, parse_entry
from stagecore.core.safepath import OUT_HINT, check_stage, show
from stagecore.core.stage import Stage
from stagecore.errors import FileFormatError
from stagecore.files.entry_merge import merge_entries
from stagecore.files.yamlio import dump_yaml, load_yaml, load_yaml_rt
from stagecore.storage.fsutil import atomic_write_text

SUFFIX = ".dvc"
_TOP_KEYS = {"outs", "deps", "md5", "wdir", "frozen", "locked", "always_changed", "desc", "meta", "cmd"}


def is_dvcfile(path: str) -> bool:
    return path.endswith(SUFFIX) and posixpath.basename(path) != SUFFIX


def parse_dvcfile(text: str, relpath: str) -> Stage:
    data = load_yaml(text, relpath) if text.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FileFormatError(relpath, "validation failed: expected a dictionary.")
    for key in data:
        if key not in _TOP_KEYS:
            raise FileFormatError(relpath, f"validation failed: extra keys not allowed, in {key}")
    base = posixpath.dirname(relpath)
    wdir = data.get("wdir") or "."
    if not isinstance(wdir, str) or "\0" in wdir:
        raise FileFormatError(relpath, f"validation failed: expected a path, in wdir: {show(wdir)}")
    stage = Stage(
        dvcfile=relpath,
        cmd=data.get("cmd"),
        wdir=posixpath.normpath(posixpath.join(base, wdir)) if base or wdir != "." else "",
        md5=data.get("md5"),
        frozen=bool(data.get("frozen") or data.get("locked")),
        always_changed=bool(data.get("always_changed")),
        desc=data.get("desc"),
        raw=data,
    )
    if stage.wdir == ".":
        stage.wdir = ""
    for kind, key in (("out", "outs"), ("dep", "deps")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise FileFormatError(relpath, f"validation failed: expected a list, in {key}")
        try:
            entries = [parse_entry(item, kind, f"{key} -> {i}") for i, item in enumerate(items)]
        except EntryError as exc:
            hint = OUT_HINT if kind == "out" else None
            raise FileFormatError(relpath, f"validation failed: {exc}", hint=hint) from None
        getattr(stage, key).extend(entries)
    check_stage(stage)  # the gate: output paths (joined with wdir), hash values, dependency paths
    if stage.cmd is None and any(isinstance(o, dict) and "metric" in o for o in data.get("outs") or []):
        import warnings

        from stagecore.core.pipeschema import LegacyLockWarning

        warning = LegacyLockWarning(f"'{relpath}' has the DVC 0.x key `metric` in its outputs and is read as "
                                    "DVC 0.x wrote it: DVC 3 refuses it")
        warning.hint = f"`stagecore commit -f {relpath}` rewrites it in DVC 3's layout"  # type: ignore[attr-defined]
        warnings.warn(warning, stacklevel=2)
    return stage


def load_dvcfile(root: str, relpath: str) -> Stage:
    path = os.path.join(root, relpath)
    try:
        with open(path, encoding="utf-8") as fobj:
            text = fobj.read(MAX_TEXT_BYTES + 1)  # a 16 GB file of zeros is 16 MB in git
    except FileNotFoundError:
        raise FileFormatError(relpath, "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(relpath, f"cannot be read: {exc}") from None
    if len(text) > MAX_TEXT_BYTES:
        raise FileFormatError(relpath, f"is larger than {MAX_TEXT_BYTES:,} characters: too large for a .dvc file")
    return parse_dvcfile(text, relpath)


def new_dvcfile_text(outs: list[Entry], extra_top: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = dict(extra_top or {})
    data["outs"] = [dvcfile_out(out) for out in outs]
    return dump_yaml(data)


def write_dvcfile(root: str, stage: Stage, *, drop_md5: bool = False) -> bool:
    """Write the outs of `stage` to its `.dvc` file, keeping an existing file's comments,
    key order and unknown keys (new keys go last, as DVC does). True if bytes changed.

    A stage with `cmd` is a DVC 0.x/1.x single-stage file and is written in that layout
    (see `stagecore.files.dvcfile_cmd`)."""
    if stage.cmd is not None:
        from stagecore.files.dvcfile_cmd import write_cmd_stage

        return write_cmd_stage(root, stage)
    path = os.path.join(root, stage.dvcfile)
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fobj:
            old = fobj.read()
    if old is None or not old.strip():
        text = new_dvcfile_text(stage.outs)
    else:
        data = load_yaml_rt(old, stage.dvcfile)
        _update_outs(data, stage.outs)
        if drop_md5 and "md5" in data:
            del data["md5"]
        drop_defaults(data)
        text = dump_yaml(data)
    if text == old:
        return False
    atomic_write_text(path, text)
    return True


def _update_outs(data: Any, outs: list[Entry]) -> None:
    old_outs = data.get("outs") or []
    new_list = merge_entries(old_outs, outs, dvcfile_out, ("cache", "persist", "push", "remote"))
    if old_outs != new_list or len(old_outs) != len(new_list):
        data["outs"] = new_list


# Values DVC 3 never writes back (its dump is the loaded stage's `dumpd`, applied to the file's
# text key by key): DVC 0.x wrote them on every output, and `metric` makes DVC 3 refuse the file,
# so a rewrite by stagecore leaves a 0.x file in a shape DVC 3 reads.
_OUT_DEFAULTS = (("cache", True), ("persist", False), ("metric", False), ("push", True))


def drop_defaults(data: Any) -> None:
    """Drop from a `.dvc` file's round-trip data what DVC 3 would not write back. Not from a
    file with `cmd` (stagecore's own 1.x layout, whose stage md5 counts `cache: true`)."""
    if "cmd" in data:
        return
    for out in data.get("outs") or []:
        if hasattr(out, "get"):
            for key, default in _OUT_DEFAULTS:
                if key in out and (out[key] is default or (default is False and out[key] is None)):
                    del out[key]
    if data.get("wdir") == ".":
        del data["wdir"]
    if "locked" in data:  # DVC 0.x's name of `frozen`: DVC 3 reads it and writes `frozen`
        if data.pop("locked") and not data.get("frozen"):
            data["frozen"] = True
