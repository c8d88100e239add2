"""The state database: remembers the hash of each file by (inode, ctime, size).

An unchanged file is never read twice. The stamp holds the ctime (in the column named
mtime_ns): every write moves it, and so does what keeps the mtime (`touch -r`, a copy with
preserved times, a rename over the file), which the kernel does not let anyone set back. A file
whose ctime is within the racy margin of the moment it was hashed is not remembered (it could
change again within the same timestamp tick), as git's racy-clean rule. It is a private, machine-local cache in
`.dvc/tmp/` (git-ignored by DVC's own `.dvc/.gitignore`); losing it only costs time, so
any problem with it degrades to an in-memory table instead of failing the command.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import threading

STATE_FILE = "stagecore-state.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hashes ("
    "path TEXT NOT NULL, name TEXT NOT NULL, ino INTEGER, mtime_ns INTEGER, size INTEGER,"
    " md5 TEXT, PRIMARY KEY (path, name))"
)
# one row per measured directory: {relpath inside it: (stamp, md5)} packed with marshal,
# so a 20,000-file directory loads in one read instead of 20,000 rows
_DIR_SCHEMA = "CREATE TABLE IF NOT EXISTS dirs (path TEXT NOT NULL, name TEXT NOT NULL, snap BLOB, PRIMARY KEY (path, name))"
DirSnapshot = dict  # relpath -> (Stamp, md5)
# one row per cache object whose content was verified against its name, keyed by its absolute
# path: an object whose stamp still matches is trusted without reading it again
_OBJ_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS objects (path TEXT PRIMARY KEY, ino INTEGER, mtime_ns INTEGER, size INTEGER)"
)

Stamp = tuple[int, int, int]  # (inode, mtime_ns, size)

# objects the object store wrote in this process (hashed on the way in), kept until a State
# flushes them; a row says "the file at this path with this stamp was verified", true in any db
_written: dict[str, Stamp] = {}
_written_lock = threading.Lock()


def note_trusted_object(path: str, stamp: Stamp) -> None:
    """Record that the object at `path` (absolute) was written from verified content."""
    with _written_lock:
        _written[path] = stamp


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_ino, st.st_ctime_ns, st.st_size)


RACY_NS = 100_000_000  # file systems with ns timestamps (a coarse clock tick is a few ms)
COARSE_RACY_NS = 2_000_000_000  # whole-second timestamps (FAT: 2 s)


def settled(stamp: Stamp, now_ns: int) -> bool:
    """Whether a file with `stamp`, hashed at `now_ns` or later, can be remembered by it."""
    ctime = stamp[1]
    return ctime < now_ns - (COARSE_RACY_NS if ctime % 1_000_000_000 == 0 else RACY_NS)


class State:
    def __init__(self, tmp_dir: str) -> None:
        self._path = os.path.join(tmp_dir, STATE_FILE)
        self._rows: dict[tuple[str, str], tuple[Stamp, str]] | None = None
        self._pending: dict[tuple[str, str], tuple[Stamp, str]] = {}
        self._pending_dirs: dict[tuple[str, str], DirSnapshot] = {}
        self._objects: dict[str, Stamp] | None = None
        self._pending_objects: dict[str, Stamp | None] = {}  # None: forget the row
        self._lock = threading.Lock()

    # -- trusted cache objects ---------------------------------------------------------------
    def _load_objects(self) -> dict[str, Stamp]:
        if self._objects is None:
            rows: dict[str, Stamp] = {}
            if os.path.exists(self._path):
                try:
                    with sqlite3.connect(self._path, timeout=5) as conn:
                        for path, ino, mtime, size in conn.execute("SELECT * FROM objects"):
                            rows[path] = (ino, mtime, size)
                except sqlite3.Error:
                    rows = {}
            with self._lock:
                if self._objects is None:
                    for path, stamp in self._pending_objects.items():
                        if stamp is None:
                            rows.pop(path, None)
                        else:
                            rows[path] = stamp
                    self._objects = rows
        assert self._objects is not None
        return self._objects

    def object_trusted(self, path: str, stamp: Stamp) -> bool:
        """Whether the object at `path` was verified and has not changed since (same stamp)."""
        if _written.get(path) == stamp:
            return True
        return self._load_objects().get(path) == stamp

    def trust_object(self, path: str, stamp: Stamp) -> None:
        with self._lock:  # not loaded yet: _load_objects lays the pending rows over the table
            if self._objects is not None:
                self._objects[path] = stamp
            self._pending_objects[path] = stamp

    def distrust_object(self, path: str) -> None:
        rows = self._load_objects()
        with self._lock:
            rows.pop(path, None)
            self._pending_objects[path] = None
        with _written_lock:
            _written.pop(path, None)

    def peek(self, path: str, name: str, stamp: Stamp) -> str | None:
        """`get` for one file without loading the table (a hook that touches one file)."""
        if self._rows is not None or (path, name) in self._pending:
            return self.get(path, name, stamp)
        row = self._one("SELECT ino, mtime_ns, size, md5 FROM hashes WHERE path = ? AND name = ?", (path, name))
        return row[3] if row is not None and tuple(row[:3]) == stamp else None

    def peek_object(self, path: str, stamp: Stamp) -> bool:
        """`object_trusted` for one object without loading the table."""
        if self._objects is not None or _written.get(path) == stamp or path in self._pending_objects:
            return self.object_trusted(path, stamp)
        row = self._one("SELECT ino, mtime_ns, size FROM objects WHERE path = ?", (path,))
        return row is not None and tuple(row) == stamp

    def _one(self, query: str, args: tuple) -> tuple | None:
        if not os.path.exists(self._path):
            return None
        try:
            with sqlite3.connect(self._path, timeout=5) as conn:
                return conn.execute(query, args).fetchone()
        except sqlite3.Error:
            return None

    def get_dir(self, path: str, name: str) -> DirSnapshot:
        """The last snapshot of directory `path`, or {}."""
        if (path, name) in self._pending_dirs:
            return self._pending_dirs[(path, name)]
        if not os.path.exists(self._path):
            return {}
        try:
            with sqlite3.connect(self._path, timeout=5) as conn:
                row = conn.execute("SELECT snap FROM dirs WHERE path = ? AND name = ?", (path, name)).fetchone()
            return marshal.loads(row[0]) if row else {}
        except (sqlite3.Error, ValueError, EOFError, TypeError):
            return {}

    def put_dir(self, path: str, name: str, snap: DirSnapshot) -> None:
        with self._lock:
            self._pending_dirs[(path, name)] = snap

    def _load(self) -> dict[tuple[str, str], tuple[Stamp, str]]:
        if self._rows is None:
            rows: dict[tuple[str, str], tuple[Stamp, str]] = {}
            if os.path.exists(self._path):
                try:
                    with sqlite3.connect(self._path, timeout=5) as conn:
                        for path, name, ino, mtime, size, md5 in conn.execute("SELECT * FROM hashes"):
                            rows[(path, name)] = ((ino, mtime, size), md5)
                except sqlite3.Error:
                    rows = {}
            rows.update(self._pending)  # put before the table was loaded
            self._rows = rows
        return self._rows

    def get(self, path: str, name: str, stamp: Stamp) -> str | None:
        hit = self._load().get((path, name))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        return None

    def put(self, path: str, name: str, stamp: Stamp, md5: str) -> None:
        with self._lock:  # not loaded yet: no read of the whole table for one row
            rows = self._rows
            if rows is None or rows.get((path, name)) != (stamp, md5):
                if rows is not None:
                    rows[(path, name)] = (stamp, md5)
                self._pending[(path, name)] = (stamp, md5)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            dirs, self._pending_dirs = self._pending_dirs, {}
            objects, self._pending_objects = self._pending_objects, {}
        with _written_lock:
            objects = {**_written, **objects}
            _written.clear()
        if not pending and not dirs and not objects:
            return
        try:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            with sqlite3.connect(self._path, timeout=10) as conn:
                conn.execute(_SCHEMA)
                conn.execute(_DIR_SCHEMA)
                conn.execute(_OBJ_SCHEMA)
                conn.executemany(
                    "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?)",
                    [(p, *s) for p, s in objects.items() if s is not None],
                )
                gone = [(p,) for p, s in objects.items() if s is None]
                conn.executemany("DELETE FROM objects WHERE path = ?", gone)
                conn.executemany(
                    "INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?, ?)",
                    [(p, n, s[0], s[1], s[2], md5) for (p, n), (s, md5) in pending.items()],
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO dirs VALUES (?, ?, ?)",
                    [(p, n, marshal.dumps(snap)) for (p, n), snap in dirs.items()],
                )
        except (sqlite3.Error, OSError):
            pass  # a lost state entry only means hashing that file again
