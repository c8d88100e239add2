"""Plain helpers for tests: run git, stagecore and the real DVC as subprocesses.

Import them as `from tests.helpers import git, run_cli, run_dvc` (conftest re-exports them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment minus inherited `GIT_*` variables (a hook's GIT_DIR etc.)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    if extra:
        env.update(extra)
    return env


def git(*args: str, cwd: str | os.PathLike[str], env: dict[str, str] | None = None) -> str:
    """Run git in `cwd` with a clean environment; raise on failure; return stdout."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=clean_env(env), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"git {' '.join(args)} failed with {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return proc.stdout


def run_cli(
    *args: str,
    cwd: str | os.PathLike[str],
    check: bool = False,
    input: str | None = None,  # noqa: A002 - mirrors subprocess.run
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m stagecore ARGS` in `cwd`; both streams captured as text."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "stagecore", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        check=check,
    )


def dvc_path() -> Path | None:
    """The real DVC executable: $STAGECORE_DVC, <repo>/.venv-dvc/bin/dvc, /tmp/dvcvenv/bin/dvc."""
    candidates = [os.environ.get("STAGECORE_DVC"), REPO_ROOT / ".venv-dvc/bin/dvc", "/tmp/dvcvenv/bin/dvc"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def run_dvc(
    *args: str,
    cwd: str | os.PathLike[str],
    check: bool = False,
    input: str | None = None,  # noqa: A002
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real DVC in `cwd` (analytics and update checks off); both streams captured."""
    dvc = dvc_path()
    if dvc is None:
        raise AssertionError("real DVC not found: set STAGECORE_DVC or run `make venv-dvc`")
    full_env = dict(os.environ)
    # a wide terminal: DVC wraps long lines at 80 columns when not on a tty (long tmp paths under xdist)
    full_env.update({"DVC_NO_ANALYTICS": "1", "DVC_TEST": "1", "COLUMNS": "4000"})
    if env:
        full_env.update(env)
    return subprocess.run(
        [str(dvc), *args], cwd=cwd, env=full_env, input=input, capture_output=True, text=True, check=check
    )


TIMEOUT = 60  # seconds: a hang fails the test instead of blocking the run


def sc(*args: str, cwd: str | os.PathLike[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """stagecore of this checkout as a subprocess with a clean git environment (plus `env`), with a timeout."""
    return subprocess.run([sys.executable, "-m", "stagecore", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env={**clean_env(), "PYTHONPATH": str(REPO_ROOT), **(env or {})})


def ok(*args: str, cwd: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """`sc`, asserting exit 0."""
    proc = sc(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def dvc_ok(*args: str, cwd: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """`run_dvc`, asserting exit 0."""
    proc = run_dvc(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def refused(proc: subprocess.CompletedProcess[str], *needles: str, code: int = 1) -> str:
    """The one ERROR line of a refused command (exit `code`), holding every needle."""
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], proc.stderr
    return errors[0]


def same_files(theirs: Path, ours: Path, *names: str) -> None:
    """Each of `names` is byte-identical in the two twins (a directory: the same listing and files)."""
    for name in names:
        a, b = theirs / name, ours / name
        if a.is_dir():
            listing = sorted(str(p.relative_to(a)) for p in a.rglob("*"))
            assert listing == sorted(str(p.relative_to(b)) for p in b.rglob("*")), name
            for rel in listing:
                if (a / rel).is_file():
                    assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
        else:
            assert a.read_bytes() == b.read_bytes(), f"{name}:\n{a.read_text()}\n---\n{b.read_text()}"
