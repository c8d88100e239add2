from __future__ import annotations

DEFAULT_PRECISION = 5


def register(sub) -> None:
    p = sub.add_parser("metrics", description="Show and compare the metrics files of the project.",
                       help="show and compare metrics")
    msub = p.add_subparsers(dest="metrics_command", metavar="COMMAND", parser_class=type(p))
    show = msub.add_parser(
        "show",
        description="Print the metrics of the workspace (and of git revisions with -a/-T/-A).",
        epilog="example: stagecore metrics show --json",
        help="print the metrics of the workspace")
    show.add_argument("targets", nargs="*", metavar="PATH", help="metrics files (default: all)")
    show.add_argument("-a", "--all-branches", action="store_true", help="also every branch")
    show.add_argument("-T", "--all-tags", action="store_true", help="also every tag")
    show.add_argument("-A", "--all-commits", action="store_true", help="also every commit")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--md", action="store_true", help="markdown table")
    show.add_argument("--precision", type=int, help=f"round floats to N digits (default {DEFAULT_PRECISION})")
    show.set_defaults(func=run_show)
    diff = msub.add_parser(
        "diff",
        description="Show metrics changes between a revision and the workspace (or another revision).",
        epilog="example: stagecore metrics diff HEAD~1",
        help="metrics changes between revisions")
    diff.add_argument("a_rev", nargs="?", default="HEAD", metavar="A_REV", help="old revision (default HEAD)")
    diff.add_argument("b_rev", nargs="?", default="workspace", metavar="B_REV",
                      help="new revision (default: the workspace)")
    diff.add_argument("--targets", nargs="*", metavar="PATH", help="only these metrics files")
    diff.add_argument("--all", action="store_true", help="also unchanged metrics")
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    diff.add_argument("--md", action="store_true", help="markdown table")
    diff.add_argument("--no-path", action="store_true", help="leave out the Path column")
    diff.add_argument("--precision", type=int, help=f"round floats to N digits (default {DEFAULT_PRECISION})")
    diff.set_defaults(func=run_diff)
    p.set_defaults(func=lambda _args: (p.print_help(), 254)[1])


def _flatten(value, prefix: str = "") -> dict:
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, object] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        out.update(_flatten(item, name) if isinstance(item, dict) else {name: item})
    return out


def _fmt(value, precision: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return str(round(value, precision))
    return str(value)


def run_show(args) -> int:
    import json
    import sys

    from stagecore.cli.common import open_repo, rel
    from stagecore.cli.table import render
    from stagecore.ops.metrics_revs import WORKSPACE, metrics_at, revision_names

    with open_repo(uninitialized=True) as repo:
        targets = [repo.relpath(t) for t in args.targets]
        revs = [(WORKSPACE, WORKSPACE)]
        if args.all_branches or args.all_tags or args.all_commits:
            revs += revision_names(repo, branches=args.all_branches, tags=args.all_tags, commits=args.all_commits)
        results = {name: metrics_at(repo, rev, targets or None) for name, rev in revs}
        shown = {name: {rel(repo, path): value for path, value in res.data.items()} for name, res in results.items()}
        failed = {name: {rel(repo, path): why for path, why in res.errors.items()} for name, res in results.items()}
    for name, errors in failed.items():
        for path, why in errors.items():
            where = "" if name == WORKSPACE else f" at '{name}'"
            sys.stderr.write(f"WARNING: could not read metrics '{path}'{where}: {why}\n")
    with_revs = len(revs) > 1
    if args.json:
        out = {}
        for name in shown:
            files = {path: {"data": value} for path, value in shown[name].items()}
            files.update({path: {"error": {"type": "ReadError", "msg": why}} for path, why in failed[name].items()})
            out[name if with_revs else ""] = {"data": files}
        sys.stdout.write(json.dumps(out) + "\n")
        return 0
    precision = args.precision or DEFAULT_PRECISION
    flat = [(name, path, _flatten(value)) for name in shown for path, value in shown[name].items()]
    if not flat:
        return 0
    columns = sorted({key for _n, _p, values in flat for key in values})
    rows = [[*([name] if with_revs else []), path, *(_fmt(values.get(c), precision) for c in columns)]
            for name, path, values in flat]
    headers = [*(["Revision"] if with_revs else []), "Path", *columns]
    sys.stdout.write(render(headers, rows, markdown=args.md) + "\n")
    return 0


def run_diff(args) -> int:
    import json
    import sys

    from stagecore.cli.common import open_repo, rel
    from stagecore.cli.table import render
    from stagecore.ops.metrics_revs import diff

    with open_repo(uninitialized=True) as repo:
        targets = [repo.relpath(t) for t in args.targets or []]
        result = diff(repo, args.a_rev, args.b_rev, targets=targets or None, with_unchanged=args.all)
        shown = {rel(repo, path): changes for path, changes in result.items()}
    if args.json:
        sys.stdout.write(json.dumps(shown) + "\n")
        return 0
    if not shown:
        return 0
    precision = args.precision or DEFAULT_PRECISION
    rows = []
    for path, changes in shown.items():
        for key in sorted(changes):
            change = changes[key]
            rows.append([path, key, _fmt(change.get("old"), precision), _fmt(change.get("new"), precision),
                         _fmt(change.get("diff"), precision)])
    headers = ["Path", "Metric", args.a_rev, args.b_rev, "Change"]
    if args.no_path:
        headers, rows = headers[1:], [r[1:] for r in rows]
    sys.stdout.write(render(headers, rows, markdown=args.md) + "\n")
    return 0
