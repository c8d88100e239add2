"""Twin runner of the differential suite: one scenario, run with real DVC and with stagecore, compared.

A `Scenario` is data. The runner gives each twin a directory `<base>/<twin>/` holding `repo/` (a git
repository, by default already `git init` + `$TOOL init` + one commit, copied from a per-session
template), `remote/` and `remote2/` (empty directories for local remotes, `$REMOTE` / `$REMOTE2`),
and `home/` (a faked HOME with a fixed git identity). It writes `scenario.files`, then runs every step
in ONE bash process per twin (each step in a subshell started in the repository root, stdin from
/dev/null, `$TOOL` = the pinned DVC, resp. `python -m stagecore` of this checkout), snapshotting the
twin after each step (tests/differential/snapshot.py), and `$TOOL status --json` at the end.

`compare_runs` lists every `Mismatch` (step, aspect, detail). Aspects, as `differences.DELIBERATE`
names them (fnmatch patterns): `exit@N` (exit status of step N), `file:PATH` (bytes of a dvc file,
dvc.yaml, dvc.lock, .gitignore or .dvc/config), `ws:PATH` (a workspace entry outside .git/.dvc),
`cache` (object set under .dvc/cache/files/md5), `remote:NAME` (object set of a remote), `status`,
and, for the steps a scenario lists in `stdout` (opt-in), `stdout@N` (the step's stdout).
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from tests.helpers import REPO_ROOT, clean_env, dvc_path

TWINS = ("dvc", "stagecore")
SNAPSHOT = Path(__file__).with_name("snapshot.py")
TIMEOUT = 300  # seconds for all the steps of one twin
FIXED_DATE = "2024-01-01T00:00:00+0000"
GITCONFIG = (
    "[user]\n\tname = Differential Test\n\temail = diff@stagecore.invalid\n"
    "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
)


@dataclass(frozen=True)
class Compare:
    """Which aspects a scenario compares (all by default)."""

    exit: bool = True
    meta: bool = True
    workspace: bool = True
    cache: bool = True
    remotes: bool = True
    status: bool = True


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str  # the DVC test it is derived from: tests/func/test_x.py::test_y
    steps: tuple[str, ...]  # bash lines; $TOOL, $REMOTE, $REMOTE2 are set
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    compare: Compare = Compare()
    slow: bool = False
    differs: str | None = None  # a key of differences.DELIBERATE or differences.KNOWN_DIVERGENCES
    init: bool = True  # start from an initialized, committed repository (else a bare `git init`)
    stdout: tuple[int, ...] = ()  # opt-in: steps whose stdout is compared (as JSON when it parses)


class Mismatch(NamedTuple):
    step: int  # index into scenario.steps; len(steps) for the final status
    aspect: str
    detail: str


@dataclass
class TwinRun:
    twin: str
    codes: list[int]
    outputs: list[tuple[str, str]]  # (stdout, stderr) per step
    snapshots: list[dict[str, Any]]
    status: tuple[int, Any]  # (exit code, parsed JSON or raw stdout)
    twin_dir: str = ""


def tool_command(twin: str) -> str:
    if twin == "dvc":
        dvc = dvc_path()
        if dvc is None:
            raise AssertionError("real DVC not found: set STAGECORE_DVC or run `make venv-dvc`")
        return str(dvc)
    # The console script, as users run it: `python -m stagecore` puts the repository (the cwd) first on
    # sys.path, where a stage's `copy.py` shadows the standard library's `copy` module.
    script = Path(sys.executable).with_name("stagecore")
    return str(script) if script.exists() else f"{sys.executable} -m stagecore"


def twin_env(twin_dir: Path, twin: str) -> dict[str, str]:
    home = twin_dir / "home"
    (home / ".config").mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG, encoding="utf-8")
    empty = twin_dir / "empty"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in clean_env().items() if not k.startswith(("DVC_", "AWS_", "PRE_COMMIT"))}
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "LC_ALL": "C.UTF-8",
            "GIT_AUTHOR_DATE": FIXED_DATE,
            "GIT_COMMITTER_DATE": FIXED_DATE,
            "DVC_NO_ANALYTICS": "1",
            "DVC_TEST": "1",
            "COLUMNS": "4000",
            # stage commands run in $SHELL (DVC's rule, and ours): fixed, as the records were made with it
            "SHELL": "/bin/bash",
            "DVC_SITE_CACHE_DIR": str(twin_dir / "site-cache"),
            "DVC_SYSTEM_CONFIG_DIR": str(empty),
            "TOOL": tool_command(twin),
            "REMOTE": str(twin_dir / "remote"),
            "REMOTE2": str(twin_dir / "remote2"),
        }
    )
    if twin == "stagecore":
        env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def make_template(base: Path, twin: str) -> Path:
    """`git init` + `$TOOL init` + a first commit, once per session and twin; copied by every scenario."""
    base.mkdir(parents=True, exist_ok=True)
    repo = base / "repo"
    script = "set -e\ngit init -q repo\ncd repo\n$TOOL init -q\ngit add -A\ngit commit -qm init\n"
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=base,
        env=twin_env(base, twin),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"{twin}: template init failed\n{proc.stdout}{proc.stderr}")
    shutil.rmtree(repo / ".dvc" / "tmp", ignore_errors=True)
    return repo


def _script(scenario: Scenario, out: Path) -> str:
    lines = ["set +e", 'cd "$REPO_DIR"']
    snap = f'"{sys.executable}" -I -S "{SNAPSHOT}" "$REPO_DIR" "{out}/%s.json" "$REMOTE" "$REMOTE2"'
    for index, step in enumerate(scenario.steps):
        lines.append(f'(\n{step}\n) </dev/null >"{out}/{index}.out" 2>"{out}/{index}.err"')
        lines.append(f'echo $? >"{out}/{index}.rc"')
        lines.append('cd "$REPO_DIR"')
        lines.append(snap % index)
    if scenario.compare.status:
        lines.append(f'$TOOL status --json </dev/null >"{out}/status.out" 2>"{out}/status.err"')
        lines.append(f'echo $? >"{out}/status.rc"')
    return "\n".join(lines) + "\n"


def run_twin(scenario: Scenario, base: Path, twin: str, template: Path | None) -> TwinRun:
    twin_dir = base / twin
    repo, out = twin_dir / "repo", twin_dir / "out"
    for sub in ("remote", "remote2", "out"):
        (twin_dir / sub).mkdir(parents=True, exist_ok=True)
    env = twin_env(twin_dir, twin)
    if scenario.init and template is not None:
        shutil.copytree(template, repo, symlinks=True)
    else:
        repo.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    for rel, content in scenario.files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    env["REPO_DIR"] = str(repo)
    subprocess.run(
        ["bash", "-c", _script(scenario, out)],
        cwd=repo,
        env=env,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    codes, outputs, snapshots = [], [], []
    for index in range(len(scenario.steps)):
        codes.append(int((out / f"{index}.rc").read_text() or "-1"))
        outputs.append(
            (
                (out / f"{index}.out").read_text(errors="replace"),
                (out / f"{index}.err").read_text(errors="replace"),
            )
        )
        snapshots.append(json.loads((out / f"{index}.json").read_text()))
    status: tuple[int, Any] = (0, None)
    if scenario.compare.status:
        raw = (out / "status.out").read_text(errors="replace")
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            parsed = raw.strip().replace(str(twin_dir), "<TWIN>")
        status = (int((out / "status.rc").read_text()), parsed)
    return TwinRun(twin, codes, outputs, snapshots, status, str(twin_dir))


def _diff_sets(label: str, left: Iterable[str], right: Iterable[str]) -> str:
    only_dvc, only_sc = sorted(set(left) - set(right)), sorted(set(right) - set(left))
    return f"{label}: only with dvc {only_dvc}; only with stagecore {only_sc}"


def _text_diff(dvc_text: str | None, sc_text: str | None) -> str:
    import difflib

    if dvc_text is None or sc_text is None:
        return "absent with " + ("dvc" if dvc_text is None else "stagecore")
    lines = difflib.unified_diff(dvc_text.splitlines(), sc_text.splitlines(), "dvc", "stagecore", lineterm="")
    return "\n".join(lines)


def _snapshot_mismatches(
    step: int, compare: Compare, dvc: dict[str, Any], sc: dict[str, Any]
) -> list[Mismatch]:
    found: list[Mismatch] = []
    if compare.meta:
        for rel in sorted(set(dvc["meta"]) | set(sc["meta"])):
            if dvc["meta"].get(rel) != sc["meta"].get(rel):
                found.append(
                    Mismatch(step, f"file:{rel}", _text_diff(dvc["meta"].get(rel), sc["meta"].get(rel)))
                )
    if compare.workspace:
        for rel in sorted(set(dvc["workspace"]) | set(sc["workspace"])):
            left, right = dvc["workspace"].get(rel), sc["workspace"].get(rel)
            if left != right:
                found.append(
                    Mismatch(step, f"ws:{rel}", f"dvc: {left or 'absent'} | stagecore: {right or 'absent'}")
                )
    if compare.cache and dvc["cache"] != sc["cache"]:
        found.append(Mismatch(step, "cache", _diff_sets("cache objects", dvc["cache"], sc["cache"])))
    if compare.remotes:
        for name in sorted(dvc["remotes"]):
            if dvc["remotes"][name] != sc["remotes"].get(name):
                found.append(
                    Mismatch(
                        step,
                        f"remote:{name}",
                        _diff_sets(f"{name} objects", dvc["remotes"][name], sc["remotes"][name]),
                    )
                )
    return found


def _stdout_text(run: TwinRun, index: int) -> str:
    return run.outputs[index][0].replace(run.twin_dir, "<TWIN>").rstrip()


def _stdout(run: TwinRun, index: int) -> Any:
    """A step's stdout for comparison: parsed when it is JSON, else the text (twin directory masked)."""
    text = _stdout_text(run, index)
    try:
        return json.loads(text)
    except ValueError:
        return text


def compare_runs(scenario: Scenario, dvc: TwinRun, sc: TwinRun) -> list[Mismatch]:
    found: list[Mismatch] = []
    for index in range(len(scenario.steps)):
        if scenario.compare.exit and dvc.codes[index] != sc.codes[index]:
            found.append(
                Mismatch(
                    index, f"exit@{index}", f"dvc exit {dvc.codes[index]}, stagecore exit {sc.codes[index]}"
                )
            )
        found.extend(_snapshot_mismatches(index, scenario.compare, dvc.snapshots[index], sc.snapshots[index]))
        if index in scenario.stdout and _stdout(dvc, index) != _stdout(sc, index):
            texts = [_stdout_text(run, index) for run in (dvc, sc)]
            found.append(Mismatch(index, f"stdout@{index}", _text_diff(*texts)))
    if scenario.compare.status and dvc.status != sc.status:
        found.append(Mismatch(len(scenario.steps), "status", f"dvc: {dvc.status}\nstagecore: {sc.status}"))
    return found


def without(found: list[Mismatch], ignored: Iterable[str]) -> list[Mismatch]:
    patterns = list(ignored)
    return [m for m in found if not any(fnmatch.fnmatchcase(m.aspect, p) for p in patterns)]


def report(scenario: Scenario, found: list[Mismatch], dvc: TwinRun, sc: TwinRun) -> str:
    """A readable account: the first diverging step in full (command, both outputs), then a summary."""
    codes = f"exit codes: dvc {dvc.codes}, stagecore {sc.codes}"
    if not found:
        return f"{scenario.name}: no difference ({codes})"
    first = min(m.step for m in found)
    command = scenario.steps[first] if first < len(scenario.steps) else "$TOOL status --json"
    lines = [f"{scenario.name} ({scenario.source}) diverges first at step {first}: {command}"]
    lines += [f"  [{m.aspect}] {m.detail}" for m in found if m.step == first]
    if first < len(scenario.steps):
        for run in (dvc, sc):
            out, err = run.outputs[first]
            lines.append(f"  --- {run.twin} (exit {run.codes[first]}) stdout/stderr:")
            lines += ["    " + line for line in (out + err).strip().splitlines()[-12:]]
    later = sorted({(m.step, m.aspect) for m in found if m.step != first})
    if later:
        lines.append("  later: " + ", ".join(f"step {s} {a}" for s, a in later))
    lines.append("  " + codes)
    return "\n".join(lines)


def run_scenario(
    scenario: Scenario, base: Path, templates: Mapping[str, Path] | Callable[[str], Path | None]
) -> tuple[list[Mismatch], str]:
    """Run both twins under `base` (DVC's side from its record, tests/differential/oracle.py) and return
    (every mismatch, the readable report). `templates`: twin -> template repository, or a function."""
    from tests.differential.oracle import dvc_run

    def template(twin: str) -> Path | None:
        return templates(twin) if callable(templates) else templates.get(twin)

    dvc = dvc_run(scenario, base, lambda: template("dvc"))
    sc = run_twin(scenario, base, "stagecore", template("stagecore"))
    found = compare_runs(scenario, dvc, sc)
    return found, report(scenario, found, dvc, sc)
