"""A transfer progress line on stderr, shared by the CLI and the hooks (their rendering layer)."""

from __future__ import annotations

import sys


def stderr_progress(verb: str):
    """A callback writing `verb done/total objects` on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r{verb} {done}/{total} objects" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show
