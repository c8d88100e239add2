"""The repository: root, config, cache, state, ignore rules, git and the stage index (all lazy)."""

from __future__ import annotations

import os
from functools import cached_property

from stagecore.errors import NotARepoError

DVC_DIR = ".dvc"


class Repo:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.dvc_dir = os.path.join(self.root, DVC_DIR)
        self.tmp_dir = os.path.join(self.dvc_dir, "tmp")

    @classmethod
    def find(cls, cwd: str | None = None) -> Repo:
        start = os.path.abspath(cwd or os.getcwd())
        cur = start
        while True:
            if os.path.isdir(os.path.join(cur, DVC_DIR)):
                return cls(cur)
            parent = os.path.dirname(cur)
            if parent == cur:
                raise NotARepoError(start)
            cur = parent

    def __enter__(self) -> Repo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if "state" in self.__dict__:
            self.state.flush()

    @cached_property
    def config(self):
        from stagecore.config import Config

        return Config.load(self.dvc_dir)

    @cached_property
    def conf(self) -> dict:
        return self.config.merged()

    @cached_property
    def cache_dir(self) -> str:
        cdir = self.conf.get("cache", {}).get("dir")
        if not cdir:
            return _main_worktree_cache(self.root) or os.path.join(self.dvc_dir, "cache")
        return os.path.normpath(os.path.join(self.dvc_dir, os.path.expanduser(cdir)))

    @cached_property
    def odb(self):
        from stagecore.odb import LINK_TYPES, ObjectStore

        raw = self.conf.get("cache", {}).get("type") or "reflink,copy"
        kinds = tuple(k.strip() for k in str(raw).split(",") if k.strip())
        bad = [k for k in kinds if k not in LINK_TYPES]
        if bad:
            from stagecore.errors import ConfigError

            raise ConfigError(
                f"config error in '{self.config.path_of('repo')}': unknown cache.type '{bad[0]}'",
                hint="use reflink, hardlink, symlink or copy (comma-separated for fallbacks)",
            )
        return ObjectStore(self.cache_dir, kinds)

    @cached_property
    def state(self):
        from stagecore.state import State

        return State(self.tmp_dir)

    @cached_property
    def ignore(self):
        from stagecore.ignore import DvcIgnore

        return DvcIgnore(self.root)

    @cached_property
    def workspace(self):
        from stagecore.workspace import Workspace

        return Workspace(self.root, self.state, self.ignore)

    @cached_property
    def scm(self):
        """The git repository, or None for `--no-scm` repositories."""
        from stagecore.config import as_bool
        from stagecore.scm import Git

        if as_bool(self.conf.get("core", {}).get("no_scm", False)):
            return None
        if not os.path.exists(os.path.join(self.root, ".git")):
            from stagecore.scm import discover_root

            if discover_root(self.root) is None:
                return None
        return Git(self.root)

    @property
    def autostage(self) -> bool:
        from stagecore.config import as_bool

        return as_bool(self.conf.get("core", {}).get("autostage", False))

    def stages(self):
        """Every stage of the repository: `.dvc` files and the stages of every `dvc.yaml`."""
        from stagecore.index import collect_stages

        return collect_stages(self)

    def relpath(self, path: str, cwd: str | None = None) -> str:
        from stagecore.fsutil import repo_relpath

        return repo_relpath(self.root, path, cwd)


def _main_worktree_cache(root: str) -> str | None:
    """In a linked git worktree, the main work tree's cache: worktrees share one cache."""
    dotgit = os.path.join(root, ".git")
    if not os.path.isfile(dotgit):
        return None
    try:
        with open(dotgit, encoding="utf-8") as fobj:
            gitdir = fobj.read().strip().removeprefix("gitdir:").strip()
        gitdir = os.path.normpath(os.path.join(root, gitdir))
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as fobj:
            common = os.path.normpath(os.path.join(gitdir, fobj.read().strip()))
    except OSError:
        return None
    main_root = os.path.dirname(common)
    if os.path.basename(common) != ".git" or os.path.samefile(main_root, root):
        return None
    cache = os.path.join(main_root, DVC_DIR, "cache")
    return cache if os.path.isdir(os.path.join(main_root, DVC_DIR)) else None
