"""Pipelines as DVC 3.67.1 runs them (issue 10): repro, run, stage add, params, metrics,
freeze/unfreeze and target addressing, each in twin repositories (the same files and the
same commands with real DVC and with stagecore; exit codes, printed lines and written files
compared)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import git, run_dvc, sc


@pytest.fixture
def twins(git_repo, dvc_bin, tmp_path) -> tuple[Path, Path]:
    """(stagecore repository, DVC repository), both initialized and with one commit."""
    assert sc("init", "-q", cwd=git_repo).returncode == 0
    twin = tmp_path / "twin"
    twin.mkdir()
    git("init", "-q", cwd=twin)
    assert run_dvc("init", "-q", cwd=twin).returncode == 0
    for root in (git_repo, twin):
        git("commit", "-qm", "init", "--allow-empty", cwd=root)
    return git_repo, twin


def write(roots, files: dict[str, str]) -> None:
    for root in roots:
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)


def both(twins, *args: str, code: int = 0, cwd: str = "") -> tuple[str, str]:
    """Run `args` with stagecore and with DVC; both exit `code`; (stagecore, DVC) stdout."""
    ours, theirs = sc(*args, cwd=twins[0] / cwd), run_dvc(*args, cwd=twins[1] / cwd)
    assert theirs.returncode == code, theirs.stdout + theirs.stderr
    assert ours.returncode == code, ours.stdout + ours.stderr
    assert "Traceback" not in ours.stderr
    return ours.stdout, theirs.stdout.replace("dvc ", "stagecore ").replace("`dvc", "`stagecore")


def same_stdout(twins, *args: str, code: int = 0, cwd: str = "") -> str:
    ours, theirs = both(twins, *args, code=code, cwd=cwd)
    assert ours == theirs
    return ours


def same_files(twins, *paths: str) -> None:
    for rel in paths:
        mine, dvc = twins[0] / rel, twins[1] / rel
        assert mine.exists() == dvc.exists(), rel
        if dvc.exists():
            assert mine.read_bytes() == dvc.read_bytes(), rel


def cache_files(root: Path) -> set[str]:
    cache = root / ".dvc" / "cache"
    return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()} if cache.exists() else set()


def stages(twins, *spec: tuple[str, ...]) -> None:
    for args in spec:
        both(twins, "stage", "add", "-q", *args)


# -- a failed stage ---------------------------------------------------------------------------------

def test_failed_stage_leaves_nothing_in_cache_nor_lock(twins):
    write(twins, {"in.txt": "hi\n"})
    stages(twins, ("-n", "a", "-d", "in.txt", "-o", "out.txt", "cp in.txt out.txt; exit 3"))
    for _ in range(2):  # the second run removes what the first left, without saving it
        ours, theirs = sc("repro", cwd=twins[0]), run_dvc("repro", cwd=twins[1])
        assert ours.returncode == theirs.returncode == 255
        assert "Running stage 'a':" in ours.stdout and "exited with 3" in ours.stderr
        assert "saved the previous content" not in ours.stderr
    assert cache_files(twins[0]) == cache_files(twins[1]) == set()
    same_files(twins, "dvc.lock", "out.txt")
    # content the user put there is still saved before a run replaces it (our safety rule)
    (twins[0] / "out.txt").write_text("mine\n")
    proc = sc("repro", cwd=twins[0])
    assert proc.returncode == 255 and "saved the previous content of 'out.txt'" in proc.stderr
    assert len(cache_files(twins[0])) == 1


def test_keep_going_failure_caches_nothing_of_the_failed_stage(twins):
    write(twins, {"in.txt": "hi\n"})
    stages(twins, ("-n", "bad", "-d", "in.txt", "-o", "bad.txt", "echo x > bad.txt; false"),
           ("-n", "good", "-d", "in.txt", "-o", "good.txt", "cp in.txt good.txt"))
    ours, theirs = sc("repro", "-k", cwd=twins[0]), run_dvc("repro", "-k", cwd=twins[1])
    assert ours.returncode == theirs.returncode == 255, ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout.replace("dvc ", "stagecore ")
    assert "WARNING: failed to run: echo x > bad.txt; false, exited with 1" in ours.stderr
    assert cache_files(twins[0]) == cache_files(twins[1])
    same_files(twins, "dvc.lock", "bad.txt", "good.txt")


# -- params as the only dependencies ----------------------------------------------------------------

def test_params_only_stage_is_up_to_date_until_a_used_param_changes(twins):
    write(twins, {"params.yaml": "lr: 1\nep: 2\n"})
    stages(twins, ("-n", "a", "-p", "lr", "-o", "out.txt", "cat params.yaml > out.txt"),
           ("-n", "b", "-p", "ep", "echo b"))
    both(twins, "repro", "-q")
    same_files(twins, "dvc.lock", "out.txt")
    assert cache_files(twins[0]) == cache_files(twins[1])
    assert any(p.startswith("runs/") for p in cache_files(twins[0]))  # the run-cache entry, DVC's key
    assert same_stdout(twins, "repro") == (
        "Stage 'a' didn't change, skipping\nStage 'b' didn't change, skipping\n"
        "Data and pipelines are up to date.\n")
    write(twins, {"params.yaml": "lr: 1\nep: 3\n"})
    assert "modified:           ep" in same_stdout(twins, "status")
    # a used param changes, then goes back: restored from the run cache, as DVC does
    write(twins, {"params.yaml": "lr: 2\nep: 3\n"})
    both(twins, "repro", "-q")
    write(twins, {"params.yaml": "lr: 1\nep: 3\n"})
    ours = same_stdout(twins, "repro", "a")
    assert "Stage 'a' is cached - skipping run, checking out outputs" in ours
    same_files(twins, "dvc.lock", "out.txt")


# -- stage add --force ------------------------------------------------------------------------------

TEMPLATED = """vars:
  - x: 1
stages:
  a:
    cmd: echo a
    desc: old desc
    outs:
    - o.txt:
        desc: out desc
        remote: r
        push: false
        type: t
        labels: [l]
        meta: {k: 1}
  n:
    cmd: echo ${x}  # comment
    meta: 1
  b:
    foreach: [x, y]
    do:
      cmd: echo ${item}
  c:
    matrix:
      m: [1, 2]
    cmd: echo ${item.m}
"""


def test_stage_add_force_keeps_desc_meta_and_replaces_templated_stages(twins):
    write(twins, {"dvc.yaml": TEMPLATED})
    ours, _ = both(twins, "stage", "add", "-f", "-n", "a", "--desc", "new", "-o", "o.txt", "-o", "p.txt", "echo new")
    assert ours.startswith("Added stage 'a' in 'dvc.yaml'\n")  # DVC says "Added" when replacing too
    for args in (("-f", "-n", "n", "--desc", "nd", "echo n"), ("-f", "-n", "b", "echo b"), ("--force", "-n", "c", "echo c")):
        both(twins, "stage", "add", "-q", *args)
    same_files(twins, "dvc.yaml", ".gitignore")
    text = (twins[0] / "dvc.yaml").read_text()
    assert "desc: old desc" in text and "foreach" not in text and "matrix" not in text
    ours, theirs = sc("stage", "add", "-n", "c", "echo", cwd=twins[0]), run_dvc("stage", "add", "-n", "c", "echo",
                                                                              cwd=twins[1])
    assert ours.returncode == theirs.returncode == 255
    for proc in (ours, theirs):
        assert proc.stderr.startswith("ERROR: Stage 'c' already exists in 'dvc.yaml'.")


# -- addressing -------------------------------------------------------------------------------------

ADDRESSED = {
    "dvc.yaml": "stages:\n  b:\n    foreach: [x, y]\n    do:\n      cmd: echo ${item} > ${item}.txt\n"
                "      outs:\n      - ${item}.txt\n  tr1:\n    cmd: echo tr1\n  tr2:\n    cmd: echo tr2\n",
    "sub/dvc.yaml": "stages:\n  s:\n    cmd: echo s > s.txt\n    outs: [s.txt]\n",
}


def test_repro_targets_as_dvc_addresses_them(twins):
    write(twins, ADDRESSED)
    # DVC orders independent stages of a small selection by set order (hash-seeded): compared sorted
    for args in ((":",), (":tr1", "b@x", "sub/dvc.yaml"), ("dvc.yaml:b", "sub/dvc.yaml:s"),
                 ("--glob", "tr*", "sub/dvc.yaml:*"), ("-s", "-R", "sub", "tr2", ":b@y")):
        ours, theirs = both(twins, "repro", "--dry", *args)
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), args


def test_repro_target_errors_and_addressing_from_a_subdirectory(twins):
    write(twins, ADDRESSED)
    for target in ("nosuch", "sub/dvc.yaml:nosuch", "dvc.lock:tr1", "x.txt"):
        ours, theirs = sc("repro", target, cwd=twins[0]), run_dvc("repro", target, cwd=twins[1])
        assert ours.returncode == theirs.returncode == 255, target
        assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0].replace("`dvc.", "`dvc."), target
    ours, theirs = both(twins, "repro", "--dry", "s", "../dvc.yaml:tr1", cwd="sub")
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())  # independent stages: DVC's set order  # names relative to the current directory


def test_status_targets_accept_groups_and_outputs(twins):
    write(twins, ADDRESSED)
    for target in (":b", "x.txt", "sub/dvc.yaml"):
        same_stdout(twins, "status", target)
    ours, theirs = sc("status", "nosuch", cwd=twins[0]), run_dvc("status", "nosuch", cwd=twins[1])
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr.startswith("ERROR: 'nosuch' does not exist") and theirs.stderr.startswith(
        "ERROR: 'nosuch' does not exist")
    both(twins, "repro", "-q", ":b", "sub/dvc.yaml:s")
    for root in twins:
        for rel in ("x.txt", "y.txt", "sub/s.txt"):
            (root / rel).unlink()
    assert same_stdout(twins, "checkout", ":b", "sub/dvc.yaml:s") == "A       sub/s.txt\nA       x.txt\nA       y.txt\n"
    same_files(twins, "x.txt", "sub/s.txt", "dvc.lock", "sub/dvc.lock")


# -- repro flags ------------------------------------------------------------------------------------

CHAIN = (("-n", "a", "-d", "in.txt", "-o", "a.txt", "cp in.txt a.txt"),
         ("-n", "b", "-d", "a.txt", "-o", "b.txt", "cp a.txt b.txt"),
         ("-n", "c", "-d", "in.txt", "-o", "c.txt", "exit 2"),
         ("-n", "d", "-d", "c.txt", "-o", "d.txt", "cp c.txt d.txt"))


def test_repro_ignore_errors_no_commit_and_allow_missing(twins):
    write(twins, {"in.txt": "hi\n"})
    stages(twins, *CHAIN)
    ours, theirs = both(twins, "repro", "--ignore-errors")
    assert ours == theirs  # exit 0, the blank lines where DVC prints them
    ours = sc("repro", "--ignore-errors", cwd=twins[0])
    assert "WARNING: failed to run: exit 2, exited with 2 (ignored)" in ours.stderr
    same_files(twins, "dvc.lock", "a.txt", "b.txt")
    write(twins, {"in.txt": "new\n"})
    same_stdout(twins, "repro", "--no-commit", "a")
    same_files(twins, "dvc.lock", "a.txt")
    assert cache_files(twins[0]) == cache_files(twins[1])  # the new a.txt is not in the cache
    same_stdout(twins, "status", "a")
    for root in twins:
        (root / "b.txt").unlink()
        (root / "a.txt").unlink()
    assert "Stage 'b' didn't change, skipping" in same_stdout(twins, "repro", "--allow-missing", "-s", "b")


def test_repro_interactive_asks_on_a_terminal_and_refuses_without_one(twins):
    import pty
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT, clean_env

    write(twins, {"in.txt": "hi\n"})
    stages(twins, CHAIN[0])
    ours, theirs = sc("repro", "-i", cwd=twins[0]), run_dvc("repro", "-i", cwd=twins[1])
    assert ours.returncode == theirs.returncode == 255
    assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0] == (
        "ERROR: failed to reproduce 'a': reproduction aborted by the user")
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "stagecore", "repro", "-i"], cwd=twins[0], input="maybe\ny\n",
                              stdout=secondary, stderr=subprocess.PIPE, text=True, timeout=60,
                              env={**clean_env(), "PYTHONPATH": str(REPO_ROOT)})
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert proc.returncode == 0, proc.stderr
    text = shown.decode()
    assert "Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again." in text
    assert "Running stage 'a':" in text and (twins[0] / "a.txt").read_text() == "hi\n"


# -- freeze / unfreeze ------------------------------------------------------------------------------

def test_freeze_dvc_files_and_stages_as_dvc(twins):
    write(twins, {"d.txt": "d\n", "dvc.yaml": "stages:\n  a:\n    cmd: echo a > a.txt\n    outs: [a.txt]\n"
                                              "  b:\n    foreach: [x]\n    do:\n      cmd: echo ${item}\n"})
    both(twins, "add", "-q", "d.txt")
    assert same_stdout(twins, "freeze", "d.txt.dvc") == ""
    same_files(twins, "d.txt.dvc")
    assert (twins[0] / "d.txt.dvc").read_text().endswith("  path: d.txt\nfrozen: true\n")
    write(twins, {"d.txt": "changed\n"})
    ours = sc("repro", "d.txt.dvc", cwd=twins[0])
    assert ours.stdout == run_dvc("repro", "d.txt.dvc", cwd=twins[1]).stdout.replace("dvc ", "stagecore ")
    assert "WARNING: stage: 'd.txt.dvc' is frozen. Its dependencies are not going to be reproduced." in ours.stderr
    assert "Verifying outputs in frozen stage: 'd.txt.dvc'" in ours.stdout
    same_files(twins, "d.txt.dvc")
    for target, why in (("d.txt", "Stage 'd.txt' not found inside 'dvc.yaml' file"),
                        ("b@x", "cannot dump a parametrized stage: 'b@x'"),
                        (":b", "Stage 'b' not found inside 'dvc.yaml' file")):
        ours, theirs = sc("freeze", target, cwd=twins[0]), run_dvc("freeze", target, cwd=twins[1])
        assert ours.returncode == theirs.returncode == 1
        assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0] == f"ERROR: failed to freeze '{target}' - {why}"
    assert same_stdout(twins, "freeze", "a") == "Modifying stage 'a' in 'dvc.yaml'\n"
    same_files(twins, "dvc.yaml")
    same_stdout(twins, "unfreeze", "a", "d.txt.dvc")
    same_files(twins, "dvc.yaml", "d.txt.dvc")


# -- params diff, metrics diff, metrics show at revisions ---------------------------------------------

def _lines(text: str) -> list[str]:
    """DVC lists files in set order (hash-seeded): tables are compared as sorted rows."""
    return sorted(text.splitlines())


def test_params_diff_targets_and_deps(twins):
    import json

    write(twins, {"params.yaml": "lr: 1\nep: 2\n", "cfg.yaml": "k: 1\nj: 2\n", "top.yaml": "t: 1\n",
                  "dvc.yaml": "params:\n- top.yaml\nstages:\n  a:\n    cmd: echo a\n    params:\n    - lr\n"
                              "    - cfg.yaml:\n      - k\n"})
    for root in twins:
        git("add", "-A", cwd=root)
        git("commit", "-qm", "params", cwd=root)
    write(twins, {"params.yaml": "lr: 2\nep: 3\n", "cfg.yaml": "k: 2\nj: 3\n", "top.yaml": "t: 2\n"})
    for args in ((), ("--targets", "cfg.yaml", "top.yaml", "--all")):
        ours, theirs = both(twins, "params", "diff", *args)
        assert _lines(ours) == _lines(theirs), args
    ours, theirs = both(twins, "params", "diff", "--targets", "cfg.yaml", "--deps", "--json")
    assert json.loads(ours) == json.loads(theirs) == {"cfg.yaml": {"k": {"old": 1, "new": 2, "diff": 1},
                                                                   "j": {"old": 2, "new": 3, "diff": 1}}}
    ours, theirs = both(twins, "params", "diff", "--deps", "--md")
    assert _lines(ours) == _lines(theirs) == [
        "", "| Path        | Param   | HEAD   | workspace   |", "| cfg.yaml    | k       | 1      | 2           |",
        "| params.yaml | lr      | 1      | 2           |", "|-------------|---------|--------|-------------|"]


METRICS = {
    "m.json": '{"acc": 0.5, "loss": 1, "nested": {"x": 1}, "name": "a"}',
    "c.yaml": "auc: 0.7\n",
    "top.json": '{"t": 1}',
    "dvc.yaml": "stages:\n  a:\n    cmd: echo\n    metrics:\n    - m.json:\n        cache: false\n    - c.yaml\n"
                "metrics:\n- top.json\n",
}


def test_metrics_diff_and_show_at_revisions(twins):
    import json

    write(twins, METRICS)
    both(twins, "commit", "-f", "-q")
    same_files(twins, "dvc.lock")
    for root in twins:
        git("add", "-A", cwd=root)
        git("commit", "-qm", "metrics", cwd=root)
        git("tag", "v1", cwd=root)
        git("checkout", "-qb", "br", cwd=root)
    # on br: c.yaml changes without a new lock, so br still records (and shows) the cached 0.7
    write(twins, {"m.json": '{"acc": 0.75, "loss": 1, "nested": {"x": 2}, "name": "b", "new": 3}',
                  "c.yaml": "auc: 0.8\n"})
    for root in twins:
        git("commit", "-qam", "br", cwd=root)
        git("checkout", "-q", "main", cwd=root)
    write(twins, {"m.json": '{"acc": 0.123456789, "loss": 1}', "c.yaml": "auc: 0.8\n"})
    for args in (("--all", "--precision", "2", "--md"), ("HEAD", "br"), ("--targets", "m.json", "c.yaml", "--", "v1")):
        ours, theirs = both(twins, "metrics", "diff", *args)
        assert _lines(ours) == _lines(theirs), args
    ours, theirs = both(twins, "metrics", "diff", "--json")
    assert json.loads(ours) == json.loads(theirs)
    for args in (("-a",), ("-T", "--md")):
        same_stdout(twins, "metrics", "show", *args)
    ours, theirs = both(twins, "metrics", "show", "-A", "--json")
    assert json.loads(ours).keys() - {"workspace"} == {git("rev-parse", r, cwd=twins[0]).strip()
                                                       for r in ("main", "br", "main~1")}
    assert sorted(json.loads(ours).values(), key=str) == sorted(json.loads(theirs).values(), key=str)
