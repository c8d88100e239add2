from __future__ import annotations

import argparse


def add_stage_flags(p, short_force: bool = False) -> None:
    """The stage-definition flags shared by `stage add` and `run` (DVC's names)."""
    p.add_argument("-n", "--name", help="stage name (the stage goes into ./dvc.yaml)")
    p.add_argument("-d", "--deps", action="append", default=[], metavar="PATH", help="dependency")
    p.add_argument("-p", "--params", action="append", default=[], metavar="[FILE:]KEYS",
                   help="parameter dependency: `key,key2` from params.yaml, `file.yaml:key`, `file.yaml:` for all")
    p.add_argument("-o", "--outs", action="append", default=[], metavar="PATH", help="output, cached")
    p.add_argument("-O", "--outs-no-cache", action="append", default=[], metavar="PATH",
                   help="output not cached (tracked by git)")
    p.add_argument(
        "-m", "--metrics", action="append", default=[],
        metavar="PATH",
        help="metrics file, cached")
    p.add_argument("-M", "--metrics-no-cache", action="append", default=[], metavar="PATH",
                   help="metrics file tracked by git (not cached)")
    p.add_argument("--plots", action="append", default=[], metavar="PATH", help="plots file, cached")
    p.add_argument(
        "--plots-no-cache", action="append", default=[],
        metavar="PATH",
        help="plots file, not cached")
    p.add_argument("--outs-persist", action="append", default=[], metavar="PATH",
                   help="output kept (not deleted) before the command runs")
    p.add_argument("--outs-persist-no-cache", action="append", default=[], metavar="PATH",
                   help="persistent output, not cached")
    p.add_argument("-w", "--wdir", help="directory the command runs in (paths are relative to it)")
    p.add_argument("--always-changed", action="store_true", help="always consider the stage changed")
    p.add_argument("--desc", help="description of the stage")
    force = ("-f", "--force") if short_force else ("--force",)  # `run` has `-f FILE`
    p.add_argument(*force, action="store_true", help="overwrite an existing stage")
    p.add_argument("command", nargs=argparse.REMAINDER, help="the command (the remaining arguments)")


def command_of(args) -> str | None:
    """Several arguments are joined DVC-style: an argument with spaces gets double quotes."""
    parts = [a for a in args.command if a != "--"] if args.command[:1] == ["--"] else list(args.command)
    if not parts:
        return None
    if len(parts) < 2:
        return " ".join(parts)
    return " ".join(f'"{a}"' if " " in a and '"' not in a else a for a in parts)


def spec_of(args):
    from stagecore.ops.run import StageSpec

    return StageSpec(
        cmd=command_of(args), name=args.name, file=getattr(args, "file", None), wdir=args.wdir,
        deps=args.deps, params=args.params, outs=args.outs, outs_no_cache=args.outs_no_cache,
        outs_persist=args.outs_persist, outs_persist_no_cache=args.outs_persist_no_cache,
        metrics=args.metrics, metrics_no_cache=args.metrics_no_cache, plots=args.plots,
        plots_no_cache=args.plots_no_cache, always_changed=args.always_changed, desc=args.desc,
    )


def register(sub) -> None:
    p = sub.add_parser(
        "stage",
        description="Add or list pipeline stages.",
        help="add or list pipeline stages")
    stage_sub = p.add_subparsers(dest="stage_command", metavar="COMMAND", parser_class=type(p))
    add = stage_sub.add_parser(
        "add",
        description="Add a stage to dvc.yaml without running it.",
        epilog="example: stagecore stage add -n train -d train.py -o model.bin python train.py",
        help="add a stage to dvc.yaml (without running it)")
    add_stage_flags(add, short_force=True)
    add.add_argument("--run", action="store_true", help="run the stage right after adding it")
    add.set_defaults(func=run_add)
    lst = stage_sub.add_parser(
        "list",
        description="List the stages and what they output.",
        epilog="example: stagecore stage list",
        help="list stages and what they output")
    lst.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="dvc.yaml files or stage names (default: ./dvc.yaml)")
    lst.add_argument("-A", "--all", action="store_true", help="every stage of the repository")
    lst.add_argument("--name-only", "--names-only", action="store_true", help="only the names")
    lst.set_defaults(func=run_list)
    p.set_defaults(func=lambda _args: _usage(p))


def _usage(p) -> int:
    p.print_help()
    return 254


def _refusal_is_255(func, *args, **kwargs):
    """DVC exits 255 for every refusal of `stage add` (a bad name, an existing stage, a duplicate output)."""
    from stagecore.errors import EXIT_FAILURE, EXIT_PIPELINE, EXIT_USAGE, StagecoreError

    try:
        return func(*args, **kwargs)
    except StagecoreError as exc:
        if exc.exit_code in (EXIT_FAILURE, EXIT_USAGE):
            exc.exit_code = EXIT_PIPELINE
        raise


def run_add(args) -> int:
    from stagecore.cli.common import git_add_hint, open_repo, rel
    from stagecore.ops.run import stage_add

    with open_repo() as repo:
        result = _refusal_is_255(stage_add, repo, spec_of(args), force=args.force)
        print(f"Added stage '{result.stage.name}' in '{rel(repo, result.dvcfile)}'")  # DVC: also when replaced
        if args.run:
            from stagecore.cli.cmd_repro import Printer, finish
            from stagecore.ops.repro import reproduce

            repro = reproduce(repo, [f"{result.dvcfile}:{result.stage.name}"], single_item=True,
                              notify=Printer(repo))
            git_add_hint(repo, sorted(set(result.to_git_add) | set(repro.to_git_add)))
            finish(repo, repro._replace(to_git_add=[]))
            return 0
        git_add_hint(repo, result.to_git_add)
    return 0


def _describe(stage) -> str:
    desc = (stage.desc or "").strip().splitlines()
    if desc and desc[0].strip():
        return desc[0].strip()
    # as DVC's stage.deps: the dependencies, then each params file (as written, in order)
    deps = [d.path for d in stage.deps] + [str(f) for f in (stage.params or {})]
    if not deps and not stage.outs:
        return "No outputs or dependencies"
    if not stage.outs:
        return "Depends on " + ", ".join(deps)
    parts = []
    plain = [o.path for o in stage.outs if o.kind not in ("metric", "plot")]
    reports = [o.path for o in stage.outs if o.kind in ("metric", "plot")]
    if plain:
        parts.append("Outputs " + ", ".join(plain))
    if reports:
        parts.append("Reports " + ", ".join(reports))
    return "; ".join(parts)


def run_list(args) -> int:
    import os

    from stagecore.cli.common import open_repo
    from stagecore.ops import targets

    with open_repo() as repo:
        stages = repo.stages()
        if args.all:
            chosen = list(stages)  # as `dvc stage list --all`: the .dvc files too
        elif args.targets:
            chosen = targets.resolve(repo, args.targets, stages=stages)
        else:
            from stagecore.ops.repro import default_targets

            chosen = default_targets(repo, stages, os.getcwd())
    rows = [(s.addressing, "" if args.name_only else _describe(s)) for s in chosen]
    width = max((len(name) for name, _ in rows), default=0)
    for name, desc in rows:
        if len(desc) > 80:
            desc = desc[:79] + "…"
        print(f"{name:<{width}}  {desc}".rstrip() if desc else name)
    return 0
