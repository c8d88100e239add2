"""Reading blobs of a revision for `verify`, partial clones included.

In a partial clone (`git clone --filter=blob:none`) most blobs are not local: pygit2
(libgit2) cannot fetch them, so the missing ones are asked of `git cat-file --batch`, which
fetches them from the promisor remote. A blob that still cannot be had is named in one
error with the paths that need it.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable

from stagecore.core.hashinfo import MD5_D2U
from stagecore.errors import StagecoreError


class BlobReader:
    def __init__(self, git) -> None:
        self.git = git  # pygit2.Repository
        self.fetched: dict[str, bytes] = {}

    def has(self, oid) -> bool:
        return str(oid) in self.fetched or oid in self.git

    def size(self, oid) -> int | None:
        """The blob's size, or None when it is not local (nothing is fetched)."""
        if str(oid) in self.fetched:
            return len(self.fetched[str(oid)])
        return self.git[oid].size if oid in self.git else None

    def prefetch(self, wanted: dict[str, object]) -> None:
        """Fetch the missing ones of {path: oid} in one `git cat-file --batch`; refuse when some stay missing."""
        missing = {path: oid for path, oid in wanted.items() if not self.has(oid)}
        if not missing:
            return
        oids = sorted({str(oid) for oid in missing.values()})
        _fetch_from_promisors(self.git, oids)  # one fetch for all (cat-file alone fetches them one by one)
        got = _cat_file(self.git.path, oids)
        self.fetched.update(got)
        lost = sorted(path for path, oid in missing.items() if str(oid) not in got)
        if lost:
            shown = ", ".join(f"'{p}'" for p in lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            raise StagecoreError(
                f"cannot read {shown} at this revision: the blob is missing from this partial clone "
                "and git could not fetch it",
                hint="make the clone's promisor remote reachable (or `git fetch --refetch`), then run verify again",
            )

    def data(self, oid) -> bytes:
        key = str(oid)
        if key in self.fetched:
            return self.fetched[key]
        return self.git[oid].data


def _fetch_from_promisors(git, oids: list[str]) -> None:
    """Ask each promisor remote for `oids` in one `git fetch` (as git's own lazy fetch does)."""
    import pygit2

    try:
        remotes = _promisor_remotes(git)
    except pygit2.GitError:  # an unreadable config only means no batched fetch
        return
    for remote in remotes:
        try:
            subprocess.run(["git", "--git-dir", git.path, "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q",
                            "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
                            "--stdin", remote], input=("\n".join(oids) + "\n").encode(), capture_output=True,
                           check=False, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            continue


def _promisor_remotes(git) -> list[str]:
    names = []
    for entry in git.config:
        parts = entry.name.split(".")
        if len(parts) >= 3 and parts[0] == "remote" and parts[-1] == "promisor" and entry.value == "true":
            names.append(".".join(parts[1:-1]))
    return names


def _cat_file(git_dir: str, oids: list[str]) -> dict[str, bytes]:
    try:
        proc = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"], input=(
            "\n".join(oids) + "\n").encode(), capture_output=True, check=False)
    except OSError:
        return {}
    found: dict[str, bytes] = {}
    out = proc.stdout
    pos = 0
    while pos < len(out):
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].decode("ascii", "replace").split()
        pos = end + 1
        if len(header) == 3 and header[1] == "blob":
            size = int(header[2])
            found[header[0]] = out[pos:pos + size]
            pos += size + 1
        elif len(header) == 3:
            pos += int(header[2]) + 1
    return found


def bytes_hash(data: bytes, name: str) -> str:
    """md5 of blob content; `md5-dos2unix` as DVC 2.x computed it (CRLF -> LF in text chunks)."""
    if name != MD5_D2U:
        return hashlib.md5(data).hexdigest()
    from stagecore.storage.hashing import CHUNK, _is_text

    digest = hashlib.md5()
    for start in range(0, len(data), CHUNK) if data else ():
        chunk = data[start:start + CHUNK]
        if _is_text(chunk):
            chunk = chunk.replace(b"\r\n", b"\n")
        digest.update(chunk)
    return digest.hexdigest()


def tree_of(reader: BlobReader, files: Iterable[tuple[str, object]], name: str) -> dict[str, str]:
    return {rel: bytes_hash(reader.data(oid), name) for rel, oid in files}
