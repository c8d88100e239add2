from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "params",
        description="Compare the parameters of pipeline stages between revisions.",
        help="compare parameters")
    psub = p.add_subparsers(dest="params_command", metavar="COMMAND", parser_class=type(p))
    d = psub.add_parser(
        "diff",
        description="Show parameter changes between a revision and the workspace (or another revision).",
        epilog="example: stagecore params diff HEAD~1",
        help="parameter changes between a revision and the workspace")
    d.add_argument("a_rev", nargs="?", default="HEAD", metavar="A_REV", help="old revision (default HEAD)")
    d.add_argument("b_rev", nargs="?", default="workspace", metavar="B_REV",
                   help="new revision (default: the workspace)")
    d.add_argument("--targets", nargs="*", metavar="PATH", help="only these params files (read whole)")
    d.add_argument("--all", action="store_true", help="also unchanged parameters")
    d.add_argument("--deps", action="store_true", help="only the params that stages depend on")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--md", action="store_true", help="markdown table")
    d.add_argument("--no-path", action="store_true", help="leave out the Path column")
    d.set_defaults(func=run_diff)
    p.set_defaults(func=lambda _args: (p.print_help(), 254)[1])


def run_diff(args) -> int:
    import json
    import sys

    from stagecore.cli.common import open_repo, rel
    from stagecore.cli.table import render
    from stagecore.ops.params_diff import diff

    with open_repo(uninitialized=True) as repo:
        targets = [repo.relpath(t) for t in args.targets or []]
        result = diff(repo, args.a_rev, args.b_rev, with_unchanged=args.all, targets=targets, deps_only=args.deps)
        shown = {rel(repo, path): changes for path, changes in result.diff.items()}
    for warning in result.warnings:
        sys.stderr.write(f"WARNING: {warning}\n")
    if args.json:
        sys.stdout.write(json.dumps(shown) + "\n")
        return 0
    if not shown:
        return 0
    rows = []
    for path, changes in shown.items():
        for key in sorted(changes):
            change = changes[key]
            old, new = change.get("old"), change.get("new")
            rows.append([path, key, "-" if old is None else str(old), "-" if new is None else str(new)])
    headers = ["Path", "Param", result.a_rev, result.b_rev]
    if args.no_path:
        headers, rows = headers[1:], [r[1:] for r in rows]
    sys.stdout.write(render(headers, rows, markdown=args.md) + "\n")
    return 0
