from __future__ import annotations


def register(sub) -> None:
    from stagecore.cli.cmd_stage import add_stage_flags

    p = sub.add_parser(
        "run",
        description="Define a stage from a command and its dependencies and outputs, and run it (DVC 1.x/2.x `dvc run`).",
        epilog="example: stagecore run -n train -d train.py -o model.bin python train.py",
        help="define a stage and run it (DVC 1.x/2.x `dvc run`)")
    p.add_argument("-f", "--file", help="single-stage file to write (`train.dvc`), as DVC 0.x/1.x did")
    p.add_argument("--single-stage", action="store_true", help="accepted for compatibility with DVC 1.x")
    p.add_argument("--no-exec", action="store_true", help="only write the stage, do not run it")
    p.add_argument("--no-run-cache", action="store_true", help="always run the command")
    add_stage_flags(p)
    p.set_defaults(func=run)


class _RunPrinter:
    def __init__(self, repo) -> None:
        from stagecore.cli.cmd_repro import Printer

        self.repo = repo
        self.printer = Printer(repo)

    def __call__(self, event) -> None:
        from stagecore.cli.common import rel

        if event.kind == "defined":
            created, existed = event.detail
            where = rel(self.repo, event.stage.dvcfile)
            if created:
                self.printer._out(f"Creating '{where}'")
            verb = "Modifying" if existed else "Adding"
            self.printer._out(f"{verb} stage '{event.stage.name}' in '{where}'")
        elif event.kind == "dvcfile":
            self.printer._out(f"Saving information to '{rel(self.repo, event.detail)}'.")
        else:
            self.printer(event)


def run(args) -> int:
    from stagecore.cli.cmd_stage import spec_of
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.errors import UsageError
    from stagecore.ops.run import run as run_stage

    spec = spec_of(args)
    if spec.name is None and spec.file is None and not args.single_stage and not _has_outs(spec):
        raise UsageError("`-n|--name` is required", hint="name the stage, or give `-f FILE.dvc`")
    with open_repo() as repo:
        printer = _RunPrinter(repo)
        result = run_stage(repo, spec, force=args.force, no_exec=args.no_exec,
                           run_cache=not args.no_run_cache, notify=printer)
        git_add_hint(repo, result.to_git_add)
        if result.ran:
            print("Use `stagecore push` to send your updates to remote storage.")
    return 0


def _has_outs(spec) -> bool:
    return any((spec.outs, spec.outs_no_cache, spec.metrics, spec.metrics_no_cache, spec.plots,
                spec.plots_no_cache, spec.outs_persist, spec.outs_persist_no_cache))
