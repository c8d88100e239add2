"""`import URL PATH` and `update` of its `.dvc` files: data of another git repository using DVC
(read through ops.source_repo: a bare clone without hooks, gated paths, objects hashed into the cache)."""

from __future__ import annotations

import os

from stagecore.errors import StagecoreError
from stagecore.ops.source_fetch import fetch_found
from stagecore.ops.source_repo import SourceRepo, locate


def repo_dep(path: str, url: str, rev: str | None, sha: str) -> dict:
    spec = {"url": url, **({"rev": rev} if rev else {}), "rev_lock": sha}
    return {"path": path, "repo": spec}


def import_repo(
    repo,
    url: str,
    path: str,
    out: str | None = None,
    rev: str | None = None,
    cwd: str | None = None,
    *,
    force: bool = False,
    say=None,
):
    """`import URL PATH [-o OUT] [--rev REV]`: the data at PATH of the repository, tracked by OUT.dvc."""
    from stagecore.ops.imports import finish, out_target
    from stagecore.ops.repolock import locked, sweep_seen

    cwd = cwd or os.getcwd()
    with locked(repo):
        try:
            target = out_target(repo, path, out, cwd, force=force)
            with SourceRepo(url, cwd) as source:
                sha = source.resolve(rev)
                found = locate(source, sha, path)
                if say:
                    say(
                        f"Importing '{path} ({url})' -> '{os.path.relpath(os.path.join(repo.root, target.rel), cwd)}'"
                    )
                hi, meta = fetch_found(repo, source, sha, found)
            return finish(repo, target, repo_dep(path, url, rev, sha), hi, meta, new=True, force=force)
        finally:
            sweep_seen(repo)


def update_repo(repo, stage, rev: str | None = None, *, say=None) -> bool:
    """Re-import a `dvc import` stage at `rev` (default: its recorded `rev`, else HEAD); False when the
    resolved commit is its `rev_lock` and the output is in place ("didn't change, skipping")."""
    from stagecore.ops import outs as outs_ops
    from stagecore.ops.imports import OutTarget, finish

    dep, out = stage.deps[0], stage.outs[0]
    spec = dep.extra.get("repo")
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise StagecoreError(
            f"'{stage.dvcfile}' has no repository URL in its dependency",
            hint="re-create it with `stagecore import URL PATH`",
        )
    url, rev = spec["url"], rev or spec.get("rev")
    rel = stage.out_path(out)
    with SourceRepo(url, os.path.join(repo.root, os.path.dirname(stage.dvcfile))) as source:
        sha = source.resolve(rev)
        if sha == spec.get("rev_lock") and rev == spec.get("rev") and not outs_ops.out_status(repo, rel, out):
            return False
        found = locate(source, sha, dep.path)
        if say:
            say(f"Importing '{dep.path} ({url})' -> '{rel}'")
        hi, meta = fetch_found(repo, source, sha, found)
    finish(
        repo,
        OutTarget(rel, stage.dvcfile, out.path),
        repo_dep(dep.path, url, rev, sha),
        hi,
        meta,
        new=False,
        force=True,
    )
    return True


def reimport_repo(repo, stage) -> list[str]:
    """`repro` of a `dvc import` stage: the data at its `rev_lock` again (DVC's sync_import; no update).
    The files written (`.dvc` file, `.gitignore`)."""
    from stagecore.ops.imports import OutTarget, finish

    dep, out = stage.deps[0], stage.outs[0]
    spec = dep.extra.get("repo")
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise StagecoreError(
            f"'{stage.dvcfile}' has no repository URL in its dependency",
            hint="re-create it with `stagecore import URL PATH`",
        )
    url, rev = spec["url"], spec.get("rev") if isinstance(spec.get("rev"), str) else None
    rel = stage.out_path(out)
    with SourceRepo(url, os.path.join(repo.root, os.path.dirname(stage.dvcfile))) as source:
        sha = source.resolve(spec.get("rev_lock") if isinstance(spec.get("rev_lock"), str) else rev)
        hi, meta = fetch_found(repo, source, sha, locate(source, sha, dep.path))
    result = finish(
        repo,
        OutTarget(rel, stage.dvcfile, out.path),
        repo_dep(dep.path, url, rev, sha),
        hi,
        meta,
        new=False,
        force=True,
    )
    return result.to_git_add
