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
from collections.abc import Iterator
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
BOUND = 30  # seconds for one subprocess case: each took 0.3-3 s, the findings 11 s to hours

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
    params = "prep:\n  n: 2\ntrain:\n  lr: 0.1\n  layers: [8, 4]\n"
    (repo / "params.yaml").write_text(params, encoding="utf-8")
    (repo / "config.json").write_text('{"opt": "adam", "beta": [0.9, 0.99]}\n', encoding="utf-8")
    (repo / "extra.toml").write_text("depth = 3\n[tree]\nleaves = 5\n", encoding="utf-8")
    (repo / "vars.yaml").write_text("kinds: [x, y]\n", encoding="utf-8")
    train = "import json\njson.dump({'acc': 0.9, 'loss': {'l1': 0.1}}, open('metrics.json', 'w'))\n"
    (repo / "train.py").write_text(train, encoding="utf-8")
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
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(str(base.parent), str(dest)), encoding="utf-8")
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
        items = data.items() if isinstance(data, dict) else ()
        return "".join(f"{k} = {json.dumps(v)}\n" for k, v in items
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
        if rng.random() < 0.5:
            axes = "".join(f"      k{i}: [1, 2, 3, 4]\n" for i in range(12))
            stage = f"  big:\n    matrix:\n{axes}    cmd: echo ${{item.k0}}\n"
        else:  # an inline foreach past the bound
            items = ", ".join(str(i) for i in range(rng.choice([10_001, 50_000])))
            stage = f"  wide:\n    foreach: [{items}]\n    do:\n      cmd: echo ${{item}}\n"
        return kind, text.replace("stages:\n", "stages:\n" + stage, 1).encode()
    if kind == "huge_expansion" and target == "vars.yaml":  # `${kinds}` drives the report foreach
        return kind, ("kinds: [" + ", ".join(f"k{i}" for i in range(20_000)) + "]\n").encode()
    try:  # wrong types in a field: parse, replace one value, dump
        parsed = _parse(target, text)
        keys = rng.choice(list(_paths(parsed)))
        value = _wrong_value(rng)
        return f"wrong_type {keys!r} = {str(value)[:40]!r}", _dump(target, _set(parsed, keys, value)).encode()
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
    if not relpath.startswith(".dvc/cache/"):  # the manifest is not in git
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


# --- regressions: the findings of issue 8, as subprocesses under RLIMIT_AS ---------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(
    cmd: list[str], cwd: Path, timeout: float = 4 * BOUND
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`cmd` in a fresh process with its address space capped; (result, seconds)."""
    env = clean_env({"PYTHONPATH": str(REPO_ROOT)})
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limit_memory)  # noqa: PLW1509 - no threads in the test process
    return proc, time.monotonic() - started


def stagecore_limited(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    return run_limited([sys.executable, "-m", "stagecore", *args], cwd)


def one_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ERROR: "), proc.stderr
    for needle in needles:
        assert needle in first, (needle, proc.stderr)


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    return _copy(base_repo, tmp_path / "case")


def _with_stage(repo: Path, stage: str) -> None:
    text = (repo / "dvc.yaml").read_text(encoding="utf-8")
    (repo / "dvc.yaml").write_text(text.replace("stages:\n", "stages:\n" + stage, 1), encoding="utf-8")


BOMB_STAGE = f"  boom:\n    cmd: echo\n    meta:\n{_indent(_bomb(), 6)}\n"


def test_alias_bomb_in_meta_is_refused_in_bounded_time_and_memory(repo: Path) -> None:
    _with_stage(repo, BOMB_STAGE)  # 9^9 = 387 million strings once expanded
    assert len(BOMB_STAGE) < 700
    for args, code in ((["status"], 1), (["repro", "--dry"], 255), (["dag"], 1)):  # repro: DVC's 255
        proc, seconds = stagecore_limited(repo, *args)
        one_error(proc, code, "'dvc.yaml' expands its aliases to more than 250,000 extra values", "line 12")
        assert "hint: fix the file by hand" in proc.stderr
        assert seconds < BOUND, seconds


def test_alias_bomb_in_params_and_lock_is_refused(repo: Path) -> None:
    (repo / "params.yaml").write_text(f"prep:\n  n: 2\ntrain:\n  lr: 0.1\n{_bomb()}\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "params", "diff")
    one_error(proc, 1, "'params.yaml' expands its aliases to more than 250,000 extra values", "line 10")
    assert seconds < BOUND, seconds
    lock = (repo / "dvc.lock").read_text(encoding="utf-8")
    (repo / "params.yaml").write_text("prep:\n  n: 2\ntrain:\n  lr: 0.1\n", encoding="utf-8")
    (repo / "dvc.lock").write_text(lock + _bomb() + "\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.lock' expands its aliases")
    assert seconds < BOUND, seconds


def test_anchors_and_merge_keys_keep_working(repo: Path) -> None:
    """DVC users share definitions with `<<: *defaults`: a normal use is not an alias bomb."""
    first = ("  merged0: &defaults\n    cmd: echo 0 > merged-0.txt\n    deps: [params.yaml]\n"
             "    meta: {owner: me, tags: [a, b, c]}\n    outs: [merged-0.txt]\n")
    rest = "".join(
        f"  merged{i}:\n    <<: *defaults\n    cmd: echo {i} > merged-{i}.txt\n    outs: [merged-{i}.txt]\n"
        for i in range(1, 300)
    )
    _with_stage(repo, first + rest)
    proc = run_cli("repro", "--dry", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "echo 299 > merged-299.txt" in proc.stdout and "echo 0 > merged-0.txt" in proc.stdout
    proc = run_cli("dag", cwd=repo)
    assert proc.returncode == 0 and "merged17" in proc.stdout, proc.stderr


def test_huge_matrix_is_refused_without_being_built(repo: Path) -> None:
    axes = "".join(f"      k{i}: [1, 2, 3, 4]\n" for i in range(12))  # 4^12 = 16,777,216 stages
    _with_stage(repo, f"  big:\n    matrix:\n{axes}    cmd: echo ${{item.k0}}\n")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.yaml' stage 'big' takes the file past 10,000 stages generated by foreach/matrix",
              "line 4")
    assert "hint: split the pipeline into several dvc.yaml files" in proc.stderr
    assert seconds < BOUND, seconds


def test_huge_foreach_is_refused_and_a_large_one_works(repo: Path) -> None:
    (repo / "vars.yaml").write_text("kinds: [x, y]\nmany: " + json.dumps(list(range(10_001))) + "\n",
                                    encoding="utf-8")
    _with_stage(repo, "  wide:\n    foreach: ${many}\n    do:\n      cmd: echo ${item}\n")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "stage 'wide' takes the file past 10,000 stages")
    assert seconds < BOUND, seconds
    (repo / "vars.yaml").write_text("kinds: [x, y]\nmany: " + json.dumps(list(range(500))) + "\n",
                                    encoding="utf-8")
    proc = run_cli("dag", cwd=repo)
    assert proc.returncode == 0 and "wide@499" in proc.stdout, proc.stderr


def test_recursive_foreach_is_refused(repo: Path) -> None:
    _with_stage(repo, "  loop:\n    foreach: &loop [1, *loop]\n    do:\n      cmd: echo ${item}\n")
    proc, _seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.yaml' has an alias that contains itself", "line 5")
    (repo / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    (repo / "vars.yaml").write_text("kinds: &k [x, *k]\n", encoding="utf-8")
    proc, _seconds = stagecore_limited(repo, "repro", "--dry")
    one_error(proc, 255, "'vars.yaml' has an alias that contains itself", "line 1")


@pytest.mark.parametrize("target", ["dvc.yaml", "params.yaml", "config.json", "extra.toml", "dvc.lock",
                                    "data.dvc"])
def test_deep_nesting_is_one_clear_line(repo: Path, target: str) -> None:
    text = (repo / target).read_text(encoding="utf-8")
    deep = "[" * 3000 + "]" * 3000
    if target == "data.dvc":
        (repo / target).write_text(text + "meta: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    elif target == "config.json":
        (repo / target).write_text('{"opt": "adam", "deep": ' + deep + "}", encoding="utf-8")
    elif target == "extra.toml":
        (repo / target).write_text(f"depth = 3\ndeep = {deep}\n", encoding="utf-8")
    elif target == "dvc.yaml":
        _with_stage(repo, "  deep:\n    cmd: echo\n    meta: " + "[" * 900 + "]" * 900 + "\n")
    else:
        (repo / target).write_text(f"{text}deep: {deep}\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    needle = "nesting depth" if target == "dvc.lock" else "nests lists or mappings deeper than 64 levels"
    if target == "data.dvc":
        needle += ", line "
    one_error(proc, 1, f"'{target}'", needle)
    assert seconds < BOUND, seconds


def test_nul_byte_in_paths_names_the_file(repo: Path) -> None:
    text = (repo / "dvc.yaml").read_text(encoding="utf-8")
    nul_metric = text.replace("- metrics.json:\n        cache", '- "metr\\0ics.json":\n        cache')
    (repo / "dvc.yaml").write_text(nul_metric, encoding="utf-8")
    for args in (["metrics", "show"], ["status"], ["params", "diff"]):
        proc, _seconds = stagecore_limited(repo, *args)
        one_error(proc, 1, "'dvc.yaml'", "NUL byte")
    (repo / "dvc.yaml").write_text(text + 'metrics:\n- "m\\0.json"\n', encoding="utf-8")
    proc, _seconds = stagecore_limited(repo, "metrics", "show")
    one_error(proc, 1, "'dvc.yaml' validation failed: expected a path, got a string with a NUL byte, "
              "in metrics -> 0, line ")
    (repo / "dvc.yaml").write_text(text.replace("- config.json:", '- "conf\\0ig.json":'), encoding="utf-8")
    proc, _seconds = stagecore_limited(repo, "params", "diff")
    one_error(proc, 1, "'dvc.yaml'", "NUL byte", "params")
    (repo / "dvc.yaml").write_text(text.replace("  - vars.yaml", '  - "va\\0rs.yaml"'), encoding="utf-8")
    proc, _seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.yaml'", "NUL byte", "vars -> 0")


def test_interpolation_that_changes_a_type_is_a_validation_error(repo: Path) -> None:
    (repo / "vars.yaml").write_text("kinds: [x, y]\nnum: 5\nlisted: [a, b]\n", encoding="utf-8")
    _with_stage(repo, "  typed:\n    cmd: ${num}\n    outs:\n    - ${num}\n")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 1, "'dvc.yaml' validation failed", "expected str", "stages -> typed -> cmd")
    assert "Traceback" not in proc.stderr


def test_over_long_integer_and_huge_problem_count(repo: Path) -> None:
    (repo / "params.yaml").write_text("prep:\n  n: " + "9" * 5000 + "\n", encoding="utf-8")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 1, "'params.yaml' is invalid YAML: an integer has more than 4,300 digits")
    (repo / "params.yaml").write_text("prep:\n  n: 2\ntrain:\n  lr: 0.1\n", encoding="utf-8")
    stages = "".join(f"  s{i}:\n    cmd: echo\n    bogus: 1\n" for i in range(3000))
    _with_stage(repo, stages)  # each problem used to re-parse the file to find its line: minutes
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.yaml' validation failed: 3000 errors: extra keys not allowed, "
              "in stages -> s0 -> bogus, line 6, column 5", "and 2990 more")
    assert seconds < BOUND, seconds


def test_real_hooks_on_an_alias_bomb(repo: Path) -> None:
    """Through `stagecore install` and real git: pre-commit refuses the bomb in one line; the
    post-checkout hook of a `git checkout` bringing it stays in bounds and still follows data.dvc."""
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    git("checkout", "-q", "-b", "evil", cwd=repo)
    (repo / "data" / "a.txt").write_text("alpha, evil\n", encoding="utf-8")
    proc = run_cli("add", "data", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    _with_stage(repo, BOMB_STAGE)  # after the add: add reads every dvc file, as DVC's, and refuses a bomb
    proc = run_cli("add", "data", cwd=repo)
    assert proc.returncode == 1 and "(an alias bomb?)" in proc.stderr, proc.stderr
    git("add", "-A", cwd=repo)
    proc, seconds = run_limited(["git", "commit", "-q", "-m", "evil"], repo)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("stagecore pre-commit: "), proc.stderr
    refusal = "'dvc.yaml' expands its aliases to more than 250,000 extra values (an alias bomb?), line 12"
    assert refusal in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and seconds < BOUND, (seconds, proc.stderr)
    git("commit", "-q", "--no-verify", "-m", "evil", cwd=repo)
    proc, seconds = run_limited(["git", "checkout", "-q", "main"], repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "data" / "a.txt").read_text(encoding="utf-8") == "alpha\n", proc.stderr
    proc, seconds = run_limited(["git", "checkout", "-q", "evil"], repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert seconds < BOUND, seconds
    assert (repo / "data" / "a.txt").read_text(encoding="utf-8") == "alpha, evil\n", proc.stderr


def test_stage_vars_in_a_wide_foreach_do_not_copy_the_params_each_time(repo: Path) -> None:
    """Each stage's `vars` used to deep-copy every variable: a 5,000-key params.yaml and 2,000
    foreach stages with `vars` took 270 s; the context is now copied on write."""
    from stagecore.core.expand import expand_stages
    from stagecore.core.interpolate import Context

    params = {f"k{i}": {"a": i, "b": [i, i + 1], "c": {"d": str(i)}} for i in range(5000)}
    ctx = Context(params, "params.yaml")
    ctx.merge({"items": list(range(2000))}, "vars.yaml")
    template = {"vars": [{"x": 1}, {"k1": {"z": 2}}], "cmd": "echo ${item} ${k1.z}"}
    stages = {"s": {"foreach": "${items}", "do": template}}
    with alarm(CASE_SECONDS, "2,000 stages with vars"):
        generated = expand_stages(stages, ctx, lambda path, keys: {})
    assert len(generated) == 2000 and generated[7].definition == {"cmd": "echo 7 2"}
    assert ctx.data["k1"] == {"a": 1, "b": [1, 2], "c": {"d": "1"}}  # a stage's vars never leak out
    # the same through the CLI: a params.yaml of 5,000 keys, 500 stages with vars
    (repo / "params.yaml").write_text(json.dumps({**params, "prep": {"n": 2}, "train": {"lr": 0.1}}),
                                      encoding="utf-8")
    many = "kinds: [x, y]\nmany: " + json.dumps(list(range(500))) + "\n"
    (repo / "vars.yaml").write_text(many, encoding="utf-8")
    _with_stage(repo, "  wide:\n    foreach: ${many}\n    do:\n      vars: [{x: 1}]\n"
                      "      cmd: echo ${item} ${x}\n")
    proc, seconds = stagecore_limited(repo, "dag")
    assert proc.returncode == 0 and "wide@499" in proc.stdout, proc.stderr
    assert seconds < BOUND, seconds


def test_lock_params_of_the_wrong_type_are_one_clear_line(repo: Path) -> None:
    lock = (repo / "dvc.lock").read_text(encoding="utf-8")
    assert "      params.yaml:\n        prep.n: 2\n" in lock
    bad = lock.replace("      params.yaml:\n        prep.n: 2\n", "      params.yaml: -1\n")
    (repo / "dvc.lock").write_text(bad, encoding="utf-8")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 1, "'dvc.lock' validation failed: expected a dictionary of values, "
              "in stages -> prep -> params -> params.yaml, line ")
    assert "hint: fix it by hand, or delete it and run `stagecore repro`" in proc.stderr


def test_many_unclosed_interpolations_are_linear(repo: Path) -> None:
    """DVC's `${...}` pattern is quadratic on a line of `${` without `}`: 80 KB took 30 s."""
    _with_stage(repo, "  unclosed:\n    cmd: 'echo " + "${" * 200_000 + "'\n")
    proc, seconds = stagecore_limited(repo, "repro", "--dry", "unclosed")
    assert proc.returncode == 0, proc.stderr
    assert "${${${" in proc.stdout and seconds < BOUND, (seconds, proc.stdout[:200])


def test_oversized_files_are_refused_before_parsing(repo: Path) -> None:
    """16 MiB at most (a 16 GB file of zeros is 16 MB in git; PyYAML needs ~50x the text in memory)."""
    padding = "#" + " " * (17 * 1024 * 1024) + "\n"
    lock = (repo / "dvc.lock").read_text(encoding="utf-8")
    (repo / "dvc.lock").write_text(lock + padding, encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'dvc.lock' is larger than 16,777,216 characters: too large for a pipeline file")
    assert seconds < BOUND, seconds
    (repo / "dvc.lock").write_text(lock, encoding="utf-8")
    (repo / "params.yaml").write_text("prep:\n  n: 2\ntrain:\n  lr: 0.1\n" + padding, encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "params", "diff")
    one_error(proc, 1, "'params.yaml' is too large to be a params or metrics file", "at most 16,777,216")
    assert seconds < BOUND, seconds


def test_dvcignore_patterns_cannot_stall_every_walk(repo: Path) -> None:
    """pathspec compiles `*` to a backtracking regex: 30 stars in a row never finished on a
    16-character name, `a*a*a*a*a*b` took 17 s per 255-character name."""
    (repo / "data" / ("a" * 250)).write_text("long name\n", encoding="utf-8")
    (repo / ".dvcignore").write_text("*.tmp\n" + "*" * 30 + "x\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    assert proc.returncode == 0 and seconds < BOUND, (seconds, proc.stderr)
    assert "data.dvc" in proc.stdout and "modified" in proc.stdout, proc.stdout  # the new file counts
    (repo / ".dvcignore").write_text("*.tmp\n!keep*\na*a*a*a*a*b\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 1, "'.dvcignore' line 3: the pattern 'a*a*a*a*a*b' has over 3 wildcards '*'")
    assert "hint: use simpler patterns" in proc.stderr and seconds < BOUND, (seconds, proc.stderr)
    (repo / ".dvcignore").write_text(b"\xff\xfe*.tmp\n".decode("latin-1"), encoding="latin-1")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 1, "'.dvcignore' is not UTF-8 text")


def test_committed_config_cannot_stall_configobj(repo: Path) -> None:
    """configobj's section regex backtracks: a line of 20,000 '[' took 11 s (quadratic: 60,000
    would take ~100 s; every line is parsed before the first error is raised), on every command and hook."""
    config = repo / ".dvc" / "config"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "[" * 60_000 + "\n", encoding="utf-8")
    proc, seconds = stagecore_limited(repo, "status")
    one_error(proc, 251, "config file", ".dvc/config' cannot be parsed: line ",
              "too long or has too many brackets")
    assert seconds < BOUND, seconds
    config.write_text(good + "".join(f"# {'x' * 1000}\n" for _ in range(100)), encoding="utf-8")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 251, ".dvc/config' is larger than 65,536 bytes")
    config.write_text(good + "[cache]\n    dir = cache\0dir\n", encoding="utf-8")
    proc = run_cli("status", cwd=repo)
    one_error(proc, 251, "a NUL byte in the value of 'cache.dir'")


def test_deep_manifest_is_one_clear_line(repo: Path) -> None:
    """A manifest named by its true md5 (so the cache's trust check passes), 3,000 lists deep."""
    import hashlib

    content = ("[" * 3000 + "]" * 3000).encode()
    md5 = hashlib.md5(content).hexdigest()
    (repo / ".dvc/cache/files/md5" / md5[:2]).mkdir(exist_ok=True)
    (repo / ".dvc/cache/files/md5" / md5[:2] / f"{md5[2:]}.dir").write_bytes(content)
    old = _manifest_relpath(repo).split("/")
    dvcfile = (repo / "data.dvc").read_text(encoding="utf-8")
    (repo / "data.dvc").write_text(dvcfile.replace(old[-2] + old[-1], f"{md5}.dir"), encoding="utf-8")
    shutil.rmtree(repo / "data")
    proc, seconds = stagecore_limited(repo, "checkout")
    assert proc.returncode == 1 and seconds < BOUND, (proc.returncode, seconds, proc.stderr)
    assert "is not a valid directory manifest: lists or mappings nested too deep" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr
