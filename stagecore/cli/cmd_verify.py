from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "verify",
        description="CI check: the locks at a revision are consistent and its data is on the data remote.",
        epilog="example: stagecore verify --rev HEAD -r storage",
        help="CI check: locks consistent at a revision, its data on the remote")
    p.add_argument("--rev", default="HEAD", help="revision to verify (default HEAD)")
    p.add_argument("-r", "--remote", help="data remote to check (default: core.remote)")
    p.add_argument("--no-remote", action="store_true", help="skip the remote check")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from stagecore.cli.cmd_status import render
    from stagecore.cli.common import open_repo
    from stagecore.ops.verify import verify

    with open_repo() as repo:
        report = verify(repo, args.rev, args.remote, check_remote=not args.no_remote)
    if args.json:
        print(json.dumps(report.as_json()))
        return 0 if report.ok else 1
    if report.stages:
        print(f"stages not up to date at {report.rev[:12]}:")
        print(render(report.stages), end="")
    if report.missing_on_remote:
        print(f"missing on remote '{report.remote}':")
        for path, md5 in sorted(report.missing_on_remote.items()):
            print(f"\t{path} (md5: {md5})")
        print("hint: push the data with `stagecore push` (or `git push` with the hooks installed)")
    if report.ok:
        checked = f" and its data is on remote '{report.remote}'" if report.remote else ""
        print(f"{report.rev[:12]}: pipelines are consistent{checked}.")
    return 0 if report.ok else 1
