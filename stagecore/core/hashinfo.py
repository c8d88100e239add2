"""Value objects for content hashes and their metadata (pure)."""

from __future__ import annotations

from dataclasses import dataclass

MD5 = "md5"
MD5_D2U = "md5-dos2unix"  # DVC 2.x and older: md5 of text files with CRLF turned into LF
DIR_SUFFIX = ".dir"


@dataclass(frozen=True, order=True)
class HashInfo:
    """A hash of a file or directory: `name` is the algorithm, `value` the hex digest.

    Directory hashes carry the `.dir` suffix, as DVC writes them.
    """

    name: str
    value: str

    @property
    def isdir(self) -> bool:
        return self.value.endswith(DIR_SUFFIX)

    @property
    def legacy(self) -> bool:
        return self.name == MD5_D2U

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Meta:
    size: int | None = None
    nfiles: int | None = None
    isexec: bool = False
