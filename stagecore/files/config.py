"""DVC's config files (`.dvc/config`, `.dvc/config.local`, global, system): the one owner of configobj.

Files are INI as configobj writes them (4-space indent, `['remote "name"']` sections).
Unknown sections or keys are refused as DVC refuses them, naming the file (exit 251).
stagecore's own settings never go here: DVC would reject them (they live in git config).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from stagecore.errors import ConfigError

LEVELS = ("system", "global", "repo", "local")
_REMOTE_KEYS = {
    "url", "jobs", "verify", "timeout", "connect_timeout", "read_timeout", "checksum_jobs", "push",
    "worktree", "version_aware", "endpointurl", "region", "profile", "credentialpath", "configpath",
    "access_key_id", "secret_access_key", "session_token", "use_ssl", "ssl_verify", "sse",
    "sse_kms_key_id", "sse_customer_algorithm", "sse_customer_key", "acl", "grant_read",
    "grant_read_acp", "grant_write_acp", "grant_full_control", "listobjects", "cache_regions",
    "allow_anonymous_login", "port", "user", "keyfile", "password", "ask_password",
    "passphrase", "ask_passphrase", "gss_auth", "allow_agent", "max_sessions",
}
_SCHEMA: dict[str, set[str] | None] = {
    "core": {
        "remote", "checksum_jobs", "interactive", "analytics", "hardlink_lock", "no_scm",
        "autostage", "check_update", "site_cache_dir", "machine",
    },
    "cache": {"dir", "type", "shared", "slow_link_warning", "verify", "protected", "local", "s3", "ssh"},
    # sections DVC knows that stagecore does not use: their keys as DVC's schema has them
    "state": {"dir", "row_limit", "row_cleanup_quota"}, "index": {"dir"},
    "plots": {"html_template", "auto_open", "out_dir"},
    "parsing": {"bool", "list"},
    "hydra": {"enabled", "config_dir", "config_module", "config_name", "plugins_path"},
    "studio": {"token", "url", "repo_url", "offline"},
    "exp": {"code", "data", "models", "metrics", "params", "plots", "live", "auto_push", "git_remote"},
    "db": None, "feature": None, "machine": None,
}
_BOOL = "expected true or false"
_INT = "expected int"
# value checks of DVC's schema (dvc/config_schema.py) for the sections above: (section, key) -> kind
_VALUES: dict[tuple[str, str], str | tuple[str, ...]] = {
    **{("core", k): _BOOL for k in ("interactive", "analytics", "hardlink_lock", "no_scm", "autostage",
                                     "check_update")},
    ("core", "checksum_jobs"): _INT,
    **{("cache", k): _BOOL for k in ("protected", "slow_link_warning", "verify")},
    ("cache", "shared"): ("group",),
    ("cache", "type"): "cache type",
    ("plots", "auto_open"): _BOOL, ("exp", "auto_push"): _BOOL, ("hydra", "enabled"): _BOOL,
    ("studio", "offline"): _BOOL,
    ("parsing", "bool"): ("store_true", "boolean_optional"), ("parsing", "list"): ("nargs", "append"),
}
_CACHE_TYPES = ("reflink", "hardlink", "symlink", "copy")
_NAMED_KINDS = ("remote", "machine", "db")  # `[remote "name"]` sections, written last in this order
_REMOTE_SECTION = re.compile(r'^remote\s+"(?P<name>[^"]+)"$')
_NAMED_SECTION = re.compile(r'^(?P<kind>machine|db)\s+"(?P<name>[^"]+)"$')  # DVC accepts them; unused here
_NAMED_KEYS = {
    "machine": {"cloud", "region", "image", "spot", "spot_price", "instance_hdd_size", "instance_type",
                "instance_gpu", "ssh_private", "startup_script", "setup_script"},
    "db": {"url", "username", "password"},
}


def global_config_path() -> str:
    """DVC's global config file: platformdirs' user config dir, or `DVC_GLOBAL_CONFIG_DIR`."""
    from stagecore.files.config_dirs import global_config_dir

    return os.path.join(global_config_dir(), "config")


def system_config_path() -> str:
    """DVC's system config file: platformdirs' site config dir, or `DVC_SYSTEM_CONFIG_DIR`."""
    from stagecore.files.config_dirs import system_config_dir

    return os.path.join(system_config_dir(), "config")


@dataclass
class Config:
    dvc_dir: str
    levels: dict[str, dict] = field(default_factory=dict)

    def path_of(self, level: str) -> str:
        return {
            "system": system_config_path(),
            "global": global_config_path(),
            "repo": os.path.join(self.dvc_dir, "config"),
            "local": os.path.join(self.dvc_dir, "config.local"),
        }[level]

    @classmethod
    def load(cls, dvc_dir: str, *, validate: bool = True) -> Config:
        """Every level's file; `validate=False` keeps what DVC's schema refuses (unknown keys such
        as the 0.x `core.cloud`, bad values), as `dvc config` reads the files to list, get or fix them."""
        conf = cls(dvc_dir)
        for level in LEVELS:
            conf.levels[level] = _read(conf.path_of(level), validate)
        return conf

    def merged(self) -> dict:
        out: dict = {"core": {}, "cache": {}, "remote": {}}
        for level in LEVELS:
            for section, values in self.levels[level].items():
                if section == "remote":
                    for name, opts in values.items():
                        out["remote"].setdefault(name, {}).update(opts)
                else:
                    out.setdefault(section, {}).update(values)
        return out

    def check_remotes(self) -> None:
        """Each remote, its levels merged, by DVC's per-URL-type schema (a url, known keys, typed
        values): DVC refuses the whole config otherwise (exit 251), naming the level that defines it."""
        from stagecore.core.remote_schema import url_problem, validate_remote

        for name, opts in self.merged()["remote"].items():
            problem = validate_remote(name, opts)
            if problem and "url" in opts:  # a url naming no usable place: the words the remotes use
                problem = url_problem(name, opts["url"]) or problem
            if problem:
                level = next(lv for lv in reversed(LEVELS) if name in self.levels[lv].get("remote", {}))
                raise ConfigError(f"config file error in '{self.path_of(level)}': {problem[0]}",
                                  hint=problem[1] or f"correct it: stagecore remote modify {name} <option> <value>")

    def source_of(self, section: str, key: str) -> tuple[str | None, str | None]:
        """The effective value of `section.key` and the level it comes from (None, None if unset)."""
        for level in reversed(LEVELS):
            value = self.levels.get(level, {}).get(section, {}).get(key)
            if value is not None:
                return str(value), level
        return None, None

    def write(self, level: str, data: dict) -> None:
        """Rewrite one level's file whole (as DVC does), dropping emptied sections."""
        from configobj import ConfigObj

        path = self.path_of(level)
        obj = ConfigObj(encoding="utf-8", indent_type="    ")
        obj.filename = path
        # DVC's order: the plain sections as the file had them (a new one after them), then the
        # named ones: every `remote "x"`, then `machine "x"`, then `db "x"`
        for section, values in data.items():
            if section not in _NAMED_KINDS and values:
                obj[section] = dict(values)
        for kind in _NAMED_KINDS:
            for name, opts in data.get(kind, {}).items():
                if opts:
                    obj[f'{kind} "{name}"'] = dict(opts)
        import io

        from stagecore.storage.fsutil import atomic_write_bytes

        os.makedirs(os.path.dirname(path), exist_ok=True)
        buf = io.BytesIO()
        obj.write(buf)
        atomic_write_bytes(path, buf.getvalue())  # the one temp scheme (never a fixed `path.tmp`)
        self.levels[level] = data


# configobj's line regexes backtrack: a line of 20,000 '[' took 11 s, and it parses every
# line before reporting. DVC's config files are a few hundred bytes; these bounds keep the
# worst file under a second.
MAX_CONFIG_BYTES = 64 * 1024
MAX_LINE_CHARS = 4096
MAX_BRACKETS = 16  # per line: `['remote "name"']` has 2 of each


def _bounded_lines(path: str) -> list[str]:
    try:
        with open(path, "rb") as fobj:
            data = fobj.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"config file '{path}' cannot be read: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file '{path}' is larger than {MAX_CONFIG_BYTES:,} bytes",
                          hint="a DVC config holds a few sections: remove what is not configuration")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        raise ConfigError(f"config file '{path}' cannot be parsed: {problem}",
                          hint="fix the file or remove it") from None
    for number, line in enumerate(lines, 1):
        brackets = line.count("[") + line.count("]")
        if len(line) > MAX_LINE_CHARS or brackets > 2 * MAX_BRACKETS:
            raise ConfigError(
                f"config file '{path}' cannot be parsed: line {number} is too long or has too many brackets",
                hint=f"lines hold at most {MAX_LINE_CHARS} characters and {MAX_BRACKETS} '[' / ']' pairs",
            )
    return lines


def _read(path: str, validate: bool = True) -> dict:
    if not os.path.exists(path):
        return {}
    from configobj import ConfigObj, ConfigObjError

    try:
        obj = ConfigObj(_bounded_lines(path), encoding="utf-8", interpolation=False, list_values=True)
    except (ConfigObjError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"config file '{path}' cannot be parsed: {str(exc).splitlines()[0]}",
            hint="fix the syntax (INI: `[section]` then `key = value`) or remove the file",
        ) from None
    except OSError as exc:
        raise ConfigError(f"config file '{path}' cannot be read: {exc.strerror}") from None
    return _validate(path, obj, strict=validate)


def _where(path: str | None) -> str:
    """How a refusal starts: naming the file read, or, for an edit being made, DVC's words."""
    return f"config file error in '{path}': " if path else "configuration error - config file error: "


def _validate(path: str | None, obj, strict: bool = True) -> dict:
    """The file's sections, each problem refused as DVC does (`strict=False`: kept instead)."""
    data: dict = {}
    for section, values in obj.items():
        section = section.lower().strip()  # DVC lowercases section and key names
        if not isinstance(values, dict):
            raise ConfigError(f"{_where(path)}'{section}' is a key outside any [section]")
        match = _REMOTE_SECTION.match(section)
        named = _NAMED_SECTION.match(section)
        if match:
            allowed: set[str] | None = _REMOTE_KEYS
            target = data.setdefault("remote", {}).setdefault(match.group("name").lower(), {})
        elif named:
            allowed = _NAMED_KEYS[named.group("kind")]
            target = data.setdefault(named.group("kind"), {}).setdefault(named.group("name").lower(), {})
        elif section in _SCHEMA:
            allowed = _SCHEMA[section]
            target = data.setdefault(section, {})
        elif not strict:
            allowed, target = None, data.setdefault(section, {})
        else:
            raise ConfigError(
                f"{_where(path)}extra keys not allowed @ data['{section}']",
                hint="remove that section, or correct its name",
            )
        for key, value in values.items():
            key = key.lower()
            if not strict:
                target[key] = ",".join(value) if isinstance(value, list) else value
                continue
            if allowed is not None and key not in allowed:
                raise ConfigError(
                    f"{_where(path)}extra keys not allowed @ data['{section}']['{key}']",
                    hint="remove or correct that key",
                )
            target[key] = ",".join(value) if isinstance(value, list) else value
            problem = _value_problem(section, key, target[key])
            if problem:
                raise ConfigError(
                    f"{_where(path)}{problem} for dictionary value @ data['{section}']['{key}']",
                    hint="correct that value or remove the key",
                )
            if isinstance(target[key], str) and "\0" in target[key]:  # no path or name holds a NUL
                raise ConfigError(
                    f"{_where(path)}a NUL byte in the value of '{section}.{key}'",
                    hint="remove the NUL byte from that value",
                )
    return data


def _value_problem(section: str, key: str, value: object) -> str | None:
    """What DVC's schema says of one value it would refuse (None: accepted)."""
    kind = _VALUES.get((section, key))
    text = str(value).strip().lower()
    if kind is None:
        return None
    if kind == _BOOL:
        return None if text in ("true", "false") else _BOOL
    if kind == _INT:
        try:
            number = int(text)
        except ValueError:
            return _INT
        return None if number >= 1 else "value must be at least 1"
    if kind == "cache type":
        bad = [t.strip() for t in text.split(",") if t.strip() not in _CACHE_TYPES]
        return f"Unsupported cache type(s): {', '.join(bad)}" if bad else None
    return None if text in kind else f"expected one of {', '.join(kind)}"


def as_bool(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")
