"""`verify`: the CI twin of the pre-commit gate, judged on a revision without a checkout.

At REV: every stage's lock must agree with `dvc.yaml` (command, deps, params), git-tracked
dependencies are hashed from git's objects, dependencies produced by other stages or `.dvc`
files must match what those record, and (with a remote) every object REV references must
be on the data remote: checked, not downloaded (only `.dir` manifests are read).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
from typing import Any, NamedTuple

from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.core.tree import manifest_bytes, manifest_hash, parse_manifest
from stagecore.errors import StagecoreError
from stagecore.ops.status import stage_changes
from stagecore.ops.used import refs_of_blobs
from stagecore.workspace import Measured

_TEXT_EXT = (".yaml", ".yml", ".json", ".toml", ".py", ".dvc", ".lock")


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
    blobs = _tree_blobs(git, commit.tree)
    with tempfile.TemporaryDirectory(prefix="stagecore-verify-") as shadow:
        os.makedirs(os.path.join(shadow, ".dvc"))
        dvc_files: dict[str, bytes] = {}
        for path, oid in blobs.items():
            if path.endswith(_TEXT_EXT) and git[oid].size < (1 << 20):
                data = git[oid].data
                full = os.path.join(shadow, *path.split("/"))
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as fobj:
                    fobj.write(data)
                if path.endswith((".dvc", "dvc.lock", "dvc.yaml")):
                    dvc_files[path] = data
        with Repo(shadow) as shadow_repo:
            shadow_repo.__dict__["conf"] = repo.conf  # the real config (remotes, cache)
            stages = shadow_repo.stages()
            shadow_repo.workspace.memo = _measurements(git, blobs, stages)
            report = {}
            for stage in stages:
                items = [i for i in stage_changes(shadow_repo, stage, shadow)
                         if not (isinstance(i, dict) and "changed outs" in i)]
                if stage.name is not None and stage.lock is None:
                    items.append("never run: no dvc.lock entry")
                if items:
                    report[stage.addressing] = items
    missing: dict[str, str] = {}
    remote_name = None
    if check_remote and (remote or repo.conf.get("core", {}).get("remote")):
        remote_name, missing = _missing_on_remote(repo, refs_of_blobs(dvc_files, for_push=True), remote)
    return VerifyReport(str(commit.id), report, missing, remote_name)


def _tree_blobs(git, tree, prefix: str = "") -> dict[str, Any]:
    found = {}
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            found.update(_tree_blobs(git, git[entry.id], path + "/"))
        elif entry.type_str == "blob":
            found[path] = entry.id
    return found


def _measurements(git, blobs: dict[str, Any], stages) -> dict:
    """What each dependency is at REV: git blobs hashed, stage/.dvc outputs as recorded."""
    outs = {}
    for stage in stages:
        for out in stage.outs:
            if out.hash is not None:
                outs[stage.out_path(out)] = Measured(out.hash, out.meta)
    memo: dict = {}
    for stage in stages:
        for dep in stage.deps:
            path = stage.dep_path(dep)
            name = dep.hash.name if dep.hash is not None else MD5
            if (path, name) in memo:
                continue
            if path in outs:
                memo[(path, name)] = outs[path]
            elif path in blobs:
                data = git[blobs[path]].data
                memo[(path, name)] = Measured(HashInfo(MD5, hashlib.md5(data).hexdigest()), Meta(len(data)))
            else:
                files = {p[len(path) + 1:]: oid for p, oid in blobs.items() if p.startswith(path + "/")}
                if files:
                    tree = {rel: hashlib.md5(git[oid].data).hexdigest() for rel, oid in files.items()}
                    data = manifest_bytes(tree)
                    memo[(path, name)] = Measured(manifest_hash(data, MD5), Meta(None, len(tree)), tree, data)
                else:
                    memo[(path, name)] = None
    return memo


def _missing_on_remote(repo, refs, remote: str | None) -> tuple[str, dict[str, str]]:
    from stagecore.odb import object_relpath
    from stagecore.ops.transfer import open_data_remote

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
            return parse_manifest(fobj.read())
