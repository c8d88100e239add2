"""Progress bars (issue 12): add, commit, checkout, pull (both phases), gc, push and fetch draw
files, bytes and byte rate (and the ETA where the number of files is known) on stderr when forced
into a pipe with STAGECORE_PROGRESS=1; nothing without a terminal, nothing with -q, nothing from
a hook on a terminal unless forced. Real repositories, CLI and git subprocesses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO_ROOT, clean_env, git

FORCED = {"STAGECORE_PROGRESS": "1"}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**clean_env(env), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "stagecore", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=full, stdin=subprocess.DEVNULL)


def frames(stderr: str) -> list[str]:
    """The bar's redraws, one per carriage return (tqdm's way of drawing in place)."""
    return [f.strip() for f in re.split(r"[\r\n]", stderr) if f.strip()]


def last_frame(stderr: str, verb: str) -> str:
    drawn = [f for f in frames(stderr) if f.startswith(verb + ":")]
    assert drawn, stderr
    return drawn[-1]


def repo_with_data(tmp_path: Path, nfiles: int = 5, size: int = 300_000) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    assert run("init", "-q", cwd=repo).returncode == 0
    (repo / ".dvc/config").write_text(f"[core]\n    remote = store\n['remote \"store\"']\n    url = {tmp_path / 'store'}\n")
    (repo / "data").mkdir()
    for i in range(nfiles):
        (repo / "data" / f"{i}.bin").write_bytes(os.urandom(size))
    return repo


def test_every_data_command_draws_files_bytes_and_rate_when_forced(tmp_path: Path) -> None:
    repo = repo_with_data(tmp_path)
    proc = run("add", "data", cwd=repo, env=FORCED)
    assert proc.returncode == 0, proc.stderr
    for phase in ("hashing", "caching"):  # one phase after the other, each counted anew, with its total and ETA
        assert re.fullmatch(rf"adding \({phase}\): 100%\|.*\| 5/5 \[[0-9:]+<00:00, [0-9.]+file/s, 1\.50MB, "
                            r"[0-9.]+[kMG]?B/s\]", last_frame(proc.stderr, f"adding ({phase})")), proc.stderr
        assert f"adding ({phase}):   0%|" in proc.stderr, proc.stderr  # the total was known from the start
    assert proc.stderr.index("adding (hashing):") < proc.stderr.index("adding (caching):")

    proc = run("push", cwd=repo, env=FORCED)  # the total is known: a bar with its ETA
    assert proc.returncode == 0 and "6 files pushed" in proc.stdout, proc.stderr
    assert re.fullmatch(r"pushing: 100%\|.*\| 6/6 \[[0-9:]+<00:00, [0-9.]+file/s, 1\.50MB, [0-9.]+[kMG]?B/s\]",
                        last_frame(proc.stderr, "pushing")), proc.stderr

    (repo / "data/0.bin").write_bytes(os.urandom(300_000))
    proc = run("commit", "-f", "data.dvc", cwd=repo, env=FORCED)
    assert proc.returncode == 0, proc.stderr
    # the changed file is read; files still racily clean (written within the file system's timestamp
    # margin of their last hashing) are read again, as they must be: how many depends on the machine
    assert re.match(r"committing \(hashing\): 100%\|.*\| ([1-9])/\1 \[.*, [0-9.]+[kM]B, ",
                    last_frame(proc.stderr, "committing (hashing)")), proc.stderr
    assert re.match(r"committing \(caching\): 100%\|.*\| 1/1 \[.*, 300kB, ",  # only the changed file is new
                    last_frame(proc.stderr, "committing (caching)")), proc.stderr

    for name in ("1.bin", "2.bin"):
        (repo / "data" / name).unlink()
    proc = run("checkout", cwd=repo, env=FORCED)
    assert proc.returncode == 0 and "M       data/" in proc.stdout, proc.stdout + proc.stderr
    assert re.match(r"checking out: 100%\|.*\| 2/2 \[.*, 600kB, ", last_frame(proc.stderr, "checking out")), \
        proc.stderr

    import shutil

    assert run("push", cwd=repo).returncode == 0  # the committed version (no bar: not a terminal)
    shutil.rmtree(repo / ".dvc/cache")
    shutil.rmtree(repo / "data")
    proc = run("pull", cwd=repo, env=FORCED)  # the fetch phase, then the checkout phase
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fetched = last_frame(proc.stderr, "fetching")
    assert "| 5/5 [" in fetched and "1.50MB" in fetched, proc.stderr  # the manifest came first
    assert re.match(r"checking out: 100%\|.*\| 5/5 \[.*, 1\.50MB, ", last_frame(proc.stderr, "checking out")), \
        proc.stderr
    assert proc.stderr.index("fetching:") < proc.stderr.index("checking out:")

    proc = run("fetch", cwd=repo, env=FORCED)  # nothing to do: no bar
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr

    (repo / "data.dvc").unlink()  # nothing used any more: gc removes the 6 pulled objects
    proc = run("gc", "-w", "-f", cwd=repo, env=FORCED)
    assert proc.returncode == 0 and "Removed 6 objects from repo cache." in proc.stdout, proc.stdout + proc.stderr
    assert re.match(r"removing: 100%\|.*\| 6/6 \[.*, 1\.50MB, ", last_frame(proc.stderr, "removing")), proc.stderr


def test_no_bar_without_a_terminal_or_with_q(tmp_path: Path) -> None:
    repo = repo_with_data(tmp_path, nfiles=3, size=1000)
    for args, env in ((("add", "data"), None), (("push",), None), (("checkout", "-f"), None),
                      (("-q", "commit", "-f"), FORCED), (("-q", "push"), FORCED)):
        proc = run(*args, cwd=repo, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stderr == "", (args, proc.stderr)  # not a terminal (or -q): not a byte of a bar
    proc = run("checkout", cwd=repo, env={"STAGECORE_PROGRESS": "0", "TERM": "xterm"})
    assert proc.stderr == ""


def _on_tty(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """`argv` with stderr (and stdout) on a pseudo-terminal: (exit code, what the terminal got)."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_a_hook_on_a_terminal_draws_only_when_forced(tmp_path: Path) -> None:
    """git runs the pre-push hook with the user's terminal as its stderr: the hook's upload stays
    one summary line, its bar is drawn only with STAGECORE_PROGRESS=1 (the hooks' verbose)."""
    repo = repo_with_data(tmp_path, nfiles=2, size=1000)
    env = {**clean_env(), "PYTHONPATH": str(REPO_ROOT)}
    assert run("install", "--hook", "pre-push", cwd=repo).returncode == 0
    git("init", "-q", "--bare", str(tmp_path / "origin.git"), cwd=tmp_path)
    git("remote", "add", "origin", str(tmp_path / "origin.git"), cwd=repo)
    for n, forced in enumerate((False, True)):
        (repo / "data" / "new.bin").write_bytes(os.urandom(1000 + n))
        assert run("add", "data", cwd=repo).returncode == 0
        git("add", "-A", cwd=repo)
        git("commit", "-qm", f"data {n}", cwd=repo)
        code, terminal = _on_tty(["git", "push", "-q", "origin", "HEAD:main"], repo,
                                 {**env, **(FORCED if forced else {})})
        assert code == 0, terminal
        assert "files pushed" in terminal or "file pushed" in terminal, terminal
        assert ("stagecore: pushing data:" in terminal) is forced, terminal
