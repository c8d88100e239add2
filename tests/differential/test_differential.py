"""Every differential scenario, run in twin repositories with DVC 3.67.1 and with stagecore, compared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.differential.differences import DELIBERATE, KNOWN_DIVERGENCES
from tests.differential.runner import Scenario, make_template, run_scenario, without
from tests.differential.scenarios import SCENARIOS
from tests.helpers import dvc_path


def _params() -> list[object]:
    return [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.slow else []) for s in SCENARIOS]


class Templates:
    """The initialized template repository of each twin, made on first use (DVC's only when a scenario
    has no current record, tests/differential/oracle.py)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.made: dict[str, Path] = {}

    def __call__(self, twin: str) -> Path:
        if twin not in self.made:
            if twin == "dvc" and dvc_path() is None:
                pytest.fail(
                    "real DVC not found (set STAGECORE_DVC or run `make venv-dvc`): a scenario has no record"
                )
            self.made[twin] = make_template(self.base / twin, twin)
        return self.made[twin]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("diff-templates"))


@pytest.mark.parametrize("scenario", _params())
def test_scenario(scenario: Scenario, tmp_path: Path, templates: Templates) -> None:
    found, text = run_scenario(scenario, tmp_path, templates)
    trace = os.environ.get("STAGECORE_DIFF_TRACE")  # a file to append every scenario's account to
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    if scenario.differs in KNOWN_DIVERGENCES:
        assert found, (
            f"{scenario.name} now agrees with DVC: remove '{scenario.differs}' from "
            f"KNOWN_DIVERGENCES (tests/differential/differences.py) and the scenario's differs="
        )
        return
    ignored = DELIBERATE[scenario.differs].ignore if scenario.differs else ()
    remaining = without(found, ignored)
    assert not remaining, text
    if scenario.differs:
        assert found, f"{scenario.name}: the deliberate difference '{scenario.differs}' no longer shows"


def test_every_difference_is_named_and_used() -> None:
    """Each scenario's `differs` is a key of exactly one list; each entry serves a scenario; names unique."""
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert not set(DELIBERATE) & set(KNOWN_DIVERGENCES)
    used = {s.differs for s in SCENARIOS if s.differs}
    unknown = sorted(used - set(DELIBERATE) - set(KNOWN_DIVERGENCES))
    assert not unknown, f"scenarios name differences that neither list holds: {unknown}"
    unused = sorted((set(DELIBERATE) | set(KNOWN_DIVERGENCES)) - used)
    assert not unused, f"entries no scenario names (remove them): {unused}"
    for scenario in SCENARIOS:
        source = scenario.source
        assert source.startswith("tests/func/") and "/test_" in source and "::test_" in source, scenario.name


def _readme_deliberate() -> dict[str, str]:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = text.index(README_HEADING)
    section = text[start + len(README_HEADING) :].split("\n#", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("- `") and "`:" in line:
            key, _, reason = line[3:].partition("`:")
            found[key] = reason.strip()
    return found


README_HEADING = "### Deliberate differences from DVC"


def test_readme_lists_the_deliberate_differences() -> None:
    """README.md's compatibility section names exactly the DELIBERATE keys (`- `key`: reason` lines)."""
    listed = _readme_deliberate()
    assert sorted(listed) == sorted(DELIBERATE), (
        f"README.md '{README_HEADING}' lists {sorted(listed)}, differences.DELIBERATE holds {sorted(DELIBERATE)}"
    )
    for key, reason in listed.items():
        assert reason, f"README.md gives no reason for `{key}`"


def test_every_oracle_record_has_its_scenario() -> None:
    """A renamed or deleted scenario leaves no record behind (tests/differential/oracle/<name>.json)."""
    from tests.differential.oracle import ORACLE_DIR

    names = {s.name for s in SCENARIOS}
    orphans = sorted(p.name for p in ORACLE_DIR.glob("*.json") if p.stem not in names)
    assert not orphans, f"records without a scenario (delete them): {orphans}"
