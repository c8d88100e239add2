"""Writing the fast path's snapshot (see stagecore.fastpath.snapshot) after a clean full check.

`record(repo, stages, kind, since_ns)` lists every path the verdict depends on, stats it, and
writes the snapshot only when nothing is in doubt: no external or URL dependency, no `vars`
in a dvc.yaml, every recorded mtime/ctime older than `since_ns` (when the check started) by
more than the timestamp granularity. It never raises: a snapshot not written only costs time.
`stagecore.fastpath.snapshot.forget(root, kind)` removes it before a full check runs.
"""

from __future__ import annotations

import marshal
import os
import posixpath
import stat as statmod

from stagecore import __version__
from stagecore.fastpath.records import (
    git_paths,
    index_entries,
    real_tmp_dir,
    relevance,
    sig_of,
    snapshot_path,
)
from stagecore.fastpath.snapshot import VERSION

FINE_NS = 100_000_000  # margin for file systems with ns timestamps (coarse clock ticks are ms)
COARSE_NS = 2_000_000_000  # when timestamps look whole-second (FAT: 2 s)


class Doubt(Exception):
    """Something the snapshot cannot vouch for: no snapshot."""


def record(repo, stages, kind: str, since_ns: int, *, with_index: bool) -> bool:
    """Write the snapshot of a clean verdict for `stages`; False (nothing written) when in doubt."""
    part = collect_part(repo, stages)
    return part is not None and record_parts(repo.root, [part], kind, since_ns, with_index=with_index)


def collect_part(repo, stages, prefix: str = "") -> dict | None:
    """What one project's clean verdict depends on (`prefix`: its directory below the git root),
    for `record_parts`; None when in doubt. Several projects of one git repository (a root
    project holding `init --subdir` ones) make one snapshot: each project's part, merged."""
    try:
        return _collect(repo, stages, prefix)
    except Exception:  # noqa: BLE001 - a snapshot is an optimisation, never a failure
        return None


def record_parts(root: str, parts: list[dict], kind: str, since_ns: int, *, with_index: bool) -> bool:
    """Write the snapshot of `kind` in project `root` (the git root when `with_index`) from the
    parts of every project the verdict judged; False (nothing written) when in doubt."""
    try:
        snap = _assemble(root, parts, kind, with_index)
        if not _settled(snap, since_ns):
            return False
        if not real_tmp_dir(root):
            return False
        from stagecore.storage.fsutil import atomic_write_bytes

        atomic_write_bytes(snapshot_path(root, kind), marshal.dumps(snap))
        from stagecore.fastpath.fsmonitor_record import record  # the watchman clock vouching for it, when on

        record(root, kind, snap, os.environ)
        return True
    except Exception:  # noqa: BLE001 - a snapshot is an optimisation, never a failure
        return False


def _settled(snap: dict, since_ns: int) -> bool:
    """Every timestamp recorded is older than the check's start by the granularity margin."""
    sigs = [s for _, _, group in snap["groups"] for s in group if s is not None]
    sigs += [s for s in snap["follow_sigs"] if s is not None]
    coarse = any(s[3] % 1_000_000_000 == 0 and s[4] % 1_000_000_000 == 0 for s in sigs)
    limit = since_ns - (COARSE_NS if coarse else FINE_NS)
    return all(s[3] < limit and s[4] < limit for s in sigs)


class _Paths:
    def __init__(self, root: str) -> None:
        self.root = root
        self.seen: dict[str, Sig] = {}
        self.follow: dict[str, Sig] = {}
        self.trees: set[str] = set()
        self.under: dict[str, list[str]] = {}  # tree's rel -> every path recorded below it (itself included)

    def one(self, rel: str) -> os.stat_result | None:
        """Record `rel` (repo-relative, or absolute) as it is now, absent included."""
        path = os.path.join(self.root, rel)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            self.seen[path] = None
            return None
        except NotADirectoryError:
            raise Doubt(path) from None
        self.seen[path] = sig_of(st)
        if statmod.S_ISLNK(st.st_mode):  # a link: its target is what gets measured
            try:
                self.follow[path] = sig_of(os.stat(path))
            except OSError:
                self.follow[path] = None
                raise Doubt(path) from None
        return st

    def tree(self, rel: str) -> None:
        """`rel` and, for a directory, everything below it (once)."""
        if rel in self.trees:
            return
        self.trees.add(rel)
        found = self.under[rel] = [os.path.join(self.root, rel)]
        st = self.one(rel)
        if st is None or not statmod.S_ISDIR(st.st_mode):
            return
        stack = [os.path.join(self.root, rel)]
        while stack:
            top = stack.pop()
            with os.scandir(top) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    self.seen[entry.path] = sig_of(st)
                    found.append(entry.path)
                    if statmod.S_ISDIR(st.st_mode):
                        stack.append(entry.path)
                    elif statmod.S_ISLNK(st.st_mode):
                        self.one(entry.path)  # records the target too


Sig = tuple | None


def _collect(repo, stages, prefix: str = "") -> dict:
    from stagecore.core.stage import is_offline, is_url
    from stagecore.ops.external import outside_path

    root = repo.root
    paths = _Paths(root)
    _dvc_dirs(repo, paths)
    conf = repo.config
    for level in ("system", "global", "repo", "local"):
        paths.one(conf.path_of(level))
    git_files: set[str] = set()
    git_dirs: set[str] = set()
    protected = set(paths.seen)  # dvc files and configs: always stat'ed (stagecore.fastpath.snapshot_tracked)
    dep_rels: list[str] = []
    outs: list[str] = []
    lead = prefix.strip("/") + "/" if prefix.strip("/") else ""
    for stage in stages:
        for dep in stage.deps:
            if is_offline(dep):
                raise Doubt("a URL or import dependency")
            path = stage.dep_path(dep)
            if outside_path(root, path) is not None:
                raise Doubt("a dependency outside the repository")
            paths.tree(path)
            dep_rels.append(path)
            git_files.add(lead + path)
            git_dirs.add(lead + path.rstrip("/") + "/")
        for pfile in stage.params:
            from stagecore.core.entry import resolve

            rel = resolve(stage.wdir, pfile)
            paths.one(rel)
            protected.add(os.path.join(root, rel))
            git_files.add(lead + rel)
        for out in stage.outs:
            if is_url(out.path) or outside_path(root, stage.out_path(out)) is not None:
                raise Doubt("an output outside the repository")
            paths.tree(stage.out_path(out))
            outs.append(os.path.join(root, stage.out_path(out)))
            if out.cache:
                _object(repo, paths, out.hash)
    trees = [paths.under[rel] for rel in dep_rels] if repo.ignore.empty and not paths.follow else []
    return {"seen": paths.seen, "follow": paths.follow, "files": git_files, "dirs": git_dirs,
            "dep_trees": trees, "protected": protected, "outs": outs}


def _assemble(root: str, parts: list[dict], kind: str, with_index: bool) -> dict:
    seen: dict[str, Sig] = {}
    follow: dict[str, Sig] = {}
    git_files: set[str] = set()
    git_dirs: set[str] = set()
    for part in parts:
        seen.update(part["seen"])
        follow.update(part["follow"])
        git_files |= part["files"]
        git_dirs |= part["dirs"]
    modes: dict[bytes, int] = {}
    index = _index(root, seen, kind, git_files, git_dirs, modes) if with_index else None
    if index is not None:  # git-tracked dependencies: judged by the index entries alone
        from stagecore.fastpath.snapshot_tracked import index_tracked

        for path in index_tracked(root, parts, seen, modes):
            del seen[path]
    groups: dict[str, tuple[list[str], list[Sig]]] = {}  # by directory: stat'ed relative to its fd
    for path, sig in seen.items():
        top, name = os.path.split(path)
        names, sigs = groups.setdefault(top, ([], []))
        names.append(name)
        sigs.append(sig)
    return {
        "version": VERSION, "kind": kind, "stagecore": __version__, "root": root,
        "groups": [(top, names, sigs) for top, (names, sigs) in groups.items()],
        "follow": list(follow), "follow_sigs": list(follow.values()),
        "index": index,
    }


def _index(root: str, seen: dict, kind: str, git_files: set[str], git_dirs: set[str], modes: dict) -> tuple:
    found = git_paths(root, os.environ)
    if found is None:
        raise Doubt("no git index")
    git_dir = found[0]
    config = os.path.join(git_dir, "config")
    try:  # stagecore.* hook policy
        seen[config] = sig_of(os.lstat(config))
    except FileNotFoundError:
        seen[config] = None
    try:
        with open(config, "rb") as fobj:
            if b"objectformat" in fobj.read().lower():
                raise Doubt("a SHA-256 repository")
    except FileNotFoundError:
        pass
    files = sorted(os.fsencode(p) for p in git_files)
    dirs = sorted(os.fsencode(p) for p in git_dirs)
    own = os.fsencode(posixpath.relpath(snapshot_path(root, kind), root).replace(os.sep, "/"))
    entries = index_entries(found[1], relevance(files, dirs, own), modes)
    if entries is None:
        raise Doubt("git index not understood")
    return files, dirs, own, entries


def _object(repo, paths: _Paths, hi) -> None:
    """The cache object of `hi`; for a directory, the cache shards holding its files (a file
    removed from the cache changes its shard directory)."""
    if hi is None:
        return
    odb = repo.odb
    paths.one(odb.path_of(hi))
    if hi.isdir:
        try:
            files = odb.manifest(hi)
        except Exception as exc:  # noqa: BLE001
            raise Doubt("a manifest that cannot be read") from exc
        from stagecore.core.hashinfo import HashInfo

        for prefix in sorted({md5[:2] for md5 in files.values()}):
            paths.one(os.path.dirname(odb.path_of(HashInfo(hi.name, prefix + "0" * 30))))


def _dvc_dirs(repo, paths: _Paths) -> None:
    """What the search for dvc files reads (stagecore.files.index.find_dvc_files): each directory it
    visits or skips as a nested project, their .gitignore / .dvcignore, the dvc files, and next
    to each dvc.yaml its dvc.lock and params.yaml."""
    from stagecore.files.ignore import ALWAYS
    from stagecore.files.index import _ignored_names

    root = repo.root
    stack = [""]
    while stack:
        reldir = stack.pop()
        paths.one(reldir or ".")
        absdir = os.path.join(root, reldir)
        entries = list(os.scandir(absdir))
        if reldir and any(e.name == ".dvc" and e.is_dir(follow_symlinks=False) for e in entries):
            continue
        for name in (".gitignore", ".dvcignore"):
            paths.one(posixpath.join(reldir, name))
        skip = _ignored_names(absdir)
        for entry in entries:
            name = entry.name
            rel = f"{reldir}/{name}" if reldir else name
            if entry.is_dir(follow_symlinks=False):
                if name in ALWAYS or name in skip:
                    continue
                if not repo.ignore.empty and repo.ignore.match(rel, True):
                    continue
                stack.append(rel)
            elif name == "dvc.yaml":
                with open(entry.path, "rb") as fobj:
                    if b"vars" in fobj.read():
                        raise Doubt("a dvc.yaml with vars")
                for other in ("dvc.yaml", "dvc.lock", "params.yaml"):
                    paths.one(posixpath.join(reldir, other))
            elif name.endswith(".dvc"):
                paths.one(rel)
