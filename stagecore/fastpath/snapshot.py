"""The fast path: a clean verdict cached with the stat signature of everything it read.

After a full check found nothing to report, `stagecore.fastpath.snapshot_record` writes
`.dvc/tmp/stagecore-fastpath-<kind>`: the (dev, ino, size, mtime_ns, ctime_ns, mode) of every
dvc file, dvc.lock, params file, dependency and output (every file and directory below a
directory), the config files, the cache objects (and the cache shards of a directory's files),
every directory the search for dvc files visits, and the git index entries the verdict depends on.
`holds` re-stats those paths and re-reads those index entries: any difference, or any doubt
(a missing or unreadable snapshot, a wrong version, a symlink, a file too large, a git index in a
format not understood) means "run the full check". Racy timestamps are refused when the snapshot
is written: every recorded mtime and ctime is older than the start of the check that produced
the verdict (minus the file system's timestamp granularity), so a later change, even one that
keeps size and mtime (`touch -r`), changes the ctime and is seen.

This module imports only the standard library (os, marshal): a hook with nothing to do pays a
`python -S` start, one small read and the stats.
"""

from __future__ import annotations

import marshal
import os

from stagecore.fastpath.records import (
    git_paths,
    index_entries,
    read_bounded,
    real_tmp_dir,
    relevance,
    sig_of,
    snapshot_path,
)

VERSION = 3  # 3: the index entries as bytes
MAX_BYTES = 64 << 20  # a larger snapshot file is not read (hostile, or a repository too big for it)


def forget(root: str, kind: str) -> None:
    """Remove the snapshot of `kind` (a full check is about to decide again)."""
    if real_tmp_dir(root):
        try:
            os.unlink(snapshot_path(root, kind))
        except OSError:
            pass


def load(root: str, kind: str) -> dict | None:
    """The snapshot of `kind`, checked for shape; None when absent or not trustworthy."""
    if not real_tmp_dir(root):
        return None
    data = read_bounded(snapshot_path(root, kind), MAX_BYTES)
    if data is None:
        return None
    try:
        snap = marshal.loads(data)
    except Exception:  # noqa: BLE001 - any corruption: no snapshot
        return None
    from stagecore import __version__

    if not isinstance(snap, dict) or snap.get("version") != VERSION or snap.get("kind") != kind:
        return None
    if snap.get("stagecore") != __version__ or snap.get("root") != root:
        return None
    for key in ("groups", "follow", "follow_sigs"):
        if not isinstance(snap.get(key), list):
            return None
    if len(snap["follow"]) != len(snap["follow_sigs"]):
        return None
    for group in snap["groups"]:
        if not (isinstance(group, tuple) and len(group) == 3 and isinstance(group[0], str)
                and isinstance(group[1], list) and isinstance(group[2], list) and len(group[1]) == len(group[2])):
            return None
    # a record committed into git (`git add -f .dvc/tmp/...`) must not pass for a clean verdict: a
    # real one holds the signature of some path of the work tree (its root directory at least), and
    # no one can forge that of a file git has just checked out here (inode, ctime_ns)
    inside = root.rstrip(os.sep) + os.sep
    if not any((top == root or top.startswith(inside)) and any(sig is not None for sig in sigs)
               for top, _names, sigs in snap["groups"]):
        return None
    return snap


def _changed_in(top: str, names: list, sigs: list) -> str | None:
    """The first of `names` (in directory `top`) whose signature is not the recorded one: each
    stat'ed relative to one descriptor of the directory (a path walk saved per file)."""
    try:
        fd = os.open(top, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None if all(sig is None for sig in sigs) else f"{top} is gone"
    lstat = os.lstat
    try:
        for name, want in zip(names, sigs, strict=True):
            try:
                st = lstat(name, dir_fd=fd)
            except FileNotFoundError:
                if want is None:
                    continue
                return f"{top}/{name} is gone"
            if want is None or (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                st.st_mode) != want:
                return f"{top}/{name} changed"
        return None
    finally:
        os.close(fd)


def holds(root: str, kind: str, environ) -> str | None:
    """None when the clean verdict recorded for `kind` still holds in `root`; else why not."""
    from stagecore.fastpath.fsmonitor import (
        vouches,  # fsmonitor (task F): watchman, when on, answers in O(changes)
    )

    if vouches(root, kind, environ):
        return None
    snap = load(root, kind)
    if snap is None:
        return "no usable snapshot"
    try:
        for top, names, sigs in snap["groups"]:
            changed = _changed_in(top, names, sigs)
            if changed:
                return changed
        for path, want in zip(snap["follow"], snap["follow_sigs"], strict=True):
            if sig_of(os.stat(path)) != want:
                return f"{path} changed"
    except (OSError, TypeError, ValueError):
        return "a path cannot be read"
    index = snap.get("index")
    if index is None:
        return None
    try:
        files, dirs, own, entries = index
        relevant = relevance(files, dirs, own)
    except (TypeError, ValueError):
        return "bad index record"
    found = git_paths(root, environ)
    if found is None:
        return "no git index"
    now = index_entries(found[1], relevant)
    if now is None:
        return "git index not understood"
    return None if now == entries else "the staged dvc files or dependencies changed"


_STATUS_FORMS = {("status",): False, ("status", "-q"): True, ("status", "--quiet"): True, ("-q", "status"): True}
UP_TO_DATE = "Data and pipelines are up to date."


def fast_status(argv, environ) -> int | None:
    """`stagecore status` (`-q`) run in the project's root when the snapshot of its last clean
    result still holds: its output and exit code; None: run the command."""
    quiet = _STATUS_FORMS.get(tuple(argv))
    if quiet is None or environ.get("STAGECORE_FASTPATH", "1") == "0":
        return None
    root = os.getcwd()
    if not os.path.isdir(os.path.join(root, ".dvc")) or holds(root, "status", environ) is not None:
        return None
    import sys

    if not quiet:
        sys.stdout.write(UP_TO_DATE + "\n")
    if environ.get("STAGECORE_TRACE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        sys.stderr.write("stagecore trace status: up to date (snapshot)\n")
    return 0
