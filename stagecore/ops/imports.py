"""What `import-url`, `import` and `update` share: where the output goes, and the import `.dvc`
file as DVC 3.x writes it (putting content into the cache: ops/cache_ingest.py; `update`'s
dispatch to the two kinds of import: ops/update.py).

DVC's import `.dvc` file: `md5` (of the rest), `frozen: true`, `deps: [the source]`, `outs: [the data]`.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from stagecore.core.entry import Entry, dvcfile_out
from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.errors import StagecoreError


class ImportResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


class OutTarget(NamedTuple):
    rel: str  # repo-relative posix path of the output
    dvcfile: str  # repo-relative `.dvc` file next to it
    name: str  # the output's path as written in the `.dvc` file (relative to its directory)


def out_target(repo, source_name: str, out: str | None, cwd: str, *, force: bool = False) -> OutTarget:
    """The output of an import, as DVC places it: `out` (default: the source's base name), inside
    `out` when that is an existing directory; relative to `cwd`; refused when it exists (no --force)."""
    from stagecore.core.safepath import relpath_problem

    base = os.path.basename(source_name.rstrip("/")) or "data"
    target = out or base
    full = os.path.normpath(os.path.join(cwd, target))
    if os.path.isdir(full) and not os.path.islink(full) and not os.path.exists(full + ".dvc"):
        full = os.path.join(full, base)
    rel = repo.relpath(full)
    problem = relpath_problem(rel)
    if problem or rel in ("", ".") or rel.split("/")[0] in (".git", ".dvc"):
        raise StagecoreError(
            f"cannot import to '{target}': {problem or 'not a place for data'}",
            hint="give an output path inside the repository (not in .git or .dvc)",
        )
    parent = os.path.dirname(os.path.join(repo.root, rel))
    if not os.path.isdir(parent):
        raise StagecoreError(
            f"cannot import to '{target}': directory '{os.path.relpath(parent, cwd)}' does not exist",
            hint="create the directory first, or choose another output path",
        )
    if os.path.lexists(os.path.join(repo.root, rel)) and not force:
        raise StagecoreError(
            f"the file '{target}' already exists locally", hint="to override it, re-run with --force"
        )
    if repo.scm is not None and repo.scm.is_tracked(rel):
        from stagecore.errors import OutputTrackedByGitError

        raise OutputTrackedByGitError(rel)
    return OutTarget(rel, rel + ".dvc", os.path.basename(rel))


def place(repo, rel: str, hi: HashInfo, meta: Meta, *, force: bool = True) -> None:
    """Check the imported output out of the cache into the work tree (the checkout's guarded writes)."""
    from stagecore.ops.checkout import checkout_output

    outcome = checkout_output(repo, rel, hi, meta, force=force)
    if outcome.missing:
        raise StagecoreError(
            f"cannot import '{rel}': its data is missing from the cache", hint="run the import again"
        )


def new_dvcfile_data(dep: dict[str, Any], out: Entry) -> dict[str, Any]:
    from stagecore.core.stage import dvcfile_md5

    data: dict[str, Any] = {"frozen": True, "deps": [dep], "outs": [dvcfile_out(out)]}
    return {"md5": dvcfile_md5(data), **data}


def write_import(repo, dvcfile: str, dep: dict[str, Any], out: Entry, *, new: bool) -> bool:
    """Write (new) or update an import `.dvc` file: deps[0] replaced by `dep`, the out's hash fields
    refreshed, `md5` recomputed; other keys and comments kept. True when the bytes changed."""
    from stagecore.core.stage import dvcfile_md5
    from stagecore.files.entry_merge import merge_entries
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt
    from stagecore.storage.fsutil import atomic_write_text

    path = os.path.join(repo.root, dvcfile)
    old = None
    if new:
        data: Any = new_dvcfile_data(dep, out)
    else:
        with open(path, encoding="utf-8") as fobj:
            old = fobj.read()
        data = load_yaml_rt(old, dvcfile)
        deps = data.get("deps")
        cur = deps[0] if deps else None
        if cur is not None and hasattr(cur, "keys"):
            for key in [k for k in cur.keys() if k not in dep]:
                del cur[key]
            for key, value in dep.items():
                cur[key] = value
        data["outs"] = merge_entries(
            data.get("outs"), [out], dvcfile_out, ("cache", "persist", "push", "remote")
        )
        data["md5"] = dvcfile_md5(data)  # DVC adds it (last) to a file `--no-exec` wrote without it
    text = dump_yaml(data)
    if text == old:
        return False
    atomic_write_text(path, text)
    return True


def finish(
    repo,
    target: OutTarget,
    dep: dict[str, Any],
    hi: HashInfo,
    meta: Meta,
    *,
    new: bool = True,
    force: bool = True,
) -> ImportResult:
    """Put the output in place, write its `.dvc` file and `.gitignore` entry, stage them (autostage)."""
    from stagecore.files.gitignore import add_entry
    from stagecore.ops.stage_files import stage_in_git

    place(repo, target.rel, hi, meta, force=force)
    out = Entry(target.name, hi, meta)
    touched = [target.dvcfile] if write_import(repo, target.dvcfile, dep, out, new=new) else []
    gi = add_entry(repo.root, target.rel, repo.scm)
    if gi:
        touched.append(gi)
    return stage_in_git(repo, [target.dvcfile], touched, ImportResult)


def finish_no_exec(repo, target: OutTarget, dep: dict[str, Any]) -> ImportResult:
    """`import-url --no-exec`: the `.dvc` file DVC writes without running the import (no `md5`
    of the file, no hashes: `frozen`, the dep and the out by `hash: md5` and path) and the
    `.gitignore` entry; no data."""
    from stagecore.files.gitignore import add_entry
    from stagecore.files.yamlio import dump_yaml
    from stagecore.ops.stage_files import stage_in_git
    from stagecore.storage.fsutil import atomic_write_text

    data = {"frozen": True, "deps": [dep], "outs": [{"hash": MD5, "path": target.name}]}
    atomic_write_text(os.path.join(repo.root, target.dvcfile), dump_yaml(data))
    touched = [target.dvcfile]
    gi = add_entry(repo.root, target.rel, repo.scm)
    if gi:
        touched.append(gi)
    return stage_in_git(repo, [target.dvcfile], touched, ImportResult)
