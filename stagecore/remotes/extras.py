"""How to install an optional extra (`stagecore[s3]`, `stagecore[ssh]`): the hint for a missing SDK.

Under the pre-commit framework (`PRE_COMMIT=1` in the hook's environment) the hook runs in the
framework's own virtualenv, where `pip install` does not reach: the extra goes into the hook's
`additional_dependencies` in `.pre-commit-config.yaml` instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def install_hint(extra: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("PRE_COMMIT") == "1":
        return (
            f"add `additional_dependencies: ['stagecore[{extra}]']` to each stagecore hook in "
            ".pre-commit-config.yaml, then run `pre-commit install-hooks`"
        )
    return f"pip install 'stagecore[{extra}]'"
