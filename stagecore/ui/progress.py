"""Progress bars on stderr (tqdm, imported lazily), shared by the CLI and the hooks (their rendering layer).

When a bar is drawn (`enabled()`):
* never with `-q` (`silence()`, called by the CLI), whatever else says;
* `STAGECORE_PROGRESS=1` forces bars on (into a pipe too, and inside hooks: a hook's "verbose"),
  `STAGECORE_PROGRESS=0` forces them off;
* otherwise only when stderr is a terminal, and not inside a git hook (a process started through
  `githooks`): tests, pipes, CI logs and hooks get nothing of it.

Two ways in, both drawing the same bar (files, and bytes where known, with rates and an ETA when
the number of files is known; redrawn at most ten times a second; cleared when done):
* `stderr_progress(verb)`: a `progress(done, total)` callback that operations take as a parameter
  (push, fetch, fsck); bytes moved meanwhile arrive through `tick`.
* `task(verb)`: a context in which the library's low-level steps report through `tick(nbytes,
  files)` (hashing a file, linking one into the workspace, removing a cache object). With no bar
  open, `tick` is one global read: the library never pays for progress nobody sees.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Progress = Callable[[int, int], None]
_quiet = False
_active: Bar | None = None
_INTERVAL = 0.1
_ON = ("1", "true", "yes", "on")
_PHASES = {"hash": "hashing", "store": "caching", "link": "linking", "remove": "removing", "transfer": "transferring"}
_OFF = ("0", "false", "no", "off")


def silence() -> None:
    """No progress bars for the rest of this process (the CLI's `-q`)."""
    global _quiet
    _quiet = True


def enabled() -> bool:
    if _quiet:
        return False
    forced = os.environ.get("STAGECORE_PROGRESS", "").strip().lower()
    if forced in _OFF:
        return False
    if forced in _ON:
        return True
    return sys.stderr.isatty() and "githooks._entry" not in sys.modules


class Bar:
    """One bar: a count of files (of `total` when known) and of bytes, thread-safe."""

    def __init__(self, verb: str, unit: str = "file", kinds: tuple[str, ...] = ("transfer",)) -> None:
        self.verb, self.unit, self.kinds = verb, unit, kinds
        self.files = 0
        self.total: int | None = None
        self.nbytes = 0
        self._bar: Any = None  # the tqdm bar, made on the first draw
        self._lock = threading.Lock()
        self._last = 0.0
        self._start = time.monotonic()
        self._phase: str | None = None

    def __call__(self, done: int, total: int) -> None:
        """The operations' `progress(done, total)` callback: `done` of `total` items handled."""
        with self._lock:
            self.files, self.total = done, total
            self._draw(force=done >= total)
        if done >= total:
            self.close()

    def tick(self, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            self.nbytes += nbytes
            self.files += files
            self._draw()

    def expect(self, files: int) -> None:
        """`files` more items are coming in this phase: a total, hence a percentage and an ETA."""
        with self._lock:
            self.total = (self.total or 0) + files

    def phase(self, kind: str, total: int | None = None) -> bool:
        """A bar counting several kinds shows one phase at a time: a new kind starts its count anew
        (of `total` items when known). False when `kind` is the current phase already, or the bar
        counts one kind only (it has no phases)."""
        if len(self.kinds) < 2:  # before the lock: transfer threads tick a one-kind bar often
            return False
        with self._lock:
            if kind == self._phase:
                return False
            first = self._phase is None
            self._phase = kind
            if not first:
                self._draw(force=True)  # the last count of the phase that ends
                self.files = self.nbytes = 0
                self._start = time.monotonic()
            self.total = total
            if self._bar is not None:
                self._bar.set_description_str(self._desc(), refresh=False)
                if not first:
                    self._bar.set_postfix_str("", refresh=False)
                self._bar.total = total  # before reset() redraws: never the last phase's total
                self._bar.reset()
            return True

    def _desc(self) -> str:
        if len(self.kinds) < 2 or self._phase is None:
            return self.verb
        return f"{self.verb} ({_PHASES.get(self._phase, self._phase)})"

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < _INTERVAL:
            return
        self._last = now
        if self._bar is None:
            from tqdm import tqdm

            sized = _columns() > 0  # a terminal that reports no size (0x0, tqdm would hide the bar): 80x24
            self._bar = tqdm(desc=self._desc(), total=self.total, unit=self.unit, file=sys.stderr, leave=False,
                             smoothing=0, mininterval=_INTERVAL, dynamic_ncols=sized,
                             ncols=None if sized else 80, nrows=None if sized else 24)
        bar = self._bar
        if bar.total != self.total:
            bar.total = self.total
        bar.n = self.files
        if self.nbytes:
            from tqdm import tqdm

            rate = self.nbytes / max(now - self._start, 1e-6)
            size = tqdm.format_sizeof(self.nbytes, "B", 1000)
            bar.set_postfix_str(f"{size}, {tqdm.format_sizeof(rate, 'B', 1000)}/s", refresh=False)
        bar.refresh()

    def close(self) -> None:
        global _active
        with self._lock:
            if self._bar is not None:
                self._draw(force=True)  # the final count is drawn once before the bar is cleared
                self._bar.close()
                self._bar = None
        if _active is self:
            _active = None


def stderr_progress(verb: str, unit: str = "file", kinds: tuple[str, ...] = ("transfer",)) -> Bar | None:
    """A `progress(done, total)` callback drawing a bar named `verb` on stderr, or None when
    progress is not shown (so callers skip even the counting). Until it reaches its total (or
    is closed) it also receives the bytes that `tick` reports."""
    global _active
    if not enabled():
        return None
    bar = Bar(verb, unit, kinds)
    _active = bar
    return bar


@contextmanager
def task(verb: str, *kinds: str, unit: str = "file") -> Iterator[Bar | None]:
    """A bar for what happens inside, fed by the `tick`s of these `kinds` (hash: a file read and
    hashed; link: one put into the workspace; remove: a cache object deleted; transfer: bytes
    moved to or from a remote), cleared at the end; None when not shown."""
    bar = stderr_progress(verb, unit, kinds)
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


def tick(kind: str, nbytes: int = 0, files: int = 0) -> None:
    """Report work of `kind` done to the open bar, if it counts that kind (the library's side:
    it never prints by itself)."""
    bar = _active
    if bar is not None and kind in bar.kinds:
        bar.phase(kind)
        bar.tick(nbytes, files)


def expect(kind: str, files: int) -> None:
    """Announce `files` more items of `kind` about to be worked on (the library's side: the open
    bar counting that kind then shows a total and an ETA; nothing without one)."""
    bar = _active
    if bar is not None and kind in bar.kinds and files > 0:
        if bar.phase(kind, files):
            return  # a new phase, started with this total
        bar.expect(files)


def active() -> bool:
    """Whether a bar listens (so that a caller computes a size only when it will be shown)."""
    return _active is not None


def tick_file(kind: str, path: str, files: int = 0, dir_fd: int | None = None) -> None:
    """`tick` with the size of `path` (unreadable: no bytes); the stat only when a bar listens."""
    bar = _active
    if bar is not None and kind in bar.kinds:
        bar.phase(kind)
        try:
            size = os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_size
        except OSError:
            size = 0
        bar.tick(size, files)


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0
