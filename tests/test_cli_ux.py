"""The command line as a new user meets it (issue 12): help for every command and argument, the
subcommand's own usage on a bad flag, bare `stagecore` as DVC does it, one friendly line for the DVC
commands stagecore lacks, and hints that are right when followed literally. Real subprocesses."""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pytest

from stagecore.cli import DVC_ONLY, build_parser
from tests.helpers import clean_env, git, ok, run_dvc, sc


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...]):
    """(command path, parser, its help line) for every (sub)command, aliases skipped."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                if name in helps:
                    yield (*path, name), child, helps[name]
                    yield from _walk(child, (*path, name))


def test_every_command_and_argument_has_help_and_every_leaf_an_example():
    problems = []
    commands = list(_walk(build_parser(), ()))
    for path, parser, help_line in commands:
        name = " ".join(path)
        groups = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
        if not help_line:
            problems.append(f"{name}: no help line")
        if not parser.description:
            problems.append(f"{name}: no description")
        if not groups and not (parser.epilog or "").startswith(f"example: stagecore {name}"):
            problems.append(f"{name}: no 'example: stagecore {name} ...' epilog")
        for action in parser._actions:
            if not action.help and not isinstance(action, argparse._SubParsersAction):
                problems.append(f"{name}: argument {action.option_strings or action.dest} has no help")
    assert len(commands) >= 34 and problems == []


def test_help_shows_description_and_example():
    proc = sc("add", "--help", cwd=".")
    assert proc.returncode == 0
    assert "Track data files or directories: store them in the cache and write PATH.dvc." in proc.stdout
    assert "files or directories to track" in proc.stdout
    assert proc.stdout.rstrip().endswith("example: stagecore add data/images")


def test_bad_flag_prints_the_subcommands_usage(tmp_path):
    proc = sc("add", "x", "--bogus", cwd=tmp_path)
    assert proc.returncode == 254 and proc.stdout == ""
    assert proc.stderr.startswith("usage: stagecore add [-h] [--no-commit] [--glob] [-o PATH] [-f] [-q] [-v]")
    assert proc.stderr.endswith(" PATH [PATH ...]\nERROR: unrecognized arguments: --bogus\n")
    proc = sc("remote", "list", "--bogus", cwd=tmp_path)
    assert proc.returncode == 254
    assert proc.stderr.startswith("usage: stagecore remote list [-h]")
    assert proc.stderr.endswith("ERROR: unrecognized arguments: --bogus\n")


def test_bare_stagecore_is_dvcs_bare_dvc(tmp_path):
    dvc = run_dvc(cwd=tmp_path)
    assert dvc.returncode == 254 and dvc.stdout.startswith("usage: dvc ")
    assert dvc.stderr == "ERROR: the following arguments are required: command\n"
    proc = sc(cwd=tmp_path)
    assert proc.returncode == dvc.returncode and proc.stderr == dvc.stderr
    assert proc.stdout.startswith("usage: stagecore ") and "add" in proc.stdout and "push" in proc.stdout


def test_dvc_only_commands_get_one_friendly_line(tmp_path):
    dvc_help = run_dvc("--help", cwd=tmp_path).stdout
    ours = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    listed = set()  # `    add   Track ...`, `    experiments (exp)`: the commands and their aliases
    for line in dvc_help.splitlines():
        match = re.match(r"    ([a-z][a-z-]*)(?: \(([a-z-]+)\))?(?:\s|$)", line)
        if match:
            listed.update(name for name in match.groups() if name)
    assert listed - ours - {"version"} == set(DVC_ONLY), listed - ours - set(DVC_ONLY)
    for command in ("exp", "plots", "queue"):
        proc = sc("-q", command, "show", cwd=tmp_path)
        assert proc.returncode == 254 and proc.stdout == ""
        assert proc.stderr == (f"ERROR: '{command}' is a DVC command stagecore does not have; this repository "
                               f"works with DVC too: run `dvc {command} ...`\n")
    proc = sc("frobnicate", cwd=tmp_path)  # not DVC's either: argparse's own refusal
    assert proc.returncode == 254 and "invalid choice: 'frobnicate'" in proc.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    ok("init", "-q", cwd=repo)
    (repo / "data.txt").write_text("main data\n")
    ok("add", "data.txt", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    return repo


def test_pull_without_any_remote_hints_remote_add(project):
    proc = sc("pull", cwd=project)  # as DVC: what the cache has is checked out, exit 0
    assert proc.returncode == 0
    assert proc.stderr.endswith("hint: add one with `stagecore remote add -d NAME URL`\n"), proc.stderr
    ok("remote", "add", "store", str(project.parent / "store"), cwd=project)
    proc = sc("pull", cwd=project)
    assert proc.returncode == 0
    assert proc.stderr.endswith(
        "hint: set a default with `stagecore remote default store` or use `stagecore pull -r store`\n"
    ), proc.stderr


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)


def test_kept_modified_data_hint_on_checkout_is_safe_to_follow(project):
    """The hint must not be `stagecore commit`: on the new branch that records the old branch's edit."""
    ok("install", cwd=project)
    git("checkout", "-qb", "other", cwd=project)
    (project / "data.txt").write_text("other data\n")
    ok("commit", "-f", cwd=project)
    assert _git("commit", "-qam", "other data", cwd=project).returncode == 0
    assert _git("checkout", "-q", "master" if _has(project, "master") else "main", cwd=project).returncode == 0
    (project / "data.txt").write_text("an edit made on main\n")
    proc = _git("checkout", "-q", "other", cwd=project)
    assert proc.returncode == 0
    assert "'data.txt' has changes not committed to the cache: kept, not overwritten" in proc.stderr
    assert ("hint: `stagecore checkout --force data.txt` takes the recorded version (the edit is saved to the "
            "cache first, its md5 printed); to keep the edit, commit it where it was made (`git checkout -`, "
            "`stagecore commit -f`)") in proc.stderr
    assert "stagecore commit, then" not in proc.stderr
    # followed literally: this branch's version comes back and the edit is in the cache under its md5
    forced = sc("checkout", "--force", "data.txt", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert (project / "data.txt").read_text() == "other data\n"
    assert "saved the previous content of 'data.txt' to the cache (md5 " in forced.stderr
    assert _git("diff", "--quiet", "HEAD", "--", "data.txt.dvc", cwd=project).returncode == 0  # untouched


def _has(repo: Path, branch: str) -> bool:
    return _git("rev-parse", "--verify", "-q", branch, cwd=repo).returncode == 0


def test_quiet_is_honoured_before_and_after_the_command_errors_still_shown(project):
    """DVC's `add -q`/`push -q`/`status -q` print nothing; stagecore's -q works in both places."""
    ok("remote", "add", "-d", "store", str(project.parent / "store"), cwd=project)
    (project / "more.txt").write_text("more\n")
    for args in (("-q", "add", "more.txt"), ("add", "-q", "more.txt")):
        proc = sc(*args, cwd=project)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), args
    loud = sc("push", cwd=project)
    assert (loud.returncode, loud.stdout) == (0, "2 files pushed\n")
    for args in (("-q", "push"), ("push", "-q"), ("-q", "fetch"), ("-q", "checkout"), ("-q", "commit", "-f")):
        proc = sc(*args, cwd=project)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), args
    (project / "more.txt").write_text("changed\n")
    loud = sc("status", cwd=project)
    assert loud.returncode == 0 and "modified:" in loud.stdout
    for args in (("-q", "status"), ("status", "-q")):  # `-q status` was ignored: status's own -q reset it
        proc = sc(*args, cwd=project)
        assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", ""), args
    proc = sc("-q", "push", "-r", "nope", cwd=project)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == "ERROR: remote 'nope' doesn't exist\nhint: list them with `stagecore remote list`\n"
    proc = sc("-q", "remote", "list", cwd=project)  # what the command exists to print stays
    assert proc.returncode == 0 and proc.stdout.startswith("store")


def test_pre_push_hook_says_what_it_pushed_in_one_line_and_nothing_when_nothing(project):
    bare, store = project.parent / "origin.git", project.parent / "store"
    git("init", "-q", "--bare", str(bare), cwd=project.parent)
    git("remote", "add", "origin", str(bare), cwd=project)
    ok("remote", "add", "-d", "storage", str(store), cwd=project)
    ok("install", cwd=project)
    (project / "more.txt").write_text("more\n")
    ok("add", "more.txt", cwd=project)
    git("add", "-A", cwd=project)
    assert _git("commit", "-qm", "more", cwd=project).returncode == 0
    branch = _git("branch", "--show-current", cwd=project).stdout.strip()
    proc = _git("push", "-q", "origin", branch, cwd=project)
    assert proc.returncode == 0
    assert [ln for ln in proc.stderr.splitlines() if "stagecore" in ln] == ["stagecore: 2 files pushed to 'storage'"]
    (project / "notes.md").write_text("code only\n")
    git("add", "notes.md", cwd=project)
    assert _git("commit", "-qm", "notes", cwd=project).returncode == 0
    proc = _git("push", "-q", "origin", branch, cwd=project)  # the data is already there: not a word
    assert (proc.returncode, proc.stderr) == (0, "")


def test_post_checkout_prints_what_it_checked_out_and_nothing_on_a_no_op(project):
    ok("install", cwd=project)
    main = _git("branch", "--show-current", cwd=project).stdout.strip()
    git("checkout", "-qb", "other", cwd=project)
    (project / "data.txt").write_text("other data\n")
    (project / "new.txt").write_text("new\n")
    ok("commit", "-f", cwd=project)
    ok("add", "new.txt", cwd=project)
    git("add", "-A", cwd=project)
    assert _git("commit", "-qm", "other data", cwd=project).returncode == 0
    proc = _git("checkout", "-q", main, cwd=project)  # new.txt, which main does not track, is removed
    assert (proc.returncode, proc.stderr) == (0, "M       data.txt\nD       new.txt\n")
    assert (project / "data.txt").read_text() == "main data\n" and not (project / "new.txt").exists()
    proc = _git("checkout", "-q", "other", cwd=project)
    assert (proc.returncode, proc.stderr) == (0, "M       data.txt\nA       new.txt\n")
    proc = _git("checkout", "-q", "-b", "third", cwd=project)  # HEAD did not move: not a word
    assert (proc.returncode, proc.stderr) == (0, "")
