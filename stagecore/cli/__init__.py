"""The command line: argv -> one library call -> rendering -> exit code.

Each command lives in `stagecore/cli/cmd_<name>.py` with `register(subparsers)` that adds
its parser and sets `func=run` where `run(args) -> int`. Modules are discovered by name,
so adding a command never edits this file. Library imports stay inside `run` so that
`stagecore --version` and `--help` stay fast.
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from importlib import import_module

from stagecore import __version__
from stagecore.errors import EXIT_FAILURE, EXIT_USAGE, StagecoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # DVC's exit code for usage errors is 254
        self.print_usage(sys.stderr)
        sys.stderr.write(f"ERROR: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stagecore", description="Data versioning and reproducible pipelines on DVC's formats.")
    parser.add_argument("-V", "--version", action="version", version=__version__)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    pkg_dir = os.path.dirname(__file__)
    names = sorted(m.name for m in pkgutil.iter_modules([pkg_dir]) if m.name.startswith("cmd_"))
    for name in names:
        import_module(f"stagecore.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv in (["--version"], ["-V"], ["version"]):
        print(__version__)
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE if argv else 0
    try:
        return int(args.func(args) or 0)
    except StagecoreError as exc:
        report_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("ERROR: interrupted by the user\n")
        return 252
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if getattr(args, "verbose", False):
            raise
        from stagecore.fsutil import escaped_os_error

        known = escaped_os_error(exc)  # a full / read-only disk or a refused permission is no bug
        if known is not None:
            report_error(known)
            return known.exit_code
        sys.stderr.write(f"ERROR: unexpected error - {type(exc).__name__}: {exc}\n")
        sys.stderr.write("hint: rerun with -v to see the traceback, and please report it\n")
        return 255


def report_error(exc: StagecoreError) -> None:
    sys.stderr.write(f"ERROR: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"hint: {exc.hint}\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"WARNING: {text}\n")


__all__ = ["main", "out", "warn", "EXIT_FAILURE"]
