from __future__ import annotations

import argparse


def _name(text: str):
    from stagecore.ops.config import parse_name

    try:
        return parse_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub) -> None:
    p = sub.add_parser(
        "config",
        description="Get, set or list values of DVC's config (.dvc/config, or another level).",
        epilog="example: stagecore config core.autostage true (or: stagecore config -l --show-origin)",
        help="get, set or list values of DVC's config")
    p.add_argument("name", nargs="?", type=_name, metavar="name",
                   help="option name (section.option or remote.name.option)")
    p.add_argument("value", nargs="?", help="new value (omit to print the current one)")
    p.add_argument("-u", "--unset", action="store_true", help="remove the option")
    p.add_argument("-l", "--list", action="store_true", help="list every value that is set")
    p.add_argument("--show-origin", action="store_true", help="show the file each value comes from")
    level = p.add_mutually_exclusive_group()
    for flag, const, text in (("--global", "global", "use the global config"),
                              ("--system", "system", "use the system config"),
                              ("--project", "repo", "use the project config (.dvc/config)"),
                              ("--local", "local", "use the local config (.dvc/config.local)")):
        level.add_argument(flag, dest="level", action="store_const", const=const, help=text)
    p.set_defaults(func=run, level=None)


def _usage_error(text: str) -> int:
    import sys

    sys.stderr.write(f"ERROR: {text}\n")
    return 1


def run(args) -> int:
    from stagecore.ops import config as ops

    if args.show_origin and (args.value is not None or args.unset):
        return _usage_error("--show-origin can't be used together with any of these options: -u/--unset, value")
    if args.list and (args.name or args.value is not None or args.unset):
        return _usage_error("-l/--list can't be used together with any of these options: -u/--unset, name, value")
    if not args.list and args.name is None:
        return _usage_error("name argument is required")
    config, root = _config()
    in_repo = root is not None
    if args.list:
        for entry in ops.config_list(config, args.level, in_repo):
            print(f"{_origin(config, root, entry.level, args.show_origin)}{entry.key}={entry.value}")
        return 0
    if args.value is None and not args.unset:
        found = ops.config_get(config, args.name, args.level, in_repo)
        if found is not None:
            print(f"{_origin(config, root, found.level, args.show_origin)}{found.value}")
        return 0
    ops.config_set(config, args.name, None if args.unset else args.value, args.level, in_repo)
    # DVC 3.67.1 means to warn after a cache.type change but never does (it compares the parsed
    # name with a string): nothing is printed here either
    return 0


def _origin(config, root: str | None, level: str, show: bool) -> str:
    import os

    if not show:
        return ""
    path = config.path_of(level)
    if level in ("repo", "local") and root is not None:
        path = os.path.relpath(path, root)
    return path + "\t"


def _config():
    """(config, project root) of the enclosing DVC project; outside one, (global/system config, None).

    Read without validation, as `dvc config` reads it (`Config.from_cwd(validate=False)`): an
    invalid file (a 0.x key such as `core.cloud`) can be listed, read, and fixed by `--unset` or a
    new value; a write is refused (251) while the result, merged with the levels below, is invalid."""
    import os

    from stagecore.files.config import Config
    from stagecore.repo import DVC_DIR
    from stagecore.repo import _refuse_committed_links as refuse_committed_links

    cur = os.path.abspath(os.getcwd())
    while not os.path.isdir(os.path.join(cur, DVC_DIR)):
        if os.path.dirname(cur) == cur:
            return Config.load(os.path.join(os.getcwd(), DVC_DIR), validate=False), None
        cur = os.path.dirname(cur)
    refuse_committed_links(cur)  # as opening the repository does: no config read through a committed link
    return Config.load(os.path.join(cur, DVC_DIR), validate=False), cur
