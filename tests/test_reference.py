"""docs/commands.md is the parser rendered (stagecore.cli.reference): it cannot rot, and every
command and argument in it says what it is for."""

from __future__ import annotations

import re
import subprocess
import sys

from stagecore.cli import build_parser
from stagecore.cli.reference import render
from tests.helpers import REPO_ROOT


def test_reference_matches_the_parser() -> None:
    text = (REPO_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert text == render(build_parser()), "docs/commands.md is stale: run `make docs`"


def test_every_command_and_argument_is_described() -> None:
    text = render(build_parser())
    sections = re.split(r"(?m)^## ", text)[1:]
    assert len(sections) >= 40  # every command and subcommand (remote add, stage list, ...)
    for section in sections:
        title, _, body = section.partition("\n")
        assert body.strip().split("\n")[0] and not body.lstrip().startswith("|"), f"{title}: no description"
        for row in re.findall(r"(?m)^\| (`.*?) \| (.*) \|$", body):
            assert row[1].strip(), f"{title}: {row[0]} has no help"


def test_module_prints_the_reference() -> None:
    proc = subprocess.run([sys.executable, "-m", "stagecore.cli.reference"], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0 and proc.stdout == render(build_parser()), proc.stderr
