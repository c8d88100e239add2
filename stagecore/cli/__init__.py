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


# what `dvc --help` (3.67.1) lists and stagecore does not implement, aliases included: the repository
# is DVC's format, so the user's `dvc` does these on the same checkout
DVC_ONLY = (
    "artifacts", "cache", "check-ignore", "data", "destroy", "diff", "doctor", "du",
    "exp", "experiments", "get-url", "import-db", "list-url",
    "ls-url", "plots", "queue", "root", "studio",
)


def _dvc_only(argv: list[str]) -> str | None:
    """The DVC-only command `argv` names (after the global -q/-v flags), if any."""
    command = next((a for a in argv if not a.startswith("-")), None)
    return command if command in DVC_ONLY else None


# the commands whose stdout is what they exist to print: -q leaves it (DVC's `config`, `remote list`...)
PRINTING = ("completion", "config", "dag", "hook", "metrics", "params", "remote", "stage", "verify")


def _own_parsers(parser: argparse.ArgumentParser, top: bool = True) -> None:
    """Each (sub)parser records itself as `_parser`, so a usage error names the deepest command's usage;
    each command takes -q/-v after its name too, as DVC's do."""
    parser.set_defaults(_parser=parser)
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not top and not groups:
        _quiet_verbose(parser)
    for action in groups:
        for child in set(action.choices.values()):
            _own_parsers(child, top=False)


def _quiet_verbose(parser: argparse.ArgumentParser) -> None:
    """-q/-v on a command, defaulting to the top-level flag (argparse would reset it to False: the
    reason `stagecore -q status` used to be ignored)."""
    own = {opt for action in parser._actions for opt in action.option_strings}
    for short, long, text in (("-q", "--quiet", "print only errors (and what the command exists to print)"),
                              ("-v", "--verbose", "show tracebacks for unexpected errors")):
        if short not in own:
            parser.add_argument(short, long, action="store_true", help=text)
        for action in parser._actions:
            if long in action.option_strings:
                action.default = argparse.SUPPRESS


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
    _own_parsers(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and "status" in argv[:2]:  # nothing changed since the last clean status: answered from its snapshot
        from stagecore.fastpath.snapshot import fast_status

        code = fast_status(argv, os.environ)
        if code is not None:
            return code
    if argv in (["--version"], ["-V"], ["version"]):
        print(__version__)
        return 0
    dvc_only = _dvc_only(argv)
    if dvc_only:
        sys.stderr.write(f"ERROR: '{dvc_only}' is a DVC command stagecore does not have; this repository works "
                         f"with DVC too: run `dvc {dvc_only} ...`\n")
        return EXIT_USAGE
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    own = getattr(args, "_parser", parser)
    if extra:  # DVC: the usage of the command the flag was given to, not the top-level one
        own.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):  # bare `stagecore` (or `stagecore remote`): as DVC, help and 254
        own.print_help()
        sys.stderr.write("ERROR: the following arguments are required: command\n")
        return EXIT_USAGE
    try:
        if args.quiet:  # no progress bars either
            from stagecore.ui.progress import silence

            silence()
        if args.quiet and args.command not in PRINTING:  # DVC's -q: no informational output
            from contextlib import redirect_stdout

            with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
                return int(args.func(args) or 0)
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
        from stagecore.storage.fsutil import escaped_os_error

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
