"""Which recorded files the pre-commit snapshot may leave to git's index instead of a stat.

The pre-commit gate judges a git-tracked dependency by its staged content: the index copy when
the work tree's differs, the work-tree file (then the same content) when it does not. So for a
dependency whose every file is tracked, the index entries (which the snapshot compares anyway)
decide the verdict, and re-stat'ing the work-tree files only repeats what `git commit` has just
done itself (it refreshes the index before the hook runs). `index_tracked` names those files:

* every file below the dependency is a regular file tracked at stage 0 with a regular mode (one
  untracked, linked or conflicted file and the whole dependency is stat'ed as before: the gate
  measures a directory from the index only when one of its files differs, so an untracked file
  would count on one side and not the other);
* no `.dvcignore` rule in the project (the work-tree measure would leave ignored files out);
* never a dvc file, a params file, a config file, or a path inside an output (each is read from
  the work tree, whatever git holds).

The directories themselves stay in the snapshot: a file added, removed or renamed below a
dependency changes its directory's signature and sends the commit to the full check.
"""

from __future__ import annotations

import os
import stat as statmod

_REGULAR = (0o100644, 0o100755)


def index_tracked(root: str, parts: list[dict], seen: dict, modes: dict) -> set[str]:
    """The paths of `seen` (absolute, below `root`, the git root) to leave out of the stat check.
    `parts`: each project's record part (`dep_trees`, `protected`, `outs`); `modes`: {git path:
    mode, -1 for a conflicted path} of the relevant index entries."""
    lead = root.rstrip("/") + "/"
    drop: set[str] = set()
    keep: set[str] = set()
    for part in parts:
        outs = tuple(part["outs"])
        inside = tuple(out.rstrip("/") + "/" for out in outs)
        for found in part["dep_trees"]:
            files = []
            tracked = True
            for path in found:
                sig = seen.get(path)
                if sig is None or not path.startswith(lead):
                    tracked = False
                    continue
                if statmod.S_ISDIR(sig[5]):
                    continue
                files.append(path)
                name = os.fsencode(path[len(lead):].replace(os.sep, "/"))
                if not statmod.S_ISREG(sig[5]) or modes.get(name) not in _REGULAR:
                    tracked = False
            if not tracked:
                keep.update(files)
                continue
            protected = part["protected"]
            drop.update(p for p in files if p not in protected and p not in outs and not p.startswith(inside))
    return drop - keep
