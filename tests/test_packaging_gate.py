"""Issue 12: packaging (a complete sdist whose tests run, SPDX licence, py.typed, lower bounds)
and the pre-commit gate in a clone whose data was never pulled ("not pulled yet", not "stale")."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.helpers import REPO_ROOT, clean_env, git

# ---------------------------------------------------------------------------------------------
# packaging


def _build_sdist(out: Path) -> Path:
    """`python -m build --sdist --no-isolation` of this checkout (the test extras carry `build` and a
    setuptools new enough for PEP 639), so the test needs no network."""
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(out),
                           str(REPO_ROOT)], capture_output=True, text=True, timeout=120, env=clean_env())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Successfully built stagecore-" in proc.stdout
    (sdist,) = out.glob("stagecore-*.tar.gz")
    return sdist


def test_sdist_is_complete_and_its_tests_run(tmp_path: Path) -> None:
    sdist = _build_sdist(tmp_path / "dist")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        inside = {name[len(top) + 1 :] for name in names if name.startswith(top + "/")}
        pkg_info = tar.extractfile(f"{top}/PKG-INFO").read().decode()  # type: ignore[union-attr]
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12
            tar.extractall(tmp_path / "src", filter="data")
        else:  # our own sdist, just built
            tar.extractall(tmp_path / "src")  # noqa: S202
    # every tracked file the package and its test suite need
    tracked = git("ls-files", "stagecore", "githooks", "tests", cwd=REPO_ROOT).split()
    missing = sorted(path for path in tracked if path not in inside)
    assert missing == [], f"missing from the sdist: {missing}"
    for needed in ("LICENSE", "README.md", "CHANGELOG.md", "CONTRIBUTING.md", "pyproject.toml", "Makefile",
                   ".pre-commit-hooks.yaml",
                   "stagecore/py.typed", "tests/conftest.py", "tests/helpers.py", "tests/servers.py",
                   "tests/walkthrough.sh", "tests/security/__init__.py"):
        assert needed in inside, needed
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in inside)
    # the metadata: SPDX licence with its file, classifiers, URLs, the bounds the code needs
    assert "License-Expression: Apache-2.0" in pkg_info
    assert "License-File: LICENSE" in pkg_info
    assert "Classifier: Typing :: Typed" in pkg_info
    assert "Classifier: Programming Language :: Python :: 3.10" in pkg_info
    assert "Project-URL: Source, https://github.com/stagecore/stagecore" in pkg_info
    assert 'Requires-Dist: tomli>=1.1.0; python_version < "3.11"' in pkg_info
    assert 'Requires-Dist: boto3>=1.36.0; extra == "s3"' in pkg_info
    licence = (tmp_path / "src" / top / "LICENSE").read_text()
    assert licence.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in licence
    # the sdist's own tests run against the sdist's own code (conftest, helpers, servers present)
    root = tmp_path / "src" / top
    env = clean_env({"PYTHONPATH": str(root)})
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "tests/test_core_units.py"], cwd=root, capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout and "error" not in proc.stdout.lower()
    where = subprocess.run([sys.executable, "-c", "import stagecore; print(stagecore.__file__)"], cwd=root,
                           capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert where == str(root / "stagecore" / "__init__.py")


def test_s3_lower_bound_is_the_first_botocore_with_the_checksum_options() -> None:
    """stagecore/remotes/s3.py passes request_checksum_calculation / response_checksum_validation to
    botocore's Config; botocore 1.35.99 raises TypeError on them, 1.36.0 (boto3 1.36.0) takes them."""
    source = (REPO_ROOT / "stagecore/remotes/s3.py").read_text()
    assert 'request_checksum_calculation="when_required"' in source
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert 's3 = ["boto3>=1.36.0"]' in pyproject
    import botocore.config

    conf = botocore.config.Config(request_checksum_calculation="when_required",
                                  response_checksum_validation="when_required")
    assert conf.request_checksum_calculation == "when_required"
    try:
        botocore.config.Config(no_such_option_in_any_botocore="x")
    except TypeError as exc:
        assert "no_such_option_in_any_botocore" in str(exc)
    else:
        raise AssertionError("botocore.config.Config accepted an unknown option")


# ---------------------------------------------------------------------------------------------
# make demo (tests/walkthrough.sh)

WALKTHROUGH = Path(__file__).with_name("walkthrough.sh")


def test_demo_shows_every_command_and_writes_no_ansi_when_redirected(tmp_path: Path) -> None:
    env = dict(os.environ, TMPDIR=str(tmp_path))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    proc = subprocess.run(["bash", str(WALKTHROUGH)], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "walkthrough: all steps passed" in proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr  # stdout is a pipe here: plain text
    assert "\n== Change the data: status notices, commit records it ==\n" in proc.stdout
    # the steps that create or change data are shown as typed, before what they change
    shown = proc.stdout
    for line in ("$ printf 'id,label\\n1,cat\\n2,dog\\n' > labels.csv",
                 "$ mkdir -p images/cats images/dogs",
                 "$ printf '3,bird\\n' >> labels.csv",
                 "$ rm -rf images labels.csv",
                 "$ cat > src/prepare.py <<'EOF'\nimport os, sys\n",
                 "$ printf 'row6\\nrow7\\n' >> data/data.xml",
                 "$ printf '# tuned\\n' >> src/train.py",
                 "$ printf 'lr: 0.5\\n' > params.yaml",
                 "$ rm -rf teammate/.dvc/cache"):
        assert "\n" + line in shown, line
    assert shown.index("$ printf '3,bird\\n' >> labels.csv") < shown.index("modified:           labels.csv")


def _on_a_tty(script: str) -> str:
    """Run `bash -c script` with stdout on a pseudo-terminal; return what it wrote."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(["bash", "-c", script], stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode()


def test_demo_section_titles_are_bold_only_on_a_terminal() -> None:
    text = WALKTHROUGH.read_text()
    start, end = text.index("# ANSI bold only on a terminal"), text.index("# shell: print")
    preamble = text[start:end]
    assert "\x1b[1m== Step ==\x1b[0m" in _on_a_tty(preamble + "section Step\n")
    piped = subprocess.run(["bash", "-c", preamble + "section Step\n"], capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stdout == "\n== Step ==\n", piped


# ---------------------------------------------------------------------------------------------
# the pre-commit gate in a clone whose data was never pulled


def _sc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    from tests.helpers import run_cli

    proc = run_cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _gitp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=120)


def _pushed_pipeline_clone(tmp_path: Path) -> tuple[Path, Path]:
    """A project (data.xml added; stages prepare: data.xml -> prepared/, train: prepared/ -> model.txt)
    whose commits are on a bare repository and whose data was pushed to a directory remote; and a
    plain `git clone` of it, hooks installed, data never pulled. Returns (clone, remote dir)."""
    repo, bare, store = tmp_path / "repo", tmp_path / "origin.git", tmp_path / "store"
    repo.mkdir()
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    git("init", "-q", "-b", "main", cwd=repo)
    _sc("init", "-q", cwd=repo)
    _sc("remote", "add", "-d", "storage", str(store), cwd=repo)
    (repo / "data.xml").write_text("row1\nrow2\nrow3\n")
    (repo / "prepare.py").write_text("import os\nos.makedirs('prepared', exist_ok=True)\n"
                                     "open('prepared/rows.txt', 'w').write(open('data.xml').read())\n")
    (repo / "train.py").write_text("open('model.txt', 'w').write(str(len(open('prepared/rows.txt').readlines())))\n")
    _sc("add", "data.xml", cwd=repo)
    _sc("run", "-n", "prepare", "-d", "prepare.py", "-d", "data.xml", "-o", "prepared",
        sys.executable, "prepare.py", cwd=repo)
    _sc("run", "-n", "train", "-d", "train.py", "-d", "prepared", "-o", "model.txt",
        sys.executable, "train.py", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "pipeline", cwd=repo)
    pushed = _sc("push", cwd=repo)
    assert "pushed" in pushed.stdout + pushed.stderr
    git("push", "-q", str(bare), "main", cwd=repo)
    clone = tmp_path / "clone"
    git("clone", "-q", str(bare), str(clone), cwd=tmp_path)
    _sc("install", cwd=clone)
    assert not (clone / "data.xml").exists() and not (clone / "model.txt").exists()  # never pulled
    (clone / "train.py").write_text((clone / "train.py").read_text())  # unchanged: the stage is not stale
    (clone / "README.md").write_text("code-only change\n")
    git("add", "README.md", cwd=clone)
    return clone, store


def test_code_only_commit_in_a_clone_without_pulled_data_passes(tmp_path: Path) -> None:
    clone, _ = _pushed_pipeline_clone(tmp_path)
    proc = _gitp("commit", "-m", "docs", cwd=clone)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "not pulled yet (on remote 'storage'; not blocking): 'data.xml', 'model.txt', 'prepared'" in out
    assert "hint: stagecore pull" in out
    assert "repro" not in out and "not up to date" not in out and "not in the cache" not in out, out
    assert "docs" in _gitp("log", "-1", "--format=%s", cwd=clone).stdout
    # once pulled, the gate has nothing to say
    _sc("pull", cwd=clone)
    (clone / "README.md").write_text("second change\n")
    git("add", "README.md", cwd=clone)
    proc = _gitp("commit", "-m", "docs 2", cwd=clone)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not pulled" not in proc.stdout + proc.stderr


def test_commit_refused_when_the_unpulled_data_is_not_on_the_remote(tmp_path: Path) -> None:
    clone, store = _pushed_pipeline_clone(tmp_path)
    import shutil

    shutil.rmtree(store)  # the data was never really pushed (or the remote lost it)
    proc = _gitp("commit", "-m", "docs", cwd=clone)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "the recorded version of 'model.txt' is neither in the cache nor on remote 'storage'" in out
    assert "the recorded version of 'data.xml' is neither in the cache nor on remote 'storage'" in out
    assert "repro" not in out and "not up to date" not in out, out
    assert "docs" not in _gitp("log", "-1", "--format=%s", cwd=clone).stdout


def test_unreachable_remote_is_one_non_blocking_line(tmp_path: Path, monkeypatch) -> None:
    clone, _ = _pushed_pipeline_clone(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    _sc("remote", "add", "--local", "-d", "down", "s3://bucket/path", cwd=clone)
    _sc("remote", "modify", "--local", "down", "endpointurl", "http://127.0.0.1:9", cwd=clone)  # nothing listens
    proc = _gitp("commit", "-m", "docs", cwd=clone)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "warning (1 remark)" in out, out
    assert ("not pulled yet (not blocking; whether the data remote has them is unknown: cannot reach "
            "http://127.0.0.1:9 for remote 'down'): 'data.xml', 'model.txt', 'prepared'") in out, out
    assert "repro" not in out and "not up to date" not in out, out


def test_a_really_stale_stage_is_still_refused_in_a_clone_without_pulled_data(tmp_path: Path) -> None:
    clone, _ = _pushed_pipeline_clone(tmp_path)
    (clone / "train.py").write_text("open('model.txt', 'w').write('tuned')\n")
    git("add", "train.py", cwd=clone)
    proc = _gitp("commit", "-m", "tune", cwd=clone)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "stage 'train' is not up to date (changed deps: train.py)" in out, out  # not 'prepared'
    assert "stage 'prepare'" not in out, out
    assert "not pulled yet (on remote 'storage'; not blocking): 'data.xml', 'model.txt', 'prepared'" in out
