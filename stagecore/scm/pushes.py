"""The commits a `git push` sends: git's pre-push lines, and the commits they make reachable
that the remote lacks (pygit2, imported inside functions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from stagecore.scm.history import is_zero

if TYPE_CHECKING:
    import pygit2


class PushUpdate(NamedTuple):
    """One line of git's pre-push stdin: `<local ref> <local sha> <remote ref> <remote sha>`."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def is_deletion(self) -> bool:
        return is_zero(self.local_sha)


def commits_to_push(repo: pygit2.Repository, updates: Iterable[PushUpdate], remote_name: str) -> list[str]:
    """The commits (hex ids) that the pushed refs make reachable and the remote lacks: walk
    from every non-deleted local sha, hiding each known remote sha and every tip under
    `refs/remotes/<remote_name>/`. One walk for all refs: its union, without duplicates."""
    import pygit2
    from pygit2.enums import SortMode

    updates = list(updates)
    starts = [_commit_id(repo, u.local_sha) for u in updates if not u.is_deletion]
    starts = [oid for oid in starts if oid is not None]
    if not starts:
        return []
    walker = repo.walk(None, SortMode.TOPOLOGICAL)
    for oid in starts:
        walker.push(oid)
    hidden = [_commit_id(repo, u.remote_sha) for u in updates if not is_zero(u.remote_sha)]
    prefix = f"refs/remotes/{remote_name}/"
    for name in repo.listall_references():
        if name.startswith(prefix):
            try:
                hidden.append(repo.lookup_reference(name).peel(pygit2.Commit).id)
            except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
                continue
    for oid in hidden:
        if oid is not None:
            walker.hide(oid)
    return [str(commit.id) for commit in walker]


def branch_tip_updates(repo: pygit2.Repository) -> list[PushUpdate]:
    """Every local branch as if pushed to a new remote branch: the fallback when the refs
    being pushed are unknown (the pre-commit framework passes only the first one)."""
    zeros = "0" * 40
    return [
        PushUpdate(f"refs/heads/{name}", str(repo.branches.local[name].target), f"refs/heads/{name}", zeros)
        for name in repo.branches.local
    ]


def _commit_id(repo: pygit2.Repository, sha: str):
    import pygit2

    try:
        return repo[sha].peel(pygit2.Commit).id
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        return None
