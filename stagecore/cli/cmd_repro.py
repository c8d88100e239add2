from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "repro",
        description="Reproduce the pipeline: run the stages whose dependencies changed, dependencies first.",
        epilog="example: stagecore repro train",
        help="reproduce changed stages (dependencies first)")
    p.add_argument("targets", nargs="*", metavar="TARGET",
                   help="stage names, dvc.yaml[:name] or .dvc files (default: ./dvc.yaml)")
    p.add_argument("-f", "--force", action="store_true", help="reproduce even unchanged stages")
    p.add_argument("-i", "--interactive", action="store_true",
                   help="ask before reproducing each stage (without a terminal: no)")
    p.add_argument(
        "-s", "--single-item", action="store_true",
        help="only the targets, not their dependencies")
    p.add_argument("-p", "--pipeline", action="store_true", help="the whole pipelines of the targets")
    p.add_argument("-P", "--all-pipelines", action="store_true", help="every pipeline of the repository")
    p.add_argument("-R", "--recursive", action="store_true",
                   help="a directory target means every stage defined in a dvc.yaml under it")
    p.add_argument("--downstream", action="store_true", help="the targets and the stages depending on them")
    p.add_argument(
        "--force-downstream", action="store_true",
        help="also force the stages after a reproduced one")
    p.add_argument("--pull", action="store_true", help="fetch missing data from the remote")
    p.add_argument("--allow-missing", action="store_true",
                   help="skip stages whose only change is missing data")
    p.add_argument("--dry", action="store_true", help="only print what would run")
    p.add_argument("-k", "--keep-going", action="store_const", dest="on_error", const="keep-going",
                   default="fail", help="after a failure, go on with the stages that do not depend on it")
    p.add_argument("--ignore-errors", action="store_const", dest="on_error", const="ignore",
                   help="after a failure, go on with every other stage and exit 0")
    p.add_argument("--glob", action="store_true", help="targets are shell patterns of stage names")
    p.add_argument("--no-commit", action="store_true",
                   help="record the outputs in dvc.lock without storing them in the cache")
    p.add_argument("--no-run-cache", action="store_true", help="neither use nor save the run cache")
    p.set_defaults(func=run)


class Printer:
    """Renders repro progress events as DVC prints them (stdout flushed before commands run)."""

    def __init__(self, repo) -> None:
        self.repo = repo

    def _out(self, text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def _err(self, text: str) -> None:
        sys.stdout.flush()
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def __call__(self, event) -> None:
        from stagecore.cli.common import rel

        if event.kind == "warn":
            self._err(f"WARNING: {event.detail}")
            return
        stage = event.stage
        name = addressing(self.repo, stage)
        kind = event.kind
        if kind == "gap":
            self._out("")
        elif kind == "skip":
            if stage.name is None and stage.cmd is None:
                self._out(f"'{rel(self.repo, stage.dvcfile)}' didn't change, skipping")
            else:
                self._out(f"Stage '{name}' didn't change, skipping")
        elif kind == "frozen":
            self._err(f"WARNING: stage: '{name}' is frozen. Its dependencies are not going to be reproduced.")
        elif kind == "run":
            self._out(f"Running stage '{name}':")
        elif kind == "import":
            source, path = event.detail
            self._out(f"Importing '{source}' -> '{rel(self.repo, path)}'")
        elif kind == "cmd":
            self._out(f"> {event.detail}")
        elif kind == "cached":
            self._out(f"Stage '{name}' is cached - skipping run, checking out outputs")
        elif kind == "verify":
            what = "outputs in frozen stage" if event.detail == "frozen" else "data sources in stage"
            self._out(f"Verifying {what}: '{name}'")
        elif kind == "lock":
            lock = rel(self.repo, event.detail.relpath)
            if event.detail.created:
                self._out(f"Generating lock file '{lock}'")
            if event.detail.changed:
                self._out(f"Updating lock file '{lock}'")
        elif kind == "pull":
            self._out(f"Pulling data for stage: '{name}'")
        elif kind == "pull-failed":
            self._out(f"Unable to pull data for stage: '{name}'")
        elif kind == "empty":
            self._err(f"WARNING: '{rel(self.repo, event.detail)}' is empty.")
        elif kind == "stashed":
            path, md5 = event.detail
            self._err(f"saved the previous content of '{rel(self.repo, path)}' to the cache (md5 {md5})")
        elif kind == "failed":
            message, dependents = event.detail
            self._err(f"WARNING: {message}")
            if dependents:
                word = "Stages" if len(dependents) > 1 else "Stage"
                names = join_names(f"'{d}'" for d in dependents)
                self._err(f"WARNING: {word} {names} will be skipped due to this failure")


def addressing(repo, stage) -> str:
    """A stage as DVC names it: its dvc file relative to the current directory (`s`, `../dvc.yaml:t`)."""
    from stagecore.cli.common import rel

    where = rel(repo, stage.dvcfile)
    if stage.name is None:
        return where
    return stage.name if where == "dvc.yaml" else f"{where}:{stage.name}"


def join_names(names) -> str:
    """DVC's humanize.join: 'a', 'a and b', 'a, b and c'."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def confirm(repo):
    """`-i`: DVC's prompt on stdin; without a terminal on stdout the answer is no."""

    def ask(stage) -> bool:
        if not sys.stdout.isatty():
            return False
        prompt = f"Going to reproduce stage: '{addressing(repo, stage)}'. Are you sure you want to continue? [y/n] "
        while True:
            try:
                answer = input(prompt).lower()
            except EOFError:
                return False
            if answer in ("yes", "no", "y", "n"):
                return answer.startswith("y")
            print("Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.")

    return ask


def finish(repo, result) -> None:
    from stagecore.cli.common import git_add_hint

    if not result.reproduced:
        print("Data and pipelines are up to date.")
        return
    git_add_hint(repo, result.to_git_add)
    print("Use `stagecore push` to send your updates to remote storage.")


def run(args) -> int:
    from stagecore.cli.common import open_repo
    from stagecore.ops.repro import reproduce

    with open_repo() as repo:
        from stagecore.files.config import as_bool

        interactive = args.interactive or as_bool(repo.conf.get("core", {}).get("interactive", False))
        result = reproduce(
            repo, args.targets, force=args.force, single_item=args.single_item, dry=args.dry,
            all_pipelines=args.all_pipelines, downstream=args.downstream, pipeline=args.pipeline,
            recursive=args.recursive, glob=args.glob, on_error=args.on_error, allow_missing=args.allow_missing,
            no_commit=args.no_commit, force_downstream=args.force_downstream, pull=args.pull,
            run_cache=not args.no_run_cache, notify=Printer(repo), confirm=confirm(repo) if interactive else None,
        )
        finish(repo, result)
    return 0
