"""`python -m githooks <hook> [args...]`: dispatch to the hook's module."""

from __future__ import annotations

import sys

from githooks import HOOK_MODULES


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in HOOK_MODULES:
        sys.stderr.write(f"usage: python -m githooks {{{','.join(HOOK_MODULES)}}} [git's hook arguments]\n")
        return 2
    name = f"githooks.{HOOK_MODULES[argv[0]]}"
    __import__(name)  # not importlib: one import less on every hook's start
    return sys.modules[name].main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
