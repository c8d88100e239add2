"""Objects referenced by git revisions: branch tips, tags, every commit (read from git objects)."""

from __future__ import annotations

from stagecore.ops.used import Ref, refs_of_blobs


def revisions(repo, *, branches: bool = False, tags: bool = False, commits: bool = False) -> list[str]:
    from stagecore.scm.revs import all_commits, branch_and_tag_tips

    if repo.scm is None:
        return []
    if commits:
        return all_commits(repo.scm.repo)
    return branch_and_tag_tips(repo.scm.repo, branches=branches, tags=tags)


def refs_of_revisions(repo, *, branches=False, tags=False, commits=False, for_push=False,
                      revs: list[str] | None = None) -> list[Ref]:
    from stagecore.errors import StagecoreError
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
