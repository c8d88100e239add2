"""`move` (`mv`): rename a tracked file or directory together with its `.dvc` file and
`.gitignore` entries, as DVC 3.67.1 does.

`foo.dvc` tracking `foo` becomes `bar.dvc` (next to `bar`, written in DVC's key order); a `.dvc`
file named otherwise keeps its name and only its `path:` changes (comments kept). A directory
destination receives the source inside it. Only outputs of `.dvc` files move: a stage of
`dvc.yaml` is edited by hand.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any, NamedTuple

from stagecore.errors import StagecoreError

# DVC's order of the keys of a `.dvc` file it writes anew (Stage.dumpd)
_DVC_ORDER = ("desc", "md5", "cmd", "wdir", "frozen", "deps", "outs", "always_changed", "meta")


class MoveResult(NamedTuple):
    dvcfiles: list[str]
    to_git_add: list[str]
    autostaged: bool


class MoveError(StagecoreError):
    def __init__(self, src: str, dst: str, reason: str, hint: str | None = None) -> None:
        super().__init__(f"failed to move '{src}' -> '{dst}' - {reason}", hint=hint)


def move(repo, src: str, dst: str, cwd: str | None = None) -> MoveResult:
    from stagecore.ops.repolock import locked, sweep_seen

    with locked(repo):
        try:
            return _move(repo, src, dst, cwd)
        finally:
            sweep_seen(repo)


def _move(repo, src: str, dst: str, cwd: str | None) -> MoveResult:
    from stagecore.files.dvcfile import is_dvcfile
    from stagecore.files.index import collect_stages
    from stagecore.ops.stage_files import stage_in_git

    src_rel, dst_rel = repo.relpath(src, cwd), repo.relpath(dst, cwd)
    if is_dvcfile(src_rel) or posixpath.basename(src_rel) == "dvc.yaml":
        raise MoveError(src, dst, f"DVC file '{src_rel}' cannot be an output.",
                        hint="move the data the dvc file tracks, not the dvc file")
    owners = [(stage, out) for stage in collect_stages(repo) for out in stage.outs if stage.out_path(out) == src_rel]
    if not owners:
        raise MoveError(src, dst, f"Unable to find DVC file with output '{src_rel}'",
                        hint="`stagecore move` renames tracked data; use `mv` (or `git mv`) for anything else")
    stage, out = owners[0]
    if stage.name is not None or stage.cmd is not None or stage.deps:
        raise MoveError(src, dst, "move is not permitted for stages that are not data sources. You need to either "
                        f"move '{stage.addressing}' to a new location and edit it by hand, or remove "
                        f"'{stage.addressing}' and create a new one at the desired location.",
                        hint=f"edit the output's path in '{stage.dvcfile}' and move the data by hand")
    if os.path.isdir(os.path.join(repo.root, dst_rel)) and not os.path.islink(os.path.join(repo.root, dst_rel)):
        dst_rel = posixpath.join(dst_rel, posixpath.basename(src_rel))
    renamed = posixpath.basename(stage.dvcfile)[: -len(".dvc")] == posixpath.basename(src_rel)
    new_dvcfile = dst_rel + ".dvc" if renamed else stage.dvcfile
    if renamed and os.path.lexists(os.path.join(repo.root, new_dvcfile)) and new_dvcfile != stage.dvcfile:
        raise MoveError(src, dst, f"'{new_dvcfile}' already exists", hint=f"remove or rename '{new_dvcfile}' first")
    touched = _move_data(repo, src_rel, dst_rel, bool(out.cache))
    saved = None
    if os.path.lexists(os.path.join(repo.root, dst_rel)):  # saved as DVC does: the cache holds what moved
        from stagecore.ops.add import save_output

        saved = save_output(repo, dst_rel, out)
    new_wdir = posixpath.dirname(dst_rel) if renamed else stage.wdir
    out_path = posixpath.relpath(dst_rel, new_wdir or ".")
    _write(repo, stage.dvcfile, new_dvcfile, out.path, out_path, renamed, saved)
    touched.append(new_dvcfile)
    if new_dvcfile != stage.dvcfile:
        os.unlink(os.path.join(repo.root, stage.dvcfile))
        touched.append(stage.dvcfile)
    return stage_in_git(repo, [new_dvcfile], touched, MoveResult)


def _move_data(repo, src_rel: str, dst_rel: str, cached: bool) -> list[str]:
    """Rename the data (through the gate: no symlinked parent leads it out of the work tree) and
    move its `.gitignore` line; the `.gitignore` files changed."""
    from stagecore.files.gitignore import add_entry, remove_entry
    from stagecore.storage.fsguard import write_target

    root = os.path.realpath(repo.root)
    src_full = os.path.join(repo.root, src_rel)
    isdir = os.path.isdir(src_full) and not os.path.islink(src_full)
    touched: list[str] = []
    if os.path.lexists(src_full):
        real_src = write_target(repo.root, src_rel, repo.cache_dir, isdir=False)
        real_dst = write_target(repo.root, dst_rel, repo.cache_dir, isdir=False)
        if isdir and os.path.isdir(os.path.join(root, real_dst)):
            raise StagecoreError(f"'{dst_rel}' already exists", hint="choose a new name for the directory")
        os.makedirs(os.path.dirname(os.path.join(root, real_dst)), exist_ok=True)
        os.replace(os.path.join(root, real_src), os.path.join(root, real_dst))
    if cached:
        for gi in (remove_entry(repo.root, src_rel), add_entry(repo.root, dst_rel, repo.scm)):
            if gi and gi not in touched:
                touched.append(gi)
    return touched


def _write(repo, old_file: str, new_file: str, old_path: str, new_path: str, renamed: bool, saved) -> None:
    """The `.dvc` file with the output's new path (and hash, when it was saved): rewritten in
    DVC's order when it gets a new name, edited in place (comments kept) when it keeps its name."""
    from stagecore.files.entry_merge import merge_entries
    from stagecore.files.yamlio import dump_yaml, load_yaml_rt
    from stagecore.storage.fsutil import atomic_write_text

    with open(os.path.join(repo.root, old_file), encoding="utf-8") as fobj:
        data: Any = load_yaml_rt(fobj.read(), old_file)
    items = data.get("outs") or []
    if saved is not None:
        from stagecore.core.entry import dvcfile_out

        fresh = merge_entries(items, [saved], dvcfile_out, ("cache", "persist", "push", "remote"))[0]
        items = [fresh if hasattr(item, "get") and item.get("path") == old_path else item for item in items]
        data["outs"] = items
    for item in items:
        if hasattr(item, "get") and item.get("path") == old_path:
            item["path"] = new_path
    if renamed:
        data.pop("wdir", None)
        ordered = {key: data[key] for key in _DVC_ORDER if key in data}
        ordered.update((key, value) for key, value in data.items() if key not in ordered)
        text = dump_yaml(_plain(ordered))
    else:
        text = dump_yaml(data)
    atomic_write_text(os.path.join(repo.root, new_file), text)


def _plain(obj: Any) -> Any:
    """Round-trip containers as plain ones (a new file carries no comments, as DVC writes it)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj
