"""`config`: list, read and write values of DVC's config files, as `dvc config` does.

`level` is None (every level: reading looks from `local` down to `system`, writing goes to the
project's `.dvc/config`) or one of "system", "global", "repo" (--project), "local". Values are
shown as DVC's `load_one` sees them: relative paths (url, cache.dir, ...) made absolute.
Outside a DVC project only the system and global levels exist.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from stagecore.errors import ConfigError
from stagecore.files.config import LEVELS, Config

_NAME = re.compile(r"^(?P<top>(remote|db)\.)?(?P<section>[^.]*)\.(?P<option>[^.]*)$")
NAME_PROBLEM = "name argument should look like remote.name.option or db.name.option or section.option"
SYSTEM_LEVELS = ("system", "global")


class ConfigName(NamedTuple):
    top: str | None  # "remote" or "db" for `remote.NAME.OPTION`, else None
    section: str  # the section (or the remote's name)
    option: str


class ConfigEntry(NamedTuple):
    level: str
    key: str  # dotted: core.remote, remote.storage.url
    value: str


def parse_name(text: str) -> ConfigName:
    """DVC's name syntax; ValueError with DVC's words when it does not match."""
    match = _NAME.match(text)
    if not match:
        raise ValueError(NAME_PROBLEM)
    top = match.group("top")
    return ConfigName(top.strip(".") if top else None, match.group("section").lower(),
                      match.group("option").lower())


def _error(text: str) -> ConfigError:
    return ConfigError(f"configuration error - config file error: {text}",
                       hint="`stagecore config --list --show-origin` shows every value and its file")


def levels_for(config: Config, level: str | None, in_repo: bool) -> tuple[str, ...]:
    if level:
        if not in_repo and level not in SYSTEM_LEVELS:
            raise _error("Not inside a DVC repo")
        return (level,)
    return LEVELS if in_repo else SYSTEM_LEVELS


def _read(config: Config, level: str) -> dict:
    from stagecore.remotes.config import load_level

    return load_level(config, level)


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            found += _flatten(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", _shown(value)))
    return found


def _shown(value: object) -> str:
    from stagecore.remotes.config import display_path

    return display_path(value) if isinstance(value, str) and value.startswith("~") else str(value)


def config_list(config: Config, level: str | None, in_repo: bool) -> list[ConfigEntry]:
    """Every value of each level, in DVC's order: remotes, machines, dbs, then the plain sections."""
    entries: list[ConfigEntry] = []
    for each in levels_for(config, level, in_repo):
        data = _read(config, each)
        named = {kind: data[kind] for kind in ("remote", "machine", "db") if data.get(kind)}
        plain = {section: values for section, values in data.items() if section not in named}
        entries += [ConfigEntry(each, key, value) for key, value in _flatten({**named, **plain})]
    return entries


def _check(conf: dict, name: ConfigName) -> None:
    what = name.top or "section"
    if name.section not in conf:
        raise _error(f"{what} '{name.section}' doesn't exist")
    if name.option not in conf[name.section]:
        raise _error(f"option '{name.option}' doesn't exist in {what} '{name.section}'")


def config_get(config: Config, name: ConfigName, level: str | None, in_repo: bool) -> ConfigEntry | None:
    """The value from the highest level that has it (None: no level has it, which DVC does not
    report); with a level given, only that one, and its absence is an error."""
    for each in reversed(levels_for(config, level, in_repo)):
        data = _read(config, each)
        conf = data.get(name.top, {}) if name.top else data
        try:
            _check(conf, name)
        except ConfigError:
            if level:
                raise
            continue
        return ConfigEntry(each, f"{name.section}.{name.option}", _shown(conf[name.section][name.option]))
    return None


def config_set(config: Config, name: ConfigName, value: str | None, level: str | None, in_repo: bool) -> None:
    """Set (or with value None, unset: it must exist) one option in one level's file; the result,
    merged with the levels below, is validated before the file is rewritten."""
    from stagecore.remotes.config import edit_level

    levels_for(config, level, in_repo)
    with edit_level(config, level, plain_sections=True) as data:
        conf = data.setdefault(name.top, {}) if name.top else data
        if value is None:
            _check(conf, name)
            del conf[name.section][name.option]
        else:
            from stagecore.remotes.config import PATH_KEYS, cli_path

            is_path = (name.top, name.section, name.option) == (None, "cache", "dir") or (
                name.top == "remote" and name.option in PATH_KEYS)
            conf.setdefault(name.section, {})[name.option] = cli_path(value) if is_path else value
