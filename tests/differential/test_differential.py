"""Every differential scenario, run in twin repositories with DVC 3.67.1 and with stagecore, compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.differential.differences import DELIBERATE, KNOWN_DIVERGENCES
from tests.differential.runner import TWINS, Scenario, make_template, run_scenario, without
from tests.differential.scenarios import SCENARIOS
from tests.helpers import dvc_path


def _params() -> list[object]:
    return [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.slow else []) for s in SCENARIOS]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if dvc_path() is None:
        pytest.fail("real DVC not found (set STAGECORE_DVC or run `make venv-dvc`): the oracle is required")
    base = tmp_path_factory.mktemp("diff-templates")
    return {twin: make_template(base / twin, twin) for twin in TWINS}


@pytest.mark.parametrize("scenario", _params())
def test_scenario(scenario: Scenario, tmp_path: Path, templates: dict[str, Path]) -> None:
    found, text = run_scenario(scenario, tmp_path, templates)
    if scenario.differs in KNOWN_DIVERGENCES:
        assert found, (f"{scenario.name} now agrees with DVC: remove '{scenario.differs}' from "
                       f"KNOWN_DIVERGENCES (tests/differential/differences.py) and the scenario's differs=")
        return
    ignored = DELIBERATE[scenario.differs].ignore if scenario.differs else ()
    remaining = without(found, ignored)
    assert not remaining, text
    if scenario.differs:
        assert found, f"{scenario.name}: the deliberate difference '{scenario.differs}' no longer shows"
