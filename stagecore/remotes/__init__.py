"""Data remotes: `open_remote` picks the backend from the URL scheme.

No scheme or `file://` -> a local directory (relative URLs are relative to the config
dir, `.dvc/`, as DVC stores them); `s3://bucket/prefix`; `ssh://[user@]host[:port]/path`.
Each backend module owns its SDK and imports it only when a remote of its kind is opened.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from stagecore.errors import RemoteError
from stagecore.remotes.base import Remote, RemoteObjectNotFound, conf_jobs

__all__ = ["Remote", "RemoteError", "RemoteObjectNotFound", "open_remote", "remote_kind"]

_SUPPORTED = ("local", "s3", "ssh")


def remote_kind(url: str) -> str:
    """`local`, `s3`, `ssh`, or the URL's scheme for kinds stagecore does not support."""
    scheme = urlsplit(url).scheme.lower()
    if not scheme or scheme == "file" or (len(scheme) == 1 and os.name == "nt"):
        return "local"
    return scheme


def local_path(url: str, config_dir: str) -> str:
    """The absolute directory of a local remote URL, relative ones resolved against `config_dir`."""
    parts = urlsplit(url)
    path = unquote(parts.path) if parts.scheme.lower() == "file" else url
    path = os.path.expanduser(path)
    return os.path.normpath(os.path.join(config_dir, path))


_PATH_KEYS = ("keyfile", "credentialpath", "configpath")


def _resolve_paths(conf: dict, config_dir: str) -> dict:
    """Relative file options (keyfile, ...) are relative to the config dir, as DVC writes them."""
    out = dict(conf)
    for key in _PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and value:
            out[key] = os.path.normpath(os.path.join(config_dir, os.path.expanduser(value)))
    return out


def open_remote(name: str, conf: dict, config_dir: str) -> Remote:
    """Open remote `name` from its config section `conf` (`url` plus backend keys)."""
    url = conf.get("url")
    if not url:
        raise RemoteError(
            f"remote '{name}' has no url",
            hint=f"set one: stagecore remote modify {name} url <url>",
        )
    kind = remote_kind(url)
    conf = _resolve_paths(conf, config_dir)
    if kind == "local":
        from stagecore.remotes.local import LocalRemote

        return LocalRemote(name, url, local_path(url, config_dir), conf_jobs(conf, network=False))
    if kind == "s3":
        from stagecore.remotes.s3 import S3Remote

        return S3Remote(name, url, conf, conf_jobs(conf, network=True))
    if kind == "ssh":
        from stagecore.remotes.ssh import SSHRemote

        return SSHRemote(name, url, conf, conf_jobs(conf, network=True))
    raise RemoteError(
        f"remote '{name}' has unsupported type '{kind}' (url '{url}')",
        hint=f"stagecore supports {', '.join(_SUPPORTED)} remotes; use DVC itself for '{kind}'",
    )
