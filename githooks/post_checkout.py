"""git's `post-checkout` hook: see stagecore.hooks.post_checkout for what it does."""

from __future__ import annotations

import sys

from githooks._entry import run_hook


def main(args: list[str] | None = None) -> int:
    return run_hook("post-checkout", sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
