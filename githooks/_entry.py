"""The one code path of every hook entry (`python -m githooks`, `stagecore hook`).

The installed shim starts Python with `-S` (no `site`: about 30 ms less per start in a
virtualenv) and the package's directory on `sys.path`. A pre-commit whose recorded clean
verdict still holds (stagecore.fastpath.snapshot) answers from there, importing nothing beyond the
standard library, and so does a pre-push whose dvc files all had their data pushed before
(stagecore.fastpath.pushed); everything else first completes the start that `-S` skipped (`site.main()`:
site-packages, .pth files), then runs the hook in full.
"""

from __future__ import annotations

import gc
import os
import sys
import time

_STARTED = time.perf_counter()


def run_hook(hook: str, args: list[str]) -> int:  # no typing/collections import: ms on every hook
    read_stdin = _read_stdin
    missed = None
    gc.disable()  # the fast paths' objects (a snapshot's tens of thousands) all live to the end
    if hook == "pre-commit":
        missed = _fast(hook)
    elif hook == "post-checkout":
        missed = _fast_follow(hook, args)
    elif hook == "post-merge" and args == ["0"]:  # not a squash: the work tree follows ORIG_HEAD -> HEAD
        missed = _fast_follow(hook, ["ORIG_HEAD", "HEAD", "1"])
    elif hook == "pre-push" and len(args) == 2:
        text = _read_stdin()  # read once: the full hook gets the same text
        read_stdin = lambda: text  # noqa: E731
        missed = _fast(hook, args[0], text)
    if missed == "":
        if sys.argv[:1] == ["-c"] and sys.flags.no_site:  # the shim's process: nothing runs after us
            sys.stderr.flush()
            os._exit(0)  # skips the interpreter's teardown (ms for the snapshot's objects)
        gc.enable()
        return 0
    gc.enable()
    _complete_start()
    from stagecore.hooks import run
    from stagecore.hooks.protocol import BLOCKING_HOOKS, HookUsageError, parse_request
    from stagecore.hooks.trace import Trace

    try:
        request = parse_request(hook, args, os.environ, read_stdin, os.getcwd())
    except HookUsageError as exc:
        sys.stderr.write(f"stagecore {hook}: ERROR: {exc.message}\n")
        return 1 if hook in BLOCKING_HOOKS else 0
    trace = Trace(hook, request.env.trace, start=_STARTED)
    if missed:
        trace.mark(f"fast path missed ({missed})")
    outcome = run(request, trace)
    for line in outcome.lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    return outcome.exit_code


def _fast(hook: str, remote: str = "", stdin: str = "") -> str | None:
    """"" when the hook has nothing to do (pre-commit: the snapshot of the last clean verdict
    still holds; pre-push: the data of every pushed dvc file was pushed before), else why not
    (None: not tried). STAGECORE_FASTPATH=0 turns it off."""
    if os.environ.get("STAGECORE_FASTPATH", "1") == "0":
        return None
    root = os.getcwd()
    if not os.path.isdir(os.path.join(root, ".dvc")):
        return None
    if hook == "pre-push":
        from stagecore.fastpath.pushed import covered

        reason = covered(root, remote, stdin, os.environ)
        verdict = "data already on the remote (record)"
    else:
        from stagecore.fastpath.snapshot import holds

        reason = holds(root, hook, os.environ)
        verdict = "passed (snapshot)"
    if reason is None:
        if os.environ.get("STAGECORE_TRACE", "").strip().lower() not in ("", "0", "false", "no", "off"):
            took = (time.perf_counter() - _STARTED) * 1000.0
            heavy = [name for name in ("pygit2", "git", "yaml", "ruamel.yaml") if name in sys.modules]
            sys.stderr.write(
                f"stagecore trace {hook}: {verdict}; total {took:.1f} ms; "
                f"heavy imports: {', '.join(heavy) or 'none'}\n"
            )
        return ""
    return reason


def _fast_follow(hook: str, args: list[str]) -> str | None:
    """post-checkout/post-merge of single-file outputs, standard library only (stagecore.fastpath.followfast):
    "" when done there (its lines written), else why not (None: not tried)."""
    if os.environ.get("STAGECORE_FASTPATH", "1") == "0":
        return None
    root = os.getcwd()
    if not os.path.isdir(os.path.join(root, ".dvc")):
        return None
    from stagecore.fastpath.followfast import follow_fast

    try:
        reason, lines = follow_fast(root, args, os.environ)
    except Exception as exc:  # noqa: BLE001 - any surprise: the full hook decides and reports
        return f"fast follow failed: {type(exc).__name__}"
    if reason is not None:
        return reason
    for line in lines:
        sys.stderr.write(line + "\n")
    if os.environ.get("STAGECORE_TRACE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        took = (time.perf_counter() - _STARTED) * 1000.0
        heavy = [name for name in ("pygit2", "git", "yaml", "ruamel.yaml") if name in sys.modules]
        sys.stderr.write(f"stagecore trace {hook}: followed (fast path); total {took:.1f} ms; "
                         f"heavy imports: {', '.join(heavy) or 'none'}\n")
    sys.stderr.flush()
    return ""


def _complete_start() -> None:
    """What `python -S` left out: site-packages and their .pth files (the hook's libraries)."""
    if sys.flags.no_site and "site" not in sys.modules:
        import site

        site.main()


def _read_stdin() -> str:
    if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
        return ""
    return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
