from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "config",
        description="Get or set a value in DVC's config (.dvc/config, or another level).",
        epilog="example: stagecore config core.autostage true",
        help="get or set a value in .dvc/config")
    p.add_argument("name", metavar="SECTION.KEY", help="option name, e.g. core.remote")
    p.add_argument("value", nargs="?", help="new value (omit to print the current one)")
    p.add_argument("-u", "--unset", action="store_true", help="remove the option")
    level = p.add_mutually_exclusive_group()
    for flag in ("local", "global", "system", "project"):
        level.add_argument(f"--{flag}", action="store_true", help=f"use the {flag} config level")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.ops.config import config_get, config_set

    level = next((lv for lv in ("local", "global", "system") if getattr(args, lv)), "repo")
    with open_repo(check_remotes=False) as repo:
        if args.value is None and not args.unset:
            value = config_get(repo, args.name, level if level != "repo" or args.project else None)
            print(value)
            return 0
        config_set(repo, args.name, None if args.unset else args.value, level)
    return 0
