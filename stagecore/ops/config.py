"""`config`: read and write single values of DVC's config files."""

from __future__ import annotations

import copy
import os

from stagecore.errors import ConfigError

_PATH_KEYS = {("cache", "dir")}


def _split(name: str) -> tuple[str, str]:
    section, _, key = name.rpartition(".")
    if not section or not key:
        raise ConfigError(f"invalid config name '{name}'", hint="use SECTION.KEY, e.g. core.autostage")
    return section, key


def config_get(repo, name: str, level: str | None) -> str:
    section, key = _split(name)
    data = repo.config.levels[level] if level else repo.config.merged()
    if section.startswith("remote."):
        value = data.get("remote", {}).get(section[7:], {}).get(key)
    else:
        value = data.get(section, {}).get(key)
    if value is None:
        raise ConfigError(f"option '{name}' doesn't exist", hint=f"set it with `stagecore config {name} VALUE`")
    return str(value)


def config_set(repo, name: str, value: str | None, level: str) -> None:
    from stagecore.config import _SCHEMA, _validate

    section, key = _split(name)
    data = copy.deepcopy(repo.config.levels[level])
    if section.startswith("remote."):
        target = data.setdefault("remote", {}).setdefault(section[7:], {})
    else:
        if section not in _SCHEMA:
            raise ConfigError(f"configuration error - extra keys not allowed @ data['{section}']")
        target = data.setdefault(section, {})
    if value is None:
        target.pop(key, None)
    else:
        if (section, key) in _PATH_KEYS and not os.path.isabs(value):
            value = os.path.relpath(os.path.abspath(value), repo.dvc_dir)
        target[key] = value
    # validate with the same rules as loading, before writing
    flat = {name: opts for name, opts in data.items() if name != "remote"}
    for rname, opts in data.get("remote", {}).items():
        flat[f'remote "{rname}"'] = opts
    _validate(repo.config.path_of(level), flat)
    repo.config.write(level, data)
