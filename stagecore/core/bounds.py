"""Bounds on parsed data from a repository (pure): nesting depth, alias expansion, cycles.

Every file stagecore reads from a repository is attacker input (the hooks read other
people's commits by themselves). The YAML/JSON/TOML parsers accept documents that the
recursive code walking them afterwards cannot handle: lists nested deeper than Python's
recursion limit, YAML aliases that expand a 600-byte file into billions of values
("billion laughs"), and aliases that contain themselves. `tree_problem` walks parsed data
once, without recursion and visiting each shared node once, and names the first bound
broken; the callers turn it into one clear error naming the file (and line when known).

The bounds are generous for real files (DVC's own files nest 6 levels, params rarely 10)
and small enough that every recursive walker in stagecore stays far below the recursion
limit and every expansion stays at a few hundred MB at most:

    MAX_DEPTH            64 levels of nested lists/mappings in one file
    MAX_ALIAS_EXPANSION  250,000 values added by alias reuse (`<<: *defaults` adds a few)
    MAX_TEXT_BYTES       16 MiB for a dvc file, lock, params, metrics or vars file

The size bound is about memory: PyYAML builds ~50 bytes of Python objects per byte of YAML
(a 1.6 MB dvc.lock of 5,000 stages: 84 MB, 2-3 s), so 16 MiB stays under ~1 GB, while the
largest real dvc.lock files are a few MB. `.dir` manifests (JSON, one line per file of a
tracked directory) are not bounded in size, only in depth.
"""

from __future__ import annotations

from typing import Any, NamedTuple

MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 250_000
MAX_TEXT_BYTES = 16 * 1024 * 1024


class BoundsProblem(NamedTuple):
    kind: str  # "depth" | "expansion" | "cycle"
    message: str


def depth_message() -> str:
    return f"nests lists or mappings deeper than {MAX_DEPTH} levels"


def expansion_message() -> str:
    return f"expands its aliases to more than {MAX_ALIAS_EXPANSION:,} extra values (an alias bomb?)"


def value_error_text(exc: BaseException) -> str:
    """A parser's ValueError in a few words (Python's int-size limit names a Python API)."""
    text = str(exc)
    if "integer string conversion" in text:
        return "an integer has more than 4,300 digits"
    return text


CYCLE_MESSAGE = "has an alias that contains itself (a recursive structure)"


def tree_problem(data: Any) -> BoundsProblem | None:
    """The first bound `data` breaks, or None. Linear in the number of distinct nodes."""
    if not isinstance(data, (dict, list, tuple)):
        return None
    sizes: dict[int, int] = {}  # id of a finished container -> its size with aliases expanded
    on_path = {id(data)}
    unique = expanded = 1
    stack: list[list[Any]] = [[data, iter(_children(data)), 1]]  # [node, children, size so far]
    while stack:
        frame = stack[-1]
        child = next(frame[1], _DONE)
        if child is _DONE:
            stack.pop()
            on_path.discard(id(frame[0]))
            sizes[id(frame[0])] = frame[2]
            if stack:
                stack[-1][2] += frame[2]
            continue
        if not isinstance(child, (dict, list, tuple)):
            frame[2] += 1
            unique += 1
            expanded += 1
            continue
        key = id(child)
        if key in on_path:
            return BoundsProblem("cycle", CYCLE_MESSAGE)
        if key in sizes:  # a shared node (an alias): counted at its full size again
            frame[2] += sizes[key]
            expanded += sizes[key]
            if expanded - unique > MAX_ALIAS_EXPANSION:
                return BoundsProblem("expansion", expansion_message())
            continue
        if len(stack) >= MAX_DEPTH:
            return BoundsProblem("depth", depth_message())
        on_path.add(key)
        unique += 1
        expanded += 1
        stack.append([child, iter(_children(child)), 1])
    return None


_DONE = object()


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        out: list[Any] = []
        for key, value in node.items():
            out.append(key)
            out.append(value)
        return out
    return list(node)
