"""Listing revisions with pygit2: branch tips, tags, every commit."""

from __future__ import annotations


def branch_and_tag_tips(repo, *, branches: bool, tags: bool, head: bool = True) -> list[str]:
    import pygit2

    found: list[str] = []
    if head and not repo.head_is_unborn:
        found.append(str(repo.head.target))
    for name in repo.references:
        if (branches and name.startswith("refs/heads/")) or (tags and name.startswith("refs/tags/")):
            try:
                commit = repo.references[name].peel(pygit2.Commit)
            except (pygit2.GitError, ValueError, KeyError):
                continue
            found.append(str(commit.id))
    return list(dict.fromkeys(found))


def all_commits(repo) -> list[str]:
    import pygit2

    tips = [repo.references[n].target for n in repo.references if n.startswith(("refs/heads/", "refs/tags/"))]
    if not repo.head_is_unborn:
        tips.append(repo.head.target)
    seen: list[str] = []
    walker = None
    for tip in tips:
        try:
            oid = repo[tip].peel(pygit2.Commit).id
        except (pygit2.GitError, ValueError, KeyError):
            continue
        if walker is None:
            walker = repo.walk(oid, pygit2.enums.SortMode.NONE)
        else:
            walker.push(oid)
    if walker is not None:
        seen = [str(c.id) for c in walker]
    return seen


def dvc_files_by_commit(repo, commits: list[str], prefix: str = ""):
    """Yield (commit, {path: content}) for each commit, reading each blob once: the dvc files
    of the project at directory `prefix` of the git root, relative to it, nested projects left out."""
    from stagecore.scm.history import DvcFileScanner, read_dvc_blob

    scanner = DvcFileScanner(repo, prefix)
    blobs: dict[object, bytes] = {}
    for commit in commits:
        files = {}
        for path, oid in scanner.files_at(commit).items():
            if oid not in blobs:
                blobs[oid] = read_dvc_blob(repo, oid, path)
            files[path] = blobs[oid]
        yield commit, files
