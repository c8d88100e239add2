"""`stagecore remote add|default|modify|list|remove|rename`: manage data remotes in DVC's config."""

from __future__ import annotations

import argparse
import os
import sys

_LEVEL_FLAGS = (
    ("--global", "global", "use the global config (DVC's user config dir, e.g. ~/.config/dvc; DVC_GLOBAL_CONFIG_DIR overrides)"),
    ("--system", "system", "use the system config"),
    ("--project", "repo", "use the project config (.dvc/config)"),
    ("--local", "local", "use the local config (.dvc/config.local, not committed)"),
)


def _level_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    for flag, level, text in _LEVEL_FLAGS:
        group.add_argument(flag, dest="level", action="store_const", const=level, help=text)
    parser.set_defaults(level=None)


def register(sub) -> None:
    parser = sub.add_parser(
        "remote",
        description="Set up and manage data remotes in DVC's config.",
        help="set up and manage data remotes")
    cmds = parser.add_subparsers(dest="remote_cmd", metavar="CMD", parser_class=type(parser))
    cmds.required = True

    p = cmds.add_parser(
        "add",
        description="Add a new data remote.",
        epilog="example: stagecore remote add -d storage s3://bucket/path",
        help="add a new data remote")
    _level_flags(p)
    p.add_argument("-d", "--default", action="store_true", help="set as the default remote")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing remote of that name")
    p.add_argument("name", help="name of the remote")
    p.add_argument(
        "url", help="remote location: a directory, s3://bucket/path or ssh://[user@]host[:port]/path"
    )

    p = cmds.add_parser(
        "default",
        description="Show, set or unset the default data remote.",
        epilog="example: stagecore remote default storage",
        help="show, set or unset the default data remote")
    _level_flags(p)
    p.add_argument("-u", "--unset", action="store_true", help="unset the default remote")
    p.add_argument("name", nargs="?", help="name of the remote")

    p = cmds.add_parser(
        "modify",
        description="Set or unset an option of a data remote.",
        epilog="example: stagecore remote modify storage region us-east-1",
        help="set or unset an option of a data remote")
    _level_flags(p)
    p.add_argument("-u", "--unset", action="store_true", help="unset the option")
    p.add_argument("name", help="name of the remote")
    p.add_argument("option", help="name of the option (url, jobs, endpointurl, keyfile, ...)")
    p.add_argument("value", nargs="?", help="value of the option")

    p = cmds.add_parser(
        "list",
        description="List the data remotes and their URLs.",
        epilog="example: stagecore remote list",
        help="list the data remotes")
    _level_flags(p)

    p = cmds.add_parser(
        "remove",
        description="Remove a data remote from the config.",
        epilog="example: stagecore remote remove storage",
        help="remove a data remote")
    _level_flags(p)
    p.add_argument("name", help="name of the remote to remove")

    p = cmds.add_parser(
        "rename",
        description="Rename a data remote.",
        epilog="example: stagecore remote rename storage backup",
        help="rename a data remote")
    _level_flags(p)
    p.add_argument("name", help="remote to rename")
    p.add_argument("new", help="new name of the remote")

    parser.set_defaults(func=run)


def _config(level: str | None):
    """The config of the enclosing repository, read without validation as `dvc remote` reads it
    (an invalid file can be listed and fixed; a write is validated); outside one, only
    --global/--system work."""
    from stagecore.cli.cmd_config import _config as config_and_root
    from stagecore.errors import NotARepoError

    config, root = config_and_root()
    if root is None and level not in ("global", "system"):
        raise NotARepoError(os.getcwd())
    return config


def run(args) -> int:
    from stagecore.remotes import config as ops

    config = _config(args.level)
    cmd = args.remote_cmd
    update = ops.RemoteUpdate()
    if cmd == "add":
        update = ops.remote_add(
            config, args.name, args.url, level=args.level, default=args.default, force=args.force
        )
    elif cmd == "list":
        for remote in ops.remote_list(config, args.level):
            suffix = "\t(default)" if remote.default else ""
            # DVC's console expands the tabs (8 columns); scripts splitting on blanks work with both
            sys.stdout.write(f"{remote.name}\t{remote.url}{suffix}".expandtabs(8) + "\n")
    elif cmd == "remove":
        update = ops.remote_remove(config, args.name, level=args.level)
    elif cmd == "rename":
        update = ops.remote_rename(config, args.name, args.new, level=args.level)
    elif cmd == "default":
        if args.name is None and not args.unset:
            name = ops.remote_default_get(config, args.level)
            if name is None:
                sys.stdout.write("No default remote set\n")
                return 1
            sys.stdout.write(f"{name}\n")
            return 0
        update = ops.remote_default_set(config, None if args.unset else args.name, level=args.level)
    elif cmd == "modify":
        update = ops.remote_modify(
            config, args.name, args.option, args.value, level=args.level, unset=args.unset
        )
    for line in update.warnings:
        sys.stderr.write(f"WARNING: {line}\n")
    if not getattr(args, "quiet", False):
        for line in update.messages:
            sys.stdout.write(f"{line}\n")
    return 0
