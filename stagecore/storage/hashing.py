"""Hashing file content: plain md5 (DVC 3) and md5-dos2unix (DVC 2.x and older)."""

from __future__ import annotations

import hashlib

from stagecore.core.hashinfo import MD5, MD5_D2U

CHUNK = 1024 * 1024
_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"


def _is_text(chunk: bytes) -> bool:
    head = chunk[:512]
    if not head:
        return True
    if b"\x00" in head:
        return False
    nontext = head.translate(None, _TEXT_CHARS)
    return len(nontext) / len(head) <= 0.30


def file_md5(path: str, name: str = MD5) -> str:
    """Hex md5 of a file, read in 1 MiB chunks (never the whole file in memory).

    With `name == "md5-dos2unix"`, each chunk that looks like text has CRLF turned into
    LF before hashing, exactly as DVC 3 computes legacy hashes.
    """
    from stagecore.ui.progress import tick

    digest = hashlib.md5()
    dos2unix = name == MD5_D2U
    with open(path, "rb", buffering=0) as fobj:
        while chunk := fobj.read(CHUNK):
            tick("hash", len(chunk))  # a bar of add/commit shows the bytes read (a no-op without one)
            if dos2unix and _is_text(chunk):
                chunk = chunk.replace(b"\r\n", b"\n")
            digest.update(chunk)
    tick("hash", files=1)
    return digest.hexdigest()


def bytes_md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
