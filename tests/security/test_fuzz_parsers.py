"""A bounded, seeded fuzz test of the parsers, plus one regression test per finding of issue 8.

A real repository is built with stagecore itself (a tracked directory, a pipeline with params
in YAML/JSON/TOML, a vars file, foreach and matrix stages, metrics, pushed to a directory
remote). Each trial copies it, mutates one file it reads (`dvc.yaml`, `dvc.lock`, a `.dvc`
file, params, vars, metrics, `.dvc/config`, `.dvcignore`, the `.dir` manifest in the cache)
and runs the read paths IN-PROCESS: `status`, `repro --dry`, `dag`, `params diff`,
`metrics show`, `checkout`, `verify` through the CLI's `main()`, then the pre-commit hook
(mutation staged) and the post-checkout hook (mutation committed) through
`stagecore.hooks.run`. Every call must end with an exit code of the documented set, no
traceback, no "unexpected error"/"internal error", within a per-case alarm.

The alias bombs, huge matrices and deep nesting also run as subprocesses under RLIMIT_AS.

    STAGECORE_FUZZ_TRIALS=500 STAGECORE_FUZZ_SEED=7 pytest tests/security/test_fuzz_parsers.py
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

import stagecore.hooks
from stagecore.cli import main
from stagecore.hooks.protocol import HookEnv, PostCheckoutRequest, PreCommitRequest
from tests.helpers import REPO_ROOT, clean_env, git, run_cli

TRIALS = int(os.environ.get("STAGECORE_FUZZ_TRIALS", "24"))
SEED = int(os.environ.get("STAGECORE_FUZZ_SEED", "20261202"))
CASE_SECONDS = 10  # per mutated repository, all commands and hooks together
EXIT_CODES = {0, 1, 251, 252, 253, 254, 255}  # errors.py; 252: interrupted
COMMANDS = (
    ["status"], ["repro", "--dry"], ["dag"], ["params", "diff"], ["metrics", "show"],
    ["checkout"], ["verify", "--no-remote"],
)
MEMORY_LIMIT = 1536 * 1024 * 1024  # address space for the subprocess cases (the bomb took 1.4 GB RSS)

DVC_YAML = """\
vars:
  - vars.yaml
stages:
  prep:
    cmd: mkdir -p prep && cat data/a.txt data/b.txt > prep/all.txt
    deps:
    - data
    params:
    - prep.n
    outs:
    - prep
  train:
    cmd: python train.py
    deps:
    - prep
    params:
    - train.lr
    - config.json:
      - opt
    - extra.toml:
      - depth
    metrics:
    - metrics.json:
        cache: false
  report:
    foreach: ${kinds}
    do:
      cmd: echo ${item} > report-${item}.txt
      deps:
      - metrics.json
      outs:
      - report-${item}.txt
  grid:
    matrix:
      a: [1, 2]
    cmd: echo ${item.a} > grid-${item.a}.txt
    outs:
    - grid-${item.a}.txt
"""


# --- the repository ------------------------------------------------------------------------

_BASE: dict[str, Path] = {}


def _build(base: Path) -> Path:
    repo, remote = base / "repo", base / "remote"
    repo.mkdir()
    remote.mkdir()
    git("init", "-q", cwd=repo)
    (repo / "data").mkdir()
    for name, text in (("a.txt", "alpha\n"), ("b.txt", "beta\n"), ("sub/c.txt", "gamma\n")):
        (repo / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / "data" / name).write_text(text, encoding="utf-8")
    (repo / "params.yaml").write_text("prep:\n  n: 2\ntrain:\n  lr: 0.1\n  layers: [8, 4]\n", encoding="utf-8")
    (repo / "config.json").write_text('{"opt": "adam", "beta": [0.9, 0.99]}\n', encoding="utf-8")
    (repo / "extra.toml").write_text("depth = 3\n[tree]\nleaves = 5\n", encoding="utf-8")
    (repo / "vars.yaml").write_text("kinds: [x, y]\n", encoding="utf-8")
    (repo / "train.py").write_text(
        "import json\njson.dump({'acc': 0.9, 'loss': {'l1': 0.1}}, open('metrics.json', 'w'))\n", encoding="utf-8"
    )
    (repo / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    for args in (["init", "-q"], ["add", "data"], ["repro"], ["remote", "add", "-d", "store", str(remote)],
                 ["push"]):
        proc = run_cli(*args, cwd=repo)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    (repo / ".dvcignore").write_text("*.tmp\n/ignored\n", encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    return repo


@pytest.fixture
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid repository, built once per session (inside the isolated HOME of its first user)."""
    if "repo" not in _BASE:
        _BASE["repo"] = _build(tmp_path_factory.mktemp("fuzz-base"))
    return _BASE["repo"]


def _copy(base: Path, dest: Path) -> Path:
    shutil.copytree(base.parent, dest, symlinks=True)
    repo = dest / "repo"
    # the remote moved with the copy
    config = repo / ".dvc" / "config"
    config.write_text(config.read_text(encoding="utf-8").replace(str(base.parent), str(dest)), encoding="utf-8")
    return repo


def _manifest_relpath(repo: Path) -> str:
    md5 = yaml.safe_load((repo / "data.dvc").read_text(encoding="utf-8"))["outs"][0]["md5"]
    return f".dvc/cache/files/md5/{md5[:2]}/{md5[2:]}"


TARGETS = ("dvc.yaml", "dvc.yaml", "dvc.yaml", "dvc.lock", "dvc.lock", "data.dvc", "params.yaml",
           "config.json", "extra.toml", "vars.yaml", "metrics.json", ".dvc/config", ".dvcignore", "MANIFEST")


# --- mutations -----------------------------------------------------------------------------


def _bomb(levels: int = 9) -> str:
    lines = ['b0: &b0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]")
    return "\n".join(lines)


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def _wrong_value(rng: random.Random) -> object:
    return rng.choice([
        None, 0, -1, 3.5, True, "", "x" * rng.choice([1, 300, 100_000]), [], {}, [1, [2, [3]]],
        {"a": {"b": None}}, "${nope}", "${kinds}", "../../../outside", "/etc/passwd", "a\0b",
        "${item}", 10**30, [None] * 50, {"path": 1}, "0" * 5000,
    ])


def _paths(node: object, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _set(node: object, keys: tuple, value: object) -> object:
    if not keys:
        return value
    target = node
    for key in keys[:-1]:
        target = target[key]  # type: ignore[index]
    target[keys[-1]] = value  # type: ignore[index]
    return node


def _parse(target: str, text: str) -> object:
    if target.endswith(".json") or target == "MANIFEST":
        return json.loads(text)
    if target.endswith(".toml"):
        import tomllib

        return tomllib.loads(text)
    return yaml.safe_load(text)


def _dump(target: str, data: object) -> str:
    if target.endswith(".json") or target == "MANIFEST":
        return json.dumps(data)
    if target.endswith(".toml"):  # a tiny writer: top-level keys only, enough for the fuzz
        return "".join(f"{k} = {json.dumps(v)}\n" for k, v in (data or {}).items()  # type: ignore[union-attr]
                       if not isinstance(v, dict) and v is not None)
    return yaml.safe_dump(data, allow_unicode=True)


def mutate(rng: random.Random, target: str, raw: bytes) -> tuple[str, bytes]:
    """(description, new bytes) of one mutation of `raw`."""
    text = raw.decode("utf-8", "replace")
    kind = rng.choice(["flip", "truncate", "garbage", "deep", "bomb", "wrong_type", "wrong_type", "nul",
                       "long", "huge_expansion"])
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        return kind, bytes(data)
    if kind == "truncate":
        return kind, raw[: rng.randrange(len(raw) + 1)]
    if kind == "garbage":
        return kind, rng.randbytes(rng.choice([1, 64, 4096]))
    if kind == "deep":
        depth = rng.choice([65, 900, 3000, 20_000])
        if target.endswith(".toml"):
            return kind, f"deep = {'[' * depth}1{']' * depth}\n{text}".encode()
        if target.endswith(".json") or target == "MANIFEST":
            return kind, ("[" * depth + "]" * depth).encode()
        return kind, f"{text}\ndeep: {'[' * depth}{']' * depth}\n".encode()
    if kind == "bomb" and not target.endswith((".json", ".toml")) and target != "MANIFEST":
        if target == "dvc.yaml":
            stage = f"  boom:\n    cmd: echo\n    meta:\n{_indent(_bomb(), 6)}\n"
            return kind, text.replace("stages:\n", "stages:\n" + stage, 1).encode()
        return kind, f"{text}\n{_bomb()}\n".encode()
    if kind == "nul":  # a raw NUL byte; NUL inside path strings comes from `wrong_type` ("a\0b")
        pos = rng.randrange(len(raw) + 1)
        return kind, raw[:pos] + b"\0" + raw[pos:]
    if kind == "long":
        return kind, text.replace("a", "a" * rng.choice([300, 5000, 200_000]), 1).encode()
    if kind == "huge_expansion" and target == "dvc.yaml":
        axes = "".join(f"      k{i}: [1, 2, 3, 4]\n" for i in range(12))
        stage = f"  big:\n    matrix:\n{axes}    cmd: echo ${{item.k0}}\n"
        return kind, text.replace("stages:\n", "stages:\n" + stage, 1).encode()
    try:  # wrong types in a field: parse, replace one value, dump
        data = _parse(target, text)
        keys = rng.choice(list(_paths(data)))
        value = _wrong_value(rng)
        return f"wrong_type {keys!r} = {str(value)[:40]!r}", _dump(target, _set(data, keys, value)).encode()
    except Exception:  # noqa: BLE001 - the file was not parseable by the test's own parser
        return "flip (fallback)", raw[::-1]


# --- running -------------------------------------------------------------------------------


@contextlib.contextmanager
def alarm(seconds: int, what: str) -> Iterator[None]:
    def on_alarm(_signum, _frame):
        raise TimeoutError(f"{what}: still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def cli_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse only
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_clean(what: str, code: int, out: str, err: str) -> None:
    assert code in EXIT_CODES, (what, code, err)
    for bad in ("Traceback", "unexpected error", "internal error"):
        assert bad not in err and bad not in out, (what, code, err[-2000:])
    if code != 0 and what.split()[0] not in ("hook",):
        assert err.strip(), (what, "failed without a message")


def run_case(repo: Path, target: str, new: bytes) -> list[str]:
    """Write the mutation, run every command and both hooks; the lines that failed the rules."""
    relpath = _manifest_relpath(repo) if target == "MANIFEST" else target
    path = repo / relpath
    if path.exists():
        os.chmod(path, 0o644)
    tmp = path.with_name(path.name + ".fuzz")
    tmp.write_bytes(new)
    os.replace(tmp, path)  # a new inode: no cache keyed on stat may hide the change
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    for argv in COMMANDS:
        code, out, err = cli_in_process(argv)
        assert_clean(" ".join(argv), code, out, err)
    if not relpath.startswith(".dvc/"):
        git("add", "-f", "--", relpath, cwd=repo)
        outcome = stagecore.hooks.run(PreCommitRequest(HookEnv(str(repo))))
        assert_clean("hook pre-commit", outcome.exit_code, "", "\n".join(outcome.lines))
        git("commit", "-q", "--no-verify", "--allow-empty", "-m", "mutated", cwd=repo)
        new_head = git("rev-parse", "HEAD", cwd=repo).strip()
        outcome = stagecore.hooks.run(PostCheckoutRequest(HookEnv(str(repo)), head, new_head, True))
        assert outcome.exit_code == 0, outcome
        assert_clean("hook post-checkout", outcome.exit_code, "", "\n".join(outcome.lines))
    return []


def test_base_repository_is_clean(base_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unmutated repository passes every command: the fuzz starts from valid files."""
    repo = _copy(base_repo, tmp_path / "case")
    monkeypatch.chdir(repo)
    for argv in COMMANDS:
        code, out, err = cli_in_process(argv)
        assert code == 0, (argv, out, err)
    code, out, _err = cli_in_process(["metrics", "show"])
    assert "0.9" in out
    code, out, _err = cli_in_process(["status"])
    assert "up to date" in out.lower() or out.strip() == "", out


def test_fuzz_parsers(base_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    kinds: dict[str, int] = {}
    for trial in range(TRIALS):
        target = rng.choice(TARGETS)
        repo = _copy(base_repo, tmp_path / f"case{trial}")
        relpath = _manifest_relpath(repo) if target == "MANIFEST" else target
        raw = (repo / relpath).read_bytes() if (repo / relpath).exists() else b""
        what, new = mutate(rng, target, raw)
        kinds[what.split()[0]] = kinds.get(what.split()[0], 0) + 1
        monkeypatch.chdir(repo)
        try:
            with alarm(CASE_SECONDS, f"trial {trial}: {target}: {what}"):
                run_case(repo, target, new)
        except AssertionError as exc:
            raise AssertionError(f"trial {trial} (seed {SEED}) {target}: {what}: {exc}") from None
        finally:
            monkeypatch.chdir(tmp_path)
            shutil.rmtree(tmp_path / f"case{trial}", ignore_errors=True)
    print(f"fuzz: {TRIALS} trials in {time.monotonic() - started:.1f} s, seed {SEED}, kinds {kinds}")
