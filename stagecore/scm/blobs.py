"""Reading files as they are at a git revision (pygit2: no checkout, no subprocess)."""

from __future__ import annotations

from stagecore.errors import StagecoreError


class RevisionError(StagecoreError):
    pass


def _open(root: str):
    """(pygit2 repository containing `root`, posix prefix of `root` inside its work tree)."""
    import os

    import pygit2

    found = pygit2.discover_repository(root)
    if found is None:
        raise RevisionError(f"'{root}' is not inside a git repository", hint="revisions need git")
    repo = pygit2.Repository(found)
    workdir = repo.workdir or root
    prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(workdir)).replace(os.sep, "/")
    return repo, "" if prefix == "." else prefix


def has_commits(root: str) -> bool:
    repo, _ = _open(root)
    return not repo.head_is_unborn


def resolve_rev(root: str, rev: str) -> str:
    """The commit id `rev` names (a branch, tag, `HEAD~1`, a short sha)."""
    import pygit2

    repo, _ = _open(root)
    try:
        commit = repo.revparse_single(rev).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise RevisionError(f"unknown revision '{rev}'", hint="give a branch, tag or commit of this repository") from None
    return str(commit.id)


def read_blob(root: str, rev: str, relpath: str) -> bytes | None:
    """The bytes of `relpath` (repo-relative, posix) at `rev`, or None when it is not there."""
    import pygit2

    repo, prefix = _open(root)
    commit = repo.get(resolve_rev(root, rev))
    node = commit.tree
    for part in (f"{prefix}/{relpath}" if prefix else relpath).split("/"):
        if not isinstance(node, pygit2.Tree) or part not in node:
            return None
        entry = node[part]
        node = repo.get(entry.id) if entry.type_str == "tree" else entry
    if not isinstance(node, pygit2.Blob):
        return None
    from stagecore.scm.history import read_dvc_blob

    return read_dvc_blob(repo, node.id, relpath)
