"""The one code path of every hook entry (`python -m githooks`, `stagecore hook`)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

_STARTED = time.perf_counter()


def run_hook(hook: str, args: Sequence[str]) -> int:
    from stagecore.hooks import run
    from stagecore.hooks.protocol import BLOCKING_HOOKS, HookUsageError, parse_request
    from stagecore.hooks.trace import Trace

    try:
        request = parse_request(hook, args, os.environ, _read_stdin, os.getcwd())
    except HookUsageError as exc:
        sys.stderr.write(f"stagecore {hook}: ERROR: {exc.message}\n")
        return 1 if hook in BLOCKING_HOOKS else 0
    outcome = run(request, Trace(hook, request.env.trace, start=_STARTED))
    for line in outcome.lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    return outcome.exit_code


def _read_stdin() -> str:
    if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
        return ""
    return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
