"""Replacing one stage's entry in a dvc.lock without re-parsing the whole file.

DVC rewrites a lock by loading it round-trip, replacing the stage entry and dumping it all,
which costs time proportional to the file per stage run (minutes for hundreds of stages).
When the lock is in the canonical layout (`schema: '2.0'`, `stages:`, then blocks headed by
`  <name>:` lines, no comments or other top-level keys), the same bytes are obtained by
dumping only the new entry and splicing it in place of the old block (or appending it).
Anything else returns None and the caller takes the round-trip path.
"""

from __future__ import annotations

from typing import Any

from stagecore.files.yamlio import dump_yaml, load_yaml

HEAD = "schema: '2.0'\nstages:\n"


def _blocks(body: str) -> list[tuple[str, str]] | None:
    """[(header line, block text incl. header)] of the `stages:` body; None if not canonical."""
    blocks: list[tuple[str, str]] = []
    cur_head, cur_lines = None, []
    for line in body.splitlines(keepends=True):
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip("\n").endswith(":"):
            if cur_head is not None:
                blocks.append((cur_head, "".join(cur_lines)))
            cur_head, cur_lines = line, [line]
        elif line.startswith("    ") and cur_head is not None and not line.lstrip().startswith("#"):
            cur_lines.append(line)
        else:
            return None
    if cur_head is not None:
        blocks.append((cur_head, "".join(cur_lines)))
    return blocks


def splice(text: str, name: str, entry: dict[str, Any]) -> tuple[str, bool] | None:
    """(new lock text, entry changed) or None when the file is not in the canonical layout."""
    if not text.startswith(HEAD) or not text.endswith("\n"):
        return None
    blocks = _blocks(text[len(HEAD):])
    if blocks is None:
        return None
    new_block = dump_yaml({"stages": {name: entry}})[len("stages:\n"):]
    header = new_block.splitlines(keepends=True)[0]
    heads = [h for h, _ in blocks]
    if len(set(heads)) != len(heads):
        return None
    out, changed, found = [], True, False
    for head, block in blocks:
        if head == header:
            found = True
            old = load_yaml("stages:\n" + block, "dvc.lock")
            changed = not isinstance(old, dict) or (old.get("stages") or {}).get(name) != entry
            out.append(new_block)
        else:
            out.append(block)
    if not found:
        out.append(new_block)
    return HEAD + "".join(out), changed
