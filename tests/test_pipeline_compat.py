"""Pipelines as DVC 3.67.1 runs them (issue 10): repro, run, stage add, params, metrics,
freeze/unfreeze and target addressing, each in twin repositories (the same files and the
same commands with real DVC and with stagecore; exit codes, printed lines and written files
compared)."""

from __future__ import annotations

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
    same_stdout(twins, "status")
    write(twins, {"params.yaml": "lr: 1\nep: 3\n"})
    assert "modified:           ep" in same_stdout(twins, "status")
    ours, _ = both(twins, "repro")
    assert "Stage 'a' didn't change, skipping" in ours and "Running stage 'b':" in ours
    same_files(twins, "dvc.lock")
    # back to the first value: restored from the run cache, as DVC does
    write(twins, {"params.yaml": "lr: 2\nep: 3\n"})
    both(twins, "repro", "-q")
    write(twins, {"params.yaml": "lr: 1\nep: 3\n"})
    ours, _ = both(twins, "repro")
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
    for args in (("-f", "-n", "n", "--desc", "nd", "echo n"), ("--force", "-n", "z", "--desc", "zd", "echo z"),
                 ("-f", "-n", "z", "echo zz"), ("-f", "-n", "b", "echo b"), ("-f", "-n", "c", "echo c")):
        both(twins, "stage", "add", "-q", *args)
    same_files(twins, "dvc.yaml", ".gitignore")
    text = (twins[0] / "dvc.yaml").read_text()
    assert "desc: old desc" in text and "foreach" not in text and "matrix" not in text
    ours, theirs = sc("stage", "add", "-n", "z", "echo", cwd=twins[0]), run_dvc("stage", "add", "-n", "z", "echo",
                                                                              cwd=twins[1])
    assert ours.returncode == theirs.returncode == 255
    for proc in (ours, theirs):
        assert proc.stderr.startswith("ERROR: Stage 'z' already exists in 'dvc.yaml'.")
