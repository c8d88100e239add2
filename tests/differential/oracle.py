"""DVC's side of each scenario, recorded: tests/differential/oracle/<scenario>.json.

Real DVC is deterministic on a scenario (fixed contents, git identity and dates, paths masked), so
its run is recorded once, with a key over everything that shapes it (the scenario's steps, files,
init and status switch, the snapshot code, the pinned DVC version, ORACLE_FORMAT). A scenario whose
record is missing or whose key changed runs DVC live and (re)writes the record, to be committed with
the scenario; STAGECORE_DIFF_LIVE=1 runs DVC live for every scenario and rewrites every record. So a
run pays for stagecore only, and the oracle is still real DVC: every record was produced by it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from tests.differential.runner import SNAPSHOT, Scenario, TwinRun, run_twin

ORACLE_DIR = Path(__file__).with_name("oracle")
DVC_VERSION = "3.67.1"  # the Makefile's pin; a record made by another version is stale
ORACLE_FORMAT = 1  # bump when the runner's script or the TwinRun fields change meaning
LIVE_ENV = "STAGECORE_DIFF_LIVE"


def oracle_key(scenario: Scenario) -> str:
    """Over what shapes DVC's run only: its name, `differs`, `slow` or `source` may change freely."""
    files = {
        path: content.hex() if isinstance(content, bytes) else content
        for path, content in scenario.files.items()
    }
    shape = {
        "steps": list(scenario.steps),
        "files": files,
        "init": scenario.init,
        "status": scenario.compare.status,
    }
    blob = "\n".join(
        [
            json.dumps(shape, sort_keys=True),
            SNAPSHOT.read_text(encoding="utf-8"),
            DVC_VERSION,
            str(ORACLE_FORMAT),
        ]
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _load(path: Path, key: str) -> TwinRun | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key:
        return None
    run = data["run"]
    return TwinRun(
        run["twin"],
        run["codes"],
        [(out, err) for out, err in run["outputs"]],
        run["snapshots"],
        (run["status"][0], run["status"][1]),
        run["twin_dir"],
    )


def dvc_run(scenario: Scenario, base: Path, template: Callable[[], Path | None]) -> TwinRun:
    """The recorded DVC run of `scenario`, or a live one (then recorded)."""
    path = ORACLE_DIR / f"{scenario.name}.json"
    key = oracle_key(scenario)
    if not os.environ.get(LIVE_ENV):
        recorded = _load(path, key)
        if recorded is not None:
            return recorded
    run = run_twin(scenario, base, "dvc", template())
    ORACLE_DIR.mkdir(exist_ok=True)
    record = {"key": key, "dvc": DVC_VERSION, "scenario": scenario.name, "run": asdict(run)}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    text = text.replace(run.twin_dir, "<TWIN>")  # the record does not change with the temp directory
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return run
