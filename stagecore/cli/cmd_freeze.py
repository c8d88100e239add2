from __future__ import annotations


def register(sub) -> None:
    for name, frozen, text in (("freeze", True, "mark stages frozen: repro will not run them"),
                               ("unfreeze", False, "let repro run frozen stages again")):
        p = sub.add_parser(
            name,
            description=text[0].upper() + text[1:] + ".",
            epilog=f"example: stagecore {name} train",
            help=text)
        p.add_argument("targets", nargs="+", metavar="STAGE", help="stage names or .dvc files")
        p.set_defaults(func=run, frozen=frozen)


def run(args) -> int:
    from stagecore import targets
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.freeze import freeze

    with open_repo() as repo:
        result = freeze(repo, targets.resolve(repo, args.targets), frozen=args.frozen)
        git_add_hint(repo, result.to_git_add)
    return 0
