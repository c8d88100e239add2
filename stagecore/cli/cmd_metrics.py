from __future__ import annotations

DEFAULT_PRECISION = 5


def register(sub) -> None:
    p = sub.add_parser("metrics", description="Show the metrics files of the workspace.", help="show metrics")
    msub = p.add_subparsers(dest="metrics_command", metavar="COMMAND", parser_class=type(p))
    show = msub.add_parser(
        "show",
        description="Print the metrics of the workspace.",
        epilog="example: stagecore metrics show --json",
        help="print the metrics of the workspace")
    show.add_argument("targets", nargs="*", metavar="PATH", help="metrics files (default: all)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--md", action="store_true", help="markdown table")
    show.add_argument("--precision", type=int, help=f"round floats to N digits (default {DEFAULT_PRECISION})")
    show.set_defaults(func=run_show)
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
    if isinstance(value, float):
        return str(round(value, precision))
    return str(value)


def run_show(args) -> int:
    import json
    import sys

    from stagecore.cli.common import open_repo, rel
    from stagecore.cli.table import render
    from stagecore.ops.metrics import show

    with open_repo(uninitialized=True) as repo:
        result = show(repo, args.targets)
        shown = {rel(repo, path): value for path, value in result.data.items()}
        failed = {rel(repo, path): why for path, why in result.errors.items()}
    for path, why in failed.items():
        sys.stderr.write(f"WARNING: could not read metrics '{path}': {why}\n")
    if args.json:
        files = {path: {"data": value} for path, value in shown.items()}
        files.update({path: {"error": {"type": "ReadError", "msg": why}} for path, why in failed.items()})
        sys.stdout.write(json.dumps({"": {"data": files}}) + "\n")
        return 0
    if not shown:
        return 0
    precision = args.precision or DEFAULT_PRECISION
    flat = {path: _flatten(value) for path, value in shown.items()}
    columns = sorted({key for values in flat.values() for key in values})
    rows = [[path, *(_fmt(values[c], precision) if c in values else "-" for c in columns)]
            for path, values in flat.items()]
    sys.stdout.write(render(["Path", *columns], rows, markdown=args.md) + "\n")
    return 0
