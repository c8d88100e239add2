"""Progress bars on stderr (tqdm, imported lazily), shared by the CLI and the hooks (their rendering layer).

A bar is drawn only when stderr is a terminal and `-q` was not given (`silence()`, called by the
CLI): tests, pipes, CI logs and hooks whose output git captures get nothing of it. Operations
report through a plain `progress(done, total)` callback; the bar shows the count, the rate and
the ETA, redrawn at most ten times a second.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[int, int], None]
_quiet = False


def silence() -> None:
    """No progress bars for the rest of this process (the CLI's `-q`)."""
    global _quiet
    _quiet = True


def enabled() -> bool:
    return not _quiet and sys.stderr.isatty()


def stderr_progress(verb: str, unit: str = "file") -> Progress | None:
    """A `progress(done, total)` callback drawing a bar named `verb` on stderr, or None when
    progress is not shown (so callers skip even the counting)."""
    if not enabled():
        return None
    bar = None

    def show(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            sized = _columns() > 0  # a terminal that reports no size (0x0, tqdm would hide the bar): 80x24
            bar = tqdm(total=total, desc=verb, unit=unit, file=sys.stderr, leave=False, mininterval=0.1,
                       dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24)
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.refresh()  # the final count is drawn once before the bar is cleared
            bar.close()
            bar = None

    return show


def _columns() -> int:
    import os

    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0
