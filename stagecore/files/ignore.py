"""`.dvcignore` with gitignore semantics: the one owner of pathspec.

Each `.dvcignore` applies to the directory holding it and below, with patterns relative to
that directory. `.git`, `.hg` and `.dvc` are always ignored.
"""

from __future__ import annotations

import os
import re

from stagecore.errors import FileFormatError

IGNORE_FILE = ".dvcignore"
ALWAYS = frozenset({".git", ".hg", ".dvc"})


class DvcIgnore:
    def __init__(self, root: str) -> None:
        self.root = root
        self._specs: dict[str, tuple[object, list[str]] | None] = {}

    def _spec(self, reldir: str):
        """The compiled `.dvcignore` of one directory (repo-relative, '' = root) or None."""
        if reldir not in self._specs:
            path = os.path.join(self.root, reldir, IGNORE_FILE)
            spec = None
            lines = _read_lines(path, f"{reldir}/{IGNORE_FILE}" if reldir else IGNORE_FILE)
            if any(line.strip() and not line.lstrip().startswith("#") for line in lines):
                import pathspec

                try:
                    spec = (pathspec.GitIgnoreSpec.from_lines(_tamed(lines, reldir)), lines)
                except ValueError as exc:  # pathspec's GitWildMatchPatternError
                    name = f"{reldir}/{IGNORE_FILE}" if reldir else IGNORE_FILE
                    problem = f"has an invalid pattern: {exc}"
                    raise FileFormatError(name, problem, hint="fix the file by hand") from None
            self._specs[reldir] = spec
        return self._specs[reldir]

    def active(self, reldir: str) -> list[tuple[str, object, list[str]]]:
        """The specs that apply inside `reldir`: its own and those of every ancestor."""
        return _chain(self, reldir)

    def match(self, relpath: str, isdir: bool) -> str | None:
        """The rule (`.dvcignore:LINE:PATTERN`) that ignores `relpath`, or None."""
        parts = relpath.split("/")
        if any(part in ALWAYS for part in parts):
            return "built-in rule"
        for i in range(len(parts)):
            # a path is ignored if any of its ancestor directories is
            sub = "/".join(parts[: i + 1])
            sub_isdir = isdir or i < len(parts) - 1
            rule = self._match_one(sub, sub_isdir)
            if rule:
                return rule
        return None

    def _match_one(self, relpath: str, isdir: bool) -> str | None:
        reldir = os.path.dirname(relpath) if "/" in relpath else ""
        verdict = None
        for base, spec, lines in self.active(reldir):
            rel = relpath[len(base) + 1 :] if base else relpath
            result = spec.check_file(rel + "/" if isdir else rel)  # type: ignore[attr-defined]
            if result.include is not None:
                name = f"{base}/{IGNORE_FILE}" if base else IGNORE_FILE
                verdict = (result.include, f"{name}:{result.index + 1}:{lines[result.index]}")
        if verdict and verdict[0]:
            return verdict[1]
        return None

    @property
    def empty(self) -> bool:
        return self._spec("") is None


MAX_IGNORE_BYTES = 1024 * 1024  # patterns are compiled to regexes: a huge file would stall every walk


def _read_lines(path: str, name: str) -> list[str]:
    """The lines of one `.dvcignore` ([] when absent); unreadable or huge: one clear error."""
    try:
        with open(path, "rb") as fobj:
            data = fobj.read(MAX_IGNORE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise FileFormatError(name, f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_IGNORE_BYTES:
        raise FileFormatError(name, f"is larger than {MAX_IGNORE_BYTES:,} bytes", hint="use fewer patterns")
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise FileFormatError(name, f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                              hint="fix the file by hand") from None


MAX_WILDCARDS = 3  # `*` runs per pattern (a `**` segment is one): matching is polynomial of that degree
_STARS = re.compile(r"(?<!\\)\*{2,}")
_RUN = re.compile(r"(?<!\\)\*+")


def _tamed(lines: list[str], reldir: str) -> list[str]:
    """The patterns with their cost bounded. pathspec compiles each `*` to a backtracking
    `[^/]*`: `a*a*a*a*a*b` took 17 s per 255-character name, 30 stars in a row never ended.
    Stars in a row are one star (gitignore: only a whole `**` segment is special), and a
    pattern with more than MAX_WILDCARDS runs of stars is refused, naming its line."""
    out = []
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        negate = "!" if line.startswith("!") else ""
        parts = line[len(negate):].split("/")
        line = negate + "/".join(part if part.strip() == "**" else _STARS.sub("*", part) for part in parts)
        if len(_RUN.findall(line)) > MAX_WILDCARDS:
            name = f"{reldir}/{IGNORE_FILE}" if reldir else IGNORE_FILE
            problem = f"line {number}: the pattern '{line.strip()}' has over {MAX_WILDCARDS} wildcards '*'"
            raise FileFormatError(
                name, problem, hint="use simpler patterns (matching many wildcards takes exponential time)"
            )
        out.append(line)
    return out


def _chain(ignore: DvcIgnore, reldir: str) -> list[tuple[str, object, list[str]]]:
    out = []
    parts = reldir.split("/") if reldir else []
    for i in range(len(parts) + 1):
        base = "/".join(parts[:i])
        spec = ignore._spec(base)
        if spec is not None:
            out.append((base, spec[0], spec[1]))
    return out


