"""Data-command scenarios derived from DVC's tests/func (add, checkout, commit, remove, status, gc, ...)."""

from __future__ import annotations

from tests.differential.runner import Scenario

S = Scenario
ADD = "tests/func/test_add.py::"

SCENARIOS: tuple[Scenario, ...] = (
    S("add_file", ADD + "test_add", ("$TOOL add foo",), {"foo": "foo"}),
    S("add_directory", ADD + "test_add_directory", ("$TOOL add data",),
      {"data/a": "a", "data/sub/b": "b"}),
)
