"""`remote add|list|remove|rename|default|modify`: edit remote sections of DVC's config files.

Files are rewritten whole, the way DVC rewrites them: names and keys lowercased, plain
sections first then `['remote "name"']` sections, emptied sections dropped, and path values
(url, keyfile, ...; cache.dir) stored relative to the config file's directory. A relative
path given on the command line is relative to the current directory, as for DVC.

`level` is None (DVC's default: write the repo config, look at every level), or one of
"repo" (--project), "local", "global", "system". Errors use DVC's wording, exit 251.

Longer than ~300 lines: every `remote` subcommand edits the same merged levels with the same
path, case and credential rules, which DVC applies together (the url check is in
stagecore.remotes.url_check).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import urlsplit

from stagecore.core.remote_schema import validate_remote
from stagecore.files.config import LEVELS, Config
from stagecore.remotes.url_check import check_url
from stagecore.remotes.url_check import config_error as _error

PATH_KEYS = {
    "url",
    "gdrive_user_credentials_file",
    "gdrive_service_account_json_file_path",
    "credentialpath",
    "configpath",
    "keyfile",
    "cert_path",
    "key_path",
}
CREDENTIAL_KEYS = {
    "access_key_id",
    "secret_access_key",
    "session_token",
    "password",
    "passphrase",
    "sse_customer_key",
    "account_key",
    "client_secret",
    "sas_token",
    "connection_string",
    "oss_key_secret",
    "gdrive_client_secret",
    "token",
    "custom_auth_header",
}
_URL = re.compile(r"\w+://")


class RemoteListing(NamedTuple):
    name: str
    url: str  # as DVC shows it: relative local paths made absolute
    default: bool


class RemoteUpdate(NamedTuple):
    messages: tuple[str, ...] = ()  # for stdout
    warnings: tuple[str, ...] = ()  # for stderr, each one line


class _RelPath(str):
    """An absolute path that is written back relative to its config file (DVC's RelPath)."""

    __slots__ = ()


# -- paths ------------------------------------------------------------------------------------------
def _load_path(base: str, value: object) -> object:
    """A path value read from a file (`base` = its directory) or given on the command line (cwd)."""
    if not isinstance(value, str) or not value.strip() or _URL.match(value) or os.path.isabs(value):
        return value  # an empty value stays empty: it never means "the config file's directory"
    if os.path.expanduser(value) != value:  # ~/x stays ~/x
        return value
    return _RelPath(os.path.normpath(os.path.join(base, value)))


def _save_path(conf_dir: str, value: object) -> object:
    if isinstance(value, _RelPath):
        return os.path.relpath(value, conf_dir).replace(os.sep, "/")
    return value


def _display_path(value: object) -> str:
    text = str(value)
    if _URL.match(text):
        return text
    return os.path.expanduser(text)


def _map_paths(data: dict, func) -> None:
    cache = data.get("cache")
    if isinstance(cache, dict) and "dir" in cache:
        cache["dir"] = func(cache["dir"])
    for opts in data.get("remote", {}).values():
        for key in PATH_KEYS & set(opts):
            opts[key] = func(opts[key])


# -- loading and saving one level -------------------------------------------------------------------
def _conf_dir(config: Config, level: str) -> str:
    return os.path.dirname(os.path.abspath(config.path_of(level)))


def _load_one(config: Config, level: str) -> dict:
    """One level as DVC's `load_one` sees it: keys lowercased, relative paths absolute."""
    raw = config.levels.get(level) or {}
    data: dict = {}
    for section, values in raw.items():
        if section == "remote":
            remotes = data.setdefault("remote", {})
            for name, opts in values.items():
                remotes.setdefault(name.lower(), {}).update({k.lower(): v for k, v in opts.items()})
        else:
            data.setdefault(section.lower(), {}).update({k.lower(): v for k, v in values.items()})
    data.setdefault("remote", {})
    data.setdefault("core", {})
    _map_paths(data, lambda value: _load_path(_conf_dir(config, level), value))
    return data


def _merge(into: dict, update: dict) -> None:
    for key, value in update.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def _load_to_level(config: Config, level: str | None) -> dict:
    """The merge of every level before `level` (all of them when None)."""
    merged: dict = {"core": {}, "remote": {}}
    for each in LEVELS:
        if each == level:
            break
        _merge(merged, _load_one(config, each))
    return merged


def _save_one(config: Config, level: str, data: dict) -> None:
    conf_dir = _conf_dir(config, level)
    out = copy.deepcopy(data)
    _map_paths(out, lambda value: _save_path(conf_dir, value))
    ordered = {section: values for section, values in out.items() if section != "remote" and values}
    ordered["remote"] = out.get("remote", {})
    config.write(level, ordered)


@contextmanager
def _edit(config: Config, level: str | None, plain_sections: bool = False) -> Iterator[dict]:
    """Load one level, let the caller change it, validate the result merged with the levels below, write.
    The plain sections are validated too, whatever `plain_sections` says: the config was read
    without validation (`dvc config`/`dvc remote` fix an invalid file), so a write whose result is
    still invalid (a 0.x `core.cloud` left) is refused as DVC refuses it."""
    level = level or "repo"
    conf = _load_one(config, level)
    yield conf
    merged = _load_to_level(config, level)
    _merge(merged, conf)
    from stagecore.files.config import _validate

    _validate(None, {section: values for section, values in merged.items()
                     if section not in ("remote", "machine", "db")})
    for name, opts in merged.get("remote", {}).items():
        problem = validate_remote(name, opts)
        if problem:
            raise _error(*problem)
    _save_one(config, level, conf)


edit_level = _edit
load_level = _load_one  # one level as DVC's load_one sees it
display_path = _display_path


def cli_path(value: str, cwd: str | None = None) -> object:
    """A path value typed on the command line: relative to the current directory, written back
    relative to the config file."""
    return _load_path(cwd or os.getcwd(), value)


def _check_exists(conf: dict, name: str) -> None:
    if name not in conf.get("remote", {}):
        raise _error(f"remote '{name}' doesn't exist.", hint="`stagecore remote list` shows the remotes")


def _credential_warning(level: str | None, name: str, key: str) -> tuple[str, ...]:
    if level not in (None, "repo") or key not in CREDENTIAL_KEYS:
        return ()
    return (
        f"'{key}' is a secret and .dvc/config is committed to git; "
        f"prefer `stagecore remote modify --local {name} {key} ...` (.dvc/config.local)",
    )


# -- the operations ------------------------------------------------------------------------------------
def remote_add(
    config: Config,
    name: str,
    url: str,
    *,
    level: str | None = None,
    default: bool = False,
    force: bool = False,
    cwd: str | None = None,
) -> RemoteUpdate:
    name = name.lower()
    cwd = cwd or os.getcwd()
    with _edit(config, level) as conf:
        if name in conf["remote"] and not force:
            raise _error(
                f"remote '{name}' already exists. Use `-f|--force` to overwrite it.",
            )
        conf["remote"][name] = {"url": _load_path(cwd, url)}
        if default:
            conf["core"]["remote"] = name
    messages = (f"Setting '{name}' as a default remote.",) if default else ()
    warnings: tuple[str, ...] = ()
    if level in (None, "repo") and urlsplit(url).password:
        warnings = (
            f"the url of remote '{name}' contains a password and .dvc/config is committed to git; "
            "prefer `--local`",
        )
    return RemoteUpdate(messages, warnings)


def remote_list(config: Config, level: str | None = None) -> list[RemoteListing]:
    conf = _load_to_level(config, None) if level is None else _load_one(config, level)
    default = conf["core"].get("remote")
    return [
        RemoteListing(name, _display_path(opts.get("url", "")), name == default)
        for name, opts in conf["remote"].items()
    ]


def remote_remove(config: Config, name: str, *, level: str | None = None) -> RemoteUpdate:
    name = name.lower()
    with _edit(config, level) as conf:
        _check_exists(conf, name)
        del conf["remote"][name]
    up_to = level or "repo"
    for each in reversed(LEVELS):  # drop core.remote naming it in the shadowing levels too
        with _edit(config, each) as conf:
            if conf["core"].get("remote") == name:
                del conf["core"]["remote"]
        if each == up_to:
            break
    return RemoteUpdate()


def remote_rename(config: Config, old: str, new: str, *, level: str | None = None) -> RemoteUpdate:
    old = old.lower()
    if new in _load_to_level(config, None)["remote"]:
        raise _error(f"Rename failed. Remote name '{new}' already exists.")

    def rename_default(conf: dict) -> None:
        if conf["core"].get("remote") == old:
            conf["core"]["remote"] = new

    with _edit(config, level) as conf:
        _check_exists(conf, old)
        conf["remote"][new] = conf["remote"].pop(old)
        rename_default(conf)
    up_to = level or "repo"
    for each in reversed(LEVELS):
        if each == up_to:
            break
        with _edit(config, each) as conf:
            rename_default(conf)
    return RemoteUpdate()


def remote_default_get(config: Config, level: str | None = None) -> str | None:
    conf = _load_to_level(config, None) if level is None else _load_one(config, level)
    return conf["core"].get("remote")


def remote_default_set(config: Config, name: str | None, *, level: str | None = None) -> RemoteUpdate:
    """Make `name` the default remote; None unsets it."""
    with _edit(config, level) as conf:
        if name is None:
            conf["core"].pop("remote", None)
        else:
            name = name.lower()
            if name not in conf["remote"] and name not in _load_to_level(config, level)["remote"]:
                raise _error(
                    "default remote must be present in remote list.",
                    hint=f"add it first: stagecore remote add {name} <url>",
                )
            conf["core"]["remote"] = name
    return RemoteUpdate()


def remote_modify(
    config: Config,
    name: str,
    option: str,
    value: str | None,
    *,
    level: str | None = None,
    unset: bool = False,
    cwd: str | None = None,
) -> RemoteUpdate:
    name = name.lower()
    with _edit(config, level) as conf:
        merged = _load_to_level(config, level)
        _merge(merged, conf)
        _check_exists(merged, name)
        section = conf["remote"].setdefault(name, {})
        if unset:
            section.pop(option, None)
        elif option in PATH_KEYS and value is not None:
            section[option] = _load_path(cwd or os.getcwd(), value)
        else:
            section[option] = value
    if unset:
        return RemoteUpdate()
    return RemoteUpdate(warnings=_credential_warning(level, name, option))


def remote_section(config: Config, name: str) -> dict:
    """The merged options of remote `name` for `open_remote`: relative paths made absolute
    against the directory of the config file (level) that set them."""
    merged = _load_to_level(config, None)
    opts = merged["remote"].get(name.lower())
    if opts is None:
        raise _error(f"remote '{name}' doesn't exist.", hint="`stagecore remote list` shows the remotes")
    check_url(config, name.lower(), opts.get("url"), merged.get("cache", {}).get("dir"))
    return {key: str(value) if isinstance(value, _RelPath) else value for key, value in opts.items()}
