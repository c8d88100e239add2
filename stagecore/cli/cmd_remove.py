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
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops import targets
    from stagecore.ops.remove import remove

    with open_repo() as repo:
        for target in args.targets:
            check_target(repo, target)
        stages = targets.resolve(repo, args.targets)
        result = remove(repo, stages, outs=args.outs or args.purge)
        if repo.scm is not None and result.touched:
            git_add_hint(repo, sorted(set(result.touched)))
    return 0


def check_target(repo, target: str) -> None:
    """DVC's `remove` takes `.dvc` files and stage names, never the data path: `remove foo`
    with `foo.dvc` beside it is refused with DVC's question (nothing is removed)."""
    import os

    from stagecore.errors import StagecoreError
    from stagecore.files.dvcfile import is_dvcfile

    if ":" in target or is_dvcfile(target) or os.path.basename(target) == "dvc.yaml":
        return
    rel = repo.relpath(target)
    if os.path.isfile(os.path.join(repo.root, rel + ".dvc")):
        raise StagecoreError(f"'{target}' is not a .dvc file. Do you mean '{target}.dvc'?",
                             hint=f"stagecore remove {target}.dvc")
    from stagecore.ops import targets

    for stage in targets.resolve(repo, [target]):
        if stage.name is None or target.rstrip("/") != stage.name.split("@")[0] and target != stage.name:
            raise StagecoreError(f"'{target}' is not a .dvc file or a stage name",
                                 hint=f"stop tracking it with `stagecore remove {stage.addressing}`")
