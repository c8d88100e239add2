"""YAML reading and writing: the one owner of PyYAML and ruamel.yaml.

* Reading dvc files (`*.dvc`, `dvc.yaml`, `dvc.lock`) uses PyYAML's C loader when present,
  with YAML 1.2 scalars as DVC's ruamel loader sees them (`yes` stays a string, `1e-5` is a
  float, no timestamps), because it is several times faster than ruamel.
* Writing uses ruamel.yaml's round-trip dumper with DVC's settings, so the bytes match what
  DVC writes, and updates to an existing file keep its comments and key order.
* Params files are read with ruamel's safe loader, exactly as DVC reads them.

Every loader refuses, with one line naming the file (and the line of the problem), what
the code walking its result could not handle: text over 16 MiB, nesting deeper than 64
levels, aliases that expand past 250,000 extra values or contain themselves
(`stagecore.core.bounds`), and integers too long for Python to convert.
"""

from __future__ import annotations

import io
import re
from typing import Any

import yaml

from stagecore.core import bounds
from stagecore.errors import FileFormatError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


# ruamel's YAML 1.2 float: a '.' or an exponent is required (`6` stays an int)
_FLOAT_12 = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _yaml12_resolvers() -> dict[str, list[tuple[str, Any]]]:
    table: dict[str, list[tuple[str, Any]]] = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        keep = [
            (tag, rx)
            for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
        ]
        table[first] = keep
    for first in "tTfF":
        table.setdefault(first, []).append(("tag:yaml.org,2002:bool", _BOOL_12))
    for first in "-+.0123456789":
        table.setdefault(first, []).insert(0, ("tag:yaml.org,2002:float", _FLOAT_12))
    return table


_Loader.yaml_implicit_resolvers = _yaml12_resolvers()


def load_yaml(text: str, path: str) -> Any:
    """Parse dvc-file text; a syntax error names the file, line and column."""
    _check_size(text, path)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileFormatError(path, f"is invalid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise _unloadable(text, path, exc) from None
    return check_bounds(data, text, path)


def _check_size(text: str, path: str) -> None:
    if len(text) > bounds.MAX_TEXT_BYTES:
        raise FileFormatError(
            path, f"is too large to be a dvc, params or metrics file ({len(text):,} characters, "
            f"at most {bounds.MAX_TEXT_BYTES:,})", hint="track large data with `stagecore add`",
        )


def _unloadable(text: str, path: str, exc: BaseException) -> FileFormatError:
    """RecursionError or ValueError from a parser (deep nesting, a 5,000-digit integer)."""
    if isinstance(exc, RecursionError):
        return FileFormatError(path, f"{bounds.depth_message()}{_problem_line(text, 'depth') or ''}",
                               hint="fix the file by hand")
    problem = f"is invalid YAML: {bounds.value_error_text(exc)}"
    return FileFormatError(path, problem, hint="fix the file by hand")


def check_bounds(data: Any, text: str, path: str) -> Any:
    """`data` when it keeps the bounds of `stagecore.core.bounds`, else a FileFormatError."""
    problem = bounds.tree_problem(data)
    if problem is None:
        return data
    raise FileFormatError(path, f"{problem.message}{_problem_line(text, problem.kind) or ''}",
                          hint="fix the file by hand")


def _prescan_depth(text: str, path: str) -> None:
    """Refuse deep nesting before ruamel's recursive composer meets it (C event scan, ~2% of a
    ruamel load; a 900-deep list would take ruamel seconds to refuse)."""
    line = _problem_line(text, "depth")
    if line is not None:
        raise FileFormatError(path, f"{bounds.depth_message()}{line}", hint="fix the file by hand")


def _problem_line(text: str, kind: str) -> str | None:
    """`, line L` of the first event breaking the bound `kind`, None if none does, '' if unknown."""
    anchors: dict[str, int] = {}  # anchor -> expanded size of its node (when finished)
    stack: list[list[Any]] = []  # [anchor, size so far] of each open collection
    extra = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = f", line {event.start_mark.line + 1}"
            if isinstance(event, yaml.CollectionStartEvent):
                if kind == "depth" and len(stack) >= bounds.MAX_DEPTH:
                    return line
                stack.append([event.anchor, 1])
            elif isinstance(event, yaml.CollectionEndEvent) and stack:
                anchor, size = stack.pop()
                if anchor:
                    anchors[anchor] = size
                if stack:
                    stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    anchors[event.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif isinstance(event, yaml.AliasEvent):
                if kind == "cycle" and any(frame[0] == event.anchor for frame in stack):
                    return line
                size = anchors.get(event.anchor, 1)
                extra += size
                if stack:
                    stack[-1][1] += size
                if kind == "expansion" and extra > bounds.MAX_ALIAS_EXPANSION:
                    return line
    except yaml.MarkedYAMLError as exc:  # libyaml's own limit (1,000) met while scanning ahead
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            return f", line {exc.problem_mark.line + 1}"
        return None if kind == "depth" else ""
    except (yaml.YAMLError, RecursionError, ValueError):
        return None if kind == "depth" else ""
    return None if kind == "depth" else ""


def locate(text: str, paths: list[tuple]) -> list[tuple[int, int] | None]:
    """(line, column), 0-based, of the deepest node found along each key path; one C compose
    of the text for all of them (no alias expansion), None where the text cannot be parsed."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return [None for _ in paths]
    return [_position(root, keys) for keys in paths]


def _position(node: Any, keys: tuple) -> tuple[int, int] | None:
    pos = None
    for key in keys:
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            pos = (node.start_mark.line, node.start_mark.column)
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        name = str(key)
        pairs = (pair for pair in node.value if isinstance(pair[0], yaml.ScalarNode))
        hit = next((pair for pair in pairs if pair[0].value == name), None)
        if hit is None:
            return (node.start_mark.line, node.start_mark.column)
        pos = (hit[0].start_mark.line, hit[0].start_mark.column)
        node = hit[1]
    return pos


def _rt():
    from ruamel.yaml import YAML

    y = YAML()
    y.default_flow_style = False
    return y


def load_yaml_rt(text: str, path: str) -> Any:
    """Round-trip parse (keeps comments and order) for files we are about to update."""
    from ruamel.yaml.error import YAMLError

    _check_size(text, path)
    _prescan_depth(text, path)
    try:
        data = _rt().load(text)
    except YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise _unloadable(text, path, exc) from None
    return check_bounds(data, text, path)


def dump_yaml(data: Any) -> str:
    buf = io.StringIO()
    _rt().dump(data, buf)
    return buf.getvalue()


def load_params_yaml(text: str, path: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    _check_size(text, path)
    _prescan_depth(text, path)
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise _unloadable(text, path, exc) from None
    return check_bounds(data, text, path)
