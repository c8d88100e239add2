from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "checkout",
        description="Make the workspace match the data the .dvc files and dvc.lock record, from the cache.",
        epilog="example: stagecore checkout data/images.dvc",
        help="make the workspace match the recorded data")
    p.add_argument("targets", nargs="*", metavar="TARGET", help=".dvc files, stages or paths (default: all)")
    p.add_argument("-f", "--force", action="store_true",
                   help="replace modified workspace data (its content is saved to the cache first)")
    p.add_argument("--relink", action="store_true", help="recreate links/copies even when unchanged")
    p.add_argument("--summary", action="store_true", help="print a summary instead of each change")
    p.add_argument("-d", "--with-deps", action="store_true",
                   help="also check out the outputs of the stages the targets depend on")
    p.add_argument("-R", "--recursive", action="store_true",
                   help="every .dvc file and dvc.yaml under the target directories")
    p.add_argument("--allow-missing", action="store_true",
                   help="data missing from the cache is not an error (it is left out)")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore.cli.common import err, open_repo
    from stagecore.errors import CheckoutError
    from stagecore.ops.checkout import checkout, display
    from stagecore.ui.progress import task

    cwd = os.getcwd()
    with open_repo() as repo:
        chosen = select_targets(repo, args, "checkout")
        with task("checking out", "link"):  # files put into the workspace, their bytes
            result = checkout(repo, chosen.stages, force=args.force, relink=args.relink, only=chosen.only,
                              prune=not args.targets)
        if args.summary:
            print(summary(result.stats) or "No changes.")
        else:
            print_changes(repo, result.changes, cwd)
        for path, md5 in result.stashed:
            err(f"saved the previous content of '{display(repo, path, cwd)}' to the cache (md5 {md5})")
        report_untracked(repo, result.untracked_kept, cwd)
        report_refused(result.refused)
        if report_kept(repo, result.kept, cwd, "checkout") and not result.missing and not result.refused:
            return 1
        if result.missing and not args.allow_missing:
            raise CheckoutError([display(repo, p, cwd) for p in result.missing])
        if result.refused:
            return 1
        if args.relink:
            print("Relinked successfully")
    return 0


def select_targets(repo, args, command: str):
    """`ops.checkout.select` for the command's targets and flags; for `checkout` an unknown target
    is DVC's one-line error and exit code 255 (the user may have meant git)."""
    from stagecore.errors import EXIT_PIPELINE, StagecoreError
    from stagecore.ops.checkout import UnknownTarget, select

    try:
        return select(repo, args.targets, with_deps=getattr(args, "with_deps", False),
                      recursive=getattr(args, "recursive", False))
    except UnknownTarget as exc:
        if command != "checkout":
            raise
        error = StagecoreError(f"Did you mean `git checkout {exc.target}`?: '{exc.target}' does not exist "
                               "as an output or a stage name")
        error.exit_code = EXIT_PIPELINE
        raise error from None


def summary(stats: dict[str, int], first: tuple[str, int] | None = None) -> str:
    """DVC's summary line: '1 file modified, 2 files added and 1 file deleted' (empty: nothing)."""
    counts = ([first] if first else []) + [(kind, stats.get(kind, 0)) for kind in ("modified", "added", "deleted")]
    words = [f"{n} file{'s' if n > 1 else ''} {kind}" for kind, n in counts if n]
    return words[0] if len(words) == 1 else (", ".join(words[:-1]) + " and " + words[-1] if words else "")


def print_changes(repo, changes: list[tuple[str, str]], cwd: str) -> None:
    from stagecore.ops.checkout import display

    for letter, path in changes:
        print(f"{letter:<8}{display(repo, path, cwd)}")


def report_untracked(repo, paths: list[str], cwd: str) -> None:
    """Outputs no dvc file names any more whose content is not in the cache: kept, said once each."""
    from stagecore.cli.common import err
    from stagecore.ops.checkout import display

    if not paths:
        return
    err("WARNING: kept data that no .dvc file or dvc.lock tracks any more (its content is not in the cache):")
    for path in paths:
        err(f"\t{display(repo, path, cwd)}")
    err("hint: track it again with `stagecore add`, or delete it (it is no longer git-ignored)")


def report_refused(refused: list) -> None:
    """One ERROR line (and its hint) per output that was refused; the others were checked out."""
    from stagecore.cli.common import err

    for exc in refused:
        err(f"ERROR: {exc.message}")
        if exc.hint:
            err(f"hint: {exc.hint}")


def report_kept(repo, kept: list[str], cwd: str, command: str) -> bool:
    """Tell the user which modified files were left alone; True if there were any."""
    from stagecore.cli.common import err
    from stagecore.ops.checkout import display

    if not kept:
        return False
    err("WARNING: kept modified workspace data that is not in the cache:")
    for path in kept:
        err(f"\t{display(repo, path, cwd)}")
    err(f"hint: save it with `stagecore commit -f` (or `stagecore add`), or replace it with `stagecore {command} --force`")
    return True
