"""Git hook entry points: `python -m githooks <hook> [git's arguments]`.

Thin by design: parse git's argv/stdin and the pre-commit framework's PRE_COMMIT_* variables
into one request (`stagecore.hooks.protocol`), call `stagecore.hooks.run`, print the outcome
on stderr, exit with its code. Nothing heavy is imported here.
"""

from __future__ import annotations

HOOK_MODULES = {
    "pre-commit": "pre_commit",
    "post-checkout": "post_checkout",
    "post-merge": "post_merge",
    "post-rewrite": "post_rewrite",
    "pre-push": "pre_push",
}
