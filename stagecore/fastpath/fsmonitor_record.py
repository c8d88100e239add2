"""Recording the watchman clock that vouches for a clean snapshot (see stagecore.fastpath.fsmonitor).

Called by stagecore.fastpath.snapshot_record after it wrote a snapshot; when the switch is on, asks
watchman for the project's watch and a clock, re-checks every recorded signature after that
clock (a change before it is seen here, one after it is reported by watchman), and writes
`.dvc/tmp/stagecore-fsmonitor-<kind>`: a marshal header (clock, the snapshot's own signature,
the paths watchman cannot vouch for, where each directory's group is), then the recorded
signatures as one marshal block per directory, read only for the directories that changed.
"""

from __future__ import annotations

import marshal
import os

from stagecore.fastpath.fsmonitor import MAGIC, VERSION, Client, WatchmanError, env_switch, side_path, sig

RACY_NS = 100_000_000  # an index stat newer than this before its reading is not trusted
VCS_DIRS = (".git", ".hg", ".svn")  # watchman watches these shallowly (ignore_vcs)
CRAWL_TIMEOUT = 60.0  # seconds: a new watch's first crawl (once per repository) may take this long


def record(root: str, kind: str, snap: dict, environ) -> bool:
    """After the snapshot `snap` of `kind` was written: when the switch is on, record the
    watchman clock that vouches for it (True); otherwise remove any stale record (False).
    Never raises."""
    path = side_path(root, kind)
    try:
        os.unlink(path)
    except OSError:
        pass
    try:
        if not enabled(root, environ):
            return False
        data = _build(root, kind, snap, environ)
        if data is None:
            return False
        from stagecore.storage.fsutil import atomic_write_bytes

        atomic_write_bytes(path, data)
        return True
    except Exception:  # noqa: BLE001 - the monitor is an optimisation, never a failure
        return False


def _build(root: str, kind: str, snap: dict, environ) -> bytes | None:
    from stagecore import __version__
    from stagecore.fastpath.records import git_paths, index_entries, relevance, sig_of, snapshot_path

    sock = sockname(environ)
    client = Client(sock, CRAWL_TIMEOUT)
    try:
        watch = client.call("watch-project", root)
        watch_root, rel = watch["watch"], watch.get("relative_path") or ""
        config = client.call("get-config", watch_root).get("config") or {}
        if any(key in config for key in ("ignore_dirs", "ignore_vcs")):
            return None  # a .watchmanconfig hiding paths: the monitor cannot vouch for them
        clock = client.call("clock", watch_root, {"sync_timeout": int(CRAWL_TIMEOUT * 1000)})["clock"]
    finally:
        client.close()
    # after the clock: every recorded signature re-checked (a change before it is seen here,
    # one after it is reported by watchman)
    entries = [(os.path.join(top, name), want, False) for top, names, sigs in snap["groups"]
               for name, want in zip(names, sigs, strict=True)]
    entries += [(p, want, True) for p, want in zip(snap["follow"], snap["follow_sigs"], strict=True)]
    for path, want, follow in entries:
        if sig(path, follow, sig_of) != want:
            return None
    index_sig, index = None, snap.get("index")
    if index is not None:
        found = git_paths(root, environ)
        if found is None:
            return None
        started = _now()
        index_sig = sig(found[1], True, sig_of)
        files, dirs, own, want_entries = index
        if index_entries(found[1], relevance(files, dirs, own)) != want_entries:
            return None
        if index_sig is None or max(index_sig[3], index_sig[4]) >= started - RACY_NS:
            index_sig = None  # racy: the index is parsed at each query
    lead = os.path.join(root, "")
    always: list[tuple[str, tuple | None, bool]] = []
    groups: dict[str, dict[str, tuple | None]] = {}
    for path, want, follow in entries:
        path = os.path.normpath(path)
        inside = path.startswith(lead)
        if inside and any(part in VCS_DIRS for part in path[len(lead):].split(os.sep)[:-1]):
            inside = False  # below a VCS directory: watchman's shallow watch may not report it
        if follow or not inside:
            always.append((path, want, follow))
        else:
            top, name = os.path.split(path)
            groups.setdefault(top, {})[name] = want
    for extra in _config_files(root, environ) + [os.path.join(watch_root, ".watchmanconfig")]:
        always.append((extra, sig(extra, False, sig_of), False))
    blobs, tops, offset = [], {}, 0
    for top, group in groups.items():
        blob = marshal.dumps(group)
        tops[top] = (offset, len(blob))
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps({
        "version": VERSION, "kind": kind, "root": root, "stagecore": __version__,
        "snapshot": sig(snapshot_path(root, kind), False, sig_of), "sock": sock,
        "watch": watch_root, "rel": rel, "clock": clock, "always": always, "tops": tops,
        "index": index, "index_sig": index_sig,
    })
    return MAGIC + len(header).to_bytes(8, "big") + header + b"".join(blobs)


def _now() -> int:
    import time

    return time.time_ns()


def enabled(root: str, environ) -> bool:
    """The switch: STAGECORE_FSMONITOR, else git's `stagecore.fsmonitor` (as git reads it)."""
    forced = env_switch(environ)
    if forced is not None:
        return forced
    import subprocess

    try:
        proc = subprocess.run(["git", "config", "--type=bool", "--get", "stagecore.fsmonitor"], cwd=root,
                              capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def _config_files(root: str, environ) -> list[str]:
    """The git config files that may hold the switch (a change sends the answer to the full check)."""
    from stagecore.fastpath.records import git_paths

    files = []
    found = git_paths(root, environ)
    if found is not None:
        files += [os.path.join(found[0], "config"), os.path.join(found[0], "config.worktree")]
    home = environ.get("HOME")
    if home:
        files.append(os.path.join(home, ".gitconfig"))
    xdg = environ.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else None)
    if xdg:
        files.append(os.path.join(xdg, "git", "config"))
    return files


def sockname(environ) -> str:
    """watchman's socket: WATCHMAN_SOCK, else `watchman get-sockname` (which starts the server)."""
    found = environ.get("WATCHMAN_SOCK")
    if found:
        return found
    import json
    import subprocess

    try:
        proc = subprocess.run(["watchman", "--output-encoding=json", "--no-pretty", "get-sockname"],
                              capture_output=True, check=False, timeout=30)
        return json.loads(proc.stdout)["sockname"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        raise WatchmanError("watchman is not available") from None
