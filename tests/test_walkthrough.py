"""The README's main job (`make demo` runs tests/walkthrough.sh) must keep working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("walkthrough.sh")


def test_walkthrough_runs_end_to_end(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "walkthrough: all steps passed" in proc.stdout
    assert "A       images/" in proc.stdout  # the checkout after deleting restored the directory
    assert "modified:           labels.csv" in proc.stdout
    assert "stage 'train' is not up to date (changed deps: src/train.py)" in proc.stdout  # the refused commit
    assert "Cache and remote 'mystorage' are in sync." in proc.stdout  # git push carried the data
    assert "13 files fetched and 11 files added" in proc.stdout  # the clone got its data back (files, as DVC counts)
    assert list(tmp_path.iterdir()) == []  # the scratch directory is cleaned up
