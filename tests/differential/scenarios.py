"""All scenarios of the differential suite, in one tuple (each data module contributes its own)."""

from __future__ import annotations

from tests.differential import scenarios_data
from tests.differential.runner import Scenario

SCENARIOS: tuple[Scenario, ...] = (*scenarios_data.SCENARIOS,)
