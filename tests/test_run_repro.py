"""`run`, `stage add`, `repro` through the CLI: the seed tutorials' flows, failures, run cache."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from tests.helpers import git, run_cli

PREPARE_PY = """import os, sys
src = sys.argv[1]
os.makedirs(os.path.join("data", "prepared"), exist_ok=True)
lines = open(src).read().splitlines()
open(os.path.join("data", "prepared", "train.tsv"), "w").write("\\n".join(lines[::2]) + "\\n")
open(os.path.join("data", "prepared", "test.tsv"), "w").write("\\n".join(lines[1::2]) + "\\n")
"""

TRAIN_PY = """import json, os
n = sum(len(open(os.path.join("data", f)).read()) for f in sorted(os.listdir("data")))
open("model.h5", "w").write("model %d\\n" % n)
json.dump({"acc": n / 100}, open("metrics.json", "w"))
"""


@pytest.fixture
def repo(git_repo):
    run_cli("init", cwd=git_repo, check=True)
    return git_repo


def ok(*args, cwd):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, f"stagecore {' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def fails(*args, cwd, code=255):
    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == code, f"{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def test_seed_run_named_stage_with_directory_output(repo):
    (repo / "src").mkdir()
    (repo / "src" / "prepare.py").write_text(PREPARE_PY)
    (repo / "data").mkdir()
    (repo / "data" / "data.xml").write_text("".join(f"<row id='{i}'/>\n" for i in range(10)))
    ok("add", "data/data.xml", cwd=repo)
    proc = ok("run", "-n", "prepare", "-d", "src/prepare.py", "-d", "data/data.xml", "-o", "data/prepared",
              "python3", "src/prepare.py", "data/data.xml", cwd=repo)
    assert proc.stdout.startswith(
        "Running stage 'prepare':\n> python3 src/prepare.py data/data.xml\n"
        "Creating 'dvc.yaml'\nAdding stage 'prepare' in 'dvc.yaml'\n"
        "Generating lock file 'dvc.lock'\nUpdating lock file 'dvc.lock'\n"
    )
    assert "git add" in proc.stdout and "Use `stagecore push` to send your updates to remote storage." in proc.stdout
    assert (repo / "dvc.yaml").read_text() == (
        "stages:\n  prepare:\n    cmd: python3 src/prepare.py data/data.xml\n    deps:\n"
        "    - data/data.xml\n    - src/prepare.py\n    outs:\n    - data/prepared\n"
    )
    assert "/prepared" in (repo / "data" / ".gitignore").read_text().splitlines()
    lock = (repo / "dvc.lock").read_text()
    assert "  prepare:\n    cmd: python3 src/prepare.py data/data.xml\n" in lock and "nfiles: 2" in lock
    dir_md5 = next(line.split()[-1] for line in lock.splitlines() if line.strip().startswith("md5:") and ".dir" in line)
    manifest = repo / ".dvc" / "cache" / "files" / "md5" / dir_md5[:2] / dir_md5[2:]
    assert [e["relpath"] for e in json.loads(manifest.read_text())] == ["test.tsv", "train.tsv"]
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    again = ok("repro", cwd=repo)
    assert again.stdout == (
        "'data/data.xml.dvc' didn't change, skipping\n"
        "Stage 'prepare' didn't change, skipping\nData and pipelines are up to date.\n"
    )


def test_seed_single_stage_file_flow(repo):
    (repo / "data").mkdir()
    (repo / "data" / "a.txt").write_text("aaaa\n")
    (repo / "train.py").write_text(TRAIN_PY)
    (repo / "model.h5").write_text("old model\n")
    ok("add", "data", cwd=repo)
    ok("add", "model.h5", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    ok("remove", "-pf", "model.h5.dvc", cwd=repo)
    proc = ok("run", "-f", "train.dvc", "-d", "data", "-d", "train.py", "-o", "model.h5", "-M", "metrics.json",
              "python3", "train.py", cwd=repo)
    assert proc.stdout.startswith("Running stage 'train.dvc':\n> python3 train.py\nSaving information to 'train.dvc'.\n")
    text = (repo / "train.dvc").read_text()
    lines = text.splitlines()
    assert lines[0].startswith("md5: ") and lines[1] == "cmd: python3 train.py"
    assert lines[2:4] == ["deps:", f"- md5: {lines[3].split()[-1]}"] and lines[3].endswith(".dir")
    assert "  path: metrics.json\n  cache: false\n  metric: true\n  hash: md5\n" in text
    assert "  path: model.h5\n  hash: md5\n" in text
    ignored = (repo / ".gitignore").read_text().splitlines()
    assert "/model.h5" in ignored and "/metrics.json" not in ignored
    assert (repo / "model.h5").read_text() == "model 5\n"
    git("rm", "-q", "model.h5.dvc", cwd=repo)
    git("add", "train.dvc", "metrics.json", ".gitignore", cwd=repo)
    git("commit", "-qm", "Tracking model.h5 as an output of stage train.dvc", cwd=repo)

    repro = ok("repro", "train.dvc", cwd=repo)
    assert repro.stdout == (
        "'data.dvc' didn't change, skipping\nStage 'train.dvc' didn't change, skipping\n"
        "Data and pipelines are up to date.\n"
    )
    assert ok("status", "train.dvc", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "data" / "b.txt").write_text("bb\n")
    status = json.loads(ok("status", "--json", "train.dvc", cwd=repo).stdout)
    assert status == {"train.dvc": [{"changed deps": {"data": "modified"}}]}
    repro = ok("repro", "train.dvc", cwd=repo)
    assert "Verifying data sources in stage: 'data.dvc'" in repro.stdout
    assert "Running stage 'train.dvc':\n> python3 train.py\n" in repro.stdout
    assert (repo / "model.h5").read_text() == "model 8\n"
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    ok("remove", "train.dvc", cwd=repo)
    assert not (repo / "train.dvc").exists()
    assert "/model.h5" not in (repo / ".gitignore").read_text().splitlines()


def _two_stages(repo, first_cmd="cp in.txt mid.txt"):
    (repo / "in.txt").write_text("v1\n")
    (repo / "dvc.yaml").write_text(
        f"stages:\n  first:\n    cmd: {first_cmd}\n    deps: [in.txt]\n    outs: [mid.txt]\n"
        "  second:\n    cmd: cp mid.txt out.txt\n    deps: [mid.txt]\n    outs: [out.txt]\n"
        "  alone:\n    cmd: echo alone > alone.txt\n    outs: [alone.txt]\n"
    )


def test_failing_command_stops_and_leaves_lock_untouched(repo):
    _two_stages(repo)
    ok("repro", cwd=repo)
    before = (repo / "dvc.lock").read_bytes()
    (repo / "in.txt").write_text("v2\n")
    (repo / "dvc.yaml").write_text((repo / "dvc.yaml").read_text().replace("cp in.txt mid.txt", "exit 3"))
    proc = fails("repro", cwd=repo)
    assert proc.stderr.splitlines()[0] == "ERROR: failed to reproduce 'first': failed to run: exit 3, exited with 3"
    assert "Running stage 'second'" not in proc.stdout
    assert (repo / "dvc.lock").read_bytes() == before


def test_keep_going_runs_independent_stages_and_skips_dependents(repo):
    _two_stages(repo, first_cmd="exit 4")
    proc = fails("repro", "-k", "second", "alone", cwd=repo)
    assert "Running stage 'alone':" in proc.stdout and "Running stage 'second'" not in proc.stdout
    assert "WARNING: Stage 'second' will be skipped due to this failure" in proc.stderr
    assert proc.stderr.splitlines()[-2] == "ERROR: failed to reproduce 'first'"
    lock = (repo / "dvc.lock").read_text()
    assert "alone:" in lock and "first:" not in lock


def test_missing_output_and_missing_dependency(repo):
    (repo / "dvc.yaml").write_text(
        "stages:\n  noout:\n    cmd: echo hi\n    outs: [never.txt]\n"
        "  bad:\n    cmd: echo hi > b.txt\n    deps: [nonexist.txt]\n    outs: [b.txt]\n"
    )
    proc = fails("repro", "noout", cwd=repo)
    assert proc.stderr.splitlines()[0] == "ERROR: failed to reproduce 'noout': output 'never.txt' does not exist"
    proc = fails("repro", "bad", cwd=repo)
    assert proc.stderr.splitlines()[0] == "ERROR: failed to reproduce 'bad': dependency 'nonexist.txt' does not exist"
    assert not (repo / "dvc.lock").exists() and not (repo / "b.txt").exists()


def test_run_cache_restores_previous_outputs_without_running(repo):
    (repo / "in.txt").write_text("v1\n")
    (repo / "dvc.yaml").write_text(
        "stages:\n  s1:\n    cmd: echo run >> ../runs.log && cat in.txt > out.txt\n"
        "    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    log = repo.parent / "runs.log"
    ok("repro", cwd=repo)
    (repo / "in.txt").write_text("v2\n")
    ok("repro", cwd=repo)
    assert log.read_text() == "run\nrun\n"
    (repo / "in.txt").write_text("v1\n")
    proc = ok("repro", cwd=repo)
    assert "Stage 's1' is cached - skipping run, checking out outputs" in proc.stdout
    assert log.read_text() == "run\nrun\n"
    assert (repo / "out.txt").read_text() == "v1\n"
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    runs = repo / ".dvc" / "cache" / "runs"
    entries = [os.path.join(d, f) for d, _, files in os.walk(runs) for f in files]
    assert len(entries) == 2
    key_dir = os.path.dirname(entries[0])
    assert os.path.basename(os.path.dirname(key_dir)) == os.path.basename(key_dir)[:2]
    (repo / "out.txt").unlink()  # deleted output, unchanged deps: checked out, not rerun
    proc = ok("repro", cwd=repo)
    assert "Stage 's1' is cached - skipping run, checking out outputs" in proc.stdout
    assert log.read_text() == "run\nrun\n" and (repo / "out.txt").read_text() == "v1\n"
    forced = ok("repro", "-f", cwd=repo)
    assert "Running stage 's1':" in forced.stdout and log.read_text() == "run\nrun\nrun\n"


def test_dry_force_single_item_and_downstream(repo):
    _two_stages(repo)
    dry = ok("repro", "--dry", cwd=repo)
    assert "Running stage 'first':\n> cp in.txt mid.txt\n" in dry.stdout
    assert not (repo / "mid.txt").exists() and not (repo / "dvc.lock").exists()
    ok("repro", cwd=repo)
    (repo / "in.txt").write_text("v2\n")
    single = ok("repro", "-s", "second", cwd=repo)
    assert single.stdout.startswith("Stage 'second' didn't change, skipping")
    down = ok("repro", "--downstream", "first", cwd=repo)
    assert "Running stage 'first'" in down.stdout and "Running stage 'second'" in down.stdout
    assert "alone" not in down.stdout
    assert (repo / "out.txt").read_text() == "v2\n"


def test_stage_add_appends_keeps_comments_and_force_replaces(repo):
    (repo / "dvc.yaml").write_text("# my pipeline\nstages:\n  old:  # keep me\n    cmd: echo old\n")
    proc = ok("stage", "add", "-n", "new", "-d", "in.txt", "-o", "o.txt", "--desc", "New one", "cp in.txt o.txt",
              cwd=repo)
    assert proc.stdout.startswith("Added stage 'new' in 'dvc.yaml'\n")
    assert (repo / "dvc.yaml").read_text() == (
        "# my pipeline\nstages:\n  old:  # keep me\n    cmd: echo old\n"
        "  new:\n    desc: New one\n    cmd: cp in.txt o.txt\n    deps:\n    - in.txt\n    outs:\n    - o.txt\n"
    )
    assert (repo / ".gitignore").read_text() == "/o.txt\n"
    dup = fails("stage", "add", "-n", "new", "-o", "o.txt", "echo", cwd=repo, code=255)  # DVC: 255
    assert dup.stderr.splitlines()[0] == "ERROR: Stage 'new' already exists in 'dvc.yaml'."
    ok("stage", "add", "--force", "-n", "old", "-O", "n.txt", "echo new > n.txt", cwd=repo)
    assert (repo / "dvc.yaml").read_text().startswith(
        "# my pipeline\nstages:\n  old:  # keep me\n    cmd: echo new > n.txt\n    outs:\n    - n.txt:\n"
        "        cache: false\n"
    )
    listing = ok("stage", "list", cwd=repo).stdout
    assert listing == "old  Outputs n.txt\nnew  New one\n"


def test_remove_stage_keeps_the_rest_and_deletes_emptied_files(repo):
    _two_stages(repo)
    (repo / "dvc.yaml").write_text("# comment\n" + (repo / "dvc.yaml").read_text())
    ok("repro", cwd=repo)
    ok("remove", "second", "--outs", cwd=repo)
    assert not (repo / "out.txt").exists()
    text = (repo / "dvc.yaml").read_text()
    assert text.startswith("# comment\nstages:\n  first:") and "second" not in text
    assert "second:" not in (repo / "dvc.lock").read_text()
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    ok("remove", "first", "alone", cwd=repo)
    assert not (repo / "dvc.yaml").exists() and not (repo / "dvc.lock").exists()


def test_commit_changed_stage_needs_force(repo):
    _two_stages(repo)
    ok("repro", cwd=repo)
    (repo / "out.txt").write_text("edited\n")
    proc = fails("commit", "second", cwd=repo, code=1)
    assert "unable to commit changed stage: 'second'" in proc.stderr
    ok("commit", "-f", "second", cwd=repo)
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    edited_md5 = hashlib.md5(b"edited\n").hexdigest()
    assert f"- path: out.txt\n      hash: md5\n      md5: {edited_md5}\n" in (repo / "dvc.lock").read_text()
    assert (repo / ".dvc" / "cache" / "files" / "md5" / edited_md5[:2] / edited_md5[2:]).exists()


def test_freeze_and_unfreeze(repo):
    _two_stages(repo)
    ok("repro", cwd=repo)
    ok("freeze", "second", cwd=repo)
    assert "    frozen: true\n" in (repo / "dvc.yaml").read_text()
    (repo / "in.txt").write_text("v2\n")
    proc = ok("repro", cwd=repo)
    assert "WARNING: stage: 'second' is frozen. Its dependencies are not going to be reproduced." in proc.stderr
    assert "Running stage 'first'" in proc.stdout and "Stage 'second' didn't change, skipping" in proc.stdout
    assert (repo / "out.txt").read_text() == "v1\n"
    ok("unfreeze", "second", cwd=repo)
    assert "frozen" not in (repo / "dvc.yaml").read_text()
    proc = ok("repro", cwd=repo)
    assert "Running stage 'second'" in proc.stdout and (repo / "out.txt").read_text() == "v2\n"


def test_callback_always_changed_foreach_wdir_and_cmd_list(repo):
    (repo / "params.yaml").write_text("names: [a, b]\n")
    (repo / "sub").mkdir()
    (repo / "dvc.yaml").write_text(
        "stages:\n  cb:\n    cmd: echo callback\n"
        "  gen:\n    foreach: ${names}\n    do:\n      cmd: echo ${item} > out-${item}.txt\n"
        "      outs:\n      - out-${item}.txt\n"
        "  inner:\n    wdir: sub\n    cmd:\n    - echo one > w.txt\n    - echo two >> w.txt\n"
        "    outs:\n    - w.txt\n"
    )
    proc = ok("repro", cwd=repo)
    assert "Running stage 'cb':\n> echo callback\ncallback\n" in proc.stdout
    assert (repo / "out-b.txt").read_text() == "b\n"
    assert (repo / "sub" / "w.txt").read_text() == "one\ntwo\n"
    lock = (repo / "dvc.lock").read_text()
    assert "  gen@a:\n    cmd: echo a > out-a.txt\n" in lock
    assert "  inner:\n    cmd:\n    - echo one > w.txt\n    - echo two >> w.txt\n" in lock
    again = ok("repro", cwd=repo)
    assert "Running stage 'cb'" in again.stdout and "Stage 'gen@a' didn't change, skipping" in again.stdout
    assert json.loads(ok("status", "--json", cwd=repo).stdout) == {"cb": ["always changed"]}


@pytest.mark.parametrize(
    ("yaml_text", "first_line"),
    [
        ("stages:\n  a:\n    cmd: echo\n    bogus: 1\n",
         "ERROR: 'dvc.yaml' validation failed: extra keys not allowed, in stages -> a -> bogus, line 4, column 5"),
        ("stages:\n  a:\n    deps: [x\n", "ERROR: 'dvc.yaml' is invalid YAML: did not find expected ',' or ']', "
                                         "line 4, column 1"),
        ("stages:\n  a:\n    cmd: echo ${nope} > o.txt\n    outs: [o.txt]\n",
         "ERROR: 'dvc.yaml' failed to parse 'stages.a.cmd': Could not find 'nope', line 3, column 5"),
    ],
)
def test_bad_dvc_yaml_is_one_line_and_writes_nothing(repo, yaml_text, first_line):
    (repo / "dvc.yaml").write_text(yaml_text)
    for args, code in ((["repro"], 255), (["status"], 1)):
        proc = fails(*args, cwd=repo, code=code)
        assert proc.stderr.splitlines()[0] == first_line
        assert all(line.startswith(("ERROR:", "hint:")) for line in proc.stderr.splitlines())
    assert not (repo / "dvc.lock").exists()


def test_bad_lock_and_unknown_stage(repo):
    (repo / "dvc.yaml").write_text("stages:\n  a:\n    cmd: echo hi > o.txt\n    outs: [o.txt]\n")
    (repo / "dvc.lock").write_text("schema: 2.0\nstages: {}\n")
    proc = fails("repro", cwd=repo)
    assert proc.stderr.splitlines()[0] == (
        "ERROR: 'dvc.lock' validation failed: invalid schema version, in schema, line 1, column 1"
    )
    assert (repo / "dvc.lock").read_text() == "schema: 2.0\nstages: {}\n"
    (repo / "dvc.lock").unlink()
    proc = fails("repro", "nosuch", cwd=repo)
    assert proc.stderr.splitlines()[0] == "ERROR: Stage 'nosuch' not found inside 'dvc.yaml' file"  # DVC's words


def test_dvc1_lock_without_schema_is_read_and_upgraded(repo):
    (repo / "in.txt").write_text("v1\n")
    (repo / "dvc.yaml").write_text("stages:\n  s:\n    cmd: cp in.txt o.txt\n    deps: [in.txt]\n    outs: [o.txt]\n")
    ok("repro", cwd=repo)
    lock = (repo / "dvc.lock").read_text()
    legacy = "\n".join(line[2:] if line.startswith("  ") else line for line in lock.splitlines()[2:]) + "\n"
    (repo / "dvc.lock").write_text(legacy)
    assert legacy.startswith("s:\n  cmd: cp in.txt o.txt\n")
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "in.txt").write_text("v2\n")
    ok("repro", cwd=repo)
    assert (repo / "dvc.lock").read_text().startswith("schema: '2.0'\nstages:\n  s:\n")


def test_run_refuses_bad_flags_and_duplicate_outputs(repo):
    proc = fails("run", "-n", "x", "-o", "a.txt", cwd=repo, code=254)
    assert proc.stderr.splitlines()[0] == "ERROR: command is not specified"
    proc = fails("run", "-n", "bad:name", "-o", "a.txt", "echo", cwd=repo, code=254)
    assert proc.stderr.splitlines()[0] == "ERROR: Stage name cannot contain punctuation characters."
    proc = fails("run", "-n", "x", "-d", "a.txt", "-o", "a.txt", "echo", cwd=repo, code=254)
    assert proc.stderr.splitlines()[0] == "ERROR: 'a.txt' is specified as an output and as a dependency."
    ok("run", "-n", "one", "-o", "a.txt", "echo 1 > a.txt", cwd=repo)
    proc = fails("run", "-n", "two", "-o", "a.txt", "echo 2 > a.txt", cwd=repo)
    assert proc.stderr.splitlines()[0] == "ERROR: output 'a.txt' is specified in more than one stage: 'one' and 'two'"
    assert (repo / "a.txt").read_text() == "1\n"
    assert "two" not in (repo / "dvc.yaml").read_text()


def test_repro_pull_gets_missing_outputs_from_the_remote(repo, tmp_path):
    storage = tmp_path / "storage"
    _two_stages(repo)
    ok("remote", "add", "-d", "store", str(storage), cwd=repo)
    ok("repro", cwd=repo)
    ok("push", "--run-cache", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "pipeline", cwd=repo)
    clone = tmp_path / "clone"
    git("clone", "-q", str(repo), str(clone), cwd=tmp_path)
    proc = ok("repro", "--pull", cwd=clone)
    assert "Pulling data for stage: 'first'" in proc.stdout and "Pulling data for stage: 'second'" in proc.stdout
    assert "Running stage 'first'" not in proc.stdout and "Running stage 'second'" not in proc.stdout
    assert (clone / "out.txt").read_text() == "v1\n"
    assert ok("status", cwd=clone).stdout == "Data and pipelines are up to date.\n"
    # a changed dependency whose result is in the remote run cache: restored, not run
    (repo / "in.txt").write_text("v2\n")
    ok("repro", cwd=repo)
    ok("push", "--run-cache", cwd=repo)
    (clone / "in.txt").write_text("v2\n")
    proc = ok("repro", "--pull", "first", cwd=clone)
    assert "Stage 'first' is cached - skipping run, checking out outputs" in proc.stdout
    assert (clone / "mid.txt").read_text() == "v2\n"


def test_repro_pull_without_remote_warns_and_runs(repo):
    _two_stages(repo)
    proc = ok("repro", "--pull", "first", cwd=repo)
    assert "WARNING: Failed to pull run cache:" in proc.stderr
    assert "Running stage 'first'" in proc.stdout


def test_run_no_exec_and_stage_add_run(repo):
    (repo / "in.txt").write_text("x\n")
    proc = ok("run", "--no-exec", "-n", "cp", "-d", "in.txt", "-o", "o.txt", "cp in.txt o.txt", cwd=repo)
    assert "Running stage" not in proc.stdout and not (repo / "o.txt").exists()
    assert not (repo / "dvc.lock").exists() and "  cp:\n    cmd: cp in.txt o.txt\n" in (repo / "dvc.yaml").read_text()
    proc = ok("stage", "add", "--run", "-n", "up", "-d", "in.txt", "-o", "u.txt", "tr x X < in.txt > u.txt", cwd=repo)
    assert proc.stdout.startswith("Added stage 'up' in 'dvc.yaml'\nRunning stage 'up':\n> tr x X < in.txt > u.txt\n")
    assert (repo / "u.txt").read_text() == "X\n" and "  up:\n" in (repo / "dvc.lock").read_text()
    assert "cp:" not in (repo / "dvc.lock").read_text()


def test_dvc2_lock_entries_stay_legacy_until_they_change(repo):
    (repo / "a.txt").write_text("a\n")
    (repo / "b.txt").write_text("b\r\n")
    (repo / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: cat a.txt b.txt > o.txt\n    deps: [a.txt, b.txt]\n    outs: [o.txt]\n"
    )
    md5 = lambda data: hashlib.md5(data).hexdigest()  # noqa: E731
    (repo / "o.txt").write_bytes(b"a\nb\r\n")
    # as DVC 2.x wrote it: no `hash` keys, md5 of the dos2unix'd text
    lock = (
        "schema: '2.0'\nstages:\n  s:\n    cmd: cat a.txt b.txt > o.txt\n    deps:\n"
        f"    - path: a.txt\n      md5: {md5(b'a' + bytes([10]))}\n      size: 2\n"
        f"    - path: b.txt\n      md5: {md5(b'b' + bytes([10]))}\n      size: 3\n"
        f"    outs:\n    - path: o.txt\n      md5: {md5(bytes([97, 10, 98, 10]))}\n      size: 5\n"
    )
    (repo / "dvc.lock").write_text(lock)
    legacy_obj = repo / ".dvc" / "cache" / md5(b"a\nb\n")[:2] / md5(b"a\nb\n")[2:]
    legacy_obj.parent.mkdir(parents=True)
    legacy_obj.write_bytes(b"a\nb\r\n")
    assert ok("status", cwd=repo).stdout == "Data and pipelines are up to date.\n"
    (repo / "a.txt").write_text("A\n")
    ok("repro", cwd=repo)
    new = (repo / "dvc.lock").read_text()
    assert f"    - path: a.txt\n      hash: md5\n      md5: {md5(b'A' + bytes([10]))}\n" in new
    assert f"    - path: b.txt\n      md5: {md5(b'b' + bytes([10]))}\n      size: 3\n" in new  # unchanged: legacy
    assert f"    - path: o.txt\n      hash: md5\n      md5: {md5(bytes([65, 10, 98, 13, 10]))}\n" in new


def test_repository_lock_is_shared_with_dvc_and_released_for_commands(repo, dvc_bin):
    import fcntl

    (repo / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: python -m stagecore status > inner.txt\n    outs:\n    - inner.txt:\n"
        "        cache: false\n"
    )
    (repo / ".dvc" / "tmp").mkdir(exist_ok=True)
    with open(repo / ".dvc" / "tmp" / "lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running DVC holds it
        proc = fails("repro", cwd=repo, code=255)
        assert proc.stderr.splitlines()[0].startswith("ERROR: Unable to acquire lock.")
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    ok("repro", cwd=repo)  # the command's own `stagecore status` ran while repro held the lock
    assert (repo / "inner.txt").read_text().startswith("s:\n")
    from stagecore.ops.repolock import locked
    from stagecore.repo import Repo
    from tests.helpers import run_dvc

    with locked(Repo(str(repo))):
        theirs = run_dvc("repro", "-f", cwd=repo)
    assert theirs.returncode == 255 and "Unable to acquire lock" in theirs.stderr
