from __future__ import annotations


def register(sub) -> None:
    for name, frozen, text in (("freeze", True, "mark stages or .dvc files frozen: repro will not run them"),
                               ("unfreeze", False, "let repro run frozen stages and .dvc files again")):
        p = sub.add_parser(
            name,
            description=text[0].upper() + text[1:] + ".",
            epilog=f"example: stagecore {name} train",
            help=text)
        p.add_argument("targets", nargs="+", metavar="TARGET", help="stage names or .dvc files")
        p.set_defaults(func=run, frozen=frozen)


def run(args) -> int:
    from stagecore.cli.common import open_repo, rel
    from stagecore.ops.freeze import freeze

    with open_repo() as repo:
        def modifying(stage) -> None:  # DVC's line; no `git add` hint, as DVC
            print(f"Modifying stage '{stage.name}' in '{rel(repo, stage.dvcfile)}'", flush=True)

        freeze(repo, args.targets, frozen=args.frozen, modifying=modifying)
    return 0
