"""`.gitignore` entries for cached outputs, written as DVC writes them."""

from __future__ import annotations

import os
import posixpath

from stagecore.storage.fsutil import atomic_write_text

_SPECIAL = "\\[]!*#?"


def entry_for(name: str) -> str:
    return "/" + "".join("\\" + c if c in _SPECIAL else c for c in name)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fobj:
            return fobj.read()
    except FileNotFoundError:
        return None


def add_entry(root: str, out_relpath: str, scm) -> str | None:
    """Ignore `out_relpath` in its parent's `.gitignore`; the `.gitignore` relpath if changed."""
    if scm is None:
        return None
    parent, name = posixpath.split(out_relpath)
    gi_rel = posixpath.join(parent, ".gitignore") if parent else ".gitignore"
    gi_path = os.path.join(root, gi_rel)
    line = entry_for(name)
    text = _read(gi_path)
    if text is not None and line in text.splitlines():
        return None
    if scm.is_ignored(out_relpath):
        return None
    if text is None:
        text = ""
    elif text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(gi_path, text + line + "\n")
    return gi_rel


def remove_entry(root: str, out_relpath: str) -> str | None:
    """Drop the line for `out_relpath`; delete a `.gitignore` left empty. Its relpath if changed."""
    parent, name = posixpath.split(out_relpath)
    gi_rel = posixpath.join(parent, ".gitignore") if parent else ".gitignore"
    gi_path = os.path.join(root, gi_rel)
    text = _read(gi_path)
    if text is None:
        return None
    line = entry_for(name)
    lines = text.splitlines()
    if line not in lines:
        return None
    kept = [x for x in lines if x != line]
    if not any(x.strip() for x in kept):
        os.unlink(gi_path)
    else:
        atomic_write_text(gi_path, "\n".join(kept) + "\n")
    return gi_rel
