"""`verify`: the CI twin of the pre-commit gate, judged on a revision without a checkout.

At REV: every stage's lock must agree with `dvc.yaml` (command, deps, params), git-tracked
dependencies are hashed from git's objects, dependencies produced by other stages or `.dvc`
files must match what those record, and (with a remote) every object REV references must
be on the data remote: checked, not downloaded (only `.dir` manifests are read).
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from typing import Any, NamedTuple

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.stage import is_external_dep
from stagecore.core.tree import manifest_bytes, manifest_hash, parse_manifest
from stagecore.errors import StagecoreError
from stagecore.ops.gitblobs import BlobReader, bytes_hash, tree_of
from stagecore.ops.status import stage_changes
from stagecore.ops.used import refs_of_blobs
from stagecore.storage.workspace import Measured

_TEXT_EXT = (".yaml", ".yml", ".json", ".toml", ".py", ".dvc", ".lock")
_NEEDED_EXT = (".yaml", ".yml", ".json", ".toml", ".dvc", ".lock")  # fetched when a partial clone lacks them


class VerifyReport(NamedTuple):
    rev: str
    stages: dict[str, list[Any]]  # addressing -> status items (deps/params/command)
    missing_on_remote: dict[str, str]  # path -> md5
    remote: str | None

    @property
    def ok(self) -> bool:
        return not self.stages and not self.missing_on_remote

    def as_json(self) -> dict[str, Any]:
        return {"rev": self.rev, "ok": self.ok, "stages": self.stages,
                "missing_on_remote": self.missing_on_remote, "remote": self.remote}


def verify(repo, rev: str = "HEAD", remote: str | None = None, check_remote: bool = True) -> VerifyReport:
    import pygit2

    from stagecore.repo import Repo

    if repo.scm is None:
        raise StagecoreError("verify reads revisions from git, and this repository has no git")
    git = repo.scm.repo
    try:
        commit = git.revparse_single(rev).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        raise StagecoreError(f"unknown revision '{rev}'", hint="give a branch, tag or commit") from None
    blobs = _project_blobs(_tree_blobs(git, commit.tree), _project_prefix(repo.root, git.workdir))
    reader = BlobReader(git)
    reader.prefetch({p: oid for p, oid in blobs.items() if p.endswith(_NEEDED_EXT)})  # partial clones
    with tempfile.TemporaryDirectory(prefix="stagecore-verify-") as shadow:
        os.makedirs(os.path.join(shadow, ".dvc"))
        dvc_files: dict[str, bytes] = {}
        for path, oid in blobs.items():
            size = reader.size(oid) if path.endswith(_TEXT_EXT) else None
            if size is not None and size < (1 << 20):
                data = reader.data(oid)
                full = os.path.join(shadow, *path.split("/"))
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as fobj:
                    fobj.write(data)
                if path.endswith((".dvc", "dvc.lock", "dvc.yaml")):
                    dvc_files[path] = data
        with Repo(shadow) as shadow_repo:
            shadow_repo.__dict__["conf"] = repo.conf  # the real config (remotes, cache)
            stages = shadow_repo.stages()
            use_remote = check_remote and bool(remote or repo.conf.get("core", {}).get("remote"))
            memo, unknown = _measurements(repo, reader, blobs, stages, _ManifestSource(repo, remote, use_remote))
            shadow_repo.workspace.memo = memo
            report = {}
            for stage in stages:
                items = _judged(stage_changes(shadow_repo, stage, shadow, external=False), unknown)
                items += [unknown[p] for p in dict.fromkeys(stage.dep_path(d) for d in stage.deps) if p in unknown]
                if stage.name is not None and stage.lock is None:
                    items.append("never run: no dvc.lock entry")
                if items:
                    report[stage.addressing] = items
    missing: dict[str, str] = {}
    remote_name = None
    if check_remote and (remote or repo.conf.get("core", {}).get("remote")):
        remote_name, missing = _missing_on_remote(repo, refs_of_blobs(dvc_files, for_push=True), remote)
    return VerifyReport(str(commit.id), report, missing, remote_name)


def _judged(items: list[Any], unknown: dict[str, str]) -> list[Any]:
    """Status items minus outputs (not in git) and deps that could not be judged."""
    kept: list[Any] = []
    for item in items:
        if isinstance(item, dict) and "changed outs" in item:
            continue
        if isinstance(item, dict) and "changed deps" in item:
            deps = {p: v for p, v in item["changed deps"].items() if p not in unknown}
            if not deps:
                continue
            item = {"changed deps": deps}
        kept.append(item)
    return kept


def _project_prefix(root: str, workdir: str | None) -> str:
    """The project's directory inside the git work tree ('' at the top, `init --subdir` below)."""
    if not workdir:
        return ""
    rel = os.path.relpath(os.path.realpath(root), os.path.realpath(workdir)).replace(os.sep, "/")
    return "" if rel == "." else rel


def _project_blobs(blobs: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The blobs of this project, project-relative: without the nested projects below it
    (directories holding their own `.dvc/`), as DVC keeps each project to itself."""
    if prefix:
        cut = len(prefix) + 1
        blobs = {p[cut:]: oid for p, oid in blobs.items() if p.startswith(prefix + "/")}
    nested = {p.rsplit("/.dvc/", 1)[0] for p in blobs if "/.dvc/" in p}
    if not nested:
        return blobs
    return {p: oid for p, oid in blobs.items() if not _dirs_of(p) & nested}


def _dirs_of(path: str) -> set[str]:
    parts = path.split("/")[:-1]
    return {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _tree_blobs(git, tree, prefix: str = "") -> dict[str, Any]:
    found = {}
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            found.update(_tree_blobs(git, git[entry.id], path + "/"))
        elif entry.type_str == "blob":
            found[path] = entry.id
    return found


class _ManifestSource:
    """`.dir` manifests for deps inside tracked directories: the cache, else the data remote."""

    def __init__(self, repo, remote: str | None, use_remote: bool) -> None:
        self.repo, self.remote, self.use_remote = repo, remote, use_remote

    def get(self, hi: HashInfo) -> dict[str, str] | None:
        try:
            return self.repo.odb.manifest(hi)
        except StagecoreError:
            pass
        if not self.use_remote:
            return None
        from stagecore.ops.transfer import open_data_remote
        from stagecore.storage.odb import object_relpath

        try:
            with open_data_remote(self.repo, self.remote, "verify") as rem:
                return _remote_manifest(self.repo, rem, hi, object_relpath(hi))
        except StagecoreError:
            return None


def _measurements(repo, reader: BlobReader, blobs: dict[str, Any], stages,
                  manifests: _ManifestSource) -> tuple[dict, dict[str, str]]:
    """What each local dependency is at REV: git blobs hashed (with the dep's own algorithm),
    stage/.dvc outputs as recorded, files inside a tracked directory from its manifest.
    Also {path: why} for the deps that cannot be judged (their manifest is not at hand)."""
    outs: dict[str, HashInfo] = {}
    metas: dict[str, Meta] = {}
    for stage in stages:
        for out in stage.outs:
            if out.hash is not None:
                outs[stage.out_path(out)] = out.hash
                metas[stage.out_path(out)] = out.meta
    wanted: dict[tuple[str, str], list[tuple[str, Any]] | None] = {}
    for stage in stages:
        for dep in stage.deps:
            if is_external_dep(dep):
                continue
            path = stage.dep_path(dep)
            name = dep.hash.name if dep.hash is not None else MD5
            if (path, name) in wanted or path in outs:
                wanted.setdefault((path, name), None)
                continue
            if path in blobs:
                wanted[(path, name)] = [("", blobs[path])]
            else:
                wanted[(path, name)] = [(p[len(path) + 1:], oid) for p, oid in blobs.items()
                                        if p.startswith(path + "/")]
    reader.prefetch({posixpath.join(path, rel) if rel else path: oid
                     for (path, _name), files in wanted.items() for rel, oid in files or []})
    memo: dict = {}
    unknown: dict[str, str] = {}
    for (path, name), files in wanted.items():
        if path in outs:
            memo[(path, name)] = Measured(HashInfo(name, outs[path].value), metas[path])
        elif files and files[0][0] == "":
            data = reader.data(files[0][1])
            memo[(path, name)] = Measured(HashInfo(name, bytes_hash(data, name)), Meta(len(data)))
        elif files:
            memo[(path, name)] = _dir_measured(tree_of(reader, files, name), name)
        else:
            memo[(path, name)] = _inside_output(manifests, path, name, outs, unknown)
    return memo, unknown


def _dir_measured(tree: dict[str, str], name: str) -> Measured:
    data = manifest_bytes(tree)
    return Measured(manifest_hash(data, name), Meta(None, len(tree)), tree, data)


def _inside_output(manifests: _ManifestSource, path: str, name: str, outs: dict[str, HashInfo],
                   unknown: dict[str, str]):
    """A dependency on a file or directory inside a tracked directory: read from its manifest."""
    top = next((p for p in outs if path.startswith(p + "/") and outs[p].isdir), None)
    if top is None:
        return None
    files = manifests.get(outs[top])
    if files is None:
        where = "the cache or the data remote" if manifests.use_remote else "the cache"
        unknown[path] = (f"cannot check '{path}': the manifest of '{top}' ({outs[top].value}) "
                         f"is not in {where} (run `stagecore fetch` first)")
        return None
    rel = path[len(top) + 1:]
    if rel in files:
        return Measured(HashInfo(name, files[rel]), Meta(None))
    sub = {r[len(rel) + 1:]: md5 for r, md5 in files.items() if r.startswith(rel + "/")}
    return _dir_measured(sub, name) if sub else None


def _missing_on_remote(repo, refs, remote: str | None) -> tuple[str, dict[str, str]]:
    from stagecore.ops.transfer import open_data_remote
    from stagecore.storage.odb import object_relpath

    missing: dict[str, str] = {}
    with open_data_remote(repo, remote, "verify") as rem:
        todo = {object_relpath(r.hash): r for r in refs}
        present = rem.exists_many(list(todo))
        for key, ref in todo.items():
            if key not in present:
                missing[ref.path] = ref.hash.value
            elif ref.hash.isdir:
                files = _remote_manifest(repo, rem, ref.hash, key)
                keys = {object_relpath(HashInfo(ref.hash.name, md5)): rel for rel, md5 in files.items()}
                have = rem.exists_many(list(keys))
                for fkey, rel in keys.items():
                    if fkey not in have:
                        missing[posixpath.join(ref.path, rel)] = fkey.replace("/", "")[-32:]
        return rem.name, missing


def _remote_manifest(repo, rem, hi: HashInfo, key: str) -> dict[str, str]:
    try:
        return repo.odb.manifest(hi)
    except StagecoreError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "manifest")
        rem.download(key, path)
        with open(path, "rb") as fobj:
            data = fobj.read()
    if manifest_hash(data, hi.name).value != hi.value:  # hashed before it is believed
        raise StagecoreError(f"the manifest '{hi.value}' on the data remote is corrupt (its content has "
                             f"md5 {manifest_hash(data, hi.name).value})",
                             hint="push a good copy from a cache that has it (`stagecore push`)")
    return parse_manifest(data)
