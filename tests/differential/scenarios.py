"""All scenarios of the differential suite, in one tuple (each data module contributes its own)."""

from __future__ import annotations

from tests.differential import (
    scenarios_checkout,
    scenarios_cloud,
    scenarios_commit,
    scenarios_data,
    scenarios_pipeline,
    scenarios_pipeline_params,
    scenarios_workspace,
)
from tests.differential.runner import Scenario

SCENARIOS: tuple[Scenario, ...] = (
    *scenarios_data.SCENARIOS,
    *scenarios_commit.SCENARIOS,
    *scenarios_checkout.SCENARIOS,
    *scenarios_workspace.SCENARIOS,
    *scenarios_cloud.SCENARIOS,
    *scenarios_pipeline.SCENARIOS,
    *scenarios_pipeline_params.SCENARIOS,
)
