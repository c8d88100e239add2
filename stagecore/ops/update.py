"""`update`: re-import each import `.dvc` file whose source changed, by the kind of its source:
another git repository (ops/import_repo.py) or a path or URL (ops/import_url.py). It sits
above both, the one module that knows the two kinds: neither of them, nor the pieces they share
(ops/imports.py), depends on the other.
"""

from __future__ import annotations

import os

from stagecore.errors import StagecoreError


def update(
    repo, targets: list[str], rev: str | None = None, cwd: str | None = None, *, say=None
) -> list[str]:
    """`update`: re-import each import `.dvc` file whose source changed; the files that were skipped."""
    from stagecore.files.dvcfile import load_dvcfile
    from stagecore.ops.repolock import locked, sweep_seen

    cwd = cwd or os.getcwd()
    skipped = []
    with locked(repo):
        try:
            for target in targets:
                rel = repo.relpath(target, cwd)
                if not rel.endswith(".dvc") or not os.path.isfile(os.path.join(repo.root, rel)):
                    raise StagecoreError(
                        f"'{target}' is not an import .dvc file",
                        hint="give the .dvc file written by import or import-url",
                    )
                stage = load_dvcfile(repo.root, rel)
                if not stage.is_import:
                    raise StagecoreError(
                        f"'{target}' is not an import (no source dependency)",
                        hint="`update` re-imports .dvc files written by import or import-url",
                    )
                if "repo" in stage.deps[0].extra:
                    from stagecore.ops.import_repo import update_repo

                    changed = update_repo(repo, stage, rev, say=say)
                else:
                    if rev:
                        raise StagecoreError(f"'{target}': --rev is only for imports from a git repository")
                    from stagecore.ops.import_url import update_url

                    changed = update_url(repo, stage, say=say or (lambda _text: None))
                if not changed:
                    skipped.append(target)
        finally:
            sweep_seen(repo)
    return skipped
