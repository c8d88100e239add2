"""The repository: root, config, cache, state, ignore rules, git and the stage index (all lazy)."""

from __future__ import annotations

import os
from functools import cached_property

from stagecore.errors import NotARepoError

DVC_DIR = ".dvc"
# where every command writes (config, lock, state db, cache objects): a symlink here committed
# into git would send those writes wherever the repository's author chose
_LAYOUT = (DVC_DIR, ".dvc/config", ".dvc/config.local", ".dvc/tmp", ".dvc/tmp/lock",
           ".dvc/tmp/stagecore-state.sqlite", ".dvc/cache", ".dvc/cache/files", ".dvc/cache/files/md5")


class Repo:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.dvc_dir = os.path.join(self.root, DVC_DIR)
        self.tmp_dir = os.path.join(self.dvc_dir, "tmp")
        _refuse_committed_links(self.root)
        # every config level is read and validated here, once, whatever the command reads later
        # (DVC refuses an invalid config on every command, exit 251)
        self.config  # noqa: B018

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
        from stagecore.files.config import Config

        return Config.load(self.dvc_dir)

    @cached_property
    def conf(self) -> dict:
        return self.config.merged()

    @cached_property
    def cache_dir(self) -> str:
        cdir, level = self.config.source_of("cache", "dir")
        if not cdir:
            return _main_worktree_cache(self.root) or os.path.join(self.dvc_dir, "cache")
        path = os.path.normpath(os.path.join(self.dvc_dir, os.path.expanduser(cdir)))
        if level in ("repo", "local"):
            _refuse_committed_cache_dir(self, cdir, path, level)
        return path

    @cached_property
    def odb(self):
        from stagecore.storage.odb import LINK_TYPES, ObjectStore

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
        from stagecore.storage.state import State

        return State(self.tmp_dir)

    @cached_property
    def ignore(self):
        from stagecore.files.ignore import DvcIgnore

        return DvcIgnore(self.root)

    @cached_property
    def workspace(self):
        from stagecore.storage.workspace import Workspace

        workspace = Workspace(self.root, self.state, self.ignore)
        workspace.cache_dir_of = lambda: self.cache_dir
        return workspace

    @cached_property
    def scm(self):
        """The git repository, or None for `--no-scm` repositories."""
        from stagecore.files.config import as_bool
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
        from stagecore.files.config import as_bool

        return as_bool(self.conf.get("core", {}).get("autostage", False))

    def stages(self):
        """Every stage of the repository: `.dvc` files and the stages of every `dvc.yaml`."""
        from stagecore.files.index import collect_stages

        return collect_stages(self)

    def relpath(self, path: str, cwd: str | None = None) -> str:
        from stagecore.storage.fsutil import repo_relpath

        return repo_relpath(self.root, path, cwd)


def _refuse_committed_links(root: str) -> None:
    """`.dvc`, its config, tmp or cache committed into git as a symlink is refused (a link the
    user made, untracked, is honoured). Costs a few lstat calls; git is asked only about links."""
    links = [rel for rel in _LAYOUT if os.path.islink(os.path.join(root, rel))]
    links = [rel for rel in links if not any(rel.startswith(other + "/") for other in links)]
    if not links:
        return
    from stagecore.storage.fsguard import SymlinkEscapeError, tracked_by_git

    tracked = tracked_by_git(root, links)
    if tracked:
        rel = tracked[0]
        raise SymlinkEscapeError(
            f"'{rel}' is a symlink committed into git (to '{os.readlink(os.path.join(root, rel))}'): "
            "refused, stagecore writes its config, lock, state and cache only into real directories",
            rel, hint=f"remove the link from git and the work tree (git rm --cached '{rel}'; rm '{rel}'); "
            "a symlink you create yourself, untracked, is honoured")


def _refuse_committed_cache_dir(repo: Repo, value: str, path: str, level: str) -> None:
    """A `cache.dir` from the committed `.dvc/config` must stay inside the work tree (outside
    .git) unless confirmed in `.dvc/config.local`; a local one counts only when git does not
    track `.dvc/config.local` (the author of the repository could commit it too)."""
    from stagecore.errors import ConfigError
    from stagecore.storage.fsguard import real_root, within

    rroot = real_root(repo.root)
    real = os.path.realpath(path)
    if real != rroot and within(real, rroot) and not within(real, os.path.join(rroot, ".git")):
        return
    if level == "local":
        from stagecore.storage.fsguard import tracked_by_git

        if not tracked_by_git(repo.root, [".dvc/config.local"]):
            return
        where = "'.dvc/config.local', which is committed into git"
        hint = "remove it from git (git rm --cached .dvc/config.local); your own local config is honoured"
    else:
        where = f"the committed config '{repo.config.path_of('repo')}'"
        hint = (
            f"if you meant to use that cache, confirm it locally: stagecore config --local cache.dir {real}"
            " (or remove cache.dir from .dvc/config)"
        )
    raise ConfigError(f"cache.dir '{value}' in {where} leads outside the work tree ('{real}'): refused",
                      hint=hint)


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
