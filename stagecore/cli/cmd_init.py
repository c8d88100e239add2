from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "init",
        description="Initialise a DVC repository (.dvc/) in the current git repository.",
        epilog="example: stagecore init",
        help="initialise stagecore (a DVC repository) here")
    p.add_argument("--no-scm", action="store_true", help="work without git")
    p.add_argument("-f", "--force", action="store_true", help="reinitialise, removing .dvc/")
    p.add_argument("--subdir", action="store_true",
                   help="a project in a sub-directory of the git repository (its own .dvc/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from stagecore.ops.init import init

    result = init(os.getcwd(), no_scm=args.no_scm, force=args.force, subdir=args.subdir)
    if args.quiet:
        return 0
    print("Initialized DVC repository.")
    if result.scm:
        print("\nYou can now commit the changes to git.")
    return 0
