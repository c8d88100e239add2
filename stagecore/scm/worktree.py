"""Dvc files in the index and the work tree: a path's content at HEAD and staged, every staged
dvc file, what the index changes against HEAD, and dvc files left unstaged (pygit2, imported
inside functions; where libgit2 refuses the index, git itself through stagecore.scm.porcelain)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from stagecore.scm.history import dvc_deltas, is_dvc_path

if TYPE_CHECKING:
    import pygit2


class WorkTreeChange(NamedTuple):
    """A dvc file whose work-tree state differs from the index: modified, deleted or untracked."""

    path: str
    state: str


def head_blob(repo: pygit2.Repository, path: str) -> bytes | None:
    """Content of `path` in HEAD's tree, None when absent or HEAD is unborn."""
    import pygit2

    if repo.head_is_unborn:
        return None
    try:
        obj = repo.head.peel(pygit2.Commit).tree[path]
    except KeyError:
        return None
    return obj.read_raw() if obj.type_str == "blob" else None


def staged_blob(repo: pygit2.Repository, path: str) -> bytes | None:
    """Content of `path` in the index (GIT_INDEX_FILE when set), None when not staged."""
    import pygit2

    try:
        entry = repo.index[path]
    except KeyError:
        return None
    except pygit2.GitError:
        from stagecore.scm import porcelain

        return porcelain.index_blob(_workdir(repo), path)
    return repo[entry.id].read_raw()


def index_dvc_files(repo: pygit2.Repository) -> dict[str, bytes]:
    """Every dvc file in the index (stage 0) -> its staged content: the commit-to-be."""
    import pygit2

    try:
        found = {entry.path: entry.id for entry in repo.index if is_dvc_path(entry.path)}
    except pygit2.GitError:
        from stagecore.scm import porcelain

        entries = porcelain.index_entries(_workdir(repo))
        found = {path: oid for path, oid in entries.items() if is_dvc_path(path)}
    return {path: repo[oid].read_raw() for path, oid in found.items()}


def staged_dvc_changes(repo: pygit2.Repository) -> dict[str, tuple[bytes | None, bytes | None]]:
    """The dvc files whose staged content differs from HEAD: path -> (HEAD, index)."""
    import pygit2

    if repo.head_is_unborn:
        return {path: (None, data) for path, data in index_dvc_files(repo).items()}
    try:
        diff = repo.index.diff_to_tree(repo.head.peel(pygit2.Commit).tree)
    except pygit2.GitError:
        from stagecore.scm import porcelain

        paths = [p for p in porcelain.staged_paths(_workdir(repo)) if is_dvc_path(p)]
        pairs = {p: (head_blob(repo, p), staged_blob(repo, p)) for p in paths}
        return {p: pair for p, pair in pairs.items() if pair[0] != pair[1]}
    return dvc_deltas(repo, diff)  # old side: the tree, new side: the index


def unstaged_dvc_files(repo: pygit2.Repository) -> list[WorkTreeChange]:
    """The dvc files whose work-tree state differs from the index (changed but not staged):
    state is "modified", "deleted" or "untracked". Git-ignored files are not reported."""
    import pygit2
    from pygit2.enums import FileStatus

    try:
        status = repo.status(untracked_files="all")
    except pygit2.GitError:
        from stagecore.scm import porcelain

        return [
            WorkTreeChange(path, state)
            for path, state in porcelain.unstaged_status(_workdir(repo))
            if is_dvc_path(path)
        ]
    changes = []
    for path, flags in sorted(status.items()):
        if not is_dvc_path(path):
            continue
        if flags & FileStatus.WT_NEW:
            changes.append(WorkTreeChange(path, "untracked"))
        elif flags & FileStatus.WT_DELETED:
            changes.append(WorkTreeChange(path, "deleted"))
        elif flags & (FileStatus.WT_MODIFIED | FileStatus.WT_TYPECHANGE | FileStatus.WT_RENAMED):
            changes.append(WorkTreeChange(path, "modified"))
    return changes


def _workdir(repo: pygit2.Repository) -> str:
    return (repo.workdir or repo.path).rstrip("/")
