"""Where a remote's url may point: never into the repository's `.dvc` or `.git` directory (of the
enclosing git repository too, for a nested project, and the directories a `.git` file names) nor
into the cache, whichever config level set it; the error names that config file."""

from __future__ import annotations

import os

from stagecore.errors import ConfigError
from stagecore.files.config import LEVELS, Config


def config_error(text: str, hint: str | None = None) -> ConfigError:
    """An error in a config file, worded as DVC words it (exit 251)."""
    return ConfigError(f"configuration error - config file error: {text}", hint=hint)


def _url_source(config: Config, name: str) -> str:
    """The config file whose `url` for remote `name` is in effect (the last level setting it)."""
    for level in reversed(LEVELS):
        opts = (config.levels.get(level) or {}).get("remote", {}).get(name)
        if isinstance(opts, dict) and "url" in opts:
            return config.path_of(level)
    return config.path_of("repo")


def _git_dirs(root: str) -> list[str]:
    """The `.git` of the project's git repository: the nearest one at or above `root` (a nested
    `init --subdir` project lives below it), with the directories a `.git` file (a linked
    worktree, a submodule) points to."""
    top = os.path.abspath(root)
    while True:
        dotgit = os.path.join(top, ".git")
        if os.path.lexists(dotgit):
            found = [dotgit]
            if os.path.isfile(dotgit):
                try:
                    with open(dotgit, encoding="utf-8", errors="replace") as fobj:
                        gitdir = os.path.join(top, fobj.read(4096).strip().removeprefix("gitdir:").strip())
                    found.append(gitdir)
                    with open(os.path.join(gitdir, "commondir"), encoding="utf-8", errors="replace") as fobj:
                        found.append(os.path.join(gitdir, fobj.read(4096).strip()))
                except OSError:
                    pass
            return found
        parent = os.path.dirname(top)
        if parent == top:
            return [os.path.join(os.path.abspath(root), ".git")]
        top = parent


def check_url(config: Config, name: str, url: object, cache_dir: object = None) -> None:
    """Refuse (ConfigError naming the config file) a remote url that is empty, of an unknown type,
    or a directory inside the repository's `.dvc` or `.git`, or the cache (or inside it)."""
    from stagecore.core.remote_schema import url_problem
    from stagecore.remotes import local_path, remote_kind
    from stagecore.storage.fsguard import within

    source = _url_source(config, name)
    problem = url_problem(name, url)
    if problem is None and isinstance(url, str) and remote_kind(url) == "local":
        where = os.path.realpath(local_path(url, os.path.dirname(source)))
        root = os.path.dirname(os.path.abspath(config.dvc_dir))
        cache = os.path.join(config.dvc_dir, os.path.expanduser(cache_dir)) \
            if isinstance(cache_dir, str) and cache_dir else os.path.join(config.dvc_dir, "cache")
        places = (("cache", cache), (".dvc", config.dvc_dir), *((".git", d) for d in _git_dirs(root)))
        for label, inside in places:
            real = os.path.realpath(inside)
            if within(where, real):
                what = "the cache" if label == "cache" else f"the repository's {label} directory"
                problem = (f"remote '{name}' has url '{url}', which is inside {what} ('{where}')",
                           f"point it at a directory outside {what}: "
                           f"stagecore remote modify {name} url <dir>")
                break
    if problem is not None:
        raise config_error(f"'{source}': {problem[0]}", hint=problem[1])
