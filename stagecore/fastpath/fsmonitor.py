"""Optional file-system monitor: watchman tells the fast path what changed (git's core.fsmonitor).

Off by default; on with `git config stagecore.fsmonitor true` (never in `.dvc/config`: DVC 3
rejects unknown keys there) or STAGECORE_FSMONITOR=1 (=0 forces it off). When a clean snapshot
is recorded (stagecore.fastpath.snapshot_record) and the switch is on, `recorded`
(stagecore.fastpath.fsmonitor_record) asks watchman for a clock of the project's watch, re-checks every
recorded signature after that clock, and writes `.dvc/tmp/stagecore-fsmonitor-<kind>`: the clock, the snapshot file's own signature, the few
paths watchman cannot vouch for (outside the project, symlink targets, git and watchman config,
the watch root's `.watchmanconfig`) and the recorded signatures grouped by directory, each
group a separately readable block. `vouches` then answers "the snapshot still holds" with one
`since` query, a stat of the few paths, and a stat of each changed path that the snapshot
recorded (and of its directory): O(changes), never reading the whole snapshot.

Anything in doubt (no watchman, a changed snapshot, a changed path, too many changes) means
"not vouched": the full stat check of stagecore.fastpath.snapshot runs, exactly as without the monitor.
After watchman restarted or recrawled (a fresh instance: changes since the clock unknown), the
record is re-armed: a new clock, then every recorded signature checked once (O(files), as the
full check); the snapshot is vouched for only when all still hold. Standard library only; watchman is
spoken to in its JSON protocol over its unix socket (no subprocess per query).
"""

from __future__ import annotations

import marshal
import os

NAME = "stagecore-fsmonitor-"
VERSION = 1
MAGIC = b"SCFM1\n"
HEADER_MAX = 64 << 20
MAX_CHANGES = 20_000  # more changes than this: the full walk is as cheap
TIMEOUT = 5.0  # seconds for one watchman exchange (a hung watchman costs at most this)
FRESH = "watchman restarted or recrawled since the clock (a fresh instance)"


class WatchmanError(Exception):
    """watchman could not answer (not running, an error response, a timeout)."""


def side_path(root: str, kind: str) -> str:
    return os.path.join(root, ".dvc", "tmp", NAME + kind)


# ---- the switch -------------------------------------------------------------------------

def env_switch(environ) -> bool | None:
    raw = environ.get("STAGECORE_FSMONITOR", "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    return None


# ---- watchman's JSON protocol ---------------------------------------------------------

class Client:
    """One connection to watchman's unix socket; `call` sends a command, returns the response."""

    def __init__(self, sockname: str, timeout: float = TIMEOUT) -> None:
        import socket

        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(sockname)
        except OSError as exc:
            self.sock.close()
            raise WatchmanError(f"cannot connect to {sockname}: {exc}") from None
        self.buf = b""

    def call(self, *command) -> dict:
        import json

        try:
            self.sock.sendall(json.dumps(list(command)).encode() + b"\n")
            while True:
                while b"\n" not in self.buf:
                    chunk = self.sock.recv(1 << 16)
                    if not chunk:
                        raise WatchmanError("watchman closed the connection")
                    self.buf += chunk
                line, _, self.buf = self.buf.partition(b"\n")
                response = json.loads(line)
                if not isinstance(response, dict):
                    raise WatchmanError("a response that is not an object")
                if response.get("unilateral"):
                    continue
                if "error" in response:
                    raise WatchmanError(str(response["error"]))
                return response
        except (OSError, ValueError) as exc:
            raise WatchmanError(str(exc)) from None

    def close(self) -> None:
        self.sock.close()


def sig(path: str, follow: bool, sig_of) -> tuple | None:
    try:
        return sig_of(os.stat(path) if follow else os.lstat(path))
    except FileNotFoundError:
        return None
    except OSError:
        return ()  # unreadable: never equal to a recorded signature


# ---- answering ----------------------------------------------------------------------------

def vouches(root: str, kind: str, environ) -> bool:
    """True when watchman confirms that nothing the snapshot of `kind` recorded has changed
    (the snapshot still holds); False when unsure: the full check decides."""
    return doubt(root, kind, environ) is None


def doubt(root: str, kind: str, environ) -> str | None:
    """Why the monitor cannot vouch for the snapshot of `kind` (None: it vouches)."""
    if env_switch(environ) is False:
        return "STAGECORE_FSMONITOR=0"
    try:
        return _doubt(root, kind, environ)
    except Exception as exc:  # noqa: BLE001 - any doubt: the full check
        return f"error: {exc!r}"


def _doubt(root: str, kind: str, environ) -> str | None:
    from stagecore.fastpath.records import real_tmp_dir, sig_of, snapshot_path

    path = side_path(root, kind)
    if not real_tmp_dir(root):
        return ".dvc/tmp is not a directory"
    fd = _open(path)
    if fd is None:
        return "no record"
    try:
        head = os.read(fd, len(MAGIC) + 8)
        size = int.from_bytes(head[len(MAGIC):], "big")
        if len(head) != len(MAGIC) + 8 or head[:len(MAGIC)] != MAGIC or size > HEADER_MAX:
            return "a record not understood"
        header = _read_exact(fd, size)
        if header is None:
            return "a truncated record"
        info = marshal.loads(header)
        from stagecore import __version__

        if not isinstance(info, dict) or info.get("version") != VERSION or info.get("kind") != kind \
                or info.get("root") != root or info.get("stagecore") != __version__:
            return "a record of another kind, project or version"
        if info["snapshot"] is None or sig(snapshot_path(root, kind), False, sig_of) != info["snapshot"]:
            return "the snapshot changed"
        for extra, want, follow in info["always"]:
            if sig(extra, follow, sig_of) != want:
                return f"{extra} changed"
        changed = _since(info)
        base = len(MAGIC) + 8 + size
        if changed == FRESH:
            return _rearm(root, fd, info, base, environ, sig_of)
        if isinstance(changed, str):
            return changed
        loaded: dict[str, dict | None] = {}
        for name in changed:
            full = os.path.normpath(os.path.join(root, name))
            for candidate in (full, os.path.dirname(full)):
                top, leaf = os.path.split(candidate)
                where = info["tops"].get(top)
                if where is None:
                    continue
                if top not in loaded:
                    blob = _read_at(fd, base + where[0], where[1])
                    loaded[top] = marshal.loads(blob) if blob is not None else None
                group = loaded[top]
                if group is None:
                    return "a truncated record"
                if leaf in group and sig(candidate, False, sig_of) != group[leaf]:
                    return f"{candidate} changed"
    finally:
        os.close(fd)
    return _index_doubt(root, info, environ, sig_of)


def _rearm(root: str, fd: int, info: dict, base: int, environ, sig_of) -> str | None:
    """After watchman restarted or recrawled: a new clock, then every recorded signature checked
    (once, as the full check would); when all hold, the record is rewritten with the new clock."""
    try:
        client = Client(info["sock"])
        try:
            clock = client.call("clock", info["watch"], {"sync_timeout": int(TIMEOUT * 1000)})["clock"]
        finally:
            client.close()
    except (WatchmanError, KeyError, TypeError):
        return FRESH
    blobs = _read_at(fd, base, os.fstat(fd).st_size - base)
    if blobs is None:
        return "a truncated record"
    for top, (offset, length) in info["tops"].items():
        for name, want in marshal.loads(blobs[offset:offset + length]).items():
            if sig(os.path.join(top, name), False, sig_of) != want:
                return f"{FRESH}; {os.path.join(top, name)} changed"
    reason = _index_doubt(root, info, environ, sig_of)
    if reason is not None:
        return reason
    from stagecore.storage.fsutil import atomic_write_bytes

    info["clock"] = clock
    header = marshal.dumps(info)
    atomic_write_bytes(side_path(root, info["kind"]), MAGIC + len(header).to_bytes(8, "big") + header + blobs)
    return None


def _index_doubt(root: str, info: dict, environ, sig_of) -> str | None:
    if info["index"] is None:
        return None
    from stagecore.fastpath.records import git_paths, index_entries, relevance

    found = git_paths(root, environ)
    if found is None:
        return "no git index"
    if info["index_sig"] is not None and sig(found[1], True, sig_of) == info["index_sig"]:
        return None
    files, dirs, own, entries = info["index"]
    if index_entries(found[1], relevance(files, dirs, own)) != entries:
        return "the staged dvc files or dependencies changed"
    return None


def _since(info: dict) -> list[str] | str:
    """The names (relative to the project) watchman saw change since the recorded clock, or
    why it cannot say (not running, a fresh instance: restarted or recrawled, too many)."""
    try:
        client = Client(info["sock"])
    except WatchmanError as exc:
        return str(exc)
    try:
        query = {"since": info["clock"], "fields": ["name"], "empty_on_fresh_instance": True}
        if info["rel"]:
            query["relative_root"] = info["rel"]
        response = client.call("query", info["watch"], query)
    except WatchmanError as exc:
        return str(exc)
    finally:
        client.close()
    if response.get("is_fresh_instance", True):
        return FRESH
    files = response.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return "an answer not understood"
    if len(files) > MAX_CHANGES:
        return f"more than {MAX_CHANGES} changes"
    return files


def _open(path: str) -> int | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    import stat

    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_at(fd: int, offset: int, size: int) -> bytes | None:
    data = os.pread(fd, size, offset)
    return data if len(data) == size else None
