"""The one gate for paths and hash values that come from data (pure: no I/O).

Every `.dvc` file, `dvc.yaml`, `dvc.lock` and `.dir` manifest is attacker input (the hooks
process other people's commits by themselves), so each path and md5 value read from them
passes through here before it can name a file: the CLI, the hooks and the library all call
these functions. Symlinks are not judged here (that needs the file system); this is the
lexical half of the gate:

- a hash value that names a cache object is exactly 32 lowercase hex digits, optionally
  followed by `.dir` (DVC 2.x and 3.x md5 alike);
- an output path, once joined with the dvc file's directory and `wdir`, is relative, stays
  inside the repository, has no `.git` / `.dvc` component at any depth (nested repositories
  and projects included), no NUL, and no component longer than a file name can be;
- a manifest relpath is a plain relative path inside its directory (no `..`, `.`, empty
  component, backslash, NUL or `.git` component), unique, and never both a file and the
  parent directory of another entry;
- a dependency path is only refused when empty or holding a NUL (URLs and absolute paths
  are legal dependencies; their `etag`/`checksum` values are compared, never used as paths).

Each `*_problem` function returns None for a safe value, else what is wrong (one line, no
file name: the caller names the file and the key).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from stagecore.errors import FileFormatError

if TYPE_CHECKING:
    from stagecore.core.stage import Stage

MAX_NAME_BYTES = 255  # NAME_MAX of Linux, macOS and Windows file systems
MAX_PATH_BYTES = 4096  # PATH_MAX of Linux
RESERVED_NAMES = (".git", ".dvc")  # never an output, at any depth
_HASH_RE = re.compile(r"[0-9a-f]{32}(\.dir)?")
_FILE_HASH_RE = re.compile(r"[0-9a-f]{32}")
OUT_HINT = (
    "outputs must be paths inside the repository, outside .git and .dvc, with md5 hash values; "
    "fix or remove that entry"
)


def show(value: object, limit: int = 80) -> str:
    """A value quoted for a one-line message: control characters escaped, long values cut."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    if not text.isprintable():
        return repr(text)
    return f"'{text}'"


# ---------------------------------------------------------------- hash values


def hash_problem(value: object, *, allow_dir: bool = True) -> str | None:
    """None when `value` may name a cache object (32 lowercase hex digits [+ `.dir`])."""
    if not isinstance(value, str):
        return f"{type(value).__name__} {show(value)} is not a string"
    pattern = _HASH_RE if allow_dir else _FILE_HASH_RE
    if pattern.fullmatch(value):
        return None
    suffix = ", optionally '.dir'" if allow_dir else ""
    return f"{show(value)} is not an md5 hash value (32 lowercase hex digits{suffix})"


def is_hash_value(value: object) -> bool:
    return hash_problem(value) is None


# ---------------------------------------------------------------- output paths


def _component_problem(name: str) -> str | None:
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return f"has a component that is not valid UTF-8: {show(name)}"
    if size > MAX_NAME_BYTES:
        return f"has a component of {size} bytes (at most {MAX_NAME_BYTES}): {show(name, 40)}"
    return None


def out_path_problem(path: object) -> str | None:
    """None when `path` (repo-relative, posix, joined with wdir, not yet normalised) is a
    safe place for an output."""
    if not isinstance(path, str):
        return "is not a string"
    if not path:
        return "is empty"
    if "\0" in path:
        return "contains a NUL byte"
    if path.startswith("/"):
        return "is absolute"
    norm = posixpath.normpath(path)
    if norm in (".", ""):
        return "is the repository itself"
    parts = norm.split("/")
    if parts[0] == "..":
        return "leaves the repository"
    for part in parts:
        if part.lower() in RESERVED_NAMES:
            return f"enters {part}"
        problem = _component_problem(part)
        if problem:
            return problem
    if len(norm.encode("utf-8")) > MAX_PATH_BYTES:
        return f"is longer than {MAX_PATH_BYTES} bytes"
    return None


def join_out_path(wdir: str, path: str) -> str:
    """The raw (unnormalised) repo-relative path of an output written relative to `wdir`."""
    return posixpath.join(wdir, path) if wdir else path


def dep_path_problem(path: object) -> str | None:
    """Dependencies may be URLs or absolute paths (legal DVC): only emptiness and NUL are refused."""
    if not isinstance(path, str) or not path:
        return "is empty"
    if "\0" in path:
        return "contains a NUL byte"
    return None


# ---------------------------------------------------------------- manifests


def relpath_problem(rel: object) -> str | None:
    """None when `rel` is a safe relpath of a `.dir` manifest entry."""
    if not isinstance(rel, str) or not rel:
        return "an empty or non-string relpath"
    if "\0" in rel:
        return f"the relpath {show(rel)} contains a NUL byte"
    if "\\" in rel:
        return f"the relpath {show(rel)} contains a backslash"
    if rel.startswith("/"):
        return f"the relpath {show(rel)} is absolute"
    for part in rel.split("/"):
        if part in ("", ".", ".."):
            return f"the relpath {show(rel)} leaves its directory or has an empty, '.' or '..' component"
        if part.lower() == ".git":
            return f"the relpath {show(rel)} enters .git"
        problem = _component_problem(part)
        if problem:
            return f"the relpath {show(rel, 40)} {problem}"
    if len(rel.encode("utf-8")) > MAX_PATH_BYTES:
        return f"the relpath {show(rel, 40)} is longer than {MAX_PATH_BYTES} bytes"
    return None


def manifest_problem(entries: Iterable[tuple[object, object]]) -> str | None:
    """None when the (relpath, md5) pairs form a safe tree: every relpath and md5 valid, no
    duplicate, no entry that is both a file and the directory of another."""
    seen: set[str] = set()
    dirs: set[str] = set()
    for rel, md5 in entries:
        problem = relpath_problem(rel)
        if problem:
            return problem
        assert isinstance(rel, str)
        bad = hash_problem(md5, allow_dir=False)
        if bad:
            return f"the entry {show(rel)} has a bad md5: {bad}"
        if rel in seen:
            return f"the relpath {show(rel)} is listed twice"
        seen.add(rel)
        parts = rel.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    both = sorted(seen & dirs)
    if both:
        return f"the relpath {show(both[0])} is both a file and a directory"
    return None


# ---------------------------------------------------------------- stages


def stage_problems(stage: Stage) -> list[str]:
    """Every unsafe output path, output hash value and dependency path of a loaded stage."""
    problems: list[str] = []
    for out in stage.outs:
        name = show(out.path)
        problem = out_path_problem(join_out_path(stage.wdir, out.path))
        if problem:
            where = f" (in wdir {show(stage.wdir)})" if stage.wdir else ""
            problems.append(f"has an output that {problem}: {name}{where}")
        if out.hash is not None:
            bad = hash_problem(out.hash.value)
            if bad:
                problems.append(f"has an output {name} whose hash {bad}")
    for dep in stage.deps:
        problem = dep_path_problem(dep.path)
        if problem:
            problems.append(f"has a dependency that {problem}: {show(dep.path)}")
    return problems


def check_stage(stage: Stage) -> None:
    """Refuse (FileFormatError naming the dvc file and every bad entry) an unsafe stage."""
    problems = stage_problems(stage)
    if problems:
        what = f" (stage '{stage.name}')" if stage.name else ""
        raise FileFormatError(stage.dvcfile, "; ".join(problems) + what, hint=OUT_HINT)
