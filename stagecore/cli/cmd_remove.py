from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "remove",
        aliases=["rm"],
        description="Stop tracking .dvc files or remove stages from dvc.yaml.",
        epilog="example: stagecore remove data/images.dvc",
        help="stop tracking .dvc files or stages")
    p.add_argument("targets", nargs="+", metavar="TARGET", help=".dvc files or stage names")
    p.add_argument("--outs", action="store_true", help="also delete the outputs (kept in the cache)")
    p.add_argument("-p", "--purge", action="store_true", help="old spelling of --outs")
    p.add_argument(
        "-f", "--force", action="store_true",
        help="accepted for compatibility (no prompt is asked)")
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore import targets
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.remove import remove

    with open_repo() as repo:
        stages = targets.resolve(repo, args.targets)
        result = remove(repo, stages, outs=args.outs or args.purge)
        if repo.scm is not None and result.touched:
            git_add_hint(repo, sorted(set(result.touched)))
    return 0
