from __future__ import annotations

import argparse


class _FsConfig(argparse.Action):
    """`--fs-config KEY=VALUE [KEY=VALUE ...]` (repeatable), merged into one mapping as DVC's DictAction."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        merged = dict(getattr(namespace, self.dest) or {})
        for item in values or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                parser.error(f"{option_string} takes KEY=VALUE, got '{item}'")
            merged[key] = value
        setattr(namespace, self.dest, merged)


def register(sub) -> None:
    p = sub.add_parser(
        "import-url",
        description="Download a file or directory from a local path, an http(s) URL, S3 (s3://BUCKET/KEY) "
        "or SSH (ssh://[USER@]HOST[:PORT]/PATH), or remote://NAME/PATH of a configured remote, into the "
        "workspace and track it (writes OUT.dvc with the source as its dependency; `update` re-imports it).",
        epilog="example: stagecore import-url s3://bucket/data.csv data/data.csv --fs-config endpointurl=http://host:9000",
        help="import data from a local path, http(s), s3:// or ssh:// URL",
    )
    p.add_argument(
        "url", metavar="URL", help="source: a local path, http(s)://, s3://, ssh:// or remote://NAME/PATH"
    )
    p.add_argument("out", nargs="?", metavar="OUT", help="destination path (default: the source's name)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.add_argument(
        "--no-exec", action="store_true", help="only write the .dvc file (no download); `update` fetches"
    )
    p.add_argument(
        "--fs-config",
        nargs="*",
        action=_FsConfig,
        metavar="KEY=VALUE",
        help="remote options for an s3/ssh source (endpointurl, keyfile, ...), recorded in the .dvc file",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from stagecore.cli import out
    from stagecore.cli.common import git_add_hint, open_repo
    from stagecore.ops.import_url import import_url

    with open_repo() as repo:
        result = import_url(
            repo,
            args.url,
            args.out,
            force=args.force,
            say=out,
            no_exec=args.no_exec,
            fs_config=args.fs_config,
        )
        git_add_hint(repo, result.to_git_add)
    return 0
