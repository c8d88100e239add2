"""The git side of post-checkout's fast path (stagecore.fastpath.followfast): which dvc files changed
between two commits and their two versions, through git processes spawned without importing
`subprocess` (its imports cost about as much CPU as the rest of the path)."""

from __future__ import annotations

from stagecore.fastpath.records import git

_PATHSPECS = (":(glob)**/*.dvc", ":(glob)**/dvc.lock", ":(glob)**/dvc.yaml")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+=@,-")
MAX_FILES = 16  # more changed dvc files than this: the full hook


def changed(root: str, old: str, new: str) -> dict[str, tuple[bytes, bytes]] | str:
    """dvc file path -> (old content, new content), every one a modified `*.dvc` file."""
    code, out = git(root, "diff-tree", "-r", "-z", "--no-renames", old, new, "--", *_PATHSPECS)
    if code != 0:
        return "git diff-tree failed"
    fields = out.split(b"\0")
    pairs: dict[str, tuple[str, str]] = {}
    for head, raw in zip(fields[0::2], fields[1::2], strict=False):  # a last empty field after the final NUL
        parts = head.decode("ascii", "replace").split()
        path = raw.decode("utf-8", "replace")
        if len(parts) != 5 or parts[4] != "M" or parts[0] != ":100644" or parts[1] != "100644":
            return f"'{path}' was not simply modified"
        if not path.endswith(".dvc") or not safe_path(path):
            return f"'{path}' is not a plain .dvc file"
        pairs[path] = (parts[2], parts[3])
    if not pairs:
        return "no dvc file changed"
    if len(pairs) > MAX_FILES:
        return "many dvc files changed"
    # a dvc file below a directory holding `.dvc` (on either side) belongs to a nested project,
    # which the root's hook leaves alone (scm.history.changed_dvc_files): asked in the same call
    nested = sorted({f"{rev}:{path[:i]}/.dvc" for path in pairs for rev in (old, new)
                     for i, ch in enumerate(path) if ch == "/"})  # every directory above each dvc file
    answers = _cat(root, [oid for pair in pairs.values() for oid in pair] + nested)
    if answers is None:
        return "git cat-file failed"
    blobs, nested_found = answers[:2 * len(pairs)], answers[2 * len(pairs):]
    if any(kind is not None for kind, _data in nested_found):
        return "a nested project's dvc file changed"
    if any(kind != b"blob" for kind, _data in blobs):
        return "git cat-file gave no blob"
    return {path: (blobs[2 * i][1], blobs[2 * i + 1][1]) for i, path in enumerate(pairs)}


def _cat(root: str, queries: list[str]) -> list[tuple[bytes | None, bytes]] | None:
    """(object type, content) per query of `git cat-file --batch` ((None, b"") when missing)."""
    data = "".join(f"{q}\n" for q in queries).encode()
    if len(data) > 4096:  # written before git's answer is read: it must fit the smallest pipe buffer
        return None
    code, out = git(root, "cat-file", "--batch", data=data)
    if code != 0:
        return None
    found: list[tuple[bytes | None, bytes]] = []
    pos = 0
    for query in queries:
        end = out.find(b"\n", pos)
        if end < 0:
            return None
        head = out[pos:end].split()
        if head[-1:] == [b"missing"] and out[pos:end] == query.encode() + b" missing":
            found.append((None, b""))
            pos = end + 1
            continue
        if len(head) != 3 or not head[2].isdigit():
            return None
        size = int(head[2])
        found.append((head[1], out[end + 1:end + 1 + size]))
        pos = end + 1 + size + 1
    return found


def safe_path(path: str) -> bool:
    """Plain names only (letters, digits, ._+=@,-), none starting with a dot: no `..`, no
    `.git`/`.dvc`, nothing absolute, nothing that YAML would have to quote."""
    parts = path.split("/")
    return all(part and part[0] != "." and set(part) <= _NAME_CHARS for part in parts)
