"""Objects referenced by git revisions: branch tips, tags, every commit (read from git objects)."""

from __future__ import annotations

from stagecore.errors import EXIT_PIPELINE, StagecoreError
from stagecore.ops.used import Ref, refs_of_blobs


class RevisionError(StagecoreError):
    """A revision or date that names no commit (exit 255, as DVC)."""

    exit_code = EXIT_PIPELINE


def revisions(repo, *, branches: bool = False, tags: bool = False, commits: bool = False) -> list[str]:
    from stagecore.scm.revs import all_commits, branch_and_tag_tips

    if repo.scm is None:
        return []
    if commits:
        return all_commits(repo.scm.repo)
    return branch_and_tag_tips(repo.scm.repo, branches=branches, tags=tags)


def refs_of_revisions(repo, *, branches=False, tags=False, commits=False, for_push=False,
                      revs: list[str] | None = None) -> list[Ref]:
    from stagecore.scm.revs import dvc_files_by_commit

    if repo.scm is None:
        raise StagecoreError(
            "revisions (-a, -T, -A) are read from git, and this repository has no git",
            hint="use the workspace alone (`-w` for gc, no flag for push/fetch)",
        )
    revs = revs if revs is not None else revisions(repo, branches=branches, tags=tags, commits=commits)
    refs: list[Ref] = []
    seen: set[tuple] = set()
    for _commit, files in dvc_files_by_commit(repo.scm.repo, revs, repo.scm.prefix):
        key = tuple(sorted((p, hash(d)) for p, d in files.items()))
        if key not in seen:  # commits with identical dvc files add nothing new
            seen.add(key)
            refs.extend(refs_of_blobs(files, for_push=for_push))
    return refs


def gc_revisions(repo, *, branches: bool = False, tags: bool = False, commits: bool = False,
                 rev: str | None = None, num: int = 1, date: str | None = None) -> list[str]:
    """The commits DVC's `gc` keeps besides the workspace: `rev` and the `num - 1` first-parent
    commits before it; every commit (`commits`), or else each branch tip and the `num - 1` before
    it, every tag, every commit made on or after `date` (yyyy-mm-dd, local midnight)."""
    from stagecore.scm.revs import all_commits

    if repo.scm is None:
        raise StagecoreError("revisions (--rev, -a, -T, -A, --date) are read from git, and this repository "
                             "has no git", hint="use the workspace alone (`gc -w`)")
    git = repo.scm.repo
    found: list[str] = []
    if rev:
        found += _first_parents(git, _resolve_commit(git, rev), num)
    if commits:
        found += all_commits(git)
    else:
        if branches:
            for tip in _tips(git, "refs/heads/"):
                found += _first_parents(git, tip, num)
        if tags:
            found += _tips(git, "refs/tags/")
        if date:
            found += _since(git, all_commits(git), date)
    return list(dict.fromkeys(found))


def _since(git, commits: list[str], date: str) -> list[str]:
    from datetime import datetime

    try:
        stamp = datetime.strptime(date, "%Y-%m-%d").timestamp()  # noqa: DTZ007 - local midnight, as DVC
    except ValueError:
        raise RevisionError(f"time data '{date}' does not match format '%Y-%m-%d'",
                         hint="give the date as yyyy-mm-dd") from None
    return [sha for sha in commits if git[sha].commit_time >= stamp]


def _tips(repo, prefix: str) -> list[str]:
    """The commit each reference under `prefix` (refs/heads/, refs/tags/) points to."""
    import pygit2

    found: list[str] = []
    for name in repo.references:
        if name.startswith(prefix):
            try:
                found.append(str(repo.references[name].peel(pygit2.Commit).id))
            except (pygit2.GitError, ValueError, KeyError):
                continue
    return list(dict.fromkeys(found))


def _resolve_commit(repo, rev: str) -> str:
    """The commit a revision names (`HEAD~2`, a branch, a tag, a sha); UsageError when none."""
    import pygit2

    try:
        return str(repo.revparse_single(rev).peel(pygit2.Commit).id)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise RevisionError(f"unknown Git revision '{rev}'", hint="name a commit, branch or tag") from None


def _first_parents(repo, sha: str, num: int) -> list[str]:
    """`sha` and the commits before it along first parents, `num` in all (fewer at the root)."""
    found: list[str] = []
    commit = repo[sha]
    while commit is not None and len(found) < num:
        found.append(str(commit.id))
        commit = commit.parents[0] if commit.parents else None
    return found
