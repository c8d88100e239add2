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
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore import targets
    from stagecore.cli.common import err, open_repo
    from stagecore.errors import CheckoutError
    from stagecore.ops.checkout import checkout, display

    cwd = os.getcwd()
    with open_repo() as repo:
        result = checkout(repo, targets.resolve(repo, args.targets), force=args.force, relink=args.relink)
        if args.summary:
            added = sum(1 for c, _ in result.changes if c == "A")
            modified = sum(1 for c, _ in result.changes if c == "M")
            parts = [f"{n} file{'s' if n != 1 else ''} {w}" for n, w in ((added, "added"), (modified, "modified")) if n]
            print(", ".join(parts) if parts else "No changes.")
        else:
            for letter, path in result.changes:
                print(f"{letter:<8}{display(repo, path, cwd)}")
        for path, md5 in result.stashed:
            err(f"saved the previous content of '{display(repo, path, cwd)}' to the cache (md5 {md5})")
        report_refused(result.refused)
        if report_kept(repo, result.kept, cwd, "checkout") and not result.missing and not result.refused:
            return 1
        if result.missing:
            raise CheckoutError([display(repo, p, cwd) for p in result.missing])
        if result.refused:
            return 1
    return 0


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
    err(f"hint: save it with `stagecore commit` (or `stagecore add`), or replace it with `stagecore {command} --force`")
    return True
