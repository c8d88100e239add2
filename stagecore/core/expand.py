"""foreach/matrix expansion of a dvc.yaml's `stages` (pure), bounded: at most
MAX_GENERATED stages per file (a matrix's size is computed before anything is built) and
one `Walk` budget of built values shared by every stage of the file.

Stage names of generated stages are `name@key`, as DVC 3's `dvc/parsing` makes them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from itertools import product
from typing import Any

from stagecore.core.interpolate import (
    JOIN,
    KEYCRE,
    MAX_GENERATED,
    Context,
    InterpolationError,
    VarsLoader,
    Walk,
    has_interpolation,
    to_str,
)

__all__ = ["Generated", "expand_stages", "load_file", "load_vars", "MAX_GENERATED"]


class Generated:
    """One stage of a dvc.yaml; `tracked`: {vars file: {dotted key: value}} its `${...}` used."""

    __slots__ = ("name", "definition", "group", "parametrized", "tracked")

    def __init__(self, name: str, definition: dict, group: str | None, parametrized: bool,
                 tracked: dict[str, dict[str, Any]] | None = None) -> None:
        self.name = name
        self.definition = definition
        self.group = group
        self.parametrized = parametrized
        self.tracked = tracked or {}


def _is_composite(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple))


def _resolve_entry(ctx: Context, name: str, definition: dict, loader: VarsLoader, walk: Walk,
                   where: tuple = ()) -> tuple[dict, dict[str, dict[str, Any]]]:
    """The stage resolved, and the values it used from vars files (DVC's `tracked_vars`)."""
    definition = dict(definition)  # resolving never mutates: a shallow copy to pop `vars` from
    stage_vars = definition.pop("vars", None) or []
    if has_interpolation(stage_vars):
        raise InterpolationError("interpolating is not allowed, in vars")
    if stage_vars:
        ctx = ctx.copy()
        wdir = _stage_wdir(ctx, name, definition.get("wdir"), walk, where)
        load_vars(ctx, stage_vars, loader, stage=name, wdir=wdir)  # DVC reads them from the wdir
    resolved = {}
    tracked: dict[str, dict[str, Any]] = {}
    walk.tracked = tracked
    try:
        for key, value in definition.items():
            try:
                resolved[key] = ctx.resolve(value, key, walk)
            except InterpolationError as exc:
                message = f"failed to parse 'stages.{name}.{key}': {exc}"
                raise InterpolationError(message, (*where, key), exc.hint) from None
    finally:
        walk.tracked = None
    return resolved, tracked


def _stage_wdir(ctx: Context, name: str, wdir: Any, walk: Walk, where: tuple) -> str:
    if not wdir:
        return ""
    try:
        return to_str(ctx.resolve(wdir, "wdir", walk)) if isinstance(wdir, str) else to_str(wdir)
    except InterpolationError as exc:
        raise InterpolationError(f"failed to parse 'stages.{name}.wdir': {exc}", (*where, "wdir"),
                                 exc.hint) from None


def _foreach_origins(ctx: Context, data: Any, members: dict[str, Any], is_map: bool) -> dict[str, list[str]]:
    """member -> the key path of its value when `foreach` is one `${...}` (DVC tracks what a stage
    uses through `item` under the vars file and key the value came from)."""
    match = KEYCRE.fullmatch(data) if isinstance(data, str) else None
    if match is None:
        return {}
    base = [part.strip() for part in match["inner"].strip().replace("[", ".").replace("]", "").split(".")]
    if is_map:
        return {key: [*base, key] for key in members}
    if len(members) != len(ctx.select(match["inner"])):  # repeated values: which one is ambiguous
        return {}
    return {key: [*base, str(i)] for i, key in enumerate(members)}


def _foreach_items(ctx: Context, name: str, data: Any, walk: Walk) -> tuple[dict[str, Any], bool]:
    try:
        iterable = ctx.resolve(data, "foreach", walk)
    except InterpolationError as exc:
        raise InterpolationError(
            f"failed to parse 'stages.{name}.foreach': {exc}", ("stages", name, "foreach"), exc.hint
        ) from None
    if isinstance(iterable, (Mapping, list, tuple)):
        walk.add_generated(len(iterable), name)
    if isinstance(iterable, Mapping):
        return {to_str(k): v for k, v in iterable.items()}, True
    if isinstance(iterable, (list, tuple)):
        if any(_is_composite(v) for v in iterable):
            return {str(i): v for i, v in enumerate(iterable)}, False
        return {to_str(v): v for v in iterable}, False
    raise InterpolationError(
        f"failed to resolve 'stages.{name}.foreach': expected list/dictionary, got {type(iterable).__name__}"
    )


def _matrix_items(ctx: Context, name: str, data: Mapping, walk: Walk) -> dict[str, dict]:
    try:
        resolved = ctx.resolve(data, "foreach", walk)
    except InterpolationError as exc:
        raise InterpolationError(
            f"failed to parse 'stages.{name}.matrix': {exc}", ("stages", name, "matrix"), exc.hint
        ) from None
    axes = {}
    for key, values in resolved.items():
        if not isinstance(values, (list, tuple)):
            raise InterpolationError(
                f"failed to resolve 'stages.{name}.matrix.{key}': "
                f"expected a list, got {type(values).__name__}"
            )
        axes[key] = list(enumerate(values))
    count = 1
    for values in axes.values():
        count = min(count * len(values), MAX_GENERATED + 1)  # the product of 4^12 is never built
    walk.add_generated(count, name)
    out: dict[str, dict] = {}
    for combo in product(*axes.values()):
        item, fragments = {}, []
        for key, (i, value) in zip(axes, combo, strict=True):
            item[key] = value
            fragments.append(f"{key}{i}" if _is_composite(value) else to_str(value))
        out["-".join(fragments)] = item
    return out


def expand_stages(stages: Mapping[str, Any], ctx: Context, loader: VarsLoader,
                  walk: Walk | None = None) -> list[Generated]:
    """Every stage of a `stages:` mapping, interpolated, with foreach/matrix groups expanded."""
    walk = walk or Walk()
    result: list[Generated] = []
    for name, definition in stages.items():
        if "foreach" in definition:
            members, is_map = _foreach_items(ctx, name, definition["foreach"], walk)
            template = definition["do"]
            origins = _foreach_origins(ctx, definition["foreach"], members, is_map)
            for key, value in members.items():
                origin = {"item": origins[key]} if key in origins else None
                local = ctx.with_values({"item": value, **({"key": key} if is_map else {})}, "foreach", origin)
                gen = f"{name}{JOIN}{key}"
                resolved, used = _resolve_entry(local, gen, template, loader, walk, ("stages", name, "do"))
                result.append(Generated(gen, resolved, name, True, used))
        elif "matrix" in definition:
            template = {k: v for k, v in definition.items() if k != "matrix"}
            for key, item in _matrix_items(ctx, name, definition["matrix"], walk).items():
                local = ctx.with_values({"item": item, "key": key}, "matrix")
                gen = f"{name}{JOIN}{key}"
                resolved, used = _resolve_entry(local, gen, template, loader, walk, ("stages", name))
                result.append(Generated(gen, resolved, name, True, used))
        else:
            resolved, used = _resolve_entry(ctx, name, definition, loader, walk, ("stages", name))
            result.append(Generated(name, resolved, None, resolved != definition, used))
    return result


# ---------------------------------------------------------------- vars


def load_vars(ctx: Context, items: list[Any], loader: VarsLoader, stage: str = "", wdir: str = "") -> None:
    """Merge a `vars` list: `file[:k1,k2]` strings via `loader(path, keys)` (the path joined with a
    stage's `wdir`, relative to the dvc.yaml's directory), dicts as they are."""
    joiner = "." if stage else ""
    for index, item in enumerate(items):
        if isinstance(item, str):
            path, _, keys_str = item.partition(":")
            keys = [k for k in keys_str.split(",") if k] or None
            load_file(ctx, posixpath.normpath(posixpath.join(wdir, path)), keys, loader, item)
        elif isinstance(item, Mapping):
            ctx.merge(item, f"{stage}{joiner}vars[{index}]")
        else:
            raise InterpolationError(f"expected a file name or a dictionary in vars[{index}]")


def load_file(ctx: Context, path: str, keys: list[str] | None, loader: VarsLoader, item: str = "") -> None:
    """Merge the vars file `path` (or its `keys`) by DVC's rules: a whole file named again is
    skipped; a file partly loaded cannot be loaded whole, a whole one not partly, a key not twice."""
    item = item or path
    imported = ctx.imports.get(path, False)
    if imported is None and not keys:
        return
    if imported is not False:
        hint = f"load '{path}' once: whole, or as `{path}:key1,key2` lists that share no key"
        if not keys and isinstance(imported, list):
            raise InterpolationError(f"cannot load '{item}' as it's partially loaded already", hint=hint)
        if keys and imported is None:
            raise InterpolationError(f"cannot partially load '{item}' as it's already loaded.", hint=hint)
        if isinstance(imported, list) and set(keys or ()) & set(imported):
            raise InterpolationError(f"cannot load '{item}' as it's partially loaded already", hint=hint)
    ctx.merge(loader(path, keys), path)
    ctx.imports = dict(ctx.imports)  # copy-on-write: another context may share the mapping
    before = imported if isinstance(imported, list) else []
    ctx.imports[path] = None if not keys else [*before, *keys]

