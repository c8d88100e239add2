"""YAML reading and writing: the one owner of PyYAML and ruamel.yaml.

* Reading dvc files (`*.dvc`, `dvc.yaml`, `dvc.lock`) uses PyYAML's C loader when present,
  with YAML 1.2 scalars as DVC's ruamel loader sees them (`yes` stays a string, `1e-5` is a
  float, no timestamps), because it is several times faster than ruamel.
* Writing uses ruamel.yaml's round-trip dumper with DVC's settings, so the bytes match what
  DVC writes, and updates to an existing file keep its comments and key order.
* Params files are read with ruamel's safe loader, exactly as DVC reads them.
"""

from __future__ import annotations

import io
import re
from typing import Any

import yaml

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
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileFormatError(path, f"is invalid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None


def _rt():
    from ruamel.yaml import YAML

    y = YAML()
    y.default_flow_style = False
    return y


def load_yaml_rt(text: str, path: str) -> Any:
    """Round-trip parse (keeps comments and order) for files we are about to update."""
    from ruamel.yaml.error import YAMLError

    try:
        return _rt().load(text)
    except YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None


def dump_yaml(data: Any) -> str:
    buf = io.StringIO()
    _rt().dump(data, buf)
    return buf.getvalue()


def load_params_yaml(text: str, path: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise FileFormatError(path, f"is invalid YAML: {exc}") from None
