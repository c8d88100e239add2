"""What `import-url`, `import` and `update` share: where the output goes, putting content into the
cache (hashed on the way in), and the import `.dvc` file as DVC 3.x writes it.

DVC's import `.dvc` file: `md5` (of the rest), `frozen: true`, `deps: [the source]`, `outs: [the data]`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any, NamedTuple

from stagecore.core.entry import Entry, dvcfile_out
from stagecore.core.hashinfo import MD5, HashInfo, Meta
from stagecore.errors import StagecoreError

CHUNK = 1024 * 1024


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


def store_chunks(repo, chunks: Iterable[bytes]) -> tuple[HashInfo, int]:
    """Stream `chunks` into the cache through a temp file, hashing them on the way: the object is
    named by the md5 of what was really written. (hash, size)."""
    from stagecore.storage.fsutil import tmp_path

    base = os.path.join(repo.odb.root, "files", "md5")
    os.makedirs(base, exist_ok=True)
    tmp = tmp_path(os.path.join(base, "import"))
    digest, size = hashlib.md5(), 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fobj:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fobj.write(chunk)
        hi = HashInfo(MD5, digest.hexdigest())
        if not repo.odb.has(hi):
            dest = repo.odb.path_of(hi)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, dest)
            repo.odb._added(hi)
        return hi, size
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def read_chunks(fobj) -> Iterable[bytes]:
    while True:
        chunk = fobj.read(CHUNK)
        if not chunk:
            return
        yield chunk


def store_tree(repo, tree: dict[str, str]) -> tuple[HashInfo, Meta]:
    """The `.dir` object of a directory whose files (relpath -> md5) are already in the cache."""
    from stagecore.core.tree import manifest_bytes, manifest_hash

    data = manifest_bytes(tree)
    hi = manifest_hash(data, MD5)
    repo.odb.add_bytes(data, hi)
    size = sum(object_size(repo, HashInfo(MD5, md5)) for md5 in tree.values())
    return hi, Meta(size, len(tree), False)


def object_size(repo, hi: HashInfo) -> int:
    return os.stat(repo.odb.path_of(hi)).st_size


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
    from stagecore.files.dvcfile import merge_entries
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
