"""git's `pre-push` hook: see stagecore.hooks.pre_push for what it does."""

from __future__ import annotations

import sys

from githooks._entry import run_hook


def main(args: list[str] | None = None) -> int:
    return run_hook("pre-push", sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
