"""After writing dvc files: stage them in git (core.autostage) or tell the user what to add."""

from __future__ import annotations


def stage_in_git(repo, dvcfiles: list[str], touched: list[str], result_type):
    seen: list[str] = []
    for rel in touched:
        if rel not in seen:
            seen.append(rel)
    if repo.scm is not None and repo.autostage and seen:
        repo.scm.add(seen)
        return result_type(dvcfiles, [], True)
    return result_type(dvcfiles, seen if repo.scm is not None else [], False)
