"""`${...}` interpolation, `vars` contexts and `foreach`/`matrix` expansion of dvc.yaml (pure).

Follows DVC 3's `dvc/parsing`: an exact `"${x}"` keeps the value's type, a string with other
text around `${...}` gets `str()` of each value (booleans as `true`/`false`, a dict in `cmd` as
`--key value` flags), `\\${` escapes. Stage names of generated stages are `name@key`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from copy import deepcopy
from itertools import product
from typing import Any

KEYCRE = re.compile(r"(?<!\\)\$\{(?P<inner>.*?)\}")
_EXPR = re.compile(r"^[^.\[\]]+(?:\.[^.\[\]]+|\[[^.\[\]]+\])*$")
PRIMITIVES = (int, float, str, bytes, bool)
JOIN = "@"


class InterpolationError(ValueError):
    """A problem resolving one value; `keys` locates it in the document when known."""

    def __init__(self, message: str, keys: tuple = ()) -> None:
        super().__init__(message)
        self.keys = keys


def has_interpolation(value: Any) -> bool:
    if isinstance(value, str):
        return bool(KEYCRE.search(value))
    if isinstance(value, Mapping):
        return any(has_interpolation(k) or has_interpolation(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_interpolation(v) for v in value)
    return False


def to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _dict_to_flags(value)
    return str(value)


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings flattened to dotted keys; lists and empty mappings are values."""
    if not isinstance(data, Mapping):
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def _dict_to_flags(d: dict) -> str:
    result = ""
    for key, value in flatten(d).items():
        if isinstance(value, bool):
            result += f"--{key} " if value else ""
        elif isinstance(value, str):
            result += f"--{key} {shlex.quote(value)} "
        elif isinstance(value, (list, tuple)):
            for n, item in enumerate(value):
                if isinstance(item, str):
                    item = shlex.quote(item)
                elif isinstance(item, (list, tuple, dict)):
                    raise InterpolationError(f"Cannot interpolate nested iterable in '{key}'")
                result += f"{item} " if n > 0 else f"--{key} {item} "
        else:
            result += f"--{key} {value} "
    return result.rstrip()


class Context:
    """Variables visible to `${...}`: a nested dict plus where each top-level key came from."""

    def __init__(self, data: dict[str, Any] | None = None, source: str = "") -> None:
        self.data: dict[str, Any] = {}
        self.sources: dict[str, str] = {}
        if data:
            self.merge(data, source)

    def copy(self) -> Context:
        new = Context()
        new.data = deepcopy(self.data)
        new.sources = dict(self.sources)
        return new

    def with_values(self, values: dict[str, Any], source: str) -> Context:
        """A context with top-level `values` set over this one (shallow: resolving never mutates)."""
        new = Context()
        new.data = {**self.data, **values}
        new.sources = {**self.sources, **dict.fromkeys(values, source)}
        return new

    def merge(self, data: Mapping[str, Any], source: str, overwrite: bool = False) -> None:
        _merge(self.data, data, source, self.sources, "", overwrite)

    def select(self, expr: str) -> Any:
        if not _EXPR.match(expr.strip() if expr else expr):
            raise InterpolationError(f"invalid expression '${{{expr}}}'")
        node: Any = self.data
        for part in expr.strip().replace("[", ".").replace("]", "").split("."):
            part = part.strip()
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, (list, tuple)) and _is_index(part, len(node)):
                node = node[int(part)]
            else:
                raise InterpolationError(f"Could not find '{expr}'")
        return node

    def resolve(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, str):
            return self.resolve_str(value, key)
        if isinstance(value, Mapping):
            return {self.resolve(k, key): self.resolve(v, key) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.resolve(v, key) for v in value]
        return value

    def resolve_str(self, src: str, key: str | None = None) -> Any:
        matches = list(KEYCRE.finditer(src))
        if not matches:
            return src
        if len(matches) == 1 and matches[0].group(0) == src:
            value = self.select(matches[0]["inner"])
            _validate(value, key)
            return deepcopy(value)
        buf, index = "", 0
        for match in matches:
            start, end = match.span(0)
            value = self.select(match["inner"])
            _validate(value, key)
            buf += src[index:start] + to_str(value)
            index = end
        buf += src[index:]
        return buf.replace(r"\${", "${")


def _is_index(part: str, size: int) -> bool:
    try:
        return -size <= int(part) < size
    except ValueError:
        return False


def _validate(value: Any, key: str | None) -> None:
    if value is None or isinstance(value, PRIMITIVES):
        return
    if key is not None and "foreach" in key:
        return
    if isinstance(value, dict) and key == "cmd":
        return
    raise InterpolationError(f"Cannot interpolate data of type '{type(value).__name__}'")


def _merge(into: dict, update: Mapping, source: str, sources: dict[str, str], prefix: str,
           overwrite: bool) -> None:
    for key, value in update.items():
        if not isinstance(key, str):
            continue
        path = f"{prefix}{key}"
        if isinstance(into.get(key), dict) and isinstance(value, Mapping):
            _merge(into[key], value, source, sources, path + ".", overwrite)
            continue
        if key in into and not overwrite:
            old = sources.get(path) or sources.get(path.split(".")[0]) or "<local>"
            raise InterpolationError(
                f"cannot redefine '{path}' from '{source}' as it already exists in '{old}'"
            )
        into[key] = deepcopy(dict(value)) if isinstance(value, Mapping) else deepcopy(value)
        sources[path] = source


# ---------------------------------------------------------------- vars

VarsLoader = Callable[[str, "list[str] | None"], dict]


def load_vars(ctx: Context, items: list[Any], loader: VarsLoader, stage: str = "") -> None:
    """Merge a `vars` list: `file[:k1,k2]` strings via `loader(path, keys)`, dicts as they are."""
    joiner = "." if stage else ""
    for index, item in enumerate(items):
        if isinstance(item, str):
            path, _, keys_str = item.partition(":")
            keys = [k for k in keys_str.split(",") if k] or None
            ctx.merge(loader(path, keys), path)
        elif isinstance(item, Mapping):
            ctx.merge(item, f"{stage}{joiner}vars[{index}]")
        else:
            raise InterpolationError(f"expected a file name or a dictionary in vars[{index}]")


# ---------------------------------------------------------------- expansion


class Generated:
    __slots__ = ("name", "definition", "group", "parametrized")

    def __init__(self, name: str, definition: dict, group: str | None, parametrized: bool) -> None:
        self.name = name
        self.definition = definition
        self.group = group
        self.parametrized = parametrized


def _is_composite(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple))


def _resolve_entry(ctx: Context, name: str, definition: dict, loader: VarsLoader, where: tuple = ()) -> dict:
    definition = deepcopy(definition)
    stage_vars = definition.pop("vars", None) or []
    if has_interpolation(stage_vars):
        raise InterpolationError("interpolating is not allowed, in vars")
    if stage_vars:
        ctx = ctx.copy()
        load_vars(ctx, stage_vars, loader, stage=name)
    resolved = {}
    for key, value in definition.items():
        try:
            resolved[key] = ctx.resolve(value, key)
        except InterpolationError as exc:
            raise InterpolationError(f"failed to parse 'stages.{name}.{key}': {exc}", (*where, key)) from None
    return resolved


def _foreach_items(ctx: Context, name: str, data: Any) -> tuple[dict[str, Any], bool]:
    try:
        iterable = ctx.resolve(data, key="foreach")
    except InterpolationError as exc:
        raise InterpolationError(f"failed to parse 'stages.{name}.foreach': {exc}", ("stages", name, "foreach")) from None
    if isinstance(iterable, Mapping):
        return {to_str(k): v for k, v in iterable.items()}, True
    if isinstance(iterable, (list, tuple)):
        if any(_is_composite(v) for v in iterable):
            return {str(i): v for i, v in enumerate(iterable)}, False
        return {to_str(v): v for v in iterable}, False
    raise InterpolationError(
        f"failed to resolve 'stages.{name}.foreach': expected list/dictionary, got {type(iterable).__name__}"
    )


def _matrix_items(ctx: Context, name: str, data: Mapping) -> dict[str, dict]:
    try:
        resolved = ctx.resolve(dict(data), key="foreach")
    except InterpolationError as exc:
        raise InterpolationError(f"failed to parse 'stages.{name}.matrix': {exc}", ("stages", name, "matrix")) from None
    axes = {}
    for key, values in resolved.items():
        if not isinstance(values, (list, tuple)):
            raise InterpolationError(
                f"failed to resolve 'stages.{name}.matrix.{key}': expected a list, got {type(values).__name__}"
            )
        axes[key] = list(enumerate(values))
    out: dict[str, dict] = {}
    for combo in product(*axes.values()):
        item, fragments = {}, []
        for key, (i, value) in zip(axes, combo, strict=True):
            item[key] = value
            fragments.append(f"{key}{i}" if _is_composite(value) else to_str(value))
        out["-".join(fragments)] = item
    return out


def expand_stages(stages: Mapping[str, Any], ctx: Context, loader: VarsLoader) -> list[Generated]:
    """Every stage of a `stages:` mapping, interpolated, with foreach/matrix groups expanded."""
    result: list[Generated] = []
    for name, definition in stages.items():
        if "foreach" in definition:
            members, is_map = _foreach_items(ctx, name, definition["foreach"])
            template = definition["do"]
            for key, value in members.items():
                local = ctx.with_values({"item": value, **({"key": key} if is_map else {})}, "foreach")
                gen = f"{name}{JOIN}{key}"
                resolved = _resolve_entry(local, gen, template, loader, ("stages", name, "do"))
                result.append(Generated(gen, resolved, name, True))
        elif "matrix" in definition:
            template = {k: v for k, v in definition.items() if k != "matrix"}
            for key, item in _matrix_items(ctx, name, definition["matrix"]).items():
                local = ctx.with_values({"item": item, "key": key}, "matrix")
                gen = f"{name}{JOIN}{key}"
                resolved = _resolve_entry(local, gen, template, loader, ("stages", name))
                result.append(Generated(gen, resolved, name, True))
        else:
            resolved = _resolve_entry(ctx, name, definition, loader, ("stages", name))
            result.append(Generated(name, resolved, None, resolved != definition))
    return result
