"""The work behind the git hooks: the pre-commit gate, data that follows git, pre-push.

Each returns Findings (message, hint, blocking); `stagecore/hooks/` renders them.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shlex
from collections.abc import Callable, Mapping

from stagecore.core.hashinfo import MD5, MD5_D2U, HashInfo, Meta
from stagecore.core.tree import manifest_bytes, manifest_hash
from stagecore.errors import StagecoreError
from stagecore.ops import outs as outs_ops
from stagecore.ops.finding import Finding, has_remote
from stagecore.ops.status import stage_changes
from stagecore.ops.used import Ref, manifest_refusal, refs_of_blobs
from stagecore.storage.workspace import Measured


# -- pre-commit -------------------------------------------------------------------------------
def gate(repo, dirty: set[str] | None, open_git, prefix: str = "", seen: list | None = None) -> list[Finding]:
    """Judge the commit-to-be: stale stages, data not committed to the cache, missing objects.

    Git-tracked dependencies count with their staged content (a change left unstaged is not
    part of the commit); data tracked by stagecore counts as it is in the workspace.
    `dirty` lists the paths whose work-tree copy differs from the index (None: ask pygit2);
    `open_git()` returns the pygit2 repository, opened only when a dependency needs it.
    `prefix`: the project's directory below the git root ("" at the root); `dirty` is git-root relative.
    `seen`: receives the stages judged (the fast path's snapshot lists what they read).
    """
    from stagecore.files.index import collect_stages

    problems: list[StagecoreError] = []  # each dvc file that cannot be loaded: one blocking line
    stages = collect_stages(repo, problems=problems)
    if seen is not None:
        seen.extend(stages)
    repo.workspace.memo = {}
    try:
        repo.workspace.memo.update(_staged_deps(open_git, dirty, stages, prefix))
        findings = [Finding(exc.message, exc.hint) for exc in problems]
        from stagecore.ops.overlaps import find_overlaps

        # two dvc files / stages claiming one path, or an output inside another's: DVC refuses the repository
        findings += [Finding(overlap.message, overlap.hint) for overlap in find_overlaps(stages)]
        from stagecore.ops.unpulled import settle

        # data never pulled (a fresh clone) is "not pulled yet", not a stale stage
        judged, notes, extra = settle(repo, [(stage, stage_changes(repo, stage)) for stage in stages])
        for stage, items in judged:
            findings += _stage_findings(stage, items, notes)
        return findings + extra
    finally:
        repo.workspace.memo = None


def _stage_findings(stage, items, notes: Mapping[str, Finding | None] | None = None) -> list[Finding]:
    """`notes`: the finding that replaces an unpulled output's (None: reported elsewhere)."""
    name = stage.addressing
    data_only = stage.cmd is None and not stage.deps
    found: list[Finding] = []
    stale = []
    for item in items:
        if item == "always changed":
            found.append(Finding(f"stage '{name}' is always changed (not blocking)", None, False))
        elif item == "changed command":
            stale.append("its command changed")
        elif item == "changed checksum":
            found.append(Finding(f"'{name}' has a stale md5 (not blocking)", f"stagecore commit -f {name}", False))
        elif isinstance(item, dict) and "changed deps" in item:
            stale.append("changed deps: " + ", ".join(item["changed deps"]))
        elif isinstance(item, dict) and "changed outs" in item:
            for path, status in item["changed outs"].items():
                if notes and path in notes:
                    note = notes[path]
                    found += [note] if note is not None else []
                else:
                    found.append(_out_finding(stage, name, path, status, data_only))
    if stale and not (stage.cmd is None and stage.deps):  # import-like stages have nothing to rerun
        found.insert(0, Finding(f"stage '{name}' is not up to date ({'; '.join(stale)})", f"stagecore repro {name}"))
    return found


def _out_finding(stage, name: str, path: str, status: str, data_only: bool) -> Finding:
    fix = f"stagecore commit -f {name}" if data_only else f"stagecore commit -f {name}  (or: stagecore repro {name})"
    if status == "modified":
        return Finding(f"'{path}' was modified but not committed to the cache", fix)
    if status == "not in cache":
        return Finding(f"the recorded version of '{path}' is not in the cache",
                       "stagecore pull (to get it), or stagecore commit -f (to record the workspace version)")
    return Finding(f"'{path}' is missing from the workspace (its recorded version is in the cache)",
                   "stagecore checkout", False)


def _staged_deps(open_git, dirty: set[str] | None, stages, prefix: str = "") -> dict[tuple[str, str], Measured]:
    """Measurements from the index for git-tracked deps whose work tree copy differs, keyed as
    the workspace memo is: (path, hash name). Plain md5 always; md5-dos2unix too when a stage
    records the dependency with it (DVC 2.x), so a legacy entry is judged on the staged content.
    Project paths are `prefix/path` in git (a project below the git root)."""
    names: dict[str, set[str]] = {}
    for stage in stages:
        for dep in stage.deps:
            names.setdefault(stage.dep_path(dep), {MD5}).add(dep.hash.name if dep.hash is not None else MD5)
    dep_paths = set(names)
    if not dep_paths or dirty == set():
        return {}
    git = open_git()
    if dirty is None:
        import pygit2

        try:
            status = git.status()
        except pygit2.GitError:
            return {}
        wt = pygit2.enums.FileStatus.WT_MODIFIED | pygit2.enums.FileStatus.WT_DELETED | pygit2.enums.FileStatus.WT_NEW
        dirty = {p for p, flags in status.items() if flags & wt}
    index = git.index
    found: dict[tuple[str, str], Measured] = {}
    lead = prefix + "/" if prefix else ""
    for path in sorted(dep_paths):
        gpath = lead + path
        if gpath in dirty and gpath in index:
            data = git[index[gpath].id].data
            for name in names[path]:
                found[(path, name)] = Measured(HashInfo(name, blob_md5(data, name)), Meta(len(data)))
        elif any(d.startswith(gpath + "/") for d in dirty):
            files = {e.path[len(gpath) + 1:]: e.id for e in index if e.path.startswith(gpath + "/")}
            blobs = {rel: git[oid].data for rel, oid in files.items()}
            for name in names[path] if blobs else ():
                tree = {rel: blob_md5(data, name) for rel, data in blobs.items()}
                data = manifest_bytes(tree)
                found[(path, name)] = Measured(manifest_hash(data, name), Meta(None, len(tree)), tree, data)
    return found


def blob_md5(data: bytes, name: str = MD5) -> str:
    """The md5 of staged bytes as `hashing.file_md5` computes it for a file: for md5-dos2unix,
    CRLF turned into LF in each 1 MiB chunk that looks like text (DVC 2.x's legacy hash)."""
    if name != MD5_D2U:
        return hashlib.md5(data).hexdigest()
    from stagecore.storage.hashing import CHUNK, _is_text

    digest = hashlib.md5()
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        digest.update(chunk.replace(b"\r\n", b"\n") if _is_text(chunk) else chunk)
    return digest.hexdigest()


# -- post-checkout / post-merge / post-rewrite ----------------------------------------------
Changes = Mapping[str, tuple[bytes | None, bytes | None]]


def _side(repo, changes: Changes, index: int) -> dict[str, bytes]:
    files = {p: pair[index] for p, pair in changes.items() if pair[index] is not None}
    if index == 1:  # a lock needs its dvc.yaml (cache: false flags): take today's from the workspace
        for path in list(files):
            if posixpath.basename(path) == "dvc.lock":
                yaml_path = posixpath.join(posixpath.dirname(path), "dvc.yaml")
                if yaml_path not in files:
                    try:
                        with open(os.path.join(repo.root, yaml_path), "rb") as fobj:
                            files[yaml_path] = fobj.read()
                    except FileNotFoundError:
                        pass
    return files  # type: ignore[return-value]


def follow(repo, changes: Changes, *, fetch: bool, data_remote: str | None,
           progress: Callable[[int, int], None] | None = None, removed: list[str] | None = None) -> list[Finding]:
    """Bring every output whose recorded hash changed to its new version (under the repository
    lock, waiting for a running command as long as `HOOK_WAIT`: git has moved already). Outputs
    the old dvc files named and the new ones do not are removed when their content is in the
    cache, as `dvc checkout` removes them (their paths, directories with '/', go to `removed`)."""
    from stagecore.ops.repolock import HOOK_WAIT, locked, sweep_seen

    with locked(repo, HOOK_WAIT):
        try:
            findings = _follow(repo, changes, fetch=fetch, data_remote=data_remote, progress=progress)
            return findings + _drop_unnamed(repo, changes, removed if removed is not None else [])
        finally:
            sweep_seen(repo)


def _drop_unnamed(repo, changes: Changes, removed: list[str]) -> list[Finding]:
    from stagecore.ops import links

    old = {ref.path: ref.hash for ref in refs_of_blobs(_side(repo, changes, 0), problems=[])}
    new = refs_of_blobs(_side(repo, changes, 1), problems=[])
    gone = {path: hi for path, hi in old.items() if path not in {ref.path for ref in new}}
    if not gone:
        return []
    try:  # an output another (unchanged) dvc file names now, or one that stopped being cached, stays
        named = {stage.out_path(out) for stage in repo.stages() for out in stage.outs}
    except StagecoreError:
        return []
    pruned = links.prune(repo, links.unused_of(gone, named))
    removed.extend(pruned.removed)
    return [Finding(f"'{path}' is no longer tracked by any dvc file and its content is not in the cache: kept",
                    f"track it again (`stagecore add {shlex.quote(path)}`) or delete it: it is no longer git-ignored",
                    False) for path in pruned.kept]


def _follow(repo, changes: Changes, *, fetch: bool, data_remote: str | None,
            progress: Callable[[int, int], None] | None) -> list[Finding]:
    refused: list[StagecoreError] = []  # a dvc file that fails the gate is refused alone, the rest followed
    old = {ref.path: ref.hash for ref in refs_of_blobs(_side(repo, changes, 0), problems=[])}
    new = refs_of_blobs(_side(repo, changes, 1), problems=refused)
    todo = [ref for ref in new if old.get(ref.path) != ref.hash]
    findings = [Finding(f"{exc.message}: not followed", exc.hint, False) for exc in refused]
    missing = [ref for ref in todo if not outs_ops.in_cache(repo, ref.hash)]
    if missing and fetch and has_remote(repo, data_remote):
        from stagecore.ops.transfer import fetch as fetch_objects

        try:
            result = fetch_objects(repo, missing, remote=data_remote, progress=progress)
            for hi, reason in result.failed.items():
                findings.append(Finding(f"could not fetch {hi.value}: {reason}", "stagecore pull", False))
        except StagecoreError as exc:
            findings.append(Finding(f"could not fetch missing data: {exc.message}", exc.hint, False))
    remote = has_remote(repo, data_remote)
    for ref in todo:
        refusal = manifest_refusal(repo.odb, ref.hash)
        if refusal is not None:
            findings.append(Finding(f"'{ref.path}': {refusal.message}: not followed", refusal.hint, False))
            continue
        try:
            outcome = outs_ops.checkout(repo, ref.path, ref.hash, Meta(isexec=ref.isexec))
        except StagecoreError as exc:  # e.g. an unsafe manifest: refuse this output, follow the rest
            findings.append(Finding(f"'{ref.path}': {exc.message}", exc.hint, False))
            continue
        if outcome.missing:
            where = "on the data remote" if remote else "anywhere: no data remote is configured"
            findings.append(Finding(
                f"'{ref.path}': the new version is not in the cache nor {where}; "
                "the previous version was left in place",
                "stagecore pull  (once the data was pushed)" if remote else "stagecore remote add -d NAME URL, then stagecore pull",
                False))
        for path in outcome.kept:
            findings.append(Finding(f"'{path}' has changes not committed to the cache: kept, not overwritten",
                                    # not `stagecore commit`: here it would record the previous commit's
                                    # edit as this commit's version of the output
                                    f"`stagecore checkout --force {shlex.quote(path)}` takes the recorded "
                                    "version (the edit is saved to the cache first, its md5 printed); to keep "
                                    "the edit, commit it where it was made (`git checkout -`, `stagecore commit -f`)",
                                    False))
    return findings


# -- pre-push ------------------------------------------------------------------------------
def push_commits(repo, commits: list[str], *, data_remote: str | None, allow_incomplete: bool,
                 progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Upload to the data remote the objects the pushed commits reference, where missing."""
    from stagecore.ops.revisions import refs_of_revisions
    from stagecore.ops.transfer import push

    refs: list[Ref] = refs_of_revisions(repo, revs=commits, for_push=True)
    if not refs:
        return []
    if not has_remote(repo, data_remote):
        return [Finding("no data remote is configured: the data of these commits was not pushed",
                        "stagecore remote add -d NAME URL", False)]
    from stagecore.ops.repolock import HOOK_WAIT, locked

    with locked(repo, HOOK_WAIT):
        result = push(repo, refs, remote=data_remote, progress=progress)
    findings = [Finding(f"failed to upload {hi.value}: {reason}", "push again (transient errors are retried)")
                for hi, reason in result.failed.items()]
    for hi, path in sorted(result.missing.items(), key=lambda kv: kv[1]):
        findings.append(Finding(
            f"'{path}' (md5 {hi.value}) is neither in the cache nor on remote "
            f"'{(result.remote_of or {}).get(hi, result.remote)}'",
            "commit it where the data exists and push from there", not allow_incomplete))
    return findings
